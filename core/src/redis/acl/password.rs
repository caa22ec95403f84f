//! Password digests: SHA-256 of the exact password bytes, as Redis stores them, compared in
//! constant time.

use sha2::{Digest, Sha256};

/// A stored password: the raw SHA-256 digest. Cleartext is never kept.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct PasswordHash(pub(crate) [u8; 32]);

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
    fn genpass_lengths() {
        assert_eq!(random_hex(256).len(), 64);
        assert_eq!(random_hex(1).len(), 1);
        assert_eq!(random_hex(5).len(), 2);
        assert_eq!(random_hex(4096).len(), 1024);
        assert_ne!(random_hex(128), random_hex(128));
    }
}
