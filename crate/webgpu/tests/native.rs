//! The WebGPU path natively, on whatever adapter wgpu finds (lavapipe on machines without a GPU).
#![cfg(not(target_arch = "wasm32"))]

use genscope_webgpu::GpuContext;

fn context() -> GpuContext {
    pollster::block_on(GpuContext::new()).unwrap_or_else(|e| {
        panic!("no native GPU adapter ({e}); install mesa-vulkan-drivers for lavapipe (cargo xtask test does)")
    })
}

#[test]
fn add_matches_cpu_across_dispatch_sizes() {
    let gpu = context();
    // Sizes around the workgroup size and past one full row of workgroups.
    for n in [1usize, 255, 256, 257, 100_000] {
        let a: Vec<f32> = (0..n).map(|i| i as f32 * 0.5).collect();
        let b: Vec<f32> = (0..n).map(|i| 1.0 - i as f32).collect();
        let out = pollster::block_on(gpu.add(&a, &b)).unwrap();
        let expected: Vec<f32> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
        assert_eq!(out, expected, "n = {n}");
    }
}

#[test]
fn add_rejects_mismatched_lengths() {
    let gpu = context();
    let err = pollster::block_on(gpu.add(&[1.0, 2.0], &[1.0])).unwrap_err();
    assert!(err.to_string().contains("equal lengths"), "{err}");
}

#[test]
fn adapter_is_described() {
    let gpu = context();
    let text = gpu.adapter().to_string();
    assert!(!gpu.adapter().name.is_empty(), "{text}");
    assert!(text.contains(&gpu.adapter().api), "{text}");
}
