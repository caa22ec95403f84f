//! Password and token comparison, as nats-server's `comparePasswords`: a stored value is
//! bcrypt only when it matches `^\$2[abxy]\$\d{2}\$`, verified with the client's value cut to
//! 72 bytes (Go's behaviour); anything else is compared in constant time.

use std::sync::OnceLock;

use parking_lot::{Condvar, Mutex};
use subtle::ConstantTimeEq;

/// Whether a stored password or token is a bcrypt hash for nats-server.
pub fn is_bcrypt(stored: &[u8]) -> bool {
    stored.len() >= 7
        && stored[0] == b'$'
        && stored[1] == b'2'
        && matches!(stored[2], b'a' | b'b' | b'x' | b'y')
        && stored[3] == b'$'
        && stored[4].is_ascii_digit()
        && stored[5].is_ascii_digit()
        && stored[6] == b'$'
}

/// comparePasswords(server, client).
pub fn compare(stored: &[u8], client: &[u8]) -> bool {
    if is_bcrypt(stored) {
        let Ok(hash) = std::str::from_utf8(stored) else { return false };
        let _permit = BcryptPermit::acquire();
        return bcrypt::verify(client, hash).unwrap_or(false);
    }
    stored.len() == client.len() && bool::from(stored.ct_eq(client))
}

/// A bcrypt hash of `password` at `cost` (4 to 31), `$2a$` as Go's bcrypt and nats' mkpasswd
/// write it.
pub fn hash(password: &[u8], cost: u32) -> Result<String, String> {
    let parts = bcrypt::hash_with_result(password, cost).map_err(|e| e.to_string())?;
    Ok(parts.format_for_version(bcrypt::Version::TwoA))
}

/// The default cost of `nats server passwd` (and the old mkpasswd).
pub const DEFAULT_COST: u32 = 11;

/// Bounds how many bcrypt verifications run at once (one per core): each costs ~0.1 s of CPU
/// at cost 11, and an unbounded number would starve everything else.
struct BcryptPermit;

struct Gate {
    running: Mutex<usize>,
    freed: Condvar,
    max: usize,
}

fn gate() -> &'static Gate {
    static GATE: OnceLock<Gate> = OnceLock::new();
    GATE.get_or_init(|| Gate {
        running: Mutex::new(0),
        freed: Condvar::new(),
        max: std::thread::available_parallelism().map_or(1, |n| n.get()),
    })
}

impl BcryptPermit {
    fn acquire() -> BcryptPermit {
        let g = gate();
        let mut running = g.running.lock();
        while *running >= g.max {
            g.freed.wait(&mut running);
        }
        *running += 1;
        BcryptPermit
    }
}

impl Drop for BcryptPermit {
    fn drop(&mut self) {
        let g = gate();
        *g.running.lock() -= 1;
        g.freed.notify_one();
    }
}

/// The most bcrypt verifications that run at once.
pub fn bcrypt_concurrency() -> usize {
    gate().max
}
