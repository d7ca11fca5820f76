//! "How it works" for the language model: the chain rule of probability with the generated text's running
//! log-likelihood and perplexity, softmax with temperature on the current top logits and what top-k and top-p
//! cut, and the draw itself: the next token's probabilities laid end to end in id order, and the uniform number the
//! seeded sampler will draw at this position landing in one token's segment (the token "Step" takes).

use std::rc::Rc;

use genscope_core::sampling::{ranking, softmax, Distribution, Draw, SamplingSettings};
use genscope_core::tokenizer::Tokenizer;
use yew::prelude::*;

use super::doc::{readable, sampler_at};
use crate::i18n::{fill, texts, use_lang};
use crate::math;
use crate::models::Shared;

texts! {
    /// The LM explainer's words.
    LmExplainerTexts {
        /// The panel's summary line.
        title,
        /// The chain rule, before its formula.
        chain,
        /// The running log-likelihood: `{n}` tokens, `{sum}` nats.
        running,
        /// Perplexity, before its formula.
        perplexity,
        /// The live perplexity: `{ppl}`.
        perplexity_live,
        /// Before any token is generated.
        nothing_yet,
        /// Softmax with temperature, before its formula.
        softmax,
        /// Table head: the token.
        token,
        /// Table head: its logit.
        logit,
        /// Table head: softmax at T.
        at_t,
        /// Table head: after top-k and top-p.
        after_cuts,
        /// What top-k keeps: `{k}`.
        top_k,
        /// What top-p keeps: `{p}`, `{n}` tokens.
        top_p,
        /// No cut.
        no_cut,
        /// The draw, before its strip.
        draw,
        /// The live draw: `{u}`, `{token}`, `{start}`, `{end}`.
        draw_live,
        /// In greedy mode.
        greedy,
    }
}

/// English.
pub const EN: LmExplainerTexts = LmExplainerTexts {
    title: "How it works: one token at a time",
    chain: "An autoregressive model writes the probability of a whole text as a product of next-token \
            probabilities, each given everything before it. Training maximises the log of this product over the \
            training text; generating draws one token at a time from it.",
    running: "The {n} generated tokens so far have log-likelihood Σ log p = {sum} nats under the model (T = 1).",
    perplexity: "Perplexity turns the mean negative log-likelihood back into a number of choices: a model that \
                 hesitated evenly between 5 tokens at every step has perplexity 5.",
    perplexity_live: "Here: perplexity = {ppl}.",
    nothing_yet: "Generate a token and its probability joins the sum.",
    softmax: "The model outputs one logit l per token. Dividing by the temperature T before the softmax sharpens \
              the distribution (T < 1) or flattens it (T > 1); top-k and top-p then cut the unlikely tail and the \
              rest is renormalised. The current top candidates:",
    token: "token",
    logit: "logit l",
    at_t: "softmax(l/T)",
    after_cuts: "after top-k/top-p",
    top_k: "top-k = {k}: only the {k} most likely tokens stay.",
    top_p: "top-p = {p}: the smallest set of most likely tokens whose mass reaches {p} stays ({n} tokens).",
    no_cut: "No top-k or top-p cut: every token keeps its share.",
    draw: "The draw: lay the final probabilities end to end on [0, 1] in token-id order, draw a uniform number u \
           from the seeded ChaCha8 stream of this position, and take the token whose segment u lands in.",
    draw_live: "u = {u} lands in the segment of {token}, [{start}, {end}): that is the token Step takes.",
    greedy: "Greedy decoding: no draw, the most likely token is taken.",
};

/// 中文.
pub const ZH: LmExplainerTexts = LmExplainerTexts {
    title: "原理：一次一个词元",
    chain: "自回归模型把整段文本的概率写成一串“下一个词元”概率的乘积，每一项都以前面所有词元为条件。\
            训练时在训练文本上最大化这个乘积的对数；生成时按它一次采样一个词元。",
    running: "目前生成的 {n} 个词元在模型下（T = 1）的对数似然 Σ log p = {sum} nats。",
    perplexity: "困惑度把平均负对数似然换算回“可选项的个数”：如果模型每一步都在 5 个词元之间平均犹豫，困惑度就是 5。",
    perplexity_live: "当前：困惑度 = {ppl}。",
    nothing_yet: "生成一个词元，它的概率就会加入求和。",
    softmax: "模型为每个词元输出一个 logit l。在 softmax 之前除以温度 T：T < 1 让分布更尖锐，T > 1 让它更平坦；\
              然后 top-k 与 top-p 截掉不太可能的长尾，剩下的重新归一化。当前排名靠前的候选：",
    token: "词元",
    logit: "logit l",
    at_t: "softmax(l/T)",
    after_cuts: "经 top-k/top-p 之后",
    top_k: "top-k = {k}：只保留最可能的 {k} 个词元。",
    top_p: "top-p = {p}：保留概率和达到 {p} 的最小一组最可能的词元（{n} 个）。",
    no_cut: "没有 top-k 或 top-p 截断：每个词元都保留自己的份额。",
    draw: "采样：把最终的概率按词元编号顺序首尾相接铺在 [0, 1] 上，从这个位置的带种子 ChaCha8 随机流中抽一个\
           均匀数 u，取 u 落入其区间的那个词元。",
    draw_live: "u = {u} 落在 {token} 的区间 [{start}, {end}) 内：这就是“下一步”会取的词元。",
    greedy: "贪心解码：不采样，直接取最可能的词元。",
};

/// Σ log p of the generated tokens and their perplexity exp(−mean) (`None` before the first).
pub fn log_likelihood(generated: &[f32]) -> Option<(f64, f64)> {
    (!generated.is_empty()).then(|| {
        let sum: f64 = generated
            .iter()
            .map(|&p| f64::from(p.max(1e-30)).ln())
            .sum();
        (sum, (-sum / generated.len() as f64).exp())
    })
}

/// The next draw at `position` for `seed` from the processed distribution: the same stream "Step" uses.
pub fn next_draw(seed: u64, position: usize, processed: &[f32]) -> Draw {
    sampler_at(seed, position).draw(processed)
}

/// Properties of [`LmExplainer`].
#[derive(Properties, PartialEq)]
pub struct LmExplainerProps {
    /// The next-token distribution after the settings.
    pub dist: Rc<Distribution>,
    /// The logits it came from.
    pub logits: Rc<Vec<f32>>,
    /// Text ↔ ids.
    pub tokenizer: Shared<Tokenizer>,
    /// The sampling settings.
    pub settings: SamplingSettings,
    /// The sampling seed.
    pub seed: u64,
    /// The position of the next token (the text's length).
    pub position: usize,
    /// The model's probabilities (T = 1) of the generated tokens.
    pub generated: Vec<f32>,
}

/// The panel.
#[component]
pub fn LmExplainer(props: &LmExplainerProps) -> Html {
    let t = of(use_lang());
    let d = &props.dist;
    let piece = |id: usize| readable(props.tokenizer.piece(id as u32));
    let running = match log_likelihood(&props.generated) {
        Some((sum, ppl)) => html! {
            <>
                <p id="explain-loglik" data-value={sum.to_string()} data-n={props.generated.len().to_string()}>
                    { fill(t.running, &[("n", &props.generated.len().to_string()), ("sum", &format!("{sum:.3}"))]) }</p>
                <p>{ t.perplexity }</p>
                <div class="formula">{ math::formula(math::PERPLEXITY) }</div>
                <p id="explain-ppl" data-value={ppl.to_string()}>{ fill(t.perplexity_live, &[("ppl", &format!("{ppl:.3}"))]) }</p>
            </>
        },
        None => html! { <p class="muted">{ t.nothing_yet }</p> },
    };
    let order = ranking(&d.raw);
    let scaled: Vec<f32> = props
        .logits
        .iter()
        .map(|l| l / props.settings.temperature)
        .collect();
    let at_t = softmax(&scaled).unwrap_or_default();
    let rows = order.iter().take(5).map(|&i| {
        html! {
            <tr data-id={i.to_string()}>
                <td class="mono" data-i18n-skip="true">{ piece(i) }</td>
                <td class="mono">{ format!("{:.3}", props.logits.get(i).copied().unwrap_or(f32::NAN)) }</td>
                <td class="mono" data-value={at_t.get(i).copied().unwrap_or(0.0).to_string()}>
                    { format!("{:.4}", at_t.get(i).copied().unwrap_or(0.0)) }</td>
                <td class="mono" data-value={d.processed[i].to_string()}>{ format!("{:.4}", d.processed[i]) }</td>
            </tr>
        }
    });
    let kept = d.processed.iter().filter(|&&p| p > 0.0).count();
    let cuts = match (
        props.settings.top_k,
        props.settings.top_p.filter(|p| *p < 1.0),
    ) {
        (None, None) => html! { <p class="small">{ t.no_cut }</p> },
        (k, p) => html! {
            <>
                { for k.map(|k| html! { <p class="small">{ fill(t.top_k, &[("k", &k.to_string())]) }</p> }) }
                { for p.map(|p| html! { <p class="small">{ fill(t.top_p, &[("p", &format!("{p:.2}")), ("n", &kept.to_string())]) }</p> }) }
            </>
        },
    };
    let draw = if props.settings.greedy {
        html! { <p id="explain-draw" data-greedy="true">{ t.greedy }</p> }
    } else {
        let draw = next_draw(props.seed, props.position, &d.processed);
        let (start, end) = draw.segment;
        // Segments in id order, as the sampler walks them; only tokens with any mass have width.
        let mut at = 0.0f32;
        let segments = d.processed.iter().enumerate().filter(|(_, &p)| p > 0.0).map(|(i, &p)| {
            let x = at;
            at += p;
            let chosen = i == draw.index;
            html! {
                <rect class={classes!("segment", chosen.then_some("chosen"))} data-id={i.to_string()}
                    data-start={x.to_string()} data-width={p.to_string()}
                    x={format!("{:.4}", x * 1000.0)} y="4" width={format!("{:.4}", (p * 1000.0).max(0.2))} height="24" />
            }
        }).collect::<Html>();
        html! {
            <>
                <svg class="draw-strip" id="draw-strip" viewBox="0 0 1000 32" preserveAspectRatio="none" role="img"
                    aria-label={t.draw} data-u={draw.u.to_string()} data-id={draw.index.to_string()}
                    data-start={start.to_string()} data-end={end.to_string()}>
                    { segments }
                    <line class="draw-u" x1={format!("{:.2}", draw.u * 1000.0)} x2={format!("{:.2}", draw.u * 1000.0)} y1="0" y2="32" />
                </svg>
                <p id="explain-draw" class="small">
                    { fill(t.draw_live, &[("u", &format!("{:.4}", draw.u)), ("token", &format!("“{}”", piece(draw.index))),
                        ("start", &format!("{start:.4}")), ("end", &format!("{end:.4}"))]) }</p>
            </>
        }
    };
    html! {
        <details class="explainer" id="lm-explainer" open=true>
            <summary>{ t.title }</summary>
            <p>{ t.chain }</p>
            <div class="formula">{ math::formula(math::AR_FACTORISATION) }</div>
            { running }
            <p>{ t.softmax }</p>
            <div class="formula">{ math::formula(math::SOFTMAX_T) }</div>
            <table class="softmax-table" id="softmax-table">
                <thead><tr><th>{ t.token }</th><th>{ t.logit }</th><th>{ t.at_t }</th><th>{ t.after_cuts }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            { cuts }
            <p>{ t.draw }</p>
            { draw }
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_running_sum_and_perplexity_follow_the_probabilities() {
        assert_eq!(log_likelihood(&[]), None);
        let (sum, ppl) = log_likelihood(&[0.5, 0.25]).unwrap();
        assert!((sum - (0.5f64.ln() + 0.25f64.ln())).abs() < 1e-9);
        assert!((ppl - 8f64.sqrt()).abs() < 1e-9, "{ppl}");
    }

    #[test]
    fn the_previewed_draw_is_the_token_step_takes() {
        let processed = [0.1f32, 0.0, 0.6, 0.3];
        for seed in 0..20 {
            let draw = next_draw(seed, 7, &processed);
            assert_eq!(draw.index, sampler_at(seed, 7).sample(&processed));
            assert_ne!(draw.index, 1, "a cut token is never drawn");
        }
    }
}
