//! A Gaussian mixture with K full-covariance components, trained by expectation–maximisation:
//! `p(x) = Σₖ πₖ N(x; μₖ, Σₖ)`.
//!
//! The E-step gives each point its responsibilities `γₙₖ = πₖ N(xₙ; μₖ, Σₖ) / p(xₙ)`; the M-step sets each
//! component to the weighted share, mean and covariance of the points it is responsible for. Each full step never
//! lowers the training log-likelihood. [`EmTrainer`] takes one half-step at a time so the page can show both.

use std::f64::consts::PI;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::{log_sum_exp, Density, Point};

/// Added to each covariance's diagonal so a component that collapses onto one point stays invertible.
const FLOOR: f64 = 1e-6;

/// One component: weight, mean and covariance `[[a, b], [b, c]]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Component {
    /// The mixing weight πₖ.
    pub weight: f64,
    /// The mean μₖ.
    pub mean: Point,
    /// The covariance Σₖ as `[a, b, c]` for `[[a, b], [b, c]]`.
    pub cov: [f64; 3],
}

impl Component {
    /// `log N(x; μ, Σ)`.
    pub fn log_normal(&self, [x, y]: Point) -> f64 {
        let [a, b, c] = self.cov;
        let det = a * c - b * b;
        let (dx, dy) = (x - self.mean[0], y - self.mean[1]);
        // (x−μ)ᵀ Σ⁻¹ (x−μ) with Σ⁻¹ = [[c, −b], [−b, a]] / det.
        let mahalanobis = (c * dx * dx - 2.0 * b * dx * dy + a * dy * dy) / det;
        -0.5 * mahalanobis - 0.5 * det.ln() - (2.0 * PI).ln()
    }

    /// The ellipse of one standard deviation: (semi-axis lengths, angle of the first axis in radians).
    pub fn ellipse(&self) -> ([f64; 2], f64) {
        let [a, b, c] = self.cov;
        let mid = (a + c) / 2.0;
        let spread = ((a - c) * (a - c) / 4.0 + b * b).sqrt();
        let (major, minor) = (mid + spread, (mid - spread).max(0.0));
        let angle = 0.5 * (2.0 * b).atan2(a - c);
        ([major.sqrt(), minor.sqrt()], angle)
    }
}

/// A Gaussian mixture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gmm {
    /// The components, their weights summing to 1.
    pub components: Vec<Component>,
}

impl Density for Gmm {
    fn log_density(&self, x: Point) -> f64 {
        self.log_densities(&[x])[0]
    }

    fn log_densities(&self, points: &[Point]) -> Vec<f64> {
        let prepared = Prepared::of(self);
        let mut terms = Vec::with_capacity(self.components.len());
        points
            .iter()
            .map(|&x| {
                prepared.log_terms(x, &mut terms);
                log_sum_exp(&terms)
            })
            .collect()
    }
}

/// A mixture's components made ready for many evaluations: the inverse covariances and the constant part of each
/// `log πₖ + log N(x; μₖ, Σₖ)` computed once, so a grid of 40,000 cells costs one `exp` per cell and component
/// (the heat map drawn every frame of play) instead of two logarithms and an allocation more.
struct Prepared {
    /// Per component: the mean, `Σ⁻¹` as `[a, b, c]`, and `log πₖ − ½ log det Σₖ − log 2π`.
    components: Vec<(Point, [f64; 3], f64)>,
}

impl Prepared {
    fn of(gmm: &Gmm) -> Prepared {
        let components = gmm
            .components
            .iter()
            .map(|c| {
                let [a, b, d] = c.cov;
                let det = a * d - b * b;
                let inverse = [d / det, -b / det, a / det];
                (
                    c.mean,
                    inverse,
                    c.weight.ln() - 0.5 * det.ln() - (2.0 * PI).ln(),
                )
            })
            .collect();
        Prepared { components }
    }

    /// `log πₖ + log N(x; μₖ, Σₖ)` for each component, into `terms` (cleared first).
    fn log_terms(&self, [x, y]: Point, terms: &mut Vec<f64>) {
        terms.clear();
        terms.extend(self.components.iter().map(|&(mean, [a, b, c], constant)| {
            let (dx, dy) = (x - mean[0], y - mean[1]);
            constant - 0.5 * (a * dx * dx + 2.0 * b * dx * dy + c * dy * dy)
        }));
    }
}

impl Gmm {
    /// `k` components started by k-means++ seeding on `points` (each mean a data point, later ones far from
    /// earlier ones), each with the data's overall variance and equal weight. Needs at least one point.
    pub fn init(points: &[Point], k: usize, seed: u64) -> Gmm {
        let k = k.max(1);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let n = points.len().max(1);
        let mean = points
            .iter()
            .fold([0.0, 0.0], |m, p| [m[0] + p[0], m[1] + p[1]]);
        let mean = [mean[0] / n as f64, mean[1] / n as f64];
        let variance = points
            .iter()
            .map(|p| (p[0] - mean[0]).powi(2) + (p[1] - mean[1]).powi(2))
            .sum::<f64>()
            / (2 * n) as f64;
        let spread = variance.max(FLOOR) / k as f64;
        let mut means: Vec<Point> = Vec::with_capacity(k);
        let pick = |rng: &mut ChaCha8Rng, weights: &[f64]| -> usize {
            let total: f64 = weights.iter().sum();
            if total <= 0.0 {
                return rng.random_range(0..weights.len().max(1));
            }
            let mut u = rng.random::<f64>() * total;
            for (i, w) in weights.iter().enumerate() {
                u -= w;
                if u <= 0.0 {
                    return i;
                }
            }
            weights.len() - 1
        };
        while means.len() < k {
            let distances: Vec<f64> = points
                .iter()
                .map(|p| {
                    means
                        .iter()
                        .map(|m| (p[0] - m[0]).powi(2) + (p[1] - m[1]).powi(2))
                        .fold(f64::INFINITY, f64::min)
                        .min(1e300)
                })
                .collect();
            let chosen = points
                .get(pick(&mut rng, &distances))
                .copied()
                .unwrap_or(mean);
            means.push(chosen);
        }
        Gmm {
            components: means
                .into_iter()
                .map(|mean| Component {
                    weight: 1.0 / k as f64,
                    mean,
                    cov: [spread, 0.0, spread],
                })
                .collect(),
        }
    }

    /// The E-step: each point's responsibilities, `points.len() × k` row by row.
    pub fn responsibilities(&self, points: &[Point]) -> Vec<f64> {
        let prepared = Prepared::of(self);
        let mut terms = Vec::with_capacity(self.components.len());
        let mut out = Vec::with_capacity(points.len() * self.components.len());
        for &p in points {
            prepared.log_terms(p, &mut terms);
            let total = log_sum_exp(&terms);
            out.extend(terms.iter().map(|t| (t - total).exp()));
        }
        out
    }

    /// The M-step: the mixture that maximises the expected log-likelihood under `responsibilities`. A component
    /// responsible for (almost) no point keeps its mean and covariance and gets (almost) no weight.
    pub fn maximise(&self, points: &[Point], responsibilities: &[f64]) -> Gmm {
        let k = self.components.len();
        let n = points.len().max(1) as f64;
        let components = self
            .components
            .iter()
            .enumerate()
            .map(|(j, old)| {
                let gamma = |i: usize| responsibilities.get(i * k + j).copied().unwrap_or(0.0);
                let mass: f64 = (0..points.len()).map(gamma).sum();
                if mass < 1e-9 {
                    return Component {
                        weight: mass / n,
                        ..old.clone()
                    };
                }
                let mut mean = [0.0, 0.0];
                for (i, p) in points.iter().enumerate() {
                    mean[0] += gamma(i) * p[0];
                    mean[1] += gamma(i) * p[1];
                }
                mean = [mean[0] / mass, mean[1] / mass];
                let mut cov = [FLOOR, 0.0, FLOOR];
                for (i, p) in points.iter().enumerate() {
                    let (dx, dy) = (p[0] - mean[0], p[1] - mean[1]);
                    let g = gamma(i) / mass;
                    cov[0] += g * dx * dx;
                    cov[1] += g * dx * dy;
                    cov[2] += g * dy * dy;
                }
                Component {
                    weight: mass / n,
                    mean,
                    cov,
                }
            })
            .collect();
        Gmm { components }
    }
}

/// Which half of the EM step comes next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Half {
    /// Computing responsibilities.
    Expectation,
    /// Refitting the components.
    Maximisation,
}

/// EM on a fixed set of training points, one half-step at a time.
#[derive(Clone, Debug)]
pub struct EmTrainer {
    /// The mixture now.
    pub model: Gmm,
    /// The latest E-step's responsibilities (`points × k`), if one has run since the last M-step.
    pub responsibilities: Option<Vec<f64>>,
    /// Full steps taken.
    pub steps: usize,
}

impl EmTrainer {
    /// Starts from [`Gmm::init`].
    pub fn new(points: &[Point], k: usize, seed: u64) -> EmTrainer {
        EmTrainer {
            model: Gmm::init(points, k, seed),
            responsibilities: None,
            steps: 0,
        }
    }

    /// The half-step that comes next.
    pub fn next_half(&self) -> Half {
        if self.responsibilities.is_some() {
            Half::Maximisation
        } else {
            Half::Expectation
        }
    }

    /// Takes the next half-step on `points`.
    pub fn half_step(&mut self, points: &[Point]) {
        match self.responsibilities.take() {
            None => self.responsibilities = Some(self.model.responsibilities(points)),
            Some(r) if r.len() == points.len() * self.model.components.len() => {
                self.model = self.model.maximise(points, &r);
                self.steps += 1;
            }
            // The points changed since the E-step (the visitor drew some): take it again.
            Some(_) => self.responsibilities = Some(self.model.responsibilities(points)),
        }
    }

    /// A full step (E then M, or just M when an E-step is pending).
    pub fn step(&mut self, points: &[Point]) {
        let steps = self.steps;
        while self.steps == steps {
            self.half_step(points);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::data::{split, DataSet, TrueRing};
    use crate::lab::Window;

    #[test]
    fn em_never_lowers_the_training_likelihood() {
        for set in DataSet::ALL {
            let points = DataSet::sample(set, 600, 11);
            let mut em = EmTrainer::new(&points, 6, 2);
            let mut nll = em.model.nll(&points);
            for step in 0..40 {
                em.step(&points);
                let next = em.model.nll(&points);
                assert!(
                    next <= nll + 1e-9,
                    "{set:?} step {step}: NLL rose from {nll} to {next}"
                );
                nll = next;
            }
            let total: f64 = em.model.components.iter().map(|c| c.weight).sum();
            assert!((total - 1.0).abs() < 1e-9);
        }
    }

    #[test]
    fn eight_components_on_the_ring_come_within_a_tenth_of_a_nat_of_the_truth() {
        let (train, held_out) = split(&DataSet::Ring.sample(2000, 1), 5);
        let mut em = EmTrainer::new(&train, 8, 1);
        for _ in 0..100 {
            em.step(&train);
        }
        let (model, truth) = (em.model.nll(&held_out), TrueRing.nll(&held_out));
        assert!(
            (model - truth).abs() < 0.1,
            "held-out NLL {model:.3} vs the true density's {truth:.3}"
        );
        assert!((Window::LAB.integral(&em.model) - 1.0).abs() < 0.01);
    }

    #[test]
    fn half_steps_alternate_and_responsibilities_sum_to_one() {
        let points = DataSet::Moons.sample(100, 4);
        let mut em = EmTrainer::new(&points, 3, 9);
        assert_eq!(em.next_half(), Half::Expectation);
        em.half_step(&points);
        assert_eq!(em.next_half(), Half::Maximisation);
        let r = em.responsibilities.clone().unwrap();
        for row in r.chunks(3) {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
        em.half_step(&points);
        assert_eq!((em.steps, em.next_half()), (1, Half::Expectation));
        // Points drawn between the halves: the E-step is taken again rather than mixing sizes.
        em.half_step(&points);
        em.half_step(&points[..50]);
        assert_eq!((em.steps, em.next_half()), (1, Half::Maximisation));
    }

    #[test]
    fn the_prepared_grid_equals_each_components_own_formula() {
        let points = DataSet::Pinwheel.sample(300, 5);
        let mut em = EmTrainer::new(&points, 5, 3);
        for _ in 0..5 {
            em.step(&points);
        }
        let direct = |x: Point| {
            let terms: Vec<f64> = em
                .model
                .components
                .iter()
                .map(|c| c.weight.ln() + c.log_normal(x))
                .collect();
            log_sum_exp(&terms)
        };
        let grid = Window::LAB.centres();
        for (x, batched) in grid.iter().zip(em.model.log_densities(&grid)).step_by(97) {
            assert!(
                (direct(*x) - batched).abs() < 1e-9 * batched.abs().max(1.0),
                "{x:?}"
            );
        }
    }

    #[test]
    fn an_ellipse_follows_its_covariance() {
        let c = Component {
            weight: 1.0,
            mean: [0.0, 0.0],
            cov: [4.0, 0.0, 1.0],
        };
        assert_eq!(c.ellipse(), ([2.0, 1.0], 0.0));
        let tilted = Component {
            cov: [1.0, 0.5, 1.0],
            ..c
        };
        let ([major, minor], angle) = tilted.ellipse();
        assert!((major - 1.5f64.sqrt()).abs() < 1e-12 && (minor - 0.5f64.sqrt()).abs() < 1e-12);
        assert!((angle - PI / 4.0).abs() < 1e-12);
    }
}
