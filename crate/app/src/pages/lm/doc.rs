//! The text and what the model said about it, one immutable [`Doc`] per step, and every change to it as a pure
//! function: each returns the next `Doc` and the forward pass it needs ([`Change`]), which the loader runs.

use std::rc::Rc;

use genscope_core::sampling::{softmax, Sampler};
use genscope_core::script::ScriptMap;
use genscope_core::tokenizer::Tokenizer;

use super::note::Note;
use super::texts::LmTexts;
use crate::i18n::fill;

/// Steps whose attention weights are kept for "Back".
pub const ATTENTION_HISTORY: usize = 64;

/// The last position's attention weights: per layer, per head, one weight per context token.
pub type Attention = Rc<Vec<Vec<Vec<f32>>>>;

/// One forward pass's results, read back to the host.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepOutput {
    /// Next-token logits.
    pub logits: Vec<f32>,
    /// Per layer, per head: the last position's attention over the context.
    pub attention: Vec<Vec<Vec<f32>>>,
}

/// A token of the text and how it came to be there.
#[derive(Clone, Debug, PartialEq)]
pub struct TextToken {
    /// Its id.
    pub id: u32,
    /// The model's probability (temperature 1) of this token when it was chosen; `None` for prompt tokens.
    pub p_raw: Option<f32>,
    /// Its rank among the candidates (1 = most likely).
    pub rank: Option<usize>,
    /// Clicked by the visitor instead of sampled.
    pub forced: bool,
}

impl TextToken {
    fn prompt(id: u32) -> Self {
        Self {
            id,
            p_raw: None,
            rank: None,
            forced: false,
        }
    }
}

/// Everything the page shows about the text so far; replaced (not mutated) on each change.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Doc {
    /// The whole text: prompt tokens, then generated ones.
    pub tokens: Vec<TextToken>,
    /// Tokens (ids) currently in the KV cache, in order: the last ≤ context tokens of the text.
    pub window: Vec<u32>,
    /// Next-token logits after the whole text.
    pub logits: Rc<Vec<f32>>,
    /// Per generated token: the logits it was chosen from, and the window before it (for "Back").
    pub history: Vec<(Rc<Vec<f32>>, usize)>,
    /// Attention of the last position, per layer and head.
    pub attention: Option<Attention>,
    /// The attention before each generated token (only the last `ATTENTION_HISTORY` kept).
    pub attention_history: Vec<Option<Attention>>,
    /// Notes for the visitor: a converted prompt, unknown characters, a long prompt, a slid context.
    pub notes: Vec<Note>,
    /// Milliseconds of the last forward pass.
    pub step_ms: Option<f64>,
    /// Goes up with every change, so the chart (and a test) can tell a redraw from the same picture.
    pub revision: u64,
    /// Which model wrote it.
    pub model: String,
}

/// A forward pass: `tokens` after `keep` cached positions (a fresh cache when `keep` is 0).
#[derive(Clone, Debug, PartialEq)]
pub struct Feed {
    /// Cached positions kept.
    pub keep: usize,
    /// Tokens run after them.
    pub tokens: Vec<u32>,
}

/// A change to the text, as far as it can be made without the model.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// The doc is complete once the feed's logits and attention are put in ([`Doc::with_output`]).
    Output(Doc, Feed),
    /// The doc is complete; the feed only rebuilds the cache (its output is not needed).
    Rebuild(Doc, Feed),
    /// The doc is complete and the cache already holds its window.
    Ready(Doc),
}

thread_local! {
    static REVISIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// A revision number no doc of this page has had yet.
pub fn next_revision() -> u64 {
    REVISIONS.with(|r| {
        r.set(r.get() + 1);
        r.get()
    })
}

/// Tokens in the cache after a slide: three quarters of the context, so a slide happens once per quarter.
pub fn slide_keep(seq_len: usize) -> usize {
    (seq_len * 3 / 4).max(1)
}

/// The sampler for the token at `position`: one stream per position, so "Back" then "Step" draws the same token.
pub fn sampler_at(seed: u64, position: usize) -> Sampler {
    Sampler::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ position as u64)
}

/// Shows a piece readably: spaces, newlines, tabs and other control characters escaped.
pub fn readable(piece: &str) -> String {
    piece
        .chars()
        .map(|c| match c {
            ' ' => "␣".to_string(),
            '\n' => "⏎".to_string(),
            '\t' => "⇥".to_string(),
            c if c.is_control() => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// The distinct characters of `prompt` outside the vocabulary, in order of appearance.
fn unknown_characters(tokenizer: &Tokenizer, prompt: &str) -> Vec<char> {
    let mut unknown = Vec::new();
    for c in prompt.chars() {
        let mut buf = [0u8; 4];
        if tokenizer.encode(c.encode_utf8(&mut buf)) == [tokenizer.unknown()]
            && !unknown.contains(&c)
        {
            unknown.push(c);
        }
    }
    unknown
}

/// Why [`Doc::append`] could not append a token.
#[derive(Clone, Debug, PartialEq)]
pub enum AppendError {
    /// The logits give no distribution (the core crate's message).
    Logits(String),
    /// The token is outside the vocabulary.
    NotInVocabulary {
        /// The token.
        id: u32,
        /// The vocabulary's size.
        size: usize,
    },
}

impl AppendError {
    /// The error in the words of `t`.
    pub fn text(&self, t: &LmTexts) -> String {
        match self {
            AppendError::Logits(message) => message.clone(),
            AppendError::NotInVocabulary { id, size } => fill(
                t.not_in_vocab,
                &[("id", &id.to_string()), ("size", &size.to_string())],
            ),
        }
    }
}

impl Doc {
    /// A text that starts from `prompt` for `model` (context `seq_len`): a fresh cache holding its last tokens.
    /// For a model with a script of its own (the Tang model's Traditional characters) the prompt is converted
    /// into that script first, and a note says which characters changed.
    pub fn start(
        tokenizer: &Tokenizer,
        script: Option<&ScriptMap>,
        seq_len: usize,
        model: &str,
        prompt: &str,
    ) -> Change {
        let mut notes = Vec::new();
        let converted = script.map(|s| s.to_model(prompt));
        let prompt = match &converted {
            Some(c) if !c.changes.is_empty() => {
                notes.push(Note::converted(&c.changes));
                c.text.as_str()
            }
            _ => prompt,
        };
        notes.extend(Note::unknown(&unknown_characters(tokenizer, prompt)));
        let mut ids = tokenizer.encode(prompt);
        if ids.is_empty() {
            ids = tokenizer.encode("\n");
            notes.push(Note::EmptyPrompt);
        }
        let keep = slide_keep(seq_len);
        let window: Vec<u32> = ids[ids.len().saturating_sub(keep)..].to_vec();
        if window.len() < ids.len() {
            notes.push(Note::LongPrompt {
                tokens: ids.len(),
                context: seq_len,
                read: window.len(),
            });
        }
        let doc = Doc {
            tokens: ids.iter().map(|&id| TextToken::prompt(id)).collect(),
            window: window.clone(),
            notes,
            model: model.to_string(),
            ..Doc::default()
        };
        Change::Output(
            doc,
            Feed {
                keep: 0,
                tokens: window,
            },
        )
    }

    /// The same text on a freshly loaded copy of its model (another backend, e.g. after a lost GPU device): the
    /// window is run into the new cache; the tokens, their probabilities and the history for "Back" stay.
    pub fn resume(&self) -> Change {
        Change::Output(
            self.clone(),
            Feed {
                keep: 0,
                tokens: self.window.clone(),
            },
        )
    }

    /// Appends `id` (sampled, greedy or clicked) for a model with context `seq_len`, sliding the context when
    /// full.
    pub fn append(&self, id: u32, forced: bool, seq_len: usize) -> Result<Change, AppendError> {
        let raw = softmax(&self.logits).map_err(|e| AppendError::Logits(e.to_string()))?;
        let p = *raw.get(id as usize).ok_or(AppendError::NotInVocabulary {
            id,
            size: raw.len(),
        })?;
        let rank = raw.iter().filter(|&&q| q > p).count() + 1;
        let mut next = self.clone();
        next.history
            .push((Rc::clone(&self.logits), self.window.len()));
        next.attention_history.push(self.attention.clone());
        if next.attention_history.len() > ATTENTION_HISTORY {
            let cut = next.attention_history.len() - ATTENTION_HISTORY;
            next.attention_history
                .iter_mut()
                .take(cut)
                .for_each(|a| *a = None);
        }
        next.tokens.push(TextToken {
            id,
            p_raw: Some(p),
            rank: Some(rank),
            forced,
        });
        let feed = if self.window.len() < seq_len {
            next.window.push(id);
            Feed {
                keep: self.window.len(),
                tokens: vec![id],
            }
        } else {
            // The context is full: keep its last three quarters and recompute their keys and values.
            let all: Vec<u32> = next.tokens.iter().map(|t| t.id).collect();
            next.window = all[all.len() - slide_keep(seq_len).min(all.len())..].to_vec();
            next.notes.retain(|n| !matches!(n, Note::Slid { .. }));
            next.notes.push(Note::Slid {
                at: all.len(),
                kept: next.window.len(),
            });
            Feed {
                keep: 0,
                tokens: next.window.clone(),
            }
        };
        Ok(Change::Output(next, feed))
    }

    /// The token the settings draw next at this position (`processed` is the distribution after them).
    pub fn draw(&self, seed: u64, processed: &[f32]) -> u32 {
        sampler_at(seed, self.tokens.len()).sample(processed) as u32
    }

    /// Undoes the last generated token (`None` when there is none): its logits come back from the history; the
    /// cache drops one position, or is rebuilt when the token had caused a slide.
    pub fn back(&self, revision: u64) -> Option<Change> {
        let mut next = self.clone();
        let (logits, window_len) = next.history.pop()?;
        next.tokens.pop();
        next.attention = next.attention_history.pop().flatten();
        let all: Vec<u32> = next.tokens.iter().map(|t| t.id).collect();
        let window: Vec<u32> = all[all.len().saturating_sub(window_len)..].to_vec();
        // When the cache still holds the window, the next step keeps only its positions (the forward overwrites
        // the last one); otherwise (the token had caused a slide) the window is run again.
        let cached = self.window.len() == window.len() + 1 && self.window.starts_with(&window);
        next.window = window;
        next.logits = logits;
        next.revision = revision;
        Some(if cached {
            Change::Ready(next)
        } else {
            let feed = Feed {
                keep: 0,
                tokens: next.window.clone(),
            };
            Change::Rebuild(next, feed)
        })
    }

    /// This doc with a forward pass's results: its logits and attention, how long it took, a new revision.
    pub fn with_output(mut self, out: StepOutput, step_ms: f64, revision: u64) -> Doc {
        self.logits = Rc::new(out.logits);
        self.attention = Some(Rc::new(out.attention));
        self.step_ms = Some(step_ms);
        self.revision = revision;
        self
    }

    /// Model probabilities of the generated tokens, in order.
    pub fn generated(&self) -> Vec<f32> {
        self.tokens.iter().filter_map(|t| t.p_raw).collect()
    }
}

#[cfg(test)]
mod tests;
