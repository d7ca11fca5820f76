//! Which compute backend runs the models. With a WebGPU adapter the visitor's choice decides: **automatic** (the
//! default: each model is timed on both backends when it loads and runs on the faster, see
//! [`crate::placement`]), always the CPU, or always WebGPU. Without an adapter, or once the device is lost, the
//! models run on the CPU in wasm.

use std::rc::Rc;

use genscope_webgpu::{AdapterDescription, GpuContext, GpuError};

use crate::i18n::{self, fill, Lang};
use crate::url;

/// What the visitor chose on the status line (or in the link, `backend=auto|cpu|webgpu`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Preference {
    /// Time each model on both backends and keep the faster.
    #[default]
    Auto,
    /// Always the CPU.
    Cpu,
    /// Always WebGPU (when there is an adapter).
    WebGpu,
}

/// Where the choice is kept between visits.
const STORAGE_KEY: &str = "genscope-backend";

impl Preference {
    /// Every choice, in the order the status line lists them.
    pub const ALL: [Preference; 3] = [Preference::Auto, Preference::Cpu, Preference::WebGpu];

    /// The value in links and storage.
    pub fn code(self) -> &'static str {
        match self {
            Preference::Auto => "auto",
            Preference::Cpu => "cpu",
            Preference::WebGpu => "webgpu",
        }
    }

    /// Reads a link's or storage's value; anything else is `None`.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    /// The choice's name on the status line, in `lang`.
    pub fn words(self, lang: Lang) -> &'static str {
        let t = i18n::shell::of(lang);
        match self {
            Preference::Auto => t.choose_auto,
            Preference::Cpu => t.choose_cpu,
            Preference::WebGpu => t.choose_webgpu,
        }
    }

    /// The choice in the link (`backend=`), else the one stored by an earlier visit, else automatic. A choice from
    /// the link is carried by every link the pages write from now on.
    pub fn initial() -> Self {
        let from_link = url::current_query().get("backend").and_then(Self::parse);
        if let Some(choice) = from_link {
            url::set_site_param("backend", choice.code());
            return choice;
        }
        storage()
            .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
            .and_then(|v| Self::parse(&v))
            .unwrap_or_default()
    }

    /// Keeps the visitor's choice: in storage for later visits and in the link.
    pub fn remember(self) {
        if let Some(storage) = storage() {
            let _ = storage.set_item(STORAGE_KEY, self.code());
        }
        url::set_site_param("backend", self.code());
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Why the models run on the CPU.
#[derive(Clone, Debug, PartialEq)]
pub enum CpuReason {
    /// The browser has no WebGPU at all.
    NoWebGpu,
    /// WebGPU is there but gave no adapter or device; the browser's own words.
    NoDevice(String),
    /// The device was lost while the page ran; the browser's own words.
    Lost(String),
    /// The visitor chose the CPU.
    Chosen,
}

impl CpuReason {
    /// The reason in `lang`, with the browser's words (usually English) quoted as they are.
    pub fn words(&self, lang: Lang) -> String {
        let t = i18n::shell::of(lang);
        match self {
            CpuReason::NoWebGpu => t.reason_no_webgpu.to_owned(),
            CpuReason::NoDevice(why) => fill(t.reason_no_device, &[("why", why)]),
            CpuReason::Lost(why) => fill(t.reason_lost, &[("why", why)]),
            CpuReason::Chosen => t.reason_chosen.to_owned(),
        }
    }
}

/// The backend as the status line shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum BackendStatus {
    /// Still asking the browser for a WebGPU adapter.
    Detecting,
    /// An adapter is there and the choice is automatic: each model runs where it was measured faster.
    Auto(AdapterDescription),
    /// Models run on this WebGPU adapter (the visitor's choice).
    WebGpu(AdapterDescription),
    /// Models run on the CPU in wasm, for this reason.
    Cpu(CpuReason),
}

impl BackendStatus {
    /// The short label, e.g. `WebGPU · google swiftshader (software)` or `wasm CPU`; automatic shows the adapter,
    /// as models measured faster there run on it.
    pub fn label(&self) -> String {
        match self {
            BackendStatus::Detecting => "detecting…".to_owned(),
            BackendStatus::Auto(adapter) | BackendStatus::WebGpu(adapter) => adapter.to_string(),
            BackendStatus::Cpu(_) => "wasm CPU".to_owned(),
        }
    }

    /// [`BackendStatus::label`] for the status line in `lang` (adapter and backend names stay as they are).
    pub fn label_in(&self, lang: Lang) -> String {
        let t = i18n::shell::of(lang);
        match self {
            BackendStatus::Detecting => t.backend_detecting.to_owned(),
            BackendStatus::Auto(adapter) => {
                fill(t.backend_auto, &[("adapter", &adapter.to_string())])
            }
            _ => self.label(),
        }
    }

    /// A longer explanation for the tooltip, in `lang`.
    pub fn detail(&self, lang: Lang) -> String {
        let t = i18n::shell::of(lang);
        match self {
            BackendStatus::Detecting => t.backend_detecting_detail.to_owned(),
            BackendStatus::Auto(_) => t.backend_auto_detail.to_owned(),
            BackendStatus::WebGpu(_) => t.backend_webgpu_detail.to_owned(),
            BackendStatus::Cpu(reason) => {
                fill(t.backend_cpu_detail, &[("reason", &reason.words(lang))])
            }
        }
    }

    /// Whether models are timed on both backends as they load.
    pub fn calibrates(&self) -> bool {
        matches!(self, BackendStatus::Auto(_))
    }
}

/// Opens a WebGPU device if the browser has one; otherwise says why the CPU path is used.
pub async fn detect() -> Result<Rc<GpuContext>, CpuReason> {
    GpuContext::new()
        .await
        .map(Rc::new)
        .map_err(|error| match error {
            GpuError::Unsupported => CpuReason::NoWebGpu,
            // Only the browser's own words are kept: the sentence around them is the catalogue's.
            GpuError::NoAdapter(why) | GpuError::Device(why) | GpuError::Readback(why) => {
                CpuReason::NoDevice(why)
            }
        })
}

/// What runs the models, from what detection found, what the visitor chose, and whether the device was lost.
pub fn status(
    detection: Option<&Result<Rc<GpuContext>, CpuReason>>,
    choice: Preference,
    lost: Option<&str>,
) -> BackendStatus {
    match (detection, lost, choice) {
        (None, _, _) => BackendStatus::Detecting,
        (Some(Err(reason)), _, _) => BackendStatus::Cpu(reason.clone()),
        (Some(Ok(_)), Some(why), _) => BackendStatus::Cpu(CpuReason::Lost(why.to_owned())),
        (Some(Ok(_)), None, Preference::Cpu) => BackendStatus::Cpu(CpuReason::Chosen),
        (Some(Ok(gpu)), None, Preference::Auto) => BackendStatus::Auto(gpu.adapter().clone()),
        (Some(Ok(gpu)), None, Preference::WebGpu) => BackendStatus::WebGpu(gpu.adapter().clone()),
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
/// gpuResultBuffersCreated, gpuSubmits, gpuDispatches, gpuBytesRead, gpuBuffersCreated, gpuBindGroupsCreated}`: the
/// page's and the inference worker's wasm linear memory, the tensor buffers held on the GPU, and the GPU traffic so
/// far, for the long-use checks (memory must stay flat) and the per-token costs.
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
            let traffic = genscope_webgpu::gpu_traffic();
            let out = js_sys::Object::new();
            for (key, value) in [
                ("wasmBytes", f64::from(wasm_bytes)),
                ("workerWasmBytes", worker_bytes),
                ("gpuLiveBuffers", gpu.live as f64),
                ("gpuResultBuffersCreated", gpu.results_created as f64),
                ("gpuSubmits", traffic.submits as f64),
                ("gpuDispatches", traffic.dispatches as f64),
                ("gpuBytesRead", traffic.bytes_read as f64),
                ("gpuBuffersCreated", traffic.buffers_created as f64),
                ("gpuBindGroupsCreated", traffic.bind_groups_created as f64),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_reads_back_from_its_code_and_nothing_else_is_a_choice() {
        for p in Preference::ALL {
            assert_eq!(Preference::parse(p.code()), Some(p));
        }
        assert_eq!(Preference::parse("gpu"), None);
        assert_eq!(Preference::parse(""), None);
        assert_eq!(Preference::default(), Preference::Auto);
    }

    #[test]
    fn without_an_adapter_or_after_a_loss_the_choice_does_not_matter() {
        for p in Preference::ALL {
            assert_eq!(status(None, p, None), BackendStatus::Detecting);
            assert_eq!(
                status(Some(&Err(CpuReason::NoWebGpu)), p, None),
                BackendStatus::Cpu(CpuReason::NoWebGpu)
            );
        }
    }

    #[test]
    fn every_reason_is_worded_in_both_languages_with_the_browsers_words_kept() {
        for lang in [Lang::En, Lang::Zh] {
            for reason in [
                CpuReason::NoWebGpu,
                CpuReason::NoDevice("no adapter".into()),
                CpuReason::Lost("destroyed".into()),
                CpuReason::Chosen,
            ] {
                let words = reason.words(lang);
                assert!(!words.is_empty() && !words.contains('{'), "{words}");
                if let CpuReason::NoDevice(why) | CpuReason::Lost(why) = &reason {
                    assert!(words.contains(why.as_str()), "{words}");
                }
            }
        }
    }
}
