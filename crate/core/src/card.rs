//! Model cards (`assets/models/NAME.json`): what the card panel shows and what the pages need to build a model.
//! Parsed defensively: a card is checked for a known kind and a configuration that describes a model this code can
//! run, before any weights are fetched.

use serde::{Deserialize, Serialize};

pub use crate::registry::ModelConfig;
use crate::registry::{DatasetId, Kind};
use crate::{Error, Result};

/// Cards larger than this are refused before parsing (the largest shipped card, lm-tang with its vocabulary, is
/// about 60 kB).
pub const MAX_CARD_BYTES: usize = 4 << 20;

/// A model card: what the trainers write (through serde, never by hand) and the pages read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    /// Model name, e.g. `vae-mnist-z2`.
    pub name: String,
    /// The model's family.
    pub kind: Kind,
    /// Number of parameters.
    pub params: u64,
    /// The data set it was trained on (its class names, classifier and evaluation files come from the registry).
    pub dataset: DatasetId,
    /// Where the training data came from (package and version, what was taken).
    pub dataset_source: String,
    /// The data's licence.
    pub license: String,
    /// The architecture (the model's config struct as JSON).
    pub config: serde_json::Value,
    /// Held-out metrics, with a `how` entry saying how they were measured.
    pub metrics: serde_json::Map<String, serde_json::Value>,
    /// The training curve: one object per epoch or checkpoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub curve: Vec<serde_json::Map<String, serde_json::Value>>,
    /// Training settings (steps, wall time, machine).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub training: serde_json::Map<String, serde_json::Value>,
    /// A GAN's generator snapshots from the first training step to the last (`step`, `file`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<serde_json::Map<String, serde_json::Value>>,
    /// The LM vocabulary, one piece per token id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vocab: Vec<String>,
    /// For a Chinese LM: the Simplified/Traditional tables between a visitor's script and the model's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<crate::script::ScriptTables>,
    /// Everything else the trainer recorded (tokenizer notes, storage, the curve's picture), kept as written.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl ModelCard {
    /// Parses a card and checks it: JSON of the card's shape, a non-empty name, a known kind, a configuration that
    /// validates for that kind, and (for an LM) a vocabulary as long as the configuration says.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let bad = |why: String| Error::Weights(format!("not a valid model card: {why}"));
        if bytes.len() > MAX_CARD_BYTES {
            return Err(bad(format!(
                "{} bytes, more than the {MAX_CARD_BYTES} a card may have",
                bytes.len()
            )));
        }
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
        // Named before serde sees them, so an unknown kind or data set is said in plain words.
        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        let datasets: Vec<&str> = DatasetId::ALL.iter().map(|d| d.as_str()).collect();
        for (field, known) in [("kind", or_list(&kinds)), ("dataset", or_list(&datasets))] {
            let given = value.get(field).and_then(|v| v.as_str());
            let ok = match field {
                "kind" => given.and_then(Kind::parse).is_some(),
                _ => given
                    .and_then(|g| DatasetId::ALL.into_iter().find(|d| d.as_str() == g))
                    .is_some(),
            };
            if value.get(field).is_some() && !ok {
                return Err(bad(format!(
                    "unknown {} {} (expected {known})",
                    if field == "kind" {
                        "model kind"
                    } else {
                        "data set"
                    },
                    value[field]
                )));
            }
        }
        let card: ModelCard = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
        if card.name.trim().is_empty() {
            return Err(bad("its name is empty".into()));
        }
        if let ModelConfig::Lm(config) = card.model_config()? {
            if !card.vocab.is_empty() && card.vocab.len() != config.vocab_size {
                return Err(bad(format!(
                    "{} vocabulary entries for a vocab_size of {}",
                    card.vocab.len(),
                    config.vocab_size
                )));
            }
        }
        Ok(card)
    }

    /// The configuration for the card's kind, parsed and validated (the registry knows each kind's config).
    pub fn model_config(&self) -> Result<ModelConfig> {
        ModelConfig::parse(self.kind, &self.name, &self.config)
    }
}

/// `a, b, c or d`.
fn or_list(items: &[&str]) -> String {
    match items.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(kind: &str, config: &str) -> String {
        format!(
            r#"{{"name":"m","kind":"{kind}","params":1,"dataset":"mnist","dataset_source":"d","license":"l","config":{config},"metrics":{{}}}}"#
        )
    }

    #[test]
    fn every_shipped_card_parses() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/models");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let card = ModelCard::parse(&std::fs::read(&path).unwrap())
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                card.model_config().unwrap();
                seen += 1;
            }
        }
        assert!(seen >= 9, "only {seen} cards");
    }

    #[test]
    fn a_card_round_trips_through_serde() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/models");
        let card = ModelCard::parse(&std::fs::read(dir.join("lm-tang.json")).unwrap()).unwrap();
        let written = serde_json::to_vec(&card).unwrap();
        assert_eq!(ModelCard::parse(&written).unwrap(), card);
        assert_eq!(card.dataset, DatasetId::Tang);
    }

    #[test]
    fn bad_cards_are_refused_with_a_reason() {
        let cases = [
            ("", "EOF"),
            ("<!doctype html><title>404</title>", "expected value"),
            (r#"{"name":"m"}"#, "missing field"),
            (&card("diffusion", "{}"), "unknown model kind"),
            (
                &card("vae", "{}").replace(r#""mnist""#, r#""cifar""#),
                "unknown data set \"cifar\"",
            ),
            (&card("vae", r#"{"width":28}"#), "does not parse"),
            (
                &card("vae", r#"{"width":28,"height":28,"hidden":0,"latent":2}"#),
                "hidden = 0",
            ),
            (
                &card(
                    "gan",
                    r#"{"latent":64,"base":18446744073709551615,"channels":1}"#,
                ),
                "base = 18446744073709551615",
            ),
            (
                &card(
                    "lm",
                    r#"{"dim":64,"hidden_dim":64,"n_layers":1,"n_heads":4,"n_kv_heads":4,"vocab_size":4611686018427387904,"seq_len":8,"norm_eps":1e-5}"#,
                ),
                "vocab_size",
            ),
        ];
        for (text, expected) in cases {
            let error = ModelCard::parse(text.as_bytes()).unwrap_err().to_string();
            assert!(error.contains(expected), "{text:?} gave {error:?}");
        }
        let lm = card(
            "lm",
            r#"{"dim":8,"hidden_dim":8,"n_layers":1,"n_heads":2,"n_kv_heads":2,"vocab_size":3,"seq_len":8,"norm_eps":1e-5}"#,
        )
        .replace(r#""metrics":{}"#, r#""metrics":{},"vocab":["a","b"]"#);
        let error = ModelCard::parse(lm.as_bytes()).unwrap_err().to_string();
        assert!(error.contains("2 vocabulary entries"), "{error}");
    }
}
