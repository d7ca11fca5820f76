//! The LM page's settings as its link carries them
//! (`#/lm?model=lm-shakespeare&prompt=ROMEO%3A%0A&t=1&k=0&p=1&seed=1&greedy=0`): read and written here only. The
//! model is read by the shared link hook.

use genscope_core::query::{encode, Query, UrlState, MAX_QUERY_LEN};
use genscope_core::registry::DatasetId;
use genscope_core::sampling::SamplingSettings;

/// Temperature: its range (the slider's, a link's) and default.
pub const MIN_TEMPERATURE: f32 = 0.05;
pub const MAX_TEMPERATURE: f32 = 20.0;
pub const DEFAULT_TEMPERATURE: f32 = 1.0;
/// The largest top-k (0 turns it off, the default).
pub const MAX_TOP_K: usize = 100_000;
/// top-p: its smallest value and the default (1 turns it off).
pub const MIN_TOP_P: f32 = 0.01;
pub const DEFAULT_TOP_P: f32 = 1.0;
/// The largest seed, and the seed when the link names none (or the seed box is unreadable).
pub const MAX_SEED: u64 = 1_000_000_000;
pub const DEFAULT_SEED: u64 = 1;
/// Longest prompt put into the link (longer prompts still run, but the link would be unwieldy).
pub const MAX_PROMPT_IN_URL: usize = 1000;
/// The prompt when the link names none: for English text, and for Chinese text (the Tang poems).
pub const DEFAULT_PROMPT: &str = "ROMEO:\n";
pub const CHINESE_PROMPT: &str = "床前明月光，";

/// The prompt a model starts from when the link gives none: Chinese for a Chinese data set (by its card; the
/// visitor's own model has none).
pub fn default_prompt(dataset: Option<DatasetId>) -> &'static str {
    if dataset.is_some_and(DatasetId::is_chinese) {
        CHINESE_PROMPT
    } else {
        DEFAULT_PROMPT
    }
}

/// How the next token is chosen: temperature, top-k, top-p, seed and greedy.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// `MIN_TEMPERATURE…MAX_TEMPERATURE`.
    pub temperature: f32,
    /// `0…MAX_TOP_K`; 0 is off.
    pub top_k: usize,
    /// `MIN_TOP_P…1`; 1 is off.
    pub top_p: f32,
    /// `0…MAX_SEED`.
    pub seed: u64,
    /// Always take the most likely token.
    pub greedy: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            temperature: DEFAULT_TEMPERATURE,
            top_k: 0,
            top_p: DEFAULT_TOP_P,
            seed: DEFAULT_SEED,
            greedy: false,
        }
    }
}

impl Settings {
    /// The sampling settings these stand for.
    pub fn sampling(&self) -> SamplingSettings {
        SamplingSettings {
            temperature: self.temperature,
            top_k: (self.top_k > 0).then_some(self.top_k),
            top_p: (self.top_p < 1.0).then_some(self.top_p),
            greedy: self.greedy,
        }
    }
}

/// The prompt and the sampling settings: what a link to the LM page reopens.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LmLink {
    /// The link's prompt; `None` when it gives none (the page then uses the model's [`default_prompt`]).
    pub prompt: Option<String>,
    /// How the next token is chosen.
    pub settings: Settings,
}

/// A seed from a link: a whole number is read exactly (an `f32` would round seeds above 2²⁴); anything else goes
/// through the query's number check.
fn seed_from(q: &mut Query) -> Option<u64> {
    let raw = q.get("seed")?.trim().to_string();
    match raw.parse::<u64>() {
        Ok(seed) if seed <= MAX_SEED => Some(seed),
        _ => q
            .number("seed", 0.0, MAX_SEED as f32)
            .map(|s| (s as u64).min(MAX_SEED)),
    }
}

impl UrlState for LmLink {
    fn from_query(q: &mut Query) -> Self {
        let d = Settings::default();
        let settings = Settings {
            temperature: q
                .number("t", MIN_TEMPERATURE, MAX_TEMPERATURE)
                .unwrap_or(d.temperature),
            top_k: q
                .number("k", 0.0, MAX_TOP_K as f32)
                .map_or(d.top_k, |k| k as usize),
            top_p: q.number("p", MIN_TOP_P, 1.0).unwrap_or(d.top_p),
            seed: seed_from(q).unwrap_or(d.seed),
            greedy: q.choice("greedy", &["0", "1"]) == Some("1"),
        };
        Self {
            prompt: q.get("prompt").map(str::to_string),
            settings,
        }
    }

    /// The prompt comes first, and only if it is at most `MAX_PROMPT_IN_URL` characters and the link still reads
    /// back in full (see [`link_pairs`] for the rule with the model in front).
    fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let s = &self.settings;
        let mut pairs = vec![
            (
                "t",
                format!("{}", (s.temperature * 1000.0).round() / 1000.0),
            ),
            ("k", s.top_k.to_string()),
            ("p", format!("{}", (s.top_p * 1000.0).round() / 1000.0)),
            ("seed", s.seed.to_string()),
            ("greedy", if s.greedy { "1" } else { "0" }.to_string()),
        ];
        if let Some(prompt) = &self.prompt {
            let mut with_prompt = pairs.clone();
            with_prompt.insert(0, ("prompt", prompt.clone()));
            if prompt.chars().count() <= MAX_PROMPT_IN_URL
                && encode(&with_prompt).len() <= MAX_QUERY_LEN
            {
                pairs = with_prompt;
            }
        }
        pairs
    }
}

/// The whole link for `model`: `model=…` first, then [`LmLink::to_pairs`]; the prompt is dropped when the link
/// with the model in front would no longer read back in full.
pub fn link_pairs(model: &str, link: &LmLink) -> Vec<(&'static str, String)> {
    let mut pairs = vec![("model", model.to_string())];
    pairs.extend(link.to_pairs());
    if encode(&pairs).len() > MAX_QUERY_LEN {
        pairs.retain(|(k, _)| *k != "prompt");
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(query: &str) -> (LmLink, Vec<String>) {
        let mut q = Query::parse(query);
        let link = LmLink::from_query(&mut q);
        (
            link,
            crate::i18n::link::all(&q.notes, crate::i18n::Lang::En),
        )
    }

    #[test]
    fn a_link_round_trips() {
        let link = LmLink {
            prompt: Some("KING:\n床前 & = ?🙂".into()),
            settings: Settings {
                temperature: 1.3,
                top_k: 40,
                top_p: 0.9,
                seed: 123_456_789,
                greedy: true,
            },
        };
        let query = encode(&link_pairs("lm-shakespeare", &link));
        assert!(query.starts_with("model=lm-shakespeare&prompt="), "{query}");
        let mut q = Query::parse(&query);
        assert_eq!(
            q.choice("model", &["lm-shakespeare"]),
            Some("lm-shakespeare")
        );
        assert_eq!(LmLink::from_query(&mut q), link);
        assert!(q.notes.is_empty(), "{:?}", q.notes);
        // No prompt: none written, none read.
        let plain = LmLink::default();
        let (back, notes) = read(&encode(&plain.to_pairs()));
        assert_eq!(back, plain);
        assert!(notes.is_empty());
    }

    #[test]
    fn the_old_link_format_still_reads() {
        let (link, notes) = read("model=lm-shakespeare&prompt=ROMEO%3A%0A&t=1.3&seed=7&greedy=1");
        assert_eq!(link.prompt.as_deref(), Some("ROMEO:\n"));
        assert_eq!(link.settings.temperature, 1.3);
        assert_eq!((link.settings.seed, link.settings.greedy), (7, true));
        assert_eq!((link.settings.top_k, link.settings.top_p), (0, 1.0));
        assert!(notes.is_empty());
        let written = encode(&link_pairs("lm-tang", &link));
        assert_eq!(
            written,
            "model=lm-tang&prompt=ROMEO%3A%0A&t=1.3&k=0&p=1&seed=7&greedy=1"
        );
    }

    #[test]
    fn bad_values_become_notes_and_defaults() {
        let (link, notes) = read("t=0&k=-3&p=abc&seed=1e12&greedy=yes");
        assert_eq!(link.settings.temperature, MIN_TEMPERATURE);
        assert_eq!(link.settings.top_k, 0);
        assert_eq!(link.settings.top_p, DEFAULT_TOP_P);
        assert_eq!(link.settings.seed, MAX_SEED);
        assert!(!link.settings.greedy);
        assert_eq!(notes.len(), 5, "{notes:?}");
        let (link, notes) = read("t=inf&seed=-1");
        assert_eq!(link.settings.temperature, DEFAULT_TEMPERATURE);
        assert_eq!(link.settings.seed, 0);
        assert_eq!(notes.len(), 2, "{notes:?}");
    }

    #[test]
    fn a_long_prompt_stays_out_of_the_link() {
        let long = LmLink {
            prompt: Some("x".repeat(MAX_PROMPT_IN_URL + 1)),
            ..LmLink::default()
        };
        assert!(long.to_pairs().iter().all(|(k, _)| *k != "prompt"));
        let fits = LmLink {
            prompt: Some("🙂".repeat(MAX_PROMPT_IN_URL)),
            ..LmLink::default()
        };
        assert_eq!(fits.to_pairs()[0].0, "prompt");
        let pairs = link_pairs("lm-shakespeare", &fits);
        assert!(encode(&pairs).len() <= MAX_QUERY_LEN);
    }

    #[test]
    fn the_default_prompt_follows_the_data_set() {
        assert_eq!(default_prompt(Some(DatasetId::Tang)), CHINESE_PROMPT);
        assert_eq!(default_prompt(Some(DatasetId::Shakespeare)), DEFAULT_PROMPT);
        assert_eq!(default_prompt(None), DEFAULT_PROMPT);
    }
}
