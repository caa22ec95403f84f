//! libFuzzer's entry to the setuser target. The body is `authgate_fuzz::setuser`
//! (src/setuser.rs), shared with the stable smoke test.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| authgate_fuzz::setuser::run(data));
