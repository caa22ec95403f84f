//! The optional verified-credential cache: after a successful bcrypt check, a keyed MAC of
//! the password (HMAC-SHA256 under a random per-process key) is remembered with the stored hash
//! it matched, for a bounded time. A repeated login with the same password against the same
//! stored hash then costs one HMAC instead of a bcrypt run.
//!
//! Why a keyed MAC: Milvus' proxy caches an unsalted `SHA256(password || name)`, which anyone
//! who reads the process memory can brute-force offline as fast as SHA-256 runs. A MAC under a
//! key that never leaves this process is worthless without the key, the comparison is
//! constant-time, and an entry dies with its TTL, with a password change or delete, and when the
//! stored hash changes underneath (another process sharing the store).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use parking_lot::Mutex;
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

struct Entry {
    mac: [u8; 32],
    stored_hash: String,
    verified_at: Instant,
}

/// Remembers verified (name, password) pairs as keyed MACs; see the module doc.
pub struct VerifiedCache {
    key: [u8; 32],
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<String, Entry>>,
}

impl std::fmt::Debug for VerifiedCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key or the MACs.
        f.debug_struct("VerifiedCache").field("ttl", &self.ttl).field("len", &self.entries.lock().len()).finish()
    }
}

impl VerifiedCache {
    /// A cache whose entries live `ttl` and which holds at most `capacity` users.
    pub fn new(ttl: Duration, capacity: usize) -> VerifiedCache {
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key).expect("the OS random source is available");
        VerifiedCache { key, ttl, capacity: capacity.max(1), entries: Mutex::new(HashMap::new()) }
    }

    fn mac(&self, name: &str, password: &[u8]) -> [u8; 32] {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        // The name's length first, so (name, password) pairs cannot run into each other.
        mac.update(&(name.len() as u64).to_be_bytes());
        mac.update(name.as_bytes());
        mac.update(password);
        mac.finalize().into_bytes().into()
    }

    /// Whether `password` was verified for `name` against exactly `stored_hash` within the TTL.
    pub fn hit(&self, name: &str, password: &[u8], stored_hash: &str) -> bool {
        let mac = self.mac(name, password);
        let mut entries = self.entries.lock();
        let Some(entry) = entries.get(name) else { return false };
        if entry.verified_at.elapsed() >= self.ttl || entry.stored_hash != stored_hash {
            entries.remove(name);
            return false;
        }
        bool::from(entry.mac.ct_eq(&mac))
    }

    /// Remembers that `password` verified for `name` against `stored_hash`.
    pub fn remember(&self, name: &str, password: &[u8], stored_hash: &str) {
        let mac = self.mac(name, password);
        let mut entries = self.entries.lock();
        if entries.len() >= self.capacity && !entries.contains_key(name) {
            let ttl = self.ttl;
            entries.retain(|_, e| e.verified_at.elapsed() < ttl);
            if entries.len() >= self.capacity {
                if let Some(oldest) = entries.iter().min_by_key(|(_, e)| e.verified_at).map(|(k, _)| k.clone()) {
                    entries.remove(&oldest);
                }
            }
        }
        entries.insert(name.to_string(), Entry { mac, stored_hash: stored_hash.to_string(), verified_at: Instant::now() });
    }

    /// Forgets `name` (its password changed or it was deleted).
    pub fn forget(&self, name: &str) {
        self.entries.lock().remove(name);
    }

    /// How many users are remembered.
    pub fn len(&self) -> usize {
        self.entries.lock().len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_only_the_same_password_and_hash_within_the_ttl() {
        let c = VerifiedCache::new(Duration::from_secs(60), 10);
        c.remember("alice", b"secret1", "$2a$04$h1");
        assert!(c.hit("alice", b"secret1", "$2a$04$h1"));
        assert!(!c.hit("alice", b"secret2", "$2a$04$h1"));
        assert!(!c.hit("bob", b"secret1", "$2a$04$h1"));
        // The stored hash changed (another process updated the password): the entry dies.
        assert!(!c.hit("alice", b"secret1", "$2a$04$h2"));
        assert!(!c.hit("alice", b"secret1", "$2a$04$h1"));
        c.remember("alice", b"secret1", "$2a$04$h1");
        c.forget("alice");
        assert!(c.is_empty());
    }

    #[test]
    fn entries_expire() {
        let c = VerifiedCache::new(Duration::ZERO, 10);
        c.remember("alice", b"secret1", "h");
        assert!(!c.hit("alice", b"secret1", "h"));
    }

    #[test]
    fn capacity_is_bounded() {
        let c = VerifiedCache::new(Duration::from_secs(60), 3);
        for i in 0..10 {
            c.remember(&format!("u{i}"), b"pw", "h");
        }
        assert_eq!(c.len(), 3);
        assert!(c.hit("u9", b"pw", "h"));
    }

    #[test]
    fn the_mac_is_keyed_per_process() {
        let (a, b) = (VerifiedCache::new(Duration::from_secs(1), 1), VerifiedCache::new(Duration::from_secs(1), 1));
        assert_ne!(a.mac("alice", b"pw"), b.mac("alice", b"pw"));
        assert_ne!(a.mac("ab", b"c"), a.mac("a", b"bc"));
    }
}
