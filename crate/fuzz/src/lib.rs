//! The bodies of genscope's fuzz targets: each takes arbitrary bytes and drives one input path of the site the way
//! the pages do, from parsing to (where a parse succeeds) building the model and running it once. The only outcome
//! allowed is `Ok` or `Err`; a panic, an abort or a hang is a bug.
//!
//! `fuzz_targets/*.rs` wrap these for libFuzzer (`cargo xtask fuzz`); `tests/replay.rs` replays the committed seeds
//! and every crasher saved in `regressions/` (embedded by `build.rs`), natively and in wasm32 in Chromium, so a
//! fixed bug stays fixed in the ordinary test run on the architecture that ships too. Each input's [`verdict`] is
//! compared with the one recorded natively in `verdicts.txt`: a 32-bit `usize` must not change what is accepted.
//!
//! The targets also assert, for everything they accept, that its sizes fit a 32-bit `usize` (at most
//! `i32::MAX` bytes per tensor, at most [`MAX_PARAMETERS`] parameters): what loads on the 64-bit fuzzer loads in
//! the browser.

use genscope_core::backend::prelude::*;
use genscope_core::card::{ModelCard, ModelConfig};
use genscope_core::cpu::CpuBackend;
use genscope_core::dataset::{check_images, check_labels, LabelledImages};
use genscope_core::lm::{Lm, LmConfig, MAX_PARAMETERS};
use genscope_core::nn::HostWeights;
use genscope_core::query::{self, Query};
use genscope_core::tokenizer::Tokenizer;
use genscope_core::vae::{Vae, VaeConfig};
use genscope_core::weights::{open_lm_files, read_lm_files, read_safetensors, LmFiles};

/// A fuzz target's body.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as `cargo xtask fuzz` and the replay test know them.
pub const TARGETS: [(&str, Target); 6] = [
    ("safetensors", safetensors),
    ("llama2c", llama2c),
    ("model_card", model_card),
    ("url_query", url_query),
    ("tokenizer", tokenizer),
    ("idx", idx),
];

/// Text that exercises the tokenizers: ASCII, Chinese, emoji, a control character.
const PROBE_TEXT: &str = "To be, or not\n床前明月光 🙂\u{7}";

/// A safetensors file as the pages read one: as a (tiny) VAE's weights, and as a visitor's own language model
/// (config and vocabulary in its metadata), run for one token.
pub fn safetensors(data: &[u8]) {
    if let Ok((mut weights, _)) = read_safetensors(data) {
        assert_fits_32_bits(&weights);
        let config = VaeConfig {
            width: 2,
            height: 2,
            hidden: 3,
            latent: 1,
        };
        if let Ok(vae) = Vae::new(&CpuBackend, config, &mut weights) {
            let z = CpuBackend.upload(&[0.5], &[1, 1]).expect("a 1×1 upload");
            let _ = vae.decode(&CpuBackend, &z);
        }
    }
    run_own_model("model.safetensors", data, None);
}

/// A llama2.c checkpoint and its `tokenizer.bin`, as the LM page's "open your own model" reads them. The first two
/// bytes say where the checkpoint ends and the tokenizer begins.
pub fn llama2c(data: &[u8]) {
    let (model, tokenizer) = split(data);
    run_own_model("model.bin", model, Some(tokenizer));
}

/// A model card: parsed and checked, its configuration typed, its parameter count computed.
pub fn model_card(data: &[u8]) {
    if let Ok(card) = ModelCard::parse(data) {
        let config = card
            .model_config()
            .expect("a card that parses has a valid config");
        let _ = match config {
            ModelConfig::Vae(c) => c.parameter_count(),
            ModelConfig::Gan(c) => c.generator_shapes().len() + c.discriminator_shapes().len(),
            ModelConfig::Lm(c) => c.parameter_count(),
            ModelConfig::Classifier(c) => c.parameter_count(),
        };
    }
}

/// An IDX image file and its label file (the first two bytes say where the images end), as the VAE page reads an
/// evaluation subset: paired, checked against a 28×28 model with 10 classes, every image and label visited.
pub fn idx(data: &[u8]) {
    let (images, labels) = split(data);
    let Ok(set) = LabelledImages::from_named_idx(("images.idx", images), ("labels.idx", labels))
    else {
        return;
    };
    assert!(set.pixels.len() <= images.len() && set.labels.len() <= labels.len());
    let fits = check_images(&set, "images.idx", 28, 28).is_ok();
    let labelled = check_labels(&set, "labels.idx", 10).is_ok();
    for i in 0..set.len() {
        let (pixels, label) = set.get(i).expect("an image per label");
        assert_eq!(pixels.len(), set.width * set.height);
        assert!(!labelled || label < 10);
        if fits {
            assert_eq!(set.image(i).len(), 28 * 28);
        }
    }
    assert!(set.get(set.len()).is_none());
}

/// URL state: parsed, every kind of value asked for as the pages ask, and written back.
pub fn url_query(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut parsed = Query::parse(&text);
    let t = parsed.number("t", 0.05, 20.0);
    assert!(t.is_none_or(|t| (0.05..=20.0).contains(&t)), "t = {t:?}");
    if let Some(z) = parsed.numbers("z", 16, 3.0) {
        assert!(z.len() == 16 && z.iter().all(|v| v.is_finite() && v.abs() <= 3.0));
    }
    let _ = parsed.choice("model", &["vae-mnist-z2", "vae-mnist-z16"]);
    let prompt = parsed.get("prompt").unwrap_or_default().to_string();
    let encoded = query::encode(&[("prompt", prompt.clone()), ("s", text.to_string())]);
    let reread = Query::parse(&encoded);
    if encoded.len() <= query::MAX_QUERY_LEN {
        // Whatever the page writes into the URL (it writes nothing longer) reads back the same.
        assert_eq!(reread.get("prompt").unwrap_or_default(), prompt.as_str());
        assert_eq!(reread.get("s").unwrap_or_default(), &*text);
    } else {
        assert!(!reread.notes.is_empty(), "a cut link must say so");
    }
    let _ = query::format_numbers(&[f32::NAN, f32::INFINITY, -0.0, 1e30]);
}

/// A `tokenizer.bin` (vocabulary size from the first byte) and a character vocabulary (one piece per line), each
/// encoding the rest of the input and a fixed multilingual text.
pub fn tokenizer(data: &[u8]) {
    let (head, rest) = split(data);
    let text = String::from_utf8_lossy(rest);
    let vocab_size = usize::from(data.first().copied().unwrap_or(1)).max(1);
    if let Ok(t) = Tokenizer::read_llama2c(head, vocab_size) {
        check_encoding(&t, &text);
    }
    let pieces: Vec<String> = String::from_utf8_lossy(head)
        .split('\n')
        .map(str::to_string)
        .collect();
    if let Ok(t) = Tokenizer::characters(pieces) {
        check_encoding(&t, &text);
    }
}

fn check_encoding(tokenizer: &Tokenizer, text: &str) {
    for text in [text, PROBE_TEXT] {
        for id in tokenizer.encode(text) {
            assert!(
                (id as usize) < tokenizer.len(),
                "id {id} of {}",
                tokenizer.len()
            );
            let _ = tokenizer.piece(id);
        }
    }
}

/// Reads a visitor's model; if it loads, runs the prompt through it as the LM page does.
fn run_own_model(file_name: &str, bytes: &[u8], tokenizer: Option<&[u8]>) {
    let Ok((config, tokenizer, mut weights)) = read_lm_files(file_name, bytes, tokenizer) else {
        return;
    };
    assert_fits_32_bits(&weights);
    assert!(
        config.parameter_count() as u64 <= MAX_PARAMETERS,
        "{} parameters accepted",
        config.parameter_count()
    );
    let Ok(lm) = Lm::new(&CpuBackend, config, &mut weights) else {
        return;
    };
    let mut tokens = tokenizer.encode(PROBE_TEXT);
    tokens.truncate(lm.config().seq_len);
    if tokens.is_empty() {
        tokens.push(0);
    }
    let mut cache = lm
        .new_cache(&CpuBackend)
        .expect("a cache for a loaded model");
    let _ = lm.forward(&CpuBackend, &tokens, &mut cache, true);
}

/// Everything accepted fits a 32-bit `usize`: each tensor's f32 values take at most `i32::MAX` bytes, so the same
/// file is accepted the same way in the browser.
fn assert_fits_32_bits(weights: &HostWeights) {
    for name in weights.names() {
        if let Some((shape, data)) = weights.get(name) {
            let elements = shape.iter().try_fold(1u64, |n, &d| n.checked_mul(d as u64));
            assert_eq!(elements, Some(data.len() as u64), "`{name}`");
            assert!(
                data.len() as u64 * 4 <= i32::MAX as u64,
                "`{name}` too large"
            );
        }
    }
}

/// What the site decides about `data` as input to `target`: a short word per reader the target drives (`ok` or
/// `refused`). The replay test compares these with `verdicts.txt`, recorded natively, on every target it runs on,
/// so a 32-bit `usize` (the browser's) is caught deciding otherwise.
pub fn verdict(target: &str, data: &[u8]) -> String {
    let word = |ok: bool| if ok { "ok" } else { "refused" };
    match target {
        "safetensors" => format!(
            "weights {}, lm {}",
            word(read_safetensors(data).is_ok()),
            word(open_lm_files("model.safetensors", data, None).is_ok())
        ),
        "llama2c" => {
            let (model, tokenizer) = split(data);
            let opened = open_lm_files("model.bin", model, Some(("tokenizer.bin", tokenizer)));
            match opened {
                Ok(LmFiles { config, notes, .. }) => format!(
                    "ok ({} parameters, {} notes)",
                    config.parameter_count(),
                    notes.len()
                ),
                Err(_) => "refused".into(),
            }
        }
        "model_card" => word(ModelCard::parse(data).is_ok()).into(),
        "url_query" => {
            let parsed = Query::parse(&String::from_utf8_lossy(data));
            format!("{} notes", parsed.notes.len())
        }
        "tokenizer" => {
            let (head, _) = split(data);
            let vocab_size = usize::from(data.first().copied().unwrap_or(1)).max(1);
            let pieces = String::from_utf8_lossy(head)
                .split('\n')
                .map(str::to_string)
                .collect();
            format!(
                "tokenizer.bin {}, characters {}",
                word(Tokenizer::read_llama2c(head, vocab_size).is_ok()),
                word(Tokenizer::characters(pieces).is_ok())
            )
        }
        "idx" => {
            let (images, labels) = split(data);
            match LabelledImages::from_named_idx(("images.idx", images), ("labels.idx", labels)) {
                Ok(set) => format!(
                    "ok, 28x28 {}, labels {}",
                    word(check_images(&set, "images.idx", 28, 28).is_ok()),
                    word(check_labels(&set, "labels.idx", 10).is_ok())
                ),
                Err(_) => "refused".into(),
            }
        }
        other => format!("no target {other}"),
    }
}

/// Splits at the offset in the first two bytes (little-endian), clamped to the input.
fn split(data: &[u8]) -> (&[u8], &[u8]) {
    if data.len() < 2 {
        return (data, &[]);
    }
    let at = (usize::from(u16::from_le_bytes([data[0], data[1]])) + 2).min(data.len());
    (&data[2..at], &data[at..])
}

/// Writes the seed corpora into `dir/<target>/`: tiny valid files of every kind (a VAE and an LM as safetensors, an
/// LM as llama2.c with its tokenizer, the shipped model cards, the pages' own URLs, tokenizers) and a few broken
/// ones. Rerun by `cargo test -p genscope-fuzz -- --ignored write_seeds`.
pub fn write_seeds(dir: &std::path::Path, cards: &std::path::Path) -> std::io::Result<()> {
    use genscope_core::weights::{write_llama2c, write_safetensors, Storage};
    use std::collections::HashMap;

    let write = |target: &str, name: &str, bytes: &[u8]| -> std::io::Result<()> {
        std::fs::create_dir_all(dir.join(target))?;
        std::fs::write(dir.join(target).join(name), bytes)
    };
    let filled = |shapes: Vec<(String, Vec<usize>)>| {
        let mut weights = HostWeights::new();
        for (i, (name, shape)) in shapes.into_iter().enumerate() {
            let n = shape.iter().product::<usize>();
            let values = (0..n)
                .map(|j| ((i * 7 + j) % 5) as f32 * 0.1 - 0.2)
                .collect();
            weights.insert(name, shape, values).expect("consistent");
        }
        weights
    };
    let vae = VaeConfig {
        width: 2,
        height: 2,
        hidden: 3,
        latent: 1,
    };
    let vae_weights = filled(vae.parameter_shapes());
    let none = HashMap::new();
    let file = |w: &HostWeights, s, m: &HashMap<String, String>| {
        write_safetensors(w, s, m.clone()).expect("writes")
    };
    write(
        "safetensors",
        "vae-f32",
        &file(&vae_weights, Storage::F32, &none),
    )?;
    write(
        "safetensors",
        "vae-f16",
        &file(&vae_weights, Storage::F16, &none),
    )?;
    let lm = tiny_lm();
    let lm_weights = filled(lm.parameter_shapes());
    let vocab = ["⟨unk⟩", "a", "b", " ", "床"];
    let meta = HashMap::from([
        (
            "config".to_string(),
            serde_json::to_string(&lm).expect("a config"),
        ),
        (
            "vocab".to_string(),
            serde_json::to_string(&vocab).expect("a list"),
        ),
    ]);
    write("safetensors", "lm", &file(&lm_weights, Storage::F32, &meta))?;
    write("safetensors", "empty", b"")?;
    write(
        "safetensors",
        "html",
        b"<!doctype html><title>404 Not Found</title>",
    )?;

    let tokenizer = Tokenizer::new(
        vocab.iter().map(|p| p.to_string()).collect(),
        vec![0.0, -1.0, -2.0, -3.0, -4.0],
    )
    .expect("a tokenizer")
    .write_llama2c();
    let checkpoint = write_llama2c(&lm, &lm_weights).expect("writes");
    write(
        "llama2c",
        "model-and-tokenizer",
        &joined(&checkpoint, &tokenizer),
    )?;
    write(
        "llama2c",
        "truncated",
        &joined(&checkpoint[..40], &tokenizer),
    )?;
    write("llama2c", "no-tokenizer", &joined(&checkpoint, b""))?;

    for entry in std::fs::read_dir(cards)? {
        let path = entry?.path();
        let bytes = std::fs::read(&path)?;
        if path.extension().is_some_and(|e| e == "json") && bytes.len() < 8_192 {
            write(
                "model_card",
                &path.file_name().unwrap_or_default().to_string_lossy(),
                &bytes,
            )?;
        }
    }
    write("model_card", "not-json", b"{\"name\": ")?;

    for (i, url) in [
        "model=vae-mnist-z2&z=0.5,-1.25",
        "model=vae-mnist-z16&z=0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,NaN",
        "model=lm-shakespeare&prompt=ROMEO%3A%20%F0%9F%99%82&t=0.8&k=40&p=0.9&seed=7&greedy=1",
        "t=1e999&z=1e30,-1e30&prompt=%ZZ%&&=&==",
    ]
    .iter()
    .enumerate()
    {
        write("url_query", &format!("url-{i}"), url.as_bytes())?;
    }

    write(
        "tokenizer",
        "llama2c",
        &joined(&tokenizer, PROBE_TEXT.as_bytes()),
    )?;
    write(
        "tokenizer",
        "characters",
        &joined("a\nb\n床\n🙂".as_bytes(), "ab 床".as_bytes()),
    )?;
    write("tokenizer", "short", &[3, 0, 1])?;
    write_class_seeds(dir)
}

/// Joins two inputs for a target that takes two files: the first one's length (2 bytes, little-endian), it, then
/// the second.
fn joined(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = (a.len() as u16).to_le_bytes().to_vec();
    out.extend(a);
    out.extend(b);
    out
}

/// A llama2.c header: dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size (negative: separate classifier),
/// seq_len.
fn llama2c_header(fields: [i32; 7]) -> Vec<u8> {
    fields.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A safetensors file with `header` as its JSON header and `data` after it.
fn raw_safetensors(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend(header.as_bytes());
    out.extend(data);
    out
}

/// The five-token LM the seeds are written for.
fn tiny_lm() -> LmConfig {
    LmConfig {
        dim: 4,
        hidden_dim: 4,
        n_layers: 1,
        n_heads: 2,
        n_kv_heads: 2,
        vocab_size: 5,
        seq_len: 8,
        norm_eps: 1e-5,
    }
}

/// A file of zeros the size a llama2.c checkpoint of `config` with a separate classifier has, header first.
fn llama2c_zeros(config: &LmConfig) -> Vec<u8> {
    let (d, h, l, kv) = (
        config.dim,
        config.hidden_dim,
        config.n_layers,
        config.kv_dim(),
    );
    let floats = 2 * config.vocab_size * d
        + l * (2 * d + 2 * d * d + 2 * kv * d + 3 * h * d)
        + d
        + config.seq_len * config.head_dim();
    let mut out = llama2c_header(genscope_core::weights::llama2c_header(config));
    out.resize(out.len() + floats * 4, 0);
    out
}

/// The seeds for each class of defect the readers guard against (issue 15): sizes that overflow a 32-bit `usize`,
/// numbers from a file used as lengths or indexes, configurations that break a rule, a context over the limit,
/// repeated safetensors keys, extra tokenizer pieces, cut or mismatched IDX files. Written by [`write_seeds`]
/// (and alone by `cargo test -p genscope-fuzz -- --ignored write_class_seeds`).
pub fn write_class_seeds(dir: &std::path::Path) -> std::io::Result<()> {
    use genscope_core::dataset::write_idx;
    use genscope_core::weights::{write_safetensors, Storage};
    use std::collections::HashMap;

    let write = |target: &str, name: &str, bytes: &[u8]| -> std::io::Result<()> {
        std::fs::create_dir_all(dir.join(target))?;
        std::fs::write(dir.join(target).join(name), bytes)
    };
    let vocab = ["⟨unk⟩", "a", "b", " ", "床"];
    let tokenizer = Tokenizer::characters(vocab.iter().map(|p| p.to_string()).collect())
        .expect("a tokenizer")
        .write_llama2c();
    let lm = tiny_lm();

    // llama2.c: configuration rules, a context over MAX_CONTEXT (clipped), another model's tokenizer.
    for (name, header) in [
        ("heads-do-not-divide-dim", [4, 4, 1, 3, 3, -5, 8]),
        ("kv-heads-do-not-divide-heads", [8, 4, 1, 4, 3, -5, 8]),
        ("odd-head-dim", [6, 4, 1, 2, 2, -5, 8]),
        ("field-out-of-range", [4, 4, 1, 2, 2, -5, 0]),
    ] {
        write(
            "llama2c",
            name,
            &joined(&llama2c_header(header), &tokenizer),
        )?;
    }
    let long = LmConfig {
        seq_len: 2048,
        ..lm.clone()
    };
    write(
        "llama2c",
        "long-context",
        &joined(&llama2c_zeros(&long), &tokenizer),
    )?;
    let mut six = tokenizer.clone();
    six.extend(0f32.to_le_bytes());
    six.extend(1i32.to_le_bytes());
    six.push(b'z');
    write(
        "llama2c",
        "extra-tokenizer-piece",
        &joined(&llama2c_zeros(&lm), &six),
    )?;

    // safetensors: repeated keys (tensors, metadata), offsets past the data, a tensor over 512 MiB, a long context.
    let x = r#""x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#;
    write(
        "safetensors",
        "duplicate-tensor",
        &raw_safetensors(&format!("{{{x},{x}}}"), &[0; 4]),
    )?;
    write(
        "safetensors",
        "duplicate-metadata",
        &raw_safetensors(
            &format!(r#"{{"__metadata__":{{"config":"{{}}","config":"[]"}},{x}}}"#),
            &[0; 4],
        ),
    )?;
    write(
        "safetensors",
        "offsets-past-the-data",
        &raw_safetensors(
            r#"{"x":{"dtype":"F32","shape":[1000],"data_offsets":[0,4000]}}"#,
            &[0; 4],
        ),
    )?;
    write(
        "safetensors",
        "tensor-over-32-bit-bits",
        &raw_safetensors(
            r#"{"x":{"dtype":"U8","shape":[4294967290],"data_offsets":[0,4294967290]}}"#,
            &[0; 4],
        ),
    )?;
    let weights = {
        let mut w = HostWeights::new();
        for (name, shape) in lm.parameter_shapes() {
            let n = shape.iter().product();
            w.insert(name, shape, vec![0.01; n]).expect("consistent");
        }
        w
    };
    for (name, config) in [
        ("long-context", long.clone()),
        (
            "heads-do-not-divide-dim",
            LmConfig {
                n_heads: 3,
                ..lm.clone()
            },
        ),
    ] {
        let meta = HashMap::from([
            (
                "config".to_string(),
                serde_json::to_string(&config).expect("json"),
            ),
            (
                "vocab".to_string(),
                serde_json::to_string(&vocab).expect("json"),
            ),
        ]);
        let file = write_safetensors(&weights, Storage::F32, meta).expect("writes");
        write("safetensors", name, &file)?;
    }

    // tokenizer.bin: one that parses (its first byte, the vocabulary size, is the piece count), extra pieces, a
    // negative length, a NaN score.
    let mut pieces: Vec<String> = vocab.iter().map(|p| p.to_string()).collect();
    let base = Tokenizer::characters(pieces.clone())
        .expect("a tokenizer")
        .write_llama2c()
        .len();
    // One more piece, padded so that the file's length is the piece count modulo 256: `tokenizer` takes the
    // vocabulary size from the input's first byte, the low byte of that length, and reads this file whole.
    let count = pieces.len() + 1;
    let pad = (count + 4 * 256 - base - 8) % 256;
    pieces.push("x".repeat(pad));
    let parses = Tokenizer::characters(pieces)
        .expect("a tokenizer")
        .write_llama2c();
    write(
        "tokenizer",
        "parses",
        &joined(&parses, PROBE_TEXT.as_bytes()),
    )?;
    let mut extra = parses.clone();
    extra.extend(0f32.to_le_bytes());
    extra.extend(0i32.to_le_bytes());
    write("tokenizer", "extra-pieces", &joined(&extra, b"ab"))?;
    let mut negative = parses.clone();
    negative[8..12].copy_from_slice(&(-7i32).to_le_bytes());
    write("tokenizer", "negative-length", &joined(&negative, b"ab"))?;
    let mut nan = parses.clone();
    nan[4..8].copy_from_slice(&f32::NAN.to_le_bytes());
    write("tokenizer", "nan-score", &joined(&nan, b"ab"))?;

    // IDX: a valid 28×28 subset, another size, a label past the classes, a cut file, a shape that overflows.
    let images = write_idx(&[2, 28, 28], &[128; 2 * 28 * 28]);
    let labels = write_idx(&[2], &[3, 9]);
    write("idx", "mnist-like", &joined(&images, &labels))?;
    write(
        "idx",
        "other-size",
        &joined(&write_idx(&[2, 4, 4], &[7; 32]), &labels),
    )?;
    write(
        "idx",
        "label-out-of-range",
        &joined(&images, &write_idx(&[2], &[3, 200])),
    )?;
    write(
        "idx",
        "cut",
        &joined(&images[..images.len() - 100], &labels),
    )?;
    write(
        "idx",
        "overflow",
        &joined(&write_idx(&[u32::MAX as usize; 3], &[]), &labels),
    )?;
    write(
        "idx",
        "label-count",
        &joined(&images, &write_idx(&[3], &[1, 2, 3])),
    )?;
    Ok(())
}

/// The saved crashers of issue 15, for `regressions/`: llama2.c headers whose every field is within the reader's
/// limits but whose tensors have 2^32 values in all (and, in the second, a per-layer matrix of 2^32 values alone).
/// On a 32-bit `usize` their sizes wrapped to a 28-byte file and the reader panicked.
pub fn write_regressions(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("llama2c"))?;
    let tokenizer = Tokenizer::characters(vec!["a".into()])
        .expect("a tokenizer")
        .write_llama2c();
    for (name, header) in [
        ("four-giga-values", [16_384, 1, 1, 1, 1, 196_601, 1]),
        (
            "query-matrix-of-four-giga-values",
            [16_384, 1, 16, 1, 1, 65_454, 1],
        ),
    ] {
        std::fs::write(
            dir.join("llama2c").join(name),
            joined(&llama2c_header(header), &tokenizer),
        )?;
    }
    Ok(())
}

#[cfg(test)]
#[cfg(not(target_arch = "wasm32"))]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    #[ignore = "rewrites the committed seed corpora"]
    fn write_seeds() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        super::write_seeds(&root.join("seeds"), &root.join("../../assets/models")).unwrap();
        super::write_regressions(&root.join("regressions")).unwrap();
    }

    #[test]
    #[ignore = "rewrites the committed seeds of issue 15's defect classes"]
    fn write_class_seeds() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        super::write_class_seeds(&root.join("seeds")).unwrap();
        super::write_regressions(&root.join("regressions")).unwrap();
    }

    /// The valid seeds really load, so the fuzzer starts from inputs that reach the model code.
    #[test]
    fn the_valid_seeds_load() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
        let seed = |target: &str, name: &str| std::fs::read(root.join(target).join(name)).unwrap();
        let (config, tokenizer, mut weights) =
            read_lm_files("model.safetensors", &seed("safetensors", "lm"), None).unwrap();
        assert_eq!(tokenizer.len(), config.vocab_size);
        Lm::new(&CpuBackend, config, &mut weights).unwrap();
        let both = seed("llama2c", "model-and-tokenizer");
        let (model, tokenizer) = split(&both);
        let (config, _, mut weights) = read_lm_files("model.bin", model, Some(tokenizer)).unwrap();
        Lm::new(&CpuBackend, config, &mut weights).unwrap();
        let (mut weights, _) = read_safetensors(&seed("safetensors", "vae-f16")).unwrap();
        let config = VaeConfig {
            width: 2,
            height: 2,
            hidden: 3,
            latent: 1,
        };
        Vae::new(&CpuBackend, config, &mut weights).unwrap();
        assert!(ModelCard::parse(&seed("model_card", "vae-mnist-z2.json")).is_ok());
        // The class seeds that must load do, and the long contexts are clipped the same way in both formats.
        let long = seed("llama2c", "long-context");
        assert!(verdict("llama2c", &long).ends_with("1 notes)"));
        assert_eq!(
            verdict("safetensors", &seed("safetensors", "long-context")),
            "weights ok, lm ok"
        );
        assert_eq!(
            verdict("tokenizer", &seed("tokenizer", "parses")),
            "tokenizer.bin ok, characters ok"
        );
        assert_eq!(
            verdict("idx", &seed("idx", "mnist-like")),
            "ok, 28x28 ok, labels ok"
        );
    }
}
