//! The bodies of genscope's fuzz targets: each takes arbitrary bytes and drives one input path of the site the way
//! the pages do, from parsing to (where a parse succeeds) building the model and running it once. The only outcome
//! allowed is `Ok` or `Err`; a panic, an abort or a hang is a bug.
//!
//! `fuzz_targets/*.rs` wrap these for libFuzzer (`cargo xtask fuzz`); the test below replays the committed seeds
//! and every crasher saved in `regressions/`, so a fixed bug stays fixed in the ordinary test run.

use genscope_core::backend::Backend;
use genscope_core::card::{ModelCard, ModelConfig};
use genscope_core::cpu::CpuBackend;
use genscope_core::lm::Lm;
use genscope_core::query::{self, Query};
use genscope_core::tokenizer::Tokenizer;
use genscope_core::vae::{Vae, VaeConfig};
use genscope_core::weights::{read_lm_files, read_safetensors};

/// A fuzz target's body.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as `cargo xtask fuzz` and the replay test know them.
pub const TARGETS: [(&str, Target); 5] = [
    ("safetensors", safetensors),
    ("llama2c", llama2c),
    ("model_card", model_card),
    ("url_query", url_query),
    ("tokenizer", tokenizer),
];

/// Text that exercises the tokenizers: ASCII, Chinese, emoji, a control character.
const PROBE_TEXT: &str = "To be, or not\n床前明月光 🙂\u{7}";

/// A safetensors file as the pages read one: as a (tiny) VAE's weights, and as a visitor's own language model
/// (config and vocabulary in its metadata), run for one token.
pub fn safetensors(data: &[u8]) {
    if let Ok((mut weights, _)) = read_safetensors(data) {
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
    use genscope_core::lm::LmConfig;
    use genscope_core::nn::HostWeights;
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
    let lm = LmConfig {
        dim: 4,
        hidden_dim: 4,
        n_layers: 1,
        n_heads: 2,
        n_kv_heads: 2,
        vocab_size: 5,
        seq_len: 8,
        norm_eps: 1e-5,
    };
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
    let joined = |a: &[u8], b: &[u8]| {
        let mut out = (a.len() as u16).to_le_bytes().to_vec();
        out.extend(a);
        out.extend(b);
        out
    };
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
                &path.file_name().unwrap().to_string_lossy(),
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    #[ignore = "rewrites the committed seed corpora"]
    fn write_seeds() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        super::write_seeds(&root.join("seeds"), &root.join("../../assets/models")).unwrap();
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
    }

    /// Every committed seed and every saved crasher runs through its target without a panic.
    #[test]
    fn seeds_and_saved_crashers_run_clean() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for (name, target) in TARGETS {
            let mut inputs = 0;
            for dir in ["seeds", "regressions"] {
                let Ok(entries) = std::fs::read_dir(root.join(dir).join(name)) else {
                    continue;
                };
                for entry in entries {
                    let path = entry.unwrap().path();
                    let data = std::fs::read(&path).unwrap();
                    let outcome = std::panic::catch_unwind(|| target(&data));
                    assert!(outcome.is_ok(), "{name} panicked on {}", path.display());
                    inputs += 1;
                }
            }
            assert!(inputs >= 3, "{name}: only {inputs} seed inputs");
        }
    }
}
