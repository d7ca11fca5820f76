//! The encoded input beside its reconstruction, the posterior mean and σ, and the ELBO terms.

use std::rc::Rc;

use yew::prelude::*;

use super::decode::canvas;
use super::elbo::{nats, Encoded, Source};
use super::texts::{self, VaeTexts};
use crate::i18n::{fill, use_lang};
use crate::widgets::draw_gray;

#[derive(Properties, PartialEq)]
pub struct EncodedPanelProps {
    pub encoded: Option<Rc<Encoded>>,
    /// The data set's class names in the page's language, by label.
    pub names: Vec<&'static str>,
    pub input_ref: NodeRef,
    pub recon_ref: NodeRef,
    pub size: usize,
    pub on_move: Callback<(Vec<f32>, f64)>,
}

/// Draws the encoded input and its reconstruction (`width × height`) onto their canvases.
pub fn draw_encoded(e: &Encoded, input_ref: &NodeRef, recon_ref: &NodeRef, size: (usize, usize)) {
    if let Some(c) = canvas(input_ref) {
        draw_gray(&c, &e.input, size.0, size.1, 0.0, 0.0);
    }
    if let Some(c) = canvas(recon_ref) {
        draw_gray(&c, &e.reconstruction, size.0, size.1, 0.0, 0.0);
    }
}

/// What was encoded, in `t`'s language ("your drawing", "test image #3 (3)"); `names` are the class names.
pub fn source_text(source: &Source, names: &[&str], t: &VaeTexts) -> String {
    match source {
        Source::Drawing => t.source_drawing.to_string(),
        Source::TestImage { index, label } => fill(
            t.source_test_image,
            &[
                ("index", &index.to_string()),
                ("label", names.get(*label).copied().unwrap_or("?")),
            ],
        ),
    }
}

/// The panel (a hint until something is encoded).
#[component]
pub fn EncodedPanel(props: &EncodedPanelProps) -> Html {
    let t = texts::of(use_lang());
    let size = props.size.to_string();
    let Some(e) = props.encoded.clone() else {
        return html! {
            <div class="encoded-panel">
                <p class="muted">{ t.encoded_hint }</p>
                <canvas ref={props.input_ref.clone()} width={size.clone()} height={size.clone()} hidden=true></canvas>
                <canvas ref={props.recon_ref.clone()} width={size.clone()} height={size} hidden=true></canvas>
            </div>
        };
    };
    let mean = e.mean.iter().map(|v| format!("{v:.3}")).collect::<Vec<_>>();
    let sigma = e
        .sigma()
        .iter()
        .map(|v| format!("{v:.3}"))
        .collect::<Vec<_>>();
    let go = {
        let (on_move, mean) = (props.on_move.clone(), e.mean.clone());
        Callback::from(move |_| on_move.emit((mean.clone(), 0.0)))
    };
    let source = source_text(&e.source, &props.names, t);
    let posterior = fill(
        t.posterior,
        &[
            ("source", &source),
            ("mean", &mean.join(", ")),
            ("sigma", &sigma.join(", ")),
        ],
    );
    html! {
        <div class="encoded-panel">
            <div class="pair">
                <figure><canvas id="encode-input" ref={props.input_ref.clone()} width={size.clone()} height={size.clone()}
                    class="pixelated mid"></canvas><figcaption>{ t.input }</figcaption></figure>
                <figure><canvas id="reconstruction" ref={props.recon_ref.clone()} width={size.clone()} height={size}
                    class="pixelated mid"></canvas><figcaption>{ t.reconstruction }</figcaption></figure>
            </div>
            <p id="posterior" class="mono small" data-mean={mean.join(",")} data-source={source}>
                { posterior }
            </p>
            <button id="go-to-posterior" onclick={go}>{ t.go_to_posterior }</button>
            <dl id="elbo" class="elbo">
                <dt>{ t.elbo_recon }</dt><dd id="elbo-recon">{ nats(e.reconstruction_nats) }</dd>
                <dt>{ t.elbo_kl }</dt><dd id="elbo-kl">{ nats(e.kl_nats) }</dd>
                <dt>{ t.elbo_total }</dt><dd id="elbo-total">{ nats(e.negative_elbo_nats()) }</dd>
            </dl>
            <p class="muted small">{ t.elbo_note }</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_reads_as_the_tests_expect() {
        let names = ["zero", "one"];
        let t = &texts::EN;
        assert_eq!(source_text(&Source::Drawing, &names, t), "your drawing");
        let image = Source::TestImage { index: 7, label: 1 };
        assert_eq!(source_text(&image, &names, t), "test image #7 (one)");
        let unknown = Source::TestImage { index: 3, label: 9 };
        assert_eq!(source_text(&unknown, &names, t), "test image #3 (?)");
        assert_eq!(
            source_text(&image, &names, &texts::ZH),
            "测试图像 #7（one）"
        );
    }
}
