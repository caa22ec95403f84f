//! libFuzzer's entry to the nats_conf target. The body is `authgate_fuzz::nats_conf`
//! (src/nats_conf.rs), shared with the stable smoke test.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| authgate_fuzz::nats_conf::run(data));
