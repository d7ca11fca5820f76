//! The language model on the current backend: a shipped one (card, vocabulary, weights) or the visitor's own
//! files, its KV cache beside it, and running a [`Change`] to the text through it. Its own error sentences are in
//! the language shown when they happen ([`i18n::current`]); what the core crate says inside them stays as it is.

use std::rc::Rc;

use genscope_core::card::ModelConfig;
use genscope_core::lm::LmConfig;
use genscope_core::nn::HostWeights;
use genscope_core::script::ScriptMap;
use genscope_core::tokenizer::Tokenizer;
use genscope_core::weights::open_lm_files;

use super::doc::{next_revision, Change, Doc, Feed, StepOutput};
use super::texts::{self, LmTexts};
use crate::engine::{Model, Op, Spec};
use crate::i18n::{self, fill};
use crate::models::{self, ModelCard, Shared};
use crate::placement;
use crate::site::{Load, SiteContext};

/// A language model on the current backend with its tokenizer.
pub struct LoadedLm {
    /// Shown in the picker: the shipped name or the visitor's file name.
    pub name: String,
    /// The shipped model's card (none for the visitor's own model).
    pub card: Option<Rc<ModelCard>>,
    /// Architecture.
    pub config: LmConfig,
    /// Text ↔ ids.
    pub tokenizer: Shared<Tokenizer>,
    /// What it runs on, as the status line names it.
    pub backend: String,
    /// For a model trained on one Chinese script: the tables to and from the other one.
    pub script: Option<Shared<ScriptMap>>,
    /// The model, with its KV cache beside it (in the inference worker on the CPU).
    model: Model,
}

impl PartialEq for LoadedLm {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl LoadedLm {
    /// Runs `feed` and returns the next-token logits and, with `attention`, the last position's attention.
    async fn feed(&self, feed: &Feed, attention: bool) -> Result<StepOutput, String> {
        let (heads, n) = (self.config.n_heads, feed.tokens.len());
        let op = Op::Feed {
            keep: feed.keep,
            tokens: feed.tokens.clone(),
            attention,
        };
        let mut parts = self.model.run(op, &[]).await?.into_iter();
        let logits = parts.next().ok_or(words().no_logits)?;
        // Each layer is [heads, n, context]: keep the last query row of every head.
        let attention = parts
            .map(|w| {
                let context = w.len() / (heads * n).max(1);
                (0..heads)
                    .map(|h| {
                        let row = (h * n + n - 1) * context;
                        w[row..row + context].to_vec()
                    })
                    .collect()
            })
            .collect();
        Ok(StepOutput { logits, attention })
    }

    /// Makes `change` to the text: runs its forward pass (timed) and returns the finished doc.
    pub async fn apply(&self, change: Change) -> Result<Doc, String> {
        match change {
            Change::Output(doc, feed) => {
                let started = models::now_ms();
                let out = self.feed(&feed, true).await?;
                let ms = models::now_ms() - started;
                Ok(doc.with_output(out, ms, next_revision()))
            }
            Change::Rebuild(doc, feed) => {
                // Only the cache is wanted: no attention to read back.
                self.feed(&feed, false).await?;
                Ok(doc)
            }
            Change::Ready(doc) => Ok(doc),
        }
    }

    /// Runs `prompt` into a fresh cache.
    pub async fn start(&self, prompt: &str) -> Result<Doc, String> {
        let script = self.script.as_ref().map(|s| s.0.as_ref());
        let change = Doc::start(
            &self.tokenizer,
            script,
            self.config.seq_len,
            &self.name,
            prompt,
        );
        self.apply(change).await
    }
}

/// The catalogue in the language shown now.
fn words() -> &'static LmTexts {
    texts::of(i18n::current())
}

/// Builds a language model on the current backend; errors name `weights_file`, where the weights came from.
async fn build_lm(
    site: &SiteContext,
    name: String,
    card: Option<Rc<ModelCard>>,
    config: LmConfig,
    tokenizer: Tokenizer,
    weights: HostWeights,
    weights_file: &str,
) -> Result<LoadedLm, String> {
    if tokenizer.len() != config.vocab_size {
        return Err(fill(
            words().vocab_mismatch,
            &[
                ("file", weights_file),
                ("pieces", &tokenizer.len().to_string()),
                ("vocab", &config.vocab_size.to_string()),
            ],
        ));
    }
    let model = placement::load(site, &name, Spec::Lm(config.clone()), weights)
        .await
        .map_err(|e| format!("{weights_file}: {e}"))?;
    let script = match card.as_ref().and_then(|c| c.script.as_ref()) {
        Some(tables) => Some(Shared(Rc::new(
            ScriptMap::new(tables).map_err(|e| format!("assets/models/{name}.json: {e}"))?,
        ))),
        None => None,
    };
    let backend = model.backend_label(|| site.backend.label());
    Ok(LoadedLm {
        script,
        name,
        card,
        config,
        tokenizer: Shared(Rc::new(tokenizer)),
        backend,
        model,
    })
}

/// Loads the shipped model `name`: its card, its vocabulary, its weights.
pub async fn load_shipped(site: &SiteContext, name: &str) -> Result<LoadedLm, String> {
    let Load::Ready(manifest) = &site.manifest else {
        return Err(words().assets_not_loaded.into());
    };
    let card = models::fetch_card(manifest, name).await?;
    let ModelConfig::Lm(config) = card.model_config().map_err(|e| e.to_string())? else {
        return Err(fill(
            words().not_an_lm,
            &[
                ("file", &format!("assets/models/{name}.json")),
                ("kind", &card.kind.to_string()),
            ],
        ));
    };
    let tokenizer = Tokenizer::characters(card.vocab.clone())
        .map_err(|e| format!("assets/models/{name}.json: {e}"))?;
    let weights = models::fetch_weights(manifest, name).await?;
    build_lm(
        site,
        name.to_string(),
        Some(Rc::new(card)),
        config,
        tokenizer,
        weights,
        &format!("assets/models/{name}.safetensors"),
    )
    .await
}

/// Builds the visitor's model from their files (see [`open_lm_files`] for what they may be), with the notes on
/// what was changed to run it (a clipped context, say), each naming its file.
pub async fn open_own_model(
    site: &SiteContext,
    file_name: &str,
    bytes: &[u8],
    tokenizer: Option<(&str, &[u8])>,
) -> Result<(LoadedLm, Vec<String>), String> {
    let files = open_lm_files(file_name, bytes, tokenizer).map_err(|e| e.to_string())?;
    let name = fill(words().own_name, &[("file", file_name)]);
    let lm = build_lm(
        site,
        name,
        None,
        files.config,
        files.tokenizer,
        files.weights,
        file_name,
    )
    .await?;
    Ok((lm, files.notes))
}
