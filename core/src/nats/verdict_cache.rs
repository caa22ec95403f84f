//! A per-permission-set cache of check verdicts, in front of the trie walk (nats-server keeps a
//! per-client `perms.pcache` for the same reason: a client publishes to few subjects, over and
//! over).
//!
//! Its shape follows from where it sits:
//! - **Bounded.** A fixed table of [`SLOTS`] slots, allocated on first use; a subject longer
//!   than [`MAX_CACHED_SUBJECT`] bytes is not cached. Untrusted subjects can only evict each
//!   other, never grow memory.
//! - **Shared without locks.** One permission set serves every identity of a user, on any
//!   thread. Each slot is a sequence lock made of atomics: a reader copies the key and the
//!   subject words and accepts them only if the sequence number was even and unchanged around
//!   the copy; a writer that finds the slot busy skips caching instead of waiting. No reader
//!   ever blocks or writes.
//! - **Exact.** A hit compares the whole subject, so a hash collision is a miss, never a wrong
//!   verdict. The slot index is seeded per table, so a client cannot aim subjects at one slot
//!   of every server.
//! - **Never invalidated.** A permission set is immutable once compiled; a config change
//!   builds a new [`super::NatsAuth`] with new tables.

use std::hash::BuildHasher;
use std::sync::atomic::{fence, AtomicU64, Ordering};
use std::sync::OnceLock;

use super::sublist::{finish, mix, tail_word};

/// Slots per table (a power of two).
pub(crate) const SLOTS: usize = 128;
const WORDS: usize = 8;
/// The longest subject cached, in bytes.
pub(crate) const MAX_CACHED_SUBJECT: usize = WORDS * 8;

/// Which check a verdict answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CheckKind {
    /// The publish allow/deny lists.
    Publish = 1,
    /// A subscription without a queue group.
    Subscribe = 2,
    /// The delivery deny filter.
    Receive = 3,
}

// Key layout: bits 0..7 subject length, 7..9 the check, bit 9 the verdict, 16..64 the top of
// the subject hash. A zero key never matches (no check is 0).
const VERDICT: u64 = 1 << 9;

fn key(hash: u64, kind: CheckKind, len: usize) -> u64 {
    (hash & !0xffff) | ((kind as u64) << 7) | len as u64
}

struct Slot {
    seq: AtomicU64,
    key: AtomicU64,
    words: [AtomicU64; WORDS],
}

/// A subject as little-endian words, zero-padded (the length in the key tells padding from a
/// NUL byte), and how many words it fills. The caller checks the length.
#[inline]
fn pack(subject: &[u8]) -> ([u64; WORDS], usize) {
    let mut words = [0u64; WORDS];
    let mut chunks = subject.chunks_exact(8);
    let mut n = 0;
    for c in &mut chunks {
        words[n] = u64::from_le_bytes(c.try_into().expect("chunks_exact(8) yields 8 bytes"));
        n += 1;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let len = subject.len();
        words[n] = if len >= 8 {
            // The last eight bytes as one load, shifted down to the tail.
            let last = u64::from_le_bytes(subject[len - 8..].try_into().expect("eight bytes"));
            last >> (8 * (8 - rest.len()))
        } else {
            tail_word(rest)
        };
        n += 1;
    }
    (words, n)
}

/// The verdict cache of one permission set.
pub(crate) struct VerdictCache {
    seed: u64,
    slots: OnceLock<Box<[Slot]>>,
}

impl Default for VerdictCache {
    fn default() -> Self {
        VerdictCache { seed: std::collections::hash_map::RandomState::new().hash_one(0u8), slots: OnceLock::new() }
    }
}

impl Clone for VerdictCache {
    /// A clone starts empty (the verdicts are recomputed, not shared).
    fn clone(&self) -> Self {
        VerdictCache::default()
    }
}

impl std::fmt::Debug for VerdictCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerdictCache").field("allocated", &self.slots.get().is_some()).finish()
    }
}

impl VerdictCache {
    fn locate(&self, kind: CheckKind, subject: &[u8]) -> (usize, u64, [u64; WORDS], usize) {
        // The kind is in the seed so that a subject's publish and subscribe verdicts get
        // different slots.
        let (words, n) = pack(subject);
        let seed = self.seed.wrapping_add((kind as u64) << 32);
        let h = finish(words[..n].iter().fold(seed, |h, &w| mix(h, w)), subject.len());
        ((h as usize) & (SLOTS - 1), key(h, kind, subject.len()), words, n)
    }

    /// The cached verdict of `kind` for `subject`, if any.
    pub(crate) fn get(&self, kind: CheckKind, subject: &[u8]) -> Option<bool> {
        if subject.len() > MAX_CACHED_SUBJECT {
            return None;
        }
        let slots = self.slots.get()?;
        let (i, want, words, n) = self.locate(kind, subject);
        let slot = &slots[i];
        let seq = slot.seq.load(Ordering::Acquire);
        if seq & 1 != 0 {
            return None;
        }
        let k = slot.key.load(Ordering::Relaxed);
        if k & !VERDICT != want {
            return None;
        }
        if (0..n).any(|w| slot.words[w].load(Ordering::Relaxed) != words[w]) {
            return None;
        }
        // The copy above counts only if no writer started meanwhile.
        fence(Ordering::Acquire);
        (slot.seq.load(Ordering::Relaxed) == seq).then_some(k & VERDICT != 0)
    }

    /// Records a verdict (skipped when the subject is too long or a writer holds the slot).
    pub(crate) fn put(&self, kind: CheckKind, subject: &[u8], verdict: bool) {
        if subject.len() > MAX_CACHED_SUBJECT {
            return;
        }
        let slots = self.slots.get_or_init(|| {
            (0..SLOTS)
                .map(|_| Slot { seq: AtomicU64::new(0), key: AtomicU64::new(0), words: Default::default() })
                .collect()
        });
        let (i, k, words, n) = self.locate(kind, subject);
        let slot = &slots[i];
        let seq = slot.seq.load(Ordering::Relaxed);
        if seq & 1 != 0 || slot.seq.compare_exchange(seq, seq + 1, Ordering::Acquire, Ordering::Relaxed).is_err() {
            return;
        }
        fence(Ordering::Release);
        slot.key.store(if verdict { k | VERDICT } else { k }, Ordering::Relaxed);
        for (w, v) in words.iter().take(n).enumerate() {
            slot.words[w].store(*v, Ordering::Relaxed);
        }
        slot.seq.store(seq + 2, Ordering::Release);
    }

    /// The cached verdict, or `compute`'s (then cached).
    pub(crate) fn get_or_compute(&self, kind: CheckKind, subject: &[u8], compute: impl FnOnce() -> bool) -> bool {
        if let Some(v) = self.get(kind, subject) {
            return v;
        }
        let v = compute();
        self.put(kind, subject, v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn hits_are_exact_and_per_kind() {
        let c = VerdictCache::default();
        assert_eq!(c.get(CheckKind::Publish, b"a.b"), None);
        c.put(CheckKind::Publish, b"a.b", true);
        assert_eq!(c.get(CheckKind::Publish, b"a.b"), Some(true));
        c.put(CheckKind::Subscribe, b"a.b", false);
        assert_eq!(c.get(CheckKind::Subscribe, b"a.b"), Some(false));
        // The two may share a slot (the seed is random): evicted at worst, never mixed up.
        assert_ne!(c.get(CheckKind::Publish, b"a.b"), Some(false));
        assert_eq!(c.get(CheckKind::Receive, b"a.b"), None);
        // Same words once padded, different length.
        c.put(CheckKind::Publish, b"x", true);
        assert_eq!(c.get(CheckKind::Publish, b"x\0"), None);
    }

    #[test]
    fn long_subjects_bypass_the_table() {
        let c = VerdictCache::default();
        let long = vec![b'a'; MAX_CACHED_SUBJECT + 1];
        c.put(CheckKind::Publish, &long, true);
        assert_eq!(c.get(CheckKind::Publish, &long), None);
        let edge = vec![b'b'; MAX_CACHED_SUBJECT];
        c.put(CheckKind::Publish, &edge, true);
        assert_eq!(c.get(CheckKind::Publish, &edge), Some(true));
    }

    #[test]
    fn many_subjects_only_evict() {
        let c = VerdictCache::default();
        for i in 0..10 * SLOTS {
            let s = format!("s.{i}");
            c.put(CheckKind::Publish, s.as_bytes(), i % 2 == 0);
        }
        // Whatever survived is right; the table did not grow.
        let mut hits = 0;
        for i in 0..10 * SLOTS {
            let s = format!("s.{i}");
            if let Some(v) = c.get(CheckKind::Publish, s.as_bytes()) {
                assert_eq!(v, i % 2 == 0);
                hits += 1;
            }
        }
        assert!(hits > 0 && hits <= SLOTS, "{hits}");
        assert_eq!(c.slots.get().map(|s| s.len()), Some(SLOTS));
    }

    #[test]
    fn concurrent_readers_and_writers_never_see_a_torn_verdict() {
        // Each subject's verdict is a function of the subject, so any hit can be checked.
        let c = Arc::new(VerdictCache::default());
        let subjects: Arc<Vec<String>> = Arc::new((0..4 * SLOTS).map(|i| format!("subject.{i}.{}", "x".repeat(i % 50))).collect());
        let verdict = |i: usize| i % 3 == 0;
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let (c, subjects) = (Arc::clone(&c), Arc::clone(&subjects));
                std::thread::spawn(move || {
                    let mut hits = 0usize;
                    for round in 0..20_000usize {
                        let i = (round * 7 + t * 13) % subjects.len();
                        let s = subjects[i].as_bytes();
                        match c.get(CheckKind::Publish, s) {
                            Some(v) => {
                                assert_eq!(v, verdict(i), "{}", subjects[i]);
                                hits += 1;
                            }
                            None => c.put(CheckKind::Publish, s, verdict(i)),
                        }
                    }
                    hits
                })
            })
            .collect();
        let hits: usize = threads.into_iter().map(|t| t.join().expect("no panic")).sum();
        assert!(hits > 0);
    }
}
