//! The small set of tensor operations every model is written against.
//!
//! One model definition runs on two backends: [`crate::cpu::CpuBackend`] (candle-core tensors; also what the
//! trainer differentiates) and `genscope_webgpu::WgpuBackend` (WGSL kernels). Operations only *record* work; a
//! GPU backend runs everything recorded so far when a tensor is [`Backend::read`], so a whole forward pass costs
//! one submission and one readback.

use crate::Result;

/// Elementwise activation functions, one enum so that each backend needs a single kernel for all of them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    /// `max(x, 0)`.
    Relu,
    /// `x` if positive, else `slope * x`.
    LeakyRelu(f32),
    /// GELU, tanh approximation (as GPT-2 and llama2.c's siblings use).
    Gelu,
    /// `x * sigmoid(x)` (SwiGLU's gate).
    Silu,
    /// `1 / (1 + exp(-x))`.
    Sigmoid,
    /// Hyperbolic tangent.
    Tanh,
    /// `exp(x)`.
    Exp,
}

impl Activation {
    /// The function on one value: the reference both backends are tested against.
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Activation::Relu => x.max(0.0),
            Activation::LeakyRelu(slope) => {
                if x > 0.0 {
                    x
                } else {
                    slope * x
                }
            }
            Activation::Gelu => {
                let c = (2.0 / std::f32::consts::PI).sqrt();
                0.5 * x * (1.0 + (c * (x + 0.044_715 * x * x * x)).tanh())
            }
            Activation::Silu => x / (1.0 + (-x).exp()),
            Activation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            Activation::Tanh => x.tanh(),
            Activation::Exp => x.exp(),
        }
    }
}

/// Elementwise binary operations on tensors of the same shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binary {
    /// `a + b`.
    Add,
    /// `a * b`.
    Mul,
}

/// The tensors of a backend: where they live, how data gets in and out, and the ops that only move data.
///
/// Shapes are row-major; a matrix is `[rows, cols]`. Every operation of every family checks its operands'
/// shapes and returns [`crate::Error::Shape`] instead of panicking.
pub trait Tensors {
    /// A tensor on this backend. Cloning is cheap (reference counted).
    type Tensor: Clone;

    /// A short name for the status line and benchmark tables, e.g. `wasm CPU` or `WebGPU · llvmpipe`.
    fn name(&self) -> String;

    /// Copies host data into a tensor of `shape` (`data.len()` must equal the shape's product).
    fn upload(&self, data: &[f32], shape: &[usize]) -> Result<Self::Tensor>;

    /// The tensor's shape (known without waiting for the device).
    fn shape(&self, tensor: &Self::Tensor) -> Vec<usize>;

    /// Runs whatever is pending and copies the tensor's values to the host, row-major.
    #[allow(async_fn_in_trait)] // the models run on one thread (a worker, a test); no Send bound is wanted
    async fn read(&self, tensor: &Self::Tensor) -> Result<Vec<f32>>;

    /// [`Tensors::read`] for several tensors at once. A GPU backend overrides it to read them all in one
    /// round trip (one submit, one mapped buffer); the default reads them one by one.
    #[allow(async_fn_in_trait)]
    async fn read_all(&self, tensors: &[&Self::Tensor]) -> Result<Vec<Vec<f32>>> {
        let mut values = Vec::with_capacity(tensors.len());
        for t in tensors {
            values.push(self.read(t).await?);
        }
        Ok(values)
    }

    /// The same data seen with another shape of equal size.
    fn reshape(&self, x: &Self::Tensor, shape: &[usize]) -> Result<Self::Tensor>;

    /// Rows `start..start + count` of `x` `[rows, cols]`.
    fn slice_rows(&self, x: &Self::Tensor, start: usize, count: usize) -> Result<Self::Tensor>;

    /// Writes `rows` `[n, d]` into `cache` `[capacity, d]` from row `at` on, and returns the updated cache (the
    /// GPU writes in place; candle returns a new tensor).
    fn write_rows(
        &self,
        cache: &Self::Tensor,
        rows: &Self::Tensor,
        at: usize,
    ) -> Result<Self::Tensor>;
}

/// Dense layers: matrix products and elementwise maps (every model uses these).
///
/// `add`, `mul` and `linear_activated` have default implementations built from the family's primitives; a
/// backend overrides them only where a fused kernel pays.
pub trait DenseOps: Tensors {
    /// A fully connected layer, `x · wᵀ + bias`: `x` is `[rows, in]`, `weight` is `[out, in]` (PyTorch's layout),
    /// `bias` is `[out]`; the result is `[rows, out]`.
    fn linear(
        &self,
        x: &Self::Tensor,
        weight: &Self::Tensor,
        bias: Option<&Self::Tensor>,
    ) -> Result<Self::Tensor>;

    /// Matrix product `[m, k] · [k, n] -> [m, n]`.
    fn matmul(&self, a: &Self::Tensor, b: &Self::Tensor) -> Result<Self::Tensor>;

    /// Applies `activation` to every element.
    fn activate(&self, x: &Self::Tensor, activation: Activation) -> Result<Self::Tensor>;

    /// `a op b`, elementwise, same shapes.
    fn binary(&self, a: &Self::Tensor, b: &Self::Tensor, op: Binary) -> Result<Self::Tensor>;

    /// `a + b`, elementwise (a residual connection).
    fn add(&self, a: &Self::Tensor, b: &Self::Tensor) -> Result<Self::Tensor> {
        self.binary(a, b, Binary::Add)
    }

    /// `a * b`, elementwise (a gate).
    fn mul(&self, a: &Self::Tensor, b: &Self::Tensor) -> Result<Self::Tensor> {
        self.binary(a, b, Binary::Mul)
    }

    /// `activation(x · wᵀ + bias)`: [`DenseOps::linear`], then [`DenseOps::activate`] when an activation is given.
    fn linear_activated(
        &self,
        x: &Self::Tensor,
        weight: &Self::Tensor,
        bias: Option<&Self::Tensor>,
        activation: Option<Activation>,
    ) -> Result<Self::Tensor> {
        let y = self.linear(x, weight, bias)?;
        match activation {
            Some(a) => self.activate(&y, a),
            None => Ok(y),
        }
    }
}

/// Image layers: convolutions over `[n, c, h, w]` tensors (the VAE's and GAN's convolutional parts).
pub trait ImageOps: Tensors {
    /// 2-D convolution: `x` `[n, c, h, w]`, `weight` `[o, c, kh, kw]`, `bias` `[o]` → `[n, o, h', w']`.
    fn conv2d(
        &self,
        x: &Self::Tensor,
        weight: &Self::Tensor,
        bias: &Self::Tensor,
        conv: Conv,
    ) -> Result<Self::Tensor>;

    /// Transposed 2-D convolution (the generator's upsampling): `x` `[n, c, h, w]`, `weight` `[c, o, kh, kw]`
    /// (PyTorch's layout), `bias` `[o]` → `[n, o, h', w']`.
    fn conv_transpose2d(
        &self,
        x: &Self::Tensor,
        weight: &Self::Tensor,
        bias: &Self::Tensor,
        conv: Conv,
    ) -> Result<Self::Tensor>;
}

/// Sequence layers: what a llama-style transformer needs beyond dense layers.
pub trait SequenceOps: Tensors {
    /// Gathers rows of `table` `[vocab, dim]` → `[ids.len(), dim]`. An id past the table is an error.
    fn embedding(&self, table: &Self::Tensor, ids: &[u32]) -> Result<Self::Tensor>;

    /// RMSNorm of each row of `x` `[rows, dim]`, scaled by `weight` `[dim]`: `x / √(mean(x²) + eps) · weight`.
    fn rms_norm(&self, x: &Self::Tensor, weight: &Self::Tensor, eps: f32) -> Result<Self::Tensor>;

    /// Rotary position embedding as llama2.c applies it: within each head of `head_dim` values, the pairs
    /// `(x[2i], x[2i+1])` of row `r` turn by the angle `(start + r) · theta^(−2i/head_dim)`. `x` is
    /// `[rows, heads · head_dim]`.
    fn rope(
        &self,
        x: &Self::Tensor,
        head_dim: usize,
        start: usize,
        theta: f32,
    ) -> Result<Self::Tensor>;

    /// Causal multi-head attention with a KV cache. `q` is `[n, heads · head_dim]` for positions
    /// `start..start + n`; `keys` and `values` are caches `[capacity, kv_heads · head_dim]` whose first
    /// `start + n` rows are filled. Query head `h` reads key/value head `h / (heads / kv_heads)`.
    /// Returns `[n, heads · head_dim]` and, when `want_weights`, the probabilities `[heads, n, start + n]`
    /// (zero where the causal mask hides a key).
    fn attention(
        &self,
        q: &Self::Tensor,
        keys: &Self::Tensor,
        values: &Self::Tensor,
        shape: AttentionShape,
        want_weights: bool,
    ) -> Result<(Self::Tensor, Option<Self::Tensor>)>;
}

/// A compute backend: every op family. Models are written against `B: Backend`; a backend implements the four
/// family traits and gets this one for free.
///
/// One model definition runs on two backends: [`crate::cpu::CpuBackend`] (candle-core tensors; also what the
/// trainer differentiates) and `genscope_webgpu::WgpuBackend` (WGSL kernels).
pub trait Backend: Tensors + DenseOps + ImageOps + SequenceOps {}

impl<B: Tensors + DenseOps + ImageOps + SequenceOps> Backend for B {}

/// The op-family traits, for code that calls ops on a concrete backend (`use genscope_core::backend::prelude::*`).
pub mod prelude {
    pub use super::{Backend, DenseOps, ImageOps, SequenceOps, Tensors};
}

/// Stride and padding of a square convolution (the same in both spatial dimensions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv {
    /// Step between input windows (conv) or output windows (transposed conv).
    pub stride: usize,
    /// Zero padding on each side.
    pub padding: usize,
}

/// The checked geometry of a convolution, shared by the backends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvDims {
    /// Batch size.
    pub batch: usize,
    /// Input channels.
    pub in_channels: usize,
    /// Input height and width.
    pub in_size: (usize, usize),
    /// Output channels.
    pub out_channels: usize,
    /// Output height and width.
    pub out_size: (usize, usize),
    /// Kernel height and width.
    pub kernel: (usize, usize),
}

/// Checks a convolution's operands; `transposed` selects the transposed convolution's weight layout and sizes.
pub fn conv_dims(
    x: &[usize],
    weight: &[usize],
    bias: &[usize],
    conv: Conv,
    transposed: bool,
) -> Result<ConvDims> {
    let bad = |why: &str| {
        crate::Error::Shape(format!(
            "{}: x {x:?}, weight {weight:?}, bias {bias:?}, {conv:?}: {why}",
            if transposed {
                "conv_transpose2d"
            } else {
                "conv2d"
            }
        ))
    };
    let (&[batch, channels, h, w], &[w0, w1, kh, kw]) = (x, weight) else {
        return Err(bad("x and weight must be 4-D"));
    };
    let (weight_in, out_channels) = if transposed { (w0, w1) } else { (w1, w0) };
    if weight_in != channels || bias != [out_channels] || conv.stride == 0 {
        return Err(bad("channels, bias or stride do not fit"));
    }
    let out = |size: usize, k: usize| -> Option<usize> {
        if transposed {
            ((size - 1) * conv.stride + k).checked_sub(2 * conv.padding)
        } else {
            (size + 2 * conv.padding)
                .checked_sub(k)
                .map(|v| v / conv.stride + 1)
        }
    };
    match (out(h, kh), out(w, kw)) {
        (Some(oh), Some(ow)) if oh > 0 && ow > 0 && h > 0 && w > 0 => Ok(ConvDims {
            batch,
            in_channels: channels,
            in_size: (h, w),
            out_channels,
            out_size: (oh, ow),
            kernel: (kh, kw),
        }),
        _ => Err(bad("the kernel does not fit the input")),
    }
}

/// Checks that `data` fills `shape` exactly; shared by the backends' `upload`.
pub fn check_upload(data_len: usize, shape: &[usize]) -> Result<()> {
    let elements: usize = shape.iter().product();
    if elements != data_len {
        return Err(crate::Error::Shape(format!(
            "upload of {data_len} values into shape {shape:?} ({elements} elements)"
        )));
    }
    Ok(())
}

/// Checks the operands of [`Backend::linear`] and returns `(rows, in, out)`.
pub fn linear_dims(
    x: &[usize],
    weight: &[usize],
    bias: Option<&[usize]>,
) -> Result<(usize, usize, usize)> {
    let bad = || crate::Error::Shape(format!("linear: x {x:?}, weight {weight:?}, bias {bias:?}"));
    let (&[rows, inputs], &[outputs, w_inputs]) = (x, weight) else {
        return Err(bad());
    };
    if inputs != w_inputs || bias.is_some_and(|b| b != [outputs]) {
        return Err(bad());
    }
    Ok((rows, inputs, outputs))
}

/// Checks the operands of [`Backend::matmul`] and returns `(m, k, n)`.
pub fn matmul_dims(a: &[usize], b: &[usize]) -> Result<(usize, usize, usize)> {
    match (a, b) {
        (&[m, k], &[k2, n]) if k == k2 => Ok((m, k, n)),
        _ => Err(crate::Error::Shape(format!("matmul: {a:?} · {b:?}"))),
    }
}

/// The geometry of one [`Backend::attention`] call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttentionShape {
    /// Query heads.
    pub heads: usize,
    /// Key/value heads (divides `heads`; fewer means grouped-query attention).
    pub kv_heads: usize,
    /// Values per head.
    pub head_dim: usize,
    /// Position of the first query row (the number of cached positions before this call).
    pub start: usize,
}

/// The longest context the attention kernels support (the GPU keeps one row of scores in workgroup memory).
pub const MAX_CONTEXT: usize = 1024;

/// Checks the operands of [`Backend::attention`] and returns `n`, the number of query rows.
pub fn attention_dims(
    q: &[usize],
    keys: &[usize],
    values: &[usize],
    a: AttentionShape,
) -> Result<usize> {
    let bad = |why: &str| {
        crate::Error::Shape(format!(
            "attention: q {q:?}, keys {keys:?}, values {values:?}, {a:?}: {why}"
        ))
    };
    if a.heads == 0 || a.kv_heads == 0 || !a.heads.is_multiple_of(a.kv_heads) || a.head_dim == 0 {
        return Err(bad("heads must be a positive multiple of kv_heads"));
    }
    let (&[n, q_width], &[capacity, kv_width]) = (q, keys) else {
        return Err(bad("q and caches must be 2-D"));
    };
    if q_width != a.heads * a.head_dim || kv_width != a.kv_heads * a.head_dim || values != keys {
        return Err(bad("widths do not match the heads"));
    }
    if n == 0 || a.start + n > capacity || a.start + n > MAX_CONTEXT {
        return Err(bad("positions exceed the cache (or the 1,024-token limit)"));
    }
    Ok(n)
}

/// Checks [`Backend::rope`]'s operands and returns `(rows, width)`.
pub fn rope_dims(x: &[usize], head_dim: usize) -> Result<(usize, usize)> {
    match x {
        &[rows, width] if head_dim > 0 && head_dim.is_multiple_of(2) && width % head_dim == 0 => {
            Ok((rows, width))
        }
        _ => Err(crate::Error::Shape(format!(
            "rope: x {x:?} with head_dim {head_dim}"
        ))),
    }
}

/// The cosine and sine tables `[rows, head_dim / 2]` of [`Backend::rope`] for positions `start..start + rows`.
///
/// Both backends use these host-computed tables: GPU `sin`/`cos` (SwiftShader's in particular) lose accuracy on
/// large angles, and llama2.c also precomputes them. Angle = position · θ^(−2i/head_dim), as in llama2.c and
/// candle-transformers (inverse frequency first, then the product).
pub fn rope_tables(rows: usize, start: usize, head_dim: usize, theta: f32) -> (Vec<f32>, Vec<f32>) {
    let pairs = head_dim / 2;
    let inverse: Vec<f32> = (0..pairs)
        .map(|i| 1.0 / theta.powf((2 * i) as f32 / head_dim as f32))
        .collect();
    let angles = (0..rows).flat_map(|r| inverse.iter().map(move |f| (start + r) as f32 * f));
    angles.map(|a| (a.cos(), a.sin())).unzip()
}
