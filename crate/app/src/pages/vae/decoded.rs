//! The decoded image of the current point, its readout, the last decode's time, and the PNG downloads.

use yew::prelude::*;

use super::decode::canvas;
use super::model::LoadedVae;
use super::texts::VaeTexts;
use crate::i18n::fill;
use crate::widgets::save_png;

/// `z = (0.12, -1.00)`: the point as the readout shows it.
pub fn readout(z: &[f32]) -> String {
    let values = z
        .iter()
        .map(|v| format!("{v:.2}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("z = ({values})")
}

/// The last decode's time and backend, or that one is running, in `t`'s language: the text before the backend's
/// name, the name (not UI text: an adapter's name stays as the browser gives it), and the text after it.
pub fn decode_time(last: &Option<(f64, String)>, t: &VaeTexts) -> (String, String, String) {
    match last {
        Some((ms, backend)) => {
            let line = fill(t.decode_time, &[("ms", &format!("{ms:.2}"))]);
            let (before, after) = line.split_once("{backend}").unwrap_or((&line, ""));
            (before.to_string(), backend.clone(), after.to_string())
        }
        None => (t.decoding.into(), String::new(), String::new()),
    }
}

/// A button saving the canvas behind `node` as `file`.
fn save_button(id: &'static str, label: &'static str, node: &NodeRef, file: String) -> Html {
    let node = node.clone();
    let onclick = Callback::from(move |_| {
        if let Some(c) = canvas(&node) {
            save_png(&c, &file);
        }
    });
    html! { <button {id} {onclick}>{ label }</button> }
}

/// The panel beside the map or the sliders, in `t`'s language; `map` is the map's canvas, for z = 2.
pub fn decoded_panel(
    vae: &LoadedVae,
    z: &[f32],
    last: &Option<(f64, String)>,
    decoded_ref: &NodeRef,
    map: Option<&NodeRef>,
    t: &'static VaeTexts,
) -> Html {
    let name = &vae.card.name;
    let (before, backend, after) = decode_time(last, t);
    let save = save_button(
        "save-png",
        t.save_png,
        decoded_ref,
        format!("{name}-decoded.png"),
    );
    let save_map =
        map.map(|node| save_button("save-map", t.save_map_png, node, format!("{name}-map.png")));
    html! {
        <div class="decoded-panel">
            <canvas key={vae.canvas_kind()} data-context={vae.canvas_kind()} id="decoded" ref={decoded_ref.clone()} width={vae.config.width.to_string()}
                height={vae.config.height.to_string()} class="pixelated big"></canvas>
            <p id="z-readout" class="mono">{ readout(z) }</p>
            <p class="muted small" id="decode-time">
                { before }<span data-i18n-skip="">{ backend }</span>{ after }
            </p>
            { save }
            { for save_map }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readout_and_the_time_read_as_the_tests_expect() {
        assert_eq!(readout(&[0.0, 0.0]), "z = (0.00, 0.00)");
        assert_eq!(readout(&[3.0, -0.5]), "z = (3.00, -0.50)");
        let line = |last: &Option<(f64, String)>, t| {
            let (before, backend, after) = decode_time(last, t);
            before + &backend + &after
        };
        let (en, zh) = (&super::super::texts::EN, &super::super::texts::ZH);
        assert_eq!(line(&None, en), "decoding…");
        let last = Some((0.123, "wasm CPU".to_string()));
        assert_eq!(line(&last, en), "decode 0.12 ms · wasm CPU");
        assert_eq!(line(&last, zh), "解码 0.12 ms · wasm CPU");
        assert_eq!(decode_time(&last, zh).1, "wasm CPU");
    }
}
