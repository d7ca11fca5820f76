//! The LM against itself (incremental decoding vs a full recompute) and against candle-transformers' llama2.c
//! model on the same weights.
#![cfg(feature = "cpu")]
// A test: a failed unwrap is a failed check with its message.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use candle_core::{DType, Device, Tensor};
use genscope_core::backend::prelude::*;
use genscope_core::cpu::CpuBackend;
use genscope_core::lm::{Lm, LmConfig};
use genscope_core::nn::HostWeights;
use pollster::block_on;

fn config() -> LmConfig {
    LmConfig {
        dim: 64,
        hidden_dim: 172,
        n_layers: 2,
        n_heads: 4,
        n_kv_heads: 2,
        vocab_size: 50,
        seq_len: 32,
        norm_eps: 1e-5,
    }
}

fn weights(config: &LmConfig) -> HostWeights {
    let mut state = 0x9e3779b97f4a7c15u64;
    let mut w = HostWeights::new();
    for (name, shape) in config.parameter_shapes() {
        let n: usize = shape.iter().product();
        let scale = if shape.len() == 1 {
            0.0
        } else {
            1.0 / (*shape.last().unwrap() as f32).sqrt()
        };
        let values = (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                // Norm weights near 1, matrices around 0.
                let u = (state >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0;
                if shape.len() == 1 {
                    1.0 + 0.1 * u
                } else {
                    scale * u * 1.7
                }
            })
            .collect();
        w.insert(name, shape, values).unwrap();
    }
    w
}

const TOKENS: [u32; 10] = [3, 17, 42, 0, 8, 8, 49, 23, 5, 11];

fn assert_close(what: &str, a: &[f32], b: &[f32]) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= 1e-4 + 1e-4 * y.abs(),
            "{what}: logit {i}: {x} vs {y}"
        );
    }
}

#[test]
fn incremental_decoding_equals_full_recompute() {
    let cpu = CpuBackend;
    let lm = Lm::new(&cpu, config(), &mut weights(&config())).unwrap();

    let mut full_cache = lm.new_cache(&cpu).unwrap();
    let full = block_on(
        cpu.read(
            &lm.forward(&cpu, &TOKENS, &mut full_cache, false)
                .unwrap()
                .logits,
        ),
    )
    .unwrap();

    let mut cache = lm.new_cache(&cpu).unwrap();
    // A prompt of 4, then one token at a time.
    lm.forward(&cpu, &TOKENS[..4], &mut cache, false).unwrap();
    let mut last = Vec::new();
    for &t in &TOKENS[4..] {
        last =
            block_on(cpu.read(&lm.forward(&cpu, &[t], &mut cache, false).unwrap().logits)).unwrap();
    }
    assert_eq!(cache.len(), TOKENS.len());
    assert_close("incremental vs full", &last, &full);

    // Back: truncating the cache and feeding the same token again gives the same logits.
    cache.truncate(TOKENS.len() - 1);
    let again = block_on(
        cpu.read(
            &lm.forward(&cpu, &TOKENS[9..], &mut cache, false)
                .unwrap()
                .logits,
        ),
    )
    .unwrap();
    assert_close("after truncate", &again, &full);
}

#[test]
fn every_row_of_the_cacheless_forward_equals_the_incremental_logits() {
    let cpu = CpuBackend;
    let c = config();
    let lm = Lm::new(&cpu, c.clone(), &mut weights(&c)).unwrap();
    let all = block_on(cpu.read(&lm.forward_all(&cpu, &TOKENS).unwrap())).unwrap();
    assert_eq!(all.len(), TOKENS.len() * c.vocab_size);
    let mut cache = lm.new_cache(&cpu).unwrap();
    for (i, &t) in TOKENS.iter().enumerate() {
        let step =
            block_on(cpu.read(&lm.forward(&cpu, &[t], &mut cache, false).unwrap().logits)).unwrap();
        let row = &all[i * c.vocab_size..(i + 1) * c.vocab_size];
        assert_close(&format!("position {i}"), row, &step);
    }
}

#[test]
fn attention_weights_are_causal_distributions() {
    let cpu = CpuBackend;
    let c = config();
    let lm = Lm::new(&cpu, c.clone(), &mut weights(&c)).unwrap();
    let mut cache = lm.new_cache(&cpu).unwrap();
    let out = lm.forward(&cpu, &TOKENS[..6], &mut cache, true).unwrap();
    assert_eq!(out.attention.len(), c.n_layers);
    for layer in &out.attention {
        assert_eq!(cpu.shape(layer), vec![c.n_heads, 6, 6]);
        let w = block_on(cpu.read(layer)).unwrap();
        for head in 0..c.n_heads {
            for row in 0..6 {
                let r = &w[(head * 6 + row) * 6..][..6];
                assert!((r.iter().sum::<f32>() - 1.0).abs() < 1e-5);
                assert!(
                    r[row + 1..].iter().all(|&p| p == 0.0),
                    "row {row} sees the future: {r:?}"
                );
            }
        }
    }
}

#[test]
fn the_context_window_is_enforced() {
    let cpu = CpuBackend;
    let lm = Lm::new(&cpu, config(), &mut weights(&config())).unwrap();
    let mut cache = lm.new_cache(&cpu).unwrap();
    lm.forward(&cpu, &[1; 30], &mut cache, false).unwrap();
    assert!(lm.forward(&cpu, &[1; 3], &mut cache, false).is_err());
    assert_eq!(cache.len(), 30, "a refused call must not change the cache");
    assert!(
        lm.forward(&cpu, &[50], &mut cache, false).is_err(),
        "token 50 is outside the vocabulary"
    );
}

#[test]
fn logits_equal_candle_transformers_llama2_c() {
    let c = config();
    let w = weights(&c);
    let cpu = CpuBackend;
    let lm = Lm::new(&cpu, c.clone(), &mut w.clone()).unwrap();
    let mut cache = lm.new_cache(&cpu).unwrap();
    let ours =
        block_on(cpu.read(&lm.forward(&cpu, &TOKENS, &mut cache, false).unwrap().logits)).unwrap();

    use candle_transformers::models::llama2_c;
    let tensors: HashMap<String, Tensor> = w
        .names()
        .map(|name| {
            let (shape, data) = w.get(name).unwrap();
            (
                name.to_owned(),
                Tensor::from_slice(data, shape, &Device::Cpu).unwrap(),
            )
        })
        .collect();
    let vb = candle_nn::VarBuilder::from_tensors(tensors, DType::F32, &Device::Cpu);
    let reference_config = llama2_c::Config {
        dim: c.dim,
        hidden_dim: c.hidden_dim,
        n_layers: c.n_layers,
        n_heads: c.n_heads,
        n_kv_heads: c.n_kv_heads,
        vocab_size: c.vocab_size,
        seq_len: c.seq_len,
        norm_eps: f64::from(c.norm_eps),
    };
    let mut reference_cache = llama2_c::Cache::new(true, &reference_config, vb.pp("rot")).unwrap();
    let reference = llama2_c::Llama::load(vb, reference_config).unwrap();
    let input = Tensor::new(&TOKENS, &Device::Cpu)
        .unwrap()
        .unsqueeze(0)
        .unwrap();
    let logits = reference.forward(&input, 0, &mut reference_cache).unwrap();
    let theirs: Vec<f32> = logits
        .squeeze(0)
        .unwrap()
        .get(TOKENS.len() - 1)
        .unwrap()
        .to_vec1()
        .unwrap();
    assert_close("ours vs candle-transformers", &ours, &theirs);
}
