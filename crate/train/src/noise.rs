//! Seeded randomness for training: initial weights, the VAE's ε and binarisation, the GAN's z and instance noise.
//! Everything comes from ChaCha8 streams keyed by the run's seed (and the step), never from candle's unseeded
//! generator, so a rerun with the same seed is bit-identical and a resumed run draws what it would have drawn.

use candle_core::{Device, Shape, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded source of noise tensors on the CPU.
pub struct Noise(ChaCha8Rng);

impl Noise {
    /// One stream for a whole task (weight initialisation, an evaluation).
    pub fn new(seed: u64) -> Self {
        Noise(ChaCha8Rng::seed_from_u64(seed))
    }

    /// The stream of training step `step`: independent of how many values earlier steps drew, so resuming after
    /// step N continues exactly as the uninterrupted run would have.
    pub fn for_step(seed: u64, step: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(step);
        Noise(rng)
    }

    /// A tensor of standard-normal values.
    pub fn normal(&mut self, shape: impl Into<Shape>) -> candle_core::Result<Tensor> {
        let shape = shape.into();
        let values = genscope_core::latent::standard_normals(&mut self.0, shape.elem_count());
        Tensor::from_vec(values, shape, &Device::Cpu)
    }

    /// An index in `0..len` (uniform; `len` must be positive).
    pub fn index(&mut self, len: usize) -> usize {
        self.0.random_range(0..len)
    }

    /// A tensor of values uniform in `[lo, hi)`.
    pub fn uniform(
        &mut self,
        shape: impl Into<Shape>,
        lo: f32,
        hi: f32,
    ) -> candle_core::Result<Tensor> {
        let shape = shape.into();
        let values = (0..shape.elem_count())
            .map(|_| lo + (hi - lo) * self.0.random::<f32>())
            .collect();
        Tensor::from_vec(values, shape, &Device::Cpu)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_and_step_draw_the_same_values() {
        let draw = |seed, step| {
            let mut noise = Noise::for_step(seed, step);
            let a = noise
                .normal((3, 5))
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            let b = noise
                .uniform(7, -1.0, 1.0)
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            (a, b)
        };
        assert_eq!(draw(1, 4), draw(1, 4));
        assert_ne!(draw(1, 4), draw(1, 5));
        assert_ne!(draw(1, 4), draw(2, 4));
        let (_, uniform) = draw(3, 0);
        assert!(uniform.iter().all(|v| (-1.0..1.0).contains(v)));
    }
}
