//! Error messages in Chinese. Core and the loaders say what went wrong in English, as data (`file: rule: detail`,
//! each part naming the file, field or number concerned); this table words each part in Chinese, matched like a
//! gettext message id with its arguments: `{0}`, `{1}`, … stand for the values (a file name, a count, a shape)
//! and reappear in the translation. The test runs core's whole corpus of bad inputs
//! (`genscope_core::samples`), the manifest's, the card's and the loaders' messages through it and fails on any
//! part left in English, so a new message cannot ship without its Chinese.

use super::Lang;

/// `(English part, 中文)`, most specific first: the first that matches a part is used.
const PARTS: &[(&str, &str)] = &[
    // Prefixes that core's errors put in front.
    ("bad weights", "权重有误"),
    ("shape mismatch", "形状不匹配"),
    ("backend error", "后端出错"),
    ("header", "文件头"),
    ("invalid type", "类型不对"),
    // llama2.c checkpoints.
    ("not a valid llama2.c checkpoint", "不是有效的 llama2.c 检查点"),
    ("{0} bytes is shorter than the {1}-byte header length", "只有 {0} 字节，比记录文件头长度的 {1} 字节还短"),
    ("{0} bytes is shorter than the {1}-byte header", "只有 {0} 字节，比 {1} 字节的文件头还短"),
    ("{0} bytes is shorter than its {1}-byte header", "只有 {0} 字节，比 {1} 字节的文件头还短"),
    ("header field {0} = {1} is outside {2}", "文件头字段 {0} = {1} 超出范围 {2}"),
    ("unsupported language model configuration", "不支持的语言模型配置"),
    ("unsupported {0} configuration", "不支持的 {0} 配置"),
    ("{0} = {1} does not divide {2} = {3}", "{0} = {1} 不能整除 {2} = {3}"),
    (
        "the header describes {0} bytes but the file has only {1} (truncated?)",
        "文件头描述了 {0} 字节，但文件只有 {1} 字节（被截断了？）",
    ),
    (
        "the header describes {0} bytes but the file has {1} (truncated, or not this format?)",
        "文件头描述了 {0} 字节，但文件有 {1} 字节（被截断了，还是根本不是这种格式？）",
    ),
    ("a llama2.c checkpoint has no vocabulary of its own", "llama2.c 检查点本身不含词表"),
    ("choose its tokenizer file (tokenizer.bin) too", "请同时选择它的分词器文件（tokenizer.bin）"),
    ("choose a tokenizer file (tokenizer.bin) too", "请同时选择一个分词器文件（tokenizer.bin）"),
    (
        "{0} parameters are more than the {1} genscope can hold (2 GiB of f32 weights, what a 32-bit browser can \
         address in one array)",
        "{0} 个参数，超过了 genscope 能容纳的 {1} 个（2 GiB 的 f32 权重，是 32 位浏览器一个数组能寻址的上限）",
    ),
    (
        "the model was trained on a context of {0} positions; genscope runs at most {1}, so the context is clipped \
         to {2}",
        "这个模型训练时的上下文是 {0} 个位置；genscope 最多运行 {1} 个，因此上下文截为 {2}",
    ),
    // Tokenizers.
    ("not a valid llama2.c tokenizer", "不是有效的 llama2.c 分词器"),
    (
        "ends inside a length at byte {0} (the model's vocabulary has {1} pieces)",
        "在第 {0} 字节处断在一个长度值中间（模型的词表有 {1} 个词元）",
    ),
    (
        "ends inside a score at byte {0} (the model's vocabulary has {1} pieces)",
        "在第 {0} 字节处断在一个分数值中间（模型的词表有 {1} 个词元）",
    ),
    (
        "ends inside a piece at byte {0} (the model's vocabulary has {1} pieces)",
        "在第 {0} 字节处断在一个词元中间（模型的词表有 {1} 个词元）",
    ),
    ("{0} bytes follow the {1} pieces of the model's vocabulary", "模型词表的 {1} 个词元之后还多出 {0} 字节"),
    (
        "this tokenizer has more pieces than the model has tokens (is it another model's tokenizer?)",
        "这个分词器的词元比模型的词表多（是不是别的模型的分词器？）",
    ),
    ("piece {0} claims {1} bytes, outside {2}", "第 {0} 个词元声称有 {1} 字节，超出范围 {2}"),
    ("piece {0} is not UTF-8", "第 {0} 个词元不是 UTF-8 文本"),
    ("piece {0} has score {1}", "第 {0} 个词元的分数是 {1}"),
    (
        "a tokenizer needs one score per piece and at least one piece ({0} pieces, {1} scores)",
        "分词器至少要有一个词元，且每个词元一个分数（现有 {0} 个词元、{1} 个分数）",
    ),
    // safetensors files and their metadata.
    ("not a valid safetensors file", "不是有效的 safetensors 文件"),
    ("the header length {0} is over the format's limit of {1} bytes", "文件头长度 {0} 超过了格式上限 {1} 字节"),
    ("EOF while parsing a value at line {0} column {1}", "解析 JSON 值时文件提前结束（第 {0} 行第 {1} 列）"),
    ("EOF while parsing an object at line {0} column {1}", "解析 JSON 对象时文件提前结束（第 {0} 行第 {1} 列）"),
    ("EOF while parsing a string at line {0} column {1}", "解析 JSON 字符串时文件提前结束（第 {0} 行第 {1} 列）"),
    ("EOF while parsing a list at line {0} column {1}", "解析 JSON 列表时文件提前结束（第 {0} 行第 {1} 列）"),
    ("expected value at line {0} column {1}", "此处应有一个 JSON 值（第 {0} 行第 {1} 列）"),
    (
        "the key `{0}` appears twice (the format allows each key once) at line {1} column {2}",
        "键 `{0}` 出现了两次（格式只允许每个键出现一次）（第 {1} 行第 {2} 列）",
    ),
    (
        "tensor `{0}` has no data_offsets [start, end] of two whole numbers",
        "张量 `{0}` 缺少由两个整数组成的 data_offsets [start, end]",
    ),
    ("tensor `{0}` has dtype {1}; genscope reads F32, F16 and BF16", "张量 `{0}` 的数据类型是 {1}；genscope 只读 F32、F16 和 BF16"),
    ("invalid shape, data type, or offset for tensor", "张量的形状、数据类型或偏移量无效"),
    (
        "no `config` in the safetensors metadata, so the architecture is unknown",
        "safetensors 元数据里没有 `config`，无法得知模型结构",
    ),
    ("no `vocab` metadata", "没有 `vocab` 元数据"),
    ("bad `{0}` metadata", "`{0}` 元数据有误"),
    ("missing field `{0}` at line {1} column {2}", "缺少字段 `{0}`（第 {1} 行第 {2} 列）"),
    ("unknown field `{0}`, expected {1}", "未知字段 `{0}`，应为 {1}"),
    ("{0}, expected {1} at line {2} column {3}", "得到 {0}，应为 {1}（第 {2} 行第 {3} 列）"),
    ("the `vocab` metadata lists {0} pieces for a vocab_size of {1}", "`vocab` 元数据列出 {0} 个词元，而 vocab_size 是 {1}"),
    // Language model configurations.
    (
        "head_dim = dim / n_heads = {0} / {1} = {2} is odd; rotary positions need an even head_dim",
        "head_dim = dim / n_heads = {0} / {1} = {2} 是奇数；旋转位置编码需要偶数的 head_dim",
    ),
    ("seq_len = {0} is outside {1}, the longest context genscope runs", "seq_len = {0} 超出范围 {1}（genscope 能运行的最长上下文）"),
    ("{0} = {1} is not a positive finite number", "{0} = {1} 不是有限的正数"),
    ("{0} = {1} is outside {2}", "{0} = {1} 超出范围 {2}"),
    // IDX image and label files.
    (
        "not an unsigned-byte IDX file (it must start with the bytes 0, 0, 8)",
        "不是无符号字节的 IDX 文件（开头必须是字节 0, 0, 8）",
    ),
    ("the header of {0} bytes ({1} sizes) is cut short", "{0} 字节的文件头（{1} 个尺寸）不完整"),
    ("the file has {0} bytes", "文件只有 {0} 字节"),
    (
        "its header (shape {0}) promises {1} data bytes but the file has {2} after the {3}-byte header",
        "文件头（形状 {0}）声明有 {1} 字节数据，但 {3} 字节的文件头之后只有 {2} 字节",
    ),
    ("the file is cut short", "文件不完整"),
    (
        "images need 3 sizes [count, height, width], the file has {0} ({1})",
        "图像需要 3 个尺寸 [数量, 高, 宽]，这个文件有 {0} 个（{1}）",
    ),
    (
        "labels need 1 size [count] equal to the {0} images of {1}, the file has {2}",
        "标签需要 1 个尺寸 [数量]，并等于 {1} 的 {0} 张图像，这个文件是 {2}",
    ),
    ("its images are {0}×{1} pixels, but the model takes {2}×{3}", "图像是 {0}×{1} 像素，而模型需要 {2}×{3}"),
    ("image {0} has label {1}, outside the {2} classes {3}", "第 {0} 张图像的标签是 {1}，不在 {2} 个类别 {3} 之内"),
    // Weights for a model's configuration.
    ("{0} values do not fill shape {1}", "{0} 个值填不满形状 {1}"),
    ("shape {0} has more elements than memory can hold", "形状 {0} 的元素个数超出了内存能容纳的范围"),
    ("missing tensor `{0}` (expected shape {1})", "缺少张量 `{0}`（应为形状 {1}）"),
    ("missing tensor `{0}`", "缺少张量 `{0}`"),
    ("tensor `{0}` has shape {1}, the configuration expects {2}", "张量 `{0}` 的形状是 {1}，而配置要求 {2}"),
    ("tensor `{0}` holds a non-finite value at index {1}", "张量 `{0}` 在下标 {1} 处有非有限值"),
    ("tensor `{0}`", "张量 `{0}`"),
    ("unexpected tensors for this configuration", "有这个配置用不到的张量"),
    ("its {0} configuration does not parse", "它的 {0} 配置无法解析"),
    // The asset manifest.
    ("{0} is not a valid asset manifest", "{0} 不是有效的资源清单"),
    ("{0} has format {1}, this build reads format {2}", "{0} 的格式版本是 {1}，这个版本的网站只读格式 {2}"),
    ("{0} lists a bad entry {1}", "{0} 里有一个无效条目 {1}"),
    ("path must start with assets/", "路径必须以 assets/ 开头"),
    ("path must not contain empty or '..' parts", "路径里不能有空的部分或 '..'"),
    ("sha256 must be 64 lower-case hex digits", "sha256 必须是 64 个小写十六进制数字"),
    ("{0} is not listed in {1}", "{0} 不在 {1} 中"),
    ("{0} has {1} bytes, expected {2} (truncated or replaced file?)", "{0} 有 {1} 字节，应为 {2} 字节（文件被截断或被替换了？）"),
    ("{0} is corrupt", "{0} 已损坏"),
    ("its SHA-256 does not match {0}", "它的 SHA-256 与 {0} 不符"),
    // Model cards.
    ("not a valid model card", "不是有效的模型卡片"),
    ("{0} bytes, more than the {1} a card may have", "{0} 字节，超过了卡片允许的 {1} 字节"),
    ("unknown model kind {0} (expected {1})", "未知的模型类型 {0}（应为 {1} 之一）"),
    ("unknown data set {0} (expected {1})", "未知的数据集 {0}（应为 {1} 之一）"),
    ("its name is empty", "名称为空"),
    ("{0} vocabulary entries for a vocab_size of {1}", "有 {0} 个词表条目，而 vocab_size 是 {1}"),
    // Downloads (crate::models).
    ("request failed", "请求失败"),
    (
        "the server could not be reached, and this file has not been saved for offline use yet (it is saved once a \
         page has used it online) ({0})",
        "无法连接服务器，而这个文件还没有保存下来供离线使用（页面在线用过它一次之后才会保存）（{0}）",
    ),
    ("the server answered HTTP {0}", "服务器返回 HTTP {0}"),
    ("could not read the body", "无法读取响应内容"),
];

/// `message` (parts joined by `: `) in `lang`: each part the table knows in Chinese, the rest (file and field
/// names, a part it does not know) as it is.
pub fn say(message: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return message.to_owned();
    }
    message
        .split(": ")
        .map(|part| translate(part).unwrap_or_else(|| part.to_owned()))
        .collect::<Vec<_>>()
        .join("：")
}

/// One part in Chinese, if the table has it.
fn translate(part: &str) -> Option<String> {
    PARTS.iter().find_map(|(key, zh)| {
        let values = matches(key, part)?;
        Some(
            values
                .iter()
                .enumerate()
                .fold(zh.to_string(), |out, (i, v)| {
                    out.replace(&format!("{{{i}}}"), v)
                }),
        )
    })
}

/// The values of `key`'s `{0}`, `{1}`, … in `text`, if `text` has `key`'s shape: each value is the shortest
/// non-empty run up to the literal text that follows it (the last takes the rest).
fn matches<'a>(key: &str, text: &'a str) -> Option<Vec<&'a str>> {
    let mut literals = vec![];
    let mut rest = key;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}')?;
        literals.push(&rest[..open]);
        rest = &rest[close + 1..];
    }
    literals.push(rest);
    let mut text = text.strip_prefix(literals[0])?;
    let mut values = vec![];
    for (i, literal) in literals.iter().enumerate().skip(1) {
        let last = i == literals.len() - 1;
        let end = if last && literal.is_empty() {
            text.len()
        } else if last {
            // The last literal ends the text.
            let end = text.len().checked_sub(literal.len())?;
            (text.is_char_boundary(end) && &text[end..] == *literal).then_some(end)?
        } else {
            // Shortest value: the first place the next literal appears after at least one character.
            let skip = text.chars().next()?.len_utf8();
            skip + text[skip..].find(literal)?
        };
        if end == 0 {
            return None;
        }
        values.push(&text[..end]);
        text = &text[end + literal.len()..];
    }
    (text.is_empty()).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use genscope_core::card::ModelCard;
    use genscope_core::manifest::AssetManifest;

    /// What the e2e language check flags: a run of three or more English words.
    fn english_run(text: &str) -> Option<String> {
        let mut run = vec![];
        for word in
            text.split(|c: char| c.is_whitespace() || "，。：；、（）()·—–,.:;!?\"“”".contains(c))
        {
            if word.len() >= 2 && word.chars().all(|c| c.is_ascii_alphabetic() || c == '\'') {
                run.push(word);
                if run.len() >= 3 {
                    return Some(run.join(" "));
                }
            } else if !word.is_empty() {
                run.clear();
            }
        }
        None
    }

    fn every_message() -> Vec<String> {
        let mut all: Vec<String> = genscope_core::samples::bad_inputs()
            .into_iter()
            .map(|(_, e, _)| e.to_string())
            .collect();
        for card in [
            "{".to_string(),
            r#"{"name":"m","kind":"flow"}"#.into(),
            r#"{"name":"m","kind":"lm","dataset":"cifar"}"#.into(),
            " ".repeat(300_000),
        ] {
            all.push(ModelCard::parse(card.as_bytes()).unwrap_err().to_string());
        }
        let entry = |path: &str, sha: &str| {
            format!(
                r#"{{"format":1,"build":"b","files":[{{"path":"{path}","bytes":3,"sha256":"{sha}"}}]}}"#
            )
        };
        let zeros = "0".repeat(64);
        let m = AssetManifest::parse(&entry("assets/a.bin", &zeros)).unwrap();
        all.push(m.verify("assets/a.bin", b"ab").unwrap_err().to_string());
        all.push(m.verify("assets/a.bin", b"abc").unwrap_err().to_string());
        all.push(m.verify("assets/b.bin", b"abc").unwrap_err().to_string());
        for bad in [
            "[".to_string(),
            r#"{"format":99,"build":"b","files":[]}"#.into(),
            entry("models/a.bin", &zeros),
            entry("assets/../a.bin", &zeros),
            entry("assets/a.bin", "xyz"),
        ] {
            all.push(AssetManifest::parse(&bad).unwrap_err().to_string());
        }
        all.push(
            "own.bin: the model was trained on a context of 2048 positions; genscope runs at most 1024, so the \
             context is clipped to 1024"
                .into(),
        );
        all.extend([
            "assets/x.bin: request failed: the server could not be reached, and this file has not been saved for \
             offline use yet (it is saved once a page has used it online) (TypeError)"
                .to_string(),
            "assets/x.bin: the server answered HTTP 404 Not Found".into(),
            "assets/x.bin: could not read the body: TypeError".into(),
        ]);
        all
    }

    #[test]
    fn every_message_the_readers_give_reads_in_chinese() {
        let all = every_message();
        assert!(all.len() >= 55, "{} messages", all.len());
        for message in all {
            let zh = say(&message, Lang::Zh);
            // A part without a space is a name (a file, a field) and stays; every other part has its Chinese.
            for part in message.split(": ").filter(|p| p.contains(' ')) {
                assert!(
                    translate(part).is_some(),
                    "no Chinese for {part:?} (in {message:?})"
                );
            }
            assert!(!zh.contains('{'), "an unfilled value in {zh}");
            assert_eq!(say(&message, Lang::En), message);
        }
    }

    #[test]
    fn the_table_s_own_words_are_chinese() {
        for (key, zh) in PARTS {
            // The values (names, numbers, lists of names) are data; the words around them must be Chinese.
            let words: String =
                (0..4).fold(zh.to_string(), |t, i| t.replace(&format!("{{{i}}}"), " "));
            assert_eq!(english_run(&words), None, "{key} → {zh}");
            let count = |t: &str| (0..4).filter(|i| t.contains(&format!("{{{i}}}"))).count();
            assert_eq!(count(key), count(zh), "{key} → {zh}: a value is lost");
        }
    }

    #[test]
    fn values_keep_their_place_and_order() {
        assert_eq!(
            say("own.bin: not a valid llama2.c checkpoint: 10 bytes is shorter than the 28-byte header", Lang::Zh),
            "own.bin：不是有效的 llama2.c 检查点：只有 10 字节，比 28 字节的文件头还短"
        );
        assert_eq!(
            say(
                "imgs.idx: its images are 2×2 pixels, but the model takes 28×28",
                Lang::Zh
            ),
            "imgs.idx：图像是 2×2 像素，而模型需要 28×28"
        );
        assert_eq!(matches("a {0} b {1}", "a x y b z"), Some(vec!["x y", "z"]));
        assert_eq!(matches("a {0} b", "a  b"), None);
        assert_eq!(matches("a {0} b", "a x c"), None);
        assert_eq!(say("something new: odd", Lang::Zh), "something new：odd");
    }
}
