//! The WebGPU backend in a real browser (headless Chromium with `--enable-unsafe-webgpu`: SwiftShader without a
//! GPU), against the CPU backend compiled to wasm.
#![cfg(target_arch = "wasm32")]

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

#[wasm_bindgen_test]
async fn linear_matches_cpu() {
    common::linear_matches(&backend().await).await;
}

#[wasm_bindgen_test]
async fn matmul_matches_cpu() {
    common::matmul_matches(&backend().await).await;
}

#[wasm_bindgen_test]
async fn activations_match_cpu() {
    common::activations_match(&backend().await).await;
}

#[wasm_bindgen_test]
async fn binary_ops_match_cpu() {
    common::binary_matches(&backend().await).await;
}

#[wasm_bindgen_test]
async fn shape_errors_are_reported() {
    common::shape_errors_are_reported(&backend().await).await;
}

#[wasm_bindgen_test]
async fn vae_forward_matches_cpu() {
    common::vae_matches(&backend().await).await;
}

#[wasm_bindgen_test]
async fn convolutions_match_cpu() {
    common::convolutions_match(&backend().await).await;
}

#[wasm_bindgen_test]
async fn gan_forward_matches_cpu() {
    common::gan_matches(&backend().await).await;
}

#[wasm_bindgen_test]
async fn lm_ops_match_cpu() {
    common::lm_ops_match(&backend().await).await;
}

#[wasm_bindgen_test]
async fn lm_forward_matches_cpu() {
    common::lm_matches(&backend().await).await;
}

#[wasm_bindgen_test]
async fn result_buffers_are_pooled() {
    common::buffers_are_reused(&backend().await).await;
}

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
