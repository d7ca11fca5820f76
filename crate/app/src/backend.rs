//! Which compute backend runs the models: WebGPU when the browser offers an adapter, wasm CPU otherwise.

use std::rc::Rc;

use genscope_webgpu::{AdapterDescription, GpuContext, GpuError};

use crate::i18n::{self, fill, Lang};

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

    /// [`BackendStatus::label`] for the status line in `lang` (adapter and backend names stay as they are).
    pub fn label_in(&self, lang: Lang) -> String {
        match self {
            BackendStatus::Detecting => i18n::shell::of(lang).backend_detecting.to_owned(),
            _ => self.label(),
        }
    }

    /// A longer explanation for the tooltip, in `lang`.
    pub fn detail(&self, lang: Lang) -> String {
        let t = i18n::shell::of(lang);
        match self {
            BackendStatus::Detecting => t.backend_detecting_detail.to_owned(),
            BackendStatus::WebGpu(_) => t.backend_webgpu_detail.to_owned(),
            BackendStatus::Cpu { reason } => fill(t.backend_cpu_detail, &[("reason", reason)]),
        }
    }
}

/// Opens a WebGPU device if the browser has one; otherwise says why the CPU path is used.
pub async fn detect() -> Result<Rc<GpuContext>, String> {
    GpuContext::new()
        .await
        .map(Rc::new)
        .map_err(|error| match error {
            GpuError::Unsupported => "this browser has no WebGPU".to_owned(),
            other => other.to_string(),
        })
}

/// What runs the models, from what detection found, what the visitor chose, and whether the device was lost.
pub fn status(
    detection: Option<&Result<Rc<GpuContext>, String>>,
    prefer_cpu: bool,
    lost: Option<&str>,
) -> BackendStatus {
    match (detection, lost) {
        (None, _) => BackendStatus::Detecting,
        (Some(Err(reason)), _) => BackendStatus::Cpu {
            reason: reason.clone(),
        },
        (Some(Ok(_)), Some(why)) => BackendStatus::Cpu {
            reason: format!(
                "the WebGPU device was lost ({why}); reload the page to try WebGPU again"
            ),
        },
        (Some(Ok(_)), None) if prefer_cpu => BackendStatus::Cpu {
            reason: "you chose the CPU on the status line".to_owned(),
        },
        (Some(Ok(gpu)), None) => BackendStatus::WebGpu(gpu.adapter().clone()),
    }
}

/// Installs `window.genscopeLoseDevice()`, a test hook that destroys the WebGPU device as a driver reset would.
pub fn install_device_loss_hook(gpu: Rc<GpuContext>) {
    use wasm_bindgen::closure::Closure;
    let hook = Closure::<dyn Fn()>::new(move || gpu.destroy());
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"genscopeLoseDevice".into(), hook.as_ref());
    }
    // The hook lives as long as the page.
    hook.forget();
}

/// Installs `window.genscopeMemory()`, which resolves to `{wasmBytes, workerWasmBytes, gpuLiveBuffers,
/// gpuResultBuffersCreated}`: the page's and the inference worker's wasm linear memory and the tensor buffers held on
/// the GPU, for the long-use checks (memory must stay flat).
pub fn install_memory_probe() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let probe = Closure::<dyn Fn() -> js_sys::Promise>::new(|| {
        wasm_bindgen_futures::future_to_promise(async {
            let wasm_bytes = wasm_bindgen::memory()
                .dyn_into::<js_sys::WebAssembly::Memory>()
                .map(|m| {
                    m.buffer()
                        .unchecked_into::<js_sys::ArrayBuffer>()
                        .byte_length()
                })
                .unwrap_or(0);
            let worker_bytes = crate::worker::worker_memory_bytes().await;
            let gpu = genscope_webgpu::buffer_counts();
            let out = js_sys::Object::new();
            for (key, value) in [
                ("wasmBytes", f64::from(wasm_bytes)),
                ("workerWasmBytes", worker_bytes),
                ("gpuLiveBuffers", gpu.live as f64),
                ("gpuResultBuffersCreated", gpu.results_created as f64),
            ] {
                let _ = js_sys::Reflect::set(&out, &key.into(), &value.into());
            }
            Ok(out.into())
        })
    });
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"genscopeMemory".into(), probe.as_ref());
    }
    probe.forget();
}
