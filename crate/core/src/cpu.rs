//! The CPU backend: candle-core tensors. In the browser it runs as wasm (with SIMD); natively it is also the
//! trainer's backend, because candle records gradients through these very operations.

use candle_core::{DType, Device, Tensor};

use crate::backend::{
    attention_dims, check_upload, conv_dims, linear_dims, matmul_dims, rope_dims, rope_tables,
    Activation, AttentionShape, Binary, Conv, DenseOps, ImageOps, SequenceOps, Tensors,
};
use crate::{Error, Result};

/// candle-core on the CPU.
#[derive(Clone, Debug, Default)]
pub struct CpuBackend;

impl From<candle_core::Error> for Error {
    fn from(e: candle_core::Error) -> Self {
        Error::Backend(e.to_string())
    }
}

/// The values of a contiguous f32 tensor that records no gradient, for the direct loops below. `None` otherwise:
/// the trainer's tensors (which record gradients) and other layouts keep to candle's ops.
fn with_values<R>(t: &Tensor, f: impl FnOnce(&[f32]) -> R) -> Option<R> {
    if t.track_op() || t.dtype() != DType::F32 || !t.is_contiguous() {
        return None;
    }
    let (storage, layout) = t.storage_and_layout();
    let candle_core::Storage::Cpu(candle_core::CpuStorage::F32(data)) = &*storage else {
        return None;
    };
    let start = layout.start_offset();
    Some(f(&data[start..start + t.elem_count()]))
}

/// `x · weightᵀ` for a single row `x` (a decode step), as one dot product per output over contiguous rows of the
/// weight. candle's gemm is built for matrices and pays for packing and dispatch on a single row; this loop reads the
/// weight once, straight through. `None` where it does not apply: several rows, another layout or dtype, or tensors
/// that record gradients (the trainer must go through candle's ops).
fn single_row_product(x: &Tensor, weight: &Tensor) -> Result<Option<Tensor>> {
    let (&[1, inputs], &[outputs, _]) = (x.dims(), weight.dims()) else {
        return Ok(None);
    };
    if x.track_op() {
        return Ok(None);
    }
    let row = x.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?;
    let out = with_values(weight, |matrix| {
        matrix
            .chunks_exact(inputs)
            .map(|w| dot(&row, w))
            .collect::<Vec<f32>>()
    });
    out.map(|out| Ok(Tensor::from_vec(out, (1, outputs), &Device::Cpu)?))
        .transpose()
}

/// RMS norm over rows, in one pass per row (candle's version is five tensor ops, each allocating).
fn rms_norm_direct(x: &Tensor, weight: &Tensor, eps: f32) -> Option<Result<Tensor>> {
    let width = weight.elem_count();
    let out = with_values(x, |x| {
        with_values(weight, |w| {
            let mut out = Vec::with_capacity(x.len());
            for row in x.chunks_exact(width) {
                let mean_square = row.iter().map(|v| v * v).sum::<f32>() / width as f32;
                let scale = (mean_square + eps).sqrt();
                out.extend(row.iter().zip(w).map(|(v, w)| v / scale * w));
            }
            out
        })
    })??;
    Some(Tensor::from_vec(out, x.dims(), &Device::Cpu).map_err(Error::from))
}

/// Rotary embedding of rows of heads, pair by pair (candle's version is ten tensor ops).
fn rope_direct(x: &Tensor, head_dim: usize, start: usize, theta: f32) -> Option<Result<Tensor>> {
    let (rows, width) = rope_dims(x.dims(), head_dim).ok()?;
    let pairs = head_dim / 2;
    let (cos, sin) = rope_tables(rows, start, head_dim, theta);
    let out = with_values(x, |x| {
        let mut out = vec![0f32; x.len()];
        for r in 0..rows {
            for head in 0..width / head_dim {
                let at = r * width + head * head_dim;
                for p in 0..pairs {
                    let (c, s) = (cos[r * pairs + p], sin[r * pairs + p]);
                    let (x0, x1) = (x[at + 2 * p], x[at + 2 * p + 1]);
                    out[at + 2 * p] = x0 * c - x1 * s;
                    out[at + 2 * p + 1] = x0 * s + x1 * c;
                }
            }
        }
        out
    })?;
    Some(Tensor::from_vec(out, (rows, width), &Device::Cpu).map_err(Error::from))
}

/// Causal attention straight over the cache's rows: no per-head copies of the keys and values (candle's version
/// gathers `[heads, t, head_dim]` copies of both every step) and no mask tensor.
fn attention_direct(
    q: &Tensor,
    keys: &Tensor,
    values: &Tensor,
    n: usize,
    a: AttentionShape,
    want_weights: bool,
) -> Option<Result<(Tensor, Option<Tensor>)>> {
    let (h, hd, t) = (a.heads, a.head_dim, a.start + n);
    let rep = h / a.kv_heads;
    let kv_width = a.kv_heads * hd;
    let scale = (hd as f32).sqrt();
    let (out, probabilities) = with_values(q, |q| {
        with_values(keys, |keys| {
            with_values(values, |values| {
                let mut out = vec![0f32; n * h * hd];
                let mut probabilities = vec![0f32; h * n * t];
                for head in 0..h {
                    let kv = (head / rep) * hd;
                    for i in 0..n {
                        let query = &q[i * h * hd + head * hd..][..hd];
                        let visible = a.start + i + 1;
                        let p = &mut probabilities[(head * n + i) * t..][..t];
                        for (j, score) in p.iter_mut().enumerate().take(visible) {
                            *score = dot(query, &keys[j * kv_width + kv..][..hd]) / scale;
                        }
                        let max = p[..visible]
                            .iter()
                            .copied()
                            .fold(f32::NEG_INFINITY, f32::max);
                        let mut sum = 0.0;
                        for score in &mut p[..visible] {
                            *score = (*score - max).exp();
                            sum += *score;
                        }
                        let row = &mut out[i * h * hd + head * hd..][..hd];
                        for (j, score) in p[..visible].iter_mut().enumerate() {
                            *score /= sum;
                            let value = &values[j * kv_width + kv..][..hd];
                            for (o, v) in row.iter_mut().zip(value) {
                                *o += *score * v;
                            }
                        }
                    }
                }
                (out, probabilities)
            })
        })
    })???;
    let build = || -> Result<(Tensor, Option<Tensor>)> {
        let out = Tensor::from_vec(out, (n, h * hd), &Device::Cpu)?;
        let weights = if want_weights {
            Some(Tensor::from_vec(probabilities, (h, n, t), &Device::Cpu)?)
        } else {
            None
        };
        Ok((out, weights))
    };
    Some(build())
}

/// A dot product with eight independent sums, which the compiler turns into SIMD (wasm simd128 in the browser).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut sums = [0f32; 8];
    let (a_chunks, b_chunks) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for i in 0..8 {
            sums[i] += x[i] * y[i];
        }
    }
    sums.iter().sum::<f32>() + tail
}

impl Tensors for CpuBackend {
    type Tensor = Tensor;

    fn name(&self) -> String {
        if cfg!(target_arch = "wasm32") {
            "wasm CPU".into()
        } else {
            "native CPU".into()
        }
    }

    fn upload(&self, data: &[f32], shape: &[usize]) -> Result<Tensor> {
        check_upload(data.len(), shape)?;
        Ok(Tensor::from_slice(data, shape, &Device::Cpu)?)
    }

    fn shape(&self, tensor: &Tensor) -> Vec<usize> {
        tensor.dims().to_vec()
    }

    async fn read(&self, tensor: &Tensor) -> Result<Vec<f32>> {
        Ok(tensor.to_dtype(DType::F32)?.flatten_all()?.to_vec1()?)
    }

    fn reshape(&self, x: &Tensor, shape: &[usize]) -> Result<Tensor> {
        check_upload(x.elem_count(), shape)?;
        Ok(x.reshape(shape)?)
    }

    fn slice_rows(&self, x: &Tensor, start: usize, count: usize) -> Result<Tensor> {
        match x.dims() {
            &[rows, _] if count > 0 && start + count <= rows => Ok(x.narrow(0, start, count)?),
            dims => Err(Error::Shape(format!(
                "slice_rows {start}..{} of {dims:?}",
                start + count
            ))),
        }
    }

    fn write_rows(&self, cache: &Tensor, rows: &Tensor, at: usize) -> Result<Tensor> {
        match (cache.dims(), rows.dims()) {
            (&[capacity, d], &[n, d2]) if d == d2 && at + n <= capacity => {
                // Outside training, write into the cache's own storage instead of copying all of it per token.
                if !cache.track_op() && !rows.track_op() && cache.slice_set(rows, 0, at).is_ok() {
                    return Ok(cache.clone());
                }
                Ok(cache.slice_assign(&[at..at + n, 0..d], rows)?)
            }
            (c, r) => Err(Error::Shape(format!(
                "write_rows: {r:?} into {c:?} at row {at}"
            ))),
        }
    }
}

impl DenseOps for CpuBackend {
    fn linear(&self, x: &Tensor, weight: &Tensor, bias: Option<&Tensor>) -> Result<Tensor> {
        linear_dims(x.dims(), weight.dims(), bias.map(Tensor::dims))?;
        let y = match single_row_product(x, weight)? {
            Some(y) => y,
            // The transposed weight is a strided view: candle's gemm reads it without a copy.
            None => x.matmul(&weight.t()?)?,
        };
        Ok(match bias {
            Some(b) => y.broadcast_add(b)?,
            None => y,
        })
    }

    fn matmul(&self, a: &Tensor, b: &Tensor) -> Result<Tensor> {
        matmul_dims(a.dims(), b.dims())?;
        Ok(a.matmul(b)?)
    }

    fn activate(&self, x: &Tensor, activation: Activation) -> Result<Tensor> {
        Ok(match activation {
            Activation::Relu => x.relu()?,
            Activation::LeakyRelu(slope) => x.maximum(&(x * f64::from(slope))?)?,
            Activation::Gelu => x.gelu()?,
            Activation::Silu => x.silu()?,
            // Written with differentiable primitives so the trainer can backpropagate through it.
            Activation::Sigmoid => (x.neg()?.exp()? + 1.0)?.recip()?,
            Activation::Tanh => x.tanh()?,
            Activation::Exp => x.exp()?,
        })
    }

    fn binary(&self, a: &Tensor, b: &Tensor, op: Binary) -> Result<Tensor> {
        if a.dims() != b.dims() {
            return Err(Error::Shape(format!(
                "{op:?}: {:?} and {:?}",
                a.dims(),
                b.dims()
            )));
        }
        Ok(match op {
            Binary::Add => (a + b)?,
            Binary::Mul => (a * b)?,
        })
    }
}

impl ImageOps for CpuBackend {
    fn conv2d(&self, x: &Tensor, weight: &Tensor, bias: &Tensor, conv: Conv) -> Result<Tensor> {
        let dims = conv_dims(x.dims(), weight.dims(), bias.dims(), conv, false)?;
        let y = x.conv2d(weight, conv.padding, conv.stride, 1, 1)?;
        Ok(y.broadcast_add(&bias.reshape((1, dims.out_channels, 1, 1))?)?)
    }

    fn conv_transpose2d(
        &self,
        x: &Tensor,
        weight: &Tensor,
        bias: &Tensor,
        conv: Conv,
    ) -> Result<Tensor> {
        let dims = conv_dims(x.dims(), weight.dims(), bias.dims(), conv, true)?;
        let y = x.conv_transpose2d(weight, conv.padding, 0, conv.stride, 1)?;
        Ok(y.broadcast_add(&bias.reshape((1, dims.out_channels, 1, 1))?)?)
    }
}

impl SequenceOps for CpuBackend {
    fn embedding(&self, table: &Tensor, ids: &[u32]) -> Result<Tensor> {
        let vocab = table.dims().first().copied().unwrap_or(0);
        if table.rank() != 2 || ids.is_empty() {
            return Err(Error::Shape(format!(
                "embedding: table {:?}, {} ids",
                table.dims(),
                ids.len()
            )));
        }
        if let Some(bad) = ids.iter().find(|&&id| id as usize >= vocab) {
            return Err(Error::Shape(format!(
                "token id {bad} is outside the vocabulary of {vocab}"
            )));
        }
        Ok(table.index_select(&Tensor::new(ids, &Device::Cpu)?, 0)?)
    }

    fn rms_norm(&self, x: &Tensor, weight: &Tensor, eps: f32) -> Result<Tensor> {
        match (x.dims(), weight.dims()) {
            (&[_, d], &[w]) if d == w => {}
            (a, b) => return Err(Error::Shape(format!("rms_norm: x {a:?}, weight {b:?}"))),
        }
        if let Some(direct) = rms_norm_direct(x, weight, eps) {
            return direct;
        }
        let mean_square = x.sqr()?.mean_keepdim(1)?;
        Ok(x.broadcast_div(&(mean_square + f64::from(eps))?.sqrt()?)?
            .broadcast_mul(weight)?)
    }

    fn rope(&self, x: &Tensor, head_dim: usize, start: usize, theta: f32) -> Result<Tensor> {
        let (rows, width) = rope_dims(x.dims(), head_dim)?;
        if let Some(direct) = rope_direct(x, head_dim, start, theta) {
            return direct;
        }
        let pairs = head_dim / 2;
        let (cos, sin) = rope_tables(rows, start, head_dim, theta);
        let cos = Tensor::from_vec(cos, (rows, 1, pairs, 1), &Device::Cpu)?;
        let sin = Tensor::from_vec(sin, (rows, 1, pairs, 1), &Device::Cpu)?;
        let x = x.reshape((rows, width / head_dim, pairs, 2))?;
        let (x0, x1) = (x.narrow(3, 0, 1)?, x.narrow(3, 1, 1)?);
        let r0 = (x0.broadcast_mul(&cos)? - x1.broadcast_mul(&sin)?)?;
        let r1 = (x0.broadcast_mul(&sin)? + x1.broadcast_mul(&cos)?)?;
        Ok(Tensor::cat(&[&r0, &r1], 3)?.reshape((rows, width))?)
    }

    fn attention(
        &self,
        q: &Tensor,
        keys: &Tensor,
        values: &Tensor,
        a: AttentionShape,
        want_weights: bool,
    ) -> Result<(Tensor, Option<Tensor>)> {
        let n = attention_dims(q.dims(), keys.dims(), values.dims(), a)?;
        if let Some(direct) = attention_direct(q, keys, values, n, a, want_weights) {
            return direct;
        }
        let (h, kvh, hd, t) = (a.heads, a.kv_heads, a.head_dim, a.start + n);
        let rep = h / kvh;
        let q = q.reshape((n, h, hd))?.transpose(0, 1)?.contiguous()?; // [h, n, hd]
                                                                       // Cached rows [t, kvh·hd] → [h, t, hd], each key/value head shared by `rep` query heads.
        let per_head = |cache: &Tensor| -> Result<Tensor> {
            Ok(cache
                .narrow(0, 0, t)?
                .reshape((t, kvh, hd))?
                .transpose(0, 1)?
                .unsqueeze(1)?
                .expand((kvh, rep, t, hd))?
                .reshape((h, t, hd))?
                .contiguous()?)
        };
        let (k, v) = (per_head(keys)?, per_head(values)?);
        let scores = (q.matmul(&k.t()?)? / (hd as f64).sqrt())?; // [h, n, t]
        let mask: Vec<f32> = (0..n)
            .flat_map(|i| {
                (0..t).map(move |j| {
                    if j > a.start + i {
                        f32::NEG_INFINITY
                    } else {
                        0.0
                    }
                })
            })
            .collect();
        let scores = scores.broadcast_add(&Tensor::from_vec(mask, (1, n, t), &Device::Cpu)?)?;
        let exp = scores.broadcast_sub(&scores.max_keepdim(2)?)?.exp()?;
        let probabilities = exp.broadcast_div(&exp.sum_keepdim(2)?)?;
        let out = probabilities
            .matmul(&v)?
            .transpose(0, 1)?
            .reshape((n, h * hd))?;
        Ok((out, want_weights.then_some(probabilities)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(n: usize, k: usize) -> Vec<f32> {
        (0..n).map(|i| ((i * k) % 23) as f32 / 7.0 - 1.5).collect()
    }

    fn host(t: &Tensor) -> Vec<f32> {
        t.flatten_all().unwrap().to_vec1::<f32>().unwrap()
    }

    fn assert_close(a: &[f32], b: &[f32], what: &str) {
        assert_eq!(a.len(), b.len(), "{what}");
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!((x - y).abs() < 1e-5, "{what}[{i}]: {x} vs {y}");
        }
    }

    /// The same tensor recording gradients, which sends the op through candle's own (general) path.
    fn tracked(t: &Tensor) -> Tensor {
        candle_core::Var::from_tensor(t)
            .unwrap()
            .as_tensor()
            .clone()
    }

    /// The direct loops (decode outside training) give what candle's ops give: RMS norm, RoPE, and causal
    /// attention over a cache with grouped heads, several query rows and a start offset.
    #[test]
    fn direct_decode_ops_match_candles_ops() {
        let b = CpuBackend;
        let x = b.upload(&values(3 * 16, 7), &[3, 16]).unwrap();
        let w = b.upload(&values(16, 3), &[16]).unwrap();
        assert!(rms_norm_direct(&x, &w, 1e-5).is_some());
        assert!(rms_norm_direct(&tracked(&x), &w, 1e-5).is_none());
        assert_close(
            &host(&b.rms_norm(&x, &w, 1e-5).unwrap()),
            &host(&b.rms_norm(&tracked(&x), &w, 1e-5).unwrap()),
            "rms_norm",
        );
        assert!(rope_direct(&x, 8, 5, 10_000.0).is_some());
        assert_close(
            &host(&b.rope(&x, 8, 5, 10_000.0).unwrap()),
            &host(&b.rope(&tracked(&x), 8, 5, 10_000.0).unwrap()),
            "rope",
        );
        let shape = AttentionShape {
            heads: 4,
            kv_heads: 2,
            head_dim: 8,
            start: 2,
        };
        let q = b.upload(&values(3 * 32, 5), &[3, 32]).unwrap();
        let keys = b.upload(&values(10 * 16, 11), &[10, 16]).unwrap();
        let cached = b.upload(&values(10 * 16, 13), &[10, 16]).unwrap();
        let (direct, direct_weights) = b.attention(&q, &keys, &cached, shape, true).unwrap();
        let (general, general_weights) = b
            .attention(&tracked(&q), &keys, &cached, shape, true)
            .unwrap();
        assert_close(&host(&direct), &host(&general), "attention output");
        assert_close(
            &host(&direct_weights.unwrap()),
            &host(&general_weights.unwrap()),
            "attention weights",
        );
    }

    /// Outside training the cache is written in place (no copy of the whole cache per token); the rows land where
    /// the copying version puts them.
    #[test]
    fn write_rows_writes_the_cache_in_place() {
        let b = CpuBackend;
        let cache = b.upload(&[0.0; 12], &[4, 3]).unwrap();
        let rows = b.upload(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]).unwrap();
        let written = b.write_rows(&cache, &rows, 1).unwrap();
        let expected = [0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 0.0, 0.0, 0.0];
        assert_eq!(host(&written), expected);
        assert_eq!(
            host(&cache),
            expected,
            "the cache's own storage holds the rows"
        );
        let copied = b.write_rows(&tracked(&b.upload(&[0.0; 12], &[4, 3]).unwrap()), &rows, 1);
        assert_eq!(host(&copied.unwrap()), expected);
    }

    /// The single-row path gives what candle's matrix product gives for the same row.
    #[test]
    fn a_single_row_matches_the_matrix_product() {
        let (inputs, outputs) = (37, 19);
        let weight = CpuBackend
            .upload(&values(outputs * inputs, 5), &[outputs, inputs])
            .unwrap();
        let bias = CpuBackend.upload(&values(outputs, 3), &[outputs]).unwrap();
        let row = values(inputs, 11);
        let single = CpuBackend.upload(&row, &[1, inputs]).unwrap();
        assert!(single_row_product(&single, &weight).unwrap().is_some());
        let fast = CpuBackend.linear(&single, &weight, Some(&bias)).unwrap();
        // Two rows take candle's gemm.
        let both = CpuBackend
            .upload(&[row.clone(), row].concat(), &[2, inputs])
            .unwrap();
        let general = CpuBackend.linear(&both, &weight, Some(&bias)).unwrap();
        let fast = fast.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let general = general.get(0).unwrap().to_vec1::<f32>().unwrap();
        for (a, b) in fast.iter().zip(&general) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
        // Tensors that record gradients keep to candle's ops.
        let var = candle_core::Var::from_tensor(&weight).unwrap();
        assert!(single_row_product(&single, var.as_tensor())
            .unwrap()
            .is_none());
    }
}
