//! libFuzzer entry point; the body is [`genscope_fuzz::idx`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| genscope_fuzz::idx(data));
