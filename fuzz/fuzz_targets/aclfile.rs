//! libFuzzer's entry to the aclfile target. The body is `authgate_fuzz::aclfile`
//! (src/aclfile.rs), shared with the stable smoke test.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| authgate_fuzz::aclfile::run(data));
