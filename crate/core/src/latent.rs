//! Latent-space geometry for the VAE and GAN pages: interpolation, grids, truncation.

/// Linear interpolation `(1 − t)·a + t·b`.
pub fn lerp(a: &[f32], b: &[f32], t: f32) -> Vec<f32> {
    a.iter().zip(b).map(|(x, y)| x + t * (y - x)).collect()
}

/// Spherical interpolation: follows the great circle between `a` and `b`, which keeps Gaussian latents at a
/// typical norm (lerp's midpoints are too short). Falls back to lerp when the vectors are (anti)parallel or zero.
pub fn slerp(a: &[f32], b: &[f32], t: f32) -> Vec<f32> {
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let (na, nb) = (norm(a), norm(b));
    if na == 0.0 || nb == 0.0 {
        return lerp(a, b, t);
    }
    let cos = (a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>() / (na * nb)).clamp(-1.0, 1.0);
    let omega = cos.acos();
    let sin = omega.sin();
    if sin.abs() < 1e-4 {
        return lerp(a, b, t);
    }
    let (wa, wb) = (((1.0 - t) * omega).sin() / sin, (t * omega).sin() / sin);
    a.iter().zip(b).map(|(x, y)| wa * x + wb * y).collect()
}

/// `n × n` points evenly covering `[-extent, extent]²`, row by row from the top (largest second coordinate)
/// so that the grid reads like the map drawn on screen. Each point is the centre of its cell.
pub fn grid_2d(n: usize, extent: f32) -> Vec<[f32; 2]> {
    let step = 2.0 * extent / n as f32;
    let centre = |i: usize| -extent + step * (i as f32 + 0.5);
    (0..n)
        .flat_map(|row| (0..n).map(move |col| [centre(col), centre(n - 1 - row)]))
        .collect()
}

/// The truncation trick: scales a latent towards the origin (`scale` 0 collapses every sample to the mean image,
/// 1 leaves it unchanged).
pub fn truncate(z: &[f32], scale: f32) -> Vec<f32> {
    z.iter().map(|v| v * scale).collect()
}

/// `n` latent vectors of `dim` standard-normal values from `seed` (ChaCha8 and Box–Muller): the same seed gives
/// the same samples in every browser and natively, so a seed in a link reproduces a GAN grid.
pub fn gaussian_latents(seed: u64, n: usize, dim: usize) -> Vec<f32> {
    use rand::SeedableRng;
    standard_normals(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed), n * dim)
}

/// `count` standard-normal values drawn from `rng` by Box–Muller (pairs of uniforms): the one Gaussian sampler, used
/// by the page's seeded latents and by the trainer's seeded noise.
pub fn standard_normals<R: rand::Rng + ?Sized>(rng: &mut R, count: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(count + 1);
    while out.len() < count {
        // u1 in (0, 1] so the logarithm is finite.
        let u1: f64 = 1.0 - rng.random::<f64>();
        let u2: f64 = rng.random::<f64>();
        let r = (-2.0 * u1.ln()).sqrt();
        let angle = 2.0 * std::f64::consts::PI * u2;
        out.push((r * angle.cos()) as f32);
        out.push((r * angle.sin()) as f32);
    }
    out.truncate(count);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_latents_are_reproducible_and_standard_normal() {
        let a = gaussian_latents(7, 1000, 16);
        assert_eq!(a, gaussian_latents(7, 1000, 16));
        assert_ne!(a, gaussian_latents(8, 1000, 16));
        let mean = a.iter().sum::<f32>() / a.len() as f32;
        let var = a.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / a.len() as f32;
        assert!(
            mean.abs() < 0.03 && (var - 1.0).abs() < 0.05,
            "mean {mean}, var {var}"
        );
    }

    fn close(a: &[f32], b: &[f32]) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5)
    }

    #[test]
    fn interpolations_hit_their_ends() {
        let (a, b) = ([1.0, 0.0, 2.0], [-1.0, 3.0, 0.5]);
        for f in [lerp, slerp] {
            assert!(close(&f(&a, &b, 0.0), &a) && close(&f(&a, &b, 1.0), &b));
        }
        assert!(close(&lerp(&a, &b, 0.5), &[0.0, 1.5, 1.25]));
    }

    #[test]
    fn slerp_keeps_the_norm_between_equal_norm_vectors() {
        let (a, b) = ([3.0, 0.0], [0.0, 3.0]);
        let mid = slerp(&a, &b, 0.5);
        assert!((mid.iter().map(|x| x * x).sum::<f32>().sqrt() - 3.0).abs() < 1e-5);
        // lerp's midpoint is shorter: that is why slerp exists.
        assert!(lerp(&a, &b, 0.5).iter().map(|x| x * x).sum::<f32>().sqrt() < 2.2);
        // Parallel and zero vectors fall back to lerp instead of dividing by zero.
        assert!(close(&slerp(&[1.0, 1.0], &[2.0, 2.0], 0.5), &[1.5, 1.5]));
        assert!(close(&slerp(&[0.0, 0.0], &[2.0, 2.0], 0.5), &[1.0, 1.0]));
    }

    #[test]
    fn grid_covers_the_square_top_row_first() {
        let g = grid_2d(4, 3.0);
        assert_eq!(g.len(), 16);
        assert_eq!(g[0], [-2.25, 2.25]);
        assert_eq!(g[15], [2.25, -2.25]);
        assert!(g.iter().all(|p| p[0].abs() < 3.0 && p[1].abs() < 3.0));
    }

    #[test]
    fn truncation_zero_collapses() {
        assert_eq!(truncate(&[1.0, -2.0], 0.0), vec![0.0, -0.0]);
        assert_eq!(truncate(&[1.0, -2.0], 0.5), vec![0.5, -1.0]);
    }
}
