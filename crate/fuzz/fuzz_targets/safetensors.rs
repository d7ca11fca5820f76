//! libFuzzer entry point; the body is [`genscope_fuzz::safetensors`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| genscope_fuzz::safetensors(data));
