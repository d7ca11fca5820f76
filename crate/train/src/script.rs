//! The Tang model's Simplified/Traditional tables, from OpenCC's one-character tables (fetched by
//! `cargo xtask data` into `data/opencc/`) kept to what the model's vocabulary holds.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::{Context, Result};
use genscope_core::script::{ScriptMap, ScriptTables};

/// Where the tables come from, as the card says it.
pub const SOURCE: &str = "OpenCC 1.4.2 (npm opencc@1.4.2, Apache-2.0): STCharacters.txt and TSCharacters.txt, \
kept to the model's vocabulary; a Simplified character with several Traditional forms takes the one the training \
poems use most";

/// One OpenCC table: each line `from<TAB>to1 to2 …`.
fn read_table(path: &Path) -> Result<Vec<(char, Vec<char>)>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{} (run `cargo xtask data`)", path.display()))?;
    Ok(text
        .lines()
        .filter_map(|line| {
            let (from, to) = line.split_once('\t')?;
            let mut from = from.chars();
            let (Some(from), None) = (from.next(), from.next()) else {
                return None; // a phrase, not one character
            };
            let to: Vec<char> = to
                .split(' ')
                .filter_map(|t| {
                    let mut c = t.chars();
                    match (c.next(), c.next()) {
                        (Some(c), None) => Some(c),
                        _ => None,
                    }
                })
                .collect();
            (!to.is_empty()).then_some((from, to))
        })
        .collect())
}

/// The tables for a Traditional-script model with `vocab`, trained on `corpus`.
pub fn tables(vocab: &[String], corpus: &str, opencc: &Path) -> Result<ScriptTables> {
    let known: HashSet<char> = vocab.iter().filter_map(|p| p.chars().next()).collect();
    let mut counts: HashMap<char, usize> = HashMap::new();
    for c in corpus.chars() {
        *counts.entry(c).or_default() += 1;
    }
    let mut to_model = String::new();
    for (simplified, traditional) in read_table(&opencc.join("STCharacters.txt"))? {
        if known.contains(&simplified) {
            continue; // the model knows this character as it is
        }
        let best = traditional
            .iter()
            .filter(|t| known.contains(t))
            .max_by_key(|t| counts.get(t).copied().unwrap_or(0));
        if let Some(&t) = best {
            to_model.push(simplified);
            to_model.push(t);
        }
    }
    let mut from_model = String::new();
    for (traditional, simplified) in read_table(&opencc.join("TSCharacters.txt"))? {
        if known.contains(&traditional) && simplified[0] != traditional {
            from_model.push(traditional);
            from_model.push(simplified[0]);
        }
    }
    let tables = ScriptTables {
        model_script: "traditional".into(),
        to_model,
        from_model,
        source: SOURCE.into(),
    };
    ScriptMap::new(&tables)?; // the same check the page makes
    Ok(tables)
}
