//! The LM page's state and every change to it, as pure functions (no web handles, so they are tested natively).
//! The text itself changes through [`super::doc`]; its finished docs arrive here as actions.

use std::rc::Rc;

use yew::Reducible;

use super::doc::Doc;
use super::link::{LmLink, Settings};
use super::texts::LmTexts;
use crate::i18n::fill;

/// Play's speeds, named in the catalogue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pace {
    /// The slowest.
    Slow,
    /// The default.
    Normal,
    /// The fastest.
    Fast,
}

impl Pace {
    /// Its name in the words of `t`.
    pub fn name(self, t: &LmTexts) -> &'static str {
        match self {
            Pace::Slow => t.speed_slow,
            Pace::Normal => t.speed_normal,
            Pace::Fast => t.speed_fast,
        }
    }
}

/// Play's interval between steps: the choices (milliseconds, pace) and the default.
pub const SPEEDS: [(u32, Pace); 3] = [(400, Pace::Slow), (150, Pace::Normal), (30, Pace::Fast)];
/// Play's interval when nothing else is chosen.
pub const DEFAULT_SPEED_MS: u32 = 150;

/// Something that went wrong after the page's model loaded, shown in a panel with "Try again".
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// Running the model failed (a step, the prompt, a crashed worker).
    Stopped(String),
    /// The visitor's own file could not be opened as a model.
    OwnFile {
        /// The file's name.
        file: String,
        /// Why.
        message: String,
    },
}

impl Failure {
    /// The visitor's file failed: the message always names it.
    pub fn own_file(file: &str, message: String) -> Self {
        let message = if message.contains(file) {
            message
        } else {
            format!("{file}: {message}")
        };
        Failure::OwnFile {
            file: file.to_string(),
            message,
        }
    }

    /// The panel's title in the words of `t`.
    pub fn title(&self, t: &LmTexts) -> String {
        match self {
            Failure::Stopped(_) => t.stopped_title.to_string(),
            Failure::OwnFile { file, .. } => fill(t.own_file_title, &[("file", file)]),
        }
    }

    /// The panel's message.
    pub fn message(&self) -> &str {
        match self {
            Failure::Stopped(m) | Failure::OwnFile { message: m, .. } => m,
        }
    }
}

/// Everything the LM page shows that is not a model, a tokenizer or a DOM node.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The model picked (`None` until the link is read).
    pub model: Option<String>,
    /// The visitor's own model's name, once one opened (it joins the picker).
    pub own_name: Option<String>,
    /// The prompt; `None` while it is the model's default and the model (whose card says which) has not loaded.
    pub prompt: Option<String>,
    /// How the next token is chosen.
    pub settings: Settings,
    /// The text so far (`None` until the prompt ran).
    pub doc: Option<Rc<Doc>>,
    /// What the link said that could not be used as it was.
    pub url_notes: Vec<String>,
    /// What was changed to run the visitor's own model (a clipped context), naming the file.
    pub own_notes: Vec<String>,
    /// A failure after the model loaded.
    pub failure: Option<Failure>,
    /// Play is on.
    pub playing: bool,
    /// Play's interval.
    pub speed_ms: u32,
    /// The attention view's layer and head.
    pub layer: usize,
    pub head: usize,
    /// Goes up to load the model again (a new link, "Try again").
    pub reload: u32,
}

impl Default for State {
    fn default() -> Self {
        Self {
            model: None,
            own_name: None,
            prompt: None,
            settings: Settings::default(),
            doc: None,
            url_notes: Vec::new(),
            own_notes: Vec::new(),
            failure: None,
            playing: false,
            speed_ms: DEFAULT_SPEED_MS,
            layer: 0,
            head: 0,
            reload: 0,
        }
    }
}

/// Every change to the page's state.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A link was read (on first load or a pasted one): its model, prompt and settings, and what was wrong.
    Link {
        model: String,
        link: LmLink,
        notes: Vec<String>,
    },
    /// The visitor picked a model.
    Pick(String),
    /// The visitor edited the prompt.
    Prompt(String),
    /// The loaded model's default prompt, used if the prompt is still the default.
    DefaultPrompt(String),
    /// The visitor changed the sampling settings (the chart redraws, nothing runs).
    Settings(Settings),
    /// Play / Pause.
    TogglePlay,
    /// Play's speed.
    Speed(u32),
    /// The attention view's layer or head.
    Layer(usize),
    Head(usize),
    /// "Reset" or "Run prompt": play stops (the prompt runs again).
    Reset,
    /// The prompt ran into a freshly loaded model (or its text was carried over to it).
    Loaded(Rc<Doc>),
    /// A visitor's change to the text landed (step, candidate, back, reset): any failure is cleared.
    Ran(Rc<Doc>),
    /// Something failed: play stops and the panel shows it.
    Failed(Failure),
    /// The visitor's own model opened under `name`.
    OwnOpened {
        /// The name the picker shows.
        name: String,
        /// What was changed to run it, naming the file.
        notes: Vec<String>,
    },
    /// "Try again": the failure is cleared and the model loads again.
    Retry,
    /// "Try again" after the model failed to load: it loads again.
    Reload,
}

impl State {
    /// What the link carries now.
    pub fn link(&self) -> LmLink {
        LmLink {
            prompt: self.prompt.clone(),
            settings: self.settings.clone(),
        }
    }

    /// The picker's models: the shipped ones, then the visitor's own.
    pub fn options(&self, shipped: &[String]) -> Vec<String> {
        let mut options = shipped.to_vec();
        options.extend(self.own_name.clone());
        options
    }

    /// The state after `action`.
    pub fn apply(&self, action: Action) -> State {
        let mut s = self.clone();
        match action {
            Action::Link { model, link, notes } => {
                s.model = Some(model);
                s.prompt = link.prompt;
                s.settings = link.settings;
                s.url_notes = notes;
                s.reload += 1;
            }
            Action::Pick(name) => {
                s.playing = false;
                if s.own_name.as_ref() != Some(&name) {
                    s.own_notes.clear();
                }
                s.model = Some(name);
            }
            Action::Prompt(prompt) => s.prompt = Some(prompt),
            Action::DefaultPrompt(prompt) => {
                s.prompt.get_or_insert(prompt);
            }
            Action::Settings(settings) => s.settings = settings,
            Action::TogglePlay => s.playing = !s.playing,
            Action::Speed(ms) => s.speed_ms = ms,
            Action::Layer(layer) => s.layer = layer,
            Action::Head(head) => s.head = head,
            Action::Reset => s.playing = false,
            Action::Loaded(doc) => s.doc = Some(doc),
            Action::Ran(doc) => {
                s.failure = None;
                s.doc = Some(doc);
            }
            Action::Failed(failure) => {
                s.playing = false;
                s.failure = Some(failure);
            }
            Action::OwnOpened { name, notes } => {
                s.own_notes = notes;
                s.own_name = Some(name.clone());
                s.model = Some(name);
                s.failure = None;
            }
            Action::Retry => {
                s.failure = None;
                s.reload += 1;
            }
            Action::Reload => s.reload += 1,
        }
        s
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let next = self.apply(action);
        if next == *self {
            self
        } else {
            Rc::new(next)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::texts::{EN, ZH};
    use super::*;

    fn doc(revision: u64) -> Rc<Doc> {
        Rc::new(Doc {
            revision,
            model: "lm-shakespeare".into(),
            ..Doc::default()
        })
    }

    fn linked() -> State {
        State::default().apply(Action::Link {
            model: "lm-shakespeare".into(),
            link: LmLink {
                prompt: None,
                settings: Settings {
                    seed: 7,
                    ..Settings::default()
                },
            },
            notes: vec!["t=x is not a number; using the default".into()],
        })
    }

    #[test]
    fn a_link_sets_the_model_settings_and_notes_and_loads() {
        let s = linked();
        assert_eq!(s.model.as_deref(), Some("lm-shakespeare"));
        assert_eq!((s.settings.seed, s.reload), (7, 1));
        assert_eq!(s.url_notes.len(), 1);
        assert_eq!(s.prompt, None);
        // A second link with a prompt replaces it and loads again.
        let again = s.apply(Action::Link {
            model: "lm-tang".into(),
            link: LmLink {
                prompt: Some("床".into()),
                settings: Settings::default(),
            },
            notes: Vec::new(),
        });
        assert_eq!(
            (again.model.as_deref(), again.prompt.as_deref()),
            (Some("lm-tang"), Some("床"))
        );
        assert_eq!(again.reload, 2);
        assert!(again.url_notes.is_empty());
    }

    #[test]
    fn the_default_prompt_only_fills_an_unset_prompt() {
        let s = linked().apply(Action::DefaultPrompt("ROMEO:\n".into()));
        assert_eq!(s.prompt.as_deref(), Some("ROMEO:\n"));
        let typed = s.apply(Action::Prompt("KING:".into()));
        let kept = typed.apply(Action::DefaultPrompt("床前明月光，".into()));
        assert_eq!(kept.prompt.as_deref(), Some("KING:"));
        assert_eq!(kept.link().prompt.as_deref(), Some("KING:"));
    }

    #[test]
    fn play_stops_on_a_pick_a_reset_and_a_failure() {
        let playing = linked().apply(Action::TogglePlay);
        assert!(playing.playing);
        assert!(!playing.apply(Action::TogglePlay).playing);
        assert!(!playing.apply(Action::Reset).playing);
        let picked = playing.apply(Action::Pick("lm-tang".into()));
        assert!(!picked.playing);
        assert_eq!(picked.model.as_deref(), Some("lm-tang"));
        assert_eq!(
            picked.reload, playing.reload,
            "a pick loads by its name, not by a reload"
        );
        let failed = playing.apply(Action::Failed(Failure::Stopped("boom".into())));
        assert!(!failed.playing);
        assert_eq!(
            failed.failure.as_ref().map(|f| f.title(&EN)).as_deref(),
            Some("The language model stopped")
        );
        assert_eq!(
            failed.failure.as_ref().map(|f| f.title(&ZH)).as_deref(),
            Some("语言模型已停止运行")
        );
    }

    #[test]
    fn a_change_that_lands_clears_the_failure_a_load_does_not() {
        let failed = linked().apply(Action::Failed(Failure::Stopped("boom".into())));
        let loaded = failed.apply(Action::Loaded(doc(1)));
        assert_eq!(loaded.doc.as_ref().map(|d| d.revision), Some(1));
        assert!(loaded.failure.is_some());
        let ran = loaded.apply(Action::Ran(doc(2)));
        assert_eq!(ran.doc.as_ref().map(|d| d.revision), Some(2));
        assert_eq!(ran.failure, None);
        // "Try again" clears it and loads the model again.
        let retried = failed.apply(Action::Retry);
        assert_eq!(
            (retried.failure.clone(), retried.reload),
            (None, failed.reload + 1)
        );
        // After a failed load, "Try again" loads again and leaves any other panel alone.
        let reloaded = failed.apply(Action::Reload);
        assert_eq!(
            (reloaded.failure.is_some(), reloaded.reload),
            (true, failed.reload + 1)
        );
    }

    #[test]
    fn a_bad_own_file_is_a_file_problem_named_by_the_file() {
        let f = Failure::own_file("notes.bin", "not a llama2.c checkpoint".into());
        assert_eq!(f.title(&EN), "Could not open your model (notes.bin)");
        assert_eq!(f.title(&ZH), "无法打开你的模型（notes.bin）");
        assert_eq!(f.message(), "notes.bin: not a llama2.c checkpoint");
        let named = Failure::own_file("x.safetensors", "x.safetensors: truncated".into());
        assert_eq!(named.message(), "x.safetensors: truncated");
    }

    #[test]
    fn an_own_model_joins_the_picker_and_is_shown() {
        let shipped = vec!["lm-shakespeare".to_string(), "lm-tang".to_string()];
        let s = linked()
            .apply(Action::Failed(Failure::own_file("a.bin", "bad".into())))
            .apply(Action::OwnOpened {
                name: "your model (b.bin)".into(),
                notes: vec!["b.bin: seq_len 4096 is clipped to 1024".into()],
            });
        assert_eq!(s.own_notes.len(), 1);
        assert_eq!(s.model.as_deref(), Some("your model (b.bin)"));
        assert_eq!(s.failure, None);
        assert_eq!(
            s.options(&shipped),
            ["lm-shakespeare", "lm-tang", "your model (b.bin)"]
        );
        assert_eq!(linked().options(&shipped), shipped);
    }

    #[test]
    fn views_and_speed_change_alone_and_no_change_keeps_the_state() {
        let s = Rc::new(linked());
        let same = Rc::clone(&s).reduce(Action::Speed(DEFAULT_SPEED_MS));
        assert!(
            Rc::ptr_eq(&s, &same),
            "an action that changes nothing does not redraw"
        );
        let s = s
            .reduce(Action::Speed(30))
            .reduce(Action::Layer(2))
            .reduce(Action::Head(1));
        assert_eq!((s.speed_ms, s.layer, s.head), (30, 2, 1));
        assert_eq!(SPEEDS.map(|(_, p)| p.name(&EN)), ["slow", "normal", "fast"]);
        assert_eq!(SPEEDS.map(|(_, p)| p.name(&ZH)), ["慢", "中", "快"]);
        let settings = Settings {
            greedy: true,
            ..Settings::default()
        };
        let s = s.reduce(Action::Settings(settings.clone()));
        assert_eq!(s.link().settings, settings);
    }
}
