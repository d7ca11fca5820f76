//! The WebGPU path in a real browser (headless Chromium with `--enable-unsafe-webgpu`: SwiftShader without a GPU).
#![cfg(target_arch = "wasm32")]

use genscope_webgpu::GpuContext;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn add_matches_cpu_in_the_browser() {
    let gpu = GpuContext::new()
        .await
        .expect("WebGPU adapter (run Chromium with --enable-unsafe-webgpu)");
    assert_eq!(gpu.adapter().api, "WebGPU");
    let n = 70_000;
    let a: Vec<f32> = (0..n).map(|i| i as f32).collect();
    let b: Vec<f32> = (0..n).map(|i| -2.0 * i as f32 + 0.25).collect();
    let out = gpu.add(&a, &b).await.unwrap();
    let expected: Vec<f32> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
    assert_eq!(out, expected);
}

#[wasm_bindgen_test]
async fn adapter_has_a_name() {
    let gpu = GpuContext::new().await.unwrap();
    // The status line shows this name; an empty one would leave the visitor guessing what runs the models.
    assert!(
        !gpu.adapter().name.is_empty(),
        "adapter has no name: {:?}",
        gpu.adapter()
    );
}
