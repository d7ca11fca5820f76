//! Every model shipped in `assets/models/` loads on the CPU backend with exactly the tensors its card's
//! configuration asks for, and its card has the keys the site relies on.
#![cfg(feature = "cpu")]

use std::path::Path;

use genscope_core::backend::Backend;
use genscope_core::cpu::CpuBackend;
use genscope_core::vae::{Vae, VaeConfig};
use genscope_core::weights::read_safetensors;
use pollster::block_on;

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
    }
}
