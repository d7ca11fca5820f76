//! Loading a GAN: its card, its generator (batch norms folded), and the critics that label its samples: its own
//! discriminator and its data set's classifier. The two critics come from two files and run as one model, so each
//! file is checked against its own model's tensors before they are put together: a fault is reported against the
//! file it is in, by construction.

use std::rc::Rc;

use genscope_core::card::ModelConfig;
use genscope_core::classifier::ClassifierConfig;
use genscope_core::gan::GanConfig;
use genscope_core::nn::HostWeights;
use genscope_core::sampling::{ranking, softmax};

use crate::engine::{Model, Op, Spec};
use crate::i18n::fill;
use crate::models::{self, ModelCard};
use crate::placement;
use crate::site::{Load, SiteContext};

use super::state::Judgement;
use super::texts::GanTexts;

/// A DCGAN on the current backend with its discriminator, the data set's classifier and its card.
pub struct LoadedGan {
    /// The card (with the timeline of generator snapshots).
    pub card: Rc<ModelCard>,
    /// Architecture.
    pub config: GanConfig,
    /// What it runs on, as the status line names it.
    pub backend: String,
    /// The generator.
    pub generator: Model,
    /// The discriminator and the data set's classifier, together.
    critics: Model,
    /// Class names of the data set.
    pub classes: &'static [&'static str; 10],
}

impl LoadedGan {
    /// Which kind of context the generator's pictures are drawn with ([`Model::canvas_kind`]).
    pub fn canvas_kind(&self) -> &'static str {
        self.generator.canvas_kind()
    }
}

impl PartialEq for LoadedGan {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// Generates `z` (`n × latent`) with `generator`: images in [0, 1], `n × 784`.
pub async fn generate(generator: &Model, z: &[f32]) -> Result<Vec<f32>, String> {
    let images = generator.run_one(Op::Generate, z).await?;
    Ok(images.into_iter().map(|v| (v + 1.0) * 0.5).collect())
}

impl LoadedGan {
    /// Labels (class, probability) and discriminator scores (sigmoid) of `images` in [0, 1]; errors in the words
    /// of `t`.
    pub async fn judge(&self, images: &[f32], t: &GanTexts) -> Result<Vec<Judgement>, String> {
        let Ok([logits, scores]) =
            <[Vec<f32>; 2]>::try_from(self.critics.run(Op::Judge, images).await?)
        else {
            return Err(t.critics_count.into());
        };
        Ok(logits
            .chunks(10)
            .zip(scores)
            .map(|(l, s)| {
                let p = softmax(l).unwrap_or_else(|_| vec![0.1; 10]);
                let best = ranking(&p)[0];
                (best, p[best], 1.0 / (1.0 + (-s).exp()))
            })
            .collect())
    }
}

/// The weights file of model `name`.
pub fn weights_path(name: &str) -> String {
    format!("assets/models/{name}.safetensors")
}

/// The card file of model `name`.
fn card_path(name: &str) -> String {
    format!("assets/models/{name}.json")
}

/// Loads GAN `name` with its critics on the site's backend; the messages the page composes are in the words of
/// `t` (those of the files and the engine are quoted as they are).
pub async fn load_gan(site: &SiteContext, name: &str, t: &GanTexts) -> Result<LoadedGan, String> {
    let Load::Ready(manifest) = &site.manifest else {
        return Err(t.assets_not_loaded.into());
    };
    let card = models::fetch_card(manifest, name).await?;
    let ModelConfig::Gan(config) = card.model_config().map_err(|e| e.to_string())? else {
        return Err(fill(
            t.not_a_gan,
            &[("file", &card_path(name)), ("kind", &card.kind.to_string())],
        ));
    };
    let (Some(classes), Some(classifier_name)) =
        (card.dataset.class_names(), card.dataset.classifier())
    else {
        return Err(fill(
            t.no_classes,
            &[
                ("file", &card_path(name)),
                ("dataset", card.dataset.title()),
            ],
        ));
    };
    let gan_path = weights_path(name);
    let mut weights = models::fetch_weights(manifest, name).await?;
    genscope_core::gan::fold_generator_batch_norms(&mut weights)
        .map_err(|e| format!("{gan_path}: {e}"))?;
    // The GAN's file holds the generator and the discriminator, nothing else.
    let mut expected = config.generator_shapes();
    expected.extend(config.discriminator_shapes());
    check_file(&gan_path, &weights, &expected, t)?;
    let generator = placement::load(
        site,
        name,
        Spec::Generator(config.clone()),
        weights.with_prefix("generator."),
    )
    .await
    .map_err(|e| format!("{gan_path}: {e}"))?;
    let classifier_card = models::fetch_card(manifest, &classifier_name).await?;
    let ModelConfig::Classifier(classifier_config) =
        classifier_card.model_config().map_err(|e| e.to_string())?
    else {
        return Err(fill(
            t.not_a_classifier,
            &[
                ("file", &card_path(&classifier_name)),
                ("kind", &classifier_card.kind.to_string()),
            ],
        ));
    };
    let classifier_weights = models::fetch_weights(manifest, &classifier_name).await?;
    let both = critics_weights(
        (&gan_path, &weights, &config),
        (
            &weights_path(&classifier_name),
            &classifier_weights,
            &classifier_config,
        ),
        t,
    )?;
    let critics = placement::load(
        site,
        name,
        Spec::Critics(config.clone(), classifier_config),
        both,
    )
    .await
    .map_err(|e| {
        // Both files passed their own checks above, so this is about running them, not about either file.
        fill(
            t.critics_failed,
            &[
                ("gan", &gan_path),
                ("classifier", &weights_path(&classifier_name)),
                ("error", &e),
            ],
        )
    })?;
    let backend = generator.backend_label(|| site.backend.label());
    Ok(LoadedGan {
        classes,
        card: Rc::new(card),
        config,
        backend,
        generator,
        critics,
    })
}

/// The critics' weights, each file checked against its own model first: the GAN file's discriminator tensors and
/// the classifier file's tensors (all of them), put together.
fn critics_weights(
    (gan_path, gan, config): (&str, &HostWeights, &GanConfig),
    (classifier_path, classifier, classifier_config): (&str, &HostWeights, &ClassifierConfig),
    t: &GanTexts,
) -> Result<HostWeights, String> {
    let discriminator = gan.with_prefix("discriminator.");
    check_file(gan_path, &discriminator, &config.discriminator_shapes(), t)?;
    check_file(
        classifier_path,
        classifier,
        &classifier_config.parameter_shapes(),
        t,
    )?;
    let mut both = discriminator;
    for n in classifier.names() {
        let (shape, data) = classifier.get(n).expect("listed");
        both.insert(n.to_string(), shape.to_vec(), data.to_vec())
            .map_err(|e| format!("{classifier_path}: {e}"))?;
    }
    Ok(both)
}

/// Checks that `weights`, read from `path`, hold exactly the tensors `expected` (names and shapes), all finite;
/// the message names `path` and says what is wrong in the words the model loader uses, in those of `t`.
pub fn check_file(
    path: &str,
    weights: &HostWeights,
    expected: &[(String, Vec<usize>)],
    t: &GanTexts,
) -> Result<(), String> {
    for (name, shape) in expected {
        let shape_text = format!("{shape:?}");
        let Some((found, data)) = weights.get(name) else {
            return Err(fill(
                t.missing_tensor,
                &[("shape", &shape_text), ("file", path), ("name", name)],
            ));
        };
        if found != shape.as_slice() {
            return Err(fill(
                t.wrong_shape,
                &[
                    ("found", &format!("{found:?}")),
                    ("shape", &shape_text),
                    ("file", path),
                    ("name", name),
                ],
            ));
        }
        if let Some(i) = data.iter().position(|v| !v.is_finite()) {
            return Err(fill(
                t.non_finite,
                &[("index", &i.to_string()), ("file", path), ("name", name)],
            ));
        }
    }
    let unexpected: Vec<&str> = weights
        .names()
        .filter(|n| !expected.iter().any(|(e, _)| e == n))
        .collect();
    if unexpected.is_empty() {
        Ok(())
    } else {
        Err(fill(
            t.unexpected_tensors,
            &[("file", path), ("names", &unexpected.join(", "))],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::gan::texts::{EN, ZH};

    fn config() -> (GanConfig, ClassifierConfig) {
        (
            GanConfig {
                latent: 4,
                base: 2,
                channels: 1,
            },
            ClassifierConfig {
                inputs: 784,
                hidden: 3,
                features: 2,
                classes: 10,
            },
        )
    }

    fn filled(shapes: &[(String, Vec<usize>)]) -> HostWeights {
        let mut w = HostWeights::new();
        for (name, shape) in shapes {
            let n = shape.iter().product();
            w.insert(name.clone(), shape.clone(), vec![0.5; n]).unwrap();
        }
        w
    }

    fn files() -> (HostWeights, HostWeights) {
        let (gan, classifier) = config();
        let mut g = gan.generator_shapes();
        g.extend(gan.discriminator_shapes());
        (filled(&g), filled(&classifier.parameter_shapes()))
    }

    fn critics(gan: &HostWeights, classifier: &HostWeights) -> Result<HostWeights, String> {
        let (g, c) = config();
        critics_weights(
            ("assets/models/dcgan-mnist.safetensors", gan, &g),
            ("assets/models/classifier-mnist.safetensors", classifier, &c),
            &EN,
        )
    }

    #[test]
    fn sound_files_give_the_critics_all_their_tensors() {
        let (gan, classifier) = files();
        let both = critics(&gan, &classifier).unwrap();
        let (g, c) = config();
        let mut expected = g.discriminator_shapes();
        expected.extend(c.parameter_shapes());
        check_file("both", &both, &expected, &EN).unwrap();
    }

    #[test]
    fn an_extra_tensor_is_reported_against_the_file_it_is_in() {
        let (gan, mut classifier) = files();
        classifier
            .insert("classifier.extra", vec![1], vec![0.0])
            .unwrap();
        let e = critics(&gan, &classifier).unwrap_err();
        assert!(
            e.starts_with("assets/models/classifier-mnist.safetensors: unexpected tensors")
                && e.contains("classifier.extra"),
            "{e}"
        );
        // Even one named like the GAN's own tensors.
        let (gan, mut classifier) = files();
        classifier
            .insert("discriminator.extra", vec![1], vec![0.0])
            .unwrap();
        let e = critics(&gan, &classifier).unwrap_err();
        assert!(
            e.starts_with("assets/models/classifier-mnist.safetensors"),
            "{e}"
        );
        // And one in the GAN's file.
        let (mut gan, classifier) = files();
        gan.insert("discriminator.extra", vec![1], vec![0.0])
            .unwrap();
        let e = critics(&gan, &classifier).unwrap_err();
        assert!(
            e.starts_with("assets/models/dcgan-mnist.safetensors"),
            "{e}"
        );
    }

    #[test]
    fn wrong_shapes_missing_and_non_finite_tensors_name_their_file() {
        let (g, c) = config();
        let (gan, _) = files();
        let mut classifier = HostWeights::new();
        for (name, shape) in c.parameter_shapes() {
            let n: usize = shape.iter().product();
            let shape = if name == "classifier.1.weight" {
                vec![shape[1], shape[0]]
            } else {
                shape
            };
            if name != "classifier.out.bias" {
                classifier.insert(name, shape, vec![0.5; n]).unwrap();
            }
        }
        let e = critics(&gan, &classifier).unwrap_err();
        assert!(
            e.starts_with(
                "assets/models/classifier-mnist.safetensors: tensor `classifier.1.weight`"
            ) && e.contains("the configuration expects"),
            "{e}"
        );
        let (mut gan, classifier) = files();
        let (name, shape) = g.discriminator_shapes().remove(0);
        let mut data = vec![0.5; shape.iter().product()];
        data[1] = f32::NAN;
        gan.insert(name, shape, data).unwrap();
        let e = critics(&gan, &classifier).unwrap_err();
        assert!(
            e.starts_with("assets/models/dcgan-mnist.safetensors")
                && e.contains("non-finite value"),
            "{e}"
        );
        let e = check_file("f", &HostWeights::new(), &g.generator_shapes(), &EN).unwrap_err();
        assert!(
            e.starts_with("f: missing tensor `generator.project.weight`"),
            "{e}"
        );
        let e = check_file("f", &HostWeights::new(), &g.generator_shapes(), &ZH).unwrap_err();
        assert!(
            e.starts_with("f：缺少张量 `generator.project.weight`（应有形状 ["),
            "{e}"
        );
    }

    /// The shipped files pass the checks the page makes before loading them.
    #[test]
    fn the_shipped_gans_and_classifiers_pass_their_checks() {
        let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/models");
        for (gan_name, classifier_name) in [
            ("dcgan-mnist", "classifier-mnist"),
            ("dcgan-fashion", "classifier-fashion"),
        ] {
            let read = |name: &str| -> Option<(ModelCard, HostWeights)> {
                let card =
                    ModelCard::parse(&std::fs::read(models.join(format!("{name}.json"))).ok()?)
                        .ok()?;
                let bytes = std::fs::read(models.join(format!("{name}.safetensors"))).ok()?;
                let (weights, _) = genscope_core::weights::read_safetensors(&bytes).ok()?;
                Some((card, weights))
            };
            let (Some((gan_card, mut gan)), Some((classifier_card, classifier))) =
                (read(gan_name), read(classifier_name))
            else {
                eprintln!("{gan_name} or {classifier_name} is not built here; skipped");
                continue;
            };
            let (ModelConfig::Gan(g), ModelConfig::Classifier(c)) = (
                gan_card.model_config().unwrap(),
                classifier_card.model_config().unwrap(),
            ) else {
                panic!("{gan_name}, {classifier_name}: wrong kinds of card");
            };
            assert_eq!(
                gan_card.dataset.classifier().as_deref(),
                Some(classifier_name)
            );
            genscope_core::gan::fold_generator_batch_norms(&mut gan).unwrap();
            let mut expected = g.generator_shapes();
            expected.extend(g.discriminator_shapes());
            check_file(gan_name, &gan, &expected, &EN).unwrap();
            critics_weights(
                (gan_name, &gan, &g),
                (classifier_name, &classifier, &c),
                &EN,
            )
            .unwrap();
        }
    }
}
