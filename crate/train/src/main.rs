//! genscope-train: the native CLI that trains every shipped model and writes `assets/models/*`.
//!
//! The trainer issue fills this in (data from the registries, the core crate's models trained with candle-nn).
//! Until then it says so instead of pretending to train.

fn main() {
    eprintln!("genscope-train: no trainers yet; the trainer issue adds `vae`, `gan`, `lm`, `classifier` and `eval`.");
    std::process::exit(2);
}
