//! The WebGPU backend natively, on whatever adapter wgpu finds (lavapipe on machines without a GPU), against
//! the CPU backend.
#![cfg(not(target_arch = "wasm32"))]
// A test: a failed unwrap is a failed check with its message.
#![allow(clippy::unwrap_used)]

#[macro_use]
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

/// One native test per conformance check.
macro_rules! native_test {
    ($name:ident, $check:ident) => {
        #[test]
        fn $name() {
            block_on(common::$check(&backend()));
        }
    };
}

conformance_tests!(native_test);

#[test]
fn adapter_is_described() {
    let backend = backend();
    let adapter = backend.context().adapter();
    assert!(!adapter.name.is_empty(), "{adapter:?}");
    assert!(adapter.to_string().starts_with(&adapter.api), "{adapter}");
}
