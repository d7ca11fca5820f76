//! The gradient-trained families' training in the inference worker (the flow, the autoregressive model): started (or restarted) with the page's settings, sent the points
//! when the visitor draws, stepped while the page plays, and painted back after each batch of steps.

use std::cell::RefCell;
use std::rc::Rc;

use genscope_core::lab::trained::Setup;
use yew::prelude::*;

use super::state::{LabAction, LabState};
use crate::models;
use crate::worker::RemoteTraining;

/// Gradient steps per call to the worker, between two pictures.
const STEPS_PER_PICTURE: usize = 25;
/// Cells per side of the worker's density grid.
pub const PICTURE_CELLS: usize = 100;
/// Samples in each picture.
const SAMPLES: usize = 400;

/// The training now, and a counter that ends the loops of older ones.
type Slot = Rc<RefCell<(u64, Option<Rc<RemoteTraining>>)>>;

/// Paints `training` into the page's state; false when that failed (the page was told).
async fn paint(
    training: &RemoteTraining,
    seed: u64,
    dispatch: &UseReducerDispatcher<LabState>,
) -> bool {
    match training.picture(PICTURE_CELLS, SAMPLES, seed).await {
        Ok(p) => {
            dispatch.dispatch(LabAction::Painted(Rc::new(p), models::now_ms()));
            true
        }
        Err(e) => {
            dispatch.dispatch(LabAction::Failed(e));
            false
        }
    }
}

/// Runs the training of `state`'s family in the worker (nothing for the mixture, which trains on the page).
#[hook]
pub fn use_worker_training(state: &UseReducerHandle<LabState>) {
    let slot: Slot = use_mut_ref(|| (0, None));
    let family = state.settings.family.in_worker();
    // A start: new settings, "start over", or a switch of family.
    {
        let (slot, dispatch, state) = (slot.clone(), state.dispatcher(), state.clone());
        use_effect_with((state.generation, family), move |&(_, family)| {
            let token = {
                let mut s = slot.borrow_mut();
                // Dropping the old handle ends its training in the worker.
                *s = (s.0 + 1, None);
                s.0
            };
            if let Some(family) = family {
                let defaults = family.defaults();
                let setup = Setup {
                    family,
                    seed: state.settings.seed,
                    learning_rate: state
                        .settings
                        .learning_rate
                        .map_or(defaults.learning_rate, f64::from),
                    batch: state.settings.batch.unwrap_or(defaults.batch),
                };
                let (train, held_out, seed) = (
                    state.train.clone(),
                    state.held_out.clone(),
                    state.settings.seed,
                );
                wasm_bindgen_futures::spawn_local(async move {
                    match RemoteTraining::start(setup, &train, &held_out).await {
                        Ok(training) => {
                            let training = Rc::new(training);
                            if slot.borrow().0 == token {
                                slot.borrow_mut().1 = Some(Rc::clone(&training));
                                paint(&training, seed, &dispatch).await;
                            }
                        }
                        Err(e) => dispatch.dispatch(LabAction::Failed(e)),
                    }
                });
            }
        });
    }
    // The visitor's points, sent as they change.
    {
        let (slot, dispatch, state) = (slot.clone(), state.dispatcher(), state.clone());
        use_effect_with(state.points_version, move |&version| {
            let training = slot.borrow().1.clone();
            if let (true, Some(training)) = (version > 0, training) {
                let (train, held_out, seed) = (
                    state.train.clone(),
                    state.held_out.clone(),
                    state.settings.seed,
                );
                wasm_bindgen_futures::spawn_local(async move {
                    match training.set_points(&train, &held_out).await {
                        Ok(()) => {
                            paint(&training, seed, &dispatch).await;
                        }
                        Err(e) => dispatch.dispatch(LabAction::Failed(e)),
                    }
                });
            }
        });
    }
    // Play: steps and a picture, again and again, until paused or restarted.
    {
        let (slot, dispatch, seed) = (slot, state.dispatcher(), state.settings.seed);
        let playing = state.playing && family.is_some();
        use_effect_with((playing, state.generation), move |&(playing, _)| {
            let stop = Rc::new(RefCell::new(false));
            if playing {
                let stop = Rc::clone(&stop);
                wasm_bindgen_futures::spawn_local(async move {
                    while !*stop.borrow() {
                        let Some(training) = slot.borrow().1.clone() else {
                            // Still starting.
                            gloo::timers::future::TimeoutFuture::new(50).await;
                            continue;
                        };
                        if let Err(e) = training.train(STEPS_PER_PICTURE).await {
                            dispatch.dispatch(LabAction::Failed(e));
                            break;
                        }
                        if *stop.borrow() || !paint(&training, seed, &dispatch).await {
                            break;
                        }
                        // Without a worker the calls run on this thread: let the page draw between them.
                        gloo::timers::future::TimeoutFuture::new(0).await;
                    }
                });
            }
            move || *stop.borrow_mut() = true
        });
    }
}
