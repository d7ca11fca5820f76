//! The image classifier: an MLP that labels 28×28 images (digits or clothes) and whose penultimate layer is the
//! feature space the GAN's FID and class coverage are measured in. The GAN page uses it to label samples.

use serde::{Deserialize, Serialize};

use crate::backend::{Activation, Backend};
use crate::nn::{Linear, Params};
use crate::{Error, Result};

/// The architecture of a shipped classifier (stored in its model card).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassifierConfig {
    /// Pixels per image.
    pub inputs: usize,
    /// Units of the first hidden layer.
    pub hidden: usize,
    /// Units of the feature layer (the space FID is measured in).
    pub features: usize,
    /// Classes.
    pub classes: usize,
}

impl ClassifierConfig {
    /// The configuration if every dimension is in a range this code runs.
    pub fn validated(self) -> Result<Self> {
        crate::check_dimensions(
            "classifier",
            &[
                ("inputs", self.inputs, 65_536),
                ("hidden", self.hidden, 8_192),
                ("features", self.features, 8_192),
                ("classes", self.classes, 1_000),
            ],
        )?;
        Ok(self)
    }

    /// Names and shapes of every parameter.
    pub fn parameter_shapes(&self) -> Vec<(String, Vec<usize>)> {
        [
            ("classifier.0", self.inputs, self.hidden),
            ("classifier.1", self.hidden, self.features),
            ("classifier.out", self.features, self.classes),
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

/// A classifier on backend `B`.
pub struct Classifier<B: Backend> {
    config: ClassifierConfig,
    hidden: Linear<B>,
    features: Linear<B>,
    out: Linear<B>,
}

impl<B: Backend> Classifier<B> {
    /// Builds the classifier, checking every tensor against `config`.
    pub fn new(backend: &B, config: ClassifierConfig, params: &mut impl Params<B>) -> Result<Self> {
        let config = config.validated()?;
        Ok(Self {
            hidden: Linear::new(
                backend,
                params,
                "classifier.0",
                config.inputs,
                config.hidden,
            )?,
            features: Linear::new(
                backend,
                params,
                "classifier.1",
                config.hidden,
                config.features,
            )?,
            out: Linear::new(
                backend,
                params,
                "classifier.out",
                config.features,
                config.classes,
            )?,
            config,
        })
    }

    /// The architecture.
    pub fn config(&self) -> &ClassifierConfig {
        &self.config
    }

    /// Images `[batch, pixels]` in [0, 1] → features `[batch, features]` (after the ReLU).
    pub fn features(&self, backend: &B, images: &B::Tensor) -> Result<B::Tensor> {
        match backend.shape(images).as_slice() {
            [_, p] if *p == self.config.inputs => {}
            other => {
                return Err(Error::Shape(format!(
                    "images must be [batch, {}], got {other:?}",
                    self.config.inputs
                )))
            }
        }
        let h = self
            .hidden
            .forward(backend, images, Some(Activation::Relu))?;
        self.features.forward(backend, &h, Some(Activation::Relu))
    }

    /// Images → class logits `[batch, classes]`.
    pub fn logits(&self, backend: &B, images: &B::Tensor) -> Result<B::Tensor> {
        let f = self.features(backend, images)?;
        self.out.forward(backend, &f, None)
    }

    /// Features → class logits (when the features are needed too).
    pub fn logits_from_features(&self, backend: &B, features: &B::Tensor) -> Result<B::Tensor> {
        self.out.forward(backend, features, None)
    }
}
