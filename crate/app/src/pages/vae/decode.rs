//! The cursor's decode: the newest point is decoded as soon as it is asked for, and points overtaken while a decode
//! runs are dropped (so a slow backend never falls behind the cursor). Also the batched decodes of the map and the
//! interpolation strip.

use std::cell::RefCell;
use std::rc::Rc;

use genscope_core::latent::grid_2d;
use genscope_core::query;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::link::EXTENT;
use super::model::LoadedVae;
use super::state::{Action, State};
use super::texts::VaeTexts;
use crate::i18n::fill;
use crate::models;
use crate::widgets::draw_gray;

/// Tiles per side of the latent map.
pub const MAP_TILES: usize = 20;

/// The decode running and the newest point waiting for it.
#[derive(Default)]
pub struct DecodeQueue {
    busy: bool,
    pending: Option<(Rc<LoadedVae>, Vec<f32>, f64)>,
}

/// The canvas behind `node`, if it is mounted.
pub fn canvas(node: &NodeRef) -> Option<HtmlCanvasElement> {
    node.cast::<HtmlCanvasElement>()
}

/// Asks for `point` to be decoded by `vae` onto the canvas `target`; `since` is the input event's time stamp (0
/// when there is none), for the latency figures. A failure is said in `t`'s language.
pub fn request(
    queue: &Rc<RefCell<DecodeQueue>>,
    target: &NodeRef,
    dispatcher: &UseReducerDispatcher<State>,
    (vae, point, since): (Rc<LoadedVae>, Vec<f32>, f64),
    t: &'static VaeTexts,
) {
    let mut q = queue.borrow_mut();
    q.pending = Some((vae, point, since));
    if q.busy {
        return;
    }
    q.busy = true;
    drop(q);
    let (queue, target, dispatcher) = (Rc::clone(queue), target.clone(), dispatcher.clone());
    wasm_bindgen_futures::spawn_local(async move {
        loop {
            let Some((vae, point, since)) = queue.borrow_mut().pending.take() else {
                queue.borrow_mut().busy = false;
                return;
            };
            let started = models::now_ms();
            match draw_cursor(&vae, &point, &target, t).await {
                Ok(()) => {
                    if let Some(c) = canvas(&target) {
                        // Decodes drawn so far, for the long-use test (set directly: no re-render).
                        let n = c
                            .get_attribute("data-decodes")
                            .and_then(|n| n.parse::<u64>().ok())
                            .unwrap_or(0);
                        let _ = c.set_attribute("data-decodes", &(n + 1).to_string());
                        // The point this picture shows (decodes finish after the move that asked for them).
                        let _ = c.set_attribute("data-z", &query::format_numbers(&point));
                    }
                    let done = models::now_ms();
                    dispatcher.dispatch(Action::Decoded {
                        ms: done - started,
                        backend: vae.backend.clone(),
                    });
                    if since > 0.0 {
                        record_latency(done - since);
                    }
                }
                Err(e) => {
                    dispatcher.dispatch(Action::Failed(fill(t.decode_failed, &[("error", &e)])))
                }
            }
        }
    });
}

/// Decodes the cursor's `point` onto the canvas `target`: on WebGPU straight from the GPU's buffer, on the CPU
/// read back (from the page's copy where there is one) and drawn with a 2-D context.
async fn draw_cursor(
    vae: &LoadedVae,
    point: &[f32],
    target: &NodeRef,
    t: &VaeTexts,
) -> Result<(), String> {
    let Some(c) = canvas(target) else {
        return Ok(());
    };
    if let Some(drawn) = vae.present(point, &c, 1).await {
        return drawn;
    }
    let pixels = vae.decode_cursor(point, t).await?;
    draw_gray(&c, &pixels, vae.config.width, vae.config.height, 0.0, 0.0);
    Ok(())
}

/// Appends one input-to-pixels latency to `window.genscopeVaeLatencies` (read by the e2e benchmark).
fn record_latency(ms: f64) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let key = wasm_bindgen::JsValue::from_str("genscopeVaeLatencies");
    let list = js_sys::Reflect::get(&window, &key)
        .ok()
        .and_then(|v| v.dyn_into::<js_sys::Array>().ok())
        .unwrap_or_else(|| {
            let list = js_sys::Array::new();
            let _ = js_sys::Reflect::set(&window, &key, &list);
            list
        });
    // The newest 20,000 are plenty for percentiles and keep a long session from growing the list forever.
    if list.length() >= 20_000 {
        list.shift();
    }
    list.push(&ms.into());
}

/// Decodes `frames` (`n × latent`) with `vae` and draws them side by side (`columns` per row) onto `target` (on
/// WebGPU without a read-back); `failed` says what failed, with the `{error}`.
pub async fn draw_tiles(
    vae: &LoadedVae,
    frames: &[f32],
    columns: usize,
    target: &NodeRef,
    failed: &str,
) -> Result<(), String> {
    let Some(c) = canvas(target) else {
        return Ok(());
    };
    if let Some(drawn) = vae.present(frames, &c, columns).await {
        drawn.map_err(|e| fill(failed, &[("error", &e)]))?;
        count_drawn(&c);
        return Ok(());
    }
    let pixels = vae
        .decode(frames)
        .await
        .map_err(|e| fill(failed, &[("error", &e)]))?;
    let (w, h) = (vae.config.width, vae.config.height);
    for (i, tile) in pixels.chunks(w * h).enumerate() {
        let (row, col) = (i / columns, i % columns);
        draw_gray(&c, tile, w, h, (col * w) as f64, (row * h) as f64);
    }
    count_drawn(&c);
    Ok(())
}

/// Counts the pictures drawn on `canvas` in its `data-drawn` (set directly, no re-render), so that a test can wait
/// for one without reading the canvas's pixels over and over.
fn count_drawn(canvas: &HtmlCanvasElement) {
    let n = canvas
        .get_attribute("data-drawn")
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(0);
    let _ = canvas.set_attribute("data-drawn", &(n + 1).to_string());
}

/// The latent map: the whole grid of `MAP_TILES²` points over ±`EXTENT`, in one batched decode (a failure said in
/// `t`'s language).
pub async fn draw_map(vae: &LoadedVae, target: &NodeRef, t: &VaeTexts) -> Result<(), String> {
    let grid: Vec<f32> = grid_2d(MAP_TILES, EXTENT).into_iter().flatten().collect();
    draw_tiles(vae, &grid, MAP_TILES, target, t.map_failed).await
}
