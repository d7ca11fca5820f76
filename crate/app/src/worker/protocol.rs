//! The messages between the page and the inference worker: a two-element array of a JSON header and one
//! `Float32Array` (transferred, not copied) with the numbers — a model's weights, a decode's latents, a step's
//! logits.

use genscope_core::engine::{Op, Spec};
use genscope_core::lab::trained::Setup;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The worker's script, relative to index.html.
pub(super) const WORKER_SCRIPT: &str = "web/worker.js";

/// A request to the worker about one model.
#[derive(Serialize, Deserialize)]
pub(super) struct Request {
    /// Matches the reply to its caller.
    pub(super) id: u64,
    /// The model it is about.
    pub(super) model: u32,
    /// What to do.
    pub(super) action: Action,
}

/// What the page asks of the worker.
#[derive(Serialize, Deserialize)]
pub(super) enum Action {
    /// Build a model: the tensors' names and shapes are here, their values concatenated in the array.
    Load {
        /// Which model.
        spec: Spec,
        /// Each tensor's name and shape, in the order of the values.
        tensors: Vec<(String, Vec<usize>)>,
    },
    /// Run an op on the array.
    Run(Op),
    /// Start a 2-D lab training: the array holds the training points then the held-out ones, `x, y` each.
    LabStart {
        /// The family and its settings.
        setup: Setup,
        /// How many of the points are training points.
        train: usize,
    },
    /// Train on new points from now on (the array as for `LabStart`), keeping the model.
    LabPoints {
        /// How many of the points are training points.
        train: usize,
    },
    /// Take gradient steps; the reply is each step's minibatch NLL.
    LabTrain {
        /// How many.
        steps: usize,
    },
    /// Paint the training: the reply is the densities on a `cells²` grid, `samples` samples (`x, y` each) and
    /// `[training NLL, held-out NLL, steps]`.
    LabPicture {
        /// Cells per side.
        cells: usize,
        /// Samples to draw.
        samples: usize,
        /// Seeds the samples.
        seed: u64,
    },
    /// Free the model (no reply).
    Drop,
    /// Reply with the worker's wasm memory, in 64 KiB pages, as a one-number array.
    Memory,
    /// Panic (no reply): how the e2e tests check that a crashed worker costs the visitor nothing.
    Crash,
}

/// A message from the worker.
#[derive(Serialize, Deserialize)]
pub(super) enum Message {
    /// The wasm is running and takes requests.
    Ready,
    /// The wasm could not start (posted by `web/worker.js`).
    Failed(String),
    /// An answer: the lengths of the result arrays, concatenated in the array, or what went wrong.
    Reply {
        /// The request's id.
        id: u64,
        /// The lengths of the result arrays, or what went wrong.
        result: Result<Vec<usize>, String>,
    },
    /// The worker panicked and can answer nothing more.
    Panic(String),
}

/// What a call gets back: the result arrays, or a message for the visitor.
pub(super) type Outcome = Result<Vec<Vec<f32>>, String>;

/// Packs a header and numbers into the two-element message, with the numbers' buffer ready to transfer.
pub(super) fn pack(header: &impl Serialize, numbers: &[f32]) -> (js_sys::Array, js_sys::Array) {
    let json = serde_json::to_string(header).expect("headers are plain data");
    let array = js_sys::Float32Array::from(numbers);
    let transfer = js_sys::Array::of1(&array.buffer());
    (js_sys::Array::of2(&json.into(), &array), transfer)
}

/// Unpacks a message made by [`pack`].
pub(super) fn unpack<T: for<'de> Deserialize<'de>>(
    data: &JsValue,
) -> Result<(T, Vec<f32>), String> {
    let array: &js_sys::Array = data.unchecked_ref();
    let json = array
        .get(0)
        .as_string()
        .ok_or("a worker message without its header")?;
    let header =
        serde_json::from_str(&json).map_err(|e| format!("a garbled worker message: {e}"))?;
    let numbers = array
        .get(1)
        .dyn_into::<js_sys::Float32Array>()
        .map(|a| a.to_vec())
        .unwrap_or_default();
    Ok((header, numbers))
}
