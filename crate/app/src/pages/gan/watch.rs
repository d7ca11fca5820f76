//! Watch mode: every cell walks (slerp) from one random point to the next, a frame every 16 ms; frames are
//! skipped while one renders, and the frame rate is measured over each second.

use std::cell::RefCell;
use std::rc::Rc;

use genscope_core::latent::{gaussian_latents, slerp, truncate};
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use crate::models;
use crate::site::Load;

use super::grid::draw_samples;
use super::link::{GanSettings, CELLS, SIDE};
use super::loader::LoadedGan;
use super::state::{Action, Failure, State};

/// Milliseconds between frames.
const FRAME_MS: u32 = 16;
/// Mixed into the seed for the walks' next points.
const WALK_SALT: u64 = 0xABCD;

/// The walks of all 64 cells: from `from` to `to`, `t` of the way; a new leg starts from the last one's end.
#[derive(Clone, Debug, PartialEq)]
pub struct Walk {
    from: Vec<f32>,
    to: Vec<f32>,
    t: f32,
    leg: u64,
    latent: usize,
    truncation: f32,
}

impl Walk {
    /// Starts at the grid of `settings`.
    pub fn new(settings: &GanSettings, latent: usize) -> Self {
        Self {
            from: settings.latents(latent),
            to: Self::leg_end(settings.seed, latent, settings.truncation),
            t: 0.0,
            leg: settings.seed,
            latent,
            truncation: settings.truncation,
        }
    }

    fn leg_end(leg: u64, latent: usize, truncation: f32) -> Vec<f32> {
        truncate(
            &gaussian_latents(leg ^ WALK_SALT, CELLS, latent),
            truncation,
        )
    }

    /// Moves `speed` along and returns the 64 latents to draw.
    pub fn step(&mut self, speed: f32) -> Vec<f32> {
        self.t += speed;
        if self.t >= 1.0 {
            self.t = 0.0;
            self.leg = self.leg.wrapping_add(1);
            self.from = std::mem::take(&mut self.to);
            self.to = Self::leg_end(self.leg, self.latent, self.truncation);
        }
        self.from
            .chunks(self.latent)
            .zip(self.to.chunks(self.latent))
            .flat_map(|(a, b)| slerp(a, b, self.t))
            .collect()
    }
}

/// Frames drawn since `since` (ms), for the frame rate.
struct Frames {
    walk: Walk,
    busy: bool,
    since: f64,
    count: u32,
}

/// Runs watch mode while `on`, drawing into `grid_ref`.
#[hook]
pub fn use_watch(
    on: bool,
    speed: f32,
    loaded: Load<Rc<LoadedGan>>,
    settings: GanSettings,
    grid_ref: NodeRef,
    dispatch: UseReducerDispatcher<State>,
) {
    use_effect_with((on, speed, loaded), move |(on, speed, loaded)| {
        let speed = *speed;
        let timer = match (*on, loaded.clone()) {
            (true, Load::Ready(gan)) => {
                let frames = Rc::new(RefCell::new(Frames {
                    walk: Walk::new(&settings, gan.config.latent),
                    busy: false,
                    since: models::now_ms(),
                    count: 0,
                }));
                Some(gloo::timers::callback::Interval::new(FRAME_MS, move || {
                    let mut f = frames.borrow_mut();
                    if f.busy {
                        return; // the previous frame is still rendering
                    }
                    let z = f.walk.step(speed);
                    f.busy = true;
                    let (frames, gan, grid_ref, dispatch) = (
                        frames.clone(),
                        gan.clone(),
                        grid_ref.clone(),
                        dispatch.clone(),
                    );
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Some(c) = grid_ref.cast::<HtmlCanvasElement>() {
                            let latent = gan.config.latent;
                            if let Err(e) = draw_samples(&gan.generator, latent, &z, &c, SIDE).await
                            {
                                dispatch.dispatch(Action::Fail(Failure::Generating(e)));
                            }
                        }
                        let mut f = frames.borrow_mut();
                        f.busy = false;
                        f.count += 1;
                        let elapsed = models::now_ms() - f.since;
                        if elapsed > 1000.0 {
                            dispatch.dispatch(Action::Fps(f64::from(f.count) * 1000.0 / elapsed));
                            f.since = models::now_ms();
                            f.count = 0;
                        }
                    });
                }))
            }
            _ => None,
        };
        move || drop(timer)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_starts_at_the_grid_and_moves_on_from_each_leg_s_end() {
        let settings = GanSettings {
            seed: 3,
            truncation: 0.8,
            pinned: Vec::new(),
        };
        let mut walk = Walk::new(&settings, 4);
        let first = walk.step(0.0);
        let grid = settings.latents(4);
        assert!(first.iter().zip(&grid).all(|(a, b)| (a - b).abs() < 1e-5));
        let end = Walk::leg_end(3, 4, 0.8);
        let mut last = Vec::new();
        for _ in 0..4 {
            last = walk.step(0.25);
        }
        // A full leg: the walk is at the old end, and heads for a new one.
        assert_eq!(walk.t, 0.0);
        assert_eq!(walk.from, end);
        assert!(last.iter().zip(&end).all(|(a, b)| (a - b).abs() < 1e-5));
        assert_eq!(walk.to, Walk::leg_end(4, 4, 0.8));
        assert_eq!(last.len(), CELLS * 4);
    }
}
