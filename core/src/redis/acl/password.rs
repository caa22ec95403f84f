//! Password digests: SHA-256 of the exact password bytes, as Redis stores them, compared in
//! constant time.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::pattern_set::count_comparison;

/// A stored password: the raw SHA-256 digest. Cleartext is never kept.
#[derive(Clone, Copy, Eq, Hash)]
pub(crate) struct PasswordHash(pub(crate) [u8; 32]);

impl PartialEq for PasswordHash {
    fn eq(&self, other: &PasswordHash) -> bool {
        // Counted in tests, like the pattern sets' comparisons: the list's work bound.
        count_comparison();
        self.0 == other.0
    }
}

/// A user's editable passwords: in the order they were added (ACL LIST and GETUSER print
/// them so), without duplicates. Redis scans its list before each add and remove, so a
/// SETUSER with n passwords costs O(n²); here both are one hash lookup. A removed password
/// leaves an empty slot, so a removal never shifts the rest.
#[derive(Clone, Debug, Default)]
pub(crate) struct PasswordList {
    slots: Vec<Option<PasswordHash>>,
    index: HashMap<PasswordHash, usize>,
}

impl PasswordList {
    /// The list of `hashes` (already distinct: a frozen user's).
    pub(crate) fn from_distinct(hashes: &[PasswordHash]) -> PasswordList {
        let mut list = PasswordList::default();
        for &h in hashes {
            list.add(h);
        }
        list
    }

    /// `>password` / `#hash`: appends `hash` unless it is there already.
    pub(crate) fn add(&mut self, hash: PasswordHash) {
        if let std::collections::hash_map::Entry::Vacant(e) = self.index.entry(hash) {
            e.insert(self.slots.len());
            self.slots.push(Some(hash));
        }
    }

    /// `<password` / `!hash`: false if `hash` is not in the list.
    pub(crate) fn remove(&mut self, hash: &PasswordHash) -> bool {
        match self.index.remove(hash) {
            Some(at) => {
                self.slots[at] = None;
                true
            }
            None => false,
        }
    }

    /// `nopass` / `resetpass` / `reset`.
    pub(crate) fn clear(&mut self) {
        self.slots.clear();
        self.index.clear();
    }

    /// The passwords in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = PasswordHash> + '_ {
        self.slots.iter().flatten().copied()
    }
}

impl PartialEq for PasswordList {
    fn eq(&self, other: &PasswordList) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for PasswordList {}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PasswordHash({})", self.to_hex())
    }
}

impl PasswordHash {
    /// Hashes a cleartext password.
    pub(crate) fn of(password: &[u8]) -> PasswordHash {
        PasswordHash(Sha256::digest(password).into())
    }

    /// Parses a `#<hash>` argument: exactly 64 lowercase hex characters.
    pub(crate) fn from_hex(hex: &[u8]) -> Option<PasswordHash> {
        if hex.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in hex.chunks(2).enumerate() {
            let hi = nibble(pair[0])?;
            let lo = nibble(pair[1])?;
            out[i] = hi << 4 | lo;
        }
        Some(PasswordHash(out))
    }

    /// 64 lowercase hex characters, as ACL GETUSER and ACL LIST print it.
    pub(crate) fn to_hex(self) -> String {
        hex_string(&self.0)
    }

    /// Constant-time equality: the time does not depend on where the digests differ.
    pub(crate) fn ct_eq(&self, other: &PasswordHash) -> bool {
        let mut diff = 0u8;
        for (a, b) in self.0.iter().zip(other.0.iter()) {
            diff |= a ^ b;
        }
        std::hint::black_box(diff) == 0
    }
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex of `bytes`.
pub(crate) fn hex_string(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX_DIGITS[(b >> 4) as usize] as char);
        s.push(HEX_DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Appends the lowercase hex of `bytes` to `out`.
pub(crate) fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    for b in bytes {
        out.push(HEX_DIGITS[(b >> 4) as usize]);
        out.push(HEX_DIGITS[(b & 15) as usize]);
    }
}

/// `ACL GENPASS`: `ceil(bits / 4)` lowercase hex characters from the OS CSPRNG.
pub(crate) fn random_hex(bits: u32) -> String {
    let chars = bits.div_ceil(4) as usize;
    let mut bytes = vec![0u8; chars.div_ceil(2)];
    getrandom::getrandom(&mut bytes).expect("the operating system's random source failed");
    let mut s = hex_string(&bytes);
    s.truncate(chars);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        assert_eq!(
            PasswordHash::of(b"foo").to_hex(),
            "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
        );
        assert_eq!(
            PasswordHash::of(b"passwd4").to_hex(),
            "34344e4d60c2b6d639b7bd22e18f2b0b91bc34bf0ac5f9952744435093cfb4e6"
        );
        let h = PasswordHash::of(b"abc");
        assert_eq!(PasswordHash::from_hex(h.to_hex().as_bytes()), Some(h));
        assert!(PasswordHash::from_hex(h.to_hex().to_uppercase().as_bytes()).is_none());
        assert!(PasswordHash::from_hex(b"abc").is_none());
        assert!(h.ct_eq(&PasswordHash::of(b"abc")));
        assert!(!h.ct_eq(&PasswordHash::of(b"abd")));
    }

    #[test]
    fn password_list_keeps_order_and_drops_duplicates() {
        let (a, b, c) = (PasswordHash::of(b"a"), PasswordHash::of(b"b"), PasswordHash::of(b"c"));
        let mut l = PasswordList::default();
        for h in [a, b, a, c] {
            l.add(h);
        }
        assert!(l.remove(&b));
        assert!(!l.remove(&b), "a removed password is gone");
        l.add(b);
        assert_eq!(l.iter().collect::<Vec<_>>(), vec![a, c, b], "a re-added password goes last");
        assert_eq!(l, PasswordList::from_distinct(&[a, c, b]));
        l.clear();
        assert_eq!(l.iter().count(), 0);
    }

    #[test]
    fn genpass_lengths() {
        assert_eq!(random_hex(256).len(), 64);
        assert_eq!(random_hex(1).len(), 1);
        assert_eq!(random_hex(5).len(), 2);
        assert_eq!(random_hex(4096).len(), 1024);
        assert_ne!(random_hex(128), random_hex(128));
    }
}
