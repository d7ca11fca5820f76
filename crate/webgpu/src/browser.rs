//! What only the browser can tell: whether WebGPU exists and what the adapter calls itself.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn navigator_gpu() -> Option<JsValue> {
    get(&get(&js_sys::global(), "navigator")?, "gpu")
}

/// True when `navigator.gpu` exists (in a window or a worker).
pub fn has_webgpu() -> bool {
    navigator_gpu().is_some()
}

/// The adapter's vendor, architecture and description joined, e.g. `google swiftshader`.
pub async fn adapter_name() -> Option<String> {
    let gpu = navigator_gpu()?;
    let request: Function = get(&gpu, "requestAdapter")?.dyn_into().ok()?;
    let promise: Promise = request.call0(&gpu).ok()?.dyn_into().ok()?;
    let adapter = JsFuture::from(promise).await.ok()?;
    let info = get(&adapter, "info")?;
    let parts: Vec<String> = ["vendor", "architecture", "description"]
        .into_iter()
        .filter_map(|key| get(&info, key)?.as_string())
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}
