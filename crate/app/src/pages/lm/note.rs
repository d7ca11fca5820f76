//! What the page tells the visitor about the prompt and the context, as data: [`super::doc`] makes the notes while
//! it changes the text, the view puts them into words with the catalogue.

use super::texts::LmTexts;
use crate::i18n::fill;

/// Items of a note's list shown (the rest is "…").
pub const SHOWN: usize = 12;

/// A note on the text.
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// The prompt was converted into the model's script (the Tang model's Traditional characters).
    Converted {
        /// The first [`SHOWN`] changes, from → to.
        changes: Vec<(char, char)>,
        /// More were made than shown.
        more: bool,
    },
    /// Characters of the prompt that are not in the vocabulary (they become `⟨unk⟩`).
    Unknown {
        /// How many distinct ones.
        count: usize,
        /// The first [`SHOWN`] of them.
        shown: Vec<char>,
    },
    /// The prompt was empty: the model starts after a newline.
    EmptyPrompt,
    /// The prompt is longer than the model reads at once.
    LongPrompt {
        /// The prompt's tokens.
        tokens: usize,
        /// The model's context.
        context: usize,
        /// The tokens it reads (the last ones).
        read: usize,
    },
    /// The context filled up and slid.
    Slid {
        /// The text's length (tokens) when it slid.
        at: usize,
        /// The tokens kept.
        kept: usize,
    },
}

impl Note {
    /// The note that `changes` were made to the prompt (the first [`SHOWN`] kept).
    pub fn converted(changes: &[(char, char)]) -> Self {
        Note::Converted {
            changes: changes.iter().take(SHOWN).copied().collect(),
            more: changes.len() > SHOWN,
        }
    }

    /// The note about the distinct `unknown` characters, if there are any (the first [`SHOWN`] kept).
    pub fn unknown(unknown: &[char]) -> Option<Self> {
        (!unknown.is_empty()).then(|| Note::Unknown {
            count: unknown.len(),
            shown: unknown.iter().take(SHOWN).copied().collect(),
        })
    }

    /// The note in the words of `t`.
    pub fn text(&self, t: &LmTexts) -> String {
        match self {
            Note::Converted { changes, more } => {
                let mut list: Vec<String> = changes
                    .iter()
                    .map(|(from, to)| format!("{from}→{to}"))
                    .collect();
                if *more {
                    list.push("…".into());
                }
                fill(
                    t.note_converted,
                    &[("changes", &list.join(t.list_separator))],
                )
            }
            Note::Unknown { count, shown } => {
                let mut chars: String = shown
                    .iter()
                    .map(|c| super::doc::readable(&c.to_string()) + " ")
                    .collect();
                if *count > shown.len() {
                    chars.push('…');
                }
                fill(
                    t.note_unknown,
                    &[("count", &count.to_string()), ("chars", &chars)],
                )
            }
            Note::EmptyPrompt => t.note_empty.to_string(),
            Note::LongPrompt {
                tokens,
                context,
                read,
            } => fill(
                t.note_long,
                &[
                    ("tokens", &tokens.to_string()),
                    ("context", &context.to_string()),
                    ("read", &read.to_string()),
                ],
            ),
            Note::Slid { at, kept } => fill(
                t.note_slid,
                &[("at", &at.to_string()), ("kept", &kept.to_string())],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::texts::{EN, ZH};
    use super::*;

    #[test]
    fn notes_read_as_before_in_english_and_in_chinese() {
        let changes: Vec<(char, char)> = "床牀举舉".chars().collect::<Vec<_>>()[..]
            .chunks(2)
            .map(|p| (p[0], p[1]))
            .collect();
        assert_eq!(
            Note::converted(&changes).text(&EN),
            "The prompt was converted to the model's script (Traditional, as it was trained): 床→牀, 举→舉"
        );
        assert_eq!(
            Note::converted(&changes).text(&ZH),
            "提示词已转换为模型训练时所用的繁体字：床→牀、举→舉"
        );
        let many: Vec<(char, char)> = (0..13).map(|i| (char::from(b'a' + i), 'x')).collect();
        assert!(Note::converted(&many).text(&EN).ends_with("l→x, …"));
        let unknown = Note::unknown(&['中', ' ']);
        assert_eq!(
            unknown.as_ref().map(|n| n.text(&EN)).as_deref(),
            Some("2 distinct characters are not in this model's vocabulary and are shown as ⟨unk⟩: 中 ␣ ")
        );
        assert_eq!(Note::unknown(&[]), None);
        let letters: Vec<char> = ('a'..='m').collect();
        let long = Note::unknown(&letters)
            .map(|n| n.text(&EN))
            .unwrap_or_default();
        assert!(
            long.starts_with("13 distinct") && long.ends_with("l …"),
            "{long}"
        );
        assert_eq!(
            Note::LongPrompt {
                tokens: 10,
                context: 8,
                read: 6
            }
            .text(&EN),
            "The prompt has 10 tokens; the model's context holds 8, so it reads the last 6."
        );
        assert_eq!(
            Note::Slid { at: 5, kept: 3 }.text(&EN),
            "The context was full at token 5: it slid to the last 3 tokens (their cache recomputed)."
        );
        assert_eq!(
            Note::EmptyPrompt.text(&EN),
            "The prompt is empty: the model starts after a newline."
        );
        assert!(Note::Slid { at: 5, kept: 3 }
            .text(&ZH)
            .contains("第 5 个词元"));
    }
}
