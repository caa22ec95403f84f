//! libFuzzer's entry to the cert target. The body is `authgate_fuzz::cert`
//! (src/cert.rs), shared with the stable smoke test.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| authgate_fuzz::cert::run(data));
