//! The loader: a VAE built on the current backend (with a page-thread copy for the cursor where the models run in
//! the worker), and what the page asks of it.

use std::cell::RefCell;
use std::rc::Rc;

use genscope_core::card::ModelConfig;
use genscope_core::cpu::CpuBackend;
use genscope_core::vae::VaeConfig;

use super::elbo::{Encoded, Source};
use super::texts::VaeTexts;
use crate::engine::{Built, Model, Op, Output, PixelRange, Spec, TileLayout};
use crate::i18n::fill;
use crate::models::{self, ModelCard};
use crate::placement;
use crate::site::{Load, SiteContext};

/// A VAE built on the current backend, with its card.
pub struct LoadedVae {
    /// The model card.
    pub card: Rc<ModelCard>,
    /// The architecture.
    pub config: VaeConfig,
    /// What it runs on, as the status line names it.
    pub backend: String,
    model: Model,
    /// On wasm CPU, a copy on the page's thread for the cursor alone: its 0.1 ms decode is drawn in the frame of the
    /// move, where the worker's reply, while input streams in, is handled after the next frame (measured: 18 ms
    /// input to pixels against 2 ms). Everything heavier (the map, the strip, encodes) runs in the worker.
    cursor: Option<RefCell<Built<CpuBackend>>>,
}

/// Two loaded models are the same only if they are the same load (a reload on another backend is a change).
impl PartialEq for LoadedVae {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl LoadedVae {
    /// Latents (`n × latent`, row-major) → `n` images of intensities in [0, 1].
    pub async fn decode(&self, z: &[f32]) -> Result<Vec<f32>, String> {
        self.model.run_one(Op::Decode, z).await
    }

    /// The cursor's point → its image, on the page's thread where there is a copy for it (see `cursor`); an error
    /// of its own is said in `t`'s language.
    pub async fn decode_cursor(&self, z: &[f32], t: &VaeTexts) -> Result<Vec<f32>, String> {
        let Some(local) = &self.cursor else {
            return self.decode(z).await;
        };
        let recorded = local
            .borrow_mut()
            .record(&CpuBackend, &Op::Decode, z)
            .map_err(|e| e.to_string())?;
        match recorded
            .read(&CpuBackend)
            .await
            .map_err(|e| e.to_string())?
        {
            Output::Images(images) => Ok(images),
            _ => Err(t.no_images.into()),
        }
    }

    /// On WebGPU, decodes `z` (`n × latent`) and draws the images straight into `canvas`, `columns` a row,
    /// reading nothing back; `None` on the CPU, where the caller decodes and draws with a 2-D context.
    pub async fn present(
        &self,
        z: &[f32],
        canvas: &web_sys::HtmlCanvasElement,
        columns: usize,
    ) -> Option<Result<(), String>> {
        let layout = TileLayout {
            width: self.config.width as u32,
            height: self.config.height as u32,
            columns: columns as u32,
            count: (z.len() / self.config.latent.max(1)) as u32,
            range: PixelRange::Unit,
        };
        self.model.present(Op::Decode, z, canvas, layout).await
    }

    /// Which kind of context this model's pictures are drawn with ([`Model::canvas_kind`]).
    pub fn canvas_kind(&self) -> &'static str {
        self.model.canvas_kind()
    }

    /// Latents → Bernoulli logits.
    async fn decode_logits(&self, z: &[f32]) -> Result<Vec<f32>, String> {
        self.model.run_one(Op::DecodeLogits, z).await
    }

    /// Images → posterior means and log-variances (an error of its own said in `t`'s language).
    pub async fn encode(
        &self,
        images: &[f32],
        t: &VaeTexts,
    ) -> Result<(Vec<f32>, Vec<f32>), String> {
        match self.model.output(Op::Encode, images).await? {
            Output::Posterior { mean, log_var } => Ok((mean, log_var)),
            _ => Err(t.no_posterior.into()),
        }
    }

    /// Encodes `input` and reconstructs it from the posterior mean, with the ELBO terms.
    pub async fn encode_input(
        &self,
        source: Source,
        input: Vec<f32>,
        t: &VaeTexts,
    ) -> Result<Encoded, String> {
        let (mean, log_var) = self.encode(&input, t).await?;
        let logits = self.decode_logits(&mean).await?;
        Ok(Encoded::new(source, input, mean, log_var, &logits))
    }
}

/// Fetches model `name`'s card and weights and builds it on the site's backend (the page's own errors said in
/// `t`'s language).
pub async fn load_vae(site: &SiteContext, name: &str, t: &VaeTexts) -> Result<LoadedVae, String> {
    let Load::Ready(manifest) = &site.manifest else {
        return Err(t.assets_not_loaded.into());
    };
    let card = models::fetch_card(manifest, name).await?;
    let ModelConfig::Vae(config) = card.model_config().map_err(|e| e.to_string())? else {
        return Err(fill(
            t.not_a_vae,
            &[("name", name), ("kind", &card.kind.to_string())],
        ));
    };
    let weights = models::fetch_weights(manifest, name).await?;
    let spec = Spec::Vae(config.clone());
    let model = placement::load(site, name, spec.clone(), weights.clone())
        .await
        .map_err(|e| format!("assets/models/{name}.safetensors: {e}"))?;
    let cursor = if !model.on_gpu() && crate::worker::cursor_on_page() {
        let built = Built::new(&CpuBackend, &spec, weights)
            .map_err(|e| format!("assets/models/{name}.safetensors: {e}"))?;
        Some(RefCell::new(built))
    } else {
        None
    };
    let backend = model.backend_label(|| site.backend.label());
    Ok(LoadedVae {
        card: Rc::new(card),
        config,
        backend,
        model,
        cursor,
    })
}
