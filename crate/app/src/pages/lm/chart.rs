//! The next-token chart: the top candidates as bars, the model's own probability (temperature 1) against the
//! probability after the current settings; click a candidate to take it.

use std::rc::Rc;

use genscope_core::sampling::{Distribution, SamplingSettings};
use genscope_core::tokenizer::Tokenizer;
use yew::prelude::*;

use super::doc::readable;
use super::texts;
use crate::i18n::{fill, use_lang};
use crate::models::Shared;

/// Candidates drawn in the chart.
pub const CHART_ROWS: usize = 20;

/// Properties of [`Chart`].
#[derive(Properties, PartialEq)]
pub struct ChartProps {
    /// The next-token distribution, before and after the settings.
    pub dist: Rc<Distribution>,
    /// For the candidates' pieces.
    pub tokenizer: Shared<Tokenizer>,
    /// A candidate clicked.
    pub on_take: Callback<u32>,
    /// The distribution's entropy (nats).
    pub entropy: f32,
    /// The text's length, for tests (`data-position`).
    pub position: usize,
    /// The doc's revision, for tests (`data-revision`).
    pub revision: u64,
    /// The model's name, for tests (`data-model`).
    pub model: String,
    /// The sampling settings, for the top-k / top-p cut line.
    #[prop_or_default]
    pub settings: SamplingSettings,
}

/// The cut line's label and the number of rows above it: where top-k / top-p stop keeping tokens, if they cut
/// anything among `shown` rows (`kept` tokens have probability above 0 after the settings).
pub fn cut_line(settings: &SamplingSettings, kept: usize, shown: usize) -> Option<(String, usize)> {
    let mut parts = Vec::new();
    if let Some(k) = settings.top_k {
        parts.push(format!("top-k = {k}"));
    }
    if let Some(p) = settings.top_p.filter(|p| *p < 1.0) {
        parts.push(format!("top-p = {p:.2}"));
    }
    (!parts.is_empty() && !settings.greedy && kept < shown).then(|| (parts.join(" · "), kept))
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
    let t = texts::of(use_lang());
    let d = &props.dist;
    let order = d.ranking();
    let shown: Vec<usize> = order.iter().take(CHART_ROWS).copied().collect();
    let (rest_raw, rest_processed) = rest_mass(d, &order);
    let max = shown
        .iter()
        .map(|&i| d.raw[i].max(d.processed[i]))
        .fold(0.0f32, f32::max)
        .max(1e-6);
    let kept = d.processed.iter().filter(|&&p| p > 0.0).count();
    let cut_at = cut_line(&props.settings, kept, shown.len());
    let rows = shown.iter().enumerate().map(|(rank, &i)| {
        let (raw, processed) = (d.raw[i], d.processed[i]);
        let cut = processed == 0.0;
        let on_take = props.on_take.clone();
        let piece = props.tokenizer.piece(i as u32);
        html! {
            <>
            <button class={classes!("candidate", cut.then_some("cut"))} data-id={i.to_string()} data-piece={piece.to_string()}
                data-rank={(rank + 1).to_string()} data-raw={format!("{raw:e}")} data-processed={format!("{processed:e}")}
                title={fill(t.chart_tooltip, &[
                    ("id", &i.to_string()),
                    ("piece", &format!("{piece:?}")),
                    ("raw", &format!("{:.2}", raw * 100.0)),
                    ("processed", &format!("{:.2}", processed * 100.0)),
                    ("cut", if cut { t.chart_cut } else { "" }),
                ])}
                onclick={move |_| on_take.emit(i as u32)}>
                <span class="piece mono">{ readable(piece) }</span>
                <span class="bars">
                    <span class="bar raw" style={format!("width:{:.2}%", raw / max * 100.0)}></span>
                    <span class="bar processed" style={format!("width:{:.2}%", processed / max * 100.0)}></span>
                </span>
                <span class="prob mono">{ format!("{:5.1}% → {:5.1}%", raw * 100.0, processed * 100.0) }</span>
            </button>
            { for cut_at.as_ref().filter(|(_, after)| *after == rank + 1).map(|(label, after)| html! {
                <div class="cut-line" data-after={after.to_string()}><span class="mono small">{ label }</span></div>
            }) }
            </>
        }
    });
    html! {
        <div id="chart" class="chart" data-position={props.position.to_string()}
            data-revision={props.revision.to_string()} data-model={props.model.clone()}>
            <h2>{ t.chart_title }</h2>
            <p class="muted small">{ t.chart_hint }</p>
            { for rows }
            <div class="candidate rest" data-raw={format!("{rest_raw:e}")} data-processed={format!("{rest_processed:e}")}>
                <span class="piece muted">{ fill(t.chart_others, &[("n", &order.len().saturating_sub(CHART_ROWS).to_string())]) }</span>
                <span class="bars"></span>
                <span class="prob mono">{ format!("{:5.1}% → {:5.1}%", rest_raw * 100.0, rest_processed * 100.0) }</span>
            </div>
            <p class="small">{ t.entropy }<span id="entropy" class="mono">{ format!("{:.3}", props.entropy) }</span>{ t.nats }</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cut_line_sits_where_the_settings_stop_keeping_tokens() {
        let top_k = SamplingSettings {
            top_k: Some(5),
            ..SamplingSettings::default()
        };
        assert_eq!(cut_line(&top_k, 5, 20), Some(("top-k = 5".to_string(), 5)));
        assert_eq!(cut_line(&top_k, 20, 20), None, "nothing shown is cut");
        let both = SamplingSettings {
            top_p: Some(0.9),
            ..top_k
        };
        assert_eq!(
            cut_line(&both, 3, 20).map(|c| c.0),
            Some("top-k = 5 · top-p = 0.90".to_string())
        );
        assert_eq!(cut_line(&SamplingSettings::default(), 20, 20), None);
    }
}
