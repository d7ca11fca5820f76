//! The lab's seeded 2-D data sets and the held-out split. The same seed gives the same points natively and in
//! every browser (ChaCha8 and the site's one Box–Muller sampler).

use std::f64::consts::PI;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::{log_sum_exp, Density, Point};
use crate::latent::standard_normals;

/// A seeded data set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataSet {
    /// Eight Gaussians (σ = [`RING_SIGMA`]) evenly spaced on a circle of radius [`RING_RADIUS`].
    Ring,
    /// Two interleaved half circles.
    Moons,
    /// Two spiral arms.
    Spiral,
    /// Eight squares of a 4 × 4 checkerboard, uniform inside.
    Checkerboard,
    /// Five curved arms, as in the normalizing-flow papers' toy sets.
    Pinwheel,
}

/// The ring's radius.
pub const RING_RADIUS: f64 = 2.0;
/// Each of the ring's Gaussians' standard deviation.
pub const RING_SIGMA: f64 = 0.1;
/// The ring's number of Gaussians.
pub const RING_MODES: usize = 8;

impl DataSet {
    /// Every set, in the order the page lists them.
    pub const ALL: [DataSet; 5] = [
        DataSet::Ring,
        DataSet::Moons,
        DataSet::Spiral,
        DataSet::Checkerboard,
        DataSet::Pinwheel,
    ];

    /// The name in links and files (`ring`, `two-moons`, …).
    pub fn slug(self) -> &'static str {
        match self {
            DataSet::Ring => "ring",
            DataSet::Moons => "moons",
            DataSet::Spiral => "spiral",
            DataSet::Checkerboard => "checkerboard",
            DataSet::Pinwheel => "pinwheel",
        }
    }

    /// The set named `slug`, if any.
    pub fn from_slug(slug: &str) -> Option<DataSet> {
        DataSet::ALL.into_iter().find(|d| d.slug() == slug)
    }

    /// `n` points drawn from the set with `seed`.
    pub fn sample(self, n: usize, seed: u64) -> Vec<Point> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n).map(|_| self.draw(&mut rng)).collect()
    }

    fn draw(self, rng: &mut ChaCha8Rng) -> Point {
        match self {
            DataSet::Ring => {
                let [cx, cy] = ring_centre(rng_index(rng, RING_MODES));
                let (ex, ey) = (normal(rng), normal(rng));
                [cx + RING_SIGMA * ex, cy + RING_SIGMA * ey]
            }
            DataSet::Moons => {
                let upper = rng.random::<bool>();
                let t = PI * rng.random::<f64>();
                let [x, y] = if upper {
                    [t.cos(), t.sin()]
                } else {
                    [1.0 - t.cos(), 0.5 - t.sin()]
                };
                let (ex, ey) = (normal(rng), normal(rng));
                // Centred on the origin and scaled to fill the window like the others.
                [1.6 * (x - 0.5) + 0.1 * ex, 1.6 * (y - 0.25) + 0.1 * ey]
            }
            DataSet::Spiral => {
                let arm = if rng.random::<bool>() { 1.0 } else { -1.0 };
                // Uniform along the arm's length (which grows with the angle).
                let angle = rng.random::<f64>().sqrt() * 3.0 * PI;
                let r = angle / (3.0 * PI) * 3.0;
                let (ex, ey) = (normal(rng), normal(rng));
                [
                    arm * r * angle.cos() + 0.08 * ex,
                    arm * r * angle.sin() + 0.08 * ey,
                ]
            }
            DataSet::Checkerboard => {
                // A column in [-2, 2), then one of the two unit rows in [-2, 2) whose square is dark (column +
                // row odd).
                let x = 4.0 * rng.random::<f64>() - 2.0;
                let first_row = if (x.floor() as i64).rem_euclid(2) == 1 {
                    -2.0
                } else {
                    -1.0
                };
                let row = first_row + 2.0 * rng_index(rng, 2) as f64;
                [x, row + rng.random::<f64>()]
            }
            DataSet::Pinwheel => {
                let arm = rng_index(rng, 5) as f64;
                let (radial, tangential) = (1.0 + 0.3 * normal(rng), 0.1 * normal(rng));
                let angle = arm * 2.0 * PI / 5.0 + 0.25 * radial.exp();
                let (s, c) = angle.sin_cos();
                let scale = 1.6;
                [
                    scale * (c * radial - s * tangential),
                    scale * (s * radial + c * tangential),
                ]
            }
        }
    }
}

/// One standard-normal value.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    f64::from(standard_normals(rng, 1)[0])
}

/// A uniform index below `n`.
fn rng_index(rng: &mut ChaCha8Rng, n: usize) -> usize {
    rng.random_range(0..n)
}

/// The centre of the ring's `mode`-th Gaussian.
pub fn ring_centre(mode: usize) -> Point {
    let angle = 2.0 * PI * mode as f64 / RING_MODES as f64;
    [RING_RADIUS * angle.cos(), RING_RADIUS * angle.sin()]
}

/// The density the ring's points are drawn from: what a perfect model of it would be.
pub struct TrueRing;

impl Density for TrueRing {
    fn log_density(&self, [x, y]: Point) -> f64 {
        let variance = RING_SIGMA * RING_SIGMA;
        let terms: Vec<f64> = (0..RING_MODES)
            .map(|m| {
                let [cx, cy] = ring_centre(m);
                let d2 = (x - cx).powi(2) + (y - cy).powi(2);
                -d2 / (2.0 * variance) - (2.0 * PI * variance).ln()
            })
            .collect();
        log_sum_exp(&terms) - (RING_MODES as f64).ln()
    }
}

/// Splits `points` into (training, held-out), holding out every `every`-th point (`every` ≥ 2; 5 holds out 20%).
/// The order of the points is already random, so no shuffle is needed, and a point the visitor adds lands in the
/// same half every time.
pub fn split(points: &[Point], every: usize) -> (Vec<Point>, Vec<Point>) {
    let every = every.max(2);
    let (mut train, mut held_out) = (Vec::new(), Vec::new());
    for (i, &p) in points.iter().enumerate() {
        if i % every == every - 1 {
            held_out.push(p);
        } else {
            train.push(p);
        }
    }
    (train, held_out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::Window;

    #[test]
    fn sets_are_seeded_finite_and_fit_the_window() {
        for set in DataSet::ALL {
            let a = set.sample(500, 7);
            assert_eq!(a, set.sample(500, 7), "{set:?} is reproducible");
            assert_ne!(a, set.sample(500, 8), "{set:?} changes with the seed");
            let inside = a
                .iter()
                .filter(|[x, y]| {
                    x.abs() < Window::LAB.half - 0.5 && y.abs() < Window::LAB.half - 0.5
                })
                .count();
            assert_eq!(inside, a.len(), "{set:?} leaves the window");
            assert_eq!(DataSet::from_slug(set.slug()), Some(set));
        }
    }

    #[test]
    fn the_checkerboard_fills_alternate_squares() {
        let points = DataSet::Checkerboard.sample(2000, 1);
        for [x, y] in &points {
            let parity = (x.floor() + y.floor()).rem_euclid(2.0);
            assert_eq!(parity, 1.0, "({x}, {y}) is on a white square");
        }
        // All eight dark squares are used.
        let mut squares: Vec<(i64, i64)> = points
            .iter()
            .map(|[x, y]| (x.floor() as i64, y.floor() as i64))
            .collect();
        squares.sort_unstable();
        squares.dedup();
        assert_eq!(squares.len(), 8);
    }

    #[test]
    fn the_true_ring_is_a_density_and_its_points_visit_every_mode() {
        assert!((Window::LAB.integral(&TrueRing) - 1.0).abs() < 0.01);
        let points = DataSet::Ring.sample(800, 3);
        for m in 0..RING_MODES {
            let [cx, cy] = ring_centre(m);
            let near = points
                .iter()
                .filter(|[x, y]| (x - cx).hypot(y - cy) < 4.0 * RING_SIGMA)
                .count();
            assert!(near > 60, "mode {m} has {near} of 800 points");
        }
    }

    #[test]
    fn every_fifth_point_is_held_out() {
        let points: Vec<Point> = (0..10).map(|i| [i as f64, 0.0]).collect();
        let (train, held_out) = split(&points, 5);
        assert_eq!(held_out, vec![[4.0, 0.0], [9.0, 0.0]]);
        assert_eq!(train.len(), 8);
    }
}
