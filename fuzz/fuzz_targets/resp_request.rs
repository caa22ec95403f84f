//! libFuzzer's entry to the resp_request target. The body is `authgate_fuzz::resp_request`
//! (src/resp_request.rs), shared with the stable smoke test.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| authgate_fuzz::resp_request::run(data));
