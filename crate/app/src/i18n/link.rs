//! What a link said that could not be used, in the visitor's language: the words for core's [`LinkNote`]s.

use genscope_core::query::LinkNote;

use super::{fill, texts, Lang};

texts! {
    /// The link notes' words.
    LinkTexts {
        /// The query was `{len}` characters long; only the first `{max}` were read.
        truncated,
        /// `{key}={raw}` is outside `{min}…{max}`; `{used}` is used.
        out_of_range,
        /// `{key}={raw}` is not a number.
        not_a_number,
        /// `{key}` had values beyond ±`{bound}`.
        clamped,
        /// `{key}={raw}` is not a list of `{len}` finite numbers.
        not_a_list,
        /// `{key}={raw}` is not one of `{allowed}`.
        not_one_of,
        /// Between the allowed values.
        separator,
    }
}

/// English.
pub const EN: LinkTexts = LinkTexts {
    truncated: "the link's state was {len} characters long; only the first {max} were read",
    out_of_range: "{key}={raw} is outside {min}…{max}; using {used}",
    not_a_number: "{key}={raw} is not a number; using the default",
    clamped: "{key} had values beyond ±{bound}; they were clamped",
    not_a_list: "{key}={raw} is not a list of {len} finite numbers; using the default",
    not_one_of: "{key}={raw} is not one of {allowed}; using the default",
    separator: ", ",
};

/// 中文.
pub const ZH: LinkTexts = LinkTexts {
    truncated: "链接中的状态长 {len} 个字符，只读取了前 {max} 个",
    out_of_range: "{key}={raw} 超出范围 {min}…{max}，改用 {used}",
    not_a_number: "{key}={raw} 不是数字，改用默认值",
    clamped: "{key} 中有超出 ±{bound} 的值，已截到范围内",
    not_a_list: "{key}={raw} 不是由 {len} 个有限数字组成的列表，改用默认值",
    not_one_of: "{key}={raw} 不是 {allowed} 之一，改用默认值",
    separator: "、",
};

/// `note` in `lang`.
pub fn words(note: &LinkNote, lang: Lang) -> String {
    let t = of(lang);
    let n = |v: f32| v.to_string();
    match note {
        LinkNote::Truncated { len } => fill(
            t.truncated,
            &[
                ("len", &len.to_string()),
                ("max", &genscope_core::query::MAX_QUERY_LEN.to_string()),
            ],
        ),
        LinkNote::OutOfRange {
            key,
            raw,
            min,
            max,
            used,
        } => fill(
            t.out_of_range,
            &[
                ("key", key),
                ("raw", raw),
                ("min", &n(*min)),
                ("max", &n(*max)),
                ("used", &n(*used)),
            ],
        ),
        LinkNote::NotANumber { key, raw } => fill(t.not_a_number, &[("key", key), ("raw", raw)]),
        LinkNote::Clamped { key, bound } => fill(t.clamped, &[("key", key), ("bound", &n(*bound))]),
        LinkNote::NotAList { key, raw, len } => fill(
            t.not_a_list,
            &[("key", key), ("raw", raw), ("len", &len.to_string())],
        ),
        LinkNote::NotOneOf { key, raw, allowed } => fill(
            t.not_one_of,
            &[
                ("key", key),
                ("raw", raw),
                ("allowed", &allowed.join(t.separator)),
            ],
        ),
        LinkNote::Page(words) => words.clone(),
    }
}

/// Every note of a link in `lang`.
pub fn all(notes: &[LinkNote], lang: Lang) -> Vec<String> {
    notes.iter().map(|n| words(n, lang)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use genscope_core::query::Query;

    #[test]
    fn every_note_reads_in_both_languages_with_its_values() {
        let mut q = Query::parse("t=9&s=x&z=1e30,0&w=1&m=zz");
        q.number("t", 0.0, 2.0);
        q.number("s", 0.0, 2.0);
        q.numbers("z", 2, 3.0);
        q.numbers("w", 2, 3.0);
        q.choice("m", &["a", "b"]);
        q.notes.push(LinkNote::Page("pin=70 is not a cell".into()));
        assert_eq!(
            all(&q.notes, Lang::En),
            [
                "t=9 is outside 0…2; using 2",
                "s=x is not a number; using the default",
                "z had values beyond ±3; they were clamped",
                "w=1 is not a list of 2 finite numbers; using the default",
                "m=zz is not one of a, b; using the default",
                "pin=70 is not a cell",
            ]
        );
        assert_eq!(
            all(&q.notes, Lang::Zh)[..5],
            [
                "t=9 超出范围 0…2，改用 2",
                "s=x 不是数字，改用默认值",
                "z 中有超出 ±3 的值，已截到范围内",
                "w=1 不是由 2 个有限数字组成的列表，改用默认值",
                "m=zz 不是 a、b 之一，改用默认值",
            ]
        );
        let long = Query::parse(&"x".repeat(20_000));
        assert!(words(&long.notes[0], Lang::Zh).contains("20000"));
    }
}
