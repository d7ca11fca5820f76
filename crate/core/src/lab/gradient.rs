//! What the gradient-trained families share: a model that scores a batch of points by `log p(x)` as a candle
//! tensor ([`Trainable`]; every one is a [`Density`] through it), the small MLP their networks are made of
//! ([`Mlp`]), and one trainer that lowers the minibatch NLL by AdamW ([`Trainer`]). The flow, the autoregressive
//! model and the VAE are all trained by it, natively and in the browser's worker alike.

use candle_core::{Device, Result, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{Density, Point};

/// A density in the plane trained by gradient steps on its log-likelihood.
pub trait Trainable {
    /// Every trainable variable.
    fn vars(&self) -> Vec<Var>;

    /// `log p(x)` for each row of `x` (`[n, 2]` → `[n]`), differentiable in [`Trainable::vars`].
    fn log_prob(&self, x: &Tensor) -> Result<Tensor>;

    /// `n` samples drawn from `seed`.
    fn sample(&self, n: usize, seed: u64) -> Result<Vec<Point>>;

    /// What the heat map paints at `points`, in nats: `log p` unless the family says otherwise (the VAE paints
    /// its ELBO, far cheaper over a grid than its importance-weighted bound).
    fn heat_log_densities(&self, points: &[Point]) -> Vec<f64> {
        self.log_densities(points)
    }

    /// `log p` at many points in one batched pass (the [`Density`] the page and the tests read).
    fn log_probs(&self, points: &[Point]) -> Result<Vec<f64>> {
        if points.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .log_prob(&to_tensor(points)?)?
            .to_vec1::<f32>()?
            .into_iter()
            .map(f64::from)
            .collect())
    }
}

/// Every trainable model is a [`Density`] by its batched [`Trainable::log_probs`]; a failed pass (it cannot fail
/// on finite inputs of the right shape) reads as "no density there".
impl<T: Trainable + ?Sized> Density for T {
    fn log_density(&self, x: Point) -> f64 {
        self.log_densities(&[x])[0]
    }

    fn log_densities(&self, points: &[Point]) -> Vec<f64> {
        self.log_probs(points)
            .unwrap_or_else(|_| vec![f64::NEG_INFINITY; points.len()])
    }
}

/// Half the range and the middle of the widths' `log σ`: [`bounded_log_sigma`] keeps it in `[-4, 1]`.
const LOG_SIGMA: (f64, f64) = (2.5, -1.5);

/// A raw network output as a Gaussian's `log σ = 2.5·tanh(raw) − 1.5`, in `[-4, 1]` (σ from 0.018 to 2.7), so
/// that no step can collapse a width onto one point or blow it up (the autoregressive model's and the VAE's).
pub fn bounded_log_sigma(raw: &Tensor) -> Result<Tensor> {
    raw.tanh()?.affine(LOG_SIGMA.0, LOG_SIGMA.1)
}

/// [`bounded_log_sigma`] of one host number (for sampling).
pub fn bounded_log_sigma_of(raw: f64) -> f64 {
    raw.tanh() * LOG_SIGMA.0 + LOG_SIGMA.1
}

/// Three layers, `input → hidden → hidden → output`, `tanh` after the first two: the network inside each family.
/// Each model initialises its own weights (which start at zero is part of its design), so they come in built.
pub struct Mlp {
    /// `(weight [fan_in, fan_out], bias [1, fan_out])` per layer.
    layers: [(Var, Var); 3],
}

impl Mlp {
    /// The network of these layers.
    pub fn new(layers: [(Var, Var); 3]) -> Mlp {
        Mlp { layers }
    }

    /// The output for each row of `x` (`[n, input]` → `[n, output]`).
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        // A column cut from a wider tensor (a coupling layer's kept coordinate) is strided: matmul wants it dense.
        let mut h = x.contiguous()?;
        for (i, (w, b)) in self.layers.iter().enumerate() {
            h = h.matmul(w.as_tensor())?.broadcast_add(b.as_tensor())?;
            if i < 2 {
                h = h.tanh()?;
            }
        }
        Ok(h)
    }

    /// Every weight and bias.
    pub fn vars(&self) -> Vec<Var> {
        self.layers
            .iter()
            .flat_map(|(w, b)| [w.clone(), b.clone()])
            .collect()
    }
}

/// Training settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradientSettings {
    /// AdamW's learning rate.
    pub learning_rate: f64,
    /// Points per step, drawn with replacement.
    pub batch: usize,
}

/// Maximum likelihood by AdamW on minibatches of the training points.
pub struct Trainer<M> {
    /// The model now.
    pub model: M,
    optimizer: AdamW,
    rng: ChaCha8Rng,
    settings: GradientSettings,
    /// Steps taken.
    pub steps: usize,
}

impl<M: Trainable> Trainer<M> {
    /// An optimiser for `model`, its minibatches drawn from `seed`.
    pub fn new(model: M, settings: GradientSettings, seed: u64) -> Result<Trainer<M>> {
        let optimizer = AdamW::new(
            model.vars(),
            ParamsAdamW {
                lr: settings.learning_rate,
                weight_decay: 0.0,
                ..ParamsAdamW::default()
            },
        )?;
        Ok(Trainer {
            model,
            optimizer,
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5eed),
            settings,
            steps: 0,
        })
    }

    /// One step on a minibatch of `points`; returns the batch's NLL before the step.
    pub fn step(&mut self, points: &[Point]) -> Result<f64> {
        if points.is_empty() {
            return Ok(f64::NAN);
        }
        let batch: Vec<Point> = (0..self.settings.batch.max(1))
            .map(|_| points[self.rng.random_range(0..points.len())])
            .collect();
        let loss = self
            .model
            .log_prob(&to_tensor(&batch)?)?
            .mean_all()?
            .neg()?;
        self.optimizer.backward_step(&loss)?;
        self.steps += 1;
        Ok(f64::from(loss.to_scalar::<f32>()?))
    }
}

/// `rows × columns` values uniform in ±1/√fan_in, as a trainable variable.
pub fn uniform(rng: &mut ChaCha8Rng, rows: usize, columns: usize, fan_in: usize) -> Result<Var> {
    let bound = 1.0 / (fan_in.max(1) as f32).sqrt();
    let values: Vec<f32> = (0..rows * columns)
        .map(|_| (rng.random::<f32>() * 2.0 - 1.0) * bound)
        .collect();
    Var::from_tensor(&Tensor::from_vec(values, (rows, columns), &Device::Cpu)?)
}

/// Points as an `[n, 2]` f32 tensor.
pub fn to_tensor(points: &[Point]) -> Result<Tensor> {
    let flat: Vec<f32> = points
        .iter()
        .flat_map(|p| [p[0] as f32, p[1] as f32])
        .collect();
    Tensor::from_vec(flat, (points.len(), 2), &Device::Cpu)
}

/// An `[n, 2]` tensor as points.
pub fn to_points(t: &Tensor) -> Result<Vec<Point>> {
    Ok(t.to_vec2::<f32>()?
        .into_iter()
        .map(|r| [f64::from(r[0]), f64::from(r[1])])
        .collect())
}

/// A number from the environment, else `default`: how the ring tests take a hyper-parameter search's settings.
#[cfg(test)]
pub fn env_or(key: &str, default: f64) -> f64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
