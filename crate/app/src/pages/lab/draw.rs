//! Drawing the plane: the mixture's density as a heat map, the points (coloured by the E-step's responsibilities
//! when it has run, hollow when held out) and each component as its 1σ and 2σ ellipses.

use genscope_core::lab::gmm::Gmm;
use genscope_core::lab::{Point, Window};
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::link::LabFamily;
use super::state::LabState;

/// The canvas's side in pixels (two per density cell).
pub const SIDE: usize = 2 * Window::LAB.cells;

/// Component colours (a colour-blind-safe palette, repeated past eight).
const PALETTE: [(u8, u8, u8); 8] = [
    (230, 159, 0),
    (86, 180, 233),
    (0, 158, 115),
    (240, 228, 66),
    (0, 114, 178),
    (213, 94, 0),
    (204, 121, 167),
    (120, 120, 120),
];

/// Where `x` lands on the canvas.
pub fn to_canvas([x, y]: Point) -> (f64, f64) {
    let scale = SIDE as f64 / (2.0 * Window::LAB.half);
    (
        (x + Window::LAB.half) * scale,
        (Window::LAB.half - y) * scale,
    )
}

/// The plane's point under canvas pixel `(px, py)`.
pub fn from_canvas(px: f64, py: f64) -> Point {
    let scale = SIDE as f64 / (2.0 * Window::LAB.half);
    [px / scale - Window::LAB.half, Window::LAB.half - py / scale]
}

/// The heat map's colour for a density `d` with the frame's largest value `max`: white through to deep blue, on
/// a square-root scale so that thin tails still show.
fn heat(d: f64, max: f64) -> [u8; 3] {
    let t = if max > 0.0 {
        (d / max).clamp(0.0, 1.0).sqrt()
    } else {
        0.0
    };
    let mix = |from: f64, to: f64| (from + (to - from) * t).round() as u8;
    [mix(255.0, 8.0), mix(255.0, 48.0), mix(255.0, 107.0)]
}

/// Draws `state` onto `canvas`: the mixture's density computed here, another family's from the worker's picture.
pub fn draw(canvas: &HtmlCanvasElement, state: &LabState) -> Option<()> {
    let context = canvas
        .get_context("2d")
        .ok()
        .flatten()?
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()?;
    let gmm = state.settings.family == LabFamily::Gmm;
    let heat_map = if gmm {
        Some((
            Window::LAB.densities(&state.trainer.model),
            Window::LAB.cells,
        ))
    } else {
        state
            .picture
            .as_ref()
            .map(|p| (p.densities.clone(), p.cells))
    };
    let mut rgba = vec![255u8; SIDE * SIDE * 4];
    if let Some((densities, cells)) = heat_map.filter(|(d, c)| *c > 0 && d.len() == c * c) {
        let max = densities.iter().copied().fold(0.0, f64::max);
        for (pixel, rgb) in rgba.chunks_exact_mut(4).enumerate() {
            let (column, row) = ((pixel % SIDE) * cells / SIDE, (pixel / SIDE) * cells / SIDE);
            rgb[..3].copy_from_slice(&heat(densities[row * cells + column], max));
        }
    }
    let image = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
        Clamped(&rgba),
        SIDE as u32,
        SIDE as u32,
    )
    .ok()?;
    context.put_image_data(&image, 0.0, 0.0).ok()?;
    draw_points(&context, state);
    if gmm {
        draw_ellipses(&context, &state.trainer.model);
    } else if let Some(picture) = &state.picture {
        // The model's samples, as small green dots over the data.
        context.set_fill_style_str("rgb(0,158,115)");
        for &p in &picture.samples {
            let (x, y) = to_canvas(p);
            context.fill_rect(x - 1.0, y - 1.0, 2.0, 2.0);
        }
    }
    Some(())
}

/// Training points filled (in their most responsible component's colour after an E-step), held-out ones hollow.
fn draw_points(context: &CanvasRenderingContext2d, state: &LabState) {
    let k = state.trainer.model.components.len().max(1);
    let responsibilities = state
        .trainer
        .responsibilities
        .as_ref()
        .filter(|r| r.len() == state.train.len() * k);
    // Each point's colour (its most responsible component, or none), so each colour is set once a frame.
    let best = |i: usize| {
        let row = &responsibilities?[i * k..(i + 1) * k];
        let (best, _) =
            row.iter()
                .enumerate()
                .fold((0, f64::MIN), |b, (j, &v)| if v > b.1 { (j, v) } else { b });
        Some(best % PALETTE.len())
    };
    let mut by_colour: Vec<Vec<Point>> = vec![Vec::new(); PALETTE.len() + 1];
    for (i, &p) in state.train.iter().enumerate() {
        by_colour[best(i).unwrap_or(PALETTE.len())].push(p);
    }
    for (colour, points) in by_colour.iter().enumerate() {
        let (r, g, b) = PALETTE.get(colour).copied().unwrap_or((20, 20, 20));
        context.set_fill_style_str(&format!("rgb({r},{g},{b})"));
        for &p in points {
            let (x, y) = to_canvas(p);
            context.fill_rect(x - 1.5, y - 1.5, 3.0, 3.0);
        }
    }
    context.set_stroke_style_str("rgb(200,30,30)");
    context.set_line_width(1.0);
    for &p in state.held_out.iter() {
        let (x, y) = to_canvas(p);
        context.stroke_rect(x - 2.0, y - 2.0, 4.0, 4.0);
    }
}

/// Each component's 1σ and 2σ ellipses, in its colour.
fn draw_ellipses(context: &CanvasRenderingContext2d, model: &Gmm) {
    let scale = SIDE as f64 / (2.0 * Window::LAB.half);
    context.set_line_width(2.0);
    for (j, c) in model.components.iter().enumerate() {
        let (r, g, b) = PALETTE[j % PALETTE.len()];
        context.set_stroke_style_str(&format!("rgb({r},{g},{b})"));
        let (x, y) = to_canvas(c.mean);
        let ([major, minor], angle) = c.ellipse();
        for sigmas in [1.0, 2.0] {
            context.begin_path();
            // The canvas's y axis points down: the ellipse turns the other way.
            let _ = context.ellipse(
                x,
                y,
                (sigmas * major * scale).max(0.5),
                (sigmas * minor * scale).max(0.5),
                -angle,
                0.0,
                std::f64::consts::TAU,
            );
            context.stroke();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canvas_and_plane_coordinates_invert_and_y_points_up() {
        let (x, y) = to_canvas([1.0, 2.0]);
        assert_eq!(from_canvas(x, y), [1.0, 2.0]);
        assert_eq!(to_canvas([-4.0, 4.0]), (0.0, 0.0));
        assert!(to_canvas([0.0, 1.0]).1 < to_canvas([0.0, 0.0]).1);
        assert_eq!(heat(0.0, 1.0), [255, 255, 255]);
        assert_eq!(heat(1.0, 1.0), [8, 48, 107]);
    }
}
