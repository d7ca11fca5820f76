//! The encoded input beside its reconstruction, the posterior mean and σ, and the ELBO terms.

use std::rc::Rc;

use yew::prelude::*;

use super::decode::canvas;
use super::elbo::{nats, Encoded};
use crate::widgets::draw_gray;

#[derive(Properties, PartialEq)]
pub struct EncodedPanelProps {
    pub encoded: Option<Rc<Encoded>>,
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

/// The panel (a hint until something is encoded).
#[component]
pub fn EncodedPanel(props: &EncodedPanelProps) -> Html {
    let size = props.size.to_string();
    let Some(e) = props.encoded.clone() else {
        return html! {
            <div class="encoded-panel">
                <p class="muted">{ "Draw a digit or pick a test image to encode it." }</p>
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
    html! {
        <div class="encoded-panel">
            <div class="pair">
                <figure><canvas id="encode-input" ref={props.input_ref.clone()} width={size.clone()} height={size.clone()}
                    class="pixelated mid"></canvas><figcaption>{ "input" }</figcaption></figure>
                <figure><canvas id="reconstruction" ref={props.recon_ref.clone()} width={size.clone()} height={size}
                    class="pixelated mid"></canvas><figcaption>{ "reconstruction" }</figcaption></figure>
            </div>
            <p id="posterior" class="mono small" data-mean={mean.join(",")} data-source={e.source.clone()}>
                { format!("{}: posterior mean ({}), σ ({})", e.source, mean.join(", "), sigma.join(", ")) }
            </p>
            <button id="go-to-posterior" onclick={go}>{ "Move the cursor there" }</button>
            <dl id="elbo" class="elbo">
                <dt>{ "Reconstruction −log p(x|z)" }</dt><dd id="elbo-recon">{ nats(e.reconstruction_nats) }</dd>
                <dt>{ "KL(q(z|x) ‖ p(z))" }</dt><dd id="elbo-kl">{ nats(e.kl_nats) }</dd>
                <dt>{ "−ELBO (sum)" }</dt><dd id="elbo-total">{ nats(e.negative_elbo_nats()) }</dd>
            </dl>
            <p class="muted small">{ "Reconstruction term at z = posterior mean, Bernoulli likelihood with the input's intensities as targets; KL in closed form." }</p>
        </div>
    }
}
