//! The 2-D lab's words: the page, its controls, the table of likelihoods and the link's notes.

use crate::i18n::texts;

texts! {
    /// The lab page's section of the catalogue.
    LabTexts {
        /// The page's heading.
        title,
        /// The paragraph under the heading, for the mixture.
        lead,
        /// The paragraph under the heading, for the flow.
        lead_flow,
        /// The paragraph under the heading, for the autoregressive model.
        lead_ar,
        /// The paragraph under the heading, for the VAE.
        lead_vae,
        /// Before the family picker.
        family_label,
        /// The mixture in the family picker.
        family_gmm,
        /// The flow in the family picker.
        family_flow,
        /// The autoregressive model in the family picker.
        family_ar,
        /// The VAE in the family picker.
        family_vae,
        /// Before the data-set picker.
        data_label,
        /// The ring of eight Gaussians.
        set_ring,
        /// Two moons.
        set_moons,
        /// The spiral.
        set_spiral,
        /// The checkerboard.
        set_checkerboard,
        /// The pinwheel.
        set_pinwheel,
        /// Before the number of components.
        k_label,
        /// Before the seed box.
        seed_label,
        /// Before the learning-rate box (the families the worker trains).
        lr_label,
        /// Before the minibatch-size picker.
        batch_label,
        /// The play button.
        play,
        /// The pause button.
        pause,
        /// The E-step button.
        e_step,
        /// The M-step button.
        m_step,
        /// The button that starts over from the seed's points and a fresh mixture.
        reset,
        /// Under the canvas: how to draw and erase.
        draw_hint,
        /// The canvas's accessible name.
        canvas_label,
        /// The line under the canvas: `{steps}` EM steps, `{train}` and `{held}` points, the `{next}` half-step.
        status,
        /// The next half-step is the E-step.
        next_e,
        /// The next half-step is the M-step.
        next_m,
        /// Added to the status line once EM has stopped improving, after `{steps}` steps.
        converged,
        /// A worker-trained family's status line: `{steps}` steps, `{train}` and `{held}` points, `{rate}` steps
        /// a second.
        worker_status,
        /// Before the worker's training has its first picture.
        worker_starting,
        /// The worker's training failed: `{error}`.
        worker_failed,
        /// The table's caption.
        table_caption,
        /// The model column.
        col_model,
        /// The training NLL column.
        col_train,
        /// The held-out NLL column.
        col_held,
        /// The mixture's row: `{k}` components.
        row_gmm,
        /// The flow's row: `{layers}` coupling layers.
        row_flow,
        /// The autoregressive model's row: `{components}` Gaussians in each factor.
        row_ar,
        /// The VAE's row: its NLL is the importance-weighted bound with `{k}` draws.
        row_vae,
        /// A row of the compare table: the `{family}` trained earlier on the same points (its latest NLLs).
        row_compared,
        /// The ring's true density's row.
        row_true,
        /// Below the table: what NLL is and why the held-out column matters.
        nll_note,
        /// The loss curve's caption.
        curve_caption,
        /// The training curve's legend.
        legend_train,
        /// The held-out curve's legend.
        legend_held,
        /// The notice of link settings that could not be used, with `{notes}`.
        link_notes,
        /// Between two notes of that notice.
        note_separator,
    }
}

/// English.
pub const EN: LabTexts = LabTexts {
    title: "The 2-D lab: models learn a density from points",
    lead: "Every generative model learns p_data by making the training data likely. A Gaussian mixture, \
           p(x) = Σₖ πₖ N(x; μₖ, Σₖ), does it by expectation–maximisation: the E-step colours each point by how \
           responsible each component is for it, the M-step moves each component to the weighted mean and \
           covariance of its points. Each full step never lowers the likelihood. Step one half at a time, or play; \
           draw your own points on the plane.",
    lead_flow: "A normalizing flow learns an invertible map f from the plane to a standard Gaussian, and scores a point \
                exactly by the change of variables: log p(x) = log N(f(x); 0, I) + log |det ∂f/∂x|. Each of its affine \
                coupling layers (RealNVP) keeps one coordinate and scales and shifts the other by amounts a small \
                network computes from the first, so the determinant is a product of scales. It trains by gradient \
                steps on minibatches in the inference worker; its samples (green) are Gaussian draws sent back \
                through f⁻¹.",
    lead_ar: "An autoregressive model writes the density as a product of conditionals, p(x) = p(x₁) · p(x₂ | x₁), and \
              learns each factor: here p(x₁) is a mixture of 1-D Gaussians and p(x₂ | x₁) a mixture whose weights, \
              means and widths a small network computes from x₁ (a mixture density network), so the conditional can \
              have two modes at one x₁ and one at another. The likelihood is exact, the sum of the two factors' \
              logarithms, and a sample is drawn in order: x₁ first, then x₂ given it — as the language model draws \
              one token after another. It trains by gradient steps in the inference worker; its samples are green.",
    lead_vae: "A variational autoencoder supposes each point comes from a latent z ~ N(0, I): the decoder gives \
               p(x | z) = N(x; μ(z), σ(z)²) and the encoder an approximate posterior q(z | x). Together they maximise \
               the evidence lower bound ELBO = E_q[log p(x | z)] − KL(q(z | x) ‖ p(z)) ≤ log p(x), with one \
               reparameterised draw z = m + s·ε a point. The heat map paints exp(ELBO). Its likelihood has no closed \
               form, so the table's NLL is the tighter importance-weighted bound: the log of the mean of \
               p(x, z)/q(z | x) over K draws. It trains by gradient steps in the inference worker; its samples (green) are a z, then an x \
               from the decoder.",
    family_label: "Model ",
    family_gmm: "Gaussian mixture (EM)",
    family_flow: "Normalizing flow (RealNVP)",
    family_ar: "Autoregressive (p(x₁)·p(x₂ | x₁))",
    family_vae: "Variational autoencoder (ELBO)",
    data_label: "Data ",
    set_ring: "ring of 8 Gaussians",
    set_moons: "two moons",
    set_spiral: "spiral",
    set_checkerboard: "checkerboard",
    set_pinwheel: "pinwheel",
    k_label: "Components K ",
    seed_label: "Seed ",
    lr_label: "Learning rate ",
    batch_label: "Batch ",
    play: "Play",
    pause: "Pause",
    e_step: "E-step",
    m_step: "M-step",
    reset: "Start over",
    draw_hint: "Click or drag on the plane to add points; hold Shift to erase. Every fifth point is held out (hollow).",
    canvas_label: "The data, the mixture's density as a heat map and its components as ellipses (1σ and 2σ)",
    status: "{steps} EM steps · {train} training points, {held} held out · next: {next}",
    next_e: "E-step",
    next_m: "M-step",
    converged: " · converged after {steps} steps",
    worker_status: "{steps} training steps · {train} training points, {held} held out · {rate} steps/s",
    worker_starting: "Starting the training in the inference worker…",
    worker_failed: "The training stopped: {error}",
    table_caption: "Negative log-likelihood, nats per point (lower is better)",
    col_model: "Model",
    col_train: "Training",
    col_held: "Held out",
    row_gmm: "Gaussian mixture, K = {k}",
    row_flow: "RealNVP flow, {layers} coupling layers",
    row_ar: "Autoregressive, {components} Gaussians per factor",
    row_vae: "VAE, 2-D latent (importance-weighted bound, K = {k})",
    row_compared: "{family}, trained earlier on these points",
    row_true: "The true density (the ring's 8 Gaussians)",
    nll_note: "NLL = −(1/N) Σ log p(xₙ). The held-out points were never trained on: a model that only memorised its \
               data scores well on the training column and badly on this one.",
    curve_caption: "NLL per EM step",
    legend_train: "training",
    legend_held: "held out",
    link_notes: "Some of the link's settings could not be used: {notes}",
    note_separator: "; ",
};

/// 中文.
pub const ZH: LabTexts = LabTexts {
    title: "二维实验室：模型从点中学习密度",
    lead: "每个生成模型都通过让训练数据的可能性尽量大来学习 p_data。高斯混合模型 p(x) = Σₖ πₖ N(x; μₖ, Σₖ) 用期望最大化\
           （EM）来做到：E 步按每个分量对各点的“责任”给点上色，M 步把每个分量移到它所负责的点的加权均值和协方差处。\
           每走完一整步，似然都不会下降。可以半步半步地走，也可以播放；还可以在平面上画出自己的点。",
    lead_flow: "标准化流学习一个从平面到标准高斯分布的可逆映射 f，并用变量替换公式精确地给每个点打分：\
                log p(x) = log N(f(x); 0, I) + log |det ∂f/∂x|。它的每个仿射耦合层（RealNVP）保持一个坐标不变，\
                用一个小网络根据这个坐标算出缩放和平移量去变换另一个坐标，因此行列式就是各个缩放的乘积。\
                它在推理线程（Web Worker）中按小批量做梯度下降训练；它的样本（绿色）是把高斯随机点经 f⁻¹ 送回平面得到的。",
    lead_ar: "自回归模型把密度写成条件概率的乘积 p(x) = p(x₁) · p(x₂ | x₁)，并逐个学习每个因子：这里 p(x₁) 是一维高斯混合，\
              p(x₂ | x₁) 也是一个混合，但它的权重、均值和宽度由一个小网络根据 x₁ 算出（混合密度网络），所以在某个 x₁ 处\
              条件分布可以有两个峰，在另一个 x₁ 处只有一个。似然是精确的，即两个因子的对数之和；采样按顺序进行：先抽 x₁，\
              再按它抽 x₂——就像语言模型一个接一个地抽出词元。它在推理线程中按梯度下降训练；它的样本是绿色的。",
    lead_vae: "变分自编码器假设每个点都来自一个隐变量 z ~ N(0, I)：解码器给出 p(x | z) = N(x; μ(z), σ(z)²)，编码器给出近似后验 \
               q(z | x)。二者一起最大化证据下界 ELBO = E_q[log p(x | z)] − KL(q(z | x) ‖ p(z)) ≤ log p(x)，每个点用一次重参数化采样 \
               z = m + s·ε。热图画的是 exp(ELBO)。它的似然没有闭式解，所以表中的 NLL 用的是更紧的重要性加权下界：用 K 次采样平均 p(x, z)/q(z | x) \
               再取对数。它在推理线程中按梯度下降训练；它的样本（绿色）是先抽 z、再经解码器抽 x 得到的。",
    family_label: "模型 ",
    family_gmm: "高斯混合（EM）",
    family_flow: "标准化流（RealNVP）",
    family_ar: "自回归（p(x₁)·p(x₂ | x₁)）",
    family_vae: "变分自编码器（ELBO）",
    data_label: "数据 ",
    set_ring: "8 个高斯组成的环",
    set_moons: "双月",
    set_spiral: "螺旋",
    set_checkerboard: "棋盘",
    set_pinwheel: "风车",
    k_label: "分量数 K ",
    seed_label: "种子 ",
    lr_label: "学习率 ",
    batch_label: "批大小 ",
    play: "播放",
    pause: "暂停",
    e_step: "E 步",
    m_step: "M 步",
    reset: "重新开始",
    draw_hint: "在平面上点击或拖动可添加点；按住 Shift 可擦除。每五个点中有一个留作验证（空心）。",
    canvas_label: "数据、以热图表示的混合密度，以及用椭圆（1σ 与 2σ）表示的各个分量",
    status: "已走 {steps} 步 EM · 训练点 {train} 个，留出 {held} 个 · 下一步：{next}",
    next_e: "E 步",
    next_m: "M 步",
    converged: " · 在第 {steps} 步后收敛",
    worker_status: "已训练 {steps} 步 · 训练点 {train} 个，留出 {held} 个 · 每秒 {rate} 步",
    worker_starting: "正在推理线程中启动训练…",
    worker_failed: "训练已停止：{error}",
    table_caption: "负对数似然，每个点的奈特数（越低越好）",
    col_model: "模型",
    col_train: "训练集",
    col_held: "留出集",
    row_gmm: "高斯混合，K = {k}",
    row_flow: "RealNVP 标准化流，{layers} 个耦合层",
    row_ar: "自回归模型，每个因子 {components} 个高斯",
    row_vae: "VAE，二维隐变量（重要性加权下界，K = {k}）",
    row_compared: "{family}，此前在这批点上训练",
    row_true: "真实密度（环上的 8 个高斯）",
    nll_note: "NLL = −(1/N) Σ log p(xₙ)。留出的点从未参与训练：只会记住训练数据的模型在训练集一栏得分好，在这一栏却会很差。",
    curve_caption: "每步 EM 后的 NLL",
    legend_train: "训练集",
    legend_held: "留出集",
    link_notes: "链接中的部分设置无法使用：{notes}",
    note_separator: "；",
};
