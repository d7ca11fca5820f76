//! "How it works" for the VAE: the ELBO with the current input's two terms and their sum, a β that reweighs the
//! objective (the model stays as trained), the reparameterisation behind the map's ellipse, and the closed-form
//! Gaussian KL summed dimension by dimension.

use std::rc::Rc;

use yew::prelude::*;

use super::elbo::Encoded;
use crate::i18n::{fill, texts, use_lang};
use crate::math;

texts! {
    /// The VAE explainer's words.
    VaeExplainerTexts {
        /// The panel's summary line.
        title,
        /// What the ELBO is, before its formula.
        intro,
        /// Before anything is encoded.
        encode_first,
        /// Row: the reconstruction term.
        reconstruction,
        /// Row: the KL term.
        kl,
        /// Row: β.
        beta,
        /// Row: the objective.
        objective,
        /// What β does here.
        beta_note,
        /// The reparameterisation, before its formula.
        reparam,
        /// The live reparameterisation: `{mu}`, `{sigma}`.
        reparam_live,
        /// The closed-form KL, before its formula.
        kl_intro,
        /// Table head: dimension.
        dimension,
        /// Table head: that dimension's KL term.
        term,
        /// Table foot: the sum.
        sum,
    }
}

/// English.
pub const EN: VaeExplainerTexts = VaeExplainerTexts {
    title: "How it works: the evidence lower bound",
    intro: "A VAE cannot compute log p(x) directly, so it maximises a lower bound on it, the ELBO: how well the \
            decoder rebuilds x from a code z drawn from the encoder's posterior q(z | x), minus how far that \
            posterior strays from the prior p(z) = N(0, I).",
    encode_first: "Draw a digit or pick a test image, and its two terms appear here.",
    reconstruction: "E_q[log p(x | z)] (at z = μ)",
    kl: "KL(q(z | x) ‖ p(z))",
    beta: "β",
    objective: "ELBO = reconstruction − β · KL",
    beta_note: "β only reweighs the number shown: the model was trained with β = 1 and stays as it is. A larger β \
                would have pushed training towards codes closer to the prior, at the cost of blurrier \
                reconstructions.",
    reparam: "Training needs a gradient through the random draw of z, so the draw is written as a shift and a \
              scale of fixed noise (the reparameterisation trick). On the map, the ellipse around the encoded \
              point is μ ± σ.",
    reparam_live: "For this input: μ = ({mu}), σ = ({sigma}).",
    kl_intro: "Between two Gaussians the KL term has a closed form, one term per latent dimension:",
    dimension: "dimension",
    term: "½(μ² + σ² − log σ² − 1)",
    sum: "sum = KL",
};

/// 中文.
pub const ZH: VaeExplainerTexts = VaeExplainerTexts {
    title: "原理：证据下界（ELBO）",
    intro: "VAE 无法直接计算 log p(x)，于是最大化它的一个下界 ELBO：从编码器的后验 q(z | x) 取一个隐编码 z，\
            看解码器重建 x 的好坏，再减去这个后验偏离先验 p(z) = N(0, I) 的程度。",
    encode_first: "画一个数字或选一张测试图片，这里就会显示它的两项数值。",
    reconstruction: "E_q[log p(x | z)]（取 z = μ）",
    kl: "KL(q(z | x) ‖ p(z))",
    beta: "β",
    objective: "ELBO = 重建项 − β · KL",
    beta_note: "β 只改变这里显示的数值：模型是用 β = 1 训练的，保持不变。若训练时用更大的 β，隐编码会更贴近先验，\
                代价是重建更模糊。",
    reparam: "训练需要让梯度穿过对 z 的随机采样，因此把采样写成对固定噪声的平移和缩放（重参数化技巧）。\
              在隐空间图上，编码点周围的椭圆就是 μ ± σ。",
    reparam_live: "对当前输入：μ = ({mu})，σ = ({sigma})。",
    kl_intro: "两个高斯分布之间的 KL 项有闭式解，每个隐维度一项：",
    dimension: "维度",
    term: "½(μ² + σ² − log σ² − 1)",
    sum: "求和 = KL",
};

/// The objective the panel shows: E_q[log p(x|z)] − β·KL, from the page's −log p(x|z) and KL in nats.
pub fn objective(reconstruction_nats: f64, kl_nats: f64, beta: f64) -> f64 {
    -reconstruction_nats - beta * kl_nats
}

/// Each latent dimension's share of the closed-form KL: ½(μ² + σ² − log σ² − 1).
pub fn kl_terms(mean: &[f32], log_var: &[f32]) -> Vec<f64> {
    mean.iter()
        .zip(log_var)
        .map(|(&m, &lv)| 0.5 * f64::from(m * m + lv.exp() - lv - 1.0))
        .collect()
}

/// Properties of [`VaeExplainer`].
#[derive(Properties, PartialEq)]
pub struct VaeExplainerProps {
    /// The encoded input, if any.
    pub encoded: Option<Rc<Encoded>>,
}

fn join(values: &[f32]) -> String {
    values
        .iter()
        .map(|v| format!("{v:.2}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The panel.
#[component]
pub fn VaeExplainer(props: &VaeExplainerProps) -> Html {
    let t = of(use_lang());
    let beta = use_state(|| 1.0f64);
    let live = props.encoded.as_ref().map(|e| {
        let value = objective(e.reconstruction_nats, e.kl_nats, *beta);
        let on_beta = {
            let beta = beta.clone();
            Callback::from(move |e: InputEvent| {
                let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                if let Ok(v) = input.value().parse::<f64>() {
                    beta.set(v.clamp(0.0, 4.0));
                }
            })
        };
        let terms = kl_terms(&e.mean, &e.log_var);
        let rows = terms.iter().enumerate().take(16).map(|(j, term)| {
            html! { <tr><td>{ j + 1 }</td><td class="mono">{ format!("{term:.3}") }</td></tr> }
        });
        let sigma = e.sigma();
        html! {
            <>
                <dl class="explainer-terms" id="vae-terms">
                    <dt>{ t.reconstruction }</dt>
                    <dd class="mono" id="explain-recon" data-value={(-e.reconstruction_nats).to_string()}>
                        { format!("{:.2} nats", -e.reconstruction_nats) }</dd>
                    <dt>{ t.kl }</dt>
                    <dd class="mono" id="explain-kl" data-value={e.kl_nats.to_string()}>{ format!("{:.2} nats", e.kl_nats) }</dd>
                    <dt><label for="explain-beta">{ t.beta }</label></dt>
                    <dd><input id="explain-beta" type="range" min="0" max="4" step="0.1" value={beta.to_string()}
                        oninput={on_beta} /><span class="mono">{ format!(" {:.1}", *beta) }</span></dd>
                    <dt>{ t.objective }</dt>
                    <dd class="mono" id="explain-objective" data-value={value.to_string()} data-beta={beta.to_string()}>
                        { format!("{value:.2} nats") }</dd>
                </dl>
                <p class="small muted">{ t.beta_note }</p>
                <p>{ t.reparam }</p>
                <div class="formula">{ math::formula(math::REPARAM) }</div>
                <p class="small">{ fill(t.reparam_live, &[("mu", &join(&e.mean)), ("sigma", &join(&sigma))]) }</p>
                <p>{ t.kl_intro }</p>
                <div class="formula">{ math::formula(math::GAUSSIAN_KL) }</div>
                <table class="kl-terms" id="kl-terms">
                    <thead><tr><th>{ t.dimension }</th><th>{ t.term }</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                    <tfoot><tr><th>{ t.sum }</th>
                        <td class="mono" id="kl-sum" data-value={terms.iter().sum::<f64>().to_string()}>
                            { format!("{:.3}", terms.iter().sum::<f64>()) }</td></tr></tfoot>
                </table>
            </>
        }
    });
    html! {
        <details class="explainer" id="vae-explainer" open=true>
            <summary>{ t.title }</summary>
            <p>{ t.intro }</p>
            <div class="formula">{ math::formula(math::ELBO) }</div>
            { live.unwrap_or_else(|| html! { <p class="muted">{ t.encode_first }</p> }) }
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::vae::elbo::kl_nats;

    #[test]
    fn the_terms_add_up_to_the_pages_kl_and_beta_reweighs_it() {
        let (mean, log_var) = ([0.5f32, -1.2, 0.0], [-0.3f32, 0.4, 0.0]);
        let terms = kl_terms(&mean, &log_var);
        assert!((terms.iter().sum::<f64>() - kl_nats(&mean, &log_var)).abs() < 1e-9);
        assert_eq!(terms[2], 0.0, "the prior itself costs nothing");
        assert_eq!(objective(90.0, 10.0, 1.0), -100.0);
        assert_eq!(objective(90.0, 10.0, 0.0), -90.0);
        assert_eq!(objective(90.0, 10.0, 2.5), -115.0);
    }
}
