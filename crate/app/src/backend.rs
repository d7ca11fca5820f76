//! Which compute backend runs the models: WebGPU when the browser offers an adapter, wasm CPU otherwise.

use std::rc::Rc;

use genscope_webgpu::{AdapterDescription, GpuContext, GpuError};

/// The backend as the status line shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum BackendStatus {
    /// Still asking the browser for a WebGPU adapter.
    Detecting,
    /// Models run on this WebGPU adapter.
    WebGpu(AdapterDescription),
    /// Models run on the CPU in wasm, for the given reason (no WebGPU, no adapter, device failed).
    Cpu {
        /// Why WebGPU is not used.
        reason: String,
    },
}

impl BackendStatus {
    /// The short label of the status line, e.g. `WebGPU · google swiftshader (software)` or `wasm CPU`.
    pub fn label(&self) -> String {
        match self {
            BackendStatus::Detecting => "detecting…".to_owned(),
            BackendStatus::WebGpu(adapter) => adapter.to_string(),
            BackendStatus::Cpu { .. } => "wasm CPU".to_owned(),
        }
    }

    /// A longer explanation for the tooltip.
    pub fn detail(&self) -> String {
        match self {
            BackendStatus::Detecting => "Asking the browser for a WebGPU adapter".to_owned(),
            BackendStatus::WebGpu(_) => "Models run on WebGPU compute shaders".to_owned(),
            BackendStatus::Cpu { reason } => {
                format!("Models run on the CPU in WebAssembly: {reason}")
            }
        }
    }
}

/// Opens a WebGPU device if the browser has one; otherwise says why the CPU path is used.
pub async fn detect() -> (BackendStatus, Option<Rc<GpuContext>>) {
    match GpuContext::new().await {
        Ok(gpu) => (
            BackendStatus::WebGpu(gpu.adapter().clone()),
            Some(Rc::new(gpu)),
        ),
        Err(error) => {
            let reason = match error {
                GpuError::Unsupported => "this browser has no WebGPU".to_owned(),
                other => other.to_string(),
            };
            (BackendStatus::Cpu { reason }, None)
        }
    }
}
