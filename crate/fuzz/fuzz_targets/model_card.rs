//! libFuzzer entry point; the body is [`genscope_fuzz::model_card`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| genscope_fuzz::model_card(data));
