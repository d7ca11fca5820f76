//! Reading and writing weight files. Every problem becomes an [`Error::Weights`] that names the file's fault;
//! nothing here panics on a bad file.
//!
//! - safetensors with F32, F16 or BF16 tensors (what the trainer writes, what a visitor may open).
//! - llama2.c's `.bin` checkpoints arrive with the LM.

use std::collections::HashMap;

use safetensors::{Dtype, SafeTensors};

use crate::nn::HostWeights;
use crate::{Error, Result};

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

    #[test]
    fn nan_weights_are_refused() {
        let mut w = HostWeights::new();
        w.insert("x", vec![2], vec![1.0, f32::NAN]).unwrap();
        let err = Params::<CpuBackend>::param(&mut w, &CpuBackend, "x", &[2]).unwrap_err();
        assert!(err.to_string().contains("non-finite"), "{err}");
    }
}
