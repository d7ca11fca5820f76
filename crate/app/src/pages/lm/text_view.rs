//! The text: prompt tokens plain, generated tokens coloured by the probability they had (hover for it and the
//! rank), forced tokens underlined; the running perplexity of the generated part.

use std::rc::Rc;

use genscope_core::script::ScriptMap;
use genscope_core::tokenizer::Tokenizer;
use yew::prelude::*;

use super::doc::Doc;
use super::texts::{self, LmTexts};
use crate::i18n::{fill, use_lang};
use crate::models::Shared;

/// The background hue of a generated token of probability `p`: red (unlikely) to green (likely), on a log scale
/// down to 1e-3.
pub fn hue(p: f32) -> f32 {
    ((p.max(1e-3).log10() + 3.0) / 3.0 * 120.0).clamp(0.0, 120.0)
}

/// Perplexity of the generated tokens from their model probabilities (`None` before the first).
pub fn perplexity(generated: &[f32]) -> Option<f64> {
    (!generated.is_empty()).then(|| {
        let nll: f64 = generated
            .iter()
            .map(|&p| -f64::from(p.max(1e-30)).ln())
            .sum::<f64>()
            / generated.len() as f64;
        nll.exp()
    })
}

/// "1 token generated", "3 tokens generated, 1 chosen by you (underlined)", in the words of `t`.
pub fn summary(t: &LmTexts, generated: usize, forced: usize) -> String {
    let template = if generated == 1 {
        t.generated_one
    } else {
        t.generated_many
    };
    let mut line = fill(template, &[("n", &generated.to_string())]);
    if forced > 0 {
        line += &fill(t.generated_forced, &[("forced", &forced.to_string())]);
    }
    line
}

/// Properties of [`GeneratedText`].
#[derive(Properties, PartialEq)]
pub struct GeneratedTextProps {
    /// The text.
    pub doc: Rc<Doc>,
    /// For the tokens' pieces.
    pub tokenizer: Shared<Tokenizer>,
    /// The model's script tables (the Tang model): the text can be shown in Simplified too.
    #[prop_or_default]
    pub script: Option<Shared<ScriptMap>>,
}

/// The coloured text, its script switch (the Tang model) and its summary line.
#[component]
pub fn GeneratedText(props: &GeneratedTextProps) -> Html {
    let t = texts::of(use_lang());
    // Only how the text is shown: the model reads and writes its own script whatever is chosen.
    let simplified = use_state(|| false);
    let unk = props.tokenizer.unknown();
    let shown_script = props.script.as_ref().filter(|_| *simplified);
    let spans = props.doc.tokens.iter().map(|token| {
        let piece = props.tokenizer.piece(token.id);
        let shown = match (token.id == unk, shown_script) {
            (true, _) => "⟨unk⟩".to_string(),
            (false, Some(script)) => script.0.from_model(piece).text,
            (false, None) => piece.to_string(),
        };
        match token.p_raw {
            None => html! { <span class={classes!("token", "prompt", (token.id == unk).then_some("unk"))}>{ shown }</span> },
            Some(p) => html! {
                <span class={classes!("token", "generated", token.forced.then_some("forced"))}
                    style={format!("background:hsla({:.0},70%,40%,0.55)", hue(p))}
                    data-p={format!("{p:e}")} data-rank={token.rank.unwrap_or(0).to_string()}
                    data-forced={token.forced.to_string()}
                    title={fill(t.token_tooltip, &[
                        ("p", &format!("{:.2}", p * 100.0)),
                        ("rank", &token.rank.unwrap_or(0).to_string()),
                        ("chosen", if token.forced { t.token_chosen } else { "" }),
                    ])}>
                    { shown }
                </span>
            },
        }
    });
    let generated = props.doc.generated();
    let forced = props.doc.tokens.iter().filter(|t| t.forced).count();
    let script_switch = props.script.as_ref().map(|_| {
        let choose = |to: bool| {
            let simplified = simplified.clone();
            Callback::from(move |_: MouseEvent| simplified.set(to))
        };
        html! {
            <div class="segmented small" role="group" aria-label={t.script_label}>
                <button id="script-traditional" aria-pressed={(!*simplified).to_string()}
                    onclick={choose(false)}>{ t.script_traditional }</button>
                <button id="script-simplified" aria-pressed={simplified.to_string()}
                    onclick={choose(true)}>{ t.script_simplified }</button>
            </div>
        }
    });
    html! {
        <div class="generated-wrap">
            { script_switch }
            <pre id="generated" class="text-view" lang={props.script.as_ref().map(|_| "zh")} data-script={if shown_script.is_some() { "simplified" } else { "model" }}>{ for spans }</pre>
            <p class="muted small">
                { summary(t, generated.len(), forced) }
                { t.perplexity }
                <span id="perplexity" class="mono">{ perplexity(&generated).map_or("–".to_string(), |p| format!("{p:.3}")) }</span>
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::super::texts::{EN, ZH};
    use super::*;

    #[test]
    fn one_token_is_singular() {
        assert_eq!(summary(&EN, 0, 0), "0 tokens generated");
        assert_eq!(summary(&EN, 1, 0), "1 token generated");
        assert_eq!(
            summary(&EN, 2, 1),
            "2 tokens generated, 1 chosen by you (underlined)"
        );
        assert_eq!(
            summary(&ZH, 2, 1),
            "已生成 2 个词元，其中 1 个由你选定（带下划线）"
        );
    }

    #[test]
    fn perplexity_and_colour_follow_the_probabilities() {
        assert_eq!(perplexity(&[]), None);
        assert!((perplexity(&[0.5, 0.5]).unwrap() - 2.0).abs() < 1e-9);
        assert!((perplexity(&[1.0]).unwrap() - 1.0).abs() < 1e-9);
        assert_eq!((hue(1.0), hue(1e-6)), (120.0, 0.0));
    }
}
