//! Turning next-token logits into the distribution the LM page draws, and picking a token from it.
//!
//! Order of the steps (as in Hugging Face's samplers): divide the logits by the temperature, softmax, keep the
//! `top_k` most likely tokens, renormalise, keep the smallest set of most likely tokens whose probability reaches
//! `top_p` (the token that crosses the threshold stays), renormalise. Greedy puts all mass on the most likely
//! token. The whole processed distribution is returned, not just the choice, so the page can grey out the cut
//! candidates.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::{Error, Result};

/// The temperature range the page offers (log scale); values outside it are refused.
pub const TEMPERATURE_RANGE: (f32, f32) = (0.05, 20.0);

/// How the next token is chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SamplingSettings {
    /// Divides the logits: below 1 sharpens, above 1 flattens.
    pub temperature: f32,
    /// Keep only the `k` most likely tokens (`None`: all).
    pub top_k: Option<usize>,
    /// Keep the smallest most-likely set with at least this much probability (`None` or 1: all).
    pub top_p: Option<f32>,
    /// Always take the most likely token.
    pub greedy: bool,
}

impl Default for SamplingSettings {
    fn default() -> Self {
        Self {
            temperature: 1.0,
            top_k: None,
            top_p: None,
            greedy: false,
        }
    }
}

impl SamplingSettings {
    /// Checks the settings, with a message a visitor can act on.
    pub fn validate(&self) -> Result<()> {
        let (lo, hi) = TEMPERATURE_RANGE;
        if !(self.temperature.is_finite() && (lo..=hi).contains(&self.temperature)) {
            return Err(Error::Shape(format!(
                "temperature must be between {lo} and {hi}, got {}",
                self.temperature
            )));
        }
        if self.top_k == Some(0) {
            return Err(Error::Shape("top-k must be at least 1".into()));
        }
        if let Some(p) = self.top_p {
            if !(p.is_finite() && p > 0.0 && p <= 1.0) {
                return Err(Error::Shape(format!("top-p must be in (0, 1], got {p}")));
            }
        }
        Ok(())
    }
}

/// The next-token distribution before and after the settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Distribution {
    /// softmax(logits): the model's own distribution (temperature 1, nothing cut).
    pub raw: Vec<f32>,
    /// After temperature, top-k, top-p and greedy; cut tokens have probability exactly 0. Sums to 1.
    pub processed: Vec<f32>,
}

impl Distribution {
    /// Token ids ordered by raw probability, most likely first (ties by lower id).
    pub fn ranking(&self) -> Vec<usize> {
        ranking(&self.raw)
    }

    /// Entropy of the processed distribution in nats.
    pub fn entropy(&self) -> f32 {
        entropy(&self.processed)
    }
}

/// Softmax, computed stably. Errors on an empty or non-finite input.
pub fn softmax(logits: &[f32]) -> Result<Vec<f32>> {
    if logits.is_empty() {
        return Err(Error::Shape("softmax of no logits".into()));
    }
    if let Some(i) = logits
        .iter()
        .position(|v| v.is_nan() || *v == f32::INFINITY)
    {
        return Err(Error::Backend(format!("logit {i} is {}", logits[i])));
    }
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|v| (v - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    Ok(exps.into_iter().map(|e| e / sum).collect())
}

/// Indices ordered by descending value, ties by lower index.
pub fn ranking(values: &[f32]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    order
}

/// Entropy in nats (0 · ln 0 counts as 0).
pub fn entropy(p: &[f32]) -> f32 {
    -p.iter()
        .filter(|&&v| v > 0.0)
        .map(|&v| v * v.ln())
        .sum::<f32>()
}

fn renormalise(p: &mut [f32]) {
    let sum: f32 = p.iter().sum();
    p.iter_mut().for_each(|v| *v /= sum);
}

/// Applies `settings` to `logits`.
pub fn distribution(logits: &[f32], settings: &SamplingSettings) -> Result<Distribution> {
    settings.validate()?;
    let raw = softmax(logits)?;
    let order = ranking(&raw);
    let mut processed = if settings.greedy {
        let mut one_hot = vec![0.0; raw.len()];
        one_hot[order[0]] = 1.0;
        one_hot
    } else {
        let scaled: Vec<f32> = logits.iter().map(|v| v / settings.temperature).collect();
        softmax(&scaled)?
    };
    if let Some(k) = settings.top_k {
        for &i in order.iter().skip(k) {
            processed[i] = 0.0;
        }
        renormalise(&mut processed);
    }
    if let Some(p) = settings.top_p.filter(|p| *p < 1.0) {
        let mut cumulative = 0.0;
        let mut keep = true;
        // Temperature does not change the order, so the raw ranking is the processed ranking too.
        for &i in &order {
            if keep {
                cumulative += processed[i];
                keep = cumulative < p;
            } else {
                processed[i] = 0.0;
            }
        }
        renormalise(&mut processed);
    }
    Ok(Distribution { raw, processed })
}

/// A seeded random source for sampling: ChaCha8, whose stream is fixed by its specification, so a seed gives the
/// same text on every machine and in every browser.
pub struct Sampler {
    rng: ChaCha8Rng,
}

impl Sampler {
    /// A sampler that starts from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// Draws a token id from `probabilities` (which sum to 1).
    pub fn sample(&mut self, probabilities: &[f32]) -> usize {
        self.draw(probabilities).index
    }

    /// Draws a token id from `probabilities` and says how: the uniform number `u` in [0, 1) landed in the chosen
    /// token's segment when the probabilities are laid end to end in id order.
    pub fn draw(&mut self, probabilities: &[f32]) -> Draw {
        let u: f32 = self.rng.random();
        let mut cumulative = 0.0;
        let mut last_possible = 0;
        for (i, &p) in probabilities.iter().enumerate() {
            if p > 0.0 {
                let start = cumulative;
                cumulative += p;
                last_possible = i;
                if u < cumulative {
                    return Draw {
                        index: i,
                        u,
                        segment: (start, cumulative),
                    };
                }
            }
        }
        // Rounding left the sum just under u: take the last token that had any mass.
        let p = probabilities.get(last_possible).copied().unwrap_or(0.0);
        Draw {
            index: last_possible,
            u,
            segment: (cumulative - p, cumulative),
        }
    }
}

/// One draw of [`Sampler::draw`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Draw {
    /// The chosen token id.
    pub index: usize,
    /// The uniform number the sampler drew.
    pub u: f32,
    /// Where the chosen token's segment starts and ends on [0, 1] (probabilities laid out in id order).
    pub segment: (f32, f32),
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGITS: [f32; 6] = [2.0, 1.0, 0.5, 3.0, -1.0, 0.0];

    #[test]
    fn a_draw_lands_in_its_tokens_segment_and_matches_sample() {
        let p = softmax(&LOGITS).unwrap();
        for seed in 0..50 {
            let draw = Sampler::new(seed).draw(&p);
            assert_eq!(draw.index, Sampler::new(seed).sample(&p));
            let (start, end) = draw.segment;
            assert!(start <= draw.u && draw.u < end, "{draw:?}");
            assert!((end - start - p[draw.index]).abs() < 1e-6, "{draw:?}");
            let before: f32 = p[..draw.index].iter().sum();
            assert!((start - before).abs() < 1e-6, "{draw:?}");
        }
    }

    fn sums_to_one(p: &[f32]) -> bool {
        (p.iter().sum::<f32>() - 1.0).abs() < 1e-5
    }

    #[test]
    fn raw_is_the_softmax_and_processed_sums_to_one() {
        let d = distribution(&LOGITS, &SamplingSettings::default()).unwrap();
        assert!(sums_to_one(&d.raw) && sums_to_one(&d.processed));
        assert_eq!(d.raw, d.processed);
        assert_eq!(d.ranking(), vec![3, 0, 1, 2, 5, 4]);
    }

    #[test]
    fn temperature_sharpens_and_flattens() {
        let cold = distribution(
            &LOGITS,
            &SamplingSettings {
                temperature: 0.5,
                ..Default::default()
            },
        )
        .unwrap();
        let hot = distribution(
            &LOGITS,
            &SamplingSettings {
                temperature: 2.0,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(cold.processed[3] > cold.raw[3] && hot.processed[3] < hot.raw[3]);
        assert!(cold.entropy() < entropy(&cold.raw) && hot.entropy() > entropy(&hot.raw));
    }

    #[test]
    fn top_k_one_equals_greedy() {
        let k1 = distribution(
            &LOGITS,
            &SamplingSettings {
                top_k: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
        let greedy = distribution(
            &LOGITS,
            &SamplingSettings {
                greedy: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(k1.processed, greedy.processed);
        assert_eq!(greedy.processed[3], 1.0);
    }

    #[test]
    fn top_p_cuts_exactly_beyond_the_threshold() {
        let raw = softmax(&LOGITS).unwrap();
        let order = ranking(&raw);
        // Choose p between the cumulative mass of the top 2 and top 3: exactly 3 tokens must survive.
        let top2 = raw[order[0]] + raw[order[1]];
        let top3 = top2 + raw[order[2]];
        let p = (top2 + top3) / 2.0;
        let d = distribution(
            &LOGITS,
            &SamplingSettings {
                top_p: Some(p),
                ..Default::default()
            },
        )
        .unwrap();
        let kept: Vec<usize> = (0..6).filter(|&i| d.processed[i] > 0.0).collect();
        let mut expected = order[..3].to_vec();
        expected.sort();
        assert_eq!(kept, expected);
        assert!(sums_to_one(&d.processed));
        // Renormalised: the kept tokens keep their relative odds.
        let ratio = d.processed[order[0]] / d.processed[order[1]];
        assert!((ratio - raw[order[0]] / raw[order[1]]).abs() < 1e-5);
    }

    #[test]
    fn top_k_then_top_p_compose() {
        let s = SamplingSettings {
            top_k: Some(4),
            top_p: Some(0.5),
            ..Default::default()
        };
        let d = distribution(&LOGITS, &s).unwrap();
        assert!(sums_to_one(&d.processed));
        assert!(d.processed.iter().filter(|&&v| v > 0.0).count() <= 4);
    }

    #[test]
    fn bad_settings_and_logits_are_errors() {
        for s in [
            SamplingSettings {
                temperature: 0.0,
                ..Default::default()
            },
            SamplingSettings {
                temperature: f32::NAN,
                ..Default::default()
            },
            SamplingSettings {
                temperature: 1e9,
                ..Default::default()
            },
            SamplingSettings {
                top_k: Some(0),
                ..Default::default()
            },
            SamplingSettings {
                top_p: Some(0.0),
                ..Default::default()
            },
            SamplingSettings {
                top_p: Some(1.5),
                ..Default::default()
            },
        ] {
            assert!(distribution(&LOGITS, &s).is_err(), "{s:?}");
        }
        assert!(distribution(&[], &SamplingSettings::default()).is_err());
        assert!(distribution(&[1.0, f32::NAN], &SamplingSettings::default()).is_err());
        // -inf logits are legal (a masked token) and get probability 0.
        let d = distribution(&[0.0, f32::NEG_INFINITY], &SamplingSettings::default()).unwrap();
        assert_eq!(d.raw, vec![1.0, 0.0]);
    }

    #[test]
    fn seeded_sampling_is_reproducible_and_follows_the_distribution() {
        let d = distribution(&LOGITS, &SamplingSettings::default()).unwrap();
        let draw = |seed| {
            let mut s = Sampler::new(seed);
            (0..20_000)
                .map(|_| s.sample(&d.processed))
                .collect::<Vec<_>>()
        };
        let a = draw(7);
        assert_eq!(a, draw(7));
        assert_ne!(a, draw(8));
        for (i, &p) in d.processed.iter().enumerate() {
            let freq = a.iter().filter(|&&t| t == i).count() as f32 / a.len() as f32;
            assert!(
                (freq - p).abs() < 0.015,
                "token {i}: frequency {freq} vs probability {p}"
            );
        }
    }

    #[test]
    fn sampling_never_picks_a_cut_token() {
        let d = distribution(
            &LOGITS,
            &SamplingSettings {
                top_k: Some(2),
                ..Default::default()
            },
        )
        .unwrap();
        let mut s = Sampler::new(1);
        for _ in 0..5_000 {
            let t = s.sample(&d.processed);
            assert!(t == 3 || t == 0, "{t}");
        }
    }
}
