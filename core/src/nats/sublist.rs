//! The subject trie of a permission list, matched as nats-server's `sublist.go` matches it: a
//! checked subject's tokens are taken literally (which is why allow `foo.*` admits a
//! subscription to `foo.>`), `*` entries match one token and `>` entries the rest.
//!
//! The check is on every publish, so the walk is kept cheap: a subject is split and each token
//! hashed once ([`Tokens`]), shared by the allow and the deny trie; a level's children are a
//! vector sorted by that hash (a binary search, no hasher state, no allocation); and a plain
//! check stops at the first matching entry.

use smallvec::SmallVec;

const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// The last 1..8 bytes of a slice as a little-endian word, zero-padded (a byte loop: a
/// `copy_from_slice` of a variable length is a `memcpy` call).
#[inline]
pub(crate) fn tail_word(rest: &[u8]) -> u64 {
    let mut w = 0u64;
    for (i, &b) in rest.iter().enumerate() {
        w |= u64::from(b) << (8 * i);
    }
    w
}

/// One step of the word hash.
#[inline]
pub(crate) fn mix(h: u64, w: u64) -> u64 {
    (h ^ w).wrapping_mul(K).rotate_left(31)
}

/// The end of the word hash of `len` bytes (the length goes in last, so that a hash can be
/// built while the bytes are scanned).
#[inline]
pub(crate) fn finish(h: u64, len: usize) -> u64 {
    let h = mix(h, len as u64);
    h ^ (h >> 29)
}

/// The `n` (1..=8) bytes of `s` ending at `end` as a little-endian word: one load of the
/// eight bytes ending there, shifted down, when the slice is long enough.
#[inline]
fn word_ending_at(s: &[u8], end: usize, n: usize) -> u64 {
    if end >= 8 {
        u64::from_le_bytes(s[end - 8..end].try_into().expect("eight bytes")) >> (8 * (8 - n))
    } else {
        tail_word(&s[end - n..end])
    }
}

/// The word hash of `s[begin..end]`: its eight-byte words from the start, the last one
/// zero-padded, then the length. Token hashes only order a level's children (the entries come
/// from the config, so there is nothing for a client to flood).
#[inline]
pub(crate) fn hash_range(seed: u64, s: &[u8], begin: usize, end: usize) -> u64 {
    let mut h = seed;
    if end > begin {
        let mut p = begin;
        while end - p > 8 {
            h = mix(h, u64::from_le_bytes(s[p..p + 8].try_into().expect("eight bytes")));
            p += 8;
        }
        h = mix(h, word_ending_at(s, end, end - p));
    }
    finish(h, end - begin)
}

/// [`hash_range`] of a whole slice.
#[inline]
pub(crate) fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    hash_range(seed, bytes, 0, bytes.len())
}

/// The `.` bytes of a word, as the top bit of each such byte (exact: no borrow between bytes).
#[inline]
fn dots(w: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = w ^ 0x2e2e_2e2e_2e2e_2e2e;
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// One token of a checked subject and its hash.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token<'a> {
    bytes: &'a [u8],
    hash: u64,
}

/// A checked subject split at `.`, each token hashed once.
#[derive(Debug)]
pub(crate) struct Tokens<'a>(SmallVec<[Token<'a>; 8]>);

impl<'a> Tokens<'a> {
    /// The tokens of `subject`; none when it has an empty token (such a subject matches no
    /// entry, as in nats-server).
    #[inline(always)]
    pub(crate) fn split(subject: &'a [u8]) -> Option<Tokens<'a>> {
        let mut t = Tokens(SmallVec::new());
        t.fill(subject).then_some(t)
    }

    /// Finds the dots eight bytes at a time and hashes each token from whole-word loads.
    fn fill(&mut self, subject: &'a [u8]) -> bool {
        let mut begin = 0usize;
        let mut cut = |end: usize, v: &mut SmallVec<[Token<'a>; 8]>| {
            if end == begin {
                return false;
            }
            v.push(Token { bytes: &subject[begin..end], hash: hash_range(0, subject, begin, end) });
            begin = end + 1;
            true
        };
        let mut chunks = subject.chunks_exact(8);
        let mut base = 0usize;
        for c in &mut chunks {
            let mut m = dots(u64::from_le_bytes(c.try_into().expect("chunks_exact(8) yields 8 bytes")));
            while m != 0 {
                if !cut(base + (m.trailing_zeros() / 8) as usize, &mut self.0) {
                    return false;
                }
                m &= m - 1;
            }
            base += 8;
        }
        for (i, &b) in chunks.remainder().iter().enumerate() {
            if b == b'.' && !cut(base + i, &mut self.0) {
                return false;
            }
        }
        cut(subject.len(), &mut self.0)
    }
}

#[derive(Default, Debug, Clone)]
struct Node {
    next: Option<Box<Level>>,
    plain: usize,
    queues: Vec<Vec<u8>>,
}

/// A literal child of a level.
#[derive(Debug, Clone)]
struct Child {
    hash: u64,
    token: Box<[u8]>,
    node: Node,
}

#[derive(Default, Debug, Clone)]
struct Level {
    /// Literal children, sorted by hash.
    nodes: Vec<Child>,
    pwc: Option<Box<Node>>,
    fwc: Option<Box<Node>>,
}

impl Level {
    fn child(&self, t: &Token<'_>) -> Option<&Node> {
        let start = self.nodes.partition_point(|c| c.hash < t.hash);
        self.nodes[start..].iter().take_while(|c| c.hash == t.hash).find(|c| *c.token == *t.bytes).map(|c| &c.node)
    }

    fn child_or_insert(&mut self, token: &[u8]) -> &mut Node {
        let hash = hash_bytes(0, token);
        let start = self.nodes.partition_point(|c| c.hash < hash);
        let found = self.nodes[start..].iter().take_while(|c| c.hash == hash).position(|c| *c.token == *token);
        let at = match found {
            Some(i) => start + i,
            None => {
                self.nodes.insert(start, Child { hash, token: Box::from(token), node: Node::default() });
                start
            }
        };
        &mut self.nodes[at].node
    }
}

/// What a subject matched: whether any plain entry did, and the queues of the queue entries
/// that did.
#[derive(Default, Debug)]
pub(crate) struct MatchResult<'a> {
    pub plain: bool,
    pub queues: Vec<&'a [u8]>,
}

/// A subject trie of permission entries.
#[derive(Default, Debug, Clone)]
pub(crate) struct Sublist {
    root: Level,
    has_queues: bool,
}

impl Sublist {
    /// Inserts an entry (a queue entry when `queue` is given). Entries nats-server's Insert
    /// refuses (empty token, a token after `>`) are skipped, as setPermissions ignores them.
    pub(crate) fn insert(&mut self, subject: &[u8], queue: Option<&[u8]>) {
        let tokens: Vec<&[u8]> = subject.split(|&b| b == b'.').collect();
        let mut sfwc = false;
        for t in &tokens {
            if t.is_empty() || sfwc {
                return;
            }
            if *t == b">" {
                sfwc = true;
            }
        }
        let mut level = &mut self.root;
        let last = tokens.len() - 1;
        for (i, t) in tokens.iter().enumerate() {
            let node: &mut Node = match *t {
                b"*" => level.pwc.get_or_insert_with(Default::default),
                b">" => level.fwc.get_or_insert_with(Default::default),
                _ => level.child_or_insert(t),
            };
            if i == last {
                match queue {
                    Some(q) => {
                        node.queues.push(q.to_vec());
                        self.has_queues = true;
                    }
                    None => node.plain += 1,
                }
                return;
            }
            level = node.next.get_or_insert_with(Default::default);
        }
    }

    /// Whether any entry has a queue.
    pub(crate) fn has_queues(&self) -> bool {
        self.has_queues
    }

    /// Match: every entry matching the subject.
    pub(crate) fn matches(&self, tokens: &Tokens<'_>) -> MatchResult<'_> {
        let mut res = MatchResult::default();
        match_level(Some(&self.root), &tokens.0, &mut res);
        res
    }

    /// Whether any plain entry matches (the publish check; the subscribe check without a
    /// queue entry), stopping at the first.
    pub(crate) fn has_plain_match(&self, tokens: &Tokens<'_>) -> bool {
        plain_match(&self.root, &tokens.0)
    }
}

/// The walk of [`match_level`] for plain entries only, returning at the first match.
fn plain_match(mut level: &Level, toks: &[Token<'_>]) -> bool {
    for (i, t) in toks.iter().enumerate() {
        if level.fwc.as_ref().is_some_and(|f| f.plain > 0) {
            return true;
        }
        let last = i + 1 == toks.len();
        if let Some(p) = &level.pwc {
            if last {
                if p.plain > 0 {
                    return true;
                }
            } else if let Some(next) = p.next.as_deref() {
                if plain_match(next, &toks[i + 1..]) {
                    return true;
                }
            }
        }
        match level.child(t) {
            Some(n) if last => return n.plain > 0,
            Some(n) => match n.next.as_deref() {
                Some(next) => level = next,
                None => return false,
            },
            None => return false,
        }
    }
    false
}

fn add<'a>(n: &'a Node, res: &mut MatchResult<'a>) {
    if n.plain > 0 {
        res.plain = true;
    }
    res.queues.extend(n.queues.iter().map(Vec::as_slice));
}

fn match_level<'a>(mut l: Option<&'a Level>, toks: &[Token<'_>], res: &mut MatchResult<'a>) {
    let mut n: Option<&'a Node> = None;
    let mut pwc: Option<&'a Node> = None;
    for (i, t) in toks.iter().enumerate() {
        let Some(lv) = l else { return };
        if let Some(f) = &lv.fwc {
            add(f, res);
        }
        pwc = lv.pwc.as_deref();
        if let Some(p) = pwc {
            match_level(p.next.as_deref(), &toks[i + 1..], res);
        }
        n = lv.child(t);
        l = n.and_then(|n| n.next.as_deref());
    }
    if let Some(n) = n {
        add(n, res);
    }
    if let Some(p) = pwc {
        add(p, res);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> Sublist {
        let mut sl = Sublist::default();
        for e in entries {
            sl.insert(e.as_bytes(), None);
        }
        sl
    }

    fn plain(sl: &Sublist, subject: &str) -> bool {
        Tokens::split(subject.as_bytes()).is_some_and(|t| sl.has_plain_match(&t))
    }

    fn full(sl: &Sublist, subject: &str) -> bool {
        Tokens::split(subject.as_bytes()).is_some_and(|t| sl.matches(&t).plain)
    }

    #[test]
    fn plain_walk_agrees_with_the_full_match() {
        let sl = list(&["foo.*.bar", "foo.>", "a.b.c", "*.x", ">.y", "q.*", "q.*.*.z", "svc1.*.events.>"]);
        for s in [
            "foo.a.bar", "foo", "foo.a", "a.b.c", "a.b", "a.b.c.d", "z.x", "x", "y", "q.r", "q.r.s", "q.r.s.z",
            "svc1.h.events", "svc1.h.events.created", "svc1.h.events.a.b", "svc2.h.events.x", "*", ">", "foo.>",
            "q.*", "a..b", ".a", "a.",
        ] {
            assert_eq!(plain(&sl, s), full(&sl, s), "{s}");
        }
        assert!(plain(&sl, "svc1.h.events.created") && !plain(&sl, "svc1.h.events"));
        assert!(plain(&sl, "q.*") && !plain(&sl, "a..b"));
    }

    #[test]
    fn split_hashes_as_insert_does() {
        for s in ["a", "abcdefgh", "abcdefghi.x", "a.b.c.d.e.f.g.h.i.j.k", "12345678.12345678.1234567.123456789", "ab./.cd./z", "0123456789abcdef.0123456789abcdefg.y", "svc37.host1.events.created"] {
            let t = Tokens::split(s.as_bytes()).expect("valid");
            let parts: Vec<&str> = s.split('.').collect();
            assert_eq!(t.0.len(), parts.len());
            for (tok, part) in t.0.iter().zip(parts) {
                assert_eq!((tok.bytes, tok.hash), (part.as_bytes(), hash_bytes(0, part.as_bytes())));
            }
        }
        for bad in ["", ".", "a.", ".a", "a..b"] {
            assert!(Tokens::split(bad.as_bytes()).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn colliding_tokens_stay_distinct() {
        // Many siblings: the sorted children find each by hash and then by bytes.
        let entries: Vec<String> = (0..500).map(|i| format!("t{i}.x")).collect();
        let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
        let sl = list(&refs);
        for i in 0..500 {
            assert!(plain(&sl, &format!("t{i}.x")));
            assert!(!plain(&sl, &format!("t{i}.y")));
        }
        assert!(!plain(&sl, "t500.x"));
    }

    #[test]
    fn queue_entries_are_collected() {
        let mut sl = Sublist::default();
        sl.insert(b"foo.*", Some(b"workers"));
        sl.insert(b"foo.bar", None);
        assert!(sl.has_queues());
        let t = Tokens::split(b"foo.bar").expect("valid");
        let r = sl.matches(&t);
        assert!(r.plain);
        assert_eq!(r.queues, vec![b"workers".as_slice()]);
    }
}
