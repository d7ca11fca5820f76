//! genscope-webgpu: the WebGPU side of genscope.
//!
//! It owns getting a device (in the browser through WebGPU, natively through Vulkan, which lavapipe provides on
//! machines without a GPU), describing the adapter for the status line, and the WGSL kernels. The foundation ships
//! one kernel (`add`) that proves the whole path — upload, dispatch, readback — on every target; the engine issue
//! adds the rest behind the core crate's backend trait.

#[cfg(target_arch = "wasm32")]
mod browser;
mod context;
mod dispatch;

pub use context::{AdapterDescription, GpuContext, GpuError};
pub use dispatch::{workgroup_grid, MAX_WORKGROUPS_PER_DIM};
