//! The families the lab trains by gradient steps, behind one interface the inference worker hosts: start from
//! settings and training points, take steps, and paint (the density on the window's grid, samples, the NLLs).

use serde::{Deserialize, Serialize};

use super::flow::{FlowConfig, FlowTrainer, FlowTraining};
use super::{Density, Point, Window};

/// A family the worker trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Family {
    /// RealNVP ([`super::flow`]).
    Flow,
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
    /// NLL on the training points.
    pub train_nll: f64,
    /// NLL on the held-out points.
    pub held_out_nll: f64,
    /// Steps taken so far.
    pub steps: usize,
}

/// A training in progress: the model, its optimiser and its data.
pub struct Training {
    trainer: FlowTrainer,
    train: Vec<Point>,
    held_out: Vec<Point>,
}

impl Training {
    /// A fresh model for `setup` on these points.
    pub fn new(setup: Setup, train: Vec<Point>, held_out: Vec<Point>) -> crate::Result<Training> {
        let settings = FlowTraining {
            learning_rate: setup.learning_rate,
            batch: setup.batch.clamp(1, 4096),
        };
        let trainer = match setup.family {
            Family::Flow => FlowTrainer::new(FlowConfig::default(), settings, setup.seed),
        }
        .map_err(|e| crate::Error::Backend(e.to_string()))?;
        Ok(Training {
            trainer,
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
            .map(|_| {
                self.trainer
                    .step(&self.train)
                    .map_err(|e| crate::Error::Backend(e.to_string()))
            })
            .collect()
    }

    /// The density on a `cells × cells` grid over the lab's window, `samples` samples from `seed`, and the NLLs.
    pub fn picture(&self, cells: usize, samples: usize, seed: u64) -> crate::Result<Picture> {
        let window = Window {
            cells: cells.clamp(2, Window::LAB.cells),
            ..Window::LAB
        };
        let flow = &self.trainer.flow;
        Ok(Picture {
            densities: window.densities(flow),
            cells: window.cells,
            samples: flow
                .sample(samples.min(4096), seed)
                .map_err(|e| crate::Error::Backend(e.to_string()))?,
            train_nll: flow.nll(&self.train),
            held_out_nll: flow.nll(&self.held_out),
            steps: self.trainer.steps,
        })
    }
}
