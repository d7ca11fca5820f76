//! The 2-D latent map: decoded tiles, the test set's encodings by class, the encoded input with its 1σ ellipse,
//! and the cursor (drag it, click it, or focus it and use the arrow keys).

use std::rc::Rc;

use genscope_core::dataset::LabelledImages;
use yew::prelude::*;

use super::decode::MAP_TILES;
use super::elbo::Encoded;
use super::link::EXTENT;
use super::texts::{self, VaeTexts};
use crate::i18n::use_lang;
use crate::models::Shared;

/// Ten distinguishable colours for the classes.
pub const CLASS_COLOURS: [&str; 10] = [
    "#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
    "#bfef45", "#fabed4",
];

/// Map coordinates: latent units → percent of the map's width/height.
pub fn to_percent(z: [f32; 2]) -> (f32, f32) {
    (
        (z[0] + EXTENT) / (2.0 * EXTENT) * 100.0,
        (EXTENT - z[1]) / (2.0 * EXTENT) * 100.0,
    )
}

/// The latent point under a position given as fractions of the map's width and height (0,0 top left).
pub fn from_fraction(fx: f64, fy: f64) -> Vec<f32> {
    vec![
        (-EXTENT + fx as f32 * 2.0 * EXTENT).clamp(-EXTENT, EXTENT),
        (EXTENT - fy as f32 * 2.0 * EXTENT).clamp(-EXTENT, EXTENT),
    ]
}

/// The point one arrow key press away from `z` (Shift: bigger steps); `None` for other keys.
pub fn arrow_step(z: &[f32], key: &str, shift: bool) -> Option<Vec<f32>> {
    let step = if shift { 0.5 } else { 0.1 };
    let (dx, dy) = match key {
        "ArrowLeft" => (-step, 0.0),
        "ArrowRight" => (step, 0.0),
        "ArrowUp" => (0.0, step),
        "ArrowDown" => (0.0, -step),
        _ => return None,
    };
    Some(match z {
        [x, y] => vec![x + dx, y + dy],
        _ => z.to_vec(),
    })
}

/// Properties of [`LatentMap`].
#[derive(Properties, PartialEq)]
pub struct LatentMapProps {
    pub map_ref: NodeRef,
    pub canvas_ref: NodeRef,
    /// The context the canvas is drawn with (`LoadedVae::canvas_kind`): a change gives it a new canvas.
    pub canvas_kind: &'static str,
    pub z: Vec<f32>,
    pub scatter: Option<Rc<Vec<[f32; 2]>>>,
    pub images: Option<Shared<LabelledImages>>,
    pub encoded: Option<Rc<Encoded>>,
    pub on_move: Callback<(Vec<f32>, f64)>,
    pub tile: usize,
}

/// The map with its overlays and the cursor.
#[component]
pub fn LatentMap(props: &LatentMapProps) -> Html {
    let t = texts::of(use_lang());
    let dragging = use_mut_ref(|| false);
    let point_at = {
        let map_ref = props.map_ref.clone();
        move |x: i32, y: i32| -> Option<Vec<f32>> {
            let element = map_ref.cast::<web_sys::Element>()?;
            let rect = element.get_bounding_client_rect();
            let fx = (f64::from(x) - rect.left()) / rect.width();
            let fy = (f64::from(y) - rect.top()) / rect.height();
            Some(from_fraction(fx, fy))
        }
    };
    let on_down = {
        let (dragging, on_move, point_at) =
            (dragging.clone(), props.on_move.clone(), point_at.clone());
        Callback::from(move |e: PointerEvent| {
            *dragging.borrow_mut() = true;
            if let Some(target) = e.target_dyn_into::<web_sys::Element>() {
                let _ = target.set_pointer_capture(e.pointer_id());
            }
            if let Some(p) = point_at(e.client_x(), e.client_y()) {
                on_move.emit((p, e.time_stamp()));
            }
        })
    };
    let on_pointer_move = {
        let (dragging, on_move, point_at) =
            (dragging.clone(), props.on_move.clone(), point_at.clone());
        Callback::from(move |e: PointerEvent| {
            if *dragging.borrow() {
                if let Some(p) = point_at(e.client_x(), e.client_y()) {
                    on_move.emit((p, e.time_stamp()));
                }
            }
        })
    };
    let on_up = {
        let dragging = dragging.clone();
        Callback::from(move |_: PointerEvent| *dragging.borrow_mut() = false)
    };
    let on_key = {
        let (on_move, z) = (props.on_move.clone(), props.z.clone());
        Callback::from(move |e: KeyboardEvent| {
            let Some(next) = arrow_step(&z, &e.key(), e.shift_key()) else {
                return;
            };
            e.prevent_default();
            if z.len() == 2 {
                on_move.emit((next, e.time_stamp()));
            }
        })
    };
    let size = MAP_TILES * props.tile;
    let (cx, cy) = if props.z.len() == 2 {
        to_percent([props.z[0], props.z[1]])
    } else {
        (50.0, 50.0)
    };
    let ticks = [-3, -2, -1, 0, 1, 2, 3];
    let posterior = props
        .encoded
        .as_ref()
        .filter(|e| e.mean.len() >= 2 && e.log_var.len() >= 2);
    html! {
        <div class="map-wrap">
            <div id="latent-map" class="latent-map" ref={props.map_ref.clone()} tabindex="0"
                role="slider" aria-label={t.map_label}
                aria-valuetext={format!("z = ({:.2}, {:.2})", props.z.first().unwrap_or(&0.0), props.z.get(1).unwrap_or(&0.0))}
                onpointerdown={on_down} onpointermove={on_pointer_move} onpointerup={on_up.clone()}
                onpointercancel={on_up} onkeydown={on_key}>
                <canvas key={props.canvas_kind} data-context={props.canvas_kind} id="map-canvas" ref={props.canvas_ref.clone()} width={size.to_string()}
                    height={size.to_string()} class="pixelated"></canvas>
                <Scatter points={props.scatter.clone()} images={props.images.clone()} />
                { for posterior.map(|e| {
                    let (x, y) = to_percent([e.mean[0], e.mean[1]]);
                    let (sx, sy) = (
                        (e.log_var[0] * 0.5).exp() / (2.0 * EXTENT) * 100.0,
                        (e.log_var[1] * 0.5).exp() / (2.0 * EXTENT) * 100.0,
                    );
                    html! {
                        <svg class="overlay" viewBox="0 0 100 100" preserveAspectRatio="none">
                            <ellipse id="posterior-ellipse" cx={x.to_string()} cy={y.to_string()}
                                rx={sx.to_string()} ry={sy.to_string()} />
                            <circle class="posterior-mean" cx={x.to_string()} cy={y.to_string()} r="0.9" />
                        </svg>
                    }
                }) }
                <div id="map-cursor" class="cursor" style={format!("left:{cx}%;top:{cy}%")}></div>
            </div>
            <div class="axis x">{ for ticks.iter().map(|t| html! { <span>{ t }</span> }) }</div>
            <p class="muted small">{ t.map_axes }</p>
        </div>
    }
}

/// Each class's mean position (latent units) as `x,y;x,y;…` with 4 decimals, ten classes (labels taken mod 10).
pub fn centroids(points: &[[f32; 2]], labels: &[u8]) -> String {
    let mut sums = [[0.0f64; 3]; 10];
    for (p, &l) in points.iter().zip(labels) {
        let s = &mut sums[l as usize % 10];
        s[0] += f64::from(p[0]);
        s[1] += f64::from(p[1]);
        s[2] += 1.0;
    }
    sums.iter()
        .map(|s| format!("{:.4},{:.4}", s[0] / s[2].max(1.0), s[1] / s[2].max(1.0)))
        .collect::<Vec<_>>()
        .join(";")
}

#[derive(Properties, PartialEq)]
struct ScatterProps {
    points: Option<Rc<Vec<[f32; 2]>>>,
    images: Option<Shared<LabelledImages>>,
}

/// The test set's posterior means over the map, one colour per class; `data-centroids` carries each class's
/// mean position (latent units) for the tests and the curious.
#[component]
fn Scatter(props: &ScatterProps) -> Html {
    let (Some(points), Some(images)) = (&props.points, &props.images) else {
        return html! {};
    };
    let labels = &images.labels;
    let dots = points.iter().zip(labels.iter()).filter_map(|(p, &l)| {
        if p[0].abs() > EXTENT || p[1].abs() > EXTENT {
            return None;
        }
        let (x, y) = to_percent(*p);
        Some(html! {
            <circle cx={format!("{x:.2}")} cy={format!("{y:.2}")} r="0.45"
                fill={CLASS_COLOURS[l as usize % 10]} />
        })
    });
    html! {
        <svg id="scatter" class="overlay" viewBox="0 0 100 100" preserveAspectRatio="none"
            data-centroids={centroids(points, labels)} data-count={points.len().to_string()}>
            { for dots }
        </svg>
    }
}

/// The scatter's legend: the toggle and one swatch per class, in `t`'s language.
pub fn legend(names: &[&str], shown: bool, on_toggle: Callback<()>, t: &'static VaeTexts) -> Html {
    let onchange = Callback::from(move |_: Event| on_toggle.emit(()));
    html! {
        <div class="legend">
            <label><input id="scatter-toggle" type="checkbox" checked={shown} {onchange} />
                { t.scatter_toggle }</label>
            { for names.iter().zip(CLASS_COLOURS).map(|(n, c)| html! {
                <span class="swatch"><i style={format!("background:{c}")}></i>{ *n }</span>
            }) }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_positions_and_latent_points_agree() {
        assert_eq!(to_percent([0.0, 0.0]), (50.0, 50.0));
        assert_eq!(to_percent([-EXTENT, EXTENT]), (0.0, 0.0));
        assert_eq!(to_percent([EXTENT, -EXTENT]), (100.0, 100.0));
        assert_eq!(from_fraction(0.5, 0.5), [0.0, 0.0]);
        assert_eq!(from_fraction(0.0, 0.0), [-EXTENT, EXTENT]);
        // Outside the map (a captured pointer dragged past the edge) stays on the edge.
        assert_eq!(from_fraction(-1.0, 2.0), [-EXTENT, -EXTENT]);
        let p = from_fraction(0.75, 0.25);
        let (x, y) = to_percent([p[0], p[1]]);
        assert!((x - 75.0).abs() < 1e-4 && (y - 25.0).abs() < 1e-4);
    }

    #[test]
    fn arrows_move_the_point_up_is_up() {
        assert_eq!(
            arrow_step(&[0.0, 0.0], "ArrowUp", false),
            Some(vec![0.0, 0.1])
        );
        assert_eq!(
            arrow_step(&[0.0, 0.0], "ArrowLeft", true),
            Some(vec![-0.5, 0.0])
        );
        assert_eq!(arrow_step(&[0.0, 0.0], "Enter", false), None);
    }

    #[test]
    fn centroids_are_class_means() {
        let points = [[1.0, 2.0], [3.0, 4.0], [-1.0, 0.0]];
        let c = centroids(&points, &[0, 0, 9]);
        let parts: Vec<&str> = c.split(';').collect();
        assert_eq!(parts.len(), 10);
        assert_eq!(parts[0], "2.0000,3.0000");
        assert_eq!(parts[1], "0.0000,0.0000");
        assert_eq!(parts[9], "-1.0000,0.0000");
    }
}
