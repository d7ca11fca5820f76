//! Layers shared by the models, and where their parameters come from.

use std::collections::BTreeMap;

use crate::backend::{Activation, Backend};
use crate::{Error, Result};

/// Where a model gets its parameters: checked weights from a file (inference) or fresh variables (training).
pub trait Params<B: Backend> {
    /// The parameter `name`, which must have exactly `shape`.
    fn param(&mut self, backend: &B, name: &str, shape: &[usize]) -> Result<B::Tensor>;
}

/// Host-side f32 tensors by name, e.g. read from a safetensors file. Every lookup checks the shape, and
/// [`HostWeights::finish`] reports tensors that the model never asked for.
#[derive(Clone, Debug, Default)]
pub struct HostWeights {
    tensors: BTreeMap<String, (Vec<usize>, Vec<f32>)>,
    used: std::collections::BTreeSet<String>,
}

impl HostWeights {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a tensor; `data.len()` must equal the product of `shape` (computed with checked arithmetic, so a shape
    /// whose product overflows a 32-bit `usize` is refused rather than wrapped).
    pub fn insert(
        &mut self,
        name: impl Into<String>,
        shape: Vec<usize>,
        data: Vec<f32>,
    ) -> Result<()> {
        let name = name.into();
        if shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .is_none()
        {
            return Err(Error::Weights(format!(
                "tensor `{name}`: shape {shape:?} has more elements than memory can hold"
            )));
        }
        crate::backend::check_upload(data.len(), &shape).map_err(|_| {
            Error::Weights(format!(
                "tensor `{name}`: {} values do not fill shape {shape:?}",
                data.len()
            ))
        })?;
        self.tensors.insert(name, (shape, data));
        Ok(())
    }

    /// The names of all tensors, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.tensors.keys().map(String::as_str)
    }

    /// The shape and data of `name`, if present.
    pub fn get(&self, name: &str) -> Option<(&[usize], &[f32])> {
        self.tensors
            .get(name)
            .map(|(s, d)| (s.as_slice(), d.as_slice()))
    }

    /// The tensors whose names start with `prefix` (a GAN file's `generator.` part, say), as a set of their own.
    pub fn with_prefix(&self, prefix: &str) -> HostWeights {
        HostWeights {
            tensors: self
                .tensors
                .iter()
                .filter(|(name, _)| name.starts_with(prefix))
                .map(|(name, t)| (name.clone(), t.clone()))
                .collect(),
            used: Default::default(),
        }
    }

    /// Fails if some tensors were never requested: the file belongs to another configuration.
    pub fn finish(&self) -> Result<()> {
        let unused: Vec<&str> = self
            .tensors
            .keys()
            .filter(|n| !self.used.contains(*n))
            .map(String::as_str)
            .collect();
        if unused.is_empty() {
            Ok(())
        } else {
            Err(Error::Weights(format!(
                "unexpected tensors for this configuration: {}",
                unused.join(", ")
            )))
        }
    }
}

impl<B: Backend> Params<B> for HostWeights {
    fn param(&mut self, backend: &B, name: &str, shape: &[usize]) -> Result<B::Tensor> {
        let (found, data) = self.tensors.get(name).ok_or_else(|| {
            Error::Weights(format!(
                "missing tensor `{name}` (expected shape {shape:?})"
            ))
        })?;
        if found != shape {
            return Err(Error::Weights(format!(
                "tensor `{name}` has shape {found:?}, the configuration expects {shape:?}"
            )));
        }
        if let Some(i) = data.iter().position(|v| !v.is_finite()) {
            return Err(Error::Weights(format!(
                "tensor `{name}` holds a non-finite value at index {i}"
            )));
        }
        self.used.insert(name.to_owned());
        backend.upload(data, shape)
    }
}

/// A fully connected layer with bias (`prefix.weight` `[out, in]`, `prefix.bias` `[out]`).
#[derive(Clone, Debug)]
pub struct Linear<B: Backend> {
    weight: B::Tensor,
    bias: B::Tensor,
}

impl<B: Backend> Linear<B> {
    /// Loads `prefix.weight` and `prefix.bias`.
    pub fn new(
        backend: &B,
        params: &mut impl Params<B>,
        prefix: &str,
        inputs: usize,
        outputs: usize,
    ) -> Result<Self> {
        Ok(Self {
            weight: params.param(backend, &format!("{prefix}.weight"), &[outputs, inputs])?,
            bias: params.param(backend, &format!("{prefix}.bias"), &[outputs])?,
        })
    }

    /// `x · wᵀ + b`, then `activation` if given.
    pub fn forward(
        &self,
        backend: &B,
        x: &B::Tensor,
        activation: Option<Activation>,
    ) -> Result<B::Tensor> {
        backend.linear_activated(x, &self.weight, Some(&self.bias), activation)
    }
}

/// RMS normalisation with a learned gain (`prefix.weight`, `[dim]`), as llama-style models use it.
#[derive(Clone, Debug)]
pub struct RmsNorm<B: Backend> {
    weight: B::Tensor,
    eps: f32,
}

impl<B: Backend> RmsNorm<B> {
    /// Loads the gain `name` of `dim` values.
    pub fn new(
        backend: &B,
        params: &mut impl Params<B>,
        name: &str,
        dim: usize,
        eps: f32,
    ) -> Result<Self> {
        Ok(Self {
            weight: params.param(backend, name, &[dim])?,
            eps,
        })
    }

    /// A norm with an already loaded gain (a model that loads its tensors in one pass uses this).
    pub fn from_weight(weight: B::Tensor, eps: f32) -> Self {
        Self { weight, eps }
    }

    /// Each row of `x` divided by its root mean square, times the gain.
    pub fn forward(&self, backend: &B, x: &B::Tensor) -> Result<B::Tensor> {
        backend.rms_norm(x, &self.weight, self.eps)
    }
}

/// A token embedding table (`name`, `[vocab, dim]`).
#[derive(Clone, Debug)]
pub struct Embedding<B: Backend> {
    table: B::Tensor,
}

impl<B: Backend> Embedding<B> {
    /// Loads the table `name` of `vocab` rows of `dim` values.
    pub fn new(
        backend: &B,
        params: &mut impl Params<B>,
        name: &str,
        vocab: usize,
        dim: usize,
    ) -> Result<Self> {
        Ok(Self {
            table: params.param(backend, name, &[vocab, dim])?,
        })
    }

    /// An embedding with an already loaded table.
    pub fn from_table(table: B::Tensor) -> Self {
        Self { table }
    }

    /// The rows of `ids`, `[ids.len(), dim]`; an id past the table is an error.
    pub fn forward(&self, backend: &B, ids: &[u32]) -> Result<B::Tensor> {
        backend.embedding(&self.table, ids)
    }

    /// The table itself (tied output heads read it).
    pub fn table(&self) -> &B::Tensor {
        &self.table
    }
}

/// Folds an inference-time batch norm into the layer before it, in place on host weights.
///
/// The batch norm `bn` (tensors `bn.weight` γ, `bn.bias` β, `bn.running_mean` μ, `bn.running_var` σ²) follows the
/// layer `layer` (`layer.weight`, `layer.bias`), whose output channels lie along `channel_axis` of its weight
/// (0 for linear and conv weights, 1 for PyTorch's transposed-conv weights). Afterwards the layer alone computes
/// `γ·(layer(x) − μ)/√(σ² + eps) + β`, and the `bn.*` tensors are gone. Does nothing if `bn.weight` is absent.
pub fn fold_batch_norm(
    weights: &mut HostWeights,
    layer: &str,
    bn: &str,
    channel_axis: usize,
    eps: f32,
) -> Result<()> {
    let names = ["weight", "bias", "running_mean", "running_var"].map(|n| format!("{bn}.{n}"));
    if weights.get(&names[0]).is_none() {
        return Ok(());
    }
    let mut take = |name: &str| {
        weights
            .tensors
            .remove(name)
            .ok_or_else(|| Error::Weights(format!("missing tensor `{name}`")))
    };
    let [(_, gamma), (_, beta), (_, mean), (_, var)] = [
        take(&names[0])?,
        take(&names[1])?,
        take(&names[2])?,
        take(&names[3])?,
    ];
    let (w_shape, mut w) = take(&format!("{layer}.weight"))?;
    let (b_shape, mut b) = take(&format!("{layer}.bias"))?;
    let channels = *w_shape
        .get(channel_axis)
        .ok_or_else(|| Error::Weights(format!("`{layer}.weight` is too small")))?;
    if [gamma.len(), beta.len(), mean.len(), var.len(), b.len()] != [channels; 5] {
        return Err(Error::Weights(format!(
            "batch norm `{bn}` does not match the {channels} channels of `{layer}`"
        )));
    }
    let scale: Vec<f32> = gamma
        .iter()
        .zip(&var)
        .map(|(g, v)| g / (v + eps).sqrt())
        .collect();
    // Row-major: the channel index of flat element i is (i / inner) % channels.
    let inner: usize = w_shape[channel_axis + 1..].iter().product();
    for (i, value) in w.iter_mut().enumerate() {
        *value *= scale[(i / inner) % channels];
    }
    for c in 0..channels {
        b[c] = (b[c] - mean[c]) * scale[c] + beta[c];
    }
    weights.insert(format!("{layer}.weight"), w_shape, w)?;
    weights.insert(format!("{layer}.bias"), b_shape, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_selects_its_tensors_and_finish_judges_only_those() {
        let mut w = HostWeights::new();
        w.insert("generator.a", vec![1], vec![1.0]).unwrap();
        w.insert("generator.b", vec![2], vec![1.0, 2.0]).unwrap();
        w.insert("discriminator.a", vec![1], vec![3.0]).unwrap();
        let g = w.with_prefix("generator.");
        assert_eq!(
            g.names().collect::<Vec<_>>(),
            ["generator.a", "generator.b"]
        );
        assert_eq!(g.get("generator.b").unwrap().1, [1.0, 2.0]);
        let error = g.finish().unwrap_err().to_string();
        assert!(error.contains("generator.a"), "{error}");
        assert!(!error.contains("discriminator"), "{error}");
        assert!(w.with_prefix("nothing.").names().next().is_none());
    }
}
