//! The drawing pad: a canvas (mouse, pen or touch) whose picture is averaged down to the model's image size and
//! encoded when a stroke ends.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::decode::canvas;
use super::texts;
use crate::i18n::use_lang;

/// Canvas pixels per image pixel.
const SCALE: usize = 10;

/// Averages each `SCALE × SCALE` block of the red channel of `rgba` (a `size·SCALE` square) into one intensity.
pub fn downsample(rgba: &[u8], size: usize) -> Vec<f32> {
    (0..size * size)
        .map(|i| {
            let (row, col) = (i / size, i % size);
            let mut sum = 0u32;
            for dy in 0..SCALE {
                for dx in 0..SCALE {
                    let at = ((row * SCALE + dy) * size * SCALE + col * SCALE + dx) * 4;
                    sum += u32::from(rgba.get(at).copied().unwrap_or(0));
                }
            }
            sum as f32 / (255.0 * (SCALE * SCALE) as f32)
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct DrawPadProps {
    pub size: usize,
    pub on_done: Callback<Vec<f32>>,
}

/// The pad, its Clear button and brush size.
#[component]
pub fn DrawPad(props: &DrawPadProps) -> Html {
    let t = texts::of(use_lang());
    let canvas_ref = use_node_ref();
    let drawing = use_mut_ref(|| None::<(f64, f64)>);
    let brush = use_state(|| 18.0f64);
    let context = {
        let canvas_ref = canvas_ref.clone();
        move || {
            canvas(&canvas_ref)?
                .get_context("2d")
                .ok()
                .flatten()?
                .dyn_into::<web_sys::CanvasRenderingContext2d>()
                .ok()
        }
    };
    let clear = {
        let context = context.clone();
        move || {
            if let Some(c) = context() {
                c.set_fill_style_str("#000");
                c.fill_rect(0.0, 0.0, 1e4, 1e4);
            }
        }
    };
    {
        let clear = clear.clone();
        use_effect_with((), move |_| clear());
    }
    let position = {
        let canvas_ref = canvas_ref.clone();
        move |e: &PointerEvent| -> Option<(f64, f64)> {
            let c = canvas(&canvas_ref)?;
            let rect = c.get_bounding_client_rect();
            Some((
                (f64::from(e.client_x()) - rect.left()) / rect.width() * f64::from(c.width()),
                (f64::from(e.client_y()) - rect.top()) / rect.height() * f64::from(c.height()),
            ))
        }
    };
    let stroke = {
        let (context, brush) = (context.clone(), brush.clone());
        move |from: (f64, f64), to: (f64, f64)| {
            if let Some(c) = context() {
                c.set_stroke_style_str("#fff");
                c.set_line_width(*brush);
                c.set_line_cap("round");
                c.begin_path();
                c.move_to(from.0, from.1);
                c.line_to(to.0, to.1);
                c.stroke();
            }
        }
    };
    let on_down = {
        let (drawing, position, stroke) = (drawing.clone(), position.clone(), stroke.clone());
        Callback::from(move |e: PointerEvent| {
            e.prevent_default();
            if let Some(target) = e.target_dyn_into::<web_sys::Element>() {
                let _ = target.set_pointer_capture(e.pointer_id());
            }
            if let Some(p) = position(&e) {
                stroke(p, p);
                *drawing.borrow_mut() = Some(p);
            }
        })
    };
    let on_move = {
        let (drawing, position, stroke) = (drawing.clone(), position.clone(), stroke.clone());
        Callback::from(move |e: PointerEvent| {
            let last = *drawing.borrow();
            if let (Some(from), Some(to)) = (last, position(&e)) {
                stroke(from, to);
                *drawing.borrow_mut() = Some(to);
            }
        })
    };
    let on_up = {
        let (drawing, context, on_done, size) = (
            drawing.clone(),
            context.clone(),
            props.on_done.clone(),
            props.size,
        );
        Callback::from(move |_: PointerEvent| {
            if drawing.borrow_mut().take().is_none() {
                return;
            }
            let side = (size * SCALE) as f64;
            let Some(data) = context().and_then(|c| c.get_image_data(0.0, 0.0, side, side).ok())
            else {
                return;
            };
            on_done.emit(downsample(&data.data(), size));
        })
    };
    let on_brush = {
        let brush = brush.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                brush.set(input.value().parse().unwrap_or(18.0));
            }
        })
    };
    let side = (props.size * SCALE).to_string();
    html! {
        <div class="draw-pad">
            <canvas id="draw-canvas" ref={canvas_ref} width={side.clone()} height={side}
                onpointerdown={on_down} onpointermove={on_move} onpointerup={on_up.clone()} onpointerleave={on_up}></canvas>
            <div class="toolbar small">
                <button id="draw-clear" onclick={move |_| clear()}>{ t.clear }</button>
                <label>{ t.brush }<input id="brush-size" type="range" min="6" max="40" value={brush.to_string()} oninput={on_brush} /></label>
            </div>
            <p class="muted small">{ t.draw_hint }</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_of_the_pad_becomes_one_pixel() {
        let size = 2;
        let side = size * SCALE;
        let mut rgba = vec![0u8; side * side * 4];
        // The top-right block white, half of the bottom-left block white.
        for y in 0..side {
            for x in 0..side {
                let white = (y < SCALE && x >= SCALE) || (y >= SCALE && x < SCALE && y % 2 == 0);
                if white {
                    rgba[(y * side + x) * 4] = 255;
                }
            }
        }
        assert_eq!(downsample(&rgba, size), [0.0, 1.0, 0.5, 0.0]);
    }
}
