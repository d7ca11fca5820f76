//! The next-token chart: the top candidates as bars, the model's own probability (temperature 1) against the
//! probability after the current settings; click a candidate to take it.

use std::rc::Rc;

use genscope_core::sampling::Distribution;
use genscope_core::tokenizer::Tokenizer;
use yew::prelude::*;

use super::doc::readable;
use crate::models::Shared;

/// Candidates drawn in the chart.
pub const CHART_ROWS: usize = 20;

#[derive(Properties, PartialEq)]
pub struct ChartProps {
    pub dist: Rc<Distribution>,
    pub tokenizer: Shared<Tokenizer>,
    pub on_take: Callback<u32>,
    pub entropy: f32,
    pub position: usize,
    pub revision: u64,
    pub model: String,
}

/// The rest of the vocabulary beyond the shown rows: (model mass, mass after the settings), so the rows sum to 1.
pub fn rest_mass(d: &Distribution, order: &[usize]) -> (f32, f32) {
    let rest = order.iter().skip(CHART_ROWS);
    let raw = rest.clone().map(|&i| d.raw[i]).sum();
    let processed = rest.map(|&i| d.processed[i]).sum();
    (raw, processed)
}

/// The top candidates as bars; cut candidates are greyed. The last row holds the mass of all other tokens.
#[component]
pub fn Chart(props: &ChartProps) -> Html {
    let d = &props.dist;
    let order = d.ranking();
    let shown: Vec<usize> = order.iter().take(CHART_ROWS).copied().collect();
    let (rest_raw, rest_processed) = rest_mass(d, &order);
    let max = shown
        .iter()
        .map(|&i| d.raw[i].max(d.processed[i]))
        .fold(0.0f32, f32::max)
        .max(1e-6);
    let rows = shown.iter().enumerate().map(|(rank, &i)| {
        let (raw, processed) = (d.raw[i], d.processed[i]);
        let cut = processed == 0.0;
        let on_take = props.on_take.clone();
        let piece = props.tokenizer.piece(i as u32);
        html! {
            <button class={classes!("candidate", cut.then_some("cut"))} data-id={i.to_string()} data-piece={piece.to_string()}
                data-rank={(rank + 1).to_string()} data-raw={format!("{raw:e}")} data-processed={format!("{processed:e}")}
                title={format!("token {i} {:?}: model {:.2}%, after settings {:.2}%{}", piece, raw * 100.0, processed * 100.0,
                    if cut { " (cut)" } else { "" })}
                onclick={move |_| on_take.emit(i as u32)}>
                <span class="piece mono">{ readable(piece) }</span>
                <span class="bars">
                    <span class="bar raw" style={format!("width:{:.2}%", raw / max * 100.0)}></span>
                    <span class="bar processed" style={format!("width:{:.2}%", processed / max * 100.0)}></span>
                </span>
                <span class="prob mono">{ format!("{:5.1}% → {:5.1}%", raw * 100.0, processed * 100.0) }</span>
            </button>
        }
    });
    html! {
        <div id="chart" class="chart" data-position={props.position.to_string()}
            data-revision={props.revision.to_string()} data-model={props.model.clone()}>
            <h2>{ "Next token" }</h2>
            <p class="muted small">{ "Grey bar: the model (temperature 1). Blue bar: after temperature, top-k, top-p. Click a candidate to take it." }</p>
            { for rows }
            <div class="candidate rest" data-raw={format!("{rest_raw:e}")} data-processed={format!("{rest_processed:e}")}>
                <span class="piece muted">{ format!("{} others", order.len().saturating_sub(CHART_ROWS)) }</span>
                <span class="bars"></span>
                <span class="prob mono">{ format!("{:5.1}% → {:5.1}%", rest_raw * 100.0, rest_processed * 100.0) }</span>
            </div>
            <p class="small">{ "Entropy: " }<span id="entropy" class="mono">{ format!("{:.3}", props.entropy) }</span>{ " nats" }</p>
        </div>
    }
}
