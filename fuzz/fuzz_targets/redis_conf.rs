//! libFuzzer's entry to the redis_conf target. The body is `authgate_fuzz::redis_conf`
//! (src/redis_conf.rs), shared with the stable smoke test.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| authgate_fuzz::redis_conf::run(data));
