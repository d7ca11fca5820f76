//! Fetching what the pages run: checked asset downloads, model cards, and models built on the current backend.

use std::rc::Rc;

use genscope_core::backend::Backend;
use genscope_core::cpu::CpuBackend;
use genscope_core::manifest::AssetManifest;
use genscope_core::nn::HostWeights;
use genscope_core::weights::read_safetensors;
use genscope_webgpu::{GpuContext, WgpuBackend};

/// Downloads `path` and checks it against the manifest's size and SHA-256, with a message naming the file.
pub async fn fetch_asset(manifest: &AssetManifest, path: &str) -> Result<Vec<u8>, String> {
    let response = gloo::net::http::Request::get(path)
        .send()
        .await
        .map_err(|e| {
            format!(
                "{path}: request failed: the server could not be reached, and this file has not been saved for \
                 offline use yet (it is saved once a page has used it online) ({e})"
            )
        })?;
    if !response.ok() {
        return Err(format!(
            "{path}: the server answered HTTP {} {}",
            response.status(),
            response.status_text()
        ));
    }
    let bytes = response
        .binary()
        .await
        .map_err(|e| format!("{path}: could not read the body: {e}"))?;
    manifest.verify(path, &bytes).map_err(|e| e.to_string())?;
    Ok(bytes)
}

pub use genscope_core::card::ModelCard;

/// Fetches and parses `assets/models/NAME.json`.
pub async fn fetch_card(manifest: &AssetManifest, name: &str) -> Result<ModelCard, String> {
    let path = format!("assets/models/{name}.json");
    let bytes = fetch_asset(manifest, &path).await?;
    ModelCard::parse(&bytes).map_err(|e| format!("{path}: {e}"))
}

/// Fetches `assets/models/NAME.safetensors` and parses it into checked host weights.
pub async fn fetch_weights(manifest: &AssetManifest, name: &str) -> Result<HostWeights, String> {
    let path = format!("assets/models/{name}.safetensors");
    let bytes = fetch_asset(manifest, &path).await?;
    read_safetensors(&bytes)
        .map(|(weights, _)| weights)
        .map_err(|e| format!("{path}: {e}"))
}

/// A model built on one of the two backends: `C` on the CPU, `G` on WebGPU with its backend.
pub enum OnBackend<C, G> {
    /// candle-core in wasm.
    Cpu(C),
    /// WGSL kernels on the WebGPU device.
    Gpu(Rc<WgpuBackend>, G),
}

/// Runs `$body` with `$backend` bound to the model's backend and `$model` to the model, whichever backend it is.
macro_rules! on_backend {
    ($loaded:expr, |$backend:ident, $model:ident| $body:expr) => {
        match $loaded {
            $crate::models::OnBackend::Cpu($model) => {
                let $backend = &genscope_core::cpu::CpuBackend;
                $body
            }
            $crate::models::OnBackend::Gpu(gpu, $model) => {
                let $backend = &**gpu;
                $body
            }
        }
    };
}
pub(crate) use on_backend;

/// Builds a model from host weights on the WebGPU device when there is one, else on the CPU, and checks that
/// every tensor in the file was used.
pub fn build<C, G>(
    gpu: Option<&Rc<GpuContext>>,
    weights: &HostWeights,
    cpu: impl FnOnce(&CpuBackend, &mut HostWeights) -> genscope_core::Result<C>,
    webgpu: impl FnOnce(&WgpuBackend, &mut HostWeights) -> genscope_core::Result<G>,
) -> Result<OnBackend<C, G>, String> {
    let mut weights = weights.clone();
    let built = match gpu {
        Some(gpu) => {
            let backend = Rc::new(WgpuBackend::new(Rc::clone(gpu)));
            webgpu(&backend, &mut weights).map(|model| OnBackend::Gpu(backend, model))
        }
        None => cpu(&CpuBackend, &mut weights).map(OnBackend::Cpu),
    }
    .map_err(|e| e.to_string())?;
    weights.finish().map_err(|e| e.to_string())?;
    Ok(built)
}

/// Uploads `data` as `shape` and reads back what `f` computes from it.
pub async fn run_on<B: Backend>(
    backend: &B,
    data: &[f32],
    shape: &[usize],
    f: impl FnOnce(&B::Tensor) -> genscope_core::Result<B::Tensor>,
) -> Result<Vec<f32>, String> {
    let input = backend.upload(data, shape).map_err(|e| e.to_string())?;
    let output = f(&input).map_err(|e| e.to_string())?;
    backend.read(&output).await.map_err(|e| e.to_string())
}

/// Milliseconds since the page started, for timing decodes.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Shared data that props compare by identity, not content (a 1,000-image test set must not be compared
/// pixel by pixel on every render).
pub struct Shared<T>(pub Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self(Rc::clone(&self.0))
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
