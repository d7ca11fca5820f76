//! The engine of the browser bench page (`bench/index.html` in `dist/`, built by `cargo xtask bench`): the shipped
//! models timed on wasm CPU, and our LM timed side by side with candle-transformers' `llama2_c` on the same
//! weights in the same page, so the ratio comes from one run on one machine.
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

/// A CPU tensor's values (what `Backend::read` gives, without an executor: the CPU backend has nothing to await).
fn host(tensor: &Tensor) -> genscope_core::Result<Vec<f32>> {
    tensor
        .flatten_all()
        .and_then(|t| t.to_vec1::<f32>())
        .map_err(|e| genscope_core::Error::Backend(e.to_string()))
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

/// Greedy decoding of `tokens` tokens after `prompt` with our LM on the CPU backend: the ids and the
/// milliseconds the decode took (the prompt's forward pass not included).
pub fn lm_ours(
    config: &LmConfig,
    weights: &HostWeights,
    prompt: &[u32],
    tokens: usize,
    clock: &dyn Fn() -> f64,
) -> genscope_core::Result<(Vec<u32>, f64)> {
    let lm = Lm::new(&CpuBackend, config.clone(), &mut weights.clone())?;
    let mut cache = lm.new_cache(&CpuBackend)?;
    let out = lm.forward(&CpuBackend, prompt, &mut cache, false)?;
    let mut last = argmax(&host(&out.logits)?);
    let mut ids = vec![last];
    let started = clock();
    for _ in 1..tokens {
        let out = lm.forward(&CpuBackend, &[last], &mut cache, false)?;
        last = argmax(&host(&out.logits)?);
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

/// Tokens a second of greedy decoding (`tokens` after a `prompt`-token prompt) with `engine` (`ours` or
/// `candle`), and the decoded ids joined by commas (so the page can check both engines agree).
#[wasm_bindgen]
pub fn lm_decode(
    engine: &str,
    weights: &[u8],
    config_json: &str,
    prompt: usize,
    tokens: usize,
) -> Result<js_sys::Array, JsError> {
    let (config, weights): (LmConfig, _) = load(weights, config_json)?;
    let prompt: Vec<u32> = (0..prompt as u32).map(|i| 1 + i % 40).collect();
    let (ids, ms) = match engine {
        "ours" => lm_ours(&config, &weights, &prompt, tokens, &now_ms).map_err(js)?,
        "candle" => lm_candle(&config, &weights, &prompt, tokens, &now_ms).map_err(js)?,
        other => return Err(js(format!("unknown engine {other}"))),
    };
    let ids: Vec<String> = ids.iter().map(u32::to_string).collect();
    let out = js_sys::Array::new();
    out.push(&((tokens - 1) as f64 * 1000.0 / ms).into());
    out.push(&ids.join(",").into());
    Ok(out)
}

/// Milliseconds of each of `frames` VAE decodes (one z → pixels each, read back), on wasm CPU.
#[wasm_bindgen]
pub fn vae_decode_ms(
    weights: &[u8],
    config_json: &str,
    frames: usize,
) -> Result<Vec<f64>, JsError> {
    let (config, mut weights): (VaeConfig, _) = load(weights, config_json)?;
    let vae = Vae::new(&CpuBackend, config.clone(), &mut weights).map_err(js)?;
    let latents = gaussian_latents(7, frames, config.latent);
    latents
        .chunks(config.latent)
        .map(|z| {
            let started = now_ms();
            let z = CpuBackend.upload(z, &[1, z.len()]).map_err(js)?;
            host(&vae.decode(&CpuBackend, &z).map_err(js)?).map_err(js)?;
            Ok(now_ms() - started)
        })
        .collect()
}

/// Milliseconds of each of `runs` 8×8 GAN grids (64 samples in one batch, read back), on wasm CPU.
#[wasm_bindgen]
pub fn gan_grid_ms(weights: &[u8], config_json: &str, runs: usize) -> Result<Vec<f64>, JsError> {
    let (config, weights): (GanConfig, HostWeights) = load(weights, config_json)?;
    let mut generator_weights = HostWeights::new();
    for name in weights.names().filter(|n| n.starts_with("generator.")) {
        let (shape, data) = weights.get(name).expect("listed");
        generator_weights
            .insert(name, shape.to_vec(), data.to_vec())
            .map_err(js)?;
    }
    let generator =
        Generator::new(&CpuBackend, config.clone(), &mut generator_weights).map_err(js)?;
    (0..runs)
        .map(|run| {
            let started = now_ms();
            let z = gaussian_latents(run as u64, 64, config.latent);
            let z = CpuBackend.upload(&z, &[64, config.latent]).map_err(js)?;
            host(&generator.generate(&CpuBackend, &z).map_err(js)?).map_err(js)?;
            Ok(now_ms() - started)
        })
        .collect()
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
        let (ours, _) = lm_ours(&config, &weights, &prompt, 32, &clock).unwrap();
        let (candle, _) = lm_candle(&config, &weights, &prompt, 32, &clock).unwrap();
        assert_eq!(ours, candle);
    }
}
