//! The VAE page's words: headings, controls, hints, the ELBO panel, the messages the page composes, and the
//! Fashion-MNIST class names (MNIST's digits read the same in both languages).

use crate::i18n::texts;

texts! {
    /// The VAE page's section of the catalogue.
    VaeTexts {
        /// The page's heading.
        title,
        /// The paragraph under the heading.
        lead,
        /// Before the model picker (with its trailing space).
        model_label,
        /// Before the link's notes.
        link_notes,
        /// Between two of the link's notes.
        note_separator,
        /// Note: the link's point `z={raw}` does not have `{latent}` values for the model.
        z_wrong_size,
        /// While the model loads.
        loading_model,
        /// The error panel's title when the model did not load.
        load_failed,
        /// Error: the asset list is missing.
        assets_not_loaded,
        /// Error: `assets/models/{name}.json` is a `{kind}` card, not a VAE's.
        not_a_vae,
        /// Error: the decoder gave back no images.
        no_images,
        /// Error: the encoder gave back no posterior.
        no_posterior,
        /// Error: the data set `{dataset}` ships no test images.
        no_test_images,
        /// Error: decoding the cursor's point failed, with `{error}`.
        decode_failed,
        /// Error: decoding the map failed, with `{error}`.
        map_failed,
        /// Error: decoding the interpolation strip failed, with `{error}`.
        interpolation_failed,
        /// Error: encoding an input failed, with `{error}`.
        encode_failed,
        /// Error: encoding the test images for the scatter failed, with `{error}`.
        scatter_failed,
        /// The decode time line: `{ms}` milliseconds on `{backend}`.
        decode_time,
        /// The decode time line before the first decode.
        decoding,
        /// The button saving the decoded image.
        save_png,
        /// The button saving the latent map.
        save_map_png,
        /// The latent map's accessible label.
        map_label,
        /// Under the map: what the axes are.
        map_axes,
        /// The scatter toggle's label (with its leading space).
        scatter_toggle,
        /// The z = 16 sliders' button drawing a point from the prior.
        sample_prior,
        /// The sliders' button back to the origin.
        reset_zero,
        /// The sliders' button redrawing one dimension.
        randomise_one,
        /// A slider's accessible label: dimension `{n}`.
        slider_label,
        /// The interpolation's heading.
        interp_title,
        /// Button: the current point becomes end A.
        set_a,
        /// Button: the current point becomes end B.
        set_b,
        /// Button: the encoded input's mean becomes end B.
        set_b_encoded,
        /// The spherical interpolation option.
        slerp,
        /// The linear interpolation option.
        lerp,
        /// The animation's button.
        play,
        /// An end point not set yet.
        not_set,
        /// The encoding section's heading.
        encode_title,
        /// The drawing pad's Clear button.
        clear,
        /// Before the brush size slider (with its trailing space).
        brush,
        /// Under the drawing pad.
        draw_hint,
        /// The picker when the test images cannot be used.
        picker_problem,
        /// The picker while the test images load.
        picker_loading,
        /// A thumbnail's tooltip: test image `{index}`, class `{name}`.
        picker_title,
        /// The picker's next page button: page `{page}` of `{pages}`.
        picker_more,
        /// The encoded panel before anything is encoded.
        encoded_hint,
        /// Caption of the encoded input.
        input,
        /// Caption of its reconstruction.
        reconstruction,
        /// What was encoded: the drawing pad's picture.
        source_drawing,
        /// What was encoded: test image `{index}` of class `{label}`.
        source_test_image,
        /// The posterior line: `{source}`, its mean `{mean}` and σ `{sigma}`.
        posterior,
        /// The button moving the cursor to the posterior mean.
        go_to_posterior,
        /// The ELBO panel: the reconstruction term.
        elbo_recon,
        /// The ELBO panel: the KL term.
        elbo_kl,
        /// The ELBO panel: their sum.
        elbo_total,
        /// Under the ELBO panel: how the terms are computed.
        elbo_note,
    }
}

/// English.
pub const EN: VaeTexts = VaeTexts {
    title: "Latent space of a VAE",
    lead: "Drag the cursor over the map (or use the sliders): each point of the latent space decodes to an image, \
           live, on your machine.",
    model_label: "Model ",
    link_notes: "The link's state could not all be used: ",
    note_separator: "; ",
    z_wrong_size: "z={raw} is not a list of {latent} finite numbers; using the default",
    loading_model: "Loading the model…",
    load_failed: "Could not load this VAE",
    assets_not_loaded: "the asset list is not loaded",
    not_a_vae: "assets/models/{name}.json: a {kind} card, not a VAE",
    no_images: "the decoder returned no images",
    no_posterior: "the encoder returned no posterior",
    no_test_images: "{dataset} has no test images",
    decode_failed: "decoding failed: {error}",
    map_failed: "decoding the map failed: {error}",
    interpolation_failed: "interpolation failed: {error}",
    encode_failed: "encoding failed: {error}",
    scatter_failed: "encoding the test images failed: {error}",
    decode_time: "decode {ms} ms · {backend}",
    decoding: "decoding…",
    save_png: "Save PNG",
    save_map_png: "Save map PNG",
    map_label: "latent point (arrow keys move it)",
    map_axes: "z₁ → (right), z₂ ↑ (up), in units of the prior's σ",
    scatter_toggle: " test-set encodings (1,000 images)",
    sample_prior: "Sample from prior",
    reset_zero: "Reset to zero",
    randomise_one: "Randomise one",
    slider_label: "latent dimension {n}",
    interp_title: "Interpolate",
    set_a: "A = current point",
    set_b: "B = current point",
    set_b_encoded: "B = encoded input",
    slerp: "slerp",
    lerp: "lerp",
    play: "Play / stop",
    not_set: "not set",
    encode_title: "Encode an image",
    clear: "Clear",
    brush: "Brush ",
    draw_hint: "Draw large and centred, like the training images.",
    picker_problem: "The test images cannot be shown (see the message above).",
    picker_loading: "Loading test images…",
    picker_title: "test image #{index}: {name}",
    picker_more: "More test images ({page}/{pages})",
    encoded_hint: "Draw a digit or pick a test image to encode it.",
    input: "input",
    reconstruction: "reconstruction",
    source_drawing: "your drawing",
    source_test_image: "test image #{index} ({label})",
    posterior: "{source}: posterior mean ({mean}), σ ({sigma})",
    go_to_posterior: "Move the cursor there",
    elbo_recon: "Reconstruction −log p(x|z)",
    elbo_kl: "KL(q(z|x) ‖ p(z))",
    elbo_total: "−ELBO (sum)",
    elbo_note: "Reconstruction term at z = posterior mean, Bernoulli likelihood with the input's intensities as \
                targets; KL in closed form.",
};

/// 中文.
pub const ZH: VaeTexts = VaeTexts {
    title: "VAE 的隐空间",
    lead:
        "在图上拖动光标（或使用滑块）：隐空间中的每个点都会被解码成一张图像，在你的机器上实时完成。",
    model_label: "模型 ",
    link_notes: "链接中的状态未能全部使用：",
    note_separator: "；",
    z_wrong_size: "z={raw} 不是由 {latent} 个有限数组成的列表；改用默认值",
    loading_model: "正在加载模型…",
    load_failed: "无法加载这个 VAE",
    assets_not_loaded: "资源列表尚未加载",
    not_a_vae: "assets/models/{name}.json：这是 {kind} 的模型卡片，不是 VAE 的",
    no_images: "解码器没有返回图像",
    no_posterior: "编码器没有返回后验分布",
    no_test_images: "{dataset} 没有测试图像",
    decode_failed: "解码失败：{error}",
    map_failed: "解码隐空间图失败：{error}",
    interpolation_failed: "插值失败：{error}",
    encode_failed: "编码失败：{error}",
    scatter_failed: "编码测试图像失败：{error}",
    decode_time: "解码 {ms} ms · {backend}",
    decoding: "解码中…",
    save_png: "保存 PNG",
    save_map_png: "保存隐空间图 PNG",
    map_label: "隐空间中的点（可用方向键移动）",
    map_axes: "z₁ →（向右），z₂ ↑（向上），以先验的 σ 为单位",
    scatter_toggle: " 测试集的编码（1,000 张图像）",
    sample_prior: "从先验采样",
    reset_zero: "归零",
    randomise_one: "随机改变一维",
    slider_label: "隐变量第 {n} 维",
    interp_title: "插值",
    set_a: "A = 当前点",
    set_b: "B = 当前点",
    set_b_encoded: "B = 已编码的输入",
    slerp: "球面插值 (slerp)",
    lerp: "线性插值 (lerp)",
    play: "播放 / 停止",
    not_set: "未设置",
    encode_title: "编码一张图像",
    clear: "清除",
    brush: "笔刷 ",
    draw_hint: "请画得大一些、居中，像训练图像那样。",
    picker_problem: "无法显示测试图像（见上方的消息）。",
    picker_loading: "正在加载测试图像…",
    picker_title: "测试图像 #{index}：{name}",
    picker_more: "更多测试图像（{page}/{pages}）",
    encoded_hint: "画一个数字，或选一张测试图像，把它编码。",
    input: "输入",
    reconstruction: "重建",
    source_drawing: "你的手绘",
    source_test_image: "测试图像 #{index}（{label}）",
    posterior: "{source}：后验均值 ({mean})，σ ({sigma})",
    go_to_posterior: "把光标移到那里",
    elbo_recon: "重建项 −log p(x|z)",
    elbo_kl: "KL 散度 KL(q(z|x) ‖ p(z))",
    elbo_total: "−ELBO（两项之和）",
    elbo_note:
        "重建项在 z = 后验均值处计算，采用伯努利似然，以输入的像素强度为目标；KL 项按闭式解计算。",
};
