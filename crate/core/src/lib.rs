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
//! - [`engine`]: what a page asks of a model ([`engine::Spec`], [`engine::Op`]) and the typed [`engine::Output`], run on any backend.
//! - [`lab`]: the 2-D lab's data sets and density models (a Gaussian mixture by EM), judged by held-out NLL.
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
pub mod engine;
pub mod gan;
pub mod lab;
pub mod lang;
pub mod latent;
pub mod lm;
pub mod manifest;
pub mod nn;
pub mod query;
pub mod registry;
#[cfg(any(test, feature = "error-samples"))]
pub mod samples;
pub mod sampling;
pub mod script;
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
    /// A file from outside (a visitor's model or tokenizer, a downloaded asset, an evaluation subset) breaks a
    /// rule of its format. The message is `file: why`: the file's name once, then the rule in plain words.
    #[error("{file}: {why}")]
    File {
        /// The file's name as the visitor knows it (`model.bin`, `assets/eval/mnist-test-images.idx`).
        file: String,
        /// What is wrong with it, with the numbers concerned.
        why: String,
    },
}

impl Error {
    /// The explanation without the variant's prefix (`bad weights: `, a file's name): what a caller that adds its
    /// own context puts after it, so that no message repeats a prefix.
    pub fn reason(&self) -> String {
        match self {
            Error::Weights(why) | Error::File { why, .. } => why.clone(),
            Error::Shape(_) | Error::Backend(_) => self.to_string(),
        }
    }

    /// This error as a problem with `file`. The message names `file` exactly once, in front, whatever prefix the
    /// error had: `bad weights: ` is dropped, and a different file name already there stays after the new one
    /// (`model.safetensors: metadata: ...`).
    pub fn in_file(self, file: &str) -> Error {
        let why = match self {
            Error::File { file: inner, why } if inner == file => why,
            Error::File { file: inner, why } => format!("{inner}: {why}"),
            other => other.reason(),
        };
        Error::File {
            file: file.to_owned(),
            why,
        }
    }
}

/// genscope-core's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// Checks that each `(what, value, max)` lies in `1..=max`: configurations come from files, and bounding every
/// dimension keeps shape arithmetic far from overflow.
pub(crate) fn check_dimensions(model: &str, dims: &[(&str, usize, usize)]) -> Result<()> {
    match dims.iter().find(|(_, v, max)| *v == 0 || v > max) {
        Some((what, value, max)) => Err(Error::Weights(format!(
            "unsupported {model} configuration: {what} = {value} is outside 1..={max}"
        ))),
        None => Ok(()),
    }
}

/// Every error a visitor's file can cause in the readers (weights, tokenizer, data sets, LM configurations), one
/// bad input each: the message names the file or the field and says the rule in plain words, with no debug dump
/// of an internal struct and no repeated prefix.
#[cfg(test)]
mod messages {
    use crate::samples::bad_inputs as table;
    use crate::Error;

    #[test]
    fn every_message_names_its_file_or_field_in_plain_words() {
        let table = table();
        assert!(table.len() >= 40, "{} cases", table.len());
        for (case, error, name) in table {
            let message = error.to_string();
            assert!(
                message.contains(name),
                "{case}: `{message}` does not name {name}"
            );
            for dump in ["{ ", "Some(", "None", "bad weights: bad weights", "\\\""] {
                assert!(
                    !message.contains(dump),
                    "{case}: `{message}` contains {dump:?}"
                );
            }
            let parts: Vec<&str> = message.split(": ").collect();
            assert!(
                parts.windows(2).all(|w| w[0] != w[1]),
                "{case}: `{message}` repeats a prefix"
            );
            assert!(
                message.matches("bad weights").count() <= 1,
                "{case}: `{message}`"
            );
            if let Error::File { file, .. } = &error {
                assert_eq!(
                    message.matches(&format!("{file}: ")).count(),
                    1,
                    "{case}: `{message}` names {file} more than once"
                );
            }
        }
    }

    #[test]
    fn in_file_puts_the_name_in_front_once() {
        let e = Error::Weights("x".into()).in_file("a.bin");
        assert_eq!(e.to_string(), "a.bin: x");
        assert_eq!(e.clone().in_file("a.bin"), e);
        assert_eq!(e.in_file("b.zip").to_string(), "b.zip: a.bin: x");
        assert_eq!(
            Error::Shape("s".into()).in_file("f").to_string(),
            "f: shape mismatch: s"
        );
    }
}
