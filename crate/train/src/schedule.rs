//! Learning-rate schedules the trainers share.

/// A cosine from `lr` at `progress` 0 down to `floor` at `progress` 1 (`progress` is the share of the run done).
pub fn cosine(lr: f64, floor: f64, progress: f64) -> f64 {
    floor + (lr - floor) * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())
}
