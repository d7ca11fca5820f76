//! The guided tours' steps, one list per page: which element each step points at and what it says.

use super::TourStep;
use crate::i18n::{texts, Lang};

texts! {
    /// The tours' words.
    TourTexts {
        /// VAE: the latent map.
        vae_map,
        /// VAE: the decoded image.
        vae_decoded,
        /// VAE: the test set's encodings.
        vae_scatter,
        /// VAE: the drawing pad.
        vae_draw,
        /// VAE: the ELBO terms.
        vae_elbo,
        /// VAE: the explainer.
        vae_explainer,
        /// VAE: interpolation.
        vae_interpolation,
        /// GAN: the grid.
        gan_grid,
        /// GAN: a new seed.
        gan_seed,
        /// GAN: truncation.
        gan_truncation,
        /// GAN: watch mode.
        gan_watch,
        /// GAN: the training timeline.
        gan_timeline,
        /// GAN: the explainer.
        gan_explainer,
        /// LM: the prompt.
        lm_prompt,
        /// LM: the chart.
        lm_chart,
        /// LM: temperature.
        lm_temperature,
        /// LM: top-k.
        lm_top_k,
        /// LM: the text.
        lm_text,
        /// LM: attention.
        lm_attention,
        /// LM: the explainer.
        lm_explainer,
    }
}

/// English.
pub const EN: TourTexts = TourTexts {
    vae_map: "This map is the VAE's two-dimensional latent space: every point z decodes to an image. Drag the \
              cursor across it and watch the digit change under it.",
    vae_decoded: "The decoder's picture of the cursor's z, redrawn as you move. Between two clusters you get \
                  blends: the latent space is continuous.",
    vae_scatter: "Show the test set: each dot is one test image's posterior mean, coloured by its class. Digits \
                  that look alike land near each other, though the model never saw a label.",
    vae_draw: "Draw a digit here. The encoder maps it to a point on the map (with its 1σ ellipse) and the decoder \
               rebuilds it beside your drawing.",
    vae_elbo: "The two ELBO terms for your input: the cost of reconstructing it and the KL cost of its code. A \
               scribble costs more to reconstruct than a tidy digit.",
    vae_explainer: "The formulas behind these numbers, filled with your input's values. Move β and watch the \
                    objective change while the model stays the same.",
    vae_interpolation: "Set two endpoints A and B and walk between them in latent space: each frame decodes one \
                        point on the line.",
    gan_grid: "Each tile is G(z) for one z drawn from the seed. Hover a tile for the classifier's guess and D's \
               score: how real the discriminator thinks it is.",
    gan_seed: "A new seed draws a new batch of z and a new grid. Keep the seed and the grid is the same on any \
               machine.",
    gan_truncation: "Truncation shrinks z towards 0: samples look cleaner and more alike. It buys quality with \
                     diversity.",
    gan_watch: "Watch mode walks z smoothly; the images change smoothly because G is a continuous function.",
    gan_timeline: "The training history: the same z through the generator's snapshots from the first step to the \
                   last. Noise first, then strokes, then digits.",
    gan_explainer: "The GAN's objective with this page's numbers: D's mean score on real test images next to its \
                    mean on the grid.",
    lm_prompt: "Type a prompt and press Start. For the Tang poet, Simplified characters are converted to the \
                Traditional script it learnt.",
    lm_chart: "The next-token distribution: grey bars are the model's own probabilities, blue ones after your \
               settings. Click a bar to take that token.",
    lm_temperature: "Set T to 0.3: the blue bars sharpen and the entropy falls. At T = 2 they flatten.",
    lm_top_k: "top-k keeps only the k most likely tokens; the cut ones turn grey and get probability 0.",
    lm_text: "The text so far: each generated token is coloured by the probability it had. Hover a token to see \
              it.",
    lm_attention: "Attention: how much the newest position looks at each earlier one, per layer and head.",
    lm_explainer: "The draw itself: the probabilities laid end to end, and the uniform number u that picks the \
                   next token.",
};

/// 中文.
pub const ZH: TourTexts = TourTexts {
    vae_map: "这张图是 VAE 的二维隐空间：每个点 z 都能解码成一张图像。拖动光标，看它下面的数字如何变化。",
    vae_decoded: "解码器为光标处的 z 画出的图像，随光标移动而重绘。在两个簇之间会得到两者的混合：隐空间是连续的。",
    vae_scatter: "显示测试集：每个点是一张测试图片的后验均值，按类别着色。相似的数字落在彼此附近，尽管模型从没见过标签。",
    vae_draw: "在这里画一个数字。编码器把它映射到图上的一个点（带 1σ 椭圆），解码器在旁边把它重建出来。",
    vae_elbo: "你的输入的两项 ELBO：重建它的代价，以及它的编码的 KL 代价。潦草的涂鸦比工整的数字更难重建。",
    vae_explainer: "这些数字背后的公式，填入了你的输入的数值。拖动 β，看目标函数如何变化，而模型保持不变。",
    vae_interpolation: "设定两个端点 A 和 B，在隐空间里沿直线从一个走到另一个：每一帧解码线上的一个点。",
    gan_grid: "每个格子是由种子抽出的某个 z 对应的 G(z)。把鼠标放在格子上，可以看到分类器的判断和 D 的打分：\
               判别器认为它有多真。",
    gan_seed: "换一个种子就会抽出一批新的 z，得到新的网格。种子不变，网格在任何机器上都一样。",
    gan_truncation: "截断把 z 向 0 收缩：样本更干净，也更相像。这是用多样性换质量。",
    gan_watch: "观看模式让 z 平滑地移动；因为 G 是连续函数，图像也随之平滑变化。",
    gan_timeline: "训练历程：同一个 z 经过生成器从第一步到最后一步的各个快照。先是噪声，然后是笔画，最后是数字。",
    gan_explainer: "用本页的数字写出的 GAN 目标函数：D 在真实测试图片上的平均分，和它在网格上的平均分并排对比。",
    lm_prompt: "输入提示词并点“开始”。对唐诗模型，简体字会先转换成它学过的繁体字。",
    lm_chart: "下一个词元的分布：灰色条是模型本身的概率，蓝色条是按你的设置调整后的概率。点一个条就取那个词元。",
    lm_temperature: "把 T 设为 0.3：蓝色条变得更尖锐，熵下降。T = 2 时它们变得平坦。",
    lm_top_k: "top-k 只保留最可能的 k 个词元；被截掉的变成灰色，概率为 0。",
    lm_text: "目前的文本：每个生成的词元按它当时的概率着色。把鼠标放在词元上即可看到。",
    lm_attention: "注意力：最新的位置对之前每个位置的关注程度，按层和注意力头分别显示。",
    lm_explainer: "采样本身：概率首尾相接铺开，由均匀数 u 选出下一个词元。",
};

/// The tour of `page` (`vae`, `gan`, `lm`) in `lang`.
pub fn steps(page: &str, lang: Lang) -> Vec<TourStep> {
    let t = of(lang);
    let list: &[(&'static str, &'static str)] = match page {
        "vae" => &[
            ("#latent-map", t.vae_map),
            ("#decoded", t.vae_decoded),
            ("#scatter-toggle", t.vae_scatter),
            ("#draw-canvas", t.vae_draw),
            (".encoded-panel", t.vae_elbo),
            ("#vae-explainer", t.vae_explainer),
            ("section.interpolation", t.vae_interpolation),
        ],
        "gan" => &[
            ("#gan-grid", t.gan_grid),
            ("#new-seed", t.gan_seed),
            ("#truncation", t.gan_truncation),
            ("#watch", t.gan_watch),
            ("#timeline", t.gan_timeline),
            ("#gan-explainer", t.gan_explainer),
        ],
        "lm" => &[
            ("#prompt", t.lm_prompt),
            ("#chart", t.lm_chart),
            ("#temperature", t.lm_temperature),
            ("#top-k", t.lm_top_k),
            ("#generated", t.lm_text),
            ("#attention", t.lm_attention),
            ("#lm-explainer", t.lm_explainer),
        ],
        _ => &[],
    };
    list.iter()
        .map(|&(target, text)| TourStep { target, text })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_are_complete_and_every_page_has_five_to_eight_steps() {
        for page in ["vae", "gan", "lm"] {
            for lang in Lang::ALL {
                let n = steps(page, lang).len();
                assert!((5..=8).contains(&n), "{page}: {n} steps");
            }
        }
    }
}
