//! The interpolation strip: two end points (the current point or the encoded input), lerp or slerp, a strip of
//! decoded frames (click a frame to go there) and an animation along the path.

use genscope_core::latent::{lerp, slerp};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::state::{End, Ends};
use super::texts::{self, VaeTexts};
use crate::i18n::use_lang;

/// Frames in the interpolation strip.
pub const STRIP_FRAMES: usize = 10;
/// The animation's frame interval, ms.
const PLAY_INTERVAL_MS: u32 = 33;
/// Animation frames each way (two seconds out, two back).
const PLAY_FRAMES: u32 = 60;

/// The point at `t` ∈ [0, 1] on the path from `a` to `b`.
pub fn along(a: &[f32], b: &[f32], t: f32, spherical: bool) -> Vec<f32> {
    if spherical {
        slerp(a, b, t)
    } else {
        lerp(a, b, t)
    }
}

/// The strip's frames, one after another (`STRIP_FRAMES × latent`).
pub fn strip_frames(a: &[f32], b: &[f32], spherical: bool) -> Vec<f32> {
    (0..STRIP_FRAMES)
        .flat_map(|i| along(a, b, strip_t(i), spherical))
        .collect()
}

/// The path position of strip frame `i`.
pub fn strip_t(i: usize) -> f32 {
    i as f32 / (STRIP_FRAMES - 1) as f32
}

/// The path position of animation frame `frame`: out to B, then back to A; `None` once it is over.
pub fn playback_t(frame: u32) -> Option<f32> {
    (frame <= 2 * PLAY_FRAMES).then(|| {
        let t = frame as f32 / PLAY_FRAMES as f32;
        (if t <= 1.0 { t } else { 2.0 - t }).clamp(0.0, 1.0)
    })
}

/// Up to four coordinates of an end point, for the readout (`t` says one not set).
fn describe(p: &Option<Vec<f32>>, t: &VaeTexts) -> String {
    match p {
        Some(v) => {
            v.iter()
                .take(4)
                .map(|x| format!("{x:.2}"))
                .collect::<Vec<_>>()
                .join(", ")
                + if v.len() > 4 { ", …" } else { "" }
        }
        None => t.not_set.into(),
    }
}

#[derive(Properties, PartialEq)]
pub struct InterpolationProps {
    pub ends: Ends,
    pub slerp: bool,
    pub z: Vec<f32>,
    pub encoded: Option<Vec<f32>>,
    pub strip_ref: NodeRef,
    pub on_move: Callback<(Vec<f32>, f64)>,
    pub on_end: Callback<(End, Vec<f32>)>,
    pub on_mode: Callback<bool>,
    pub width: usize,
    /// The context the strip is drawn with (`LoadedVae::canvas_kind`): a change gives it a new canvas.
    pub canvas_kind: &'static str,
}

/// The section: end-point buttons, mode, play/stop, and the strip.
#[component]
pub fn Interpolation(props: &InterpolationProps) -> Html {
    let t = texts::of(use_lang());
    let playing = use_mut_ref(|| None::<gloo::timers::callback::Interval>);
    let set = |which: End, point: Vec<f32>| {
        let on_end = props.on_end.clone();
        Callback::from(move |_| on_end.emit((which, point.clone())))
    };
    let ready = matches!(&props.ends, (Some(_), Some(_)));
    let path = {
        let (ends, spherical) = (props.ends.clone(), props.slerp);
        move |t: f32| match &ends {
            (Some(a), Some(b)) => Some(along(a, b, t, spherical)),
            _ => None,
        }
    };
    let play = {
        let (playing, on_move, path) = (playing.clone(), props.on_move.clone(), path.clone());
        Callback::from(move |_| {
            let mut slot = playing.borrow_mut();
            if slot.take().is_some() {
                return;
            }
            let (on_move, path, playing) = (on_move.clone(), path.clone(), playing.clone());
            let mut frame = 0u32;
            *slot = Some(gloo::timers::callback::Interval::new(
                PLAY_INTERVAL_MS,
                move || {
                    if let Some(p) = playback_t(frame).and_then(&path) {
                        on_move.emit((p, 0.0));
                    }
                    frame += 1;
                    if playback_t(frame).is_none() {
                        if let Ok(mut slot) = playing.try_borrow_mut() {
                            slot.take();
                        }
                    }
                },
            ));
        })
    };
    let on_strip = {
        let (on_move, path) = (props.on_move.clone(), path.clone());
        Callback::from(move |e: MouseEvent| {
            let Some(el) = e.target_dyn_into::<web_sys::Element>() else {
                return;
            };
            let rect = el.get_bounding_client_rect();
            let f = ((f64::from(e.client_x()) - rect.left()) / rect.width()).clamp(0.0, 0.999);
            let i = (f * STRIP_FRAMES as f64) as usize;
            if let Some(p) = path(strip_t(i)) {
                on_move.emit((p, e.time_stamp()));
            }
        })
    };
    let mode = {
        let on_mode = props.on_mode.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                on_mode.emit(select.value() == "slerp");
            }
        })
    };
    html! {
        <section class="interpolation">
            <h2>{ t.interp_title }</h2>
            <div class="toolbar">
                <button id="set-a" onclick={set(End::A, props.z.clone())}>{ t.set_a }</button>
                <button id="set-b" onclick={set(End::B, props.z.clone())}>{ t.set_b }</button>
                { for props.encoded.clone().map(|m| html! {
                    <button id="set-b-encoded" onclick={set(End::B, m)}>{ t.set_b_encoded }</button>
                }) }
                <select id="interp-mode" onchange={mode}>
                    <option value="slerp" selected={props.slerp}>{ t.slerp }</option>
                    <option value="lerp" selected={!props.slerp}>{ t.lerp }</option>
                </select>
                <button id="interp-play" onclick={play} disabled={!ready}>{ t.play }</button>
            </div>
            <p class="muted small mono">{ format!("A = ({})   B = ({})", describe(&props.ends.0, t), describe(&props.ends.1, t)) }</p>
            <canvas key={props.canvas_kind} data-context={props.canvas_kind} id="interp-strip" ref={props.strip_ref.clone()} class="pixelated strip"
                width={(props.width * STRIP_FRAMES).to_string()} height={props.width.to_string()}
                onclick={on_strip} hidden={!ready}></canvas>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strip_runs_from_a_to_b() {
        let (a, b) = ([1.0, 0.0], [0.0, 1.0]);
        for spherical in [false, true] {
            let frames = strip_frames(&a, &b, spherical);
            assert_eq!(frames.len(), 2 * STRIP_FRAMES);
            assert!((frames[0] - 1.0).abs() < 1e-6 && frames[1].abs() < 1e-6);
            let last = &frames[2 * (STRIP_FRAMES - 1)..];
            assert!(
                last[0].abs() < 1e-6 && (last[1] - 1.0).abs() < 1e-6,
                "{last:?}"
            );
        }
        // Slerp keeps the norm of two unit vectors; lerp cuts the corner.
        let mid_s = along(&a, &b, 0.5, true);
        let mid_l = along(&a, &b, 0.5, false);
        assert!((mid_s[0].hypot(mid_s[1]) - 1.0).abs() < 1e-5);
        assert!((mid_l[0].hypot(mid_l[1]) - 0.5f32.sqrt()).abs() < 1e-5);
    }

    #[test]
    fn playback_goes_out_and_back_then_stops() {
        assert_eq!(playback_t(0), Some(0.0));
        assert_eq!(playback_t(PLAY_FRAMES), Some(1.0));
        assert_eq!(playback_t(2 * PLAY_FRAMES), Some(0.0));
        assert_eq!(playback_t(2 * PLAY_FRAMES + 1), None);
        let t = &texts::EN;
        assert_eq!(describe(&None, t), "not set");
        assert_eq!(describe(&None, &texts::ZH), "未设置");
        assert_eq!(
            describe(&Some(vec![0.0; 5]), t),
            "0.00, 0.00, 0.00, 0.00, …"
        );
    }
}
