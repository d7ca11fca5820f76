//! The engine of the browser bench page (`bench/index.html` in `dist/`, built by `cargo xtask bench`): the shipped
//! models timed on wasm CPU and on WebGPU, and our LM timed side by side with candle-transformers' `llama2_c` on the
//! same weights in the same page, so the ratios come from one run on one machine.
//!
//! The workloads are plain functions over a clock, so the native test below checks that both LMs decode the same
//! tokens (a speed ratio between two engines that disagree would mean nothing).

use std::collections::HashMap;

use candle_core::{DType, Device, Tensor};
use candle_transformers::models::llama2_c;
use genscope_core::backend::Backend;
use genscope_core::cpu::CpuBackend;
use genscope_core::gan::{GanConfig, Generator};
use genscope_core::latent::gaussian_latents;
use genscope_core::lm::{Lm, LmConfig};
use genscope_core::nn::HostWeights;
use genscope_core::vae::{Vae, VaeConfig};
use genscope_core::weights::read_safetensors;
use wasm_bindgen::prelude::*;

/// Milliseconds from the page's high-resolution clock.
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

fn js(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// The index of the largest logit (greedy decoding).
fn argmax(logits: &[f32]) -> u32 {
    logits
        .iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |best, (i, &v)| {
            if v > best.1 {
                (i, v)
            } else {
                best
            }
        })
        .0 as u32
}

/// Greedy decoding of `tokens` tokens after `prompt` with our LM on `backend`: the ids and the milliseconds the
/// decode took (the prompt's forward pass not included). Each token's logits are read back, as the page does.
pub async fn lm_ours<B: Backend>(
    backend: &B,
    config: &LmConfig,
    weights: &HostWeights,
    prompt: &[u32],
    tokens: usize,
    clock: &dyn Fn() -> f64,
) -> genscope_core::Result<(Vec<u32>, f64)> {
    let lm = Lm::new(backend, config.clone(), &mut weights.clone())?;
    let mut cache = lm.new_cache(backend)?;
    let out = lm.forward(backend, prompt, &mut cache, false)?;
    let mut last = argmax(&backend.read(&out.logits).await?);
    let mut ids = vec![last];
    let started = clock();
    for _ in 1..tokens {
        let out = lm.forward(backend, &[last], &mut cache, false)?;
        last = argmax(&backend.read(&out.logits).await?);
        ids.push(last);
    }
    Ok((ids, clock() - started))
}

/// candle-transformers' `llama2_c` model on our LM's weights (the tensor names are the same), its config, and the
/// variables it loaded from (its cache takes the RoPE tables from them).
pub fn reference_model(
    config: &LmConfig,
    weights: &HostWeights,
) -> candle_core::Result<(
    llama2_c::Llama,
    llama2_c::Config,
    candle_nn::VarBuilder<'static>,
)> {
    let tensors: HashMap<String, Tensor> = weights
        .names()
        .map(|n| {
            let (shape, data) = weights.get(n).expect("listed");
            Ok((n.to_owned(), Tensor::from_slice(data, shape, &Device::Cpu)?))
        })
        .collect::<candle_core::Result<_>>()?;
    let vb = candle_nn::VarBuilder::from_tensors(tensors, DType::F32, &Device::Cpu);
    let reference = llama2_c::Config {
        dim: config.dim,
        hidden_dim: config.hidden_dim,
        n_layers: config.n_layers,
        n_heads: config.n_heads,
        n_kv_heads: config.n_kv_heads,
        vocab_size: config.vocab_size,
        seq_len: config.seq_len,
        norm_eps: f64::from(config.norm_eps),
    };
    let model = llama2_c::Llama::load(vb.clone(), reference.clone())?;
    Ok((model, reference, vb))
}

/// The same decoding with candle-transformers' `llama2_c` on the same weights.
pub fn lm_candle(
    config: &LmConfig,
    weights: &HostWeights,
    prompt: &[u32],
    tokens: usize,
    clock: &dyn Fn() -> f64,
) -> candle_core::Result<(Vec<u32>, f64)> {
    let (model, reference, vb) = reference_model(config, weights)?;
    let mut cache = llama2_c::Cache::new(true, &reference, vb.pp("rot"))?;
    let input = Tensor::new(prompt, &Device::Cpu)?.unsqueeze(0)?;
    let logits = model.forward(&input, 0, &mut cache)?;
    let mut last = argmax(&logits.squeeze(0)?.get(prompt.len() - 1)?.to_vec1()?);
    let mut ids = vec![last];
    let started = clock();
    for step in 1..tokens {
        let input = Tensor::new(&[last], &Device::Cpu)?.unsqueeze(0)?;
        let logits = model.forward(&input, prompt.len() + step - 1, &mut cache)?;
        last = argmax(&logits.squeeze(0)?.squeeze(0)?.to_vec1()?);
        ids.push(last);
    }
    Ok((ids, clock() - started))
}

/// Parses a shipped model's safetensors file and its card's `config`.
fn load<C: serde::de::DeserializeOwned>(
    weights: &[u8],
    config_json: &str,
) -> Result<(C, HostWeights), JsError> {
    let config = serde_json::from_str(config_json).map_err(js)?;
    let (weights, _) = read_safetensors(weights).map_err(js)?;
    Ok((config, weights))
}

/// Decodes `frames` seeded latents one at a time (upload, decode, read back), each timed: what a drag costs.
async fn vae_frames<B: Backend>(
    backend: &B,
    config: &VaeConfig,
    mut weights: HostWeights,
    frames: usize,
) -> genscope_core::Result<Vec<f64>> {
    let vae = Vae::new(backend, config.clone(), &mut weights)?;
    let latents = gaussian_latents(7, frames, config.latent);
    let mut times = Vec::with_capacity(frames);
    for z in latents.chunks(config.latent) {
        let started = now_ms();
        let z = backend.upload(z, &[1, z.len()])?;
        backend.read(&vae.decode(backend, &z)?).await?;
        times.push(now_ms() - started);
    }
    Ok(times)
}

/// Generates `runs` seeded 64-sample grids, each timed from upload to read-back.
async fn gan_grids<B: Backend>(
    backend: &B,
    config: &GanConfig,
    weights: &HostWeights,
    runs: usize,
) -> genscope_core::Result<Vec<f64>> {
    let mut generator_weights = HostWeights::new();
    for name in weights.names().filter(|n| n.starts_with("generator.")) {
        let (shape, data) = weights.get(name).expect("listed");
        generator_weights.insert(name, shape.to_vec(), data.to_vec())?;
    }
    let generator = Generator::new(backend, config.clone(), &mut generator_weights)?;
    let mut times = Vec::with_capacity(runs);
    for run in 0..runs {
        let started = now_ms();
        let z = gaussian_latents(run as u64, 64, config.latent);
        let z = backend.upload(&z, &[64, config.latent])?;
        backend.read(&generator.generate(backend, &z)?).await?;
        times.push(now_ms() - started);
    }
    Ok(times)
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    static WEBGPU: std::cell::RefCell<Option<std::rc::Rc<genscope_webgpu::WgpuBackend>>> =
        const { std::cell::RefCell::new(None) };
}

/// The page's WebGPU backend, opened on first use.
#[cfg(target_arch = "wasm32")]
async fn webgpu() -> Result<std::rc::Rc<genscope_webgpu::WgpuBackend>, JsError> {
    if let Some(backend) = WEBGPU.with(|w| w.borrow().clone()) {
        return Ok(backend);
    }
    let gpu = genscope_webgpu::GpuContext::new().await.map_err(js)?;
    let backend = std::rc::Rc::new(genscope_webgpu::WgpuBackend::new(std::rc::Rc::new(gpu)));
    WEBGPU.with(|w| *w.borrow_mut() = Some(std::rc::Rc::clone(&backend)));
    Ok(backend)
}

/// The WebGPU adapter the page's WebGPU figures ran on (opening the device if needed).
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub async fn webgpu_adapter() -> Result<String, JsError> {
    Ok(webgpu().await?.context().adapter().to_string())
}

/// Runs `$work` with `$b` bound to the backend named `$name` (`cpu` or `webgpu`).
macro_rules! on_backend {
    ($name:expr, |$b:ident| $work:expr) => {
        match $name {
            "cpu" => {
                let $b = &CpuBackend;
                $work.await.map_err(js)
            }
            #[cfg(target_arch = "wasm32")]
            "webgpu" => {
                let gpu = webgpu().await?;
                let $b = &*gpu;
                $work.await.map_err(js)
            }
            other => Err(js(format!("unknown backend {other}"))),
        }
    };
}

/// The bench page's VAE figure: per-frame decode times in milliseconds on `backend` (`cpu` or `webgpu`).
#[wasm_bindgen]
pub async fn vae_decode_ms(
    backend: String,
    weights: Vec<u8>,
    config_json: String,
    frames: usize,
) -> Result<Vec<f64>, JsError> {
    let (config, weights): (VaeConfig, _) = load(&weights, &config_json)?;
    on_backend!(backend.as_str(), |b| vae_frames(
        b, &config, weights, frames
    ))
}

/// The bench page's GAN figure: times in milliseconds of `runs` 64-sample grids on `backend`.
#[wasm_bindgen]
pub async fn gan_grid_ms(
    backend: String,
    weights: Vec<u8>,
    config_json: String,
    runs: usize,
) -> Result<Vec<f64>, JsError> {
    let (config, weights): (GanConfig, HostWeights) = load(&weights, &config_json)?;
    on_backend!(backend.as_str(), |b| gan_grids(b, &config, &weights, runs))
}

/// Tokens a second of greedy decoding (`tokens` after a `prompt`-token prompt) with `engine` (`ours` on the CPU,
/// `ours-webgpu`, or candle-transformers' `candle`), and the decoded ids joined by commas (so the page can check the
/// engines agree).
#[wasm_bindgen]
pub async fn lm_decode(
    engine: String,
    weights: Vec<u8>,
    config_json: String,
    prompt: usize,
    tokens: usize,
) -> Result<js_sys::Array, JsError> {
    let (config, weights): (LmConfig, _) = load(&weights, &config_json)?;
    let prompt: Vec<u32> = (0..prompt as u32).map(|i| 1 + i % 40).collect();
    let (ids, ms) = match engine.as_str() {
        "candle" => lm_candle(&config, &weights, &prompt, tokens, &now_ms).map_err(js)?,
        "ours" => on_backend!("cpu", |b| lm_ours(
            b, &config, &weights, &prompt, tokens, &now_ms
        ))?,
        "ours-webgpu" => on_backend!("webgpu", |b| lm_ours(
            b, &config, &weights, &prompt, tokens, &now_ms
        ))?,
        other => return Err(js(format!("unknown engine {other}"))),
    };
    let ids: Vec<String> = ids.iter().map(u32::to_string).collect();
    let out = js_sys::Array::new();
    out.push(&((tokens - 1) as f64 * 1000.0 / ms).into());
    out.push(&ids.join(",").into());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both engines decode the same greedy tokens from the shipped Shakespeare model: the ratio of their speeds
    /// compares equal work.
    #[test]
    fn ours_and_candle_transformers_decode_the_same_tokens() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/models");
        let card: serde_json::Value =
            serde_json::from_slice(&std::fs::read(root.join("lm-shakespeare.json")).unwrap())
                .unwrap();
        let config: LmConfig = serde_json::from_value(card["config"].clone()).unwrap();
        let (weights, _) =
            read_safetensors(&std::fs::read(root.join("lm-shakespeare.safetensors")).unwrap())
                .unwrap();
        let prompt: Vec<u32> = (0..16).map(|i| 1 + i % 40).collect();
        let clock = || 0.0;
        let (ours, _) =
            pollster::block_on(lm_ours(&CpuBackend, &config, &weights, &prompt, 32, &clock))
                .unwrap();
        let (candle, _) = lm_candle(&config, &weights, &prompt, 32, &clock).unwrap();
        assert_eq!(ours, candle);
    }
}
