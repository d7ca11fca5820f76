//! A normalizing flow in the plane (RealNVP's affine coupling layers), trained by maximum likelihood with the exact
//! log-likelihood of the change of variables:
//! `log p(x) = log N(f(x); 0, I) + log |det ∂f/∂x|`.
//!
//! Each layer keeps one coordinate `a` and moves the other: `b' = b·exp(s(a)) + t(a)`, with `s, t` from a small
//! MLP of `a`, so its Jacobian is triangular and `log |det|` is just `s(a)`. Layers alternate which coordinate
//! they keep. The scale goes through `tanh` (bounded by [`MAX_LOG_SCALE`]) so that early steps cannot blow up.
//! It runs on candle's CPU tensors in `f32`, with candle's autograd and AdamW, natively and in wasm alike.

use candle_core::{DType, Device, Result, Tensor, Var, D};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::gradient::{to_points, uniform, GradientSettings, Mlp, Trainable, Trainer};
use super::Point;
use crate::latent::standard_normals;

/// The largest |log-scale| one layer applies.
pub const MAX_LOG_SCALE: f64 = 2.0;

/// A flow's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowConfig {
    /// Coupling layers (alternating which coordinate is kept).
    pub layers: usize,
    /// Hidden units in each layer's MLP (two hidden layers).
    pub hidden: usize,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            layers: 8,
            hidden: 32,
        }
    }
}

/// One coupling layer: an MLP `a ↦ (s, t)`, 1 → hidden → hidden → 2, and the coordinate it keeps.
struct Coupling {
    net: Mlp,
    /// The coordinate this layer keeps (0 or 1).
    kept: usize,
}

impl Coupling {
    /// Raw log-scale and shift for the kept column `a` (`[n, 1]`), each `[n, 1]`.
    fn scale_and_shift(&self, a: &Tensor) -> Result<(Tensor, Tensor)> {
        let st = self.net.forward(a)?;
        let s = (st.narrow(1, 0, 1)?.tanh()? * MAX_LOG_SCALE)?;
        Ok((s, st.narrow(1, 1, 1)?))
    }

    /// Puts the kept and moved columns back in coordinate order.
    fn join(&self, kept: &Tensor, moved: &Tensor) -> Result<Tensor> {
        if self.kept == 0 {
            Tensor::cat(&[kept, moved], 1)
        } else {
            Tensor::cat(&[moved, kept], 1)
        }
    }
}

/// A RealNVP flow in the plane.
pub struct Flow {
    layers: Vec<Coupling>,
}

impl Flow {
    /// A fresh flow from `seed`. The last layer of each MLP starts at zero, so the flow starts as the identity and
    /// its density as the base Gaussian.
    pub fn new(config: FlowConfig, seed: u64) -> Result<Flow> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let h = config.hidden.max(1);
        let zeros = |rows, columns| Var::zeros((rows, columns), DType::F32, &Device::Cpu);
        let layers = (0..config.layers)
            .map(|i| {
                Ok(Coupling {
                    net: Mlp::new([
                        (uniform(&mut rng, 1, h, 1)?, uniform(&mut rng, 1, h, 1)?),
                        (uniform(&mut rng, h, h, h)?, zeros(1, h)?),
                        (zeros(h, 2)?, zeros(1, 2)?),
                    ]),
                    kept: i % 2,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Flow { layers })
    }

    /// `x` (`[n, 2]`) → `(z, log |det ∂z/∂x|)`, `[n, 2]` and `[n]`.
    pub fn forward(&self, x: &Tensor) -> Result<(Tensor, Tensor)> {
        let n = x.dim(0)?;
        let mut z = x.clone();
        let mut log_det = Tensor::zeros((n, 1), DType::F32, &Device::Cpu)?;
        for layer in &self.layers {
            let a = z.narrow(1, layer.kept, 1)?;
            let b = z.narrow(1, 1 - layer.kept, 1)?;
            let (s, t) = layer.scale_and_shift(&a)?;
            let moved = (b * s.exp()?)?.add(&t)?;
            z = layer.join(&a, &moved)?;
            log_det = (log_det + s)?;
        }
        Ok((z, log_det.squeeze(1)?))
    }

    /// `z` (`[n, 2]`) → `x`: the layers undone in reverse order (how samples are drawn).
    pub fn inverse(&self, z: &Tensor) -> Result<Tensor> {
        let mut x = z.clone();
        for layer in self.layers.iter().rev() {
            let a = x.narrow(1, layer.kept, 1)?;
            let moved = x.narrow(1, 1 - layer.kept, 1)?;
            let (s, t) = layer.scale_and_shift(&a)?;
            let b = (moved.sub(&t)? * s.neg()?.exp()?)?;
            x = layer.join(&a, &b)?;
        }
        Ok(x)
    }
}

impl Trainable for Flow {
    fn vars(&self) -> Vec<Var> {
        self.layers.iter().flat_map(|c| c.net.vars()).collect()
    }

    fn log_prob(&self, x: &Tensor) -> Result<Tensor> {
        let (z, log_det) = self.forward(x)?;
        let base = ((z.sqr()?.sum(D::Minus1)? * -0.5)? - (2.0 * std::f64::consts::PI).ln())?;
        base + log_det
    }

    /// Base Gaussian draws from `seed` pushed through the inverse.
    fn sample(&self, n: usize, seed: u64) -> Result<Vec<Point>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let z = Tensor::from_vec(standard_normals(&mut rng, 2 * n), (n, 2), &Device::Cpu)?;
        to_points(&self.inverse(&z)?)
    }
}

/// The flow's training settings. Chosen on the ring, natively: a learning rate of 5e-3 fell faster, then
/// diverged on the held-out points after 1,500 steps (1.49 → 6.8 nats); 1e-3 kept falling (1.09 nats at 3,000
/// steps against the truth's 0.30).
pub const FLOW_TRAINING: GradientSettings = GradientSettings {
    learning_rate: 1e-3,
    batch: 256,
};

/// A flow and its optimiser.
pub type FlowTrainer = Trainer<Flow>;

/// A fresh flow and optimiser from `seed`.
pub fn flow_trainer(
    config: FlowConfig,
    settings: GradientSettings,
    seed: u64,
) -> Result<FlowTrainer> {
    Trainer::new(Flow::new(config, seed)?, settings, seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::data::{split, DataSet, TrueRing};
    use crate::lab::gradient::env_or;
    use crate::lab::gradient::to_tensor;
    use crate::lab::{Density, Window};

    /// A flow trained a little on the moons, so that its layers are far from the identity.
    fn trained(steps: usize) -> FlowTrainer {
        let points = DataSet::Moons.sample(1000, 2);
        let mut t = flow_trainer(FlowConfig::default(), FLOW_TRAINING, 3).unwrap();
        for _ in 0..steps {
            t.step(&points).unwrap();
        }
        t
    }

    #[test]
    fn the_flow_inverts_and_its_log_determinant_is_the_jacobians() {
        let t = trained(200);
        let points = DataSet::Moons.sample(64, 9);
        let x = to_tensor(&points).unwrap();
        let (z, log_det) = t.model.forward(&x).unwrap();
        let back = to_points(&t.model.inverse(&z).unwrap()).unwrap();
        for (p, q) in points.iter().zip(&back) {
            assert!(
                (p[0] - q[0]).abs() < 1e-4 && (p[1] - q[1]).abs() < 1e-4,
                "{p:?} came back as {q:?}"
            );
        }
        // ∂z/∂x at each point by central differences, Richardson-extrapolated from steps h and h/2 (error O(h⁴)
        // instead of O(h²), so f32's rounding, not the step, sets the accuracy).
        let log_det = log_det.to_vec1::<f32>().unwrap();
        let columns = |p: &Point, eps: f64| -> [Point; 2] {
            let shifted = vec![
                [p[0] + eps, p[1]],
                [p[0] - eps, p[1]],
                [p[0], p[1] + eps],
                [p[0], p[1] - eps],
            ];
            let (zs, _) = t.model.forward(&to_tensor(&shifted).unwrap()).unwrap();
            let zs = to_points(&zs).unwrap();
            let column =
                |a: Point, b: Point| [(a[0] - b[0]) / (2.0 * eps), (a[1] - b[1]) / (2.0 * eps)];
            [column(zs[0], zs[1]), column(zs[2], zs[3])]
        };
        for (i, p) in points.iter().enumerate().take(16) {
            let (coarse, fine) = (columns(p, 2e-2), columns(p, 1e-2));
            let richardson = |c: usize, r: usize| (4.0 * fine[c][r] - coarse[c][r]) / 3.0;
            let (dx, dy) = (
                [richardson(0, 0), richardson(0, 1)],
                [richardson(1, 0), richardson(1, 1)],
            );
            let det = dx[0] * dy[1] - dx[1] * dy[0];
            let numeric = det.abs().ln();
            assert!(
                (numeric - f64::from(log_det[i])).abs() < 1e-3,
                "point {i}: log|det| {} vs the numerical Jacobian's {numeric}",
                log_det[i]
            );
        }
    }

    #[test]
    fn the_flows_density_integrates_to_one_and_training_lowers_the_nll() {
        let points = DataSet::Moons.sample(1000, 2);
        let fresh = flow_trainer(FlowConfig::default(), FLOW_TRAINING, 3).unwrap();
        let t = trained(300);
        assert!(t.model.nll(&points) < fresh.model.nll(&points) - 0.5);
        let integral = Window::LAB.integral(&t.model);
        assert!(
            (integral - 1.0).abs() < 0.01,
            "the trained flow integrates to {integral}"
        );
        let samples = t.model.sample(500, 1).unwrap();
        assert!(samples.iter().all(|p| p[0].is_finite() && p[1].is_finite()));
    }

    #[test]
    #[ignore = "issue #19's goal, not met yet (1.09 nats against the truth's 0.30 after 3,000 steps, 25 s natively): cargo test --release -- --ignored"]
    fn on_the_ring_the_flow_comes_within_three_tenths_of_a_nat_of_the_truth() {
        let (train, held_out) = split(&DataSet::Ring.sample(1000, 1), 5);
        let config = FlowConfig {
            layers: env_or("LAYERS", 8.0) as usize,
            hidden: env_or("HIDDEN", 32.0) as usize,
        };
        let training = GradientSettings {
            learning_rate: env_or("LR", 5e-3),
            batch: env_or("BATCH", 256.0) as usize,
        };
        let mut t = flow_trainer(config, training, 1).unwrap();
        let started = std::time::Instant::now();
        for step in 0..env_or("STEPS", 3000.0) as usize {
            t.step(&train).unwrap();
            if step % 500 == 0 {
                eprintln!("step {step}: held-out NLL {:.3}", t.model.nll(&held_out));
            }
        }
        let (model, truth) = (t.model.nll(&held_out), TrueRing.nll(&held_out));
        eprintln!(
            "flow {model:.3} vs truth {truth:.3}; {:.0} steps/s",
            t.steps as f64 / started.elapsed().as_secs_f64()
        );
        assert!(
            model - truth < 0.3,
            "held-out NLL {model:.3} vs the truth's {truth:.3}"
        );
    }
}
