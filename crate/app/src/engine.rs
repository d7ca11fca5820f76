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
#[cfg(target_arch = "wasm32")]
use genscope_webgpu::CanvasTarget;
use genscope_webgpu::{GpuContext, WgpuBackend};
pub use genscope_webgpu::{PixelRange, TileLayout};
use web_sys::HtmlCanvasElement;

use crate::worker::Remote;

/// A model a page holds, on the backend it was built for.
pub enum Model {
    /// On the wasm CPU, in the inference worker.
    Cpu(Remote),
    /// On the WebGPU device, recorded from this thread.
    Gpu(Box<GpuModel>),
}

/// A model on the WebGPU device, with the canvases it has drawn into.
pub struct GpuModel {
    backend: Rc<WgpuBackend>,
    built: RefCell<Built<WgpuBackend>>,
    /// One WebGPU context per canvas drawn into, opened on the first picture (canvases exist in the browser only).
    #[cfg(target_arch = "wasm32")]
    canvases: RefCell<Vec<CanvasTarget>>,
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
                Ok(Model::Gpu(Box::new(GpuModel {
                    backend,
                    built: RefCell::new(built),
                    #[cfg(target_arch = "wasm32")]
                    canvases: RefCell::default(),
                })))
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
            Model::Gpu(gpu) => {
                let recorded = gpu
                    .built
                    .borrow_mut()
                    .record(&gpu.backend, &op, input)
                    .map_err(|e| e.to_string())?;
                recorded
                    .read(&*gpu.backend)
                    .await
                    .map_err(|e| e.to_string())
            }
        }
    }

    /// On WebGPU, runs `op` on `input` and draws its images (the first result) into `canvas` as `layout` in the
    /// same submission, reading nothing back; `None` on the CPU, where the caller reads the images and draws them.
    /// The canvas must be one no 2-D context has touched (the pages key theirs by backend).
    pub async fn present(
        &self,
        op: Op,
        input: &[f32],
        canvas: &HtmlCanvasElement,
        layout: TileLayout,
    ) -> Option<Result<(), String>> {
        self.draw(op, input, canvas, layout, false)
            .await
            .map(|r| r.map(|_| ()))
    }

    /// [`Model::present`], then reads the drawn images back too, for a caller that needs them as numbers (the
    /// GAN's classifier and discriminator, which may run on the other backend): the picture does not wait for it.
    pub async fn present_and_read(
        &self,
        op: Op,
        input: &[f32],
        canvas: &HtmlCanvasElement,
        layout: TileLayout,
    ) -> Option<Result<Vec<f32>, String>> {
        self.draw(op, input, canvas, layout, true)
            .await
            .map(|r| r.map(Option::unwrap_or_default))
    }

    /// What [`Model::present`] and [`Model::present_and_read`] share.
    async fn draw(
        &self,
        op: Op,
        input: &[f32],
        canvas: &HtmlCanvasElement,
        layout: TileLayout,
        read: bool,
    ) -> Option<Result<Option<Vec<f32>>, String>> {
        let Model::Gpu(gpu) = self else {
            return None;
        };
        #[cfg(target_arch = "wasm32")]
        return Some(
            gpu.present(op, input, canvas, layout, read)
                .await
                .map_err(|e| e.to_string()),
        );
        // Natively (the app's unit tests) there is no canvas to draw into.
        #[cfg(not(target_arch = "wasm32"))]
        {
            let _ = (gpu, op, input, canvas, layout, read);
            None
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

    /// Which kind of context its pictures are drawn with (`webgpu` or `2d`): pages key their canvases by it, since
    /// a canvas keeps the first context it is given.
    pub fn canvas_kind(&self) -> &'static str {
        if self.on_gpu() {
            "webgpu"
        } else {
            "2d"
        }
    }

    /// Whether it runs on the WebGPU device.
    pub fn on_gpu(&self) -> bool {
        matches!(self, Model::Gpu(_))
    }

    /// What it runs on, as the status line names it: `gpu_label` for WebGPU.
    pub fn backend_label(&self, gpu_label: impl FnOnce() -> String) -> String {
        match self {
            Model::Gpu(_) => gpu_label(),
            Model::Cpu(_) => "wasm CPU".to_string(),
        }
    }
}

#[cfg(target_arch = "wasm32")]
impl GpuModel {
    /// See [`Model::present`]; with `read`, also the images' values.
    async fn present(
        &self,
        op: Op,
        input: &[f32],
        canvas: &HtmlCanvasElement,
        layout: TileLayout,
        read: bool,
    ) -> genscope_core::Result<Option<Vec<f32>>> {
        use genscope_core::backend::prelude::*;
        let recorded = self.built.borrow_mut().record(&self.backend, &op, input)?;
        let images = recorded.into_tensors().into_iter().next().ok_or_else(|| {
            genscope_core::Error::Backend(format!("{} returned nothing to draw", op.name()))
        })?;
        // Canvases the page has since replaced are let go; a new one gets its context.
        self.canvases.borrow_mut().retain(|t| t.is_connected());
        if !self.canvases.borrow().iter().any(|t| t.is_for(canvas)) {
            let target = self.backend.canvas_target(canvas.clone())?;
            self.canvases.borrow_mut().push(target);
        }
        let finished = {
            let canvases = self.canvases.borrow();
            let target = canvases.iter().find(|t| t.is_for(canvas)).ok_or_else(|| {
                genscope_core::Error::Backend("the canvas's context was not kept".into())
            })?;
            self.backend.present(target, &images, layout)?
        };
        // The read goes in a submission after the picture's, so the canvas does not wait for it.
        let values = if read {
            Some(self.backend.read(&images).await?)
        } else {
            None
        };
        finished.await?;
        Ok(values)
    }
}
