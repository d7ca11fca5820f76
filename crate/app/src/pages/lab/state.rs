//! The lab's state and its reducer: the points (seeded, then drawn or erased), the split, the EM trainer and the
//! curve of likelihoods it has climbed.

use std::rc::Rc;

use genscope_core::lab::data::{split, DataSet, TrueRing};
use genscope_core::lab::gmm::EmTrainer;
use genscope_core::lab::trained::Picture;
use genscope_core::lab::{Density, Point};
use yew::prelude::*;

use super::link::{LabFamily, LabSettings, POINTS};

/// Every fifth point is held out.
pub const HOLD_OUT_EVERY: usize = 5;
/// EM has converged when a full step improves the training NLL by less than this (nats per point).
const CONVERGED: f64 = 1e-6;
/// Most points the visitor can have on the plane (drawing stops adding beyond it).
pub const MAX_POINTS: usize = 4000;

/// NLL after a full step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    /// Full EM steps taken.
    pub step: usize,
    /// On the training points.
    pub train: f64,
    /// On the held-out points.
    pub held_out: f64,
}

/// The page's state.
#[derive(Clone, Debug)]
pub struct LabState {
    /// The settings the points and the mixture started from.
    pub settings: LabSettings,
    /// Every point, in order; [`split`] holds out every fifth.
    pub points: Rc<Vec<Point>>,
    /// The training points (from `points`).
    pub train: Rc<Vec<Point>>,
    /// The held-out points (from `points`).
    pub held_out: Rc<Vec<Point>>,
    /// Whether the visitor has drawn or erased points (the true density then no longer describes them).
    pub edited: bool,
    /// EM, one half-step at a time (the mixture's family).
    pub trainer: EmTrainer,
    /// The worker's latest picture of a gradient-trained family (the flow's, the autoregressive model's), once
    /// there is one.
    pub picture: Option<Rc<Picture>>,
    /// What went wrong in the worker's training, if anything did.
    pub failed: Option<String>,
    /// Goes up whenever the points change (the worker's training is sent the new ones).
    pub points_version: u32,
    /// The NLLs after each full step, the start included.
    pub curve: Vec<CurvePoint>,
    /// The latest NLLs of every family trained on these same points, the one shown included, in the order they
    /// were first trained: the compare table. Switching family keeps it; new points (other data, another seed, a
    /// drawn or erased point) empty it.
    pub compared: Vec<(LabFamily, CurvePoint)>,
    /// Whether steps are being taken at display rate.
    pub playing: bool,
    /// The step after which EM stopped improving, if it has.
    pub converged: Option<usize>,
    /// Goes up with every change the canvas shows.
    pub revision: u32,
    /// The revision at the last start (new settings or "start over"): a new one restarts the worker's training.
    pub generation: u32,
    /// Training steps a second, measured between the worker's pictures while it plays.
    pub rate: Option<f64>,
    /// When the last picture arrived (ms) and the steps it had.
    pub painted_at: Option<(f64, usize)>,
}

impl PartialEq for LabState {
    fn eq(&self, other: &Self) -> bool {
        self.revision == other.revision
            && self.playing == other.playing
            && self.settings == other.settings
    }
}

/// What can happen on the page.
#[derive(Clone, Debug, PartialEq)]
pub enum LabAction {
    /// New settings (a picker or a link): fresh points and a fresh mixture.
    Reset(LabSettings),
    /// The next half-step (E or M).
    HalfStep,
    /// A full step (what each frame of play takes).
    Step,
    /// Play or pause.
    TogglePlay,
    /// Adds a point where the visitor clicked.
    Add(Point),
    /// Erases the points within `radius` of a place.
    Erase(Point, f64),
    /// The worker painted its training; the page's clock (ms) when the picture arrived.
    Painted(Rc<Picture>, f64),
    /// The worker's training failed.
    Failed(String),
}

impl LabState {
    /// The state for `settings`: the seed's points, a mixture started by k-means++ on the training half.
    pub fn new(settings: LabSettings) -> LabState {
        let points = settings.data.sample(POINTS, settings.seed);
        let (train, held_out) = split(&points, HOLD_OUT_EVERY);
        let trainer = EmTrainer::new(&train, settings.k, settings.seed);
        let mut state = LabState {
            settings,
            points: Rc::new(points),
            train: Rc::new(train),
            held_out: Rc::new(held_out),
            edited: false,
            trainer,
            picture: None,
            failed: None,
            points_version: 0,
            curve: Vec::new(),
            compared: Vec::new(),
            playing: false,
            converged: None,
            revision: 0,
            generation: 0,
            rate: None,
            painted_at: None,
        };
        if settings.family == LabFamily::Gmm {
            state.record();
        }
        state
    }

    /// The true density's held-out NLL, where there is one: the ring, as seeded.
    pub fn true_held_out(&self) -> Option<f64> {
        (self.settings.data == DataSet::Ring && !self.edited).then(|| TrueRing.nll(&self.held_out))
    }

    /// Puts the shown family's latest NLLs into the compare table.
    fn remember(&mut self) {
        let Some(&last) = self.curve.last() else {
            return;
        };
        let family = self.settings.family;
        match self.compared.iter_mut().find(|(f, _)| *f == family) {
            Some(entry) => entry.1 = last,
            None => self.compared.push((family, last)),
        }
    }

    fn record(&mut self) {
        let model = &self.trainer.model;
        self.curve.push(CurvePoint {
            step: self.trainer.steps,
            train: model.nll(&self.train),
            held_out: model.nll(&self.held_out),
        });
        self.remember();
        if let [.., before, after] = self.curve.as_slice() {
            if self.converged.is_none() && before.train - after.train < CONVERGED {
                self.converged = Some(after.step);
            }
        }
    }

    fn set_points(&mut self, points: Vec<Point>) {
        let (train, held_out) = split(&points, HOLD_OUT_EVERY);
        self.points = Rc::new(points);
        self.train = Rc::new(train);
        self.held_out = Rc::new(held_out);
        self.edited = true;
        self.points_version += 1;
        self.compared.clear();
        // The E-step's responsibilities belonged to the old points; new data can move EM again.
        self.trainer.responsibilities = None;
        self.converged = None;
    }

    fn half_step(&mut self) {
        if self.train.is_empty() {
            return;
        }
        let steps = self.trainer.steps;
        self.trainer.half_step(&self.train);
        if self.trainer.steps > steps {
            self.record();
        }
    }
}

impl Reducible for LabState {
    type Action = LabAction;

    fn reduce(self: Rc<Self>, action: LabAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            LabAction::Reset(settings) => {
                let same_points = !self.edited
                    && settings.data == self.settings.data
                    && settings.seed == self.settings.seed;
                next = LabState::new(settings);
                if same_points {
                    next.compared = self.compared.clone();
                    next.remember();
                }
                next.revision = self.revision + 1;
                next.generation = next.revision;
                return Rc::new(next);
            }
            LabAction::HalfStep if next.settings.family == LabFamily::Gmm => {
                next.playing = false;
                next.half_step();
            }
            // The worker steps the other families.
            LabAction::HalfStep | LabAction::Step if next.settings.family != LabFamily::Gmm => {
                return self
            }
            LabAction::HalfStep => return self,
            LabAction::Painted(picture, at) => {
                if let Some((then, steps)) = next.painted_at {
                    let (dt, ds) = ((at - then) / 1000.0, picture.steps.saturating_sub(steps));
                    if dt > 0.0 && ds > 0 {
                        let now = ds as f64 / dt;
                        next.rate = Some(next.rate.map_or(now, |r| 0.7 * r + 0.3 * now));
                    }
                }
                next.painted_at = Some((at, picture.steps));
                next.curve.push(CurvePoint {
                    step: picture.steps,
                    train: picture.train_nll,
                    held_out: picture.held_out_nll,
                });
                next.remember();
                next.picture = Some(picture);
                next.failed = None;
            }
            LabAction::Failed(why) => {
                next.playing = false;
                next.failed = Some(why);
            }
            LabAction::Step => {
                if next.train.is_empty() {
                    next.playing = false;
                    return Rc::new(next);
                }
                let steps = next.trainer.steps;
                while next.trainer.steps == steps {
                    next.half_step();
                }
                // Nothing more to watch.
                if next.converged.is_some() {
                    next.playing = false;
                }
            }
            LabAction::TogglePlay => {
                next.playing = !next.playing;
                // A rate spans one run of play, not the pause before it.
                next.painted_at = None;
            }
            LabAction::Add(p) => {
                if next.points.len() >= MAX_POINTS {
                    return self;
                }
                let mut points = (*next.points).clone();
                points.push(p);
                next.set_points(points);
            }
            LabAction::Erase([x, y], radius) => {
                let points: Vec<Point> = next
                    .points
                    .iter()
                    .copied()
                    .filter(|[px, py]| (px - x).hypot(py - y) > radius)
                    .collect();
                if points.len() == next.points.len() {
                    return self;
                }
                next.set_points(points);
            }
        }
        next.revision = self.revision + 1;
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> Rc<LabState> {
        Rc::new(LabState::new(LabSettings::default()))
    }

    #[test]
    fn half_steps_alternate_and_a_full_step_adds_to_the_curve() {
        let s = start();
        assert_eq!((s.curve.len(), s.trainer.steps), (1, 0));
        let s = s.reduce(LabAction::HalfStep);
        assert!(s.trainer.responsibilities.is_some());
        assert_eq!(s.curve.len(), 1);
        let s = s.reduce(LabAction::HalfStep);
        assert_eq!((s.curve.len(), s.trainer.steps), (2, 1));
        let s = s.reduce(LabAction::Step);
        assert_eq!(s.trainer.steps, 2);
        assert!(s.curve[2].train <= s.curve[0].train);
    }

    #[test]
    fn drawing_and_erasing_change_the_split_and_drop_the_true_density() {
        let s = start();
        assert!(s.true_held_out().is_some());
        let (train, held) = (s.train.len(), s.held_out.len());
        let s = s.reduce(LabAction::Add([0.0, 0.0]));
        assert_eq!(s.train.len() + s.held_out.len(), train + held + 1);
        assert!(s.true_held_out().is_none());
        let before = s.points.len();
        // The ring's first mode sits at (2, 0): erasing there removes its points.
        let s = s.reduce(LabAction::Erase([2.0, 0.0], 0.5));
        assert!(s.points.len() < before);
        let revision = s.revision;
        let s = s.reduce(LabAction::Erase([0.0, 3.9], 0.01));
        assert_eq!(s.revision, revision, "erasing nothing changes nothing");
    }

    #[test]
    fn the_compare_table_keeps_each_family_on_the_same_points_and_forgets_on_new_ones() {
        let s = start();
        let s = s.reduce(LabAction::Step);
        let gmm = s.curve.last().copied().unwrap();
        assert_eq!(s.compared, vec![(LabFamily::Gmm, gmm)]);
        let ar = LabSettings {
            family: LabFamily::Autoregressive,
            ..s.settings
        };
        let s = s.reduce(LabAction::Reset(ar));
        assert_eq!(s.compared, vec![(LabFamily::Gmm, gmm)]);
        let picture = Rc::new(Picture {
            densities: vec![0.0; 4],
            cells: 2,
            samples: Vec::new(),
            train_nll: 0.5,
            held_out_nll: 0.6,
            steps: 100,
        });
        let s = s.reduce(LabAction::Painted(picture, 0.0));
        assert_eq!(s.compared.len(), 2);
        assert_eq!(s.compared[1].0, LabFamily::Autoregressive);
        assert_eq!(s.compared[1].1.held_out, 0.6);
        // Another seed is other points: nothing to compare with.
        let other = LabSettings {
            seed: 2,
            ..s.settings
        };
        assert!(s
            .clone()
            .reduce(LabAction::Reset(other))
            .compared
            .is_empty());
        // So is a drawn point.
        assert!(s.reduce(LabAction::Add([0.0, 0.0])).compared.is_empty());
    }

    #[test]
    fn the_workers_pictures_make_the_curve_and_the_rate() {
        let flow = LabSettings {
            family: super::super::link::LabFamily::Flow,
            ..LabSettings::default()
        };
        let s = Rc::new(LabState::new(flow));
        assert!(s.curve.is_empty());
        let picture = |steps| {
            Rc::new(Picture {
                densities: vec![0.0; 4],
                cells: 2,
                samples: Vec::new(),
                train_nll: 3.0,
                held_out_nll: 3.1,
                steps,
            })
        };
        // The worker steps the flow: the page's own steps do nothing.
        let s = s.reduce(LabAction::Step);
        assert_eq!(s.revision, 0);
        let s = s.reduce(LabAction::Painted(picture(0), 1000.0));
        let s = s.reduce(LabAction::Painted(picture(200), 2000.0));
        assert_eq!(s.rate, Some(200.0));
        assert_eq!(s.curve.len(), 2);
        let s = s.reduce(LabAction::Failed("gone".into()));
        assert!(!s.playing && s.failed.is_some());
    }

    #[test]
    fn em_converges_and_says_so() {
        let mut s = start();
        for _ in 0..300 {
            s = s.reduce(LabAction::Step);
        }
        assert!(s.converged.is_some());
    }
}
