//! The latest token's attention over the context, for one layer and head: each context token shaded by its weight.

use genscope_core::tokenizer::Tokenizer;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::doc::{readable, Attention};
use super::texts;
use crate::i18n::use_lang;
use crate::models::Shared;

/// Properties of [`AttentionView`].
#[derive(Properties, PartialEq)]
pub struct AttentionProps {
    /// The latest token's attention, per layer and head.
    pub attention: Attention,
    /// The context's tokens.
    pub window: Vec<u32>,
    /// For the tokens' pieces.
    pub tokenizer: Shared<Tokenizer>,
    /// The layer chosen.
    pub layer: usize,
    /// The head chosen.
    pub head: usize,
    /// Another layer.
    pub on_layer: Callback<usize>,
    /// Another head.
    pub on_head: Callback<usize>,
}

/// The layer and head shown: the chosen ones, within what the model has.
pub fn shown(attention: &[Vec<Vec<f32>>], layer: usize, head: usize) -> (usize, usize) {
    let layers = attention.len();
    let heads = attention.first().map_or(0, Vec::len);
    (
        layer.min(layers.saturating_sub(1)),
        head.min(heads.saturating_sub(1)),
    )
}

/// The heatmap with its layer and head pickers.
#[component]
pub fn AttentionView(props: &AttentionProps) -> Html {
    let t = texts::of(use_lang());
    let layers = props.attention.len();
    let heads = props.attention.first().map_or(0, Vec::len);
    let (layer, head) = shown(&props.attention, props.layer, props.head);
    let Some(weights) = props.attention.get(layer).and_then(|l| l.get(head)) else {
        return html! {};
    };
    let picker = |id: &'static str, n: usize, current: usize, cb: &Callback<usize>| {
        let cb = cb.clone();
        let onchange = Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                cb.emit(s.value().parse().unwrap_or(0));
            }
        });
        html! {
            <select {id} {onchange}>
                { for (0..n).map(|i| html! { <option value={i.to_string()} selected={i == current}>{ i + 1 }</option> }) }
            </select>
        }
    };
    let max = weights.iter().copied().fold(0.0f32, f32::max).max(1e-6);
    let cells = props.window.iter().zip(weights.iter()).map(|(&id, &w)| {
        let piece = props.tokenizer.piece(id);
        html! {
            <span class="attn-cell mono" data-w={format!("{w:e}")}
                style={format!("background:rgba(108,180,255,{:.3})", w / max)}
                title={format!("{:?}: {:.2}%", piece, w * 100.0)}>{ readable(piece) }</span>
        }
    });
    html! {
        <section id="attention" class="attention">
            <h2>{ t.attention_title }</h2>
            <div class="toolbar small">
                <label>{ t.layer }{ picker("attn-layer", layers, layer, &props.on_layer) }</label>
                <label>{ t.head }{ picker("attn-head", heads, head, &props.on_head) }</label>
                <span class="muted">{ t.attention_hint }</span>
            </div>
            <div class="attn-row">{ for cells }</div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layer_and_head_stay_within_the_model() {
        let attention = vec![vec![vec![1.0]; 4]; 2];
        assert_eq!(shown(&attention, 1, 3), (1, 3));
        assert_eq!(shown(&attention, 5, 9), (1, 3));
        assert_eq!(shown(&[], 2, 2), (0, 0));
    }
}
