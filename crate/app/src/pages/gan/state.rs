//! The GAN page's state and every change to it, as pure functions (no web handles, so they are tested natively).

use std::rc::Rc;

use yew::Reducible;

use crate::i18n::fill;

use super::link::{
    parse_seed, GanSettings, SeedNote, CELLS, MAX_PINNED, MAX_SEED, MAX_TRUNCATION, MIN_TRUNCATION,
};
use super::texts::GanTexts;

/// Watch mode's step along each walk per frame: default and range (the speed slider's).
pub const DEFAULT_SPEED: f32 = 0.02;
pub const MIN_SPEED: f32 = 0.002;
pub const MAX_SPEED: f32 = 0.2;

/// A sample's label: (class, the classifier's probability, the discriminator's score).
pub type Judgement = (usize, f32, f32);

/// A failure after the model loaded, with the error it gave; [`Failure::words`] says it in a language.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// Generating samples failed.
    Generating(String),
    /// Labelling them (the discriminator and the classifier) failed.
    Labelling(String),
}

impl Failure {
    /// The message in the words of `t`, e.g. "generating failed: …".
    pub fn words(&self, t: &GanTexts) -> String {
        let (template, error) = match self {
            Failure::Generating(e) => (t.generating_failed, e),
            Failure::Labelling(e) => (t.labelling_failed, e),
        };
        fill(template, &[("error", error)])
    }
}

/// Everything the GAN page shows that is not a model or a canvas.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The model shown (`None` until the link is read).
    pub model: Option<String>,
    /// Seed, truncation and pins: what the link carries.
    pub settings: GanSettings,
    /// What the link said that could not be used as it was.
    pub notes: Vec<String>,
    /// Why a typed seed was changed, until the next seed.
    pub seed_note: Option<SeedNote>,
    /// A failure after the model loaded (generating, labelling), with a "Try again".
    pub error: Option<Failure>,
    /// The last grid's time and the backend that drew it (a switch shows the old one until the new grid is drawn).
    pub grid_ms: Option<(f64, String)>,
    /// Labels of the grid's samples, by cell.
    pub judged: Vec<Judgement>,
    /// Watch mode is on.
    pub watching: bool,
    /// Watch mode's step per frame.
    pub speed: f32,
    /// Watch mode's measured frame rate.
    pub fps: Option<f64>,
    /// Goes up to load the model again (a new link, "Try again").
    pub reload: u32,
}

impl Default for State {
    fn default() -> Self {
        Self {
            model: None,
            settings: GanSettings::default(),
            notes: Vec::new(),
            seed_note: None,
            error: None,
            grid_ms: None,
            judged: Vec::new(),
            watching: false,
            speed: DEFAULT_SPEED,
            fps: None,
            reload: 0,
        }
    }
}

/// What can happen on the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A link was read: its model and settings replace the page's, and the model loads again.
    ApplyLink {
        model: String,
        settings: GanSettings,
        notes: Vec<String>,
    },
    /// The visitor picked another model.
    PickModel(String),
    /// The visitor typed a seed (the seed box's text): checked, and the pins go.
    TypeSeed(String),
    /// "New seed" drew this one; the pins go.
    NewSeed(u64),
    /// The truncation slider moved.
    SetTruncation(f32),
    /// A click on a cell: pins it, or unpins it if it was pinned.
    Pin(usize),
    /// Watch / Pause.
    ToggleWatch,
    /// The speed slider moved.
    SetSpeed(f32),
    /// Watch mode measured its frame rate.
    Fps(f64),
    /// A grid was drawn in `ms` on `backend`.
    GridDrawn { ms: f64, backend: String },
    /// The grid's samples were labelled.
    Judged(Vec<Judgement>),
    /// Something failed after the model loaded.
    Fail(Failure),
    /// Load the model again (its own error panel's "Try again").
    Reload,
    /// Clear the failure and load the model again.
    Retry,
}

impl State {
    /// The state after `action`.
    pub fn next(&self, action: Action) -> State {
        let mut s = self.clone();
        match action {
            Action::ApplyLink {
                model,
                settings,
                notes,
            } => {
                s.model = Some(model);
                s.settings = settings;
                s.notes = notes;
                s.seed_note = None;
                s.reload += 1;
            }
            Action::PickModel(model) => s.model = Some(model),
            Action::TypeSeed(text) => {
                let (seed, note) = parse_seed(&text, self.settings.seed);
                s.settings.seed = seed;
                s.settings.pinned.clear();
                s.seed_note = note;
            }
            Action::NewSeed(seed) => {
                s.settings.seed = seed.min(MAX_SEED);
                s.settings.pinned.clear();
                s.seed_note = None;
            }
            Action::SetTruncation(t) => {
                if t.is_finite() {
                    s.settings.truncation = t.clamp(MIN_TRUNCATION, MAX_TRUNCATION);
                }
            }
            Action::Pin(cell) => {
                if cell < CELLS {
                    let pinned = &mut s.settings.pinned;
                    if let Some(at) = pinned.iter().position(|&c| c == cell) {
                        pinned.remove(at);
                    } else {
                        pinned.push(cell);
                        if pinned.len() > MAX_PINNED {
                            pinned.remove(0);
                        }
                    }
                }
            }
            Action::ToggleWatch => s.watching = !s.watching,
            Action::SetSpeed(speed) => {
                s.speed = if speed.is_finite() {
                    speed.clamp(MIN_SPEED, MAX_SPEED)
                } else {
                    DEFAULT_SPEED
                };
            }
            Action::Fps(fps) => s.fps = Some(fps),
            Action::GridDrawn { ms, backend } => s.grid_ms = Some((ms, backend)),
            Action::Judged(judged) => s.judged = judged,
            Action::Fail(e) => s.error = Some(e),
            Action::Reload => s.reload += 1,
            Action::Retry => {
                s.error = None;
                s.reload += 1;
            }
        }
        s
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(self.next(action))
    }
}

/// The timeline's state: which generator snapshot is shown, and whether it plays through them.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineState {
    /// The snapshot shown; past the end means the last (where it opens).
    pub index: usize,
    /// Playing: the next snapshot follows after a pause.
    pub playing: bool,
    /// The step shown, or why it could not be drawn (`None` before the first is drawn).
    pub status: Option<StepStatus>,
}

impl Default for TimelineState {
    fn default() -> Self {
        Self {
            index: usize::MAX,
            playing: false,
            status: None,
        }
    }
}

/// What became of the snapshot last asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum StepStatus {
    /// The snapshot of this training step was drawn; `judged` is what the final discriminator and the classifier
    /// made of its samples (`None` when judging failed: the strip is still worth showing).
    Drawn {
        /// The snapshot's training step.
        step: u64,
        /// Class, confidence and D score per sample.
        judged: Option<Vec<Judgement>>,
    },
    /// It could not be loaded or drawn, with the error.
    Failed(String),
}

impl StepStatus {
    /// The drawn snapshot's mean D score and how many classes the classifier found among its samples.
    pub fn scores(&self) -> Option<(f64, usize)> {
        let StepStatus::Drawn {
            judged: Some(judged),
            ..
        } = self
        else {
            return None;
        };
        let n = judged.len();
        let d = judged.iter().map(|j| f64::from(j.2)).sum::<f64>() / n.max(1) as f64;
        let classes = judged
            .iter()
            .map(|j| j.0)
            .collect::<std::collections::BTreeSet<_>>();
        (n > 0).then_some((d, classes.len()))
    }

    /// The status in the words of `t` ("step 400"), or the error.
    pub fn words(&self, t: &GanTexts) -> String {
        match self {
            StepStatus::Drawn { step, .. } => {
                let step = fill(t.timeline_step, &[("step", &step.to_string())]);
                match self.scores() {
                    Some((d, classes)) => {
                        let scores = fill(
                            t.timeline_scores,
                            &[("d", &format!("{d:.2}")), ("classes", &classes.to_string())],
                        );
                        format!("{step} · {scores}")
                    }
                    None => step,
                }
            }
            StepStatus::Failed(e) => crate::i18n::errors::say(e, crate::i18n::current()),
        }
    }
}

/// What can happen on the timeline; `last` is the index of the last snapshot.
#[derive(Clone, Debug, PartialEq)]
pub enum TimelineAction {
    /// The slider moved to this snapshot.
    Scrub(usize),
    /// Play / Pause (playing from the end starts again at the first snapshot).
    TogglePlay { last: usize },
    /// While playing: the next snapshot, or stop at the last.
    Advance { last: usize },
    /// A snapshot was drawn or failed.
    Status(StepStatus),
}

impl TimelineState {
    /// The snapshot shown among `last + 1`.
    pub fn current(&self, last: usize) -> usize {
        self.index.min(last)
    }

    /// The state after `action`.
    pub fn next(&self, action: TimelineAction) -> TimelineState {
        let mut s = self.clone();
        match action {
            TimelineAction::Scrub(index) => s.index = index,
            TimelineAction::TogglePlay { last } => {
                if !self.playing && self.current(last) >= last {
                    s.index = 0;
                }
                s.playing = !self.playing;
            }
            TimelineAction::Advance { last } => {
                let current = self.current(last);
                if current >= last {
                    s.playing = false;
                } else {
                    s.index = current + 1;
                }
            }
            TimelineAction::Status(status) => s.status = Some(status),
        }
        s
    }
}

impl Reducible for TimelineState {
    type Action = TimelineAction;

    fn reduce(self: Rc<Self>, action: TimelineAction) -> Rc<Self> {
        Rc::new(self.next(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::gan::texts::{EN, ZH};

    fn after(actions: impl IntoIterator<Item = Action>) -> State {
        actions.into_iter().fold(State::default(), |s, a| s.next(a))
    }

    fn link(seed: u64, pinned: Vec<usize>) -> Action {
        Action::ApplyLink {
            model: "dcgan-mnist".into(),
            settings: GanSettings {
                seed,
                truncation: 0.7,
                pinned,
            },
            notes: vec!["a note".into()],
        }
    }

    #[test]
    fn a_link_sets_model_settings_and_notes_and_reloads() {
        let s = after([Action::TypeSeed("-5".into()), link(23, vec![9])]);
        assert_eq!(s.model.as_deref(), Some("dcgan-mnist"));
        assert_eq!((s.settings.seed, s.settings.pinned.clone()), (23, vec![9]));
        assert_eq!(s.notes, ["a note"]);
        assert_eq!(s.seed_note, None);
        assert_eq!(s.reload, 1);
        let again = s.next(link(23, vec![9]));
        assert_eq!(again.reload, 2, "the same link read again loads again");
        let picked = again.next(Action::PickModel("dcgan-fashion".into()));
        assert_eq!(picked.model.as_deref(), Some("dcgan-fashion"));
        assert_eq!((picked.reload, picked.settings.seed), (2, 23));
    }

    #[test]
    fn seeds_clear_the_pins_and_a_changed_typed_seed_says_so() {
        let s = after([link(23, vec![9, 12]), Action::TypeSeed("40".into())]);
        assert_eq!((s.settings.seed, s.settings.pinned.len()), (40, 0));
        assert_eq!(s.seed_note, None);
        let s = s.next(Action::TypeSeed("-5".into()));
        assert_eq!(s.settings.seed, 0);
        let note = s.seed_note.as_ref().map(|n| n.words(&EN));
        assert!(note.is_some_and(|n| n.contains("-5")));
        let s = s.next(Action::TypeSeed("".into()));
        assert_eq!(s.settings.seed, 0, "an empty box keeps the seed");
        assert!(s.seed_note.is_some());
        let s = s.next(Action::Pin(3)).next(Action::NewSeed(u64::MAX));
        assert_eq!(s.settings.seed, MAX_SEED);
        assert!(s.settings.pinned.is_empty() && s.seed_note.is_none());
        assert_eq!(s.settings.truncation, 0.7, "the truncation stays");
    }

    #[test]
    fn pins_toggle_and_keep_the_newest_two() {
        let s = after([Action::Pin(1), Action::Pin(2), Action::Pin(3)]);
        assert_eq!(s.settings.pinned, [2, 3]);
        let s = s.next(Action::Pin(2));
        assert_eq!(s.settings.pinned, [3]);
        let s = s.next(Action::Pin(CELLS));
        assert_eq!(s.settings.pinned, [3], "no such cell");
        assert!(s.next(Action::Pin(3)).settings.pinned.is_empty());
    }

    #[test]
    fn truncation_and_speed_are_bounded() {
        let s = after([Action::SetTruncation(0.5)]);
        assert_eq!(s.settings.truncation, 0.5);
        assert_eq!(s.next(Action::SetTruncation(5.0)).settings.truncation, 2.0);
        assert_eq!(
            s.next(Action::SetTruncation(f32::NAN)).settings.truncation,
            0.5
        );
        assert_eq!(s.next(Action::SetSpeed(1.0)).speed, MAX_SPEED);
        assert_eq!(s.next(Action::SetSpeed(0.0)).speed, MIN_SPEED);
        assert_eq!(s.next(Action::SetSpeed(f32::NAN)).speed, DEFAULT_SPEED);
        assert_eq!(s.next(Action::SetSpeed(0.05)).speed, 0.05);
    }

    #[test]
    fn watching_grids_labels_and_failures() {
        let s = after([Action::ToggleWatch, Action::Fps(30.0)]);
        assert!(s.watching);
        assert_eq!(s.fps, Some(30.0));
        let s = s
            .next(Action::ToggleWatch)
            .next(Action::GridDrawn {
                ms: 4.5,
                backend: "wasm CPU".into(),
            })
            .next(Action::Judged(vec![(3, 0.9, 0.5)]));
        assert!(!s.watching);
        assert_eq!(s.grid_ms, Some((4.5, "wasm CPU".to_string())));
        assert_eq!(s.judged, [(3, 0.9, 0.5)]);
        let failed = s.next(Action::Fail(Failure::Generating("x".into())));
        let message = failed.error.as_ref().map(|f| f.words(&EN));
        assert_eq!(message.as_deref(), Some("generating failed: x"));
        let labelling = Failure::Labelling("x".into());
        assert_eq!(labelling.words(&EN), "labelling failed: x");
        assert_eq!(labelling.words(&ZH), "标注失败：x");
        let reloaded = failed.next(Action::Reload);
        assert_eq!((reloaded.reload, reloaded.error.is_some()), (1, true));
        let retried = failed.next(Action::Retry);
        assert_eq!((retried.reload, retried.error), (1, None));
        assert_eq!(retried.settings, s.settings, "the page's state stays");
    }

    #[test]
    fn a_judged_snapshot_says_its_mean_d_score_and_classes() {
        let drawn = StepStatus::Drawn {
            step: 125,
            judged: Some(vec![(3, 0.9, 0.2), (3, 0.8, 0.4), (7, 0.7, 0.3)]),
        };
        let (d, classes) = drawn.scores().unwrap();
        assert!((d - 0.3).abs() < 1e-6 && classes == 2, "{d} {classes}");
        assert_eq!(
            drawn.words(&EN),
            "step 125 · the final D scores its samples 0.30 on average; the classifier sees 2 of 10 classes"
        );
        let unjudged = StepStatus::Drawn {
            step: 125,
            judged: None,
        };
        assert_eq!(
            (unjudged.scores(), unjudged.words(&ZH)),
            (None, "第 125 步".to_string())
        );
    }

    #[test]
    fn the_timeline_opens_on_the_last_snapshot_and_plays_to_the_end() {
        let t = TimelineState::default();
        assert_eq!(t.current(6), 6);
        // Play from the end starts again at the first.
        let t = t.next(TimelineAction::TogglePlay { last: 6 });
        assert_eq!((t.current(6), t.playing), (0, true));
        let t = (0..6).fold(t, |t, _| t.next(TimelineAction::Advance { last: 6 }));
        assert_eq!((t.current(6), t.playing), (6, true));
        let t = t.next(TimelineAction::Advance { last: 6 });
        assert_eq!((t.current(6), t.playing), (6, false));
        // Pause in the middle, play on from there.
        let t = t
            .next(TimelineAction::Scrub(2))
            .next(TimelineAction::TogglePlay { last: 6 });
        assert_eq!((t.current(6), t.playing), (2, true));
        let t = t.next(TimelineAction::TogglePlay { last: 6 });
        assert_eq!((t.current(6), t.playing), (2, false));
        assert_eq!(t.status, None);
        let t = t.next(TimelineAction::Status(StepStatus::Drawn {
            step: 400,
            judged: None,
        }));
        let shown = |lang: &GanTexts| t.status.as_ref().map(|s| s.words(lang));
        assert_eq!(shown(&EN).as_deref(), Some("step 400"));
        assert_eq!(shown(&ZH).as_deref(), Some("第 400 步"));
        let failed = StepStatus::Failed("assets/models/x: no".into());
        assert_eq!(failed.words(&ZH), "assets/models/x: no");
    }
}
