//! Reading and writing weight files. Every problem becomes an [`Error`] that names the file's fault in plain words;
//! nothing here panics on a bad file.
//!
//! - safetensors with F32, F16 or BF16 tensors (what the trainer writes, what a visitor may open).
//! - llama2.c's `.bin` checkpoints (the legacy version-0 format that `run.c` reads), mapped onto the
//!   [`crate::lm`] tensor names.
//!
//! Every size computed from a file's numbers uses `u64` or checked arithmetic and is held to limits that fit a
//! 32-bit `usize`, so a file gets the same verdict in the browser (wasm32) as in the native tests and the fuzzer.
//!
//! **A context longer than [`MAX_CONTEXT`].** A model trained on more positions than genscope's attention runs is
//! *clipped*: its `seq_len` becomes `MAX_CONTEXT` and [`open_lm_files`] returns a note saying so. The weights do not
//! depend on the context length (rotary positions are computed, not stored), so the model runs unchanged on its
//! first `MAX_CONTEXT` positions. The rule is the same for a llama2.c `.bin` and for a safetensors file's `config`
//! metadata ([`clip_context`]), so the same model gets the same verdict in either format.

use std::collections::{HashMap, HashSet};

use safetensors::{Dtype, SafeTensors};

use crate::backend::MAX_CONTEXT;
use crate::lm::LmConfig;
use crate::nn::HostWeights;
use crate::tokenizer::Tokenizer;
use crate::{Error, Result};

/// Bytes of a llama2.c header: seven little-endian i32s.
const LLAMA2C_HEADER: usize = 7 * 4;

/// The names and limits of a llama2.c header's fields, in file order (`vocab_size` as its absolute value: a
/// negative one marks a separate classifier matrix).
const LLAMA2C_FIELDS: [(&str, i32); 7] = [
    ("dim", 16_384),
    ("hidden_dim", 65_536),
    ("n_layers", 256),
    ("n_heads", 1_024),
    ("n_kv_heads", 1_024),
    ("vocab_size", 1 << 20),
    ("seq_len", 1 << 20),
];

/// The largest tensor a safetensors file may hold, in bytes: the safetensors parser counts a tensor's *bits* in a
/// `usize`, which on a 32-bit `usize` (the browser's) overflows past 512 MiB. Held on every target, so a file
/// loads natively exactly when it loads in the browser.
pub const MAX_TENSOR_BYTES: u64 = u32::MAX as u64 / 8;

/// Longest safetensors header the format allows (the safetensors crate's limit).
const MAX_SAFETENSORS_HEADER: u64 = 100_000_000;

/// Clips a configuration's context to [`MAX_CONTEXT`], the longest genscope runs, and says so: `Some(note)` when
/// `seq_len` was longer. Both file formats go through this before [`LmConfig::validate`] (see the module docs).
pub fn clip_context(config: &mut LmConfig) -> Option<String> {
    (config.seq_len > MAX_CONTEXT).then(|| {
        let note = format!(
            "the model was trained on a context of {} positions; genscope runs at most {MAX_CONTEXT}, so the \
             context is clipped to {MAX_CONTEXT}",
            config.seq_len
        );
        config.seq_len = MAX_CONTEXT;
        note
    })
}

/// Reads a llama2.c checkpoint: the configuration from its header and every tensor under the LM's names.
///
/// The header is checked before anything is allocated: each field against its limit (named in the message), the
/// configuration against [`LmConfig::validate`]'s rules, and the file's size against what the header promises
/// (computed in `u64`, both sizes in the message). A `seq_len` over [`MAX_CONTEXT`] is clipped (see the module
/// docs; [`open_lm_files`] also returns the note). Errors are [`Error::Weights`] starting `not a valid llama2.c
/// checkpoint:`; [`open_lm_files`] puts the file's name in front.
pub fn read_llama2c(bytes: &[u8]) -> Result<(LmConfig, HostWeights)> {
    read_llama2c_noted(bytes).map(|(config, weights, _)| (config, weights))
}

/// [`read_llama2c`], with the note [`clip_context`] wrote if the context was clipped.
fn read_llama2c_noted(bytes: &[u8]) -> Result<(LmConfig, HostWeights, Option<String>)> {
    let bad = |why: String| Error::Weights(format!("not a valid llama2.c checkpoint: {why}"));
    let Some(header) = bytes.get(..LLAMA2C_HEADER) else {
        return Err(bad(format!(
            "{} bytes is shorter than the 28-byte header",
            bytes.len()
        )));
    };
    let mut fields = [0i32; 7];
    for (field, raw) in fields.iter_mut().zip(header.chunks_exact(4)) {
        *field = i32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
    }
    // llama2.c marks a separate classifier matrix with a negative vocabulary size.
    let shared_classifier = fields[5] > 0;
    fields[5] = fields[5].saturating_abs();
    for (&value, (name, limit)) in fields.iter().zip(LLAMA2C_FIELDS) {
        if !(1..=limit).contains(&value) {
            return Err(bad(format!(
                "header field {name} = {value} is outside 1..={limit}"
            )));
        }
    }
    // Each field is in 1..=2^20 now, so it is a valid usize on every target.
    let [dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, file_seq_len] =
        fields.map(|v| v as usize);
    let mut config = LmConfig {
        dim,
        hidden_dim,
        n_layers,
        n_heads,
        n_kv_heads,
        vocab_size,
        seq_len: file_seq_len,
        norm_eps: 1e-5,
    };
    let note = clip_context(&mut config);
    config.validate().map_err(|e| bad(e.reason()))?;
    let layout = llama2c_layout(&config, file_seq_len, shared_classifier);
    let expected = llama2c_file_bytes(&layout);
    if expected != Some(bytes.len() as u64) {
        let expected = expected.map_or_else(|| "more than 2^64".to_string(), |n| n.to_string());
        return Err(bad(format!(
            "the header describes {expected} bytes but the file has {} (truncated, or not this format?)",
            bytes.len()
        )));
    }
    let mut weights = HostWeights::new();
    let mut at = LLAMA2C_HEADER;
    for (name, shape) in layout {
        // The whole file is `expected` bytes, so every tensor's size fits in a usize.
        let values = tensor_bytes(&shape)
            .and_then(|n| usize::try_from(n).ok())
            .and_then(|n| bytes.get(at..at.checked_add(n)?))
            .ok_or_else(|| bad("a tensor runs past the end of the file".into()))?;
        at += values.len();
        match name {
            Llama2cTensor::Single(name) => weights.insert(name, shape, f32s(values))?,
            Llama2cTensor::PerLayer(suffix) => {
                let per_layer = values.len() / config.n_layers;
                if per_layer == 0 {
                    return Err(bad(format!("the per-layer tensor {suffix} is empty")));
                }
                for (layer, chunk) in values.chunks_exact(per_layer).enumerate() {
                    weights.insert(
                        format!("model.layers.{layer}.{suffix}"),
                        shape[1..].to_vec(),
                        f32s(chunk),
                    )?;
                }
            }
            Llama2cTensor::Ignored => {}
        }
    }
    if shared_classifier {
        let (shape, data) = weights
            .get("model.embed_tokens.weight")
            .map(|(shape, data)| (shape.to_vec(), data.to_vec()))
            .ok_or_else(|| bad("the token embedding is missing".into()))?;
        weights.insert("lm_head.weight", shape, data)?;
    }
    Ok((config, weights, note))
}

/// Little-endian f32s (a trailing partial value, never present after the size checks, is dropped).
fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Bytes of an f32 tensor of `shape`, in `u64` with checked arithmetic (`None` past `u64::MAX`).
fn tensor_bytes(shape: &[usize]) -> Option<u64> {
    shape
        .iter()
        .try_fold(4u64, |n, &d| n.checked_mul(u64::try_from(d).ok()?))
}

/// The size in bytes of a llama2.c file with `layout`, header included, in `u64` with checked arithmetic: the same
/// number on a 32-bit and a 64-bit `usize` (`None` past `u64::MAX`).
fn llama2c_file_bytes(layout: &[(Llama2cTensor, Vec<usize>)]) -> Option<u64> {
    layout
        .iter()
        .try_fold(LLAMA2C_HEADER as u64, |total, (_, shape)| {
            total.checked_add(tensor_bytes(shape)?)
        })
}

/// The seven header fields of a llama2.c checkpoint of `config` with a separate classifier (the vocabulary size
/// negative, as `run.c` marks it). For a validated config every field is at most 2^20, so none wraps.
pub fn llama2c_header(config: &LmConfig) -> [i32; 7] {
    let field = |v: usize| i32::try_from(v).unwrap_or(i32::MAX);
    [
        field(config.dim),
        field(config.hidden_dim),
        field(config.n_layers),
        field(config.n_heads),
        field(config.n_kv_heads),
        -field(config.vocab_size),
        field(config.seq_len),
    ]
}

/// Writes `weights` (under the LM's names) as a llama2.c checkpoint with a separate classifier.
pub fn write_llama2c(config: &LmConfig, weights: &HostWeights) -> Result<Vec<u8>> {
    config.validate()?;
    let header = llama2c_header(config);
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
/// `seq_len` is the file's own (its RoPE tables have that many rows), not the clipped one.
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
///
/// Before the safetensors parser sees the file, its header is checked here: its length against the file's (in
/// `u64`), its JSON for repeated keys (the format forbids them; a JSON parser would silently keep one), every
/// tensor's byte range against the data present and against [`MAX_TENSOR_BYTES`]. Errors are
/// [`Error::Weights`] starting `not a valid safetensors file:`; callers put the file's name in front.
pub fn read_safetensors(bytes: &[u8]) -> Result<(HostWeights, HashMap<String, String>)> {
    let bad = |why: String| Error::Weights(format!("not a valid safetensors file: {why}"));
    check_safetensors_header(bytes).map_err(bad)?;
    let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(|e| bad(e.to_string()))?;
    let file = SafeTensors::deserialize(bytes).map_err(|e| bad(e.to_string()))?;
    let mut weights = HostWeights::new();
    for (name, view) in file.tensors() {
        let data = view.data();
        let values: Vec<f32> = match view.dtype() {
            Dtype::F32 => f32s(data),
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
                    "tensor `{name}` has dtype {other}; genscope reads F32, F16 and BF16"
                )))
            }
        };
        weights.insert(name, view.shape().to_vec(), values)?;
    }
    Ok((weights, metadata.metadata().clone().unwrap_or_default()))
}

/// The checks [`read_safetensors`] makes before the safetensors parser runs (see there), as the reason why not.
fn check_safetensors_header(bytes: &[u8]) -> std::result::Result<(), String> {
    let Some(&[a, b, c, d, e, f, g, h]) = bytes.get(..8) else {
        return Err(format!(
            "{} bytes is shorter than the 8-byte header length",
            bytes.len()
        ));
    };
    let header_len = u64::from_le_bytes([a, b, c, d, e, f, g, h]);
    let after = bytes.len() as u64 - 8;
    if header_len > MAX_SAFETENSORS_HEADER {
        return Err(format!(
            "the header length {header_len} is over the format's limit of {MAX_SAFETENSORS_HEADER} bytes"
        ));
    }
    if header_len > after {
        return Err(format!(
            "the header length {header_len} is more than the {after} bytes that follow it (truncated?)"
        ));
    }
    // header_len <= after < bytes.len(), so it is a valid index.
    let header = &bytes[8..8 + header_len as usize];
    let text =
        std::str::from_utf8(header).map_err(|_| "the header is not UTF-8 text".to_string())?;
    serde_json::from_str::<UniqueKeys>(text).map_err(|e| format!("header: {e}"))?;
    let entries: HashMap<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| format!("header: {e}"))?;
    let data = after - header_len;
    let mut end_of_tensors = 0u64;
    for (name, entry) in entries.iter().filter(|(name, _)| *name != "__metadata__") {
        let offsets = entry
            .get("data_offsets")
            .and_then(|o| o.as_array())
            .map(|o| o.iter().map(serde_json::Value::as_u64).collect::<Vec<_>>());
        let Some(&[Some(start), Some(end)]) = offsets.as_deref() else {
            return Err(format!(
                "tensor `{name}` has no data_offsets [start, end] of two whole numbers"
            ));
        };
        if end < start {
            return Err(format!(
                "tensor `{name}` ends at byte {end} before it starts at byte {start}"
            ));
        }
        if end - start > MAX_TENSOR_BYTES {
            return Err(format!(
                "tensor `{name}` holds {} bytes; genscope reads tensors of at most {MAX_TENSOR_BYTES} bytes (512 \
                 MiB, what a 32-bit browser can count)",
                end - start
            ));
        }
        end_of_tensors = end_of_tensors.max(end);
    }
    if end_of_tensors != data {
        // In u128: a header may claim any u64 offset.
        let described = 8 + u128::from(header_len) + u128::from(end_of_tensors);
        let len = bytes.len();
        return Err(if end_of_tensors > data {
            format!(
                "the header describes {described} bytes but the file has only {len} (truncated?)"
            )
        } else {
            format!(
                "the header describes {described} bytes but the file has {len}: extra bytes after the last tensor"
            )
        });
    }
    Ok(())
}

/// A JSON value that a repeated key in any object of it refuses to deserialize (serde_json keeps the last of
/// repeated keys without a word; safetensors headers must not have any).
struct UniqueKeys;

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(UniqueKeysVisitor)
    }
}

struct UniqueKeysVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueKeysVisitor {
    type Value = UniqueKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_unit<E>(self) -> std::result::Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<UniqueKeys, A::Error> {
        while seq.next_element::<UniqueKeys>()?.is_some() {}
        Ok(UniqueKeys)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<UniqueKeys, A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the key `{key}` appears twice (the format allows each key once)"
                )));
            }
            map.next_value::<UniqueKeys>()?;
            seen.insert(key);
        }
        Ok(UniqueKeys)
    }
}

/// Serialises `weights` as safetensors with `metadata` in the header.
pub fn write_safetensors(
    weights: &HostWeights,
    storage: Storage,
    metadata: HashMap<String, String>,
) -> Result<Vec<u8>> {
    let mut encoded: Vec<(String, Vec<usize>, Dtype, Vec<u8>)> = Vec::new();
    for name in weights.names() {
        let Some((shape, data)) = weights.get(name) else {
            continue;
        };
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

#[cfg(test)]
#[cfg(feature = "cpu")]
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

    /// A llama2.c header for `fields` (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len).
    fn header(fields: [i32; 7]) -> Vec<u8> {
        fields.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// A header whose every field is within the reader's limits but whose tensors hold 2^32 values in all: on a
    /// 32-bit usize, `product::<usize>()` of its sizes wraps to 0 and the 28-byte file "matches" its header.
    const FOUR_GIGA_VALUES: [i32; 7] = [16_384, 1, 1, 1, 1, 196_601, 1];

    #[test]
    fn a_file_of_2_pow_32_values_is_refused_without_relying_on_a_64_bit_usize() {
        let fields = FOUR_GIGA_VALUES;
        let config = LmConfig {
            dim: 16_384,
            hidden_dim: 1,
            n_layers: 1,
            n_heads: 1,
            n_kv_heads: 1,
            vocab_size: 196_601,
            seq_len: 1,
            norm_eps: 1e-5,
        };
        // The sizes, counted in u64: 2^32 values, 2^34 bytes after the header (0 modulo 2^32).
        let layout = llama2c_layout(&config, 1, true);
        let values: u64 = layout
            .iter()
            .map(|(_, s)| s.iter().map(|&d| d as u64).product::<u64>())
            .sum();
        assert_eq!(values, 1 << 32);
        let bytes = llama2c_file_bytes(&layout).unwrap();
        assert_eq!(bytes, 28 + (1 << 34));
        assert_ne!(bytes as u32 as u64, bytes, "the size does not fit 32 bits");
        // What a 32-bit usize computes: the wrapped sum matches the 28-byte file. Ours does not.
        assert_eq!((bytes as u32) as usize, 28);
        // The configuration's limit refuses it first, in u64, on any usize.
        let err = config.validate().unwrap_err().to_string();
        assert!(err.contains("parameters are more than"), "{err}");
        let err = read_llama2c(&header(fields)).unwrap_err().to_string();
        assert!(
            err.contains("not a valid llama2.c checkpoint") && err.contains("parameters"),
            "{err}"
        );
        // The one whose per-layer query matrix alone holds 2^32 values ("chunk size must be non-zero" on wasm32).
        let err = read_llama2c(&header([16_384, 1, 16, 1, 1, 65_454, 1]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("parameters"), "{err}");
        // Just under the limit passes the configuration's rules; the size check (in u64) then names both sizes.
        let mut small = header([8_192, 16, 1, 64, 64, 8_192, 16]);
        let err = read_llama2c(&small).unwrap_err().to_string();
        assert!(err.contains("the header describes"), "{err}");
        small.truncate(27);
        assert!(read_llama2c(&small).is_err());
    }

    /// A safetensors file with `header` as its JSON header and `data` after it.
    fn raw_safetensors(header: &str, data: &[u8]) -> Vec<u8> {
        let mut out = (header.len() as u64).to_le_bytes().to_vec();
        out.extend(header.as_bytes());
        out.extend(data);
        out
    }

    #[test]
    fn safetensors_with_repeated_keys_or_bad_offsets_are_refused() {
        let x = r#""x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#;
        let ok = raw_safetensors(&format!("{{{x}}}"), &[0; 4]);
        assert!(read_safetensors(&ok).is_ok());
        let twice = raw_safetensors(&format!("{{{x},{x}}}"), &[0; 4]);
        let err = read_safetensors(&twice).unwrap_err().to_string();
        assert!(
            err.contains("not a valid safetensors file")
                && err.contains("the key `x` appears twice"),
            "{err}"
        );
        let meta = raw_safetensors(
            &format!(r#"{{"__metadata__":{{"a":"1","a":"2"}},{x}}}"#),
            &[0; 4],
        );
        let err = read_safetensors(&meta).unwrap_err().to_string();
        assert!(err.contains("the key `a` appears twice"), "{err}");
        let cut = raw_safetensors(&format!("{{{x}}}"), &[0; 3]);
        let err = read_safetensors(&cut).unwrap_err().to_string();
        assert!(err.contains("truncated"), "{err}");
        let long = raw_safetensors(&format!("{{{x}}}"), &[0; 5]);
        let err = read_safetensors(&long).unwrap_err().to_string();
        assert!(err.contains("extra bytes"), "{err}");
        // A tensor whose bits overflow a 32-bit usize is refused on every target, before the parser counts them.
        let big = r#"{"x":{"dtype":"U8","shape":[4294967290],"data_offsets":[0,4294967290]}}"#;
        let err = read_safetensors(&raw_safetensors(big, &[0; 4]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("at most 536870911 bytes"), "{err}");
        let past = r#"{"x":{"dtype":"U8","shape":[1000],"data_offsets":[0,1000]}}"#;
        let err = check_safetensors_header(&raw_safetensors(past, &[0; 4])).unwrap_err();
        assert!(err.contains("the file has only"), "{err}");
        // Checked before the data's length, so the test needs no 512 MiB file.
        let header = r#"{"x":{"dtype":"U8","shape":[536870912],"data_offsets":[0,536870912]}}"#;
        let err = read_safetensors(&raw_safetensors(header, &[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("at most 536870911 bytes"), "{err}");
    }

    /// A llama2.c file and a safetensors file (config and vocabulary in its metadata) of the same model.
    fn both_formats(config: &LmConfig) -> (Vec<u8>, Vec<u8>) {
        let mut bin = header(llama2c_header(config));
        if config.n_heads > 0 && config.dim.is_multiple_of(config.n_heads) {
            let layout = llama2c_layout(config, config.seq_len, false);
            bin.resize(llama2c_file_bytes(&layout).unwrap() as usize, 0);
        }
        let mut w = HostWeights::new();
        w.insert("x", vec![1], vec![0.0]).unwrap();
        let vocab: Vec<String> = (0..config.vocab_size).map(|i| i.to_string()).collect();
        let meta = HashMap::from([
            ("config".into(), serde_json::to_string(config).unwrap()),
            ("vocab".into(), serde_json::to_string(&vocab).unwrap()),
        ]);
        let st = write_safetensors(&w, Storage::F32, meta).unwrap();
        (bin, st)
    }

    #[test]
    fn the_same_model_gets_the_same_verdict_as_llama2c_and_as_safetensors() {
        let tokenizer = Tokenizer::characters((0..5).map(|i| i.to_string()).collect())
            .unwrap()
            .write_llama2c();
        let base = small_lm().0;
        let cases = [
            (base.clone(), None),
            (
                LmConfig {
                    seq_len: 4096,
                    ..base.clone()
                },
                None,
            ),
            (
                LmConfig {
                    n_heads: 3,
                    ..base.clone()
                },
                Some("n_heads = 3 does not divide dim = 8"),
            ),
            (
                LmConfig {
                    n_kv_heads: 3,
                    n_heads: 4,
                    ..base.clone()
                },
                Some("n_kv_heads = 3 does not divide n_heads = 4"),
            ),
            (
                LmConfig {
                    dim: 12,
                    n_heads: 4,
                    n_kv_heads: 4,
                    ..base.clone()
                },
                Some("head_dim = dim / n_heads = 12 / 4 = 3 is odd"),
            ),
        ];
        for (config, expected) in cases {
            let (bin, st) = both_formats(&config);
            let from_bin = open_lm_files("m.bin", &bin, Some(("tok.bin", &tokenizer)));
            let from_st = open_lm_files("m.safetensors", &st, None);
            match (from_bin, from_st, expected) {
                (Ok(a), Ok(b), None) => {
                    assert_eq!(a.config, b.config);
                    assert_eq!(a.config.seq_len, config.seq_len.min(MAX_CONTEXT));
                    assert_eq!(a.notes.len(), usize::from(config.seq_len > MAX_CONTEXT));
                    assert_eq!(
                        a.notes
                            .iter()
                            .map(|n| n.replace("m.bin", "m"))
                            .collect::<Vec<_>>(),
                        b.notes
                            .iter()
                            .map(|n| n.replace("m.safetensors", "m"))
                            .collect::<Vec<_>>()
                    );
                }
                (Err(a), Err(b), Some(expected)) => {
                    let (a, b) = (a.to_string(), b.to_string());
                    assert!(
                        a.starts_with("m.bin: not a valid llama2.c checkpoint: "),
                        "{a}"
                    );
                    assert!(b.starts_with("m.safetensors: "), "{b}");
                    assert!(
                        a.ends_with(b.trim_start_matches("m.safetensors: ")),
                        "{a} / {b}"
                    );
                    assert!(a.contains(expected), "{a}");
                }
                (a, b, expected) => panic!("{config:?}: {a:?} / {b:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn the_tokenizer_file_is_named_as_the_visitor_named_it() {
        let (config, w) = small_lm();
        let bin = write_llama2c(&config, &w).unwrap();
        let mut tokenizer = Tokenizer::characters((0..5).map(|i| i.to_string()).collect())
            .unwrap()
            .write_llama2c();
        assert!(open_lm_files("m.bin", &bin, Some(("my-vocab.bin", &tokenizer))).is_ok());
        tokenizer.extend(0f32.to_le_bytes());
        let err = open_lm_files("m.bin", &bin, Some(("my-vocab.bin", &tokenizer)))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "my-vocab.bin: not a valid llama2.c tokenizer: 4 bytes follow the 5 pieces"
            ),
            "{err}"
        );
        let err = open_lm_files("m.bin", &bin, None).unwrap_err().to_string();
        assert!(err.starts_with("m.bin: a llama2.c checkpoint"), "{err}");
        let err = read_lm_files("m.bin", &bin[..100], None)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("bad weights"), "{err}");
        assert_eq!(err.matches("m.bin").count(), 1, "{err}");
    }

    #[test]
    fn nan_weights_are_refused() {
        let mut w = HostWeights::new();
        w.insert("x", vec![2], vec![1.0, f32::NAN]).unwrap();
        let err = Params::<CpuBackend>::param(&mut w, &CpuBackend, "x", &[2]).unwrap_err();
        assert!(err.to_string().contains("non-finite"), "{err}");
    }
}

/// A visitor's language model as [`open_lm_files`] reads it from their files.
#[derive(Clone, Debug)]
pub struct LmFiles {
    /// The architecture (from the llama2.c header or the safetensors `config` metadata, context clipped).
    pub config: LmConfig,
    /// The vocabulary (from the tokenizer file, or the safetensors `vocab` metadata).
    pub tokenizer: Tokenizer,
    /// Every tensor under the LM's names.
    pub weights: HostWeights,
    /// What the visitor should know although the files loaded (e.g. a clipped context), each naming the file.
    pub notes: Vec<String>,
}

/// Reads a visitor's language model: a llama2.c `.bin` checkpoint with its tokenizer file, or a safetensors LM
/// whose metadata holds `config` (genscope's LM config as JSON) and `vocab` (a JSON list of pieces; a tokenizer
/// file, when given, takes precedence).
///
/// `model_name` and the tokenizer's name are the files' names as the visitor chose them: every error is an
/// [`Error::File`] that starts with the name of the file at fault, once, and says which rule it breaks. A context
/// longer than [`MAX_CONTEXT`] is clipped in both formats, with a note (see the module docs).
pub fn open_lm_files(
    model_name: &str,
    bytes: &[u8],
    tokenizer: Option<(&str, &[u8])>,
) -> Result<LmFiles> {
    let named = |e: Error| e.in_file(model_name);
    let bad = |why: String| Error::File {
        file: model_name.to_owned(),
        why,
    };
    let mut notes = Vec::new();
    // llama2.c files start with a small little-endian `dim`; safetensors with an 8-byte header length.
    if bytes.starts_with(&[0, 0]) || model_name.ends_with(".bin") {
        let (config, weights, note) = read_llama2c_noted(bytes).map_err(named)?;
        notes.extend(note.map(|n| format!("{model_name}: {n}")));
        let (tokenizer_name, tokenizer_bytes) = tokenizer.ok_or_else(|| {
            bad("a llama2.c checkpoint has no vocabulary of its own: choose its tokenizer file (tokenizer.bin) \
                 too"
                .into())
        })?;
        let tokenizer =
            Tokenizer::read_llama2c_named(tokenizer_name, tokenizer_bytes, config.vocab_size)?;
        return Ok(LmFiles {
            config,
            tokenizer,
            weights,
            notes,
        });
    }
    let (weights, meta) = read_safetensors(bytes).map_err(named)?;
    let mut config: LmConfig = meta
        .get("config")
        .ok_or_else(|| {
            bad("no `config` in the safetensors metadata, so the architecture is unknown".into())
        })
        .and_then(|c| {
            serde_json::from_str(c).map_err(|e| bad(format!("bad `config` metadata: {e}")))
        })?;
    notes.extend(clip_context(&mut config).map(|n| format!("{model_name}: {n}")));
    config.validate().map_err(named)?;
    let tokenizer = match (tokenizer, meta.get("vocab")) {
        (Some((name, t)), _) => Tokenizer::read_llama2c_named(name, t, config.vocab_size)?,
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
        (None, None) => {
            return Err(bad(
                "no `vocab` metadata: choose a tokenizer file (tokenizer.bin) too".into(),
            ))
        }
    };
    Ok(LmFiles {
        config,
        tokenizer,
        weights,
        notes,
    })
}

/// [`open_lm_files`] for a caller that does not know the tokenizer file's name (it is called `tokenizer.bin` in
/// messages) and shows no notes. Prefer [`open_lm_files`].
pub fn read_lm_files(
    file_name: &str,
    bytes: &[u8],
    tokenizer_bytes: Option<&[u8]>,
) -> Result<(LmConfig, Tokenizer, HostWeights)> {
    let files = open_lm_files(
        file_name,
        bytes,
        tokenizer_bytes.map(|t| ("tokenizer.bin", t)),
    )?;
    Ok((files.config, files.tokenizer, files.weights))
}
