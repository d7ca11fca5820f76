//! The DCGAN: a generator (latent → image, transposed convolutions) and a discriminator (image → realness).
//!
//! Sized for 28×28 single-channel images: the generator projects `z` to `2·base × 7 × 7`, then two stride-2
//! transposed convolutions (4×4 kernels) upsample to 14×14 and 28×28; the discriminator mirrors it with stride-2
//! convolutions and a linear read-out. Batch norms are folded into the layer before them when the weights are
//! loaded ([`fold_generator_batch_norms`]), so inference is convolutions and activations only.

use serde::{Deserialize, Serialize};

use crate::backend::{Activation, Backend, Conv};
use crate::nn::{fold_batch_norm, HostWeights, Linear, Params};
use crate::{Error, Result};

/// Batch norm's epsilon, as PyTorch and candle-nn use by default.
pub const BATCH_NORM_EPS: f32 = 1e-5;

/// Every upsampling and downsampling step: 4×4 kernel, stride 2, padding 1 (doubles or halves the size).
const STEP: Conv = Conv {
    stride: 2,
    padding: 1,
};

/// The architecture of a shipped GAN (stored in its model card).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GanConfig {
    /// Latent dimensions.
    pub latent: usize,
    /// Feature maps of the widest layer next to the image (the other has twice as many).
    pub base: usize,
    /// Image channels (1 for MNIST and Fashion-MNIST).
    pub channels: usize,
}

impl GanConfig {
    /// The configuration if every dimension is in a range this code runs.
    pub fn validated(self) -> Result<Self> {
        crate::check_dimensions(
            "GAN",
            &[
                ("latent", self.latent, 1_024),
                ("base", self.base, 1_024),
                ("channels", self.channels, 4),
            ],
        )?;
        Ok(self)
    }

    /// Image side in pixels (fixed by the architecture: 7 · 2 · 2).
    pub const SIDE: usize = 28;

    /// Generator parameter names and shapes (batch norms already folded).
    pub fn generator_shapes(&self) -> Vec<(String, Vec<usize>)> {
        let (z, b, c) = (self.latent, self.base, self.channels);
        vec![
            ("generator.project.weight".into(), vec![2 * b * 49, z]),
            ("generator.project.bias".into(), vec![2 * b * 49]),
            ("generator.up.0.weight".into(), vec![2 * b, b, 4, 4]),
            ("generator.up.0.bias".into(), vec![b]),
            ("generator.up.1.weight".into(), vec![b, c, 4, 4]),
            ("generator.up.1.bias".into(), vec![c]),
        ]
    }

    /// Discriminator parameter names and shapes (batch norms already folded).
    pub fn discriminator_shapes(&self) -> Vec<(String, Vec<usize>)> {
        let (b, c) = (self.base, self.channels);
        vec![
            ("discriminator.down.0.weight".into(), vec![b, c, 4, 4]),
            ("discriminator.down.0.bias".into(), vec![b]),
            ("discriminator.down.1.weight".into(), vec![2 * b, b, 4, 4]),
            ("discriminator.down.1.bias".into(), vec![2 * b]),
            ("discriminator.score.weight".into(), vec![1, 2 * b * 49]),
            ("discriminator.score.bias".into(), vec![1]),
        ]
    }
}

/// Folds the trainer's batch norms (`generator.project_bn`, `generator.up.0_bn`, `discriminator.down.1_bn`) into
/// the layers before them. Files without batch-norm tensors are left as they are.
pub fn fold_generator_batch_norms(weights: &mut HostWeights) -> Result<()> {
    fold_batch_norm(
        weights,
        "generator.project",
        GeneratorNorm::Project.prefix(),
        0,
        BATCH_NORM_EPS,
    )?;
    fold_batch_norm(
        weights,
        "generator.up.0",
        GeneratorNorm::Up0.prefix(),
        1,
        BATCH_NORM_EPS,
    )?;
    fold_batch_norm(
        weights,
        "discriminator.down.1",
        "discriminator.down.1_bn",
        0,
        BATCH_NORM_EPS,
    )
}

fn conv_params<B: Backend>(
    backend: &B,
    params: &mut impl Params<B>,
    shapes: &[(String, Vec<usize>)],
    index: usize,
) -> Result<(B::Tensor, B::Tensor)> {
    let (w_name, w_shape) = &shapes[index];
    let (b_name, b_shape) = &shapes[index + 1];
    Ok((
        params.param(backend, w_name, w_shape)?,
        params.param(backend, b_name, b_shape)?,
    ))
}

/// Where a generator's batch norm sits (see [`Generator::generate_normed`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GeneratorNorm {
    /// After the projection `[batch, 2·base·49]`, per feature (`generator.project_bn`).
    Project,
    /// After the first upsampling `[batch, base, 14, 14]`, per channel (`generator.up.0_bn`).
    Up0,
}

impl GeneratorNorm {
    /// The tensor prefix of this batch norm in a trainer's file, as [`fold_generator_batch_norms`] reads it.
    pub fn prefix(self) -> &'static str {
        match self {
            GeneratorNorm::Project => "generator.project_bn",
            GeneratorNorm::Up0 => "generator.up.0_bn",
        }
    }
}

/// The generator on backend `B`.
pub struct Generator<B: Backend> {
    config: GanConfig,
    project: Linear<B>,
    up: [(B::Tensor, B::Tensor); 2],
}

impl<B: Backend> Generator<B> {
    /// Builds the generator, checking every tensor against `config`.
    pub fn new(backend: &B, config: GanConfig, params: &mut impl Params<B>) -> Result<Self> {
        let config = config.validated()?;
        let shapes = config.generator_shapes();
        Ok(Self {
            project: Linear::new(
                backend,
                params,
                "generator.project",
                config.latent,
                2 * config.base * 49,
            )?,
            up: [
                conv_params(backend, params, &shapes, 2)?,
                conv_params(backend, params, &shapes, 4)?,
            ],
            config,
        })
    }

    /// The architecture.
    pub fn config(&self) -> &GanConfig {
        &self.config
    }

    /// Latents `[batch, latent]` → images `[batch, channels, 28, 28]` in [-1, 1].
    pub fn generate(&self, backend: &B, z: &B::Tensor) -> Result<B::Tensor> {
        self.generate_normed(backend, z, |_, h| Ok(h))
    }

    /// [`Generator::generate`] with `norm` applied to the hidden activations before each ReLU: the trainer passes
    /// its training-mode batch norms here (at inference they are folded into the weights, and `norm` is the
    /// identity), so training and the browser run one definition.
    pub fn generate_normed(
        &self,
        backend: &B,
        z: &B::Tensor,
        mut norm: impl FnMut(GeneratorNorm, B::Tensor) -> Result<B::Tensor>,
    ) -> Result<B::Tensor> {
        let batch = match backend.shape(z).as_slice() {
            [batch, l] if *l == self.config.latent => *batch,
            other => {
                return Err(Error::Shape(format!(
                    "latents must be [batch, {}], got {other:?}",
                    self.config.latent
                )))
            }
        };
        let h = self.project.forward(backend, z, None)?;
        let h = norm(GeneratorNorm::Project, h)?;
        let h = backend.activate(&h, Activation::Relu)?;
        let h = backend.reshape(&h, &[batch, 2 * self.config.base, 7, 7])?;
        let h = backend.conv_transpose2d(&h, &self.up[0].0, &self.up[0].1, STEP)?;
        let h = norm(GeneratorNorm::Up0, h)?;
        let h = backend.activate(&h, Activation::Relu)?;
        let h = backend.conv_transpose2d(&h, &self.up[1].0, &self.up[1].1, STEP)?;
        backend.activate(&h, Activation::Tanh)
    }
}

/// The discriminator on backend `B`.
pub struct Discriminator<B: Backend> {
    config: GanConfig,
    down: [(B::Tensor, B::Tensor); 2],
    score: Linear<B>,
}

impl<B: Backend> Discriminator<B> {
    /// Builds the discriminator, checking every tensor against `config`.
    pub fn new(backend: &B, config: GanConfig, params: &mut impl Params<B>) -> Result<Self> {
        let config = config.validated()?;
        let shapes = config.discriminator_shapes();
        Ok(Self {
            down: [
                conv_params(backend, params, &shapes, 0)?,
                conv_params(backend, params, &shapes, 2)?,
            ],
            score: Linear::new(
                backend,
                params,
                "discriminator.score",
                2 * config.base * 49,
                1,
            )?,
            config,
        })
    }

    /// Images `[batch, channels, 28, 28]` in [-1, 1] → logits `[batch, 1]` (sigmoid: probability "real").
    pub fn logits(&self, backend: &B, images: &B::Tensor) -> Result<B::Tensor> {
        let (c, s) = (self.config.channels, GanConfig::SIDE);
        let batch = match backend.shape(images).as_slice() {
            [batch, ch, h, w] if (*ch, *h, *w) == (c, s, s) => *batch,
            other => {
                return Err(Error::Shape(format!(
                    "images must be [batch, {c}, {s}, {s}], got {other:?}"
                )))
            }
        };
        let leaky = Activation::LeakyRelu(0.2);
        let h = backend.conv2d(images, &self.down[0].0, &self.down[0].1, STEP)?;
        let h = backend.activate(&h, leaky)?;
        let h = backend.conv2d(&h, &self.down[1].0, &self.down[1].1, STEP)?;
        let h = backend.activate(&h, leaky)?;
        let h = backend.reshape(&h, &[batch, 2 * self.config.base * 49])?;
        self.score.forward(backend, &h, None)
    }
}

#[cfg(test)]
#[cfg(feature = "cpu")]
mod tests {
    use super::*;
    use crate::backend::prelude::*;
    use crate::cpu::CpuBackend;

    fn values(n: usize, seed: u32) -> Vec<f32> {
        (0..n)
            .map(|i| ((i as u32).wrapping_mul(2654435761) ^ seed) % 1000)
            .map(|v| v as f32 / 1000.0 - 0.5)
            .collect()
    }

    #[test]
    fn folding_a_batch_norm_equals_applying_it() {
        let mut w = HostWeights::new();
        w.insert("l.weight", vec![3, 2], values(6, 1)).unwrap();
        w.insert("l.bias", vec![3], values(3, 2)).unwrap();
        w.insert("bn.weight", vec![3], vec![1.5, 0.5, -1.0])
            .unwrap();
        w.insert("bn.bias", vec![3], vec![0.1, 0.2, 0.3]).unwrap();
        w.insert("bn.running_mean", vec![3], vec![0.05, -0.1, 0.0])
            .unwrap();
        w.insert("bn.running_var", vec![3], vec![0.5, 2.0, 1.0])
            .unwrap();
        let x = [0.3f32, -0.7];
        let (lw, lb) = (
            w.get("l.weight").unwrap().1.to_vec(),
            w.get("l.bias").unwrap().1.to_vec(),
        );
        let expected: Vec<f32> = (0..3)
            .map(|o| {
                let y = lw[o * 2] * x[0] + lw[o * 2 + 1] * x[1] + lb[o];
                let (g, b, m, v) = (
                    w.get("bn.weight").unwrap().1[o],
                    w.get("bn.bias").unwrap().1[o],
                    w.get("bn.running_mean").unwrap().1[o],
                    w.get("bn.running_var").unwrap().1[o],
                );
                g * (y - m) / (v + BATCH_NORM_EPS).sqrt() + b
            })
            .collect();
        fold_batch_norm(&mut w, "l", "bn", 0, BATCH_NORM_EPS).unwrap();
        assert!(w.get("bn.weight").is_none());
        let (fw, fb) = (w.get("l.weight").unwrap().1, w.get("l.bias").unwrap().1);
        for o in 0..3 {
            let y = fw[o * 2] * x[0] + fw[o * 2 + 1] * x[1] + fb[o];
            assert!(
                (y - expected[o]).abs() < 1e-5,
                "{o}: {y} vs {}",
                expected[o]
            );
        }
    }

    #[test]
    fn generator_and_discriminator_shapes() {
        let config = GanConfig {
            latent: 8,
            base: 4,
            channels: 1,
        };
        let mut w = HostWeights::new();
        for (name, shape) in config
            .generator_shapes()
            .into_iter()
            .chain(config.discriminator_shapes())
        {
            let n = shape.iter().product();
            w.insert(name, shape, values(n, 3).iter().map(|v| v * 0.2).collect())
                .unwrap();
        }
        let cpu = CpuBackend;
        let g = Generator::new(&cpu, config.clone(), &mut w).unwrap();
        let d = Discriminator::new(&cpu, config, &mut w).unwrap();
        w.finish().unwrap();
        let z = cpu.upload(&values(3 * 8, 4), &[3, 8]).unwrap();
        let images = g.generate(&cpu, &z).unwrap();
        assert_eq!(cpu.shape(&images), vec![3, 1, 28, 28]);
        let pixels = pollster::block_on(cpu.read(&images)).unwrap();
        assert!(pixels.iter().all(|p| (-1.0..=1.0).contains(p)));
        assert_eq!(cpu.shape(&d.logits(&cpu, &images).unwrap()), vec![3, 1]);
        assert!(g
            .generate(&cpu, &cpu.upload(&[0.0; 7], &[1, 7]).unwrap())
            .is_err());
    }
}
