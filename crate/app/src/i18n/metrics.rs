//! One line per model-card metric: what the number is and which way is better, in both languages.

use super::{texts, Lang};

texts! {
    /// The metrics' explanations.
    MetricTexts {
        /// Above the list.
        heading,
        /// The training objective, before its formula.
        objective,
        /// `test_elbo_nats`.
        test_elbo_nats,
        /// `iwae_nll_nats`.
        iwae_nll_nats,
        /// `val_nats_per_char`.
        val_nats_per_char,
        /// `val_bits_per_char`.
        val_bits_per_char,
        /// `val_perplexity`.
        val_perplexity,
        /// `unknown_fraction`.
        unknown_fraction,
        /// `fid`.
        fid,
        /// `fid_floor`.
        fid_floor,
        /// `precision`.
        precision,
        /// `recall`.
        recall,
        /// `mean_confidence`.
        mean_confidence,
        /// `class_coverage`.
        class_coverage,
        /// `d_real_mean`.
        d_real_mean,
        /// `d_fake_mean`.
        d_fake_mean,
        /// `test_accuracy`.
        test_accuracy,
        /// `form_5_or_7_share`.
        form_5_or_7_share,
    }
}

/// English.
pub const EN: MetricTexts = MetricTexts {
    heading: "What the numbers mean",
    objective: "Every model here was trained towards the same goal, the mean log-likelihood of its training data \
                (a GAN only indirectly, through its discriminator); the curve shows the held-out figure falling as \
                it learnt.",
    test_elbo_nats: "−ELBO on the test images, in nats per image: a bound the true NLL lies below. Lower is better.",
    iwae_nll_nats: "NLL estimated with importance sampling (IWAE), tighter than the ELBO. Lower is better.",
    val_nats_per_char: "Held-out negative log-likelihood per character, in nats. Lower is better.",
    val_bits_per_char: "The same in bits (nats ÷ ln 2).",
    val_perplexity: "exp(NLL per character): how many characters the model hesitates between, on average.",
    unknown_fraction: "Share of held-out characters outside the vocabulary (read as ⟨unk⟩).",
    fid: "Fréchet distance between real and generated images in the classifier's feature space. Lower is better.",
    fid_floor: "The FID of real training images against the test images: the best a generator could hope for.",
    precision: "Share of samples that fall on the real images' manifold: sample quality. Higher is better.",
    recall: "Share of real images that fall on the samples' manifold: diversity. Higher is better.",
    mean_confidence: "The classifier's mean top-class probability on samples: how readable they are.",
    class_coverage: "Classes that get at least the threshold share of the samples: no mode is lost.",
    d_real_mean: "The discriminator's mean score on real test images.",
    d_fake_mean: "The discriminator's mean score on samples; near the real images' score, D is fooled.",
    test_accuracy: "Share of test images the classifier labels correctly.",
    form_5_or_7_share: "Share of the sampled poems' lines with 5 or 7 characters, the Tang forms. Higher is better.",
};

/// 中文.
pub const ZH: MetricTexts = MetricTexts {
    heading: "这些数字的含义",
    objective:
        "这里的每个模型都朝同一个目标训练：训练数据的平均对数似然（GAN 只是间接地通过判别器）；\
                曲线显示了模型学习过程中留出集上的指标如何下降。",
    test_elbo_nats: "测试图片上的 −ELBO，单位为每张图片的 nats：真实负对数似然的上界。越低越好。",
    iwae_nll_nats: "用重要性采样（IWAE）估计的负对数似然，比 ELBO 更紧。越低越好。",
    val_nats_per_char: "留出集上每个字符的负对数似然，单位 nats。越低越好。",
    val_bits_per_char: "同一数值，以比特为单位（nats ÷ ln 2）。",
    val_perplexity: "exp(每字符负对数似然)：模型平均在多少个字符之间犹豫。",
    unknown_fraction: "留出集中不在词表里的字符比例（读作 ⟨unk⟩）。",
    fid: "真实图片与生成图片在分类器特征空间中的 Fréchet 距离。越低越好。",
    fid_floor: "真实训练图片对测试图片的 FID：生成器所能期望的最好结果。",
    precision: "落在真实图片流形上的样本比例：样本质量。越高越好。",
    recall: "落在样本流形上的真实图片比例：多样性。越高越好。",
    mean_confidence: "分类器在样本上的平均最高类别概率：样本有多容易辨认。",
    class_coverage: "样本占比达到阈值的类别数：没有丢失的模式。",
    d_real_mean: "判别器在真实测试图片上的平均分。",
    d_fake_mean: "判别器在样本上的平均分；接近真实图片的分数时，说明 D 被骗过了。",
    test_accuracy: "分类器正确标注的测试图片比例。",
    form_5_or_7_share:
        "采样出的诗句中五言或七言（5 或 7 个字）所占的比例，即唐诗的格律。越高越好。",
};

/// The explanation of metric `key` in `lang`, if it has one.
pub fn explain(key: &str, lang: Lang) -> Option<&'static str> {
    let t = of(lang);
    Some(match key {
        "test_elbo_nats" => t.test_elbo_nats,
        "iwae_nll_nats" => t.iwae_nll_nats,
        "val_nats_per_char" => t.val_nats_per_char,
        "val_bits_per_char" => t.val_bits_per_char,
        "val_perplexity" => t.val_perplexity,
        "unknown_fraction" => t.unknown_fraction,
        "fid" => t.fid,
        "fid_floor" => t.fid_floor,
        "precision" => t.precision,
        "recall" => t.recall,
        "mean_confidence" => t.mean_confidence,
        "class_coverage" => t.class_coverage,
        "d_real_mean" => t.d_real_mean,
        "d_fake_mean" => t.d_fake_mean,
        "test_accuracy" => t.test_accuracy,
        "form_5_or_7_share" => t.form_5_or_7_share,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_are_complete_and_every_shipped_metric_is_explained() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/models");
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let card: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            for (key, value) in card["metrics"].as_object().unwrap() {
                if value.is_number() && key != "class_coverage_threshold" {
                    assert!(
                        explain(key, Lang::Zh).is_some(),
                        "{}: {key} has no explanation",
                        path.display()
                    );
                }
            }
        }
    }
}
