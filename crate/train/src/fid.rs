//! Fréchet distance between two sets of feature vectors (FID when the features come from a classifier):
//! ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2·(Σ₁^½ Σ₂ Σ₁^½)^½), with symmetric eigendecompositions by Jacobi rotations.

/// Mean and covariance (divided by n − 1) of `rows` vectors of length `dim`.
pub fn moments(data: &[f32], dim: usize) -> (Vec<f64>, Vec<f64>) {
    let n = data.len() / dim;
    let mut mean = vec![0.0; dim];
    for row in data.chunks(dim) {
        for (m, &x) in mean.iter_mut().zip(row) {
            *m += f64::from(x);
        }
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    let mut cov = vec![0.0; dim * dim];
    for row in data.chunks(dim) {
        let centred: Vec<f64> = row
            .iter()
            .zip(&mean)
            .map(|(&x, m)| f64::from(x) - m)
            .collect();
        for i in 0..dim {
            for j in i..dim {
                cov[i * dim + j] += centred[i] * centred[j];
            }
        }
    }
    for i in 0..dim {
        for j in i..dim {
            let v = cov[i * dim + j] / (n as f64 - 1.0).max(1.0);
            cov[i * dim + j] = v;
            cov[j * dim + i] = v;
        }
    }
    (mean, cov)
}

/// Eigenvalues and eigenvectors (columns of the returned matrix) of a symmetric `n × n` matrix.
fn symmetric_eigen(matrix: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = matrix.to_vec();
    let mut v = vec![0.0; n * n];
    (0..n).for_each(|i| v[i * n + i] = 1.0);
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        if off < 1e-22 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| a[i * n + i]).collect(), v)
}

fn matmul(a: &[f64], b: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for k in 0..n {
            let aik = a[i * n + k];
            for j in 0..n {
                out[i * n + j] += aik * b[k * n + j];
            }
        }
    }
    out
}

/// The Fréchet distance between two Gaussians given by their moments.
pub fn frechet_distance(m1: &[f64], s1: &[f64], m2: &[f64], s2: &[f64]) -> f64 {
    let n = m1.len();
    let mean_term: f64 = m1.iter().zip(m2).map(|(a, b)| (a - b) * (a - b)).sum();
    let (values, vectors) = symmetric_eigen(s1, n);
    // Σ₁^½ = V diag(√λ) Vᵀ (negative round-off clipped).
    let mut root = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            root[i * n + j] = (0..n)
                .map(|k| vectors[i * n + k] * values[k].max(0.0).sqrt() * vectors[j * n + k])
                .sum();
        }
    }
    let inner = matmul(&matmul(&root, s2, n), &root, n);
    let (inner_values, _) = symmetric_eigen(&inner, n);
    let trace_root: f64 = inner_values.iter().map(|v| v.max(0.0).sqrt()).sum();
    let trace = |s: &[f64]| (0..n).map(|i| s[i * n + i]).sum::<f64>();
    mean_term + trace(s1) + trace(s2) - 2.0 * trace_root
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_sets_are_at_distance_zero_and_shifts_add_their_square() {
        let data: Vec<f32> = (0..600).map(|i| ((i * 7919) % 101) as f32 / 50.0).collect();
        let (m, s) = moments(&data, 3);
        assert!(frechet_distance(&m, &s, &m, &s).abs() < 1e-6);
        let shifted: Vec<f32> = data.iter().map(|x| x + 2.0).collect();
        let (m2, s2) = moments(&shifted, 3);
        assert!((frechet_distance(&m, &s, &m2, &s2) - 12.0).abs() < 1e-6);
    }

    #[test]
    fn diagonal_covariances_match_the_closed_form() {
        // Σ₁ = diag(1, 4), Σ₂ = diag(9, 1): Tr = 10 + 5 − 2·(3 + 2) = 5.
        let (m, s1, s2) = (
            vec![0.0, 0.0],
            vec![1.0, 0.0, 0.0, 4.0],
            vec![9.0, 0.0, 0.0, 1.0],
        );
        assert!((frechet_distance(&m, &s1, &m, &s2) - 5.0).abs() < 1e-9);
    }
}
