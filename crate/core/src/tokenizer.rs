//! Text to token ids and back: a vocabulary of pieces with scores, merged the way llama2.c's tokenizer merges
//! (start from single characters, repeatedly merge the adjacent pair whose joined piece scores highest).
//!
//! The shipped models are character-level, so no pair ever merges for them; a `tokenizer.bin` from llama2.c
//! brings its BPE merges with it. A character the vocabulary lacks becomes its `<0xXX>` byte pieces when the
//! vocabulary has them (llama2.c's byte fallback) and the unknown token otherwise, so it is never dropped.

use std::collections::HashMap;

use crate::{Error, Result};

/// Longest piece accepted from a `tokenizer.bin` (llama2.c's own are at most a few dozen bytes).
const MAX_PIECE_BYTES: usize = 1024;

/// A vocabulary and how to split text into it.
#[derive(Clone, Debug)]
pub struct Tokenizer {
    pieces: Vec<String>,
    scores: Vec<f32>,
    lookup: HashMap<String, u32>,
    unknown: u32,
    byte_pieces: Option<[u32; 256]>,
}

impl Tokenizer {
    /// A tokenizer over `pieces` (id = index) with merge `scores` (one per piece). The unknown token is the piece
    /// `<unk>`, or id 0 when there is none.
    pub fn new(pieces: Vec<String>, scores: Vec<f32>) -> Result<Self> {
        if pieces.is_empty() || pieces.len() != scores.len() || pieces.len() > u32::MAX as usize {
            return Err(Error::Weights(format!(
                "a tokenizer needs one score per piece and at least one piece ({} pieces, {} scores)",
                pieces.len(),
                scores.len()
            )));
        }
        let mut lookup = HashMap::with_capacity(pieces.len());
        for (id, piece) in pieces.iter().enumerate() {
            // The first of duplicate pieces wins, as in llama2.c's sorted lookup.
            lookup.entry(piece.clone()).or_insert(id as u32);
        }
        let unknown = lookup.get("<unk>").copied().unwrap_or(0);
        let mut bytes = [0u32; 256];
        let mut all_bytes = true;
        for (b, slot) in bytes.iter_mut().enumerate() {
            match lookup.get(&format!("<0x{b:02X}>")) {
                Some(&id) => *slot = id,
                None => all_bytes = false,
            }
        }
        Ok(Self {
            pieces,
            scores,
            lookup,
            unknown,
            byte_pieces: all_bytes.then_some(bytes),
        })
    }

    /// A character-level tokenizer: every piece scores 0, so nothing merges.
    pub fn characters(pieces: Vec<String>) -> Result<Self> {
        let scores = vec![0.0; pieces.len()];
        Self::new(pieces, scores)
    }

    /// Number of pieces.
    pub fn len(&self) -> usize {
        self.pieces.len()
    }

    /// True for an empty vocabulary (never: `new` refuses one).
    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// The id used for text the vocabulary cannot express.
    pub fn unknown(&self) -> u32 {
        self.unknown
    }

    /// The text of piece `id` (byte pieces such as `<0x0A>` as the byte they stand for when it is ASCII).
    pub fn piece(&self, id: u32) -> &str {
        match self.pieces.get(id as usize) {
            Some(p) => p,
            None => "<unk>",
        }
    }

    /// Every piece, in id order.
    pub fn pieces(&self) -> &[String] {
        &self.pieces
    }

    /// Splits `text` into ids: one piece per character (or its bytes, or the unknown id), then llama2.c's
    /// greedy best-score merges.
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::with_capacity(text.len());
        let mut buf = [0u8; 4];
        for c in text.chars() {
            let s: &str = c.encode_utf8(&mut buf);
            match (self.lookup.get(s), &self.byte_pieces) {
                (Some(&id), _) => ids.push(id),
                (None, Some(bytes)) => ids.extend(s.bytes().map(|b| bytes[b as usize])),
                (None, None) => ids.push(self.unknown),
            }
        }
        self.merge(ids)
    }

    /// llama2.c's merges: repeatedly join the adjacent pair whose joined piece has the highest score (the leftmost
    /// of equals). Done with a heap of candidate pairs over a linked list, so a long prompt costs O(n log n), not
    /// a rescan of every pair after every merge (seconds for a few thousand characters of a real BPE vocabulary).
    fn merge(&self, ids: Vec<u32>) -> Vec<u32> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;

        /// A candidate: the joined piece's score, then the leftmost position first.
        #[derive(PartialEq)]
        struct Candidate {
            score: f32,
            left: Reverse<usize>,
            pair: (u32, u32),
            merged: u32,
        }
        impl Eq for Candidate {}
        impl PartialOrd for Candidate {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for Candidate {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                // Scores are finite (checked when the tokenizer is read).
                self.score
                    .total_cmp(&other.score)
                    .then(self.left.cmp(&other.left))
            }
        }

        let n = ids.len();
        let mut ids: Vec<Option<u32>> = ids.into_iter().map(Some).collect();
        let mut next: Vec<usize> = (1..=n).collect();
        let mut prev: Vec<Option<usize>> = (0..n).map(|i| i.checked_sub(1)).collect();
        let mut joined = String::new();
        let mut candidate = |left: usize, a: u32, b: u32| -> Option<Candidate> {
            joined.clear();
            joined.push_str(&self.pieces[a as usize]);
            joined.push_str(&self.pieces[b as usize]);
            self.lookup.get(joined.as_str()).map(|&merged| Candidate {
                score: self.scores[merged as usize],
                left: Reverse(left),
                pair: (a, b),
                merged,
            })
        };
        let mut heap: BinaryHeap<Candidate> = (0..n.saturating_sub(1))
            .filter_map(|i| candidate(i, ids[i]?, ids[i + 1]?))
            .collect();
        while let Some(c) = heap.pop() {
            let left = c.left.0;
            let right = next[left];
            // Skip candidates that earlier merges made stale.
            if right >= n || ids[left] != Some(c.pair.0) || ids[right] != Some(c.pair.1) {
                continue;
            }
            ids[left] = Some(c.merged);
            ids[right] = None;
            next[left] = next[right];
            if next[left] < n {
                prev[next[left]] = Some(left);
            }
            if let Some(p) = prev[left] {
                heap.extend(candidate(p, ids[p].expect("alive"), c.merged));
            }
            if next[left] < n {
                let r = next[left];
                heap.extend(candidate(left, c.merged, ids[r].expect("alive")));
            }
        }
        ids.into_iter().flatten().collect()
    }

    /// Reads llama2.c's `tokenizer.bin` for a model of `vocab_size` tokens: an `i32` max piece length, then per
    /// piece an `f32` score, an `i32` byte length and the UTF-8 bytes. Errors name the file `tokenizer.bin`; a
    /// visitor's file has its own name: use [`Tokenizer::read_llama2c_named`].
    pub fn read_llama2c(bytes: &[u8], vocab_size: usize) -> Result<Self> {
        Self::read_llama2c_named("tokenizer.bin", bytes, vocab_size)
    }

    /// Reads a llama2.c tokenizer file called `file_name` (see [`Tokenizer::read_llama2c`] for the format). Every
    /// number in it is checked before it is used: each piece's length (0..=1024 bytes, within the file), each
    /// score (finite). The file must hold exactly `vocab_size` pieces: one that ends early, or that has bytes
    /// left after the last piece (another model's tokenizer, with a larger vocabulary), is refused. Errors are
    /// [`Error::File`]s naming `file_name`.
    pub fn read_llama2c_named(file_name: &str, bytes: &[u8], vocab_size: usize) -> Result<Self> {
        let bad = |why: String| Error::File {
            file: file_name.to_owned(),
            why: format!("not a valid llama2.c tokenizer: {why}"),
        };
        if bytes.len() < 4 {
            return Err(bad(format!(
                "{} bytes is shorter than its 4-byte header",
                bytes.len()
            )));
        }
        let mut at = 4usize;
        let mut take = |n: usize, what: &str| -> Result<&[u8]> {
            let end = at
                .checked_add(n)
                .filter(|&e| e <= bytes.len())
                .ok_or_else(|| {
                    bad(format!(
                        "ends inside {what} at byte {at} (the model's vocabulary has {vocab_size} pieces)"
                    ))
                })?;
            let slice = &bytes[at..end];
            at = end;
            Ok(slice)
        };
        let word = |b: &[u8]| [b[0], b[1], b[2], b[3]];
        let mut pieces = Vec::with_capacity(vocab_size.min(1 << 20));
        let mut scores = Vec::with_capacity(vocab_size.min(1 << 20));
        for i in 0..vocab_size {
            let score = f32::from_le_bytes(word(take(4, "a score")?));
            let len = i32::from_le_bytes(word(take(4, "a length")?));
            let len = usize::try_from(len)
                .ok()
                .filter(|&l| l <= MAX_PIECE_BYTES)
                .ok_or_else(|| {
                    bad(format!(
                        "piece {i} claims {len} bytes, outside 0..={MAX_PIECE_BYTES}"
                    ))
                })?;
            let text = take(len, "a piece")?;
            if !score.is_finite() {
                return Err(bad(format!("piece {i} has score {score}")));
            }
            scores.push(score);
            pieces.push(String::from_utf8_lossy(text).into_owned());
        }
        if at != bytes.len() {
            return Err(bad(format!(
                "{} bytes follow the {vocab_size} pieces of the model's vocabulary: this tokenizer has more \
                 pieces than the model has tokens (is it another model's tokenizer?)",
                bytes.len() - at
            )));
        }
        Self::new(pieces, scores).map_err(|e| e.in_file(file_name))
    }

    /// Writes llama2.c's `tokenizer.bin` for this vocabulary.
    pub fn write_llama2c(&self) -> Vec<u8> {
        let max = self.pieces.iter().map(String::len).max().unwrap_or(0) as i32;
        let mut out = max.to_le_bytes().to_vec();
        for (piece, score) in self.pieces.iter().zip(&self.scores) {
            out.extend(score.to_le_bytes());
            out.extend((piece.len() as i32).to_le_bytes());
            out.extend(piece.as_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &[&str]) -> Tokenizer {
        Tokenizer::characters(s.iter().map(|s| s.to_string()).collect()).unwrap()
    }

    #[test]
    fn characters_outside_the_vocabulary_become_the_unknown_token() {
        let t = chars(&["<unk>", "a", "b", " "]);
        assert_eq!(t.encode("ab 😀中a"), [1, 2, 3, 0, 0, 1]);
        assert_eq!(t.encode(""), Vec::<u32>::new());
    }

    #[test]
    fn merges_follow_the_best_score() {
        let pieces = ["<unk>", "a", "b", "c", "ab", "bc", "abc"]
            .map(String::from)
            .to_vec();
        // "bc" outscores "ab", so "abc" first becomes a + bc, which then merges into "abc".
        let t = Tokenizer::new(pieces, vec![0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0]).unwrap();
        assert_eq!(t.encode("abc"), [6]);
        assert_eq!(t.encode("abab"), [4, 4]);
        assert_eq!(t.encode("cab"), [3, 4]);
    }

    #[test]
    fn byte_fallback_is_used_when_the_vocabulary_has_byte_pieces() {
        let mut pieces = vec!["<unk>".to_string(), "a".to_string()];
        pieces.extend((0..=255u8).map(|b| format!("<0x{b:02X}>")));
        let t = Tokenizer::characters(pieces).unwrap();
        let ids = t.encode("a中");
        assert_eq!(ids.len(), 4);
        assert_eq!(t.piece(ids[1]), "<0xE4>");
    }

    #[test]
    fn tokenizer_bin_round_trips_and_bad_files_are_named_errors() {
        let t = Tokenizer::new(
            ["<unk>", "a", "é", "ab"].map(String::from).to_vec(),
            vec![0.0, -1.0, -2.0, 5.0],
        )
        .unwrap();
        let bytes = t.write_llama2c();
        let back = Tokenizer::read_llama2c(&bytes, 4).unwrap();
        assert_eq!(back.pieces(), t.pieces());
        assert_eq!(back.encode("aab"), t.encode("aab"));
        let short = Tokenizer::read_llama2c(&bytes[..bytes.len() - 1], 4).unwrap_err();
        assert!(short.to_string().contains("ends inside a piece"), "{short}");
        let mut huge = bytes.clone();
        huge[8..12].copy_from_slice(&i32::MAX.to_le_bytes());
        let err = Tokenizer::read_llama2c(&huge, 4).unwrap_err();
        assert!(err.to_string().contains("claims"), "{err}");
        assert!(Tokenizer::read_llama2c(&[], 4).is_err());
    }

    #[test]
    fn tokenizer_files_with_extra_pieces_or_bad_numbers_are_refused_by_name() {
        let t = chars(&["<unk>", "a", "b"]);
        let bytes = t.write_llama2c();
        assert!(Tokenizer::read_llama2c_named("v.bin", &bytes, 3).is_ok());
        let err = Tokenizer::read_llama2c_named("v.bin", &bytes, 2)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("v.bin: ") && err.contains("more pieces than the model has tokens"),
            "{err}"
        );
        let err = Tokenizer::read_llama2c_named("v.bin", &bytes, 4)
            .unwrap_err()
            .to_string();
        assert!(err.contains("ends inside a score"), "{err}");
        let mut negative = bytes.clone();
        negative[8..12].copy_from_slice(&(-1i32).to_le_bytes());
        let err = Tokenizer::read_llama2c_named("v.bin", &negative, 3)
            .unwrap_err()
            .to_string();
        assert!(err.contains("piece 0 claims -1 bytes"), "{err}");
        let mut nan = bytes.clone();
        nan[4..8].copy_from_slice(&f32::NAN.to_le_bytes());
        let err = Tokenizer::read_llama2c_named("v.bin", &nan, 3)
            .unwrap_err()
            .to_string();
        assert!(err.contains("piece 0 has score NaN"), "{err}");
        let err = Tokenizer::read_llama2c_named("v.bin", &bytes[..4], 0)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("v.bin: ") && err.contains("at least one piece"),
            "{err}"
        );
    }

    /// The merges as llama2.c writes them (rescan every pair after every merge): the oracle for the heap version.
    fn merge_by_rescanning(t: &Tokenizer, mut ids: Vec<u32>) -> Vec<u32> {
        loop {
            let mut best: Option<(f32, usize, u32)> = None;
            for i in 0..ids.len().saturating_sub(1) {
                let joined = format!(
                    "{}{}",
                    t.pieces[ids[i] as usize],
                    t.pieces[ids[i + 1] as usize]
                );
                if let Some(&id) = t.lookup.get(joined.as_str()) {
                    let score = t.scores[id as usize];
                    if best.is_none_or(|(s, _, _)| score > s) {
                        best = Some((score, i, id));
                    }
                }
            }
            match best {
                Some((_, i, id)) => {
                    ids[i] = id;
                    ids.remove(i + 1);
                }
                None => return ids,
            }
        }
    }

    #[test]
    fn merges_equal_llama2c_rescanning_and_long_prompts_are_fast() {
        let pieces: Vec<String> = [
            "a", "b", "c", " ", "ab", "bc", "abc", "ca", "aa", "aaa", "aaaa", " a", "cab", "bb",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Equal scores included, so the leftmost-first rule is exercised.
        let scores = vec![
            0.0, 0.0, 0.0, 0.0, 2.0, 2.0, 3.0, 1.0, 1.5, 2.5, 2.5, 0.5, 1.0, 2.0,
        ];
        let t = Tokenizer::new(pieces, scores).unwrap();
        let mut state = 12345u64;
        for len in [0, 1, 2, 3, 7, 20, 200] {
            for _ in 0..50 {
                let text: String = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        ['a', 'b', 'c', ' '][(state % 4) as usize]
                    })
                    .collect();
                let chars: Vec<u32> = text
                    .chars()
                    .map(|c| t.lookup[c.to_string().as_str()])
                    .collect();
                assert_eq!(t.encode(&text), merge_by_rescanning(&t, chars), "{text:?}");
            }
        }
        // 100,000 characters that merge all the way: the rescanning version takes minutes here.
        let long = "a".repeat(100_000);
        let ids = t.encode(&long);
        assert_eq!(ids.len(), 25_000);
    }
}
