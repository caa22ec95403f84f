//! The fuzz targets' bodies, one module per target, each a `run(data)` that returns normally
//! or panics with what it found. Two drivers call them: libFuzzer (`fuzz_targets/*.rs`, nightly,
//! `make fuzz`) and the stable smoke test (`core/tests/fuzz_smoke.rs`, `make test-fuzz-smoke`),
//! which includes this file by path so that it builds with the main workspace's compiled
//! dependencies instead of a nightly tree of its own. Nothing here may use libFuzzer.

pub mod aclfile;
pub mod cert;
pub mod dn_string;
pub mod glob;
pub mod nats_conf;
pub mod redis_conf;
pub mod resp_request;
pub mod setuser;

/// Every target by the name `make fuzz` and the corpus directory use.
pub const TARGETS: [(&str, fn(&[u8])); 8] = [
    ("resp_request", resp_request::run),
    ("setuser", setuser::run),
    ("aclfile", aclfile::run),
    ("redis_conf", redis_conf::run),
    ("glob", glob::run),
    ("nats_conf", nats_conf::run),
    ("dn_string", dn_string::run),
    ("cert", cert::run),
];
