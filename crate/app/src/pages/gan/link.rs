//! The GAN page's settings as its link carries them (`#/gan?model=dcgan-mnist&seed=5&trunc=0.5&pin=9,12`): read
//! and written here only. The model is read by the shared link hook.

use genscope_core::latent::{gaussian_latents, truncate};
use genscope_core::query::{LinkNote, Query, UrlState};

use crate::i18n::{self, fill};

use super::texts::{self, GanTexts};

/// Cells per side of the grid.
pub const SIDE: usize = 8;
/// Samples in the grid.
pub const CELLS: usize = SIDE * SIDE;
/// The largest seed a link or the seed box may hold (the "New seed" button draws below it).
pub const MAX_SEED: u64 = 1_000_000_000;
/// The seed when the link names none.
pub const DEFAULT_SEED: u64 = 1;
/// The truncation range (a scale on the seed's latents) and its default.
pub const MIN_TRUNCATION: f32 = 0.0;
pub const MAX_TRUNCATION: f32 = 2.0;
pub const DEFAULT_TRUNCATION: f32 = 1.0;
/// At most this many samples are pinned (the first shows its neighbours, two give an interpolation).
pub const MAX_PINNED: usize = 2;

/// Seed, truncation and pinned cells: what a link to the GAN page reopens.
#[derive(Clone, Debug, PartialEq)]
pub struct GanSettings {
    /// Seed of the grid's 64 latents.
    pub seed: u64,
    /// Scale on the latents, `MIN_TRUNCATION…MAX_TRUNCATION`.
    pub truncation: f32,
    /// Pinned cells (`< CELLS`, distinct, at most `MAX_PINNED`), oldest first.
    pub pinned: Vec<usize>,
}

impl Default for GanSettings {
    fn default() -> Self {
        Self {
            seed: DEFAULT_SEED,
            truncation: DEFAULT_TRUNCATION,
            pinned: Vec::new(),
        }
    }
}

impl GanSettings {
    /// The grid's latents: the seed's samples scaled by the truncation.
    pub fn latents(&self, latent: usize) -> Vec<f32> {
        truncate(&gaussian_latents(self.seed, CELLS, latent), self.truncation)
    }
}

/// Why a seed (typed or from a link) was not used as written; [`SeedNote::words`] says it in a language.
#[derive(Clone, Debug, PartialEq)]
pub enum SeedNote {
    /// The text (as written) is outside `0…MAX_SEED`; the seed used instead.
    Outside(String, u64),
    /// The text is not a whole number; the seed used instead.
    NotWhole(String, u64),
    /// The text (shortened, `""` when empty) is not a number; the seed used instead.
    NotNumber(String, u64),
}

impl SeedNote {
    /// The note in the words of `t`, e.g. "-5 is outside 0…1000000000; using 0".
    pub fn words(&self, t: &GanTexts) -> String {
        let (template, text, seed) = match self {
            SeedNote::Outside(text, seed) => (t.seed_outside, text, seed),
            SeedNote::NotWhole(text, seed) => (t.seed_not_whole, text, seed),
            SeedNote::NotNumber(text, seed) => (t.seed_not_number, text, seed),
        };
        // The visitor's text goes in last, so that braces in it are not read as placeholders.
        fill(
            template,
            &[
                ("max", &MAX_SEED.to_string()),
                ("seed", &seed.to_string()),
                ("text", text),
            ],
        )
    }
}

/// A seed as text (a link's `seed=` or the seed box), checked: a whole number in `0…MAX_SEED`. Returns the seed to
/// use and, when that is not what the text said, why. Unreadable text gives `fallback`.
pub fn parse_seed(raw: &str, fallback: u64) -> (u64, Option<SeedNote>) {
    let text = raw.trim();
    if let Ok(seed) = text.parse::<u64>() {
        return if seed > MAX_SEED {
            (MAX_SEED, Some(SeedNote::Outside(text.into(), MAX_SEED)))
        } else {
            (seed, None)
        };
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => {
            let clamped = v.clamp(0.0, MAX_SEED as f64);
            let seed = clamped.floor() as u64;
            if clamped != v {
                (seed, Some(SeedNote::Outside(text.into(), seed)))
            } else if clamped.fract() != 0.0 {
                (seed, Some(SeedNote::NotWhole(text.into(), seed)))
            } else {
                (seed, None)
            }
        }
        _ => {
            let shown = if text.is_empty() {
                "\"\"".to_string()
            } else {
                short(text)
            };
            (fallback, Some(SeedNote::NotNumber(shown, fallback)))
        }
    }
}

/// The pinned cells a link lists (`pin=9,12`), with a note in the words of `t` for each one dropped.
fn parse_pins(raw: &str, notes: &mut Vec<LinkNote>, t: &GanTexts) -> Vec<usize> {
    let mut note = |words: String| notes.push(LinkNote::Page(words));
    let mut pinned = Vec::new();
    for item in raw.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        match item.parse::<usize>() {
            Ok(cell) if cell >= CELLS => note(fill(
                t.pin_not_cell,
                &[("last", &(CELLS - 1).to_string()), ("item", &short(item))],
            )),
            Ok(cell) if pinned.contains(&cell) => {
                note(fill(t.pin_twice, &[("cell", &cell.to_string())]))
            }
            Ok(cell) if pinned.len() == MAX_PINNED => note(fill(
                t.pin_too_many,
                &[
                    ("max", &MAX_PINNED.to_string()),
                    ("cell", &cell.to_string()),
                ],
            )),
            Ok(cell) => pinned.push(cell),
            Err(_) => note(fill(t.pin_not_number, &[("item", &short(item))])),
        }
    }
    pinned
}

fn short(s: &str) -> String {
    let short: String = s.chars().take(24).collect();
    if short.len() < s.len() {
        format!("{short}…")
    } else {
        short
    }
}

impl UrlState for GanSettings {
    fn from_query(q: &mut Query) -> Self {
        // The notes are words for the visitor, in the language the page is shown in.
        let t = texts::of(i18n::current());
        let seed = match q.get("seed").map(str::to_string) {
            Some(raw) => {
                let (seed, note) = parse_seed(&raw, DEFAULT_SEED);
                q.notes
                    .extend(note.map(|n| LinkNote::Page(format!("seed={}", n.words(t)))));
                seed
            }
            None => DEFAULT_SEED,
        };
        let truncation = q
            .number("trunc", MIN_TRUNCATION, MAX_TRUNCATION)
            .unwrap_or(DEFAULT_TRUNCATION);
        let pinned = match q.get("pin").map(str::to_string) {
            Some(raw) => parse_pins(&raw, &mut q.notes, t),
            None => Vec::new(),
        };
        Self {
            seed,
            truncation,
            pinned,
        }
    }

    fn to_pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("seed", self.seed.to_string()),
            // Shortest text that reads back as the same number (the slider's 0.05 steps stay "0.35").
            ("trunc", format!("{}", self.truncation)),
            (
                "pin",
                self.pinned
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use genscope_core::query::encode;

    fn read(link: &str) -> (GanSettings, Vec<String>) {
        let mut q = Query::parse(link);
        let s = GanSettings::from_query(&mut q);
        (s, crate::i18n::link::all(&q.notes, crate::i18n::Lang::En))
    }

    #[test]
    fn settings_round_trip_through_a_link() {
        for s in [
            GanSettings::default(),
            GanSettings {
                seed: 123_456_789,
                truncation: 0.35,
                pinned: vec![9],
            },
            GanSettings {
                seed: MAX_SEED,
                truncation: 0.123_456_7,
                pinned: vec![63, 0],
            },
            GanSettings {
                seed: 0,
                truncation: MAX_TRUNCATION,
                pinned: Vec::new(),
            },
        ] {
            let link = encode(&s.to_pairs());
            let (back, notes) = read(&link);
            assert_eq!(back, s, "{link}");
            assert!(notes.is_empty(), "{link}: {notes:?}");
        }
        // The format the e2e tests and old links use.
        let s = GanSettings {
            seed: 23,
            truncation: 0.7,
            pinned: vec![9, 12],
        };
        assert_eq!(encode(&s.to_pairs()), "seed=23&trunc=0.7&pin=9,12");
    }

    #[test]
    fn a_missing_setting_takes_its_default_quietly() {
        assert_eq!(read(""), (GanSettings::default(), Vec::new()));
        let (s, notes) = read("seed=5&trunc=0.5");
        assert_eq!((s.seed, s.truncation, s.pinned.len()), (5, 0.5, 0));
        assert!(notes.is_empty());
    }

    #[test]
    fn bad_values_get_notes() {
        let (s, notes) = read("seed=-5&trunc=9&pin=70,9,x,9,12,13");
        assert_eq!(s.seed, 0);
        assert_eq!(s.truncation, MAX_TRUNCATION);
        assert_eq!(s.pinned, vec![9, 12]);
        // seed, trunc, and four dropped pins (70, x, the second 9, 13).
        assert_eq!(notes.len(), 6, "{notes:?}");
        assert!(notes[0].starts_with("seed=-5 is outside"), "{notes:?}");
        assert!(notes.iter().any(|n| n.contains("pin=70")), "{notes:?}");
        let (s, notes) = read("seed=abc&trunc=NaN");
        assert_eq!((s.seed, s.truncation), (DEFAULT_SEED, DEFAULT_TRUNCATION));
        assert_eq!(notes.len(), 2, "{notes:?}");
        let (s, notes) = read("seed=2.5");
        assert_eq!((s.seed, notes.len()), (2, 1));
        let (s, notes) = read("seed=99999999999");
        assert_eq!((s.seed, notes.len()), (MAX_SEED, 1));
    }

    #[test]
    fn a_typed_seed_is_checked_like_a_link_s() {
        assert_eq!(parse_seed("42", 7), (42, None));
        assert_eq!(parse_seed(" 1e3 ", 7), (1000, None));
        let (seed, note) = parse_seed("-5", 7);
        assert_eq!(seed, 0);
        assert_eq!(
            note.map(|n| n.words(&texts::EN)).as_deref(),
            Some("-5 is outside 0…1000000000; using 0")
        );
        let (seed, note) = parse_seed("", 7);
        assert_eq!(seed, 7);
        assert_eq!(
            note.map(|n| n.words(&texts::EN)).as_deref(),
            Some("\"\" is not a number; using 7")
        );
        let (_, note) = parse_seed("2.5", 7);
        assert_eq!(
            note.map(|n| n.words(&texts::ZH)).as_deref(),
            Some("2.5 不是整数，改用 2")
        );
    }

    #[test]
    fn pin_notes_are_said_in_the_page_s_language() {
        let mut notes = Vec::new();
        let pinned = parse_pins("70,9,x,9,12,13", &mut notes, &texts::EN);
        assert_eq!(pinned, [9, 12]);
        let words = |notes: &[LinkNote]| crate::i18n::link::all(notes, crate::i18n::Lang::En);
        assert_eq!(
            words(&notes),
            [
                "pin=70 is not a cell 0…63; it was dropped",
                "pin=x is not a cell number; it was dropped",
                "pin lists cell 9 twice; it is pinned once",
                "pin lists more than 2 cells; 13 was dropped",
            ]
        );
        let mut notes = Vec::new();
        parse_pins("70", &mut notes, &texts::ZH);
        assert_eq!(words(&notes), ["pin=70 不是 0…63 之间的格子，已忽略"]);
    }
}
