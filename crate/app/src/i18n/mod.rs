//! 中文 / English: the visitor's language, and the typed catalogue every visible string comes from.
//!
//! The catalogue is a set of sections, one struct per part of the site (the shell here, each page in its folder's
//! `texts.rs`), declared with [`texts!`]: a key is a field, so a key missing from either language is a compile
//! error, and each section's test (`check_section`) fails on an empty entry, on placeholders (`{name}`) that
//! differ between the languages, or on a Chinese entry still written in English. Parameters are filled with
//! [`fill`], so a translation can put them where its grammar wants them.
//!
//! The language comes from the link (`lang=zh`), else the visitor's last choice (`localStorage`), else the
//! browser's preferred languages; the header's switch changes it, and it is kept in the link and in storage.

pub mod cards;
pub mod errors;
pub mod link;
pub mod metrics;
pub mod shell;

use std::cell::Cell;

pub use genscope_core::lang::Lang;
use yew::prelude::*;

use crate::url;

/// Declares one section of the catalogue: a struct with one `&'static str` per key, its [`Section`] entries, the
/// module's `of(lang)` and a test that both languages are complete. The module then defines `EN` and `ZH` as
/// `const`s of that struct; a missing key does not compile.
macro_rules! texts {
    ($(#[$meta:meta])* $name:ident { $( $(#[$doc:meta])* $key:ident, )* }) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$doc])* pub $key: &'static str, )*
        }

        impl $crate::i18n::Section for $name {
            fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![ $( (stringify!($key), self.$key) ),* ]
            }
        }

        /// The section in `lang` (the module's `EN` or `ZH`).
        pub fn of(lang: $crate::i18n::Lang) -> &'static $name {
            match lang {
                $crate::i18n::Lang::En => &EN,
                $crate::i18n::Lang::Zh => &ZH,
            }
        }

        #[cfg(test)]
        #[test]
        fn both_languages_are_complete() {
            $crate::i18n::check::section(&EN, &ZH);
        }
    };
}
pub(crate) use texts;

/// A section of the catalogue, listed as `(key, text)` pairs (for the catalogue tests).
#[allow(dead_code)] // read by the catalogue tests only
pub trait Section {
    /// Every key with its text.
    fn entries(&self) -> Vec<(&'static str, &'static str)>;
}

/// `template` with each `{name}` replaced by its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// A number with `decimals` places, thousands grouped (both languages write Arabic digits with comma groups).
pub fn number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "–".into();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    match fraction {
        "" => format!("{sign}{grouped}"),
        f => format!("{sign}{grouped}.{f}"),
    }
}

/// The language and how to change it, provided by the shell to every component.
#[derive(Clone, PartialEq)]
pub struct LangContext {
    /// The language shown.
    pub lang: Lang,
    /// Changes it (and remembers the choice).
    pub set: Callback<Lang>,
}

/// The language the page is shown in (English outside the shell's provider, e.g. in a component test).
#[hook]
pub fn use_lang() -> Lang {
    use_context::<LangContext>().map_or(Lang::En, |c| c.lang)
}

thread_local! {
    /// The language last applied, for code outside components (the panic panel).
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// The language last applied to the document.
pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

const STORAGE_KEY: &str = "genscope-lang";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The language to start in: the link's `lang=`, else the stored choice, else the browser's languages.
pub fn initial() -> Lang {
    let from_link = url::current_query().get("lang").and_then(Lang::parse);
    let stored = || storage()?.get_item(STORAGE_KEY).ok().flatten();
    let from_storage = || stored().as_deref().and_then(Lang::parse);
    from_link.or_else(from_storage).unwrap_or_else(|| {
        let languages: Vec<String> = web_sys::window()
            .map(|w| {
                w.navigator()
                    .languages()
                    .iter()
                    .filter_map(|l| l.as_string())
                    .collect()
            })
            .unwrap_or_default();
        Lang::from_browser(languages.iter().map(String::as_str))
    })
}

/// Shows the document in `lang`: its `lang` attribute and title, the static panels of index.html, and the link
/// (`lang=` is written into every link from now on). `chosen` also stores it as the visitor's choice.
pub fn apply(lang: Lang, chosen: bool) {
    CURRENT.with(|c| c.set(lang));
    let t = shell::of(lang);
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        if let Some(root) = document.document_element() {
            let _ = root.set_attribute("lang", lang.html_tag());
        }
        document.set_title(t.document_title);
        for (id, text) in [
            ("fatal-title", t.fatal_title),
            ("fatal-hint", t.fatal_hint),
            ("fatal-reload", t.fatal_reload),
        ] {
            if let Some(element) = document.get_element_by_id(id) {
                element.set_text_content(Some(text));
            }
        }
    }
    url::set_site_param("lang", lang.code());
    if chosen {
        if let Some(storage) = storage() {
            let _ = storage.set_item(STORAGE_KEY, lang.code());
        }
    }
}

/// Test helpers: a section's two languages agree and are complete.
#[cfg(test)]
pub mod check {
    use super::Section;

    fn placeholders(text: &str) -> Vec<String> {
        let mut out: Vec<String> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
            .collect();
        out.sort();
        out
    }

    /// The longest run of English words (letters only, two or more letters) in `text`.
    fn english_run(text: &str) -> usize {
        let mut longest = 0;
        let mut run = 0;
        for word in text.split(|c: char| c.is_whitespace() || "，。：；、（）()".contains(c))
        {
            if word.len() >= 2 && word.chars().all(|c| c.is_ascii_alphabetic() || c == '\'') {
                run += 1;
                longest = longest.max(run);
            } else if !word.is_empty() {
                run = 0;
            }
        }
        longest
    }

    /// Fails on an empty entry, placeholders that differ, or a Chinese entry with three English words in a row
    /// (model and method names — VAE, top-k, WebGPU — are fine).
    pub fn section<S: Section>(en: &S, zh: &S) {
        for ((key, en), (_, zh)) in en.entries().into_iter().zip(zh.entries()) {
            assert!(!en.trim().is_empty(), "{key}: empty in English");
            assert!(!zh.trim().is_empty(), "{key}: empty in Chinese");
            assert_eq!(
                placeholders(en),
                placeholders(zh),
                "{key}: placeholders differ"
            );
            assert!(
                english_run(zh) < 3,
                "{key}: the Chinese text looks English: {zh:?}"
            );
        }
    }

    #[test]
    fn the_checks_notice_english_in_chinese() {
        assert_eq!(english_run("用 WebGPU 运行"), 1);
        assert_eq!(english_run("Use the CPU"), 3);
        assert_eq!(placeholders("{a} of {b}"), ["a", "b"]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_and_numbers_group() {
        assert_eq!(
            fill("{n} 个文件，{mb} MB", &[("n", "50"), ("mb", "32.7")]),
            "50 个文件，32.7 MB"
        );
        assert_eq!(number(1234567.891, 1), "1,234,567.9");
        assert_eq!(number(-0.04, 1), "0.0");
        assert_eq!(number(-12.5, 0), "-12");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(f64::NAN, 2), "–");
    }
}
