//! About fifty bad inputs across weights, tokenizer, IDX, configuration and [`HostWeights`], one per path an
//! error can take to a visitor, built by reading each damaged file: the corpus the message tests run on (here,
//! that each message names its file in plain words; in the app, that each one reads in Chinese too). Built for
//! tests only (`cfg(test)` or the `error-samples` feature).
// Test data: a helper that cannot build its input is a broken test.
#![allow(clippy::unwrap_used)]

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

/// One error per reachable path: `(case, error, the name (file or field) its message must contain)`.
pub fn bad_inputs() -> Vec<(&'static str, Error, &'static str)> {
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
    let set = LabelledImages::from_named_idx(("imgs.idx", &images), ("labs.idx", &labels)).unwrap();
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
