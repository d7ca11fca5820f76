//! Reading and writing weight files. Every problem becomes an [`Error::Weights`] that names the file's fault;
//! nothing here panics on a bad file.
//!
//! - safetensors with F32, F16 or BF16 tensors (what the trainer writes, what a visitor may open).
//! - llama2.c's `.bin` checkpoints (the legacy version-0 format that `run.c` reads), mapped onto the
//!   [`crate::lm`] tensor names.

use std::collections::HashMap;

use safetensors::{Dtype, SafeTensors};

use crate::lm::LmConfig;
use crate::nn::HostWeights;
use crate::tokenizer::Tokenizer;
use crate::{Error, Result};

/// Bytes of a llama2.c header: seven little-endian i32s.
const LLAMA2C_HEADER: usize = 7 * 4;

/// Reads a llama2.c checkpoint: the configuration from its header and every tensor under the LM's names.
///
/// The header is checked before anything is allocated: a file whose size does not match what its header
/// promises is refused with both sizes in the message.
pub fn read_llama2c(bytes: &[u8]) -> Result<(LmConfig, HostWeights)> {
    let bad = |why: String| Error::Weights(format!("not a valid llama2.c checkpoint: {why}"));
    if bytes.len() < LLAMA2C_HEADER {
        return Err(bad(format!(
            "{} bytes is shorter than the 28-byte header",
            bytes.len()
        )));
    }
    let field = |i: usize| i32::from_le_bytes(bytes[i * 4..i * 4 + 4].try_into().expect("4 bytes"));
    let [dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab, seq_len] =
        std::array::from_fn(field);
    // llama2.c marks a separate classifier matrix with a negative vocabulary size.
    let shared_classifier = vocab > 0;
    let limits = [
        (dim, 16_384),
        (hidden_dim, 65_536),
        (n_layers, 256),
        (n_heads, 1_024),
        (n_kv_heads, 1_024),
        (vocab.saturating_abs(), 1 << 20),
        (seq_len, 1 << 20),
    ];
    if let Some((value, limit)) = limits.iter().find(|(v, limit)| *v <= 0 || v > limit) {
        return Err(bad(format!("header field {value} is outside 1..={limit}")));
    }
    let config = LmConfig {
        dim: dim as usize,
        hidden_dim: hidden_dim as usize,
        n_layers: n_layers as usize,
        n_heads: n_heads as usize,
        n_kv_heads: n_kv_heads as usize,
        vocab_size: vocab.unsigned_abs() as usize,
        // The model runs at most MAX_CONTEXT positions; a longer trained context is clipped at run time.
        seq_len: (seq_len as usize).min(crate::backend::MAX_CONTEXT),
        norm_eps: 1e-5,
    };
    config.validate().map_err(|e| bad(e.to_string()))?;
    let layout = llama2c_layout(&config, seq_len as usize, shared_classifier);
    let floats: usize = layout
        .iter()
        .map(|(_, shape)| shape.iter().product::<usize>())
        .sum();
    let expected = LLAMA2C_HEADER + floats * 4;
    if bytes.len() != expected {
        return Err(bad(format!(
            "the header describes {expected} bytes but the file has {} (truncated, or not this format?)",
            bytes.len()
        )));
    }
    let mut weights = HostWeights::new();
    let mut at = LLAMA2C_HEADER;
    for (name, shape) in layout {
        let n: usize = shape.iter().product();
        let values: Vec<f32> = bytes[at..at + n * 4]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        at += n * 4;
        match name {
            Llama2cTensor::Single(name) => weights.insert(name, shape, values)?,
            Llama2cTensor::PerLayer(suffix) => {
                let per_layer = n / config.n_layers;
                for (layer, chunk) in values.chunks_exact(per_layer).enumerate() {
                    weights.insert(
                        format!("model.layers.{layer}.{suffix}"),
                        shape[1..].to_vec(),
                        chunk.to_vec(),
                    )?;
                }
            }
            Llama2cTensor::Ignored => {}
        }
    }
    if shared_classifier {
        let (shape, data) = weights
            .get("model.embed_tokens.weight")
            .expect("read above");
        let (shape, data) = (shape.to_vec(), data.to_vec());
        weights.insert("lm_head.weight", shape, data)?;
    }
    Ok((config, weights))
}

/// Writes `weights` (under the LM's names) as a llama2.c checkpoint with a separate classifier.
pub fn write_llama2c(config: &LmConfig, weights: &HostWeights) -> Result<Vec<u8>> {
    let header = [
        config.dim,
        config.hidden_dim,
        config.n_layers,
        config.n_heads,
        config.n_kv_heads,
        config.vocab_size,
        config.seq_len,
    ]
    .map(|v| v as i32);
    let header = [
        header[0], header[1], header[2], header[3], header[4], -header[5], header[6],
    ];
    let mut out: Vec<u8> = header.iter().flat_map(|v| v.to_le_bytes()).collect();
    let fetch = |name: &str| {
        weights
            .get(name)
            .map(|(_, d)| d)
            .ok_or_else(|| Error::Weights(format!("missing tensor `{name}`")))
    };
    for (tensor, shape) in llama2c_layout(config, config.seq_len, false) {
        match tensor {
            Llama2cTensor::Single(name) => {
                out.extend(fetch(name)?.iter().flat_map(|v| v.to_le_bytes()))
            }
            Llama2cTensor::PerLayer(suffix) => {
                for layer in 0..config.n_layers {
                    out.extend(
                        fetch(&format!("model.layers.{layer}.{suffix}"))?
                            .iter()
                            .flat_map(|v| v.to_le_bytes()),
                    );
                }
            }
            // run.c reads (and ignores) precomputed RoPE tables here; they are recomputed from positions.
            Llama2cTensor::Ignored => {
                let pairs: usize = shape.iter().product();
                out.extend(std::iter::repeat_n(0u8, pairs * 4));
            }
        }
    }
    Ok(out)
}

enum Llama2cTensor {
    Single(&'static str),
    PerLayer(&'static str),
    Ignored,
}

/// The order and shapes of a llama2.c checkpoint's arrays (per-layer arrays have a leading layer dimension).
fn llama2c_layout(
    c: &LmConfig,
    seq_len: usize,
    shared_classifier: bool,
) -> Vec<(Llama2cTensor, Vec<usize>)> {
    use Llama2cTensor::*;
    let (l, d, h, kv, v) = (c.n_layers, c.dim, c.hidden_dim, c.kv_dim(), c.vocab_size);
    let mut layout = vec![
        (Single("model.embed_tokens.weight"), vec![v, d]),
        (PerLayer("input_layernorm.weight"), vec![l, d]),
        (PerLayer("self_attn.q_proj.weight"), vec![l, d, d]),
        (PerLayer("self_attn.k_proj.weight"), vec![l, kv, d]),
        (PerLayer("self_attn.v_proj.weight"), vec![l, kv, d]),
        (PerLayer("self_attn.o_proj.weight"), vec![l, d, d]),
        (PerLayer("post_attention_layernorm.weight"), vec![l, d]),
        (PerLayer("mlp.gate_proj.weight"), vec![l, h, d]),
        (PerLayer("mlp.down_proj.weight"), vec![l, d, h]),
        (PerLayer("mlp.up_proj.weight"), vec![l, h, d]),
        (Single("model.norm.weight"), vec![d]),
        (Ignored, vec![seq_len, c.head_dim() / 2]),
        (Ignored, vec![seq_len, c.head_dim() / 2]),
    ];
    if !shared_classifier {
        layout.push((Single("lm_head.weight"), vec![v, d]));
    }
    layout
}

/// How [`write_safetensors`] stores values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// 4 bytes a value, exact.
    F32,
    /// 2 bytes a value (half the download; about 3 significant digits, plenty for these models).
    F16,
}

/// Parses a safetensors file into f32 host tensors. Returns the tensors and the file's `__metadata__`.
pub fn read_safetensors(bytes: &[u8]) -> Result<(HostWeights, HashMap<String, String>)> {
    let bad = |why: String| Error::Weights(format!("not a valid safetensors file: {why}"));
    let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(|e| bad(e.to_string()))?;
    let file = SafeTensors::deserialize(bytes).map_err(|e| bad(e.to_string()))?;
    let mut weights = HostWeights::new();
    for (name, view) in file.tensors() {
        let data = view.data();
        let values: Vec<f32> = match view.dtype() {
            Dtype::F32 => data
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            Dtype::F16 => data
                .chunks_exact(2)
                .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            Dtype::BF16 => data
                .chunks_exact(2)
                .map(|c| half::bf16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            other => {
                return Err(Error::Weights(format!(
                    "tensor `{name}` has dtype {other:?}; genscope reads F32, F16 and BF16"
                )))
            }
        };
        weights.insert(name, view.shape().to_vec(), values)?;
    }
    Ok((weights, metadata.metadata().clone().unwrap_or_default()))
}

/// Serialises `weights` as safetensors with `metadata` in the header.
pub fn write_safetensors(
    weights: &HostWeights,
    storage: Storage,
    metadata: HashMap<String, String>,
) -> Result<Vec<u8>> {
    let mut encoded: Vec<(String, Vec<usize>, Dtype, Vec<u8>)> = Vec::new();
    for name in weights.names() {
        let (shape, data) = weights.get(name).expect("listed names exist");
        let (dtype, bytes) = match storage {
            Storage::F32 => (
                Dtype::F32,
                data.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ),
            Storage::F16 => (
                Dtype::F16,
                data.iter()
                    .flat_map(|v| half::f16::from_f32(*v).to_le_bytes())
                    .collect(),
            ),
        };
        encoded.push((name.to_owned(), shape.to_vec(), dtype, bytes));
    }
    let views = encoded
        .iter()
        .map(|(name, shape, dtype, bytes)| {
            safetensors::tensor::TensorView::new(*dtype, shape.clone(), bytes)
                .map(|view| (name.clone(), view))
                .map_err(|e| Error::Weights(format!("tensor `{name}`: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    safetensors::serialize(views, Some(metadata)).map_err(|e| Error::Weights(e.to_string()))
}

#[cfg(all(test, feature = "cpu"))]
mod tests {
    use super::*;
    use crate::cpu::CpuBackend;
    use crate::nn::Params;

    fn sample() -> HostWeights {
        let mut w = HostWeights::new();
        w.insert(
            "layer.weight",
            vec![2, 3],
            vec![0.5, -1.0, 2.0, 0.25, 3.0, -0.125],
        )
        .unwrap();
        w.insert("layer.bias", vec![2], vec![1.0, -1.0]).unwrap();
        w
    }

    #[test]
    fn round_trips_f32_and_f16() {
        for storage in [Storage::F32, Storage::F16] {
            let meta = HashMap::from([("kind".to_string(), "vae".to_string())]);
            let bytes = write_safetensors(&sample(), storage, meta.clone()).unwrap();
            let (back, back_meta) = read_safetensors(&bytes).unwrap();
            assert_eq!(back_meta, meta);
            // These values are exact in f16 too.
            assert_eq!(back.get("layer.weight"), sample().get("layer.weight"));
            assert_eq!(back.get("layer.bias"), sample().get("layer.bias"));
        }
    }

    #[test]
    fn reads_bf16() {
        let bytes: Vec<u8> = [1.5f32, -2.0]
            .iter()
            .flat_map(|v| half::bf16::from_f32(*v).to_le_bytes())
            .collect();
        let view = safetensors::tensor::TensorView::new(Dtype::BF16, vec![2], &bytes).unwrap();
        let file = safetensors::serialize([("x", view)], None).unwrap();
        let (w, _) = read_safetensors(&file).unwrap();
        assert_eq!(w.get("x"), Some((&[2usize][..], &[1.5f32, -2.0][..])));
    }

    #[test]
    fn truncated_file_is_reported() {
        let bytes = write_safetensors(&sample(), Storage::F32, HashMap::new()).unwrap();
        for cut in [0, 4, 8, 20, bytes.len() - 1] {
            let err = read_safetensors(&bytes[..cut]).unwrap_err();
            assert!(
                err.to_string().contains("not a valid safetensors file"),
                "cut {cut}: {err}"
            );
        }
    }

    #[test]
    fn huge_header_length_is_reported_without_allocating() {
        let mut bytes = u64::MAX.to_le_bytes().to_vec();
        bytes.extend_from_slice(b"{}");
        let err = read_safetensors(&bytes).unwrap_err();
        assert!(
            err.to_string().contains("not a valid safetensors file"),
            "{err}"
        );
    }

    #[test]
    fn html_instead_of_weights_is_reported() {
        let err = read_safetensors(b"<!doctype html><title>404 Not Found</title>").unwrap_err();
        assert!(
            err.to_string().contains("not a valid safetensors file"),
            "{err}"
        );
    }

    #[test]
    fn wrong_dtype_names_the_tensor() {
        let data = [0u8; 8];
        let view = safetensors::tensor::TensorView::new(Dtype::I64, vec![1], &data).unwrap();
        let file = safetensors::serialize([("steps", view)], None).unwrap();
        let err = read_safetensors(&file).unwrap_err().to_string();
        assert!(err.contains("`steps`") && err.contains("I64"), "{err}");
    }

    #[test]
    fn wrong_shape_missing_and_unexpected_tensors_are_named() {
        let mut w = sample();
        let err =
            Params::<CpuBackend>::param(&mut w, &CpuBackend, "layer.weight", &[3, 2]).unwrap_err();
        assert!(
            err.to_string().contains("`layer.weight` has shape [2, 3]"),
            "{err}"
        );
        let err =
            Params::<CpuBackend>::param(&mut w, &CpuBackend, "other.weight", &[1]).unwrap_err();
        assert!(
            err.to_string().contains("missing tensor `other.weight`"),
            "{err}"
        );
        Params::<CpuBackend>::param(&mut w, &CpuBackend, "layer.weight", &[2, 3]).unwrap();
        let err = w.finish().unwrap_err();
        assert!(err.to_string().contains("layer.bias"), "{err}");
    }

    fn small_lm() -> (LmConfig, HostWeights) {
        let config = LmConfig {
            dim: 8,
            hidden_dim: 12,
            n_layers: 2,
            n_heads: 2,
            n_kv_heads: 1,
            vocab_size: 5,
            seq_len: 6,
            norm_eps: 1e-5,
        };
        let mut w = HostWeights::new();
        for (i, (name, shape)) in config.parameter_shapes().into_iter().enumerate() {
            let n: usize = shape.iter().product();
            w.insert(
                name,
                shape,
                (0..n).map(|j| (i * 1000 + j) as f32 * 0.001).collect(),
            )
            .unwrap();
        }
        (config, w)
    }

    #[test]
    fn llama2c_round_trips() {
        let (config, w) = small_lm();
        let bytes = write_llama2c(&config, &w).unwrap();
        let (back_config, back) = read_llama2c(&bytes).unwrap();
        assert_eq!(back_config, config);
        for (name, _) in config.parameter_shapes() {
            assert_eq!(back.get(&name), w.get(&name), "{name}");
        }
        // Every tensor the model needs is there, and nothing else.
        let mut back = back;
        crate::lm::Lm::new(&CpuBackend, back_config, &mut back).unwrap();
        back.finish().unwrap();
    }

    #[test]
    fn llama2c_shared_classifier_reuses_the_embedding() {
        let (config, w) = small_lm();
        let mut bytes = write_llama2c(&config, &w).unwrap();
        // Positive vocabulary size: no classifier matrix at the end.
        bytes[20..24].copy_from_slice(&5i32.to_le_bytes());
        bytes.truncate(bytes.len() - 5 * 8 * 4);
        let (_, back) = read_llama2c(&bytes).unwrap();
        assert_eq!(
            back.get("lm_head.weight"),
            back.get("model.embed_tokens.weight")
        );
    }

    #[test]
    fn llama2c_bad_files_are_reported() {
        let (config, w) = small_lm();
        let bytes = write_llama2c(&config, &w).unwrap();
        let err = read_llama2c(&bytes[..bytes.len() - 3])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("the header describes") && err.contains("truncated"),
            "{err}"
        );
        let err = read_llama2c(&bytes[..10]).unwrap_err().to_string();
        assert!(err.contains("shorter than the 28-byte header"), "{err}");
        let mut huge = bytes.clone();
        huge[0..4].copy_from_slice(&i32::MAX.to_le_bytes());
        let err = read_llama2c(&huge).unwrap_err().to_string();
        assert!(err.contains("outside"), "{err}");
        let mut zero = bytes.clone();
        zero[12..16].copy_from_slice(&0i32.to_le_bytes());
        assert!(read_llama2c(&zero).is_err());
        let err = read_llama2c(b"<!doctype html><title>404 Not Found</title>")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a valid llama2.c checkpoint"), "{err}");
    }

    #[test]
    fn nan_weights_are_refused() {
        let mut w = HostWeights::new();
        w.insert("x", vec![2], vec![1.0, f32::NAN]).unwrap();
        let err = Params::<CpuBackend>::param(&mut w, &CpuBackend, "x", &[2]).unwrap_err();
        assert!(err.to_string().contains("non-finite"), "{err}");
    }
}

/// Reads a visitor's language model: a llama2.c `.bin` checkpoint with its `tokenizer.bin`, or a safetensors LM
/// whose metadata holds `config` (genscope's LM config as JSON) and `vocab` (a JSON list of pieces; a
/// `tokenizer.bin`, when given, takes precedence). Every error names the file and what is wrong with it.
pub fn read_lm_files(
    file_name: &str,
    bytes: &[u8],
    tokenizer_bytes: Option<&[u8]>,
) -> Result<(LmConfig, Tokenizer, HostWeights)> {
    let named = |e: Error| Error::Weights(format!("{file_name}: {e}"));
    let tokenizer_file = |bytes: &[u8], vocab_size: usize| {
        Tokenizer::read_llama2c(bytes, vocab_size)
            .map_err(|e| Error::Weights(format!("the tokenizer file: {e}")))
    };
    // llama2.c files start with a small little-endian `dim`; safetensors with an 8-byte header length.
    if bytes.starts_with(&[0, 0]) || file_name.ends_with(".bin") {
        let (config, weights) = read_llama2c(bytes).map_err(named)?;
        let tokenizer_bytes = tokenizer_bytes.ok_or_else(|| {
            Error::Weights(format!(
                "{file_name} is a llama2.c checkpoint: choose its tokenizer.bin too"
            ))
        })?;
        let tokenizer = tokenizer_file(tokenizer_bytes, config.vocab_size)?;
        return Ok((config, tokenizer, weights));
    }
    let (weights, meta) = read_safetensors(bytes).map_err(named)?;
    let bad = |why: String| Error::Weights(format!("{file_name}: {why}"));
    let config: LmConfig = meta
        .get("config")
        .ok_or_else(|| {
            bad("no `config` in the safetensors metadata, so the architecture is unknown".into())
        })
        .and_then(|c| {
            serde_json::from_str(c).map_err(|e| bad(format!("bad `config` metadata: {e}")))
        })?;
    config.validate().map_err(named)?;
    let tokenizer = match (tokenizer_bytes, meta.get("vocab")) {
        (Some(t), _) => tokenizer_file(t, config.vocab_size)?,
        (None, Some(v)) => {
            let vocab: Vec<String> =
                serde_json::from_str(v).map_err(|e| bad(format!("bad `vocab` metadata: {e}")))?;
            if vocab.len() != config.vocab_size {
                return Err(bad(format!(
                    "the `vocab` metadata lists {} pieces for a vocab_size of {}",
                    vocab.len(),
                    config.vocab_size
                )));
            }
            Tokenizer::characters(vocab).map_err(named)?
        }
        (None, None) => return Err(bad("no `vocab` metadata: choose a tokenizer.bin too".into())),
    };
    Ok((config, tokenizer, weights))
}
