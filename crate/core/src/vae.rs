//! The variational autoencoder: an MLP encoder (image → mean, log-variance) and decoder (latent → image).
//!
//! Images are flattened rows of `width × height` intensities in [0, 1]; the decoder outputs Bernoulli logits
//! (the trainer's likelihood) and [`Vae::decode`] their sigmoid, the pixels the page shows.

use serde::{Deserialize, Serialize};

use crate::backend::{Activation, Backend};
use crate::nn::{Linear, Params};
use crate::{Error, Result};

/// The architecture of a shipped VAE (stored in its model card).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaeConfig {
    /// Image width in pixels.
    pub width: usize,
    /// Image height in pixels.
    pub height: usize,
    /// Units in each of the two hidden layers of the encoder and of the decoder.
    pub hidden: usize,
    /// Latent dimensions (2 for the map, 16 for the sliders).
    pub latent: usize,
}

impl VaeConfig {
    /// The configuration if every dimension is in a range this code runs (images up to 256×256, 8,192 hidden
    /// units, 1,024 latent dimensions).
    pub fn validated(self) -> Result<Self> {
        crate::check_dimensions(
            "VAE",
            &[
                ("width", self.width, 256),
                ("height", self.height, 256),
                ("hidden", self.hidden, 8_192),
                ("latent", self.latent, 1_024),
            ],
        )?;
        Ok(self)
    }

    /// Pixels per image.
    pub fn pixels(&self) -> usize {
        self.width * self.height
    }

    /// Names and shapes of every parameter, in a stable order.
    pub fn parameter_shapes(&self) -> Vec<(String, Vec<usize>)> {
        let (p, h, z) = (self.pixels(), self.hidden, self.latent);
        [
            ("encoder.0", p, h),
            ("encoder.1", h, h),
            ("mean", h, z),
            ("log_var", h, z),
            ("decoder.0", z, h),
            ("decoder.1", h, h),
            ("decoder.out", h, p),
        ]
        .into_iter()
        .flat_map(|(name, i, o)| {
            [
                (format!("{name}.weight"), vec![o, i]),
                (format!("{name}.bias"), vec![o]),
            ]
        })
        .collect()
    }

    /// Total number of parameters.
    pub fn parameter_count(&self) -> usize {
        self.parameter_shapes()
            .iter()
            .map(|(_, s)| s.iter().product::<usize>())
            .sum()
    }
}

/// A VAE on backend `B`.
pub struct Vae<B: Backend> {
    config: VaeConfig,
    encoder: [Linear<B>; 2],
    mean: Linear<B>,
    log_var: Linear<B>,
    decoder: [Linear<B>; 2],
    output: Linear<B>,
}

impl<B: Backend> Vae<B> {
    /// Builds the model from `params`, checking every tensor's name and shape against `config`.
    pub fn new(backend: &B, config: VaeConfig, params: &mut impl Params<B>) -> Result<Self> {
        let config = config.validated()?;
        let (p, h, z) = (config.pixels(), config.hidden, config.latent);
        let mut layer = |name: &str, i, o| Linear::new(backend, params, name, i, o);
        Ok(Self {
            encoder: [layer("encoder.0", p, h)?, layer("encoder.1", h, h)?],
            mean: layer("mean", h, z)?,
            log_var: layer("log_var", h, z)?,
            decoder: [layer("decoder.0", z, h)?, layer("decoder.1", h, h)?],
            output: layer("decoder.out", h, p)?,
            config,
        })
    }

    /// The architecture.
    pub fn config(&self) -> &VaeConfig {
        &self.config
    }

    fn check_width(&self, backend: &B, x: &B::Tensor, width: usize, what: &str) -> Result<()> {
        match backend.shape(x).as_slice() {
            [_, w] if *w == width => Ok(()),
            other => Err(Error::Shape(format!(
                "{what} must be [batch, {width}], got {other:?}"
            ))),
        }
    }

    /// Images `[batch, pixels]` → posterior mean and log-variance, each `[batch, latent]`.
    pub fn encode(&self, backend: &B, images: &B::Tensor) -> Result<(B::Tensor, B::Tensor)> {
        self.check_width(backend, images, self.config.pixels(), "images")?;
        let h = self.encoder[0].forward(backend, images, Some(Activation::Relu))?;
        let h = self.encoder[1].forward(backend, &h, Some(Activation::Relu))?;
        Ok((
            self.mean.forward(backend, &h, None)?,
            self.log_var.forward(backend, &h, None)?,
        ))
    }

    /// Latents `[batch, latent]` → Bernoulli logits `[batch, pixels]`.
    pub fn decode_logits(&self, backend: &B, z: &B::Tensor) -> Result<B::Tensor> {
        self.check_width(backend, z, self.config.latent, "latents")?;
        let h = self.decoder[0].forward(backend, z, Some(Activation::Relu))?;
        let h = self.decoder[1].forward(backend, &h, Some(Activation::Relu))?;
        self.output.forward(backend, &h, None)
    }

    /// Latents `[batch, latent]` → pixel intensities in [0, 1], `[batch, pixels]`.
    pub fn decode(&self, backend: &B, z: &B::Tensor) -> Result<B::Tensor> {
        backend.activate(&self.decode_logits(backend, z)?, Activation::Sigmoid)
    }
}
