//! The WebGPU backend natively, on whatever adapter wgpu finds (lavapipe on machines without a GPU), against
//! the CPU backend.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::rc::Rc;

use genscope_webgpu::{GpuContext, WgpuBackend};
use pollster::block_on;

fn backend() -> WgpuBackend {
    let gpu = block_on(GpuContext::new()).unwrap_or_else(|e| {
        panic!("no native GPU adapter ({e}); install mesa-vulkan-drivers for lavapipe (cargo xtask test does)")
    });
    WgpuBackend::new(Rc::new(gpu))
}

#[test]
fn linear_matches_cpu() {
    block_on(common::linear_matches(&backend()));
}

#[test]
fn matmul_matches_cpu() {
    block_on(common::matmul_matches(&backend()));
}

#[test]
fn activations_match_cpu() {
    block_on(common::activations_match(&backend()));
}

#[test]
fn binary_ops_match_cpu() {
    block_on(common::binary_matches(&backend()));
}

#[test]
fn shape_errors_are_reported() {
    block_on(common::shape_errors_are_reported(&backend()));
}

#[test]
fn vae_forward_matches_cpu() {
    block_on(common::vae_matches(&backend()));
}

#[test]
fn convolutions_match_cpu() {
    block_on(common::convolutions_match(&backend()));
}

#[test]
fn gan_forward_matches_cpu() {
    block_on(common::gan_matches(&backend()));
}

#[test]
fn lm_ops_match_cpu() {
    block_on(common::lm_ops_match(&backend()));
}

#[test]
fn lm_forward_matches_cpu() {
    block_on(common::lm_matches(&backend()));
}

#[test]
fn result_buffers_are_pooled() {
    block_on(common::buffers_are_reused(&backend()));
}

#[test]
fn adapter_is_described() {
    let backend = backend();
    let adapter = backend.context().adapter();
    assert!(!adapter.name.is_empty(), "{adapter:?}");
    assert!(adapter.to_string().starts_with(&adapter.api), "{adapter}");
}
