//! The page state in the URL (`#/vae?model=vae-mnist-z2&z=0.5,-1.25`): parsing that never trusts its input.
//!
//! Every value is validated and bounded; anything unusable is dropped with a [`LinkNote`] the page shows in the
//! visitor's language ("z was not a list of 2 numbers; using the default"), so a hand-edited or truncated link
//! still opens a valid view.

use std::fmt::Write;

/// Longest query string considered; the rest is ignored. Room for a 1,000-character prompt of 4-byte characters
/// percent-encoded (12,000 bytes) and the other settings; the pages never write a longer one.
pub const MAX_QUERY_LEN: usize = 16_384;

/// Something a link said that could not be used as it was. It is data: the app words it in the visitor's
/// language. Raw values are shortened to 24 characters, so a hostile link cannot flood the page.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkNote {
    /// The query was `len` characters long; only the first [`MAX_QUERY_LEN`] were read.
    Truncated {
        /// The query's length in bytes.
        len: usize,
    },
    /// `key=raw` lay outside `min…max`, and `used` was used instead.
    OutOfRange {
        /// The setting.
        key: String,
        /// What the link said.
        raw: String,
        /// The smallest allowed value.
        min: f32,
        /// The largest allowed value.
        max: f32,
        /// The clamped value used.
        used: f32,
    },
    /// `key=raw` is not a finite number; the default is used.
    NotANumber {
        /// The setting.
        key: String,
        /// What the link said.
        raw: String,
    },
    /// `key` had values beyond ±`bound`; they were clamped.
    Clamped {
        /// The setting.
        key: String,
        /// The largest magnitude allowed.
        bound: f32,
    },
    /// `key=raw` is not a list of `len` finite numbers; the default is used.
    NotAList {
        /// The setting.
        key: String,
        /// What the link said.
        raw: String,
        /// How many numbers were expected.
        len: usize,
    },
    /// `key=raw` is not one of `allowed`; the default is used.
    NotOneOf {
        /// The setting.
        key: String,
        /// What the link said.
        raw: String,
        /// The values the setting takes.
        allowed: Vec<String>,
    },
    /// A page's own note about its settings, already in the visitor's words.
    Page(String),
}

/// Decoded `key=value` pairs of a query string, and notes about what had to be ignored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    pairs: Vec<(String, String)>,
    /// What was wrong with the URL, for the visitor.
    pub notes: Vec<LinkNote>,
}

impl Query {
    /// Parses `a=1&b=x%20y`. Percent-escapes and `+` are decoded; malformed escapes are kept literally.
    pub fn parse(query: &str) -> Self {
        let mut notes = Vec::new();
        let query = query.trim_start_matches('?');
        let query = if query.len() > MAX_QUERY_LEN {
            notes.push(LinkNote::Truncated { len: query.len() });
            let mut end = MAX_QUERY_LEN;
            while !query.is_char_boundary(end) {
                end -= 1;
            }
            &query[..end]
        } else {
            query
        };
        let pairs = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(k), decode(v))
            })
            .collect();
        Self { pairs, notes }
    }

    /// Every decoded pair, in the link's order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `key` as a finite number clamped to `[min, max]`; a missing key gives `None`, a bad one a note and `None`.
    pub fn number(&mut self, key: &str, min: f32, max: f32) -> Option<f32> {
        let raw = self.get(key)?.to_string();
        match raw.trim().parse::<f32>() {
            Ok(v) if v.is_finite() => {
                let clamped = v.clamp(min, max);
                if clamped != v {
                    self.notes.push(LinkNote::OutOfRange {
                        key: key.into(),
                        raw: shorten(&raw),
                        min,
                        max,
                        used: clamped,
                    });
                }
                Some(clamped)
            }
            _ => {
                self.notes.push(LinkNote::NotANumber {
                    key: key.into(),
                    raw: shorten(&raw),
                });
                None
            }
        }
    }

    /// `key` as exactly `len` comma-separated finite numbers, each clamped to `±bound`.
    pub fn numbers(&mut self, key: &str, len: usize, bound: f32) -> Option<Vec<f32>> {
        let raw = self.get(key)?.to_string();
        let parsed: Option<Vec<f32>> = raw
            .split(',')
            .map(|x| x.trim().parse::<f32>().ok().filter(|v| v.is_finite()))
            .collect();
        match parsed {
            Some(values) if values.len() == len => {
                if values.iter().any(|v| v.abs() > bound) {
                    self.notes.push(LinkNote::Clamped {
                        key: key.into(),
                        bound,
                    });
                }
                Some(values.into_iter().map(|v| v.clamp(-bound, bound)).collect())
            }
            _ => {
                self.notes.push(LinkNote::NotAList {
                    key: key.into(),
                    raw: shorten(&raw),
                    len,
                });
                None
            }
        }
    }

    /// `key` when it is one of `allowed`; anything else gets a note.
    pub fn choice<'a>(&mut self, key: &str, allowed: &[&'a str]) -> Option<&'a str> {
        let raw = self.get(key)?.to_string();
        let found = allowed.iter().find(|a| **a == raw).copied();
        if found.is_none() {
            self.notes.push(LinkNote::NotOneOf {
                key: key.into(),
                raw: shorten(&raw),
                allowed: allowed.iter().map(|a| a.to_string()).collect(),
            });
        }
        found
    }
}

/// A page's settings as its link carries them: read and written in one place, so that what a page writes is
/// what it reads back (each page has a round-trip test). The model is not part of it: the shared link hook reads
/// `model` against the shipped models.
pub trait UrlState: Clone + PartialEq + Sized {
    /// The settings from a link: every value checked and bounded; whatever is dropped or changed gets a note in
    /// `q.notes`.
    fn from_query(q: &mut Query) -> Self;

    /// The `key=value` pairs that reopen exactly these settings.
    fn to_pairs(&self) -> Vec<(&'static str, String)>;
}

/// Writes `pairs` as a query string (without the `?`), escaping what needs it.
pub fn encode(pairs: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&escape(k));
        out.push('=');
        out.push_str(&escape(v));
    }
    out
}

/// Numbers as a compact comma-separated list with 3 decimals.
pub fn format_numbers(values: &[f32]) -> String {
    let mut out = String::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}", (v * 1000.0).round() / 1000.0);
    }
    out
}

fn shorten(s: &str) -> String {
    let short: String = s.chars().take(24).collect();
    if short.len() < s.len() {
        format!("{short}…")
    } else {
        short
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~,".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = |at: usize| bytes.get(at).and_then(|&b| char::from(b).to_digit(16));
                if let (Some(high), Some(low)) = (hex(i + 1), hex(i + 2)) {
                    out.push((high * 16 + low) as u8);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_numbers_and_names() {
        let q = encode(&[
            ("model", "vae-mnist-z2".into()),
            ("z", format_numbers(&[0.5, -1.25])),
        ]);
        assert_eq!(q, "model=vae-mnist-z2&z=0.5,-1.25");
        let mut parsed = Query::parse(&format!("?{q}"));
        assert_eq!(
            parsed.choice("model", &["vae-mnist-z2"]),
            Some("vae-mnist-z2")
        );
        assert_eq!(parsed.numbers("z", 2, 3.0), Some(vec![0.5, -1.25]));
        assert!(parsed.notes.is_empty());
    }

    #[test]
    fn bad_values_become_notes_and_defaults() {
        let mut q = Query::parse("z=NaN,1&t=inf&u=1e999&w=7&m=<script>&zz=1,2,3");
        assert_eq!(q.numbers("z", 2, 3.0), None);
        assert_eq!(q.number("t", 0.0, 1.0), None);
        assert_eq!(q.number("u", 0.0, 1.0), None);
        assert_eq!(q.number("w", 0.0, 2.0), Some(2.0));
        assert_eq!(q.choice("m", &["a"]), None);
        assert_eq!(q.numbers("zz", 2, 3.0), None);
        assert_eq!(q.numbers("missing", 2, 3.0), None);
        assert_eq!(q.notes.len(), 6, "{:?}", q.notes);
        let mut big = Query::parse("z=1e30,-1e30");
        assert_eq!(big.numbers("z", 2, 3.0), Some(vec![3.0, -3.0]));
        assert_eq!(big.notes.len(), 1);
    }

    #[test]
    fn escapes_and_odd_bytes_never_panic() {
        assert_eq!(Query::parse("p=a%20b+c%zz%").get("p"), Some("a b c%zz%"));
        assert_eq!(Query::parse("p=%E4%B8%AD").get("p"), Some("中"));
        assert_eq!(Query::parse("p=%E4%B8").get("p"), Some("\u{FFFD}"));
        assert_eq!(Query::parse("p=中%").get("p"), Some("中%"));
        assert_eq!(Query::parse("p=%中").get("p"), Some("%中"));
        let long = "x=".to_string() + &"中".repeat(MAX_QUERY_LEN / 3 + 1);
        assert_eq!(
            Query::parse(&long).notes,
            [LinkNote::Truncated { len: long.len() }]
        );
        let mut hostile = Query::parse(&format!("m={}", "<b>".repeat(100)));
        assert_eq!(hostile.choice("m", &["a"]), None);
        let LinkNote::NotOneOf { raw, .. } = &hostile.notes[0] else {
            panic!("{:?}", hostile.notes);
        };
        assert_eq!(
            raw.chars().count(),
            25,
            "shortened to 24 characters and an ellipsis"
        );
        assert_eq!(
            decode(&escape("<img src=x> 中 & = ?")),
            "<img src=x> 中 & = ?"
        );
    }

    #[test]
    fn a_thousand_character_prompt_of_emoji_fits_in_a_link_and_reads_back() {
        let prompt: String = "🙂床".repeat(500);
        let link = encode(&[("model", "lm-tang".to_string()), ("prompt", prompt.clone())]);
        assert!(link.len() <= MAX_QUERY_LEN, "{} bytes", link.len());
        let q = Query::parse(&link);
        assert_eq!(q.get("prompt"), Some(prompt.as_str()));
        assert!(q.notes.is_empty());
    }
}
