//! The lab's settings as its link carries them: `#/lab?family=gmm&data=ring&k=8&seed=1`, and for the families the
//! worker trains, optionally `lr=0.002&batch=64` (absent: the family's own).

use genscope_core::lab::data::DataSet;
use genscope_core::lab::trained::Family;
use genscope_core::query::{Query, UrlState};

/// Most components the page offers.
pub const MAX_K: usize = 16;
/// Largest seed a link may carry (so it stays exact in the page's `f32` number parsing).
pub const MAX_SEED: u64 = 1_000_000;
/// The learning rates a link may ask for (AdamW's, for the families the worker trains).
pub const LEARNING_RATES: (f32, f32) = (1e-5, 0.1);
/// The minibatch sizes the page offers.
pub const BATCHES: [usize; 6] = [32, 64, 128, 256, 512, 1024];
/// Points the seeded data set starts with.
pub const POINTS: usize = 1000;

/// The family being trained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabFamily {
    /// A Gaussian mixture by EM, on the page's thread.
    Gmm,
    /// A RealNVP flow by AdamW, in the inference worker.
    Flow,
    /// The chain rule `p(x₁)·p(x₂ | x₁)` with mixture-density factors, by AdamW in the inference worker.
    Autoregressive,
    /// A VAE with a 2-D latent, on the ELBO by AdamW in the inference worker.
    Vae,
}

impl LabFamily {
    /// Every family, in the picker's order.
    pub const ALL: [LabFamily; 4] = [
        LabFamily::Gmm,
        LabFamily::Flow,
        LabFamily::Autoregressive,
        LabFamily::Vae,
    ];

    /// The name in links.
    pub fn slug(self) -> &'static str {
        match self {
            LabFamily::Gmm => "gmm",
            LabFamily::Flow => "flow",
            LabFamily::Autoregressive => "ar",
            LabFamily::Vae => "vae",
        }
    }

    /// The family the inference worker trains by gradient steps; none for the mixture (EM, on the page).
    pub fn in_worker(self) -> Option<Family> {
        match self {
            LabFamily::Gmm => None,
            LabFamily::Flow => Some(Family::Flow),
            LabFamily::Autoregressive => Some(Family::Autoregressive),
            LabFamily::Vae => Some(Family::Vae),
        }
    }

    /// The family named `slug`, if any.
    pub fn from_slug(slug: &str) -> Option<LabFamily> {
        LabFamily::ALL.into_iter().find(|f| f.slug() == slug)
    }
}

/// What a link to the lab says.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabSettings {
    /// The family.
    pub family: LabFamily,
    /// The seeded data set.
    pub data: DataSet,
    /// The mixture's number of components.
    pub k: usize,
    /// Draws the data and the mixture's starting means.
    pub seed: u64,
    /// AdamW's learning rate, when the visitor chose one (else the family's own).
    pub learning_rate: Option<f32>,
    /// Points per gradient step, when the visitor chose a size (else the family's own).
    pub batch: Option<usize>,
}

impl Default for LabSettings {
    fn default() -> Self {
        LabSettings {
            family: LabFamily::Gmm,
            data: DataSet::Ring,
            k: 8,
            seed: 1,
            learning_rate: None,
            batch: None,
        }
    }
}

impl UrlState for LabSettings {
    fn from_query(q: &mut Query) -> Self {
        let fallback = LabSettings::default();
        let families: Vec<&str> = LabFamily::ALL.iter().map(|f| f.slug()).collect();
        let family = q
            .choice("family", &families)
            .and_then(LabFamily::from_slug)
            .unwrap_or(fallback.family);
        let slugs: Vec<&str> = DataSet::ALL.iter().map(|d| d.slug()).collect();
        let data = q
            .choice("data", &slugs)
            .and_then(DataSet::from_slug)
            .unwrap_or(fallback.data);
        // Fractions round down: k=2.5 is two components (the clamp's note covers values out of range).
        let k = q
            .number("k", 1.0, MAX_K as f32)
            .map_or(fallback.k, |v| v as usize);
        let seed = q
            .number("seed", 0.0, MAX_SEED as f32)
            .map_or(fallback.seed, |v| v as u64);
        let learning_rate = q.number("lr", LEARNING_RATES.0, LEARNING_RATES.1);
        let sizes: Vec<String> = BATCHES.iter().map(|b| b.to_string()).collect();
        let sizes: Vec<&str> = sizes.iter().map(String::as_str).collect();
        let batch = q.choice("batch", &sizes).and_then(|b| b.parse().ok());
        LabSettings {
            family,
            data,
            k,
            seed,
            learning_rate,
            batch,
        }
    }

    fn to_pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("family", self.family.slug().to_string()),
            ("data", self.data.slug().to_string()),
            ("k", self.k.to_string()),
            ("seed", self.seed.to_string()),
        ]
        .into_iter()
        .chain(self.learning_rate.map(|lr| ("lr", lr.to_string())))
        .chain(self.batch.map(|b| ("batch", b.to_string())))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_through_the_link_and_bad_values_get_notes() {
        let s = LabSettings {
            family: LabFamily::Flow,
            data: DataSet::Spiral,
            k: 5,
            seed: 42,
            learning_rate: Some(0.002),
            batch: Some(64),
        };
        let mut q = Query::parse(&genscope_core::query::encode(&s.to_pairs()));
        assert_eq!(LabSettings::from_query(&mut q), s);
        assert!(q.notes.is_empty());
        let mut q = Query::parse("family=hmm&data=cube&k=99&seed=NaN&lr=5&batch=100");
        let read = LabSettings::from_query(&mut q);
        assert_eq!(
            (read.family, read.data, read.k, read.seed),
            (LabFamily::Gmm, DataSet::Ring, MAX_K, 1)
        );
        // An out-of-range rate is clamped (and noted); a size not offered is dropped (and noted).
        assert_eq!((read.learning_rate, read.batch), (Some(0.1), None));
        assert_eq!(q.notes.len(), 6);
        // Without them the link stays as short as before.
        let pairs = LabSettings::default().to_pairs();
        assert!(pairs.iter().all(|(k, _)| *k != "lr" && *k != "batch"));
    }
}
