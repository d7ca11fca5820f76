//! The 2-D lab: small density models of the survey's families trained on points in the plane, and what every
//! family is judged by — held-out negative log-likelihood in nats and a density that integrates to one.
//!
//! - [`data`]: the seeded data sets (a ring of 8 Gaussians, two moons, a spiral, a checkerboard, a pinwheel), the
//!   ring's true density, and the held-out split.
//! - [`gmm`]: a Gaussian mixture trained by EM, one half-step at a time (plain `f64` Rust).
//! - [`flow`]: a RealNVP normalizing flow trained by maximum likelihood (candle's tensors and autograd; needs the
//!   `cpu` feature).
//! - [`autoregressive`]: the chain rule `p(x₁)·p(x₂ | x₁)` with 1-D mixture-density factors (candle; `cpu`).
//! - [`gradient`]: what the gradient-trained families share — the [`gradient::Trainable`] trait and one AdamW
//!   trainer on minibatches (`cpu`).
//! - [`vae`]: a VAE with a 2-D latent, trained on the ELBO and scored by the importance-weighted bound (`cpu`).
//! - [`trained`]: the gradient-trained families behind one interface (start, steps, a picture), which the
//!   inference worker hosts.
//!
//! The same code trains natively in the tests and in the browser.

#[cfg(feature = "cpu")]
pub mod autoregressive;
pub mod data;
#[cfg(feature = "cpu")]
pub mod flow;
pub mod gmm;
#[cfg(feature = "cpu")]
pub mod gradient;
#[cfg(feature = "cpu")]
pub mod trained;
#[cfg(feature = "cpu")]
pub mod vae;

/// A point in the plane.
pub type Point = [f64; 2];

/// A model with a log-density over the plane (in nats).
pub trait Density {
    /// `log p(x)`.
    fn log_density(&self, x: Point) -> f64;

    /// `log p` at each of `points`: one call per point unless a model batches them (the flow does).
    fn log_densities(&self, points: &[Point]) -> Vec<f64> {
        points.iter().map(|&x| self.log_density(x)).collect()
    }

    /// The mean negative log-likelihood of `points` in nats (the survey's NLL); infinite for no points.
    fn nll(&self, points: &[Point]) -> f64 {
        if points.is_empty() {
            return f64::INFINITY;
        }
        -self.log_densities(points).iter().sum::<f64>() / points.len() as f64
    }
}

/// The square window the lab shows and integrates over, `[-half, half]²`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// Half the side.
    pub half: f64,
    /// Cells per side of the density grid.
    pub cells: usize,
}

impl Window {
    /// The lab's window: [-4, 4]², which holds every data set with room to spare, in 200 × 200 cells.
    pub const LAB: Window = Window {
        half: 4.0,
        cells: 200,
    };

    /// The side of one cell.
    pub fn cell(&self) -> f64 {
        2.0 * self.half / self.cells as f64
    }

    /// The centre of cell `(column, row)`; row 0 is the top (largest y), as a canvas draws it.
    pub fn centre(&self, column: usize, row: usize) -> Point {
        let cell = self.cell();
        [
            -self.half + (column as f64 + 0.5) * cell,
            self.half - (row as f64 + 0.5) * cell,
        ]
    }

    /// Every cell centre, row by row from the top (`cells²` points).
    pub fn centres(&self) -> Vec<Point> {
        (0..self.cells * self.cells)
            .map(|i| self.centre(i % self.cells, i / self.cells))
            .collect()
    }

    /// `model`'s density at every cell centre, row by row from the top (`cells²` values), in one batch: a model
    /// that batches (the flow, the mixture) pays its set-up once per grid, not once per cell.
    pub fn densities(&self, model: &(impl Density + ?Sized)) -> Vec<f64> {
        model
            .log_densities(&self.centres())
            .into_iter()
            .map(f64::exp)
            .collect()
    }

    /// The integral of `model`'s density over the window by the midpoint rule: 1 for a proper density whose mass
    /// lies inside.
    pub fn integral(&self, model: &(impl Density + ?Sized)) -> f64 {
        self.densities(model).iter().sum::<f64>() * self.cell() * self.cell()
    }
}

/// `log Σ exp(values)` without overflow; −∞ for no values or all −∞.
pub fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + values.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct StandardNormal;
    impl Density for StandardNormal {
        fn log_density(&self, [x, y]: Point) -> f64 {
            -(x * x + y * y) / 2.0 - (2.0 * std::f64::consts::PI).ln()
        }
    }

    #[test]
    fn the_window_integrates_a_normal_to_one_and_its_rows_run_from_the_top() {
        assert!((Window::LAB.integral(&StandardNormal) - 1.0).abs() < 1e-3);
        let w = Window {
            half: 1.0,
            cells: 2,
        };
        assert_eq!(w.centre(0, 0), [-0.5, 0.5]);
        assert_eq!(w.centre(1, 1), [0.5, -0.5]);
        // The NLL of the origin: log 2π.
        assert!(
            (StandardNormal.nll(&[[0.0, 0.0]]) - (2.0 * std::f64::consts::PI).ln()).abs() < 1e-12
        );
        assert_eq!(StandardNormal.nll(&[]), f64::INFINITY);
    }

    #[test]
    fn log_sum_exp_is_stable() {
        assert!((log_sum_exp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-9);
        assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
        assert_eq!(log_sum_exp(&[f64::NEG_INFINITY]), f64::NEG_INFINITY);
    }
}
