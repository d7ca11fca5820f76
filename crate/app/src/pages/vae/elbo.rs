//! What encoding an image tells: the posterior q(z|x), the reconstruction at its mean, and the two ELBO terms.
//! Pure arithmetic, tested natively.

/// What was encoded (the view says it in the visitor's language).
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// The drawing pad's picture.
    Drawing,
    /// A test image.
    TestImage {
        /// Its index in the test subset.
        index: usize,
        /// Its label (the class's index).
        label: usize,
    },
}

/// The encoded input: what the posterior says and how well the decoder reconstructs it.
#[derive(Clone, Debug, PartialEq)]
pub struct Encoded {
    /// What was encoded.
    pub source: Source,
    /// The input's intensities in [0, 1].
    pub input: Vec<f32>,
    /// The posterior mean.
    pub mean: Vec<f32>,
    /// The posterior log-variance.
    pub log_var: Vec<f32>,
    /// The decoder's Bernoulli means at z = mean.
    pub reconstruction: Vec<f32>,
    /// −log p(x | z = mean) under the Bernoulli likelihood with the input intensities as targets, in nats.
    pub reconstruction_nats: f64,
    /// KL(q(z|x) ‖ N(0, I)) in nats.
    pub kl_nats: f64,
}

impl Encoded {
    /// The encoding of `input` from the encoder's `mean` and `log_var` and the decoder's `logits` at the mean.
    pub fn new(
        source: Source,
        input: Vec<f32>,
        mean: Vec<f32>,
        log_var: Vec<f32>,
        logits: &[f32],
    ) -> Self {
        let reconstruction_nats = reconstruction_nats(&input, logits);
        let kl_nats = kl_nats(&mean, &log_var);
        Self {
            source,
            input,
            reconstruction: logits.iter().map(|&l| sigmoid(l)).collect(),
            mean,
            log_var,
            reconstruction_nats,
            kl_nats,
        }
    }

    /// −ELBO: the reconstruction term plus the KL term, in nats.
    pub fn negative_elbo_nats(&self) -> f64 {
        self.reconstruction_nats + self.kl_nats
    }

    /// The posterior's standard deviations.
    pub fn sigma(&self) -> Vec<f32> {
        self.log_var.iter().map(|v| (v * 0.5).exp()).collect()
    }
}

/// −Σ log Bernoulli(x | sigmoid(l)) = Σ softplus(l) − x·l, stable for large |l|.
pub fn reconstruction_nats(input: &[f32], logits: &[f32]) -> f64 {
    input
        .iter()
        .zip(logits)
        .map(|(&x, &l)| {
            let (x, l) = (f64::from(x), f64::from(l));
            l.max(0.0) + (-l.abs()).exp().ln_1p() - x * l
        })
        .sum()
}

/// KL(N(mean, exp(log_var)) ‖ N(0, I)) = ½ Σ (σ² + μ² − log σ² − 1).
pub fn kl_nats(mean: &[f32], log_var: &[f32]) -> f64 {
    0.5 * mean
        .iter()
        .zip(log_var)
        .map(|(&m, &lv)| f64::from(lv.exp() + m * m - lv - 1.0))
        .sum::<f64>()
}

/// The logistic function.
pub fn sigmoid(l: f32) -> f32 {
    1.0 / (1.0 + (-l).exp())
}

/// A term as the ELBO panel shows it.
pub fn nats(value: f64) -> String {
    format!("{value:.2} nats")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Equal to f32 precision (the terms are summed in f64 from f32 values).
    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6 * (1.0 + b.abs())
    }

    #[test]
    fn the_reconstruction_term_is_the_bernoulli_negative_log_likelihood() {
        // A logit of 0 is p = ½: ln 2 per pixel whatever the target.
        assert!(close(
            reconstruction_nats(&[0.0, 1.0, 0.3], &[0.0; 3]),
            3.0 * std::f64::consts::LN_2
        ));
        // Against the textbook −[x ln p + (1 − x) ln(1 − p)].
        let (input, logits) = ([0.0f32, 0.25, 1.0, 0.9], [-2.0f32, 0.5, 3.0, -1.0]);
        let naive: f64 = input
            .iter()
            .zip(&logits)
            .map(|(&x, &l)| {
                let p = 1.0 / (1.0 + (-f64::from(l)).exp());
                -(f64::from(x) * p.ln() + (1.0 - f64::from(x)) * (1.0 - p).ln())
            })
            .sum();
        assert!(close(reconstruction_nats(&input, &logits), naive));
        // Confident and right costs almost nothing, confident and wrong costs the logit; never NaN or infinite.
        let right = reconstruction_nats(&[1.0, 0.0], &[80.0, -80.0]);
        let wrong = reconstruction_nats(&[0.0], &[200.0]);
        assert!((0.0..1e-30).contains(&right), "{right}");
        assert!(close(wrong, 200.0), "{wrong}");
    }

    #[test]
    fn the_kl_term_is_zero_at_the_prior_and_grows_away_from_it() {
        assert_eq!(kl_nats(&[0.0; 16], &[0.0; 16]), 0.0);
        // A unit shift of the mean costs ½ nat per dimension.
        assert!(close(kl_nats(&[1.0, -1.0], &[0.0, 0.0]), 1.0));
        // σ² = e: ½ (e − 1 − 1).
        assert!(close(
            kl_nats(&[0.0], &[1.0]),
            0.5 * (std::f64::consts::E - 2.0)
        ));
        assert!(kl_nats(&[0.3, -0.2], &[-1.5, 0.7]) > 0.0);
    }

    #[test]
    fn the_panel_terms_add_up_to_the_negative_elbo() {
        let input = vec![0.0, 0.5, 1.0, 1.0];
        let logits = [-3.0, 0.2, 4.0, 1.0];
        let e = Encoded::new(
            Source::Drawing,
            input.clone(),
            vec![0.5, -1.0],
            vec![-2.0, 0.1],
            &logits,
        );
        assert!(close(
            e.reconstruction_nats,
            reconstruction_nats(&input, &logits)
        ));
        assert!(close(e.kl_nats, kl_nats(&[0.5, -1.0], &[-2.0, 0.1])));
        assert!(close(
            e.negative_elbo_nats(),
            e.reconstruction_nats + e.kl_nats
        ));
        assert!(e.reconstruction_nats > 0.0 && e.kl_nats >= 0.0);
        // The reconstruction is the decoder's Bernoulli means.
        assert_eq!(e.reconstruction.len(), 4);
        assert!((e.reconstruction[0] - sigmoid(-3.0)).abs() < 1e-7);
        assert!(e.reconstruction.iter().all(|p| (0.0..=1.0).contains(p)));
        assert!((e.sigma()[0] - (-1.0f32).exp()).abs() < 1e-6);
        // What the panel prints adds up to within its rounding.
        let shown = |v: f64| nats(v).trim_end_matches(" nats").parse::<f64>().unwrap();
        assert!(
            (shown(e.reconstruction_nats) + shown(e.kl_nats) - shown(e.negative_elbo_nats())).abs()
                < 0.02
        );
    }
}
