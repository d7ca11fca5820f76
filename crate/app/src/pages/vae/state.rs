//! The VAE page's state and every change to it, as pure functions (tested natively). The model itself, canvases
//! and timers live in the component; this holds what the page shows.

use std::rc::Rc;

use genscope_core::dataset::LabelledImages;
use genscope_core::query::format_numbers;
use genscope_core::registry::DatasetId;
use yew::Reducible;

use super::elbo::Encoded;
use super::link::settle;
use super::texts::VaeTexts;
use crate::i18n::fill;
use crate::models::Shared;

/// Something the link said that could not be used, for the visitor.
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// Said by the link's reader (the shared link hook), as it wrote it.
    Link(String),
    /// The link's point does not fit the model: `raw` as the link wrote it (shortened), `latent` the model's size.
    WrongSize {
        /// The link's value, shortened.
        raw: String,
        /// The model's latent size.
        latent: usize,
    },
}

impl Note {
    /// The note in `t`'s language.
    pub fn text(&self, t: &VaeTexts) -> String {
        match self {
            Note::Link(note) => note.clone(),
            Note::WrongSize { raw, latent } => fill(
                t.z_wrong_size,
                &[("raw", raw), ("latent", &latent.to_string())],
            ),
        }
    }
}

/// The interpolation's two end points (A, B), each set or not.
pub type Ends = (Option<Vec<f32>>, Option<Vec<f32>>);

/// One end of the interpolation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The start, A.
    A,
    /// The end, B.
    B,
}

/// The test images as checked for one model: usable, or why not.
#[derive(Clone, PartialEq)]
pub struct TestImages {
    /// The model they were checked against (size, labels).
    pub model: String,
    /// The images, or a message naming the file at fault.
    pub images: Result<Shared<LabelledImages>, String>,
}

/// Everything the VAE page shows.
#[derive(Clone)]
pub struct State {
    /// The model picked (from the link or the picker); `None` until the shipped models are known.
    pub model: Option<String>,
    /// Goes up to load the model again (a new link, "Try again").
    pub reload: u32,
    /// What the link said that could not be used, for the visitor.
    pub notes: Vec<Note>,
    /// The latent point; empty until the model has loaded (its length is the model's latent size).
    pub z: Vec<f32>,
    /// The link's point for the model it named, until that model has loaded.
    pub link_z: Option<(String, Vec<f32>)>,
    /// The last evaluation subset fetched, per data set (kept across models of the same data set).
    pub cache: Option<(DatasetId, Rc<LabelledImages>)>,
    /// The test images for the picker and the scatter.
    pub test_images: Option<TestImages>,
    /// The test set's posterior means (z = 2), for the model named.
    pub scatter: Option<(String, Rc<Vec<[f32; 2]>>)>,
    /// Whether the scatter is drawn over the map.
    pub show_scatter: bool,
    /// The last encoded input, with its posterior and ELBO terms.
    pub encoded: Option<Rc<Encoded>>,
    /// The last decode's time and the backend that drew it (a switch shows the old one until the new picture is
    /// drawn).
    pub decode_ms: Option<(f64, String)>,
    /// The interpolation's end points.
    pub ends: Ends,
    /// Slerp (true) or lerp.
    pub slerp: bool,
    /// The test-image picker's page.
    pub picker_page: usize,
    /// A failure after the model loaded, for the page's error panel.
    pub error: Option<String>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            model: None,
            reload: 0,
            notes: Vec::new(),
            z: Vec::new(),
            link_z: None,
            cache: None,
            test_images: None,
            scatter: None,
            show_scatter: true,
            encoded: None,
            decode_ms: None,
            ends: (None, None),
            slerp: true,
            picker_page: 0,
            error: None,
        }
    }
}

/// What can happen on the page.
#[derive(Clone)]
pub enum Action {
    /// A link was read: its model (checked), its point (for that model only if the link named it) and notes.
    ApplyLink {
        model: String,
        z: Option<Vec<f32>>,
        named: bool,
        notes: Vec<String>,
    },
    /// The visitor picked another model.
    PickModel(String),
    /// The model loaded (again, perhaps on another backend), with its latent size.
    ModelReady { latent: usize },
    /// The point moved (map, keys, sliders, buttons, strip).
    MoveTo(Vec<f32>),
    /// A decode was drawn, taking `ms` on `backend`.
    Decoded { ms: f64, backend: String },
    /// Something failed after the model loaded.
    Failed(String),
    /// "Try again": clear the error and load the model again, keeping the point.
    Retry,
    /// A data set's evaluation subset arrived.
    SubsetFetched(DatasetId, Rc<LabelledImages>),
    /// The test images were checked against `model`.
    TestImagesChecked(TestImages),
    /// The test set's encodings for `model`.
    Scatter(String, Rc<Vec<[f32; 2]>>),
    /// Show or hide the scatter.
    ToggleScatter,
    /// An input was encoded by `model`.
    Encoded(String, Rc<Encoded>),
    /// Set one end of the interpolation.
    SetEnd(End, Vec<f32>),
    /// Slerp (true) or lerp.
    SetSlerp(bool),
    /// Show this page of test images.
    PickerPage(usize),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::ApplyLink {
                model,
                z,
                named,
                notes,
            } => next.apply_link(model, z, named, notes),
            Action::PickModel(model) => {
                next.encoded = None;
                next.ends = (None, None);
                next.model = Some(model);
            }
            Action::ModelReady { latent } => next.model_ready(latent),
            Action::MoveTo(point) => next.z = settle(&point),
            Action::Decoded { ms, backend } => next.decode_ms = Some((ms, backend)),
            Action::Failed(message) => next.error = Some(message),
            Action::Retry => {
                next.error = None;
                next.reload += 1;
            }
            Action::SubsetFetched(dataset, images) => next.cache = Some((dataset, images)),
            Action::TestImagesChecked(checked) => {
                if Some(&checked.model) != next.model.as_ref() {
                    return self;
                }
                if let Err(message) = &checked.images {
                    next.error = Some(message.clone());
                }
                next.test_images = Some(checked);
            }
            Action::Scatter(model, points) => {
                if Some(&model) != next.model.as_ref() {
                    return self;
                }
                next.scatter = Some((model, points));
            }
            Action::ToggleScatter => next.show_scatter = !next.show_scatter,
            Action::Encoded(model, encoded) => {
                if Some(&model) != next.model.as_ref() {
                    return self;
                }
                next.encoded = Some(encoded);
            }
            Action::SetEnd(End::A, point) => next.ends.0 = Some(point),
            Action::SetEnd(End::B, point) => next.ends.1 = Some(point),
            Action::SetSlerp(on) => next.slerp = on,
            Action::PickerPage(page) => next.picker_page = page,
        }
        Rc::new(next)
    }
}

impl State {
    /// A new link replaces the notes, forgets the point and loads its model again; its point waits for the model
    /// (only the model the link named: a point meant for another model is not used).
    fn apply_link(&mut self, model: String, z: Option<Vec<f32>>, named: bool, notes: Vec<String>) {
        self.link_z = z.filter(|_| named).map(|z| (model.clone(), z));
        self.model = Some(model);
        self.notes = notes.into_iter().map(Note::Link).collect();
        self.z = Vec::new();
        self.reload += 1;
    }

    /// The model has loaded. A point of the right size stays (a reload, another backend, a model of the same
    /// latent size); otherwise the link's point for this model if it fits, else the origin. The link's point is
    /// used once: picking another model and coming back starts at the origin, and says nothing twice.
    fn model_ready(&mut self, latent: usize) {
        self.error = None;
        self.scatter = None;
        let link = self.link_z.take();
        if self.z.len() == latent {
            return;
        }
        let for_this = link.filter(|(m, _)| Some(m) == self.model.as_ref());
        self.z = match for_this {
            Some((_, z)) if z.len() == latent => settle(&z),
            Some((_, z)) => {
                let mut raw = format_numbers(&z);
                if raw.chars().count() > 24 {
                    raw = raw.chars().take(24).collect::<String>() + "…";
                }
                self.notes.push(Note::WrongSize { raw, latent });
                vec![0.0; latent]
            }
            None => vec![0.0; latent],
        };
    }

    /// The test images checked for the model shown, if they are usable.
    pub fn usable_images(&self) -> Option<Shared<LabelledImages>> {
        self.test_images
            .as_ref()
            .filter(|t| Some(&t.model) == self.model.as_ref())
            .and_then(|t| t.images.as_ref().ok().cloned())
    }

    /// Why the test images cannot be used with the model shown, if so.
    pub fn images_problem(&self) -> Option<&str> {
        self.test_images
            .as_ref()
            .filter(|t| Some(&t.model) == self.model.as_ref())
            .and_then(|t| t.images.as_ref().err().map(String::as_str))
    }

    /// The scatter for the model shown, when it is drawn.
    pub fn visible_scatter(&self) -> Option<Rc<Vec<[f32; 2]>>> {
        self.scatter
            .as_ref()
            .filter(|(m, _)| self.show_scatter && Some(m) == self.model.as_ref())
            .map(|(_, points)| Rc::clone(points))
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
