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
pub mod lang;
pub mod latent;
pub mod lm;
pub mod manifest;
pub mod nn;
pub mod query;
pub mod registry;
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
    use crate::dataset::{check_images, check_labels, parse_idx_named, write_idx, LabelledImages};
    use crate::lm::LmConfig;
    use crate::nn::HostWeights;
    use crate::tokenizer::Tokenizer;
    use crate::weights::{open_lm_files, read_safetensors, write_safetensors, Storage};
    use crate::Error;

    fn lm() -> LmConfig {
        LmConfig {
            dim: 8,
            hidden_dim: 12,
            n_layers: 1,
            n_heads: 2,
            n_kv_heads: 1,
            vocab_size: 3,
            seq_len: 6,
            norm_eps: 1e-5,
        }
    }

    fn llama2c(fields: [i32; 7], extra: usize) -> Vec<u8> {
        let mut out: Vec<u8> = fields.iter().flat_map(|v| v.to_le_bytes()).collect();
        out.resize(out.len() + extra, 0);
        out
    }

    fn safetensors(meta: &[(&str, &str)]) -> Vec<u8> {
        let mut w = HostWeights::new();
        w.insert("x", vec![1], vec![0.0]).unwrap();
        let meta = meta
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        write_safetensors(&w, Storage::F32, meta).unwrap()
    }

    fn raw_safetensors(header: &str, data: &[u8]) -> Vec<u8> {
        let mut out = (header.len() as u64).to_le_bytes().to_vec();
        out.extend(header.as_bytes());
        out.extend(data);
        out
    }

    fn config_json(change: impl FnOnce(&mut LmConfig)) -> String {
        let mut c = lm();
        change(&mut c);
        serde_json::to_string(&c).unwrap()
    }

    /// One error per reachable path, with the name (file or field) its message must contain.
    fn table() -> Vec<(&'static str, Error, &'static str)> {
        let tok = Tokenizer::characters(vec!["a".into(), "b".into(), "c".into()])
            .unwrap()
            .write_llama2c();
        let open = |name: &str, bytes: &[u8], t: Option<&[u8]>| {
            open_lm_files(name, bytes, t.map(|t| ("vocab.tok", t))).unwrap_err()
        };
        let good = [8, 12, 1, 2, 1, -3, 6];
        let good_bin = {
            let mut c = lm();
            let mut w = HostWeights::new();
            for (name, shape) in c.parameter_shapes() {
                let n = shape.iter().product();
                w.insert(name, shape, vec![0.0; n]).unwrap();
            }
            c.seq_len = 6;
            crate::weights::write_llama2c(&c, &w).unwrap()
        };
        let vocab = r#"["a","b","c"]"#;
        let x = r#""x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#;
        let images = write_idx(&[2, 2, 2], &[0; 8]);
        let labels = write_idx(&[2], &[0, 7]);
        let set =
            LabelledImages::from_named_idx(("imgs.idx", &images), ("labs.idx", &labels)).unwrap();
        let idx = |bytes: &[u8]| parse_idx_named("imgs.idx", bytes).unwrap_err();
        let invalid = |change: fn(&mut LmConfig)| {
            let mut c = lm();
            change(&mut c);
            c.validate().unwrap_err()
        };
        let mut table = vec![
            // llama2.c checkpoints.
            (
                "short bin",
                open("own.bin", &[0; 10], Some(&tok)),
                "own.bin",
            ),
            (
                "field",
                open("own.bin", &llama2c([8, 12, 1, 0, 1, 3, 6], 0), Some(&tok)),
                "n_heads",
            ),
            (
                "bin rule",
                open("own.bin", &llama2c([8, 12, 1, 3, 1, 3, 6], 0), Some(&tok)),
                "n_heads",
            ),
            (
                "bin size",
                open("own.bin", &llama2c(good, 40), Some(&tok)),
                "own.bin",
            ),
            ("no tokenizer", open("own.bin", &good_bin, None), "own.bin"),
            (
                "2^32 values",
                open(
                    "own.bin",
                    &llama2c([16_384, 1, 1, 1, 1, 196_601, 1], 0),
                    None,
                ),
                "parameters",
            ),
            // Tokenizer files.
            (
                "tok short",
                open("own.bin", &good_bin, Some(&[1])),
                "vocab.tok",
            ),
            (
                "tok cut",
                open("own.bin", &good_bin, Some(&tok[..10])),
                "vocab.tok",
            ),
            (
                "tok extra",
                open("own.bin", &good_bin, Some(&[&tok[..], &[0; 9]].concat())),
                "vocab.tok",
            ),
            (
                "tok length",
                open(
                    "own.bin",
                    &good_bin,
                    Some(&[&tok[..8], &(-5i32).to_le_bytes()].concat()),
                ),
                "vocab.tok",
            ),
            (
                "tok score",
                open(
                    "own.bin",
                    &good_bin,
                    Some(&[&[1, 0, 0, 0], &f32::INFINITY.to_le_bytes()[..], &tok[8..]].concat()),
                ),
                "vocab.tok",
            ),
            (
                "tok empty",
                Tokenizer::read_llama2c_named("vocab.tok", &[1, 0, 0, 0], 0).unwrap_err(),
                "vocab.tok",
            ),
            // safetensors files.
            (
                "empty",
                open("own.safetensors", b"", None),
                "own.safetensors",
            ),
            (
                "html",
                open("own.safetensors", b"<!doctype html><p>404</p>", None),
                "own.safetensors",
            ),
            (
                "header length",
                open("own.safetensors", &u64::MAX.to_le_bytes(), None),
                "own.safetensors",
            ),
            (
                "json",
                open("own.safetensors", &raw_safetensors("{\"x\":", &[]), None),
                "own.safetensors",
            ),
            (
                "duplicate",
                open(
                    "own.safetensors",
                    &raw_safetensors(&format!("{{{x},{x}}}"), &[0; 4]),
                    None,
                ),
                "`x`",
            ),
            (
                "offsets",
                open(
                    "own.safetensors",
                    &raw_safetensors(r#"{"x":{"dtype":"F32","shape":[1]}}"#, &[0; 4]),
                    None,
                ),
                "`x`",
            ),
            (
                "cut",
                open(
                    "own.safetensors",
                    &raw_safetensors(&format!("{{{x}}}"), &[0; 2]),
                    None,
                ),
                "own.safetensors",
            ),
            (
                "dtype",
                open(
                    "own.safetensors",
                    &raw_safetensors(
                        r#"{"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#,
                        &[0; 8],
                    ),
                    None,
                ),
                "`x`",
            ),
            (
                "shape",
                open(
                    "own.safetensors",
                    &raw_safetensors(
                        r#"{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,4]}}"#,
                        &[0; 4],
                    ),
                    None,
                ),
                "own.safetensors",
            ),
            (
                "no config",
                open("own.safetensors", &safetensors(&[]), None),
                "`config`",
            ),
            (
                "bad config",
                open(
                    "own.safetensors",
                    &safetensors(&[("config", "{\"dim\": 8}")]),
                    None,
                ),
                "`config`",
            ),
            (
                "config rule",
                open(
                    "own.safetensors",
                    &safetensors(&[
                        ("config", &config_json(|c| c.n_kv_heads = 3)),
                        ("vocab", vocab),
                    ]),
                    None,
                ),
                "n_kv_heads",
            ),
            (
                "no vocab",
                open(
                    "own.safetensors",
                    &safetensors(&[("config", &config_json(|_| {}))]),
                    None,
                ),
                "own.safetensors",
            ),
            (
                "bad vocab",
                open(
                    "own.safetensors",
                    &safetensors(&[("config", &config_json(|_| {})), ("vocab", "[1]")]),
                    None,
                ),
                "`vocab`",
            ),
            (
                "vocab count",
                open(
                    "own.safetensors",
                    &safetensors(&[("config", &config_json(|_| {})), ("vocab", r#"["a"]"#)]),
                    None,
                ),
                "`vocab`",
            ),
            (
                "safetensors tokenizer",
                open(
                    "own.safetensors",
                    &safetensors(&[("config", &config_json(|_| {}))]),
                    Some(&tok[..5]),
                ),
                "vocab.tok",
            ),
            (
                "read_safetensors alone",
                read_safetensors(b"<html>").unwrap_err(),
                "safetensors file",
            ),
            // LM configuration rules.
            ("dim", invalid(|c| c.dim = 0), "dim = 0"),
            ("heads", invalid(|c| c.n_heads = 3), "n_heads = 3"),
            ("kv heads", invalid(|c| c.n_kv_heads = 3), "n_kv_heads = 3"),
            ("odd head", invalid(|c| c.dim = 6), "head_dim"),
            ("context", invalid(|c| c.seq_len = 5_000), "seq_len = 5000"),
            ("eps", invalid(|c| c.norm_eps = f32::NAN), "norm_eps"),
            (
                "parameters",
                invalid(|c| {
                    (c.dim, c.hidden_dim, c.n_layers) = (16_384, 65_536, 256);
                    (c.n_heads, c.n_kv_heads, c.vocab_size) = (128, 128, 1 << 20);
                }),
                "parameters",
            ),
            // IDX files.
            ("not idx", idx(b"<html>"), "imgs.idx"),
            ("idx header", idx(&images[..7]), "imgs.idx"),
            ("idx cut", idx(&images[..images.len() - 1]), "imgs.idx"),
            (
                "idx overflow",
                idx(&write_idx(&[u32::MAX as usize; 3], &[])),
                "imgs.idx",
            ),
            (
                "idx rank",
                LabelledImages::from_named_idx(("imgs.idx", &labels), ("labs.idx", &labels))
                    .unwrap_err(),
                "imgs.idx",
            ),
            (
                "idx labels",
                LabelledImages::from_named_idx(("imgs.idx", &images), ("labs.idx", &images))
                    .unwrap_err(),
                "labs.idx",
            ),
            (
                "idx size",
                check_images(&set, "imgs.idx", 28, 28).unwrap_err(),
                "imgs.idx",
            ),
            (
                "idx label",
                check_labels(&set, "labs.idx", 5).unwrap_err(),
                "labs.idx",
            ),
            // Host weights.
            (
                "insert",
                HostWeights::new()
                    .insert("w", vec![2, 3], vec![0.0])
                    .unwrap_err(),
                "`w`",
            ),
            (
                "insert overflow",
                HostWeights::new()
                    .insert("w", vec![usize::MAX, 2], vec![])
                    .unwrap_err(),
                "`w`",
            ),
        ];
        #[cfg(feature = "cpu")]
        {
            use crate::cpu::CpuBackend;
            use crate::nn::Params;
            let mut w = HostWeights::new();
            w.insert("w", vec![2], vec![0.0, f32::NAN]).unwrap();
            let mut param = |name: &str, shape: &[usize]| {
                Params::<CpuBackend>::param(&mut w, &CpuBackend, name, shape).unwrap_err()
            };
            table.push(("missing", param("v", &[2]), "`v`"));
            table.push(("wrong shape", param("w", &[3]), "`w`"));
            table.push(("nan", param("w", &[2]), "`w`"));
        }
        table
    }

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
