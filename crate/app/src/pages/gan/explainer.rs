//! "How it works" for the GAN: the min-max objective V(D, G) estimated on this page — D's scores on real test
//! images beside its scores on the grid's samples — what D = ½ would mean, and mode collapse and truncation read
//! off the grid's own classes.

use std::rc::Rc;

use genscope_core::dataset::LabelledImages;
use yew::prelude::*;

use super::loader::LoadedGan;
use super::state::Judgement;
use super::texts;
use crate::i18n::{self, fill, texts, use_lang};
use crate::math;
use crate::models;
use crate::site::{Load, SiteContext};

/// Real test images D is shown, from the data set's committed subset.
pub const REAL_BATCH: usize = 64;

texts! {
    /// The GAN explainer's words.
    GanExplainerTexts {
        /// The panel's summary line.
        title,
        /// The game, before its formula.
        intro,
        /// Row: D on real images.
        d_real,
        /// Row: D on the grid.
        d_fake,
        /// Row: the estimate of V.
        value,
        /// While the real images are judged.
        judging,
        /// A data set without a test subset: `{dataset}`.
        no_subset,
        /// What the numbers mean.
        reading,
        /// Mode collapse and truncation, with `{covered}` classes and the top class's `{share}` %.
        diversity,
    }
}

/// English.
pub const EN: GanExplainerTexts = GanExplainerTexts {
    title: "How it works: the adversarial game",
    intro: "The discriminator D scores how likely an image is to be real; the generator G turns noise z into \
            images and is trained to make D wrong. D maximises V, G minimises it:",
    d_real: "mean D(x) on 64 real test images",
    d_fake: "mean D(G(z)) on the grid",
    value: "V(D, G) estimated from these scores",
    judging: "Scoring real test images…",
    no_subset: "{dataset} has no committed test images to score.",
    reading: "If G matched the data perfectly, the best D could do is answer ½ everywhere, and V would be −log 4 ≈ \
              −1.386. A D that tells the two apart gives high scores to real images, low ones to samples, and a \
              larger V.",
    diversity: "Mode collapse is G covering only a few kinds of image. The classifier reads this grid as {covered} \
                of 10 classes; the most common takes {share}%. Lower the truncation and watch the classes thin out: \
                cleaner samples, less variety.",
};

/// 中文.
pub const ZH: GanExplainerTexts = GanExplainerTexts {
    title: "原理：对抗博弈",
    intro: "判别器 D 给出一张图像为真的概率；生成器 G 把噪声 z 变成图像，训练目标是让 D 判断出错。D 最大化 V，G 最小化 V：",
    d_real: "64 张真实测试图片上 D(x) 的平均值",
    d_fake: "网格上 D(G(z)) 的平均值",
    value: "由这些分数估计的 V(D, G)",
    judging: "正在给真实测试图片打分…",
    no_subset: "{dataset} 没有可供打分的测试图片。",
    reading: "如果 G 完美地拟合了数据，D 最好也只能处处回答 ½，此时 V = −log 4 ≈ −1.386。能区分两者的 D 会给真实\
              图片高分、给样本低分，V 也随之变大。",
    diversity: "模式崩溃是指 G 只生成少数几类图像。分类器认为这个网格覆盖了 10 类中的 {covered} 类；最常见的一类占 \
                {share}%。调低截断值，看类别如何变少：样本更干净，但多样性更低。",
};

/// The estimate of V(D, G) = E_x[log D(x)] + E_z[log(1 − D(G(z)))] from D's scores on real images and on samples
/// (`None` without both).
pub fn value(d_real: &[f32], d_fake: &[f32]) -> Option<f64> {
    let mean_log = |scores: &[f32], f: fn(f64) -> f64| {
        scores
            .iter()
            .map(|&d| f(f64::from(d)).max(1e-12).ln())
            .sum::<f64>()
            / scores.len() as f64
    };
    (!d_real.is_empty() && !d_fake.is_empty())
        .then(|| mean_log(d_real, |d| d) + mean_log(d_fake, |d| 1.0 - d))
}

/// How many of the 10 classes the samples cover, and the most common class's share in percent.
pub fn coverage(judged: &[Judgement]) -> (usize, f64) {
    let mut counts = [0usize; 10];
    for &(class, _, _) in judged {
        if let Some(c) = counts.get_mut(class) {
            *c += 1;
        }
    }
    let covered = counts.iter().filter(|&&c| c > 0).count();
    let top = counts.iter().copied().max().unwrap_or(0);
    (covered, 100.0 * top as f64 / judged.len().max(1) as f64)
}

fn mean(values: &[f32]) -> f64 {
    values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len().max(1) as f64
}

/// Properties of [`GanExplainer`].
#[derive(Properties, PartialEq)]
pub struct GanExplainerProps {
    /// The loaded GAN (its critics score the real images).
    pub gan: Rc<LoadedGan>,
    /// The grid's labels and D scores.
    pub judged: Vec<Judgement>,
}

/// The panel.
#[component]
pub fn GanExplainer(props: &GanExplainerProps) -> Html {
    let lang = use_lang();
    let t = of(lang);
    let site = use_context::<SiteContext>().expect("SiteContext is provided by App");
    let real = use_state(|| None::<Result<Vec<f32>, String>>);
    // Real images are scored only once the visitor opens the panel (64 images through both critics is the
    // heaviest thing the page does after its grid), and again for a new model.
    let open = use_state(|| false);
    {
        let (real, gan) = (real.clone(), Rc::clone(&props.gan));
        use_effect_with((Rc::clone(&props.gan), *open), move |(_, open)| {
            real.set(None);
            if *open {
                wasm_bindgen_futures::spawn_local(async move {
                    real.set(Some(judge_real(&site, &gan, texts::of(lang)).await));
                });
            }
        });
    }
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            let details: web_sys::HtmlDetailsElement = e.target_unchecked_into();
            open.set(details.open());
        })
    };
    let d_fake: Vec<f32> = props.judged.iter().map(|&(_, _, d)| d).collect();
    let scores = match &*real {
        None if !*open => Html::default(),
        None => html! { <p class="muted">{ t.judging }</p> },
        Some(Err(e)) => html! { <p class="error-message">{ i18n::errors::say(e, lang) }</p> },
        Some(Ok(d_real)) => {
            let v = value(d_real, &d_fake);
            let joined = d_real
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(",");
            html! {
                <dl class="explainer-terms" id="gan-terms">
                    <dt>{ t.d_real }</dt>
                    <dd class="mono" id="gan-d-real" data-value={mean(d_real).to_string()} data-scores={joined}>
                        { format!("{:.3}", mean(d_real)) }</dd>
                    <dt>{ t.d_fake }</dt>
                    <dd class="mono" id="gan-d-fake" data-value={mean(&d_fake).to_string()}>{ format!("{:.3}", mean(&d_fake)) }</dd>
                    <dt>{ t.value }</dt>
                    <dd class="mono" id="gan-v" data-value={v.map_or(String::new(), |v| v.to_string())}>
                        { v.map_or("–".into(), |v| format!("{v:.3}")) }</dd>
                </dl>
            }
        }
    };
    let (covered, share) = coverage(&props.judged);
    html! {
        <details class="explainer" id="gan-explainer" {ontoggle}>
            <summary>{ t.title }</summary>
            <p>{ t.intro }</p>
            <div class="formula">{ math::formula(math::GAN_MINIMAX) }</div>
            { scores }
            <p class="small">{ t.reading }</p>
            <p id="gan-coverage" data-covered={covered.to_string()}>
                { fill(t.diversity, &[("covered", &covered.to_string()), ("share", &format!("{share:.0}"))]) }</p>
        </details>
    }
}

/// D's scores on the first [`REAL_BATCH`] images of the data set's committed test subset.
async fn judge_real(
    site: &SiteContext,
    gan: &LoadedGan,
    t: &'static texts::GanTexts,
) -> Result<Vec<f32>, String> {
    let Load::Ready(manifest) = &site.manifest else {
        return Err(t.assets_not_loaded.into());
    };
    let Some((images_path, labels_path)) = gan.card.dataset.eval_images() else {
        let words = of(i18n::current()).no_subset;
        return Err(fill(words, &[("dataset", gan.card.dataset.title())]));
    };
    let images = models::fetch_asset(manifest, &images_path).await?;
    let labels = models::fetch_asset(manifest, &labels_path).await?;
    let subset = LabelledImages::from_named_idx((&images_path, &images), (&labels_path, &labels))
        .map_err(|e| e.to_string())?;
    let pixels = subset.width * subset.height;
    let n = REAL_BATCH.min(subset.labels.len());
    let batch = subset
        .pixels
        .get(..n * pixels)
        .ok_or_else(|| images_path.clone())?;
    Ok(gan
        .judge(batch, t)
        .await?
        .into_iter()
        .map(|(_, _, d)| d)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_undecided_discriminator_gives_minus_log_four() {
        let v = value(&[0.5; 8], &[0.5; 8]).unwrap();
        assert!((v + 4f64.ln()).abs() < 1e-9, "{v}");
        assert!(
            value(&[0.9; 4], &[0.1; 4]).unwrap() > v,
            "a sharper D gives a larger V"
        );
        assert_eq!(value(&[], &[0.5]), None);
        assert_eq!(
            coverage(&[(1, 0.9, 0.5), (1, 0.8, 0.4), (7, 0.9, 0.5), (3, 0.7, 0.5)]),
            (3, 50.0)
        );
    }
}
