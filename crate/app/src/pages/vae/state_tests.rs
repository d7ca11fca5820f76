//! The VAE page's state transitions (`state.rs`), natively.

use super::super::elbo::Source;
use super::super::texts::{EN, ZH};
use super::*;

fn run(state: State, actions: impl IntoIterator<Item = Action>) -> State {
    let mut s = Rc::new(state);
    for a in actions {
        s = s.reduce(a);
    }
    (*s).clone()
}

fn link(model: &str, z: Option<Vec<f32>>, named: bool, notes: &[&str]) -> Action {
    Action::ApplyLink {
        model: model.into(),
        z,
        named,
        notes: notes.iter().map(|n| n.to_string()).collect(),
    }
}

/// The notes as the page shows them in English.
fn notes(state: &State) -> Vec<String> {
    state.notes.iter().map(|n| n.text(&EN)).collect()
}

fn images(labels: Vec<u8>) -> Shared<LabelledImages> {
    Shared(Rc::new(LabelledImages {
        width: 1,
        height: 1,
        pixels: vec![0.5; labels.len()],
        labels,
    }))
}

#[test]
fn a_link_point_lands_when_its_model_loads_rounded_as_the_link_writes_it() {
    let s = run(
        State::default(),
        [link("vae-mnist-z2", Some(vec![0.12345, -1.0]), true, &[])],
    );
    assert_eq!(s.model.as_deref(), Some("vae-mnist-z2"));
    assert!(s.z.is_empty());
    assert_eq!(s.reload, 1);
    let s = run(s, [Action::ModelReady { latent: 2 }]);
    assert_eq!(s.z, [0.123, -1.0]);
    assert!(s.link_z.is_none() && s.notes.is_empty());
}

#[test]
fn a_point_for_a_model_the_link_did_not_name_is_not_used() {
    let s = run(
        State::default(),
        [
            link(
                "vae-mnist-z2",
                Some(vec![1.0, 1.0]),
                false,
                &["model=x is not one of …"],
            ),
            Action::ModelReady { latent: 2 },
        ],
    );
    assert_eq!(s.z, [0.0, 0.0]);
    assert_eq!(s.notes.len(), 1);
}

#[test]
fn a_point_of_the_wrong_size_is_noted_once_even_after_switching_back() {
    let s = run(
        State::default(),
        [
            link("vae-mnist-z2", Some(vec![0.5]), true, &[]),
            Action::ModelReady { latent: 2 },
        ],
    );
    assert_eq!(s.z, [0.0, 0.0]);
    assert_eq!(
        notes(&s),
        ["z=0.5 is not a list of 2 finite numbers; using the default"]
    );
    assert_eq!(
        s.notes[0].text(&ZH),
        "z=0.5 不是由 2 个有限数组成的列表；改用默认值"
    );
    // Issue 15.6: the note came back on every return to the link's model.
    let s = run(
        s,
        [
            Action::PickModel("vae-mnist-z16".into()),
            Action::ModelReady { latent: 16 },
            Action::PickModel("vae-mnist-z2".into()),
            Action::ModelReady { latent: 2 },
        ],
    );
    assert_eq!(s.notes.len(), 1, "{:?}", s.notes);
    assert_eq!(s.z, [0.0, 0.0]);
}

#[test]
fn a_reload_keeps_the_point_and_a_same_size_model_keeps_it_too() {
    let s = run(
        State::default(),
        [
            link("vae-mnist-z2", None, true, &[]),
            Action::ModelReady { latent: 2 },
            Action::MoveTo(vec![1.23456, 9.0]),
        ],
    );
    assert_eq!(s.z, [1.235, 3.0]);
    let s = run(
        s,
        [
            Action::Failed("decoding failed".into()),
            Action::Retry,
            Action::ModelReady { latent: 2 },
        ],
    );
    assert_eq!(s.reload, 2);
    assert!(s.error.is_none());
    assert_eq!(s.z, [1.235, 3.0]);
    let s = run(
        s,
        [
            Action::SetEnd(End::A, vec![0.0, 0.0]),
            Action::PickModel("vae-fashion-z2".into()),
        ],
    );
    assert_eq!(s.ends, (None, None));
    let s = run(s, [Action::ModelReady { latent: 2 }]);
    assert_eq!(s.z, [1.235, 3.0]);
}

#[test]
fn a_new_link_replaces_notes_and_reloads() {
    let s = run(
        State::default(),
        [
            link("vae-mnist-z2", Some(vec![1.0, 1.0]), true, &["a"]),
            Action::ModelReady { latent: 2 },
            link("vae-mnist-z2", Some(vec![2.0, -2.0]), true, &["b"]),
        ],
    );
    assert_eq!(notes(&s), ["b"]);
    assert_eq!(s.notes[0].text(&ZH), "b");
    assert!(s.z.is_empty());
    assert_eq!(s.reload, 2);
    let s = run(s, [Action::ModelReady { latent: 2 }]);
    assert_eq!(s.z, [2.0, -2.0]);
}

#[test]
fn results_for_another_model_are_dropped() {
    let s = run(
        State::default(),
        [
            link("vae-mnist-z2", None, true, &[]),
            Action::ModelReady { latent: 2 },
        ],
    );
    let encoded = Rc::new(Encoded::new(
        Source::Drawing,
        vec![0.0],
        vec![0.0; 2],
        vec![0.0; 2],
        &[0.0],
    ));
    let points = Rc::new(vec![[0.0, 0.0]]);
    let s = run(
        s,
        [
            Action::Encoded("vae-fashion-z2".into(), Rc::clone(&encoded)),
            Action::Scatter("vae-fashion-z2".into(), Rc::clone(&points)),
            Action::TestImagesChecked(TestImages {
                model: "vae-fashion-z2".into(),
                images: Ok(images(vec![1])),
            }),
        ],
    );
    assert!(s.encoded.is_none() && s.scatter.is_none() && s.test_images.is_none());
    let s = run(
        s,
        [
            Action::Encoded("vae-mnist-z2".into(), encoded),
            Action::Scatter("vae-mnist-z2".into(), points),
            Action::TestImagesChecked(TestImages {
                model: "vae-mnist-z2".into(),
                images: Ok(images(vec![1])),
            }),
        ],
    );
    assert!(s.encoded.is_some());
    assert_eq!(s.visible_scatter().map(|p| p.len()), Some(1));
    assert!(s.usable_images().is_some() && s.images_problem().is_none());
    let s = run(s, [Action::ToggleScatter]);
    assert!(s.visible_scatter().is_none());
    // A reload drops the scatter until it is encoded again.
    let s = run(s, [Action::ToggleScatter, Action::ModelReady { latent: 2 }]);
    assert!(s.visible_scatter().is_none());
}

#[test]
fn unusable_test_images_are_named_and_the_rest_goes_on() {
    let s = run(
        State::default(),
        [
            link("vae-mnist-z2", None, true, &[]),
            Action::ModelReady { latent: 2 },
            Action::TestImagesChecked(TestImages {
                model: "vae-mnist-z2".into(),
                images: Err("assets/eval/mnist-test-labels.idx: bad".into()),
            }),
        ],
    );
    assert!(s.usable_images().is_none());
    assert_eq!(
        s.images_problem(),
        Some("assets/eval/mnist-test-labels.idx: bad")
    );
    assert_eq!(s.error.as_deref(), s.images_problem());
    let s = run(s, [Action::MoveTo(vec![0.5, 0.5])]);
    assert_eq!(s.z, [0.5, 0.5]);
}

#[test]
fn small_settings() {
    let s = run(
        State::default(),
        [
            Action::SetSlerp(false),
            Action::PickerPage(3),
            Action::SetEnd(End::B, vec![1.0]),
            Action::Decoded {
                ms: 0.5,
                backend: "wasm CPU".into(),
            },
            Action::SubsetFetched(DatasetId::Mnist, images(vec![0]).0),
        ],
    );
    assert!(!s.slerp);
    assert_eq!(s.picker_page, 3);
    assert_eq!(s.ends, (None, Some(vec![1.0])));
    assert_eq!(s.decode_ms, Some((0.5, "wasm CPU".into())));
    assert_eq!(s.cache.as_ref().map(|c| c.0), Some(DatasetId::Mnist));
}
