//! The WebGPU backend in a real browser (headless Chromium with `--enable-unsafe-webgpu`: SwiftShader without a
//! GPU), against the CPU backend compiled to wasm.
#![cfg(target_arch = "wasm32")]
// A test: a failed unwrap is a failed check with its message.
#![allow(clippy::unwrap_used)]

#[macro_use]
mod common;

use std::rc::Rc;

use genscope_webgpu::{GpuContext, WgpuBackend};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn backend() -> WgpuBackend {
    let gpu = GpuContext::new()
        .await
        .expect("WebGPU adapter (run Chromium with --enable-unsafe-webgpu)");
    assert_eq!(gpu.adapter().api, "WebGPU");
    WgpuBackend::new(Rc::new(gpu))
}

/// One browser test per conformance check.
macro_rules! browser_test {
    ($name:ident, $check:ident) => {
        #[wasm_bindgen_test]
        async fn $name() {
            common::$check(&backend().await).await;
        }
    };
}

conformance_tests!(browser_test);

#[wasm_bindgen_test]
async fn adapter_has_a_name() {
    // The status line shows this name; an empty one would leave the visitor guessing what runs the models.
    let backend = backend().await;
    assert!(
        !backend.context().adapter().name.is_empty(),
        "{:?}",
        backend.context().adapter()
    );
}
