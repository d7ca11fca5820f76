//! Where the models run: one description of what a page asks of a model ([`Spec`] to build it, [`Op`] to run it),
//! executed by the same generic code ([`Built`]) on either backend.
//!
//! - **wasm CPU**: in the inference worker ([`crate::worker`]), so a forward pass never holds up dragging, typing or
//!   drawing. The page keeps a handle; inputs and outputs cross as flat `f32` arrays.
//! - **WebGPU**: from the page's thread. The GPU runs the kernels, so this thread only records commands and awaits
//!   one read-back; keeping the device here keeps one device per page, whose loss the page handles.

use std::cell::RefCell;
use std::rc::Rc;

use genscope_core::backend::Backend;
use genscope_core::classifier::{Classifier, ClassifierConfig};
use genscope_core::gan::{Discriminator, GanConfig, Generator};
use genscope_core::lm::{KvCache, Lm, LmConfig};
use genscope_core::nn::HostWeights;
use genscope_core::vae::{Vae, VaeConfig};
use genscope_webgpu::{GpuContext, WgpuBackend};
use serde::{Deserialize, Serialize};

use crate::worker::Remote;

/// Which model to build from a set of weights, with its architecture.
#[derive(Clone, Debug, Serialize, Deserialize)]
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

/// What a page asks of a model. The input is one flat `f32` array; the result is a list of flat arrays.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Op {
    /// VAE: latents (`n × latent`) → `[images in [0, 1]]`.
    Decode,
    /// VAE: latents → `[Bernoulli logits]`.
    DecodeLogits,
    /// VAE: images (`n × pixels`) → `[posterior means, log-variances]`.
    Encode,
    /// Generator: latents (`n × latent`) → `[images in [-1, 1]]`.
    Generate,
    /// Critics: images in [0, 1] (`n × 784`) → `[classifier logits (n × 10), discriminator logits (n)]`.
    Judge,
    /// LM: feeds `tokens` after `keep` cached positions (a fresh cache when `keep` is 0) → `[next-token logits,
    /// then per layer the attention weights `[heads, tokens, context]`]`. The input array is unused.
    Feed {
        /// Cached positions to keep.
        keep: usize,
        /// Token ids to feed.
        tokens: Vec<u32>,
    },
}

impl Op {
    /// A short name for error messages.
    fn name(&self) -> &'static str {
        match self {
            Op::Decode | Op::DecodeLogits => "decode",
            Op::Encode => "encode",
            Op::Generate => "generate",
            Op::Judge => "judge",
            Op::Feed { .. } => "a language-model step",
        }
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

/// Side of the GAN's and classifier's square images.
const SIDE: usize = GanConfig::SIDE;

impl<B: Backend> Built<B> {
    /// Builds `spec` from `weights`, checking every tensor's name and shape and that every tensor was used.
    pub fn new(backend: &B, spec: &Spec, mut weights: HostWeights) -> Result<Self, String> {
        let text = |e: genscope_core::Error| e.to_string();
        let w = &mut weights;
        let built = match spec.clone() {
            Spec::Vae(config) => Built::Vae(Vae::new(backend, config, w).map_err(text)?),
            Spec::Generator(config) => {
                Built::Generator(Generator::new(backend, config, w).map_err(text)?)
            }
            Spec::Critics(gan, classifier) => Built::Critics(Box::new((
                Discriminator::new(backend, gan, w).map_err(text)?,
                Classifier::new(backend, classifier, w).map_err(text)?,
            ))),
            Spec::Lm(config) => {
                Built::Lm(Box::new(Lm::new(backend, config, w).map_err(text)?), None)
            }
        };
        weights.finish().map_err(text)?;
        Ok(built)
    }

    /// Records `op` on `input` and returns the tensors to read back. Synchronous, so a caller that keeps the model
    /// in a `RefCell` never holds the borrow across an await.
    pub fn record(
        &mut self,
        backend: &B,
        op: &Op,
        input: &[f32],
    ) -> Result<Vec<B::Tensor>, String> {
        let text = |e: genscope_core::Error| e.to_string();
        let rows = |width: usize| -> Result<[usize; 2], String> {
            if width == 0 || input.is_empty() || !input.len().is_multiple_of(width) {
                return Err(format!(
                    "{}: {} inputs are not whole rows of {width}",
                    op.name(),
                    input.len()
                ));
            }
            Ok([input.len() / width, width])
        };
        Ok(match (self, op) {
            (Built::Vae(vae), Op::Decode | Op::DecodeLogits | Op::Encode) => {
                let config = vae.config();
                let width = if matches!(op, Op::Encode) {
                    config.pixels()
                } else {
                    config.latent
                };
                let x = backend.upload(input, &rows(width)?).map_err(text)?;
                match op {
                    Op::Decode => vec![vae.decode(backend, &x).map_err(text)?],
                    Op::DecodeLogits => vec![vae.decode_logits(backend, &x).map_err(text)?],
                    _ => {
                        let (mean, log_var) = vae.encode(backend, &x).map_err(text)?;
                        vec![mean, log_var]
                    }
                }
            }
            (Built::Generator(generator), Op::Generate) => {
                let z = backend
                    .upload(input, &rows(generator.config().latent)?)
                    .map_err(text)?;
                vec![generator.generate(backend, &z).map_err(text)?]
            }
            (Built::Critics(critics), Op::Judge) => {
                let (discriminator, classifier) = &**critics;
                let shape = rows(SIDE * SIDE)?;
                let flat = backend.upload(input, &shape).map_err(text)?;
                // The discriminator was trained on images in [-1, 1].
                let scaled: Vec<f32> = input.iter().map(|v| v * 2.0 - 1.0).collect();
                let square = backend
                    .upload(&scaled, &[shape[0], 1, SIDE, SIDE])
                    .map_err(text)?;
                vec![
                    classifier.logits(backend, &flat).map_err(text)?,
                    discriminator.logits(backend, &square).map_err(text)?,
                ]
            }
            (Built::Lm(lm, cache), Op::Feed { keep, tokens }) => {
                let out = match cache {
                    Some(cache) if *keep > 0 => {
                        cache.truncate(*keep);
                        lm.forward(backend, tokens, cache, true).map_err(text)?
                    }
                    None if *keep > 0 => {
                        return Err("this model has no cached context to continue from".into())
                    }
                    _ => {
                        let mut fresh = lm.new_cache(backend).map_err(text)?;
                        let out = lm
                            .forward(backend, tokens, &mut fresh, true)
                            .map_err(text)?;
                        *cache = Some(fresh);
                        out
                    }
                };
                std::iter::once(out.logits).chain(out.attention).collect()
            }
            (_, op) => return Err(format!("this model cannot {}", op.name())),
        })
    }
}

/// Reads `tensors` back to the host, in order.
pub async fn read_all<B: Backend>(
    backend: &B,
    tensors: &[B::Tensor],
) -> Result<Vec<Vec<f32>>, String> {
    let mut out = Vec::with_capacity(tensors.len());
    for t in tensors {
        out.push(backend.read(t).await.map_err(|e| e.to_string())?);
    }
    Ok(out)
}

/// A model a page holds, on the backend it was built for.
pub enum Model {
    /// On the wasm CPU, in the inference worker.
    Cpu(Remote),
    /// On the WebGPU device, recorded from this thread.
    Gpu(Rc<WgpuBackend>, Box<RefCell<Built<WgpuBackend>>>),
}

impl Model {
    /// Builds `spec` from `weights` on the WebGPU device when there is one, else on the CPU in the worker.
    pub async fn load(
        gpu: Option<&Rc<GpuContext>>,
        spec: Spec,
        weights: HostWeights,
    ) -> Result<Self, String> {
        match gpu {
            Some(gpu) => {
                let backend = Rc::new(WgpuBackend::new(Rc::clone(gpu)));
                let built = Built::new(&*backend, &spec, weights)?;
                Ok(Model::Gpu(backend, Box::new(RefCell::new(built))))
            }
            None => Remote::load(spec, &weights).await.map(Model::Cpu),
        }
    }

    /// Runs `op` on `input` and reads the results back.
    pub async fn run(&self, op: Op, input: &[f32]) -> Result<Vec<Vec<f32>>, String> {
        match self {
            Model::Cpu(remote) => remote.run(op, input).await,
            Model::Gpu(backend, built) => {
                let tensors = built.borrow_mut().record(&**backend, &op, input)?;
                read_all(&**backend, &tensors).await
            }
        }
    }

    /// Runs an `op` with one result array and returns it.
    pub async fn run_one(&self, op: Op, input: &[f32]) -> Result<Vec<f32>, String> {
        let mut parts = self.run(op, input).await?;
        parts
            .pop()
            .ok_or_else(|| "the model returned nothing".to_string())
    }

    /// What it runs on, as the status line names it: `gpu_label` for WebGPU.
    pub fn backend_label(&self, gpu_label: impl FnOnce() -> String) -> String {
        match self {
            Model::Gpu(..) => gpu_label(),
            Model::Cpu(_) => "wasm CPU".to_string(),
        }
    }
}
