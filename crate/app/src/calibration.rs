//! What a model's calibration measures and how the result is kept: the call its page makes most often
//! ([`Work`]), both backends' median times for it ([`Calibration`]), and the copy in `localStorage`, keyed by
//! adapter, model, work and build (the caller passes [`crate::site::BUILD`]) so that a new build or another GPU
//! measures afresh. The timing itself is in
//! [`crate::placement`].

use genscope_core::engine::{Op, Spec};
use genscope_core::latent::gaussian_latents;
use serde::{Deserialize, Serialize};

use crate::i18n::{self, fill, Lang};

/// Latents in the GAN's grid and images in a judged batch, as the page asks for them.
const BATCH: usize = 64;

/// The call a model is timed on: the one its page makes most often.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Work {
    /// The VAE decodes one latent point (the cursor while dragging).
    Decode,
    /// The GAN's generator draws its grid of 64.
    Grid,
    /// The discriminator and the classifier judge 64 images.
    Judge,
    /// The language model feeds one token after its cached positions.
    Step,
}

impl Work {
    /// The work that `spec`'s page repeats.
    pub fn of(spec: &Spec) -> Work {
        match spec {
            Spec::Vae(_) => Work::Decode,
            Spec::Generator(_) => Work::Grid,
            Spec::Critics(..) => Work::Judge,
            Spec::Lm(_) => Work::Step,
        }
    }

    /// A stable name for storage keys and the status line's `data-work`.
    pub fn code(self) -> &'static str {
        match self {
            Work::Decode => "decode",
            Work::Grid => "grid",
            Work::Judge => "judge",
            Work::Step => "step",
        }
    }

    /// The work's name on the status line, in `lang`.
    pub fn words(self, lang: Lang) -> &'static str {
        let t = i18n::shell::of(lang);
        match self {
            Work::Decode => t.work_decode,
            Work::Grid => t.work_grid,
            Work::Judge => t.work_judge,
            Work::Step => t.work_step,
        }
    }

    /// Whether the work is a batch (of which one item can be timed alone, see [`Work::call`]).
    pub fn batched(self) -> bool {
        matches!(self, Work::Grid | Work::Judge)
    }

    /// The `run`-th timed call for `spec` (0 is the warm-up): the op and its input, the whole batch or, with
    /// `one_item`, its first item. The LM's calls feed one token after `run` cached positions, as generation does;
    /// the page starts a fresh cache when it first feeds.
    pub fn call(self, spec: &Spec, run: usize, one_item: bool) -> (Op, Vec<f32>) {
        let batch = if one_item { 1 } else { BATCH };
        match (self, spec) {
            (Work::Decode, Spec::Vae(c)) => (Op::Decode, vec![0.0; c.latent]),
            (Work::Grid, Spec::Generator(c)) => {
                (Op::Generate, gaussian_latents(run as u64, batch, c.latent))
            }
            (Work::Judge, _) => (Op::Judge, vec![0.5; batch * 28 * 28]),
            (_, Spec::Lm(c)) => (
                Op::Feed {
                    keep: run.min(c.seq_len.saturating_sub(1)),
                    tokens: vec![(run % c.vocab_size.max(1)) as u32],
                    // A step as the page takes it, attention panel included.
                    attention: true,
                },
                Vec::new(),
            ),
            // `Work::of` pairs each spec with its work; any other pair is timed on the spec's own work.
            (_, spec) => Work::of(spec).call(spec, run, one_item),
        }
    }
}

/// Both backends' median time for one model's work, and so where it runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// The model, as its page names it.
    pub model: String,
    /// What was timed.
    pub work: Work,
    /// Median milliseconds on wasm CPU (in the inference worker, with its messages).
    pub cpu_ms: f64,
    /// Median milliseconds on WebGPU (recording, submit and read-back), or with `gpu_at_least` a lower bound.
    pub gpu_ms: f64,
    /// WebGPU's figure is a lower bound: a run took so long that it was not waited for, or one item of the batch
    /// alone already took longer than the CPU's whole batch (so the batch was not sent to the GPU at all).
    #[serde(default)]
    pub gpu_at_least: bool,
}

impl Calibration {
    /// Whether WebGPU was faster (a tie goes to the CPU, which needs no device).
    pub fn gpu_wins(&self) -> bool {
        !self.gpu_at_least && self.gpu_ms < self.cpu_ms
    }

    /// The status line's words, e.g. `lm-tang step: CPU 0.7 ms · WebGPU 6.1 ms → CPU`.
    pub fn words(&self, lang: Lang) -> String {
        let t = i18n::shell::of(lang);
        let ms = |v: f64| i18n::number(v, if v < 10.0 { 1 } else { 0 });
        fill(
            if self.gpu_at_least {
                t.calibration_cut
            } else {
                t.calibration
            },
            &[
                ("model", &self.model),
                ("work", self.work.words(lang)),
                ("cpu", &ms(self.cpu_ms)),
                ("gpu", &ms(self.gpu_ms)),
                ("choice", if self.gpu_wins() { "WebGPU" } else { "CPU" }),
            ],
        )
    }

    /// The storage key for `model`'s `work` on `adapter` in `build`.
    pub fn key(adapter: &str, model: &str, work: Work, build: &str) -> String {
        format!("{adapter}|{model}|{}|{build}", work.code())
    }

    /// A calibration stored under `key` by an earlier visit with this build, if any.
    pub fn stored(key: &str) -> Option<Calibration> {
        let text = storage()?.get_item(STORAGE_KEY).ok()??;
        let mut all: Vec<(String, Calibration)> = serde_json::from_str(&text).ok()?;
        let at = all.iter().position(|(k, _)| k == key)?;
        Some(all.swap_remove(at).1)
    }

    /// Stores this calibration under `key`, dropping those of builds other than `build` (they are measured
    /// afresh).
    pub fn store(&self, key: &str, build: &str) {
        let Some(storage) = storage() else { return };
        let text = storage.get_item(STORAGE_KEY).ok().flatten();
        let mut all: Vec<(String, Calibration)> = text
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        let build = format!("|{build}");
        all.retain(|(k, _)| k != key && k.ends_with(&build));
        all.push((key.to_string(), self.clone()));
        if let Ok(text) = serde_json::to_string(&all) {
            let _ = storage.set_item(STORAGE_KEY, &text);
        }
    }
}

/// Where calibrations are kept between visits.
const STORAGE_KEY: &str = "genscope-calibration";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The median of `times` (NaN for none).
pub fn median(times: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = times.iter().copied().filter(|t| t.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use genscope_core::gan::GanConfig;
    use genscope_core::lm::LmConfig;

    #[test]
    fn the_median_ignores_order_and_non_finite_times() {
        assert_eq!(median(&[5.0, 1.0, 3.0]), 3.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[f64::NAN, 2.0]), 2.0);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn the_faster_backend_wins_and_the_words_say_both_times_and_the_choice() {
        let c = Calibration {
            model: "lm-tang".into(),
            work: Work::Step,
            cpu_ms: 0.7,
            gpu_ms: 6.1,
            gpu_at_least: false,
        };
        assert!(!c.gpu_wins());
        assert_eq!(
            c.words(Lang::En),
            "lm-tang step: CPU 0.7 ms · WebGPU 6.1 ms → CPU"
        );
        let zh = c.words(Lang::Zh);
        assert!(
            zh.contains("0.7") && zh.contains("6.1") && zh.ends_with("CPU"),
            "{zh}"
        );
        let gpu = Calibration {
            gpu_ms: 0.2,
            ..c.clone()
        };
        assert!(gpu.gpu_wins() && gpu.words(Lang::En).ends_with("→ WebGPU"));
        let tie = Calibration {
            gpu_ms: 0.7,
            ..c.clone()
        };
        assert!(!tie.gpu_wins());
        // A run given up on is a lower bound, and loses even against a slower CPU figure.
        let cut = Calibration {
            cpu_ms: 900.0,
            gpu_ms: 2000.0,
            gpu_at_least: true,
            ..c
        };
        assert!(!cut.gpu_wins());
        assert_eq!(
            cut.words(Lang::En),
            "lm-tang step: CPU 900 ms · WebGPU > 2,000 ms → CPU"
        );
    }

    #[test]
    fn each_work_calls_its_op_with_an_input_of_the_models_width() {
        let gan = GanConfig {
            latent: 32,
            base: 8,
            channels: 1,
        };
        let spec = Spec::Generator(gan);
        let (op, z) = Work::of(&spec).call(&spec, 1, false);
        assert_eq!((op, z.len()), (Op::Generate, 64 * 32));
        assert_eq!(Work::Grid.call(&spec, 1, true).1.len(), 32);
        assert!(Work::Grid.batched() && !Work::Step.batched());
        let lm = LmConfig {
            dim: 8,
            hidden_dim: 16,
            n_layers: 1,
            n_heads: 2,
            n_kv_heads: 2,
            vocab_size: 5,
            seq_len: 4,
            norm_eps: 1e-5,
        };
        let spec = Spec::Lm(lm);
        assert_eq!(Work::of(&spec), Work::Step);
        // The LM's calls walk its cache and never past its context.
        assert_eq!(
            Work::Step.call(&spec, 0, false).0,
            Op::Feed {
                keep: 0,
                tokens: vec![0],
                attention: true,
            }
        );
        assert_eq!(
            Work::Step.call(&spec, 9, true).0,
            Op::Feed {
                keep: 3,
                tokens: vec![4],
                attention: true,
            }
        );
    }

    #[test]
    fn keys_name_the_adapter_model_work_and_build() {
        let key = Calibration::key(
            "WebGPU · swiftshader",
            "vae-mnist-z2",
            Work::Decode,
            "0.1.0+abc",
        );
        assert_eq!(key, "WebGPU · swiftshader|vae-mnist-z2|decode|0.1.0+abc");
    }
}
