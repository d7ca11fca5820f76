//! genscope-core: everything about the models that does not touch the web.
//!
//! - [`backend`]: the small [`Backend`](backend::Backend) trait every model is written against, and
//!   [`cpu::CpuBackend`], its candle-core implementation (wasm CPU in the browser, and the trainer's backend).
//! - [`nn`]: shared layers and [`nn::Params`], where a model's parameters come from (checked weights or
//!   trainable variables).
//! - [`vae`], [`gan`], [`lm`], [`classifier`]: the models, one file each.
//! - [`sampling`]: temperature, top-k, top-p and greedy over next-token logits, with a seeded sampler.
//! - [`tokenizer`]: text to token ids (character vocabularies and llama2.c's `tokenizer.bin` with its merges).
//! - [`latent`]: lerp, slerp, grids and truncation in latent space.
//! - [`weights`]: safetensors (F32/F16/BF16) reading and writing with checked, named errors.
//! - [`dataset`]: the IDX image format of the training data and of the committed evaluation subsets.
//! - [`query`]: the page state in the URL, parsed defensively (bounded, finite, with notes for the visitor).
//! - [`card`]: model cards, parsed and checked (known kind, a configuration this code can run).
//! - [`registry`]: the one list of model families (kind, file prefix, page, route) and data sets.
//! - [`manifest`]: the asset manifest that `dist/` ships and the site checks downloads against.
//!
//! The `cpu` feature (on by default) brings in candle-core; without it the crate is just the pure-Rust parts.

pub mod backend;
pub mod card;
pub mod classifier;
#[cfg(feature = "cpu")]
pub mod cpu;
pub mod dataset;
pub mod gan;
pub mod latent;
pub mod lm;
pub mod manifest;
pub mod nn;
pub mod query;
pub mod registry;
pub mod sampling;
pub mod tokenizer;
pub mod vae;
pub mod weights;

/// What can go wrong in genscope-core. Messages name the tensor, file or shape concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Operands of an operation do not fit together.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// The backend failed (a lost GPU device, an allocation failure, ...).
    #[error("backend error: {0}")]
    Backend(String),
    /// Weights do not match the model's configuration or are not usable.
    #[error("bad weights: {0}")]
    Weights(String),
}

/// genscope-core's result type.
pub type Result<T> = std::result::Result<T, Error>;
