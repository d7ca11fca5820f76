//! Simplified and Traditional Chinese script, for a model trained on one of them.
//!
//! The Tang model learnt from poems in Traditional script, so a visitor's Simplified prompt would mostly turn into
//! ⟨unk⟩ (床 is not in its vocabulary; 牀 is). Its card carries two one-character tables, made by the trainer from
//! OpenCC's character tables and kept to the characters the vocabulary has: one converts a prompt into the model's
//! script, the other shows the model's text in the other script. Character by character is what a prompt needs:
//! the model reads characters, and an ambiguous Simplified character (发: 發 or 髮) was given the reading the
//! training corpus uses most.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The two tables, as a card stores them: strings of character pairs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptTables {
    /// The script the model was trained on, e.g. `traditional`.
    pub model_script: String,
    /// Pairs `(other script, model script)`, concatenated: `床牀发發…`.
    pub to_model: String,
    /// Pairs `(model script, other script)`, concatenated: `牀床發发…`.
    pub from_model: String,
    /// Where the tables came from (package, version, licence).
    pub source: String,
}

/// A text converted into or out of the model's script, with what changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Converted {
    /// The converted text.
    pub text: String,
    /// Each distinct character that changed, `(from, to)`, in the order first seen.
    pub changes: Vec<(char, char)>,
}

/// The tables, checked and ready to convert.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScriptMap {
    to_model: HashMap<char, char>,
    from_model: HashMap<char, char>,
}

impl ScriptMap {
    /// Checks a card's tables (whole pairs, no character mapped twice) and builds the maps.
    pub fn new(tables: &ScriptTables) -> Result<ScriptMap> {
        Ok(ScriptMap {
            to_model: pairs("to_model", &tables.to_model)?,
            from_model: pairs("from_model", &tables.from_model)?,
        })
    }

    /// `text` in the model's script (characters without an entry stay as they are).
    pub fn to_model(&self, text: &str) -> Converted {
        convert(&self.to_model, text)
    }

    /// `text` (the model's script) in the other script.
    pub fn from_model(&self, text: &str) -> Converted {
        convert(&self.from_model, text)
    }

    /// Number of characters each table converts: `(to_model, from_model)`.
    pub fn sizes(&self) -> (usize, usize) {
        (self.to_model.len(), self.from_model.len())
    }
}

fn pairs(table: &str, text: &str) -> Result<HashMap<char, char>> {
    let chars: Vec<char> = text.chars().collect();
    if !chars.len().is_multiple_of(2) {
        return Err(Error::Weights(format!(
            "script table {table}: {} characters, not whole pairs",
            chars.len()
        )));
    }
    let mut map = HashMap::with_capacity(chars.len() / 2);
    for pair in chars.chunks_exact(2) {
        if map.insert(pair[0], pair[1]).is_some() {
            return Err(Error::Weights(format!(
                "script table {table}: {} is mapped twice",
                pair[0]
            )));
        }
    }
    Ok(map)
}

fn convert(map: &HashMap<char, char>, text: &str) -> Converted {
    let mut changes: Vec<(char, char)> = Vec::new();
    let text = text
        .chars()
        .map(|c| match map.get(&c) {
            Some(&to) if to != c => {
                if !changes.iter().any(|&(from, _)| from == c) {
                    changes.push((c, to));
                }
                to
            }
            _ => c,
        })
        .collect();
    Converted { text, changes }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> ScriptMap {
        ScriptMap::new(&ScriptTables {
            model_script: "traditional".into(),
            to_model: "床牀发發明明".into(),
            from_model: "牀床發发".into(),
            source: "test".into(),
        })
        .unwrap()
    }

    #[test]
    fn a_prompt_is_converted_and_the_changes_are_listed_once() {
        let converted = map().to_model("床前明月光，床发");
        assert_eq!(converted.text, "牀前明月光，牀發");
        assert_eq!(converted.changes, vec![('床', '牀'), ('发', '發')]);
        assert_eq!(map().from_model("牀發").text, "床发");
        assert!(map().to_model("ROMEO").changes.is_empty());
    }

    #[test]
    fn broken_tables_are_refused_by_rule() {
        let bad = |to_model: &str| {
            ScriptMap::new(&ScriptTables {
                to_model: to_model.into(),
                ..ScriptTables::default()
            })
            .unwrap_err()
            .to_string()
        };
        assert!(
            bad("床牀发").contains("not whole pairs"),
            "{}",
            bad("床牀发")
        );
        assert!(bad("床牀床木").contains("床 is mapped twice"));
    }
}
