//! Where the models run: a page's handle on a model ([`Model`]), built from genscope-core's [`Spec`] and run with
//! its [`Op`]s, on either backend:
//!
//! - **wasm CPU**: in the inference worker ([`crate::worker`]), so a forward pass never holds up dragging, typing or
//!   drawing. The page keeps a handle; inputs and outputs cross as flat `f32` arrays.
//! - **WebGPU**: from the page's thread. The GPU runs the kernels, so this thread only records commands and awaits
//!   one read-back; keeping the device here keeps one device per page, whose loss the page handles.

use std::cell::RefCell;
use std::rc::Rc;

pub use genscope_core::engine::{Built, Op, Output, Spec};
use genscope_core::nn::HostWeights;
use genscope_webgpu::{GpuContext, WgpuBackend};

use crate::worker::Remote;

/// A model a page holds, on the backend it was built for.
pub enum Model {
    /// On the wasm CPU, in the inference worker.
    Cpu(Remote),
    /// On the WebGPU device, recorded from this thread.
    Gpu(Rc<WgpuBackend>, Box<RefCell<Built<WgpuBackend>>>),
}

impl Model {
    /// Builds `spec` from `weights` on the WebGPU device when there is one, else on the CPU in the worker.
    pub async fn load(
        gpu: Option<&Rc<GpuContext>>,
        spec: Spec,
        weights: HostWeights,
    ) -> Result<Self, String> {
        match gpu {
            Some(gpu) => {
                let backend = Rc::new(WgpuBackend::new(Rc::clone(gpu)));
                let built = Built::new(&*backend, &spec, weights).map_err(|e| e.to_string())?;
                Ok(Model::Gpu(backend, Box::new(RefCell::new(built))))
            }
            None => Remote::load(spec, &weights).await.map(Model::Cpu),
        }
    }

    /// Runs `op` on `input` and returns its typed output.
    pub async fn output(&self, op: Op, input: &[f32]) -> Result<Output, String> {
        match self {
            Model::Cpu(remote) => {
                let parts = remote.run(op.clone(), input).await?;
                Output::from_parts(&op, parts).map_err(|e| e.to_string())
            }
            Model::Gpu(backend, built) => {
                let recorded = built
                    .borrow_mut()
                    .record(&**backend, &op, input)
                    .map_err(|e| e.to_string())?;
                recorded.read(&**backend).await.map_err(|e| e.to_string())
            }
        }
    }

    /// Runs `op` on `input` and returns its output's parts as flat arrays, in [`Output::into_parts`]'s order.
    pub async fn run(&self, op: Op, input: &[f32]) -> Result<Vec<Vec<f32>>, String> {
        self.output(op, input).await.map(Output::into_parts)
    }

    /// Runs an `op` with one result array and returns it.
    pub async fn run_one(&self, op: Op, input: &[f32]) -> Result<Vec<f32>, String> {
        let mut parts = self.run(op, input).await?;
        parts
            .pop()
            .ok_or_else(|| "the model returned nothing".to_string())
    }

    /// Whether it runs on the WebGPU device.
    pub fn on_gpu(&self) -> bool {
        matches!(self, Model::Gpu(..))
    }

    /// What it runs on, as the status line names it: `gpu_label` for WebGPU.
    pub fn backend_label(&self, gpu_label: impl FnOnce() -> String) -> String {
        match self {
            Model::Gpu(..) => gpu_label(),
            Model::Cpu(_) => "wasm CPU".to_string(),
        }
    }
}
