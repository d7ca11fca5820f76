//! The text's changes, natively: start, step, take, back, slide, resume.

use super::*;
use crate::pages::lm::texts::EN;

/// The doc's notes in English, as the page shows them.
fn notes(doc: &Doc) -> Vec<String> {
    doc.notes.iter().map(|n| n.text(&EN)).collect()
}

/// A tokenizer of single characters: `⟨unk⟩`, newline, a…e.
fn tokenizer() -> Tokenizer {
    let pieces = ["<unk>", "\n", "a", "b", "c", "d", "e"];
    Tokenizer::characters(pieces.iter().map(|p| p.to_string()).collect()).unwrap()
}

/// Logits that make token `top` the most likely, then the rest in id order.
fn output(top: u32) -> StepOutput {
    let logits = (0..7)
        .map(|i| if i == top { 5.0 } else { -(i as f32) })
        .collect();
    StepOutput {
        logits,
        attention: vec![vec![vec![1.0]]],
    }
}

/// Runs a change as the loader does, with `top` as the next most likely token.
fn finish(change: Change, top: u32, revision: u64) -> (Doc, Option<Feed>) {
    match change {
        Change::Output(doc, feed) => (doc.with_output(output(top), 1.0, revision), Some(feed)),
        Change::Rebuild(doc, feed) => (doc, Some(feed)),
        Change::Ready(doc) => (doc, None),
    }
}

fn ids(doc: &Doc) -> Vec<u32> {
    doc.tokens.iter().map(|t| t.id).collect()
}

#[test]
fn a_prompt_starts_a_fresh_cache() {
    let t = tokenizer();
    let (doc, feed) = finish(Doc::start(&t, None, 8, "m", "abc"), 2, 1);
    assert_eq!(ids(&doc), [2, 3, 4]);
    assert_eq!(
        feed,
        Some(Feed {
            keep: 0,
            tokens: vec![2, 3, 4]
        })
    );
    assert_eq!(doc.window, [2, 3, 4]);
    assert!(doc.notes.is_empty() && doc.history.is_empty());
    assert_eq!((doc.revision, doc.model.as_str()), (1, "m"));
    assert!(doc.generated().is_empty());
}

#[test]
fn odd_prompts_get_notes() {
    let t = tokenizer();
    let (empty, feed) = finish(Doc::start(&t, None, 8, "m", ""), 2, 1);
    assert_eq!(ids(&empty), [1]);
    assert_eq!(feed.unwrap().tokens, [1]);
    assert!(notes(&empty)[0].contains("empty"));
    let (unknown, _) = finish(Doc::start(&t, None, 8, "m", "a中x中"), 2, 1);
    assert!(
        notes(&unknown)[0].starts_with("2 distinct characters"),
        "{:?}",
        unknown.notes
    );
    // Longer than three quarters of the context: the last six of ten tokens are read.
    let (long, feed) = finish(Doc::start(&t, None, 8, "m", "abcdeabcde"), 2, 1);
    assert_eq!(long.tokens.len(), 10);
    assert_eq!(long.window, [6, 2, 3, 4, 5, 6]);
    assert_eq!(feed.unwrap().tokens.len(), 6);
    assert!(
        notes(&long)[0].contains("reads the last 6"),
        "{:?}",
        long.notes
    );
}

#[test]
fn step_takes_the_drawn_token_and_feeds_one_position() {
    let t = tokenizer();
    let (doc, _) = finish(Doc::start(&t, None, 8, "m", "ab"), 4, 1);
    // Greedy: all mass on the top token.
    let mut processed = vec![0.0; 7];
    processed[4] = 1.0;
    let id = doc.draw(1, &processed);
    assert_eq!(id, 4);
    let (next, feed) = finish(doc.append(id, false, 8).unwrap(), 5, 2);
    assert_eq!(
        feed,
        Some(Feed {
            keep: 2,
            tokens: vec![4]
        })
    );
    assert_eq!(ids(&next), [2, 3, 4]);
    assert_eq!(next.window, [2, 3, 4]);
    let last = next.tokens.last().unwrap();
    assert_eq!((last.rank, last.forced), (Some(1), false));
    assert!(last.p_raw.unwrap() > 0.9);
    assert_eq!(next.history.len(), 1);
    assert_eq!(next.revision, 2);
    // The same seed at the same position draws the same token from any distribution.
    let even = vec![1.0 / 7.0; 7];
    assert_eq!(doc.draw(9, &even), doc.draw(9, &even));
}

#[test]
fn taking_a_candidate_records_its_rank_and_that_the_visitor_chose_it() {
    let t = tokenizer();
    let (doc, _) = finish(Doc::start(&t, None, 8, "m", "ab"), 2, 1);
    // Logits: token 2 first, then 0, 1, 3, … (falling with the id): token 3 is the fourth.
    let (next, _) = finish(doc.append(3, true, 8).unwrap(), 2, 2);
    let last = next.tokens.last().unwrap();
    assert_eq!((last.id, last.rank, last.forced), (3, Some(4), true));
    assert_eq!(
        doc.append(99, true, 8).map(|_| ()).map_err(|e| e.text(&EN)),
        Err("token 99 is not in the vocabulary of 7".to_string()),
        "a token outside the vocabulary"
    );
}

#[test]
fn back_restores_the_logits_exactly_and_truncates_the_cache() {
    let t = tokenizer();
    let (doc, _) = finish(Doc::start(&t, None, 8, "m", "ab"), 2, 1);
    let (stepped, _) = finish(doc.append(2, false, 8).unwrap(), 6, 2);
    let back = doc_of(stepped.back(3).unwrap());
    assert!(
        matches!(stepped.back(3), Some(Change::Ready(_))),
        "the cache still holds the window"
    );
    assert_eq!(back.tokens, doc.tokens);
    assert_eq!(back.window, doc.window);
    assert_eq!(back.logits, doc.logits);
    assert_eq!(back.attention, doc.attention);
    assert!(back.history.is_empty());
    assert_eq!(back.revision, 3);
    // Nothing generated: nothing to undo.
    assert_eq!(doc.back(4), None);
    // Stepping again from there gives the same token at the same position.
    let (again, feed) = finish(back.append(2, false, 8).unwrap(), 6, 4);
    assert_eq!(again.tokens, stepped.tokens);
    assert_eq!(feed.unwrap().keep, 2);
}

fn doc_of(change: Change) -> Doc {
    match change {
        Change::Output(d, _) | Change::Rebuild(d, _) | Change::Ready(d) => d,
    }
}

#[test]
fn a_full_context_slides_to_three_quarters_and_back_rebuilds_it() {
    let t = tokenizer();
    let seq_len = 4;
    let (mut doc, _) = finish(Doc::start(&t, None, seq_len, "m", "abc"), 2, 1);
    assert_eq!(doc.window, [2, 3, 4]);
    let mut feeds = Vec::new();
    for (i, id) in [5u32, 6, 2].into_iter().enumerate() {
        let (next, feed) = finish(doc.append(id, false, seq_len).unwrap(), 2, 2 + i as u64);
        feeds.push(feed.unwrap());
        doc = next;
    }
    // abc + d fills the context (4); e slides to the last 3 (c d e); then a fits again.
    assert_eq!(
        feeds[0],
        Feed {
            keep: 3,
            tokens: vec![5]
        }
    );
    assert_eq!(
        feeds[1],
        Feed {
            keep: 0,
            tokens: vec![4, 5, 6]
        }
    );
    assert_eq!(
        feeds[2],
        Feed {
            keep: 3,
            tokens: vec![2]
        }
    );
    assert_eq!(doc.window, [4, 5, 6, 2]);
    assert_eq!(doc.notes.len(), 1);
    assert!(
        notes(&doc)[0].contains("full at token 5"),
        "{:?}",
        doc.notes
    );
    // Back over "a" keeps the cache; back over "e" (which slid) rebuilds it.
    let once = doc_of(doc.back(10).unwrap());
    assert_eq!(once.window, [4, 5, 6]);
    let twice = once.back(11).unwrap();
    match twice {
        Change::Rebuild(d, feed) => {
            assert_eq!(d.window, [2, 3, 4, 5]);
            assert_eq!(
                feed,
                Feed {
                    keep: 0,
                    tokens: vec![2, 3, 4, 5]
                }
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn resume_replays_the_window_and_keeps_the_text() {
    let t = tokenizer();
    let (doc, _) = finish(Doc::start(&t, None, 8, "m", "ab"), 2, 1);
    let (stepped, _) = finish(doc.append(2, true, 8).unwrap(), 3, 2);
    let (resumed, feed) = finish(stepped.resume(), 3, 3);
    assert_eq!(
        feed,
        Some(Feed {
            keep: 0,
            tokens: stepped.window.clone()
        })
    );
    assert_eq!(resumed.tokens, stepped.tokens);
    assert_eq!(resumed.history, stepped.history);
    assert_eq!(resumed.revision, 3);
}

#[test]
fn only_the_latest_attention_is_kept_for_back() {
    let t = tokenizer();
    let (mut doc, _) = finish(Doc::start(&t, None, 1000, "m", "a"), 2, 1);
    for i in 0..ATTENTION_HISTORY + 3 {
        doc = finish(doc.append(2, false, 1000).unwrap(), 2, i as u64 + 2).0;
    }
    let kept = doc.attention_history.iter().filter(|a| a.is_some()).count();
    assert_eq!(kept, ATTENTION_HISTORY);
    assert_eq!(doc.attention_history.len(), ATTENTION_HISTORY + 3);
}

#[test]
fn pieces_read_plainly() {
    assert_eq!(readable("a b\n\t\u{7}"), "a␣b⏎⇥\\u{7}");
    assert!(next_revision() < next_revision());
}

#[test]
fn a_prompt_in_the_other_script_is_converted_and_said_so() {
    let t = Tokenizer::characters(["<unk>", "牀", "前", "月"].map(String::from).to_vec()).unwrap();
    let script = genscope_core::script::ScriptMap::new(&genscope_core::script::ScriptTables {
        model_script: "traditional".into(),
        to_model: "床牀".into(),
        from_model: "牀床".into(),
        source: "test".into(),
    })
    .unwrap();
    let (doc, feed) = finish(Doc::start(&t, Some(&script), 8, "m", "床前月"), 4, 1);
    assert_eq!(
        feed.map(|f| f.tokens),
        Some(vec![1, 2, 3]),
        "no ⟨unk⟩ once converted"
    );
    assert!(notes(&doc)[0].contains("床→牀"), "{:?}", doc.notes);
    assert_eq!(doc.notes.len(), 1, "{:?}", doc.notes);
    // Without the tables, 床 is unknown and said to be.
    let (plain, _) = finish(Doc::start(&t, None, 8, "m", "床前月"), 4, 1);
    assert!(notes(&plain)[0].contains("⟨unk⟩"), "{:?}", plain.notes);
}
