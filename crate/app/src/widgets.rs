//! Small components shared by every page.

use yew::prelude::*;

use crate::i18n::{self, fill, use_lang};

/// Properties of [`ErrorPanel`].
#[derive(Properties, PartialEq)]
pub struct ErrorPanelProps {
    /// One line that says what failed, e.g. "Could not load the site's assets".
    pub title: AttrValue,
    /// The error itself, shown as text (never as HTML), its parts in the visitor's language where the catalogue
    /// has them ([`i18n::errors::say`]).
    pub message: AttrValue,
    /// When set, a "Try again" button calls it.
    #[prop_or_default]
    pub on_retry: Option<Callback<()>>,
}

/// A visible, non-fatal error: the rest of the page keeps working.
#[component]
pub fn ErrorPanel(props: &ErrorPanelProps) -> Html {
    let lang = use_lang();
    let t = i18n::shell::of(lang);
    let retry = props.on_retry.clone().map(|on_retry| {
        html! { <button onclick={move |_| on_retry.emit(())}>{ t.try_again }</button> }
    });
    html! {
        <div class="error-panel" role="alert">
            <strong>{ &props.title }</strong>
            <pre class="error-message">{ i18n::errors::say(&props.message, lang) }</pre>
            { for retry }
        </div>
    }
}

/// The panel for a failure after the page's model loaded, if there is one: `on_retry` ("Try again") should clear it
/// and load the model again (into a new inference worker if that one stopped) while the page's state stays.
pub fn failure_panel(message: Option<String>, on_retry: Callback<()>) -> Html {
    match message {
        Some(message) => html! {
            <ErrorPanel title={i18n::shell::of(i18n::current()).page_failed} {message} {on_retry} />
        },
        None => Html::default(),
    }
}

/// Draws grayscale `pixels` (intensities in [0, 1], `width × height` row-major) into `canvas` at `(x, y)`, one
/// canvas pixel per image pixel (CSS scales it up with `image-rendering: pixelated`).
pub fn draw_gray(
    canvas: &web_sys::HtmlCanvasElement,
    pixels: &[f32],
    width: usize,
    height: usize,
    x: f64,
    y: f64,
) {
    use wasm_bindgen::{Clamped, JsCast};
    let Some(context) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let mut rgba = vec![255u8; width * height * 4];
    for (i, &p) in pixels.iter().take(width * height).enumerate() {
        let v = (p.clamp(0.0, 1.0) * 255.0).round() as u8;
        rgba[4 * i..4 * i + 3].fill(v);
    }
    if let Ok(image) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
        Clamped(&rgba),
        width as u32,
        height as u32,
    ) {
        let _ = context.put_image_data(&image, x, y);
    }
}

/// Offers the canvas's current picture as a PNG download named `file_name`.
pub fn save_png(canvas: &web_sys::HtmlCanvasElement, file_name: &str) {
    use wasm_bindgen::JsCast;
    let Ok(url) = canvas.to_data_url_with_type("image/png") else {
        return;
    };
    let document = gloo::utils::document();
    if let Some(link) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        link.set_href(&url);
        link.set_download(file_name);
        link.click();
    }
}

/// Properties of [`ModelCardPanel`].
#[derive(Properties, PartialEq)]
pub struct ModelCardPanelProps {
    /// The card to show.
    pub card: std::rc::Rc<crate::models::ModelCard>,
}

/// The model card: data set and licence, size, the held-out metrics and how they were measured, the training
/// curve.
#[component]
pub fn ModelCardPanel(props: &ModelCardPanelProps) -> Html {
    let lang = use_lang();
    let t = i18n::shell::of(lang);
    let card = &props.card;
    let notes = card.metrics.iter().filter_map(|(key, value)| {
        let line = i18n::metrics::explain(key, lang).filter(|_| value.is_number())?;
        Some(html! { <li data-key={key.clone()}><span class="mono">{ key }</span>{ " — " }{ line }</li> })
    });
    let m = i18n::metrics::of(lang);
    // The card's prose is the trainer's English; the catalogue translates what it knows, and anything else is
    // shown as it is, marked English (and skipped by the e2e language checks).
    let prose = |english: &str| match i18n::cards::prose(english, lang) {
        Some(words) => html! { <span>{ words }</span> },
        None => html! { <span lang="en" data-i18n-skip="">{ english.to_owned() }</span> },
    };
    let metrics = card.metrics.iter().filter_map(|(key, value)| {
        let shown = match value {
            serde_json::Value::Number(n) => {
                html! { { format!("{:.4}", n.as_f64().unwrap_or(f64::NAN)) } }
            }
            serde_json::Value::String(s) if key != "how" => prose(s),
            _ => return None,
        };
        Some(
            html! { <><dt>{ key }</dt><dd class="metric" data-key={key.clone()}>{ shown }</dd></> },
        )
    });
    let how = card
        .metrics
        .get("how")
        .and_then(|h| h.as_str())
        .map(|h| html! { <p class="muted small">{ t.card_how }{ prose(h) }</p> });
    let wall = card
        .training
        .get("wall_time_s")
        .and_then(|s| s.as_f64())
        .map(|s| {
            let machine = card.training.get("machine").and_then(|m| m.as_str());
            fill(
                t.card_wall,
                &[
                    ("seconds", &i18n::number(s, 0)),
                    ("machine", machine.unwrap_or("?")),
                ],
            )
        });
    html! {
        <details class="model-card" open=true>
            <summary>{ fill(t.card_title, &[("name", &card.name)]) }</summary>
            <dl>
                <dt>{ t.card_data }</dt><dd>{ prose(&card.dataset_source) }</dd>
                <dt>{ t.card_licence }</dt><dd>{ prose(&card.license) }</dd>
                <dt>{ t.card_params }</dt><dd id="card-params">{ card.params.to_string() }</dd>
                { for wall.map(|w| html! { <><dt>{ t.card_training }</dt><dd>{ w }</dd></> }) }
                { for metrics }
            </dl>
            { for how }
            <h3 class="small">{ m.heading }</h3>
            <ul class="metric-notes small">{ for notes }</ul>
            <p class="small">{ m.objective }</p>
            <div class="formula">{ crate::math::formula(crate::math::OBJECTIVE) }</div>
            <Curve card={props.card.clone()} />
        </details>
    }
}

/// The training curve as a small SVG line chart: every numeric series of the card's curve against its x key.
#[component]
fn Curve(props: &ModelCardPanelProps) -> Html {
    let t = i18n::shell::of(use_lang());
    let curve = &props.card.curve;
    let Some(first) = curve.first() else {
        return html! {};
    };
    let x_key = if first.contains_key("step") {
        "step"
    } else {
        "epoch"
    };
    let series: Vec<&String> = first
        .iter()
        .filter(|(k, v)| k.as_str() != x_key && v.is_number())
        .map(|(k, _)| k)
        .collect();
    let point = |row: &serde_json::Map<String, serde_json::Value>, key: &str| {
        Some((row.get(x_key)?.as_f64()?, row.get(key)?.as_f64()?))
    };
    let all: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|k| curve.iter().filter_map(move |r| point(r, k)))
        .collect();
    let (x0, x1) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let (w, h, pad) = (320.0, 140.0, 6.0);
    let sx = |x: f64| pad + (x - x0) / (x1 - x0).max(1e-9) * (w - 2.0 * pad);
    let sy = |y: f64| h - pad - (y - y0) / (y1 - y0).max(1e-9) * (h - 2.0 * pad);
    let colours = ["#6cb4ff", "#ffb86c", "#50fa7b"];
    let lines = series.iter().enumerate().map(|(i, key)| {
        let points: String = curve
            .iter()
            .filter_map(|r| point(r, key))
            .map(|(x, y)| format!("{:.1},{:.1} ", sx(x), sy(y)))
            .collect();
        html! { <polyline points={points} fill="none" stroke={colours[i % 3]} stroke-width="2" /> }
    });
    let legend = series.iter().enumerate().map(|(i, key)| {
        html! { <span style={format!("color:{}", colours[i % 3])}>{ format!("— {key} ") }</span> }
    });
    html! {
        <figure class="curve">
            <svg width={w.to_string()} height={h.to_string()} viewBox={format!("0 0 {w} {h}")} role="img"
                aria-label={t.card_curve}>
                { for lines }
            </svg>
            <figcaption class="small">{ for legend }
                { format!(" ({x_key} {x0:.0}–{x1:.0}; y {y0:.3}–{y1:.3})") }</figcaption>
        </figure>
    }
}
