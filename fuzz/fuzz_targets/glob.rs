//! libFuzzer's entry to the glob target. The body is `authgate_fuzz::glob`
//! (src/glob.rs), shared with the stable smoke test.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| authgate_fuzz::glob::run(data));
