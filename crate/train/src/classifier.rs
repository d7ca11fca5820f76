//! Training the image classifier (the core crate's `Classifier<CpuBackend>`): cross-entropy, AdamW, a few epochs.
//! Its features are the space the GANs' FID is measured in; the GAN page uses its labels.

use crate::card::{new_card, object, write, Source};
use genscope_core::registry::Kind;
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use candle_core::{DType, Device, Tensor};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarMap};
use genscope_core::classifier::{Classifier, ClassifierConfig};
use genscope_core::cpu::CpuBackend;
use genscope_core::weights::{write_safetensors, Storage};
use serde_json::json;

use crate::data::ImageSet;
use crate::vars::{fan_in_uniform, host_weights, VarParams};

/// The shipped classifiers' architecture.
pub fn shipped_config() -> ClassifierConfig {
    ClassifierConfig {
        inputs: 784,
        hidden: 256,
        features: 128,
        classes: 10,
    }
}

/// Test accuracy of `classifier` on `set`.
pub fn accuracy(classifier: &Classifier<CpuBackend>, set: &ImageSet) -> Result<f64> {
    let pixels = set.width * set.height;
    let mut correct = 0usize;
    for (chunk, labels) in set
        .pixels
        .chunks(1000 * pixels)
        .zip(set.labels.chunks(1000))
    {
        let x = Tensor::from_slice(chunk, (labels.len(), pixels), &Device::Cpu)?;
        let predicted: Vec<u32> = classifier.logits(&CpuBackend, &x)?.argmax(1)?.to_vec1()?;
        correct += predicted
            .iter()
            .zip(labels)
            .filter(|(p, &l)| **p == u32::from(l))
            .count();
    }
    Ok(correct as f64 / set.len() as f64)
}

/// Trains `name` on `train_set` and writes its weights and card.
pub fn train(
    name: &str,
    train_set: &ImageSet,
    test_set: &ImageSet,
    source: &'static Source,
    out_dir: &Path,
    seed: u64,
) -> Result<Classifier<CpuBackend>> {
    let started = Instant::now();
    let config = shipped_config();
    let varmap = VarMap::new();
    let classifier = Classifier::new(
        &CpuBackend,
        config.clone(),
        &mut VarParams::new(&varmap, seed, fan_in_uniform),
    )?;
    let mut optimizer = AdamW::new(
        varmap.all_vars(),
        ParamsAdamW {
            lr: 1e-3,
            weight_decay: 1e-4,
            ..Default::default()
        },
    )?;
    let (epochs, batch, pixels) = (4, 128, config.inputs);
    let steps = train_set.len() / batch;
    let mut curve = Vec::new();
    for epoch in 0..epochs {
        let order = crate::data::shuffled(train_set.len(), seed.rotate_left(32) ^ epoch as u64);
        let mut total = 0.0;
        for step in 0..steps {
            let ids = &order[step * batch..(step + 1) * batch];
            let mut x = Vec::with_capacity(batch * pixels);
            for &i in ids {
                x.extend_from_slice(&train_set.pixels[i * pixels..(i + 1) * pixels]);
            }
            let labels: Vec<u32> = ids
                .iter()
                .map(|&i| u32::from(train_set.labels[i]))
                .collect();
            let x = Tensor::from_vec(x, (batch, pixels), &Device::Cpu)?;
            let y = Tensor::from_vec(labels, batch, &Device::Cpu)?;
            let loss = candle_nn::loss::cross_entropy(&classifier.logits(&CpuBackend, &x)?, &y)?;
            optimizer.backward_step(&loss)?;
            total += f64::from(loss.to_dtype(DType::F32)?.to_scalar::<f32>()?);
        }
        let test_accuracy = accuracy(&classifier, test_set)?;
        println!(
            "{name} epoch {}: loss {:.4}, test accuracy {test_accuracy:.4}",
            epoch + 1,
            total / steps as f64
        );
        curve.push(json!({"epoch": epoch + 1, "train_loss": total / steps as f64, "test_accuracy": test_accuracy}));
    }
    let test_accuracy = accuracy(&classifier, test_set)?;
    let meta = HashMap::from([("config".to_string(), serde_json::to_string(&config)?)]);
    std::fs::create_dir_all(out_dir)?;
    std::fs::write(
        out_dir.join(format!("{name}.safetensors")),
        write_safetensors(&host_weights(&varmap)?, Storage::F16, meta)?,
    )?;
    let mut card = new_card(
        name,
        Kind::Classifier,
        config.parameter_count(),
        source,
        &config,
    )?;
    card.training = object(
        json!({"seed": seed, "epochs": epochs, "batch": batch, "optimizer": "AdamW", "lr": 1e-3,
            "wall_time_s": started.elapsed().as_secs_f64(), "machine": "2-core CPU, candle-core"}),
    );
    card.metrics = object(json!({"test_accuracy": test_accuracy,
            "how": "fraction of the 10,000 test images whose arg-max class is the label"}));
    card.curve = curve.into_iter().map(object).collect();
    card.extra = object(json!({"weights_storage": "f16"}));
    write(&card, out_dir)?;
    Ok(classifier)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smoke test: a few steps on two separable kinds of image reach perfect accuracy.
    #[test]
    fn a_few_steps_learn_two_classes() {
        let config = ClassifierConfig {
            inputs: 784,
            hidden: 16,
            features: 8,
            classes: 10,
        };
        let varmap = VarMap::new();
        let classifier = Classifier::new(
            &CpuBackend,
            config,
            &mut VarParams::new(&varmap, 1, fan_in_uniform),
        )
        .unwrap();
        let mut optimizer = AdamW::new(
            varmap.all_vars(),
            ParamsAdamW {
                lr: 1e-2,
                ..Default::default()
            },
        )
        .unwrap();
        let set = ImageSet {
            width: 28,
            height: 28,
            pixels: (0..32)
                .flat_map(|i| {
                    (0..784).map(move |p| {
                        if (p % 28 < 14) == (i % 2 == 0) {
                            1.0
                        } else {
                            0.0
                        }
                    })
                })
                .collect(),
            labels: (0..32).map(|i| (i % 2) as u8 * 7).collect(),
        };
        let x = Tensor::from_slice(&set.pixels, (32, 784), &Device::Cpu).unwrap();
        let y = Tensor::from_vec(
            set.labels.iter().map(|&l| u32::from(l)).collect::<Vec<_>>(),
            32,
            &Device::Cpu,
        )
        .unwrap();
        let before = accuracy(&classifier, &set).unwrap();
        for _ in 0..30 {
            let loss =
                candle_nn::loss::cross_entropy(&classifier.logits(&CpuBackend, &x).unwrap(), &y)
                    .unwrap();
            optimizer.backward_step(&loss).unwrap();
        }
        assert_eq!(
            accuracy(&classifier, &set).unwrap(),
            1.0,
            "accuracy before training was {before}"
        );
    }
}
