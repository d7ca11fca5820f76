//! What a page asks of a model, independent of where it runs: [`Spec`] says which model to build from a set of
//! weights, [`Op`] what to run on it, and [`Output`] is the typed result. [`Built`] carries them out with the same
//! generic code on any [`Backend`]: the CPU in the inference worker, the WebGPU device on the page's thread, and
//! the CPU natively in the tests below.
//!
//! A run is two halves, so a caller holding the model in a `RefCell` never keeps the borrow across an await:
//! [`Built::record`] (synchronous: uploads the input and records the forward) and [`Recorded::read`] (async: the
//! read-back, typed by the op).

use serde::{Deserialize, Serialize};

use crate::backend::Backend;
use crate::classifier::{Classifier, ClassifierConfig};
use crate::gan::{Discriminator, GanConfig, Generator};
use crate::lm::{KvCache, Lm, LmConfig};
use crate::nn::HostWeights;
use crate::vae::{Vae, VaeConfig};
use crate::{Error, Result};

/// Which model to build from a set of weights, with its architecture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Spec {
    /// A VAE (encoder and decoder).
    Vae(VaeConfig),
    /// A GAN's generator (batch norms already folded).
    Generator(GanConfig),
    /// A GAN's discriminator and its data set's classifier, judged together.
    Critics(GanConfig, ClassifierConfig),
    /// A language model; its KV cache lives with it.
    Lm(LmConfig),
}

/// What a page asks of a model. The input is one flat `f32` array (rows of the model's input width).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Op {
    /// VAE: latents (`n × latent`) → [`Output::Images`] in [0, 1].
    Decode,
    /// VAE: latents → [`Output::Images`] holding the decoder's Bernoulli logits.
    DecodeLogits,
    /// VAE: images (`n × pixels`) → [`Output::Posterior`].
    Encode,
    /// Generator: latents (`n × latent`) → [`Output::Images`] in [-1, 1].
    Generate,
    /// Critics: images in [0, 1] (`n × 784`) → [`Output::Judged`].
    Judge,
    /// LM: feeds `tokens` after `keep` cached positions (a fresh cache when `keep` is 0) → [`Output::Step`]. The
    /// input array is unused.
    Feed {
        /// Cached positions to keep.
        keep: usize,
        /// Token ids to feed.
        tokens: Vec<u32>,
        /// Whether to return the attention weights too. A cache rebuild leaves them out: on WebGPU they are
        /// `layers × heads × n × context` floats to read back, which nobody looks at.
        attention: bool,
    },
}

impl Op {
    /// A short name for messages ("this model cannot decode").
    pub fn name(&self) -> &'static str {
        match self {
            Op::Decode | Op::DecodeLogits => "decode",
            Op::Encode => "encode",
            Op::Generate => "generate",
            Op::Judge => "judge",
            Op::Feed { .. } => "take a language-model step",
        }
    }
}

/// An op's result, with each part named.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// Decoded or generated images, `n × pixels` (or the decoder's logits for [`Op::DecodeLogits`]).
    Images(Vec<f32>),
    /// The encoder's posterior `q(z|x) = N(mean, exp(log_var))`, each `n × latent`.
    Posterior {
        /// Posterior means.
        mean: Vec<f32>,
        /// Posterior log-variances.
        log_var: Vec<f32>,
    },
    /// The critics' verdicts on `n` images.
    Judged {
        /// The classifier's logits, `n × 10`.
        classifier_logits: Vec<f32>,
        /// The discriminator's logits (sigmoid: the probability "real"), `n`.
        discriminator_logits: Vec<f32>,
    },
    /// One language-model step.
    Step {
        /// Next-token logits after the last fed token, `vocab`.
        logits: Vec<f32>,
        /// Per layer, the attention weights `[heads, tokens, context]` of the fed tokens.
        attention: Vec<Vec<f32>>,
    },
}

impl Output {
    /// The parts as flat arrays in a fixed order, for the wire between the page and the inference worker.
    pub fn into_parts(self) -> Vec<Vec<f32>> {
        match self {
            Output::Images(images) => vec![images],
            Output::Posterior { mean, log_var } => vec![mean, log_var],
            Output::Judged {
                classifier_logits,
                discriminator_logits,
            } => vec![classifier_logits, discriminator_logits],
            Output::Step { logits, attention } => {
                std::iter::once(logits).chain(attention).collect()
            }
        }
    }

    /// The output of `op` from the parts [`Output::into_parts`] wrote.
    pub fn from_parts(op: &Op, parts: Vec<Vec<f32>>) -> Result<Self> {
        let short = || {
            Error::Backend(format!(
                "{}: the result has {} parts",
                op.name(),
                parts.len()
            ))
        };
        let mut it = parts.clone().into_iter();
        Ok(match op {
            Op::Decode | Op::DecodeLogits | Op::Generate => {
                Output::Images(it.next().ok_or_else(short)?)
            }
            Op::Encode => Output::Posterior {
                mean: it.next().ok_or_else(short)?,
                log_var: it.next().ok_or_else(short)?,
            },
            Op::Judge => Output::Judged {
                classifier_logits: it.next().ok_or_else(short)?,
                discriminator_logits: it.next().ok_or_else(short)?,
            },
            Op::Feed { .. } => Output::Step {
                logits: it.next().ok_or_else(short)?,
                attention: it.collect(),
            },
        })
    }
}

/// A model built on backend `B`, ready to run [`Op`]s.
pub enum Built<B: Backend> {
    /// See [`Spec::Vae`].
    Vae(Vae<B>),
    /// See [`Spec::Generator`].
    Generator(Generator<B>),
    /// See [`Spec::Critics`].
    Critics(Box<(Discriminator<B>, Classifier<B>)>),
    /// See [`Spec::Lm`]: the model and its cache (none before the first feed).
    Lm(Box<Lm<B>>, Option<KvCache<B>>),
}

/// A recorded op: the tensors to read back, and the op that says what they are.
pub struct Recorded<B: Backend> {
    op: Op,
    tensors: Vec<B::Tensor>,
}

/// Side of the GAN's and classifier's square images.
const SIDE: usize = GanConfig::SIDE;

impl<B: Backend> Built<B> {
    /// Builds `spec` from `weights`, checking every tensor's name and shape and that every tensor was used.
    pub fn new(backend: &B, spec: &Spec, mut weights: HostWeights) -> Result<Self> {
        let w = &mut weights;
        let built = match spec.clone() {
            Spec::Vae(config) => Built::Vae(Vae::new(backend, config, w)?),
            Spec::Generator(config) => Built::Generator(Generator::new(backend, config, w)?),
            Spec::Critics(gan, classifier) => Built::Critics(Box::new((
                Discriminator::new(backend, gan, w)?,
                Classifier::new(backend, classifier, w)?,
            ))),
            Spec::Lm(config) => Built::Lm(Box::new(Lm::new(backend, config, w)?), None),
        };
        weights.finish()?;
        Ok(built)
    }

    /// Uploads `input` and records `op`; [`Recorded::read`] then reads the results back.
    pub fn record(&mut self, backend: &B, op: &Op, input: &[f32]) -> Result<Recorded<B>> {
        let rows = |width: usize| -> Result<[usize; 2]> {
            if width == 0 || input.is_empty() || !input.len().is_multiple_of(width) {
                return Err(Error::Shape(format!(
                    "{}: {} input values are not whole rows of {width}",
                    op.name(),
                    input.len()
                )));
            }
            Ok([input.len() / width, width])
        };
        let tensors = match (self, op) {
            (Built::Vae(vae), Op::Decode | Op::DecodeLogits | Op::Encode) => {
                let config = vae.config();
                let width = if matches!(op, Op::Encode) {
                    config.pixels()
                } else {
                    config.latent
                };
                let x = backend.upload(input, &rows(width)?)?;
                match op {
                    Op::Decode => vec![vae.decode(backend, &x)?],
                    Op::DecodeLogits => vec![vae.decode_logits(backend, &x)?],
                    _ => {
                        let (mean, log_var) = vae.encode(backend, &x)?;
                        vec![mean, log_var]
                    }
                }
            }
            (Built::Generator(generator), Op::Generate) => {
                let z = backend.upload(input, &rows(generator.config().latent)?)?;
                vec![generator.generate(backend, &z)?]
            }
            (Built::Critics(critics), Op::Judge) => {
                let (discriminator, classifier) = &**critics;
                let shape = rows(SIDE * SIDE)?;
                let flat = backend.upload(input, &shape)?;
                // The discriminator was trained on images in [-1, 1].
                let scaled: Vec<f32> = input.iter().map(|v| v * 2.0 - 1.0).collect();
                let square = backend.upload(&scaled, &[shape[0], 1, SIDE, SIDE])?;
                vec![
                    classifier.logits(backend, &flat)?,
                    discriminator.logits(backend, &square)?,
                ]
            }
            (
                Built::Lm(lm, cache),
                Op::Feed {
                    keep,
                    tokens,
                    attention,
                },
            ) => {
                let out = match cache {
                    Some(cache) if *keep > 0 => {
                        cache.truncate(*keep);
                        lm.forward(backend, tokens, cache, *attention)?
                    }
                    None if *keep > 0 => {
                        return Err(Error::Backend(
                            "this model has no cached context to continue from".into(),
                        ))
                    }
                    _ => {
                        let mut fresh = lm.new_cache(backend)?;
                        let out = lm.forward(backend, tokens, &mut fresh, *attention)?;
                        *cache = Some(fresh);
                        out
                    }
                };
                std::iter::once(out.logits).chain(out.attention).collect()
            }
            (_, op) => return Err(Error::Backend(format!("this model cannot {}", op.name()))),
        };
        Ok(Recorded {
            op: op.clone(),
            tensors,
        })
    }

    /// Records `op` and reads its output: the whole run, for callers that own the model.
    pub async fn run(&mut self, backend: &B, op: &Op, input: &[f32]) -> Result<Output> {
        self.record(backend, op, input)?.read(backend).await
    }
}

impl<B: Backend> Recorded<B> {
    /// Reads the recorded results back to the host (in one round trip on a GPU), typed by the op.
    pub async fn read(self, backend: &B) -> Result<Output> {
        let tensors: Vec<&B::Tensor> = self.tensors.iter().collect();
        let parts = backend.read_all(&tensors).await?;
        Output::from_parts(&self.op, parts)
    }

    /// The recorded results, unread, in [`Output::into_parts`]'s order: for a caller that uses them where they
    /// are (a GPU page draws decoded images straight into a canvas).
    pub fn into_tensors(self) -> Vec<B::Tensor> {
        self.tensors
    }
}

#[cfg(test)]
#[cfg(feature = "cpu")]
mod tests {
    use super::*;
    use crate::cpu::CpuBackend;
    use pollster::block_on;

    /// Weights of the right shapes, small deterministic values.
    fn weights(shapes: Vec<(String, Vec<usize>)>) -> HostWeights {
        let mut w = HostWeights::new();
        for (i, (name, shape)) in shapes.into_iter().enumerate() {
            let n: usize = shape.iter().product();
            let values = (0..n)
                .map(|j| (((j * 7 + i * 13) % 17) as f32 - 8.0) * 0.01)
                .collect();
            w.insert(name, shape, values).unwrap();
        }
        w
    }

    fn vae_config() -> VaeConfig {
        VaeConfig {
            width: 2,
            height: 2,
            hidden: 3,
            latent: 2,
        }
    }

    #[test]
    fn a_vae_decodes_and_encodes_with_named_results() {
        let config = vae_config();
        let mut vae = Built::new(
            &CpuBackend,
            &Spec::Vae(config.clone()),
            weights(config.parameter_shapes()),
        )
        .unwrap();
        let Output::Images(images) =
            block_on(vae.run(&CpuBackend, &Op::Decode, &[0.5; 6])).unwrap()
        else {
            panic!("decode gives images")
        };
        assert_eq!(images.len(), 3 * 4);
        assert!(images.iter().all(|p| (0.0..=1.0).contains(p)));
        let Output::Posterior { mean, log_var } =
            block_on(vae.run(&CpuBackend, &Op::Encode, &images)).unwrap()
        else {
            panic!("encode gives a posterior")
        };
        assert_eq!((mean.len(), log_var.len()), (6, 6));
        let error = block_on(vae.run(&CpuBackend, &Op::Decode, &[0.5; 3])).unwrap_err();
        assert!(error.to_string().contains("not whole rows of 2"), "{error}");
        let error = block_on(vae.run(&CpuBackend, &Op::Judge, &[0.5; 4])).unwrap_err();
        assert!(error.to_string().contains("cannot judge"), "{error}");
    }

    #[test]
    fn a_generator_and_its_critics_run() {
        let gan = GanConfig {
            latent: 4,
            base: 2,
            channels: 1,
        };
        let classifier = ClassifierConfig {
            inputs: 784,
            hidden: 4,
            features: 3,
            classes: 10,
        };
        let mut generator = Built::new(
            &CpuBackend,
            &Spec::Generator(gan.clone()),
            weights(gan.generator_shapes()),
        )
        .unwrap();
        let Output::Images(images) =
            block_on(generator.run(&CpuBackend, &Op::Generate, &[0.1; 8])).unwrap()
        else {
            panic!("generate gives images")
        };
        assert_eq!(images.len(), 2 * 784);
        let mut shapes = gan.discriminator_shapes();
        shapes.extend(classifier.parameter_shapes());
        let mut critics = Built::new(
            &CpuBackend,
            &Spec::Critics(gan, classifier),
            weights(shapes),
        )
        .unwrap();
        let unit: Vec<f32> = images.iter().map(|v| (v + 1.0) * 0.5).collect();
        let Output::Judged {
            classifier_logits,
            discriminator_logits,
        } = block_on(critics.run(&CpuBackend, &Op::Judge, &unit)).unwrap()
        else {
            panic!("judge gives verdicts")
        };
        assert_eq!(
            (classifier_logits.len(), discriminator_logits.len()),
            (20, 2)
        );
    }

    #[test]
    fn an_lm_steps_with_its_cache_and_refuses_to_continue_without_one() {
        let config = LmConfig {
            dim: 8,
            hidden_dim: 16,
            n_layers: 2,
            n_heads: 2,
            n_kv_heads: 1,
            vocab_size: 5,
            seq_len: 16,
            norm_eps: 1e-5,
        };
        let mut lm = Built::new(
            &CpuBackend,
            &Spec::Lm(config.clone()),
            weights(config.parameter_shapes()),
        )
        .unwrap();
        let next = Op::Feed {
            keep: 3,
            tokens: vec![4],
            attention: true,
        };
        assert!(block_on(lm.run(&CpuBackend, &next, &[])).is_err());
        let first = Op::Feed {
            keep: 0,
            tokens: vec![1, 2, 3],
            attention: true,
        };
        let Output::Step { logits, attention } =
            block_on(lm.run(&CpuBackend, &first, &[])).unwrap()
        else {
            panic!("a feed gives a step")
        };
        assert_eq!(logits.len(), 5);
        assert_eq!(attention.len(), 2);
        assert_eq!(attention[0].len(), 2 * 3 * 3);
        let Output::Step { attention, .. } = block_on(lm.run(&CpuBackend, &next, &[])).unwrap()
        else {
            panic!("a feed gives a step")
        };
        assert_eq!(attention[0].len(), 2 * 4);
        // A rebuild asks for the logits only.
        let rebuild = Op::Feed {
            keep: 0,
            tokens: vec![1, 2, 3],
            attention: false,
        };
        let Output::Step { logits, attention } =
            block_on(lm.run(&CpuBackend, &rebuild, &[])).unwrap()
        else {
            panic!("a feed gives a step")
        };
        assert_eq!((logits.len(), attention.len()), (5, 0));
    }

    #[test]
    fn outputs_cross_the_wire_as_parts_and_come_back_named() {
        let cases = [
            (Op::Decode, Output::Images(vec![1.0, 2.0])),
            (
                Op::Encode,
                Output::Posterior {
                    mean: vec![1.0],
                    log_var: vec![2.0],
                },
            ),
            (
                Op::Judge,
                Output::Judged {
                    classifier_logits: vec![1.0; 10],
                    discriminator_logits: vec![0.5],
                },
            ),
            (
                Op::Feed {
                    keep: 0,
                    tokens: vec![1],
                    attention: true,
                },
                Output::Step {
                    logits: vec![0.1, 0.2],
                    attention: vec![vec![1.0], vec![1.0]],
                },
            ),
        ];
        for (op, output) in cases {
            let parts = output.clone().into_parts();
            assert_eq!(Output::from_parts(&op, parts).unwrap(), output);
        }
        assert!(Output::from_parts(&Op::Encode, vec![vec![1.0]]).is_err());
    }
}
