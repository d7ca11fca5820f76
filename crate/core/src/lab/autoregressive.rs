//! An autoregressive model of the plane: the chain rule `p(x) = p(x₁) · p(x₂ | x₁)`, each factor a 1-D mixture of
//! Gaussians. `p(x₁)`'s weights, means and scales are free parameters; `p(x₂ | x₁)`'s come out of a small MLP of
//! `x₁` (a mixture density network), so the conditional can change shape — one mode, two, none — as `x₁` moves.
//! The log-likelihood is exact, a sum of two 1-D mixtures' log-densities, and samples are drawn in order: `x₁`,
//! then `x₂` given it. The same factorisation, with more factors and a transformer for the conditionals, is the
//! site's language model. Trained by [`super::gradient::Trainer`] on candle's CPU tensors in `f32`.

use std::f64::consts::PI;

use candle_core::{DType, Device, Result, Tensor, Var, D};
use candle_nn::ops::log_softmax;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::gradient::{
    bounded_log_sigma, bounded_log_sigma_of, uniform, GradientSettings, Mlp, Trainable, Trainer,
};
use super::Point;
use crate::latent::standard_normals;

/// The model's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArConfig {
    /// Gaussians in each of the two 1-D mixtures.
    pub components: usize,
    /// Hidden units in the conditional's MLP (two hidden layers).
    pub hidden: usize,
}

impl Default for ArConfig {
    fn default() -> Self {
        ArConfig {
            components: 8,
            hidden: 64,
        }
    }
}

/// Where the starting means of both mixtures are spread, `[-SPREAD, SPREAD]`: the lab's data sets lie in it.
const SPREAD: f32 = 3.0;

/// `log Σₖ wₖ N(x; μₖ, σₖ)` for each row: `logits`, `means` and `raw` scales `[n, M]` or `[1, M]`, `x` `[n, 1]`.
fn mixture_log_prob(logits: &Tensor, means: &Tensor, raw: &Tensor, x: &Tensor) -> Result<Tensor> {
    let log_w = log_softmax(logits, D::Minus1)?;
    let log_s = bounded_log_sigma(raw)?;
    let z = x
        .broadcast_sub(means)?
        .broadcast_mul(&log_s.neg()?.exp()?)?;
    let terms = (z.sqr()? * -0.5)?
        .broadcast_sub(&log_s)?
        .broadcast_add(&log_w)?
        .affine(1.0, -0.5 * (2.0 * PI).ln())?;
    // log-sum-exp with the maximum held constant: the gradient is the same and needs no path through `max`.
    let max = terms.max_keepdim(D::Minus1)?.detach();
    terms
        .broadcast_sub(&max)?
        .exp()?
        .sum_keepdim(D::Minus1)?
        .log()?
        .add(&max)?
        .squeeze(D::Minus1)
}

/// One draw from each row's mixture (`logits`, `means`, `raw` scales as host rows).
fn draw(rng: &mut ChaCha8Rng, logits: &[f32], means: &[f32], raw: &[f32], noise: f32) -> f64 {
    let top = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let weights: Vec<f64> = logits.iter().map(|&l| f64::from(l - top).exp()).collect();
    let mut u = rng.random::<f64>() * weights.iter().sum::<f64>();
    let k = weights
        .iter()
        .position(|w| {
            u -= w;
            u <= 0.0
        })
        .unwrap_or(weights.len() - 1);
    let sigma = bounded_log_sigma_of(f64::from(raw[k])).exp();
    f64::from(means[k]) + sigma * f64::from(noise)
}

/// The model: `p(x₁)`'s free mixture and `p(x₂ | x₁)`'s network.
pub struct Autoregressive {
    /// `p(x₁)`: weights' logits, means and raw scales, each `[1, M]`.
    marginal: [Var; 3],
    /// `p(x₂ | x₁)`'s MLP, 1 → hidden → hidden → 3M (logits, means, raw scales).
    net: Mlp,
    components: usize,
}

impl Autoregressive {
    /// A fresh model from `seed`: both mixtures start with their means spread evenly over `[-3, 3]`, the
    /// conditional's last layer at zero (so it starts as the same mixture whatever `x₁` is).
    pub fn new(config: ArConfig, seed: u64) -> Result<Autoregressive> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (m, h) = (config.components.max(1), config.hidden.max(1));
        let cpu = &Device::Cpu;
        let spread: Vec<f32> = (0..m)
            .map(|k| {
                if m == 1 {
                    0.0
                } else {
                    -SPREAD + 2.0 * SPREAD * k as f32 / (m - 1) as f32
                }
            })
            .collect();
        let zeros = |rows, columns| Var::zeros((rows, columns), DType::F32, cpu);
        let marginal = [
            zeros(1, m)?,
            Var::from_tensor(&Tensor::from_vec(spread.clone(), (1, m), cpu)?)?,
            zeros(1, m)?,
        ];
        let mut bias = vec![0f32; 3 * m];
        bias[m..2 * m].copy_from_slice(&spread);
        let net = Mlp::new([
            (uniform(&mut rng, 1, h, 1)?, uniform(&mut rng, 1, h, 1)?),
            (uniform(&mut rng, h, h, h)?, zeros(1, h)?),
            (
                zeros(h, 3 * m)?,
                Var::from_tensor(&Tensor::from_vec(bias, (1, 3 * m), cpu)?)?,
            ),
        ]);
        Ok(Autoregressive {
            marginal,
            net,
            components: m,
        })
    }

    /// `p(x₂ | x₁)`'s mixture for each row of `x1` (`[n, 1]`): logits, means and raw scales, each `[n, M]`.
    fn conditional(&self, x1: &Tensor) -> Result<[Tensor; 3]> {
        let out = self.net.forward(x1)?;
        let m = self.components;
        Ok([
            out.narrow(1, 0, m)?,
            out.narrow(1, m, m)?,
            out.narrow(1, 2 * m, m)?,
        ])
    }
}

impl Trainable for Autoregressive {
    fn vars(&self) -> Vec<Var> {
        let mut vars = self.marginal.to_vec();
        vars.extend(self.net.vars());
        vars
    }

    /// `log p(x₁) + log p(x₂ | x₁)`.
    fn log_prob(&self, x: &Tensor) -> Result<Tensor> {
        let (x1, x2) = (x.narrow(1, 0, 1)?, x.narrow(1, 1, 1)?);
        let [logits, means, raw] = self.marginal.each_ref().map(|v| v.as_tensor());
        let first = mixture_log_prob(logits, means, raw, &x1)?;
        let [logits, means, raw] = self.conditional(&x1)?;
        first + mixture_log_prob(&logits, &means, &raw, &x2)?
    }

    /// `x₁` from `p(x₁)`, then `x₂` from `p(x₂ | x₁)`.
    fn sample(&self, n: usize, seed: u64) -> Result<Vec<Point>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let noise = standard_normals(&mut rng, 2 * n);
        let row = |v: &Var| -> Result<Vec<f32>> { v.as_tensor().flatten_all()?.to_vec1() };
        let (logits, means, raw) = (
            row(&self.marginal[0])?,
            row(&self.marginal[1])?,
            row(&self.marginal[2])?,
        );
        let x1: Vec<f64> = (0..n)
            .map(|i| draw(&mut rng, &logits, &means, &raw, noise[2 * i]))
            .collect();
        let column: Vec<f32> = x1.iter().map(|&v| v as f32).collect();
        let [logits, means, raw] = self
            .conditional(&Tensor::from_vec(column, (n, 1), &Device::Cpu)?)?
            .map(|t| t.to_vec2::<f32>());
        let (logits, means, raw) = (logits?, means?, raw?);
        Ok((0..n)
            .map(|i| {
                let x2 = draw(&mut rng, &logits[i], &means[i], &raw[i], noise[2 * i + 1]);
                [x1[i], x2]
            })
            .collect())
    }
}

/// The autoregressive model's training settings (chosen on the ring, natively; see the tests).
pub const AR_TRAINING: GradientSettings = GradientSettings {
    learning_rate: 3e-3,
    batch: 256,
};

/// A fresh model and optimiser from `seed`.
pub fn ar_trainer(
    config: ArConfig,
    settings: GradientSettings,
    seed: u64,
) -> Result<Trainer<Autoregressive>> {
    Trainer::new(Autoregressive::new(config, seed)?, settings, seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::data::{split, DataSet, TrueRing};
    use crate::lab::gradient::env_or;
    use crate::lab::{Density, Window};

    #[test]
    fn the_chain_rule_density_integrates_to_one_and_samples_follow_it() {
        let points = DataSet::Moons.sample(1000, 2);
        let mut t = ar_trainer(ArConfig::default(), AR_TRAINING, 3).unwrap();
        let start = t.model.nll(&points);
        for _ in 0..300 {
            t.step(&points).unwrap();
        }
        let after = t.model.nll(&points);
        assert!(after < start - 0.5, "NLL {start:.3} → {after:.3}");
        let integral = Window::LAB.integral(&t.model);
        assert!(
            (integral - 1.0).abs() < 0.01,
            "the trained model integrates to {integral}"
        );
        // Its own samples are likely under it: their NLL is near the data's, far below a fresh model's.
        let samples = t.model.sample(2000, 5).unwrap();
        let fresh = Autoregressive::new(ArConfig::default(), 3).unwrap();
        let (own, fresh) = (t.model.nll(&samples), fresh.nll(&samples));
        assert!(
            (own - after).abs() < 0.3 && own < fresh,
            "samples' NLL {own:.3} (data {after:.3}, fresh model {fresh:.3})"
        );
    }

    /// Issue #19's goal: within 0.3 nats of the ring's true held-out NLL (`STEPS`, `LR`, `BATCH`, `HIDDEN`,
    /// `COMPONENTS` override the defaults for a search).
    #[test]
    fn on_the_ring_the_chain_rule_comes_within_three_tenths_of_a_nat_of_the_truth() {
        let (train, held_out) = split(&DataSet::Ring.sample(1000, 1), 5);
        let config = ArConfig {
            components: env_or("COMPONENTS", 8.0) as usize,
            hidden: env_or("HIDDEN", 64.0) as usize,
        };
        let settings = GradientSettings {
            learning_rate: env_or("LR", AR_TRAINING.learning_rate),
            batch: env_or("BATCH", AR_TRAINING.batch as f64) as usize,
        };
        let mut t = ar_trainer(config, settings, 1).unwrap();
        let started = std::time::Instant::now();
        let steps = env_or("STEPS", 1500.0) as usize;
        for step in 0..steps {
            t.step(&train).unwrap();
            if step % 250 == 0 {
                eprintln!("step {step}: held-out NLL {:.3}", t.model.nll(&held_out));
            }
        }
        let (model, truth) = (t.model.nll(&held_out), TrueRing.nll(&held_out));
        eprintln!(
            "autoregressive {model:.3} vs truth {truth:.3}; {:.0} steps/s",
            steps as f64 / started.elapsed().as_secs_f64()
        );
        assert!(
            model - truth < 0.3,
            "held-out NLL {model:.3} vs the truth's {truth:.3}"
        );
    }
}
