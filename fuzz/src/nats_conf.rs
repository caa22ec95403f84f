//! nats-server configuration text through the NATS config parser (maps, arrays, variables,
//! includes, every value form), with its default limits on size and nesting. Never panics or
//! overflows its stack; includes name a directory that does not exist, so the target reads no
//! files.

use authgate::nats::conf::{parse_bytes_in, DEFAULT_LIMITS};

/// One input of the target: returns normally or panics with what went wrong.
pub fn run(data: &[u8]) {
    if let Err(e) = parse_bytes_in(data, "fuzz.conf", "/nonexistent/authgate-fuzz", &DEFAULT_LIMITS) {
        assert!(!e.message().is_empty());
    }
}
