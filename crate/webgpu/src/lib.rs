//! genscope-webgpu: the WebGPU side of genscope.
//!
//! It owns getting a device (in the browser through WebGPU, natively through Vulkan, which lavapipe provides on
//! machines without a GPU), describing the adapter for the status line, and [`WgpuBackend`]: genscope-core's
//! backend trait on the WGSL kernels in `src/kernels/`, and drawing its gray image batches straight into a canvas
//! (`present`) so that pictures need no read-back.

mod backend;
#[cfg(target_arch = "wasm32")]
mod browser;
mod context;
mod dispatch;
mod present;
mod scratch;
mod traffic;

pub use backend::{buffer_counts, BufferCounts, GpuTensor, WgpuBackend};
pub use context::{AdapterDescription, GpuContext, GpuError};
pub use dispatch::{workgroup_grid, MAX_WORKGROUPS_PER_DIM};
#[cfg(target_arch = "wasm32")]
pub use present::CanvasTarget;
pub use present::{PixelRange, TileLayout};
pub use traffic::{gpu_traffic, GpuTraffic};
