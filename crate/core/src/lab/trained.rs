//! The families the lab trains by gradient steps, behind one interface the inference worker hosts: start from
//! settings and training points, take steps, and paint (the density on the window's grid, samples, the NLLs).

use serde::{Deserialize, Serialize};

use super::autoregressive::{ar_trainer, ArConfig, Autoregressive, AR_TRAINING};
use super::flow::{flow_trainer, Flow, FlowConfig, FLOW_TRAINING};
use super::gradient::{GradientSettings, Trainable, Trainer};
use super::vae::{vae_trainer, Vae, VaeConfig, VAE_TRAINING};
use super::{Density, Point, Window};

/// A family the worker trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Family {
    /// RealNVP ([`super::flow`]).
    Flow,
    /// The chain rule with mixture-density factors ([`super::autoregressive`]).
    Autoregressive,
    /// A VAE with a 2-D latent ([`super::vae`]).
    Vae,
}

impl Family {
    /// The learning rate and batch each family trains with unless told otherwise.
    pub fn defaults(self) -> GradientSettings {
        match self {
            Family::Flow => FLOW_TRAINING,
            Family::Autoregressive => AR_TRAINING,
            Family::Vae => VAE_TRAINING,
        }
    }
}

/// What a training starts from.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Setup {
    /// The family.
    pub family: Family,
    /// Seeds the weights and the minibatches.
    pub seed: u64,
    /// The optimiser's learning rate.
    pub learning_rate: f64,
    /// Points per step.
    pub batch: usize,
}

/// What one picture of a training holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    /// The density at each cell centre of the grid, row by row from the top.
    pub densities: Vec<f64>,
    /// Cells per side of that grid.
    pub cells: usize,
    /// Samples from the model.
    pub samples: Vec<Point>,
    /// NLL on the training points (for the VAE, its importance-weighted bound).
    pub train_nll: f64,
    /// NLL on the held-out points.
    pub held_out_nll: f64,
    /// Steps taken so far.
    pub steps: usize,
}

/// One trainer per family, so the worker holds any of them the same way.
enum Learner {
    Flow(Trainer<Flow>),
    Autoregressive(Trainer<Autoregressive>),
    // Boxed: its reparameterisation noise makes it the largest by far.
    Vae(Box<Trainer<Vae>>),
}

impl Learner {
    fn step(&mut self, points: &[Point]) -> candle_core::Result<f64> {
        match self {
            Learner::Flow(t) => t.step(points),
            Learner::Autoregressive(t) => t.step(points),
            Learner::Vae(t) => t.step(points),
        }
    }

    fn model(&self) -> &dyn Trainable {
        match self {
            Learner::Flow(t) => &t.model,
            Learner::Autoregressive(t) => &t.model,
            Learner::Vae(t) => &t.model,
        }
    }

    fn steps(&self) -> usize {
        match self {
            Learner::Flow(t) => t.steps,
            Learner::Autoregressive(t) => t.steps,
            Learner::Vae(t) => t.steps,
        }
    }
}

/// A training in progress: the model, its optimiser and its data.
pub struct Training {
    learner: Learner,
    train: Vec<Point>,
    held_out: Vec<Point>,
}

/// candle's error, as the crate's.
fn backend(e: candle_core::Error) -> crate::Error {
    crate::Error::Backend(e.to_string())
}

impl Training {
    /// A fresh model for `setup` on these points.
    pub fn new(setup: Setup, train: Vec<Point>, held_out: Vec<Point>) -> crate::Result<Training> {
        let settings = GradientSettings {
            learning_rate: setup.learning_rate,
            batch: setup.batch.clamp(1, 4096),
        };
        let learner = match setup.family {
            Family::Flow => {
                flow_trainer(FlowConfig::default(), settings, setup.seed).map(Learner::Flow)
            }
            Family::Autoregressive => {
                ar_trainer(ArConfig::default(), settings, setup.seed).map(Learner::Autoregressive)
            }
            Family::Vae => vae_trainer(VaeConfig::default(), settings, setup.seed)
                .map(|t| Learner::Vae(Box::new(t))),
        }
        .map_err(backend)?;
        Ok(Training {
            learner,
            train,
            held_out,
        })
    }

    /// Trains on new points from now on (the visitor drew or erased some), keeping the model.
    pub fn set_points(&mut self, train: Vec<Point>, held_out: Vec<Point>) {
        self.train = train;
        self.held_out = held_out;
    }

    /// `steps` gradient steps; returns each step's minibatch NLL.
    pub fn train(&mut self, steps: usize) -> crate::Result<Vec<f64>> {
        (0..steps)
            .map(|_| self.learner.step(&self.train).map_err(backend))
            .collect()
    }

    /// The density on a `cells × cells` grid over the lab's window, `samples` samples from `seed`, and the NLLs.
    pub fn picture(&self, cells: usize, samples: usize, seed: u64) -> crate::Result<Picture> {
        let window = Window {
            cells: cells.clamp(2, Window::LAB.cells),
            ..Window::LAB
        };
        let model = self.learner.model();
        Ok(Picture {
            densities: model
                .heat_log_densities(&window.centres())
                .into_iter()
                .map(f64::exp)
                .collect(),
            cells: window.cells,
            samples: model.sample(samples.min(4096), seed).map_err(backend)?,
            train_nll: model.nll(&self.train),
            held_out_nll: model.nll(&self.held_out),
            steps: self.learner.steps(),
        })
    }
}
