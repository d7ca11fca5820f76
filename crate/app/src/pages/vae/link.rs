//! The VAE page's link: `#/vae?model=vae-mnist-z2&z=0.5,-1.25`. The model is read by the shared link hook; this
//! is the rest, read and written in this one place.

use genscope_core::query::{format_numbers, Query, UrlState};

/// The latent point's bound in the link (and on the page): ±3σ of the prior, what the map covers.
pub const EXTENT: f32 = 3.0;
/// The most latent dimensions a link is read for (the shipped models have 2 and 16).
pub const MAX_LATENT: usize = 256;

/// What a VAE link carries besides the model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VaeUrl {
    /// The latent point, each value within ±[`EXTENT`]; whether it fits the model is known once the model has
    /// loaded (see `State::model_ready`). `None`: the link names none (the origin, no note).
    pub z: Option<Vec<f32>>,
}

impl UrlState for VaeUrl {
    fn from_query(q: &mut Query) -> Self {
        let count = q.get("z").map(|raw| raw.split(',').count());
        let z = count.and_then(|n| q.numbers("z", n.min(MAX_LATENT), EXTENT));
        Self { z }
    }

    fn to_pairs(&self) -> Vec<(&'static str, String)> {
        self.z.iter().map(|z| ("z", format_numbers(z))).collect()
    }
}

/// Rounds `v` to what the link writes (3 decimals, see `format_numbers`), so that a reopened link shows exactly
/// the point, and the pixels, that were on the page. Non-finite values become 0, and −0 becomes 0.
pub fn round_for_link(v: f32) -> f32 {
    if !v.is_finite() {
        return 0.0;
    }
    (v * 1000.0).round() / 1000.0 + 0.0
}

/// A point as the page keeps it: clamped to ±[`EXTENT`] and rounded as the link writes it.
pub fn settle(point: &[f32]) -> Vec<f32> {
    point
        .iter()
        .map(|v| {
            round_for_link(if v.is_finite() {
                v.clamp(-EXTENT, EXTENT)
            } else {
                0.0
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use genscope_core::query::encode;

    use super::*;

    fn reread(state: &VaeUrl) -> (VaeUrl, Vec<String>) {
        let mut q = Query::parse(&encode(&state.to_pairs()));
        let url = VaeUrl::from_query(&mut q);
        (url, crate::i18n::link::all(&q.notes, crate::i18n::Lang::En))
    }

    #[test]
    fn the_link_round_trips() {
        for state in [
            VaeUrl { z: None },
            VaeUrl {
                z: Some(vec![0.5, -1.25]),
            },
            VaeUrl {
                z: Some(settle(&[
                    0.1234, -2.9996, 3.0, -3.0, 0.0, 1e-4, -1e-4, 2.5, 0.333, -0.667, 1.0, 2.0,
                    -0.05, 0.001, 0.999, 1.5,
                ])),
            },
        ] {
            let (back, notes) = reread(&state);
            assert_eq!(back, state);
            assert!(notes.is_empty(), "{notes:?}");
        }
        assert_eq!(
            VaeUrl {
                z: Some(vec![0.5, -1.25])
            }
            .to_pairs(),
            [("z", "0.5,-1.25".to_string())]
        );
    }

    #[test]
    fn bad_points_become_notes() {
        let read = |link: &str| {
            let mut q = Query::parse(link);
            let z = VaeUrl::from_query(&mut q).z;
            (z, crate::i18n::link::all(&q.notes, crate::i18n::Lang::En))
        };
        let (z, notes) = read("model=vae-mnist-z2&z=NaN,1e999");
        assert_eq!(z, None);
        assert_eq!(
            notes,
            ["z=NaN,1e999 is not a list of 2 finite numbers; using the default"]
        );
        let (z, notes) = read("z=1e30,-5");
        assert_eq!(z, Some(vec![EXTENT, -EXTENT]));
        assert!(notes[0].contains("clamped"), "{notes:?}");
        let (z, notes) = read("z=1,,2");
        assert_eq!(z, None);
        assert_eq!(notes.len(), 1);
        // A list of the wrong length for the model is known only once it has loaded: no note yet.
        let (z, notes) = read("z=0.5");
        assert_eq!(z, Some(vec![0.5]));
        assert!(notes.is_empty());
        let (z, notes) = read("model=vae-mnist-z16");
        assert_eq!(z, None);
        assert!(notes.is_empty());
        let long = format!("z={}", vec!["0"; MAX_LATENT + 1].join(","));
        let (z, notes) = read(&long);
        assert_eq!(z, None);
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn a_settled_point_is_exactly_what_its_link_reopens() {
        // Every value the link can write, and values between them.
        let mut values: Vec<f32> = (-3000..=3000).map(|k| k as f32 / 1000.0).collect();
        values.extend((0..20_000).map(|i| -3.2 + i as f32 * 0.000_321));
        for v in values {
            let kept = settle(&[v]);
            let written = format_numbers(&kept);
            let mut q = Query::parse(&format!("z={written}"));
            assert_eq!(
                VaeUrl::from_query(&mut q).z,
                Some(kept.clone()),
                "{v} → {written}"
            );
            assert_eq!(settle(&kept), kept, "settling twice changes {v}");
        }
        assert_eq!(
            settle(&[f32::NAN, f32::INFINITY, -7.0, -0.0001]),
            [0.0, 0.0, -3.0, 0.0]
        );
        assert!(settle(&[-0.0001])[0].is_sign_positive());
    }
}
