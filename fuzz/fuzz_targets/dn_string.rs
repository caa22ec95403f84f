//! libFuzzer's entry to the dn_string target. The body is `authgate_fuzz::dn_string`
//! (src/dn_string.rs), shared with the stable smoke test.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| authgate_fuzz::dn_string::run(data));
