//! The LM page's words: headings, controls, the chart, the attention view, the text's summary line, the prompt
//! box, the visitor's own model, the notes on the prompt and the context, and the page's own error sentences.
//! (Model output, model and file names, and messages quoted from the core crate stay as they are.)

use crate::i18n::texts;

texts! {
    /// The LM page's section of the catalogue.
    LmTexts {
        /// The page's heading.
        title,
        /// The paragraph under the heading.
        lead,
        /// While the model loads.
        loading_model,
        /// The panel's title when the model could not be loaded.
        load_failed,
        /// Before the link's notes (what in the link could not be used).
        url_notes,
        /// Between two notes of one line (the link's, the visitor's file's).
        notes_separator,
        /// The panel's title when the sampling settings give no distribution.
        cannot_sample,
        /// Before the prompt's first forward pass lands.
        running_prompt,
        /// The speed line, before the backend's name: `{ms}` per forward pass, `{rate}` tokens per second.
        token_rate,
        /// The message when the prompt could not be run into the model, with the `{error}`.
        prompt_failed,
        /// Failure panel: running the model failed.
        stopped_title,
        /// Failure panel: the visitor's `{file}` could not be opened as a model.
        own_file_title,
        /// Controls: one token.
        step,
        /// Controls: step on a timer.
        play,
        /// Controls: stop the timer.
        pause,
        /// Controls: undo the last token.
        back,
        /// Controls: run the prompt again from the start.
        reset,
        /// Controls: the speed picker's accessible label.
        speed_label,
        /// Play's slow speed.
        speed_slow,
        /// Play's normal speed.
        speed_normal,
        /// Play's fast speed.
        speed_fast,
        /// Sampling: the temperature slider's label.
        temperature,
        /// Sampling: the top-k box's label.
        top_k,
        /// Sampling: the top-p slider's label.
        top_p,
        /// Sampling: the seed box's label.
        seed,
        /// Sampling: the greedy checkbox's label (after the box).
        greedy,
        /// The model picker's label.
        model_label,
        /// The prompt box's accessible label.
        prompt_label,
        /// The empty prompt box's placeholder.
        prompt_placeholder,
        /// The button that runs the prompt from the start.
        run_prompt,
        /// Own model: the summary of its fold-out.
        own_title,
        /// Own model: the checkpoint picker's label.
        own_checkpoint,
        /// Own model: the tokenizer picker's label.
        own_tokenizer,
        /// Own model: the button that opens the files.
        own_open,
        /// Own model: "Open" with no checkpoint chosen.
        own_choose_first,
        /// Own model: while `{file}` is read.
        own_reading,
        /// Own model: `{file}` could not be read, with the browser's `{error}`.
        own_read_failed,
        /// Own model: its name in the picker, with its `{file}`.
        own_name,
        /// Chart: heading.
        chart_title,
        /// Chart: what the bars are.
        chart_hint,
        /// Chart: a candidate's tooltip: token `{id}` (`{piece}`), its `{raw}` and `{processed}` percentages, `{cut}`.
        chart_tooltip,
        /// Chart: the tooltip's mark on a candidate the settings cut.
        chart_cut,
        /// Chart: the row of the `{n}` other tokens.
        chart_others,
        /// Chart: before the entropy.
        entropy,
        /// Chart: the entropy's unit, after it.
        nats,
        /// Attention: heading.
        attention_title,
        /// Attention: the layer picker's label.
        layer,
        /// Attention: the head picker's label.
        head,
        /// Attention: how to read the cells.
        attention_hint,
        /// Text: `{n}` (one) token generated.
        generated_one,
        /// Text: `{n}` (several, or none) tokens generated.
        generated_many,
        /// Text: after the count, `{forced}` tokens the visitor chose.
        generated_forced,
        /// Text: before the perplexity.
        perplexity,
        /// Text: a generated token's tooltip: `{p}` percent, `{rank}`, then `{chosen}`.
        token_tooltip,
        /// Text: the tooltip's mark on a token the visitor chose.
        token_chosen,
        /// Text: the script switch's accessible label.
        script_label,
        /// Text: the switch to the model's own script (Traditional).
        script_traditional,
        /// Text: the switch to Simplified.
        script_simplified,
        /// Note: `{count}` characters of the prompt are outside the vocabulary; `{chars}` lists them.
        note_unknown,
        /// Note: the prompt was converted to the model's script; `{changes}` lists them (床→牀).
        note_converted,
        /// Between the items of a note's list.
        list_separator,
        /// Note: the prompt is empty.
        note_empty,
        /// Note: the prompt's `{tokens}` do not fit the `{context}`; the model reads the last `{read}`.
        note_long,
        /// Note: the context was full at token `{at}` and slid to the last `{kept}`.
        note_slid,
        /// Error: the model gave back nothing to read.
        no_logits,
        /// Error: in `{file}`, the tokenizer's `{pieces}` and the model's `{vocab}` differ.
        vocab_mismatch,
        /// Error: the site's asset list is not there.
        assets_not_loaded,
        /// Error: `{file}` is a card of another `{kind}`.
        not_an_lm,
        /// Error: token `{id}` is outside the vocabulary of `{size}`.
        not_in_vocab,
    }
}

/// English.
pub const EN: LmTexts = LmTexts {
    title: "Token by token through a language model",
    lead: "A small transformer trained here predicts the next character. Step it, change how it samples, or pick a \
           candidate yourself.",
    loading_model: "Loading the model…",
    load_failed: "Could not load this language model",
    url_notes: "The link's state could not all be used: ",
    notes_separator: "; ",
    cannot_sample: "These settings cannot sample",
    running_prompt: "Running the prompt…",
    token_rate: "{ms} ms per forward ({rate} tokens/s) · ",
    prompt_failed: "running the prompt failed: {error}",
    stopped_title: "The language model stopped",
    own_file_title: "Could not open your model ({file})",
    step: "Step",
    play: "Play",
    pause: "Pause",
    back: "Back",
    reset: "Reset",
    speed_label: "play speed",
    speed_slow: "slow",
    speed_normal: "normal",
    speed_fast: "fast",
    temperature: "Temperature ",
    top_k: "top-k ",
    top_p: "top-p ",
    seed: "seed ",
    greedy: " greedy",
    model_label: "Model ",
    prompt_label: "prompt",
    prompt_placeholder: "Type a prompt (any text)",
    run_prompt: "Run prompt",
    own_title: "Open your own model",
    own_checkpoint: "Checkpoint (.bin or .safetensors) ",
    own_tokenizer: " tokenizer.bin ",
    own_open: "Open",
    own_choose_first: "Choose a checkpoint file first.",
    own_reading: "Reading {file}…",
    own_read_failed: "Could not read {file}: {error}",
    own_name: "your model ({file})",
    chart_title: "Next token",
    chart_hint: "Grey bar: the model (temperature 1). Blue bar: after temperature, top-k, top-p. Click a candidate \
                 to take it.",
    chart_tooltip: "token {id} {piece}: model {raw}%, after settings {processed}%{cut}",
    chart_cut: " (cut)",
    chart_others: "{n} others",
    entropy: "Entropy: ",
    nats: " nats",
    attention_title: "Attention of the latest token",
    layer: "Layer ",
    head: "Head ",
    attention_hint: "Darker: more weight. The last cell is the latest token itself.",
    generated_one: "{n} token generated",
    generated_many: "{n} tokens generated",
    generated_forced: ", {forced} chosen by you (underlined)",
    perplexity: " · perplexity of the generated text: ",
    token_tooltip: "p = {p}% (rank {rank}){chosen}",
    token_chosen: ", chosen by you",
    script_label: "Script of the text shown",
    script_traditional: "繁體 (the model's)",
    script_simplified: "简体",
    note_unknown: "{count} distinct characters are not in this model's vocabulary and are shown as ⟨unk⟩: {chars}",
    note_converted: "The prompt was converted to the model's script (Traditional, as it was trained): {changes}",
    list_separator: ", ",
    note_empty: "The prompt is empty: the model starts after a newline.",
    note_long: "The prompt has {tokens} tokens; the model's context holds {context}, so it reads the last {read}.",
    note_slid: "The context was full at token {at}: it slid to the last {kept} tokens (their cache recomputed).",
    no_logits: "the model returned no logits",
    vocab_mismatch: "{file}: the tokenizer has {pieces} pieces but the model's vocabulary has {vocab}",
    assets_not_loaded: "the asset list is not loaded",
    not_an_lm: "{file}: a {kind} card, not a language model",
    not_in_vocab: "token {id} is not in the vocabulary of {size}",
};

/// 中文.
pub const ZH: LmTexts = LmTexts {
    title: "逐个词元看语言模型如何生成",
    lead: "一个在本站训练的小型 Transformer 会预测下一个字符。你可以单步运行它、调整采样方式，或者亲自挑选候选词元。",
    loading_model: "正在加载模型…",
    load_failed: "无法加载这个语言模型",
    url_notes: "链接中的部分状态无法使用：",
    notes_separator: "；",
    cannot_sample: "这些设置无法采样",
    running_prompt: "正在运行提示词…",
    token_rate: "每次前向传播 {ms} ms（{rate} 词元/秒）· ",
    prompt_failed: "运行提示词失败：{error}",
    stopped_title: "语言模型已停止运行",
    own_file_title: "无法打开你的模型（{file}）",
    step: "单步",
    play: "播放",
    pause: "暂停",
    back: "后退",
    reset: "重置",
    speed_label: "播放速度",
    speed_slow: "慢",
    speed_normal: "中",
    speed_fast: "快",
    temperature: "温度 ",
    top_k: "top-k ",
    top_p: "top-p ",
    seed: "随机种子 ",
    greedy: " 贪心解码",
    model_label: "模型 ",
    prompt_label: "提示词",
    prompt_placeholder: "输入提示词（任意文本）",
    run_prompt: "运行提示词",
    own_title: "打开你自己的模型",
    own_checkpoint: "检查点（.bin 或 .safetensors） ",
    own_tokenizer: " 分词器（tokenizer.bin） ",
    own_open: "打开",
    own_choose_first: "请先选择一个检查点文件。",
    own_reading: "正在读取 {file}…",
    own_read_failed: "无法读取 {file}：{error}",
    own_name: "你的模型（{file}）",
    chart_title: "下一个词元",
    chart_hint: "灰色条：模型本身的概率（温度 1）。蓝色条：经过温度、top-k、top-p 处理后的概率。点击候选词元即可选用它。",
    chart_tooltip: "词元 {id} {piece}：模型 {raw}%，按当前设置 {processed}%{cut}",
    chart_cut: "（已被截断）",
    chart_others: "其余 {n} 个",
    entropy: "熵：",
    nats: " 奈特",
    attention_title: "最新词元的注意力",
    layer: "层 ",
    head: "注意力头 ",
    attention_hint: "颜色越深，权重越大。最后一格是最新词元自身。",
    generated_one: "已生成 {n} 个词元",
    generated_many: "已生成 {n} 个词元",
    generated_forced: "，其中 {forced} 个由你选定（带下划线）",
    perplexity: " · 生成文本的困惑度：",
    token_tooltip: "p = {p}%（排第 {rank} 位）{chosen}",
    token_chosen: "，由你选定",
    script_label: "文本显示的字体",
    script_traditional: "繁體（模型所用）",
    script_simplified: "简体",
    note_unknown: "有 {count} 个不同的字符不在此模型的词表中，显示为 ⟨unk⟩：{chars}",
    note_converted: "提示词已转换为模型训练时所用的繁体字：{changes}",
    list_separator: "、",
    note_empty: "提示词为空：模型从一个换行符之后开始生成。",
    note_long: "提示词有 {tokens} 个词元，而模型的上下文窗口只能容纳 {context} 个，因此只读取最后 {read} 个。",
    note_slid: "在第 {at} 个词元处上下文窗口已满：窗口滑动到最后 {kept} 个词元（重新计算了它们的缓存）。",
    no_logits: "模型没有返回 logits",
    vocab_mismatch: "{file}：分词器有 {pieces} 个词元，但模型的词表大小是 {vocab}",
    assets_not_loaded: "资源列表尚未加载",
    not_an_lm: "{file}：这是 {kind} 模型的卡片，不是语言模型",
    not_in_vocab: "词元 {id} 不在大小为 {size} 的词表中",
};
