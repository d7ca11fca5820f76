//! The language model: a llama-style decoder (the llama2.c architecture) — RMSNorm, rotary positions,
//! multi-head attention with an optional grouped key/value, and a SwiGLU MLP.
//!
//! Tensor names follow Hugging Face's llama (`model.layers.{i}.self_attn.q_proj.weight`, ...), the names
//! candle-transformers' `llama2_c` loads, so the same file runs in both. Decoding is incremental: a
//! [`KvCache`] holds every layer's keys and values, and each [`Lm::forward`] call costs only its new tokens.

use serde::{Deserialize, Serialize};

use crate::backend::{Activation, AttentionShape, Backend, MAX_CONTEXT};
use crate::nn::{Embedding, Params, RmsNorm};
use crate::{Error, Result};

/// The most parameters [`LmConfig::validate`] accepts: their f32 values fit in `i32::MAX` bytes, the largest array
/// a 32-bit (wasm32) `usize` can index, so a model that loads natively also loads in the browser.
pub const MAX_PARAMETERS: u64 = i32::MAX as u64 / 4;

/// Base of the rotary frequencies (llama2.c and llama use 10,000).
pub const ROPE_THETA: f32 = 10_000.0;

/// The architecture of a language model, llama2.c's `Config` plus the norm epsilon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LmConfig {
    /// Width of the residual stream.
    pub dim: usize,
    /// Width of the SwiGLU hidden layer.
    pub hidden_dim: usize,
    /// Transformer blocks.
    pub n_layers: usize,
    /// Query heads.
    pub n_heads: usize,
    /// Key/value heads (divides `n_heads`).
    pub n_kv_heads: usize,
    /// Tokens in the vocabulary.
    pub vocab_size: usize,
    /// Longest context (the KV cache's capacity).
    pub seq_len: usize,
    /// RMSNorm epsilon.
    pub norm_eps: f32,
}

impl LmConfig {
    /// Values per head.
    pub fn head_dim(&self) -> usize {
        self.dim / self.n_heads
    }

    /// Width of a key or value row.
    pub fn kv_dim(&self) -> usize {
        self.n_kv_heads * self.head_dim()
    }

    /// Checks that the numbers describe a model this code can run. A configuration that breaks a rule is refused
    /// with the rule and the numbers, e.g. `unsupported language model configuration: n_heads = 5 does not divide
    /// dim = 192`. The rules, in the order they are checked:
    ///
    /// - every size lies in `1..=` its limit (dim 16,384, hidden_dim 65,536, n_layers 256, n_heads and n_kv_heads
    ///   1,024, vocab_size 2^20);
    /// - n_heads divides dim, n_kv_heads divides n_heads, and head_dim = dim / n_heads is even (rotary positions
    ///   turn pairs of values);
    /// - seq_len lies in `1..=`[`MAX_CONTEXT`]. The file readers in [`crate::weights`] clip a longer trained
    ///   context to `MAX_CONTEXT` (with a note) before they call this, the same way for a llama2.c `.bin` and a
    ///   safetensors file, so the same model gets the same verdict in either format;
    /// - norm_eps is a positive finite number;
    /// - at most [`MAX_PARAMETERS`] parameters, counted in `u64`, so that every size computed from the
    ///   configuration fits a 32-bit `usize` (the browser's) as well as a 64-bit one.
    pub fn validate(&self) -> Result<()> {
        crate::check_dimensions(
            "language model",
            &[
                ("dim", self.dim, 16_384),
                ("hidden_dim", self.hidden_dim, 65_536),
                ("n_layers", self.n_layers, 256),
                ("n_heads", self.n_heads, 1_024),
                ("n_kv_heads", self.n_kv_heads, 1_024),
                ("vocab_size", self.vocab_size, 1 << 20),
            ],
        )?;
        let refuse = |why: String| {
            Err(Error::Weights(format!(
                "unsupported language model configuration: {why}"
            )))
        };
        let (dim, heads, kv_heads) = (self.dim, self.n_heads, self.n_kv_heads);
        if !dim.is_multiple_of(heads) {
            return refuse(format!("n_heads = {heads} does not divide dim = {dim}"));
        }
        if !heads.is_multiple_of(kv_heads) {
            return refuse(format!(
                "n_kv_heads = {kv_heads} does not divide n_heads = {heads}"
            ));
        }
        let head_dim = self.head_dim();
        if !head_dim.is_multiple_of(2) {
            return refuse(format!(
                "head_dim = dim / n_heads = {dim} / {heads} = {head_dim} is odd; rotary positions need an even \
                 head_dim"
            ));
        }
        if !(1..=MAX_CONTEXT).contains(&self.seq_len) {
            return refuse(format!(
                "seq_len = {} is outside 1..={MAX_CONTEXT}, the longest context genscope runs",
                self.seq_len
            ));
        }
        if !(self.norm_eps.is_finite() && self.norm_eps > 0.0) {
            return refuse(format!(
                "norm_eps = {} is not a positive finite number",
                self.norm_eps
            ));
        }
        match self.parameter_count_u64() {
            Some(n) if n <= MAX_PARAMETERS => Ok(()),
            n => refuse(format!(
                "{} parameters are more than the {MAX_PARAMETERS} genscope can hold (2 GiB of f32 weights, \
                 what a 32-bit browser can address in one array)",
                n.map_or_else(|| "2^64 or more".to_string(), |n| n.to_string())
            )),
        }
    }

    /// The parameter count in `u64` with checked arithmetic (`None` past `u64::MAX`): safe on any `usize`.
    fn parameter_count_u64(&self) -> Option<u64> {
        self.parameter_shapes()
            .iter()
            .try_fold(0u64, |total, (_, shape)| {
                let n = shape
                    .iter()
                    .try_fold(1u64, |n, &d| n.checked_mul(u64::try_from(d).ok()?))?;
                total.checked_add(n)
            })
    }

    /// Names and shapes of every parameter, in a stable order.
    pub fn parameter_shapes(&self) -> Vec<(String, Vec<usize>)> {
        let (d, hd, kv, v) = (self.dim, self.hidden_dim, self.kv_dim(), self.vocab_size);
        let mut shapes = vec![("model.embed_tokens.weight".to_string(), vec![v, d])];
        for i in 0..self.n_layers {
            let p = format!("model.layers.{i}");
            shapes.extend([
                (format!("{p}.input_layernorm.weight"), vec![d]),
                (format!("{p}.self_attn.q_proj.weight"), vec![d, d]),
                (format!("{p}.self_attn.k_proj.weight"), vec![kv, d]),
                (format!("{p}.self_attn.v_proj.weight"), vec![kv, d]),
                (format!("{p}.self_attn.o_proj.weight"), vec![d, d]),
                (format!("{p}.post_attention_layernorm.weight"), vec![d]),
                (format!("{p}.mlp.gate_proj.weight"), vec![hd, d]),
                (format!("{p}.mlp.up_proj.weight"), vec![hd, d]),
                (format!("{p}.mlp.down_proj.weight"), vec![d, hd]),
            ]);
        }
        shapes.push(("model.norm.weight".into(), vec![d]));
        shapes.push(("lm_head.weight".into(), vec![v, d]));
        shapes
    }

    /// Total number of parameters.
    pub fn parameter_count(&self) -> usize {
        self.parameter_shapes()
            .iter()
            .map(|(_, s)| s.iter().product::<usize>())
            .sum()
    }
}

struct Block<B: Backend> {
    input_norm: RmsNorm<B>,
    q: B::Tensor,
    k: B::Tensor,
    v: B::Tensor,
    o: B::Tensor,
    post_norm: RmsNorm<B>,
    gate: B::Tensor,
    up: B::Tensor,
    down: B::Tensor,
}

/// Every layer's cached keys and values, and how many positions they hold.
pub struct KvCache<B: Backend> {
    keys: Vec<B::Tensor>,
    values: Vec<B::Tensor>,
    len: usize,
}

impl<B: Backend> KvCache<B> {
    /// Positions cached so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True before the first token.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets positions from `len` on (the next forward overwrites them): how "Back" undoes a token.
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

/// What one forward pass returns.
pub struct LmOutput<B: Backend> {
    /// Next-token logits after the last input token, `[1, vocab]`.
    pub logits: B::Tensor,
    /// Per layer, the attention probabilities `[heads, n, context]` of this call's `n` query rows (empty unless
    /// asked for).
    pub attention: Vec<B::Tensor>,
}

/// A language model on backend `B`.
pub struct Lm<B: Backend> {
    config: LmConfig,
    embed: Embedding<B>,
    blocks: Vec<Block<B>>,
    norm: RmsNorm<B>,
    head: B::Tensor,
}

impl<B: Backend> Lm<B> {
    /// Builds the model, checking every tensor's name and shape against `config`.
    pub fn new(backend: &B, config: LmConfig, params: &mut impl Params<B>) -> Result<Self> {
        config.validate()?;
        let shapes = config.parameter_shapes();
        let mut tensors = Vec::with_capacity(shapes.len());
        for (name, shape) in &shapes {
            tensors.push(params.param(backend, name, shape)?);
        }
        let mut tensors = tensors.into_iter();
        let mut next = || tensors.next().expect("one tensor per shape");
        let eps = config.norm_eps;
        let embed = Embedding::from_table(next());
        let blocks = (0..config.n_layers)
            .map(|_| Block {
                input_norm: RmsNorm::from_weight(next(), eps),
                q: next(),
                k: next(),
                v: next(),
                o: next(),
                post_norm: RmsNorm::from_weight(next(), eps),
                gate: next(),
                up: next(),
                down: next(),
            })
            .collect();
        Ok(Self {
            norm: RmsNorm::from_weight(next(), eps),
            head: next(),
            embed,
            blocks,
            config,
        })
    }

    /// The architecture.
    pub fn config(&self) -> &LmConfig {
        &self.config
    }

    /// An empty cache with room for `seq_len` positions.
    pub fn new_cache(&self, backend: &B) -> Result<KvCache<B>> {
        let zeros = vec![0.0; self.config.seq_len * self.config.kv_dim()];
        let shape = [self.config.seq_len, self.config.kv_dim()];
        let fresh = || {
            (0..self.config.n_layers)
                .map(|_| backend.upload(&zeros, &shape))
                .collect::<Result<Vec<_>>>()
        };
        Ok(KvCache {
            keys: fresh()?,
            values: fresh()?,
            len: 0,
        })
    }

    /// Feeds `tokens` at the positions after the cached ones and returns the logits for the token that follows.
    /// Fails without touching the cache when the tokens would not fit in the context window.
    pub fn forward(
        &self,
        backend: &B,
        tokens: &[u32],
        cache: &mut KvCache<B>,
        want_attention: bool,
    ) -> Result<LmOutput<B>> {
        let (n, start) = (tokens.len(), cache.len);
        self.check_fits(n, start)?;
        let (x, attention) = self.blocks_forward(backend, tokens, Some(cache), want_attention)?;
        cache.len = start + n;
        let last = backend.slice_rows(&x, n - 1, 1)?;
        let last = self.norm.forward(backend, &last)?;
        Ok(LmOutput {
            logits: backend.linear(&last, &self.head, None)?,
            attention,
        })
    }

    /// The logits after every position of `tokens` (`[n, vocab]`, row `i` predicts token `i + 1`), without a
    /// cache: how the trainer and the evaluation score a whole sequence in one pass.
    pub fn forward_all(&self, backend: &B, tokens: &[u32]) -> Result<B::Tensor> {
        self.check_fits(tokens.len(), 0)?;
        let (x, _) = self.blocks_forward(backend, tokens, None, false)?;
        let x = self.norm.forward(backend, &x)?;
        backend.linear(&x, &self.head, None)
    }

    fn check_fits(&self, n: usize, start: usize) -> Result<()> {
        if n == 0 || start + n > self.config.seq_len {
            return Err(Error::Shape(format!(
                "{n} new tokens after {start} cached do not fit the context of {}",
                self.config.seq_len
            )));
        }
        Ok(())
    }

    /// Every transformer block over `tokens`, placed after the cached positions (or at 0 without a cache):
    /// the residual stream `[n, dim]` and, when asked, each layer's attention weights.
    fn blocks_forward(
        &self,
        backend: &B,
        tokens: &[u32],
        mut cache: Option<&mut KvCache<B>>,
        want_attention: bool,
    ) -> Result<(B::Tensor, Vec<B::Tensor>)> {
        let c = &self.config;
        let start = cache.as_ref().map_or(0, |cache| cache.len);
        let shape = AttentionShape {
            heads: c.n_heads,
            kv_heads: c.n_kv_heads,
            head_dim: c.head_dim(),
            start,
        };
        let mut attention = Vec::new();
        let mut x = self.embed.forward(backend, tokens)?;
        for (layer, block) in self.blocks.iter().enumerate() {
            let h = block.input_norm.forward(backend, &x)?;
            let q = backend.rope(
                &backend.linear(&h, &block.q, None)?,
                c.head_dim(),
                start,
                ROPE_THETA,
            )?;
            let k = backend.rope(
                &backend.linear(&h, &block.k, None)?,
                c.head_dim(),
                start,
                ROPE_THETA,
            )?;
            let v = backend.linear(&h, &block.v, None)?;
            let (mixed, weights) = match cache.as_deref_mut() {
                Some(cache) => {
                    cache.keys[layer] = backend.write_rows(&cache.keys[layer], &k, start)?;
                    cache.values[layer] = backend.write_rows(&cache.values[layer], &v, start)?;
                    backend.attention(
                        &q,
                        &cache.keys[layer],
                        &cache.values[layer],
                        shape,
                        want_attention,
                    )?
                }
                None => backend.attention(&q, &k, &v, shape, want_attention)?,
            };
            attention.extend(weights);
            x = backend.add(&x, &backend.linear(&mixed, &block.o, None)?)?;

            let h = block.post_norm.forward(backend, &x)?;
            let gate = backend.linear_activated(&h, &block.gate, None, Some(Activation::Silu))?;
            let up = backend.linear(&h, &block.up, None)?;
            let ff = backend.linear(&backend.mul(&gate, &up)?, &block.down, None)?;
            x = backend.add(&x, &ff)?;
        }
        Ok((x, attention))
    }
}
