//! libFuzzer entry point; the body is [`genscope_fuzz::tokenizer`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| genscope_fuzz::tokenizer(data));
