//! Every model shipped in `assets/models/` loads on the CPU backend with exactly the tensors its card's
//! configuration asks for, and its card has the keys the site relies on.
#![cfg(feature = "cpu")]
// A test: a failed unwrap is a failed check with its message.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use genscope_core::backend::prelude::*;
use genscope_core::classifier::{Classifier, ClassifierConfig};
use genscope_core::cpu::CpuBackend;
use genscope_core::dataset::LabelledImages;
use genscope_core::gan::{Discriminator, GanConfig, Generator};
use genscope_core::latent::gaussian_latents;
use genscope_core::lm::{Lm, LmConfig};
use genscope_core::tokenizer::Tokenizer;
use genscope_core::vae::{Vae, VaeConfig};
use genscope_core::weights::read_safetensors;
use pollster::block_on;
use rand::{Rng, SeedableRng};

fn cards() -> Vec<(String, serde_json::Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/models");
    let mut cards: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let card = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (
                p.with_extension("safetensors")
                    .to_string_lossy()
                    .into_owned(),
                card,
            )
        })
        .collect();
    cards.sort_by(|a, b| a.0.cmp(&b.0));
    cards
}

#[test]
fn every_card_has_the_required_keys() {
    let cards = cards();
    assert!(!cards.is_empty(), "assets/models ships no model cards");
    for (path, card) in cards {
        for key in ["name", "kind", "params", "dataset", "license", "metrics"] {
            assert!(card.get(key).is_some(), "{path}: card lacks `{key}`");
        }
        assert!(
            Path::new(&path).exists(),
            "{path}: the card has no weights file"
        );
    }
}

#[test]
fn shipped_vaes_load_and_decode() {
    let cpu = CpuBackend;
    for (path, card) in cards().into_iter().filter(|(_, c)| c["kind"] == "vae") {
        let config: VaeConfig = serde_json::from_value(card["config"].clone()).unwrap();
        assert_eq!(
            card["params"].as_u64(),
            Some(config.parameter_count() as u64),
            "{path}"
        );
        let (mut weights, _) = read_safetensors(&std::fs::read(&path).unwrap()).unwrap();
        let vae = Vae::new(&cpu, config.clone(), &mut weights).unwrap();
        weights.finish().unwrap();
        // Two latent points decode to valid, different images.
        let z: Vec<f32> = (0..2 * config.latent)
            .map(|i| if i < config.latent { 0.0 } else { 1.5 })
            .collect();
        let pixels = block_on(
            cpu.read(
                &vae.decode(&cpu, &cpu.upload(&z, &[2, config.latent]).unwrap())
                    .unwrap(),
            ),
        )
        .unwrap();
        assert!(pixels.iter().all(|p| (0.0..=1.0).contains(p)), "{path}");
        let (a, b) = pixels.split_at(config.pixels());
        let distance: f32 = a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum();
        assert!(
            distance > 5.0,
            "{path}: different latents decode to nearly the same image ({distance})"
        );
        let elbo = card["metrics"]["test_elbo_nats"].as_f64().unwrap();
        assert!(elbo.is_finite() && elbo > 0.0, "{path}: {elbo}");

        // Recompute the card's test ELBO on the committed 1,000-image subset: Bernoulli likelihood on a seeded
        // dynamic binarisation, one reparameterised z per image, as the trainer measures it on all 10,000.
        let images = subset(if path.contains("fashion") {
            "fashion"
        } else {
            "mnist"
        });
        let x = cpu
            .upload(&images.pixels, &[images.len(), config.pixels()])
            .unwrap();
        let (mean, log_var) = vae.encode(&cpu, &x).unwrap();
        let (mean, log_var) = (
            block_on(cpu.read(&mean)).unwrap(),
            block_on(cpu.read(&log_var)).unwrap(),
        );
        let eps = gaussian_latents(1, images.len(), config.latent);
        let z: Vec<f32> = mean
            .iter()
            .zip(&log_var)
            .zip(&eps)
            .map(|((m, lv), e)| m + (lv * 0.5).exp() * e)
            .collect();
        let logits = block_on(
            cpu.read(
                &vae.decode_logits(
                    &cpu,
                    &cpu.upload(&z, &[images.len(), config.latent]).unwrap(),
                )
                .unwrap(),
            ),
        )
        .unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let mut total = 0.0f64;
        for (&p, &l) in images.pixels.iter().zip(&logits) {
            let x = if rng.random::<f32>() < p { 1.0 } else { 0.0 };
            let l = f64::from(l);
            total += l.max(0.0) + (-l.abs()).exp().ln_1p() - x * l;
        }
        for (m, lv) in mean.iter().zip(&log_var) {
            total += 0.5 * f64::from(lv.exp() + m * m - lv - 1.0);
        }
        let recomputed = total / images.len() as f64;
        // Tolerance: 4 nats (a 1,000-image subset and one random binarisation against the full test set's mean).
        assert!(
            (recomputed - elbo).abs() < 4.0,
            "{path}: the card says test ELBO {elbo:.2}, the committed subset gives {recomputed:.2}"
        );
    }
}

/// The committed evaluation subset of an image data set.
fn subset(name: &str) -> LabelledImages {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/eval");
    LabelledImages::from_idx(
        &std::fs::read(dir.join(format!("{name}-test-images.idx"))).unwrap(),
        &std::fs::read(dir.join(format!("{name}-test-labels.idx"))).unwrap(),
    )
    .unwrap()
}

#[test]
fn shipped_classifiers_reach_their_card_accuracy_on_the_subset() {
    let cpu = CpuBackend;
    for (path, card) in cards()
        .into_iter()
        .filter(|(_, c)| c["kind"] == "classifier")
    {
        let config: ClassifierConfig = serde_json::from_value(card["config"].clone()).unwrap();
        let (mut weights, _) = read_safetensors(&std::fs::read(&path).unwrap()).unwrap();
        let classifier = Classifier::new(&cpu, config.clone(), &mut weights).unwrap();
        weights.finish().unwrap();
        let images = subset(if path.contains("fashion") {
            "fashion"
        } else {
            "mnist"
        });
        let logits = block_on(
            cpu.read(
                &classifier
                    .logits(
                        &cpu,
                        &cpu.upload(&images.pixels, &[images.len(), config.inputs])
                            .unwrap(),
                    )
                    .unwrap(),
            ),
        )
        .unwrap();
        let correct = logits
            .chunks(config.classes)
            .zip(&images.labels)
            .filter(|(l, &label)| genscope_core::sampling::ranking(l)[0] == label as usize)
            .count();
        let accuracy = correct as f64 / images.len() as f64;
        let claimed = card["metrics"]["test_accuracy"].as_f64().unwrap();
        // Tolerance: 0.03 (1,000 images against 10,000; the subset's standard error is about 0.005-0.01).
        assert!(
            (accuracy - claimed).abs() < 0.03,
            "{path}: card {claimed:.4}, subset {accuracy:.4}"
        );
    }
}

#[test]
fn shipped_lms_reach_their_card_loss_on_the_committed_held_out_text() {
    let cpu = CpuBackend;
    for (path, card) in cards().into_iter().filter(|(_, c)| c["kind"] == "lm") {
        let config: LmConfig = serde_json::from_value(card["config"].clone()).unwrap();
        let vocab: Vec<String> = serde_json::from_value(card["vocab"].clone()).unwrap();
        assert_eq!(vocab.len(), config.vocab_size, "{path}");
        let (mut weights, _) = read_safetensors(&std::fs::read(&path).unwrap()).unwrap();
        let lm = Lm::new(&cpu, config.clone(), &mut weights).unwrap();
        weights.finish().unwrap();
        let name = if path.contains("tang") {
            "tang"
        } else {
            "shakespeare"
        };
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("../../assets/eval/{name}-heldout.txt")),
        )
        .unwrap();
        let tokens = Tokenizer::characters(vocab).unwrap().encode(&text);
        // 32 windows of the training context spread over the committed text, every position scored.
        let window = config.seq_len;
        let (mut nll, mut count) = (0.0f64, 0usize);
        for w in 0..32 {
            let at = w * (tokens.len() - window - 1) / 32;
            let logits =
                block_on(cpu.read(&lm.forward_all(&cpu, &tokens[at..at + window]).unwrap()))
                    .unwrap();
            for (row, &target) in logits
                .chunks(config.vocab_size)
                .zip(&tokens[at + 1..at + window + 1])
            {
                let p = genscope_core::sampling::softmax(row).unwrap();
                nll -= f64::from(p[target as usize]).ln();
                count += 1;
            }
        }
        let recomputed = nll / count as f64;
        let claimed = card["metrics"]["val_nats_per_char"].as_f64().unwrap();
        // Tolerance: 0.15 nats/char (32 windows of the committed 20,000 characters against 400 windows of the whole
        // held-out text).
        assert!(
            (recomputed - claimed).abs() < 0.15,
            "{path}: card {claimed:.4}, subset {recomputed:.4}"
        );
    }
}

#[test]
fn shipped_gans_cover_their_card_classes_on_a_thousand_samples() {
    let cpu = CpuBackend;
    for (path, card) in cards().into_iter().filter(|(_, c)| c["kind"] == "gan") {
        let config: GanConfig = serde_json::from_value(card["config"].clone()).unwrap();
        let (mut weights, _) = read_safetensors(&std::fs::read(&path).unwrap()).unwrap();
        let generator = Generator::new(&cpu, config.clone(), &mut weights).unwrap();
        Discriminator::new(&cpu, config.clone(), &mut weights).unwrap();
        weights.finish().unwrap();
        // Every timeline snapshot loads as a generator of the same architecture.
        for entry in card["timeline"].as_array().unwrap() {
            let file = Path::new(&path).with_file_name(entry["file"].as_str().unwrap());
            let (mut w, _) = read_safetensors(&std::fs::read(&file).unwrap()).unwrap();
            Generator::new(&cpu, config.clone(), &mut w).unwrap();
        }
        let dataset: genscope_core::registry::DatasetId =
            serde_json::from_value(card["dataset"].clone()).unwrap();
        let classifier_path = Path::new(&path)
            .with_file_name(format!("{}.safetensors", dataset.classifier().unwrap()));
        let (mut cw, _) = read_safetensors(&std::fs::read(classifier_path).unwrap()).unwrap();
        let classifier_config = ClassifierConfig {
            inputs: 784,
            hidden: 256,
            features: 128,
            classes: 10,
        };
        let classifier = Classifier::new(&cpu, classifier_config, &mut cw).unwrap();
        let n = 1000;
        let z = gaussian_latents(42, n, config.latent);
        let images = block_on(
            cpu.read(
                &generator
                    .generate(&cpu, &cpu.upload(&z, &[n, config.latent]).unwrap())
                    .unwrap(),
            ),
        )
        .unwrap();
        let images: Vec<f32> = images.iter().map(|v| (v + 1.0) * 0.5).collect();
        let logits = block_on(
            cpu.read(
                &classifier
                    .logits(&cpu, &cpu.upload(&images, &[n, 784]).unwrap())
                    .unwrap(),
            ),
        )
        .unwrap();
        let mut counts = [0usize; 10];
        let mut confidence = 0.0f64;
        for row in logits.chunks(10) {
            let p = genscope_core::sampling::softmax(row).unwrap();
            let best = genscope_core::sampling::ranking(&p)[0];
            counts[best] += 1;
            confidence += f64::from(p[best]) / n as f64;
        }
        // The card's mean top-class probability (10,000 samples) holds on these 1,000 within sampling error.
        if let Some(claimed) = card["metrics"]["mean_confidence"].as_f64() {
            assert!(
                (confidence - claimed).abs() < 0.03,
                "{path}: card mean confidence {claimed:.3}, 1,000 samples {confidence:.3}"
            );
        }
        // Same rule as the card (a class is covered by at least the card's share of the samples, 1% on the older
        // cards), on 1,000 samples instead of 10,000: allow one class fewer for the smaller sample.
        let share = card["metrics"]["class_coverage_threshold"]
            .as_f64()
            .unwrap_or(0.01);
        let covered = counts
            .iter()
            .filter(|&&c| c as f64 >= share * n as f64)
            .count() as i64;
        let claimed = card["metrics"]["class_coverage"].as_i64().unwrap();
        assert!(
            (covered - claimed).abs() <= 1,
            "{path}: card {claimed}, 1,000 samples cover {covered}: {counts:?}"
        );
    }
}

#[test]
fn a_simplified_tang_prompt_reaches_the_model_without_unknown_characters() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/models");
    let card =
        genscope_core::card::ModelCard::parse(&std::fs::read(dir.join("lm-tang.json")).unwrap())
            .unwrap();
    let tokenizer = Tokenizer::characters(card.vocab.clone()).unwrap();
    let map = genscope_core::script::ScriptMap::new(card.script.as_ref().unwrap()).unwrap();
    let prompt = "床前明月光，疑是地上霜。举头望明月，低头思故乡。";
    // Read as it is, the Simplified prompt loses characters to ⟨unk⟩ (床 among them) ...
    let unknown = |text: &str| {
        tokenizer
            .encode(text)
            .iter()
            .filter(|&&id| id == tokenizer.unknown())
            .count()
    };
    assert!(unknown(prompt) >= 4, "{}", unknown(prompt));
    // ... converted to the model's Traditional script, none.
    let converted = map.to_model(prompt);
    assert_eq!(
        converted.text,
        "牀前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。"
    );
    assert_eq!(unknown(&converted.text), 0);
    assert!(converted.changes.contains(&('床', '牀')));
    // Shown back in Simplified, the model's text reads as the visitor typed it.
    assert_eq!(map.from_model(&converted.text).text, prompt);
}
