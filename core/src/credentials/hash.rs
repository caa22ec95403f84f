//! bcrypt as Milvus stores it (`$2a$`, the raw password, no pepper), behind a gate that bounds
//! how many hashes run at once, so a flood of logins queues instead of taking every CPU.

use parking_lot::{Condvar, Mutex};

use super::error::CredentialError;
use super::rules::BCRYPT_MAX_PASSWORD_BYTES;

/// Hashes `password` with bcrypt at `cost`, formatted `$2a$` as Milvus writes it. More than 72
/// bytes is refused, as Go's bcrypt refuses it, never silently truncated.
pub fn hash_password(password: &[u8], cost: u32) -> Result<String, CredentialError> {
    if password.len() > BCRYPT_MAX_PASSWORD_BYTES {
        return Err(CredentialError::PasswordTooLongForBcrypt);
    }
    let parts = bcrypt::hash_with_result(password, cost).map_err(|e| CredentialError::InvalidOption(e.to_string()))?;
    Ok(parts.format_for_version(bcrypt::Version::TwoA))
}

/// Whether `password` matches the stored bcrypt `hash` (`$2a$`, `$2b$`, `$2y$`, any cost). A
/// password over 72 bytes never matches (Go's bcrypt refuses it) and an unreadable hash
/// matches nothing. bcrypt's own comparison of the digests is constant-time.
pub fn verify_password(password: &[u8], hash: &str) -> bool {
    if password.len() > BCRYPT_MAX_PASSWORD_BYTES {
        return false;
    }
    bcrypt::verify(password, hash).unwrap_or(false)
}

/// A counting gate: at most `limit` holders at once; the rest block until one leaves.
#[derive(Debug)]
pub struct BcryptGate {
    limit: usize,
    busy: Mutex<usize>,
    freed: Condvar,
}

impl BcryptGate {
    /// A gate letting `limit` (at least 1) computations run at once.
    pub fn new(limit: usize) -> BcryptGate {
        BcryptGate { limit: limit.max(1), busy: Mutex::new(0), freed: Condvar::new() }
    }

    /// Runs `work` once a place is free.
    pub fn run<T>(&self, work: impl FnOnce() -> T) -> T {
        {
            let mut busy = self.busy.lock();
            while *busy >= self.limit {
                self.freed.wait(&mut busy);
            }
            *busy += 1;
        }
        // The place is given back even if `work` panics (a binding catches the panic).
        struct Leave<'a>(&'a BcryptGate);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                *self.0.busy.lock() -= 1;
                self.0.freed.notify_one();
            }
        }
        let _leave = Leave(self);
        work()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn hashes_are_2a_and_verify_at_any_cost() {
        let h = hash_password(b"secret1", 4).unwrap();
        assert!(h.starts_with("$2a$04$") && h.len() == 60);
        assert!(verify_password(b"secret1", &h));
        assert!(!verify_password(b"secret2", &h));
        let h5 = hash_password(b"secret1", 5).unwrap();
        assert!(verify_password(b"secret1", &h5));
        let b = h.replacen("$2a$", "$2b$", 1);
        assert!(verify_password(b"secret1", &b));
        assert!(!verify_password(b"secret1", "not a hash"));
    }

    #[test]
    fn seventy_three_bytes_are_refused_not_truncated() {
        let p72 = [b'p'; 72];
        let h = hash_password(&p72, 4).unwrap();
        assert!(verify_password(&p72, &h));
        let mut p73 = p72.to_vec();
        p73.push(b'q');
        assert_eq!(hash_password(&p73, 4).unwrap_err(), CredentialError::PasswordTooLongForBcrypt);
        assert!(!verify_password(&p73, &h), "a truncating bcrypt would accept this");
    }

    #[test]
    fn the_gate_bounds_concurrency() {
        let gate = Arc::new(BcryptGate::new(2));
        let (inside, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (gate, inside, peak) = (gate.clone(), inside.clone(), peak.clone());
                std::thread::spawn(move || {
                    gate.run(|| {
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        let _ = hash_password(b"secret1", 4);
                        inside.fetch_sub(1, Ordering::SeqCst);
                    })
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert!(peak.load(Ordering::SeqCst) <= 2);
        assert!(peak.load(Ordering::SeqCst) >= 1);
    }
}
