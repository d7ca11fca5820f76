//! The shell's words: header, status line, home (with the map of generative model families), about, error
//! panels, the model card, and index.html's static panels.

use super::texts;

texts! {
    /// The shell's section of the catalogue.
    ShellTexts {
        /// The browser tab's title.
        document_title,
        /// The `#fatal` panel's heading (index.html).
        fatal_title,
        /// The `#fatal` panel's hint before its Reload button.
        fatal_hint,
        /// The `#fatal` panel's Reload button.
        fatal_reload,
        /// The header tab of the 2-D lab.
        nav_lab,
        /// The 2-D lab's card on the home page.
        lab_summary,
        /// The header tab of the about page.
        nav_about,
        /// The language switch's accessible label.
        lang_label,
        /// Status line: before the backend's name.
        status_backend,
        /// Status line: the backend choice's accessible label.
        choose_label,
        /// The choice: measure each model and keep the faster backend.
        choose_auto,
        /// The choice: always the CPU.
        choose_cpu,
        /// The choice: always WebGPU.
        choose_webgpu,
        /// Backend on the automatic choice, with `{adapter}`.
        backend_auto,
        /// Tooltip on the automatic choice.
        backend_auto_detail,
        /// Why the CPU: the browser has no WebGPU.
        reason_no_webgpu,
        /// Why the CPU: no adapter or device, with the browser's `{why}`.
        reason_no_device,
        /// Why the CPU: the device was lost, with the browser's `{why}`.
        reason_lost,
        /// Why the CPU: the visitor chose it.
        reason_chosen,
        /// One model's calibration: `{model}`, `{work}`, `{cpu}` and `{gpu}` milliseconds, and the `{choice}`.
        calibration,
        /// A calibration whose WebGPU run was given up on: `{gpu}` is how long it was awaited.
        calibration_cut,
        /// Tooltip on the calibrations.
        calibration_detail,
        /// Timed work: the VAE decoding one point.
        work_decode,
        /// Timed work: the GAN drawing its grid.
        work_grid,
        /// Timed work: the critics judging a batch.
        work_judge,
        /// Timed work: one language-model step.
        work_step,
        /// Status line: before the build id.
        status_build,
        /// Backend while the browser is asked for an adapter.
        backend_detecting,
        /// Tooltip while detecting.
        backend_detecting_detail,
        /// Tooltip on WebGPU.
        backend_webgpu_detail,
        /// Tooltip on the CPU, with `{reason}`.
        backend_cpu_detail,
        /// The not-found page's heading.
        not_found_title,
        /// The not-found page's text before its link.
        not_found_text,
        /// The not-found page's link home.
        not_found_link,
        /// Home: heading.
        home_title,
        /// Home: the first paragraph.
        home_lead,
        /// Home: heading over the pages' cards.
        home_pages,
        /// Home: heading of the family map.
        map_title,
        /// Home: generative vs discriminative.
        map_intro,
        /// Home: the training objective, before its formula.
        map_objective,
        /// Home: the family map's column heads.
        map_family,
        /// Column head: what the family learns.
        map_learns,
        /// Column head: how it is evaluated.
        map_evaluated,
        /// Column head: where to see it.
        map_page,
        /// "coming" for a family with no page yet.
        map_coming,
        /// GMM row.
        gmm_name,
        /// GMM: what it learns.
        gmm_learns,
        /// GMM: evaluation.
        gmm_eval,
        /// HMM row.
        hmm_name,
        /// HMM: what it learns.
        hmm_learns,
        /// HMM: evaluation.
        hmm_eval,
        /// RBM row.
        rbm_name,
        /// RBM: what it learns.
        rbm_learns,
        /// RBM: evaluation.
        rbm_eval,
        /// VAE row.
        vae_name,
        /// VAE: what it learns.
        vae_learns,
        /// VAE: evaluation.
        vae_eval,
        /// GAN row.
        gan_name,
        /// GAN: what it learns.
        gan_learns,
        /// GAN: evaluation.
        gan_eval,
        /// AR row.
        ar_name,
        /// AR: what it learns.
        ar_learns,
        /// AR: evaluation.
        ar_eval,
        /// Flow row.
        flow_name,
        /// Flow: what it learns.
        flow_learns,
        /// Flow: evaluation.
        flow_eval,
        /// About: heading.
        about_title,
        /// About: what genscope is.
        about_text,
        /// About: the backend row.
        about_backend,
        /// About: the build row.
        about_build,
        /// About: the assets row.
        about_assets,
        /// About: the models row.
        about_models,
        /// About: assets while the list loads.
        assets_loading,
        /// About: `{files}` files, `{mb}` MB.
        assets_summary,
        /// About: assets when the list failed.
        assets_unavailable,
        /// A page with no shipped models.
        no_models,
        /// Error panels: the retry button.
        try_again,
        /// The panel when the asset list failed.
        assets_failed,
        /// The notice after a lost WebGPU device, with `{why}`.
        device_lost,
        /// The panel for a failure after a page's model loaded.
        page_failed,
        /// Model card: summary line, with `{name}`.
        card_title,
        /// Model card: data row.
        card_data,
        /// Model card: licence row.
        card_licence,
        /// Model card: parameters row.
        card_params,
        /// Model card: training row.
        card_training,
        /// Model card: `{seconds}` s on `{machine}`.
        card_wall,
        /// Model card: before the metrics' method.
        card_how,
        /// Model card: the curve's accessible label.
        card_curve,
        /// Tour: the button that opens it.
        tour_start,
        /// Tour: the button once it was seen.
        tour_again,
        /// Tour: the panel's accessible label.
        tour_label,
        /// Tour: step `{n}` of `{total}`.
        tour_progress,
        /// Tour: back.
        tour_back,
        /// Tour: next.
        tour_next,
        /// Tour: the last step's button.
        tour_done,
        /// Tour: skip.
        tour_skip,
    }
}

/// English.
pub const EN: ShellTexts = ShellTexts {
    document_title: "genscope — see how generative models work",
    fatal_title: "genscope stopped with an error",
    fatal_hint: "The page's state lives in its URL. Reload to go on.",
    fatal_reload: "Reload",
    nav_lab: "2-D lab",
    lab_summary: "Train a Gaussian mixture by EM on points you draw, one half-step at a time, and judge it by \
                  held-out log-likelihood.",
    nav_about: "About",
    lang_label: "Language",
    status_backend: "Backend: ",
    choose_label: "Where the models run",
    choose_auto: "fastest (measured)",
    choose_cpu: "always CPU",
    choose_webgpu: "always WebGPU",
    backend_auto: "{adapter}, or the CPU where faster",
    backend_auto_detail: "Each model is timed on both backends as it loads, and runs on the faster one. The times \
                          are kept for this GPU and this build.",
    reason_no_webgpu: "this browser has no WebGPU",
    reason_no_device: "WebGPU gave no device ({why})",
    reason_lost: "the WebGPU device was lost ({why}); reload the page to try WebGPU again",
    reason_chosen: "you chose the CPU on the status line",
    calibration: "{model} {work}: CPU {cpu} ms · WebGPU {gpu} ms → {choice}",
    calibration_cut: "{model} {work}: CPU {cpu} ms · WebGPU > {gpu} ms → {choice}",
    calibration_detail: "Median of up to five runs on each backend after one warm-up; the faster one runs this model. A WebGPU \
                         run more than three times slower than the CPU's is not waited for.",
    work_decode: "decode",
    work_grid: "grid of 64",
    work_judge: "judging 64",
    work_step: "step",
    status_build: "Build ",
    backend_detecting: "detecting…",
    backend_detecting_detail: "Asking the browser for a WebGPU adapter",
    backend_webgpu_detail: "Models run on WebGPU compute shaders",
    backend_cpu_detail: "Models run on the CPU in WebAssembly: {reason}",
    not_found_title: "Not found",
    not_found_text: "No page here. ",
    not_found_link: "Go to the start.",
    home_title: "See how generative models work",
    home_lead: "Small generative models, trained by this project, running in your browser on WebGPU or on the CPU. \
                Nothing is sent to a server: every number you see is computed on this page.",
    home_pages: "Try them",
    map_title: "The map of generative models",
    map_intro: "A discriminative model (logistic regression, a support vector machine, the classifier that judges \
                the GAN's digits) learns p(y | x): given an input, which label. A generative model learns the data's \
                own distribution p(x), so it can say how likely an example is and draw new ones from it. Seven \
                families do this in different ways.",
    map_objective: "All of them are fitted to the same goal: make the training data likely. With data x₁ … x_N and \
                    parameters θ, maximise the mean log-likelihood (equivalently, minimise the negative \
                    log-likelihood, NLL):",
    map_family: "Family",
    map_learns: "How it models p(x)",
    map_evaluated: "How it is evaluated",
    map_page: "See it",
    map_coming: "coming",
    gmm_name: "Gaussian mixture (GMM)",
    gmm_learns: "A weighted sum of K Gaussians, fitted by expectation–maximisation.",
    gmm_eval: "Exact NLL.",
    hmm_name: "Hidden Markov model (HMM)",
    hmm_learns: "A chain of hidden states, each emitting an observation; sequences by the forward algorithm.",
    hmm_eval: "Exact NLL of sequences.",
    rbm_name: "Restricted Boltzmann machine (RBM)",
    rbm_learns: "An energy over visible and hidden units; trained by contrastive divergence, sampled by Gibbs steps.",
    rbm_eval: "NLL up to its normaliser (estimated); sample quality.",
    vae_name: "Variational autoencoder (VAE)",
    vae_learns: "A latent code z with a decoder p(x | z); an encoder q(z | x) makes the ELBO, a lower bound on \
                 log p(x), trainable.",
    vae_eval: "ELBO, and NLL by importance sampling (IWAE).",
    gan_name: "Generative adversarial network (GAN)",
    gan_learns: "A generator G(z) trained against a discriminator D(x) in a min-max game; no likelihood at all.",
    gan_eval: "Sample quality: FID, precision and recall.",
    ar_name: "Autoregressive model",
    ar_learns: "p(x) = ∏ p(x_t | x_<t): one token at a time, each given the ones before (a transformer here).",
    ar_eval: "Exact NLL per token; perplexity = exp(NLL).",
    flow_name: "Normalizing flow",
    flow_learns: "An invertible map from a Gaussian; the likelihood is exact by the change of variables.",
    flow_eval: "Exact NLL.",
    about_title: "About genscope",
    about_text: "genscope is a static site, written in Rust and compiled to WebAssembly, where you can play with \
                 small generative models. The models are trained by the project's own trainer from public data \
                 sets, with the same model code that runs here, and run on WebGPU compute shaders when your browser \
                 offers an adapter, or on the CPU in WebAssembly otherwise.",
    about_backend: "Backend",
    about_build: "Build",
    about_assets: "Assets",
    about_models: "Models",
    assets_loading: "loading the asset list…",
    assets_summary: "{files} files, {mb} MB",
    assets_unavailable: "unavailable (see the error above)",
    no_models: "This build ships no models for this page yet.",
    try_again: "Try again",
    assets_failed: "Could not load the site's assets",
    device_lost: "The WebGPU device was lost ({why}). The models now run on the CPU in WebAssembly; this page kept \
                  what you were doing. Reload to try WebGPU again.",
    page_failed: "Something failed on this page",
    card_title: "Model card: {name}",
    card_data: "Data",
    card_licence: "Licence",
    card_params: "Parameters",
    card_training: "Training",
    card_wall: "{seconds} s on {machine}",
    card_how: "How: ",
    card_curve: "training curve",
    tour_start: "Take the guided tour",
    tour_again: "Take the tour again",
    tour_label: "Guided tour",
    tour_progress: "Step {n} of {total}",
    tour_back: "Back",
    tour_next: "Next",
    tour_done: "Done",
    tour_skip: "Skip the tour",
};

/// 中文.
pub const ZH: ShellTexts = ShellTexts {
    document_title: "genscope — 看懂生成模型如何工作",
    fatal_title: "genscope 因错误而停止",
    fatal_hint: "页面的状态保存在网址里。重新加载即可继续。",
    fatal_reload: "重新加载",
    nav_lab: "二维实验室",
    lab_summary: "在你画出的点上用 EM 训练高斯混合模型，一次走半步，并用留出数据的对数似然来评判它。",
    nav_about: "关于",
    lang_label: "语言",
    status_backend: "后端：",
    choose_label: "模型在哪里运行",
    choose_auto: "实测最快",
    choose_cpu: "总用 CPU",
    choose_webgpu: "总用 WebGPU",
    backend_auto: "{adapter}，较快时改用 CPU",
    backend_auto_detail: "每个模型加载时都在两种后端上计时，然后在较快的那个上运行。计时结果按这块 GPU 和这个版本保存。",
    reason_no_webgpu: "这个浏览器不支持 WebGPU",
    reason_no_device: "WebGPU 没有给出设备（{why}）",
    reason_lost: "WebGPU 设备已丢失（{why}）；重新加载页面可再试 WebGPU",
    reason_chosen: "你在状态栏里选择了 CPU",
    calibration: "{model} {work}：CPU {cpu} 毫秒 · WebGPU {gpu} 毫秒 → {choice}",
    calibration_cut: "{model} {work}：CPU {cpu} 毫秒 · WebGPU 超过 {gpu} 毫秒 → {choice}",
    calibration_detail: "每种后端先预热一次，再取最多五次运行的中位数；较快的那个运行这个模型。WebGPU 的一次运行若比 CPU 慢三倍以上，就不再等它。",
    work_decode: "解码",
    work_grid: "生成 64 格",
    work_judge: "评判 64 张",
    work_step: "一步",
    status_build: "版本 ",
    backend_detecting: "检测中…",
    backend_detecting_detail: "正在向浏览器请求 WebGPU 适配器",
    backend_webgpu_detail: "模型在 WebGPU 计算着色器上运行",
    backend_cpu_detail: "模型在 WebAssembly 的 CPU 上运行：{reason}",
    not_found_title: "找不到页面",
    not_found_text: "这里没有页面。",
    not_found_link: "回到首页。",
    home_title: "看懂生成模型如何工作",
    home_lead: "本项目自己训练的小型生成模型，在你的浏览器里用 WebGPU 或 CPU 运行。没有任何数据发往服务器：\
                你看到的每个数字都是在这个页面上算出来的。",
    home_pages: "动手试试",
    map_title: "生成模型全景图",
    map_intro: "判别式模型（逻辑回归、支持向量机，以及本站给 GAN 数字打分的分类器）学习 p(y | x)：给定输入，判断它的\
                标签。生成式模型学习数据本身的分布 p(x)，因此能说出一个样本有多大可能，也能从中采样出新的样本。\
                七类模型用不同的方法做到这一点。",
    map_objective: "它们的训练目标相同：让训练数据出现的概率尽可能大。设数据为 x₁ … x_N、参数为 θ，最大化平均对数似然\
                    （等价于最小化负对数似然 NLL）：",
    map_family: "模型族",
    map_learns: "如何刻画 p(x)",
    map_evaluated: "如何评估",
    map_page: "去看看",
    map_coming: "即将推出",
    gmm_name: "高斯混合模型（GMM）",
    gmm_learns: "K 个高斯分布的加权和，用期望最大化（EM）算法拟合。",
    gmm_eval: "精确的负对数似然。",
    hmm_name: "隐马尔可夫模型（HMM）",
    hmm_learns: "一条隐状态链，每个状态产生一个观测；序列的概率由前向算法求出。",
    hmm_eval: "序列的精确负对数似然。",
    rbm_name: "受限玻尔兹曼机（RBM）",
    rbm_learns: "定义在可见单元与隐单元上的能量函数；用对比散度训练，用吉布斯采样生成。",
    rbm_eval: "差一个归一化常数的负对数似然（需估计）；样本质量。",
    vae_name: "变分自编码器（VAE）",
    vae_learns: "隐变量 z 加解码器 p(x | z)；编码器 q(z | x) 让 log p(x) 的下界 ELBO 可以训练。",
    vae_eval: "ELBO，以及用重要性采样（IWAE）估计的负对数似然。",
    gan_name: "生成对抗网络（GAN）",
    gan_learns: "生成器 G(z) 与判别器 D(x) 在极小极大博弈中对抗训练；完全不计算似然。",
    gan_eval: "样本质量：FID、精确率与召回率。",
    ar_name: "自回归模型",
    ar_learns: "p(x) = ∏ p(x_t | x_<t)：每次生成一个词元，条件是之前所有词元（本站用 Transformer）。",
    ar_eval: "每个词元的精确负对数似然；困惑度 = exp(NLL)。",
    flow_name: "流模型（标准化流）",
    flow_learns: "从高斯分布出发的可逆变换；由变量替换公式得到精确的似然。",
    flow_eval: "精确的负对数似然。",
    about_title: "关于 genscope",
    about_text: "genscope 是一个用 Rust 编写、编译成 WebAssembly 的静态网站，你可以在这里把玩小型生成模型。模型由本项目\
                 自己的训练程序在公开数据集上训练，所用的模型代码与这里运行的完全相同；浏览器提供适配器时在 WebGPU \
                 计算着色器上运行，否则在 WebAssembly 的 CPU 上运行。",
    about_backend: "后端",
    about_build: "版本",
    about_assets: "资源",
    about_models: "模型",
    assets_loading: "正在加载资源列表…",
    assets_summary: "{files} 个文件，{mb} MB",
    assets_unavailable: "不可用（见上方的错误）",
    no_models: "这个版本还没有为此页面提供模型。",
    try_again: "重试",
    assets_failed: "无法加载网站的资源",
    device_lost: "WebGPU 设备已丢失（{why}）。模型现在在 WebAssembly 的 CPU 上运行；你在此页面上的操作都已保留。\
                  重新加载可再次尝试 WebGPU。",
    page_failed: "此页面出了问题",
    card_title: "模型卡片：{name}",
    card_data: "数据",
    card_licence: "许可证",
    card_params: "参数量",
    card_training: "训练",
    card_wall: "{seconds} 秒，在 {machine} 上",
    card_how: "测量方法：",
    card_curve: "训练曲线",
    tour_start: "跟着导览走一遍",
    tour_again: "再看一遍导览",
    tour_label: "导览",
    tour_progress: "第 {n} 步，共 {total} 步",
    tour_back: "上一步",
    tour_next: "下一步",
    tour_done: "完成",
    tour_skip: "跳过导览",
};
