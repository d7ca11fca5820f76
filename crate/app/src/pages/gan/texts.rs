//! The GAN page's words: the page, its controls, the grid and its labels, exploring pinned samples, the training
//! timeline, what the link's settings were changed to, and the loader's messages.

use crate::i18n::texts;

texts! {
    /// The GAN page's section of the catalogue.
    GanTexts {
        /// The page's heading.
        title,
        /// The paragraph under the heading.
        lead,
        /// Before the model picker.
        model_label,
        /// While the model loads.
        loading,
        /// The error panel's title when the model could not be loaded.
        load_failed,
        /// The notice of link settings that could not be used, with `{notes}`.
        link_notes,
        /// Between two notes of that notice.
        note_separator,
        /// Before the seed box.
        seed_label,
        /// The button that draws a new seed.
        new_seed,
        /// Why a typed seed was changed: `{note}` is one of the `seed_*` notes.
        seed_changed,
        /// A seed outside the range: `{text}` typed, `{max}` the largest seed, `{seed}` the one used.
        seed_outside,
        /// A seed with a fraction: `{text}` typed, `{seed}` the one used.
        seed_not_whole,
        /// A seed that is not a number: `{text}` typed, `{seed}` the one used.
        seed_not_number,
        /// A link's pin that is no cell: `{item}` as written, `{last}` the last cell.
        pin_not_cell,
        /// A link that pins `{cell}` twice.
        pin_twice,
        /// A link that pins more than `{max}` cells; `{cell}` is dropped.
        pin_too_many,
        /// A link's pin that is not a number: `{item}` as written.
        pin_not_number,
        /// Before the truncation slider.
        truncation_label,
        /// The button that starts watch mode.
        watch,
        /// The button that pauses watch mode or the timeline.
        pause,
        /// Before watch mode's speed slider.
        speed_label,
        /// The button that saves the grid as an image.
        save_png,
        /// A cell's hover text: `{class}` of the classifier, its `{percent}`, the discriminator's `{score}`.
        cell_label,
        /// Under the grid: `{cells}` samples drawn in `{ms}` on `{backend}`.
        grid_time,
        /// Under the grid while watching: `{fps}` frames a second on `{backend}`.
        watching_fps,
        /// Under the grid before the first one is drawn.
        generating,
        /// A failure while generating, with the `{error}`.
        generating_failed,
        /// A failure while labelling samples, with the `{error}`.
        labelling_failed,
        /// The heading over the pinned samples.
        explore_title,
        /// What to do while nothing is pinned.
        explore_hint,
        /// Over the neighbourhood: pinned `{sample}`, `{count}` neighbours, perturbed by `{sigma}`.
        neighbours_caption,
        /// Over the interpolation strip.
        interpolation_caption,
        /// The timeline's heading.
        timeline_title,
        /// Under it: the first `{samples}` samples at each snapshot.
        timeline_hint,
        /// The timeline slider's accessible label.
        timeline_aria,
        /// The button that plays the timeline.
        play,
        /// The snapshot shown: training `{step}`.
        timeline_step,
        /// What the final D and the classifier make of a snapshot's samples: mean score `{d}`, `{classes}` classes.
        timeline_scores,
        /// The critics gave back too few or too many results.
        critics_count,
        /// A model was asked for before the asset list arrived.
        assets_not_loaded,
        /// `{file}` is a `{kind}` card, not a GAN's.
        not_a_gan,
        /// `{file}`'s `{dataset}` has no class names.
        no_classes,
        /// `{file}` is a `{kind}` card, not a classifier's.
        not_a_classifier,
        /// Running the critics (files `{gan}` and `{classifier}`) failed with `{error}`.
        critics_failed,
        /// `{file}` lacks tensor `{name}` of `{shape}`.
        missing_tensor,
        /// `{file}`'s tensor `{name}` has shape `{found}`, not `{shape}`.
        wrong_shape,
        /// `{file}`'s tensor `{name}` holds NaN or infinity at `{index}`.
        non_finite,
        /// `{file}` holds tensors `{names}` the configuration has no use for.
        unexpected_tensors,
    }
}

/// English.
pub const EN: GanTexts = GanTexts {
    title: "Samples from a GAN",
    lead: "A generator turns random points into images; a discriminator learned to tell them from real ones. Hover \
           a sample for the classifier's label and the discriminator's score; click to pin it.",
    model_label: "Model ",
    loading: "Loading the GAN…",
    load_failed: "Could not load this GAN",
    link_notes: "The link's state could not all be used: {notes}",
    note_separator: "; ",
    seed_label: "Seed ",
    new_seed: "New seed",
    seed_changed: "Seed {note}",
    seed_outside: "{text} is outside 0…{max}; using {seed}",
    seed_not_whole: "{text} is not a whole number; using {seed}",
    seed_not_number: "{text} is not a number; using {seed}",
    pin_not_cell: "pin={item} is not a cell 0…{last}; it was dropped",
    pin_twice: "pin lists cell {cell} twice; it is pinned once",
    pin_too_many: "pin lists more than {max} cells; {cell} was dropped",
    pin_not_number: "pin={item} is not a cell number; it was dropped",
    truncation_label: "Truncation ",
    watch: "Watch",
    pause: "Pause",
    speed_label: "Speed ",
    save_png: "Save PNG",
    cell_label: "{class} ({percent}%), D {score}",
    grid_time: "grid of {cells} in {ms} ms · {backend}",
    watching_fps: "watching: {fps} frames/s · {backend}",
    generating: "generating…",
    generating_failed: "generating failed: {error}",
    labelling_failed: "labelling failed: {error}",
    explore_title: "Explore",
    explore_hint: "Click a sample to pin it: its neighbours appear here. Pin a second one for an interpolation.",
    neighbours_caption: "Sample {sample} (centre) and {count} neighbours (z + {sigma}·noise)",
    interpolation_caption: "Interpolation (slerp) between the two pinned samples",
    timeline_title: "Watch it learn",
    timeline_hint: "The first {samples} samples of this seed, drawn by the generator as it was at each saved training \
                    step.",
    timeline_aria: "training step",
    play: "Play",
    timeline_step: "step {step}",
    timeline_scores: "the final D scores its samples {d} on average; the classifier sees {classes} of 10 classes",
    critics_count: "the critics returned the wrong number of results",
    assets_not_loaded: "the asset list is not loaded",
    not_a_gan: "{file}: a {kind} card, not a GAN",
    no_classes: "{file}: {dataset} has no classes to label samples with",
    not_a_classifier: "{file}: a {kind} card, not a classifier",
    critics_failed: "the discriminator ({gan}) and the classifier ({classifier}): {error}",
    missing_tensor: "{file}: missing tensor `{name}` (expected shape {shape})",
    wrong_shape: "{file}: tensor `{name}` has shape {found}, the configuration expects {shape}",
    non_finite: "{file}: tensor `{name}` holds a non-finite value at index {index}",
    unexpected_tensors: "{file}: unexpected tensors for this configuration: {names}",
};

/// 中文.
pub const ZH: GanTexts = GanTexts {
    title: "GAN 生成的样本",
    lead: "生成器把随机点变成图像；判别器学会了区分这些图像与真实图像。把鼠标移到样本上，可看到分类器给出的标签和\
           判别器的评分；点击可固定该样本。",
    model_label: "模型 ",
    loading: "正在加载 GAN…",
    load_failed: "无法加载这个 GAN",
    link_notes: "链接中的部分状态无法使用：{notes}",
    note_separator: "；",
    seed_label: "种子 ",
    new_seed: "新种子",
    seed_changed: "种子 {note}",
    seed_outside: "{text} 超出 0…{max} 的范围，改用 {seed}",
    seed_not_whole: "{text} 不是整数，改用 {seed}",
    seed_not_number: "{text} 不是数字，改用 {seed}",
    pin_not_cell: "pin={item} 不是 0…{last} 之间的格子，已忽略",
    pin_twice: "pin 中格子 {cell} 出现了两次，只固定一次",
    pin_too_many: "pin 列出的格子多于 {max} 个，已忽略 {cell}",
    pin_not_number: "pin={item} 不是格子编号，已忽略",
    truncation_label: "截断 ",
    watch: "漫游",
    pause: "暂停",
    speed_label: "速度 ",
    save_png: "保存 PNG",
    cell_label: "{class}（{percent}%），D {score}",
    grid_time: "生成 {cells} 个样本用时 {ms} 毫秒 · {backend}",
    watching_fps: "隐空间漫游中：{fps} 帧/秒 · {backend}",
    generating: "生成中…",
    generating_failed: "生成失败：{error}",
    labelling_failed: "标注失败：{error}",
    explore_title: "探索",
    explore_hint: "点击一个样本将它固定：它的邻近样本会显示在这里。再固定一个样本，就能看到两者之间的插值。",
    neighbours_caption: "样本 {sample}（中心）及其 {count} 个邻近样本（z + {sigma}·噪声）",
    interpolation_caption: "两个固定样本之间的插值（slerp，球面线性插值）",
    timeline_title: "观察训练过程",
    timeline_hint: "同一种子的前 {samples} 个样本，分别由每个已保存的训练快照中的生成器画出。",
    timeline_aria: "训练步数",
    play: "播放",
    timeline_step: "第 {step} 步",
    timeline_scores: "最终的判别器给这些样本的平均分为 {d}；分类器认出 10 类中的 {classes} 类",
    critics_count: "判别器与分类器返回的结果数目不对",
    assets_not_loaded: "资源列表尚未加载",
    not_a_gan: "{file}：这是 {kind} 模型的卡片，不是 GAN",
    no_classes: "{file}：{dataset} 没有可用来标注样本的类别",
    not_a_classifier: "{file}：这是 {kind} 模型的卡片，不是分类器",
    critics_failed: "判别器（{gan}）与分类器（{classifier}）：{error}",
    missing_tensor: "{file}：缺少张量 `{name}`（应有形状 {shape}）",
    wrong_shape: "{file}：张量 `{name}` 的形状为 {found}，而配置要求 {shape}",
    non_finite: "{file}：张量 `{name}` 在索引 {index} 处含有非有限值",
    unexpected_tensors: "{file}：含有此配置不需要的张量：{names}",
};
