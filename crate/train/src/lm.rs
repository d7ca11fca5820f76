//! Training a character-level language model: the core crate's `Lm<CpuBackend>` with candle variables,
//! next-character cross-entropy over random windows of the corpus, AdamW with warm-up and cosine decay.

use crate::card::{new_card, object, write, Source};
use genscope_core::registry::Kind;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use crate::vars::{Init, VarParams};
use anyhow::{ensure, Context, Result};
use candle_core::{Device, Tensor};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarMap};
use genscope_core::cpu::CpuBackend;
use genscope_core::lm::{Lm, LmConfig};
use genscope_core::tokenizer::Tokenizer;
use genscope_core::weights::{write_safetensors, Storage};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

/// The LM's initialisation: norm gains 1, token embeddings N(0, 0.02), projections uniform ±1/√fan-in.
pub fn lm_init(name: &str, shape: &[usize]) -> Init {
    if shape.len() == 1 {
        Init::Const(1.0)
    } else if name.contains("embed_tokens") {
        Init::Normal(0.02)
    } else {
        Init::Uniform(1.0 / (shape[1] as f32).sqrt())
    }
}

/// What a training run is asked to do.
pub struct LmRun<'a> {
    /// Shipped model name, e.g. `lm-shakespeare`.
    pub name: &'a str,
    /// Architecture (its `vocab_size` must equal the vocabulary's length).
    pub config: LmConfig,
    /// The vocabulary, `<unk>` first.
    pub vocab: Vec<String>,
    /// For a Chinese model: its Simplified/Traditional tables (written on the card).
    pub script: Option<genscope_core::script::ScriptTables>,
    /// Optimizer steps.
    pub steps: usize,
    /// Windows per step.
    pub batch: usize,
    /// Characters per training window.
    pub window: usize,
    /// Peak learning rate.
    pub lr: f64,
    /// Seed of the initial weights and the training windows.
    pub seed: u64,
    /// The data set, its provenance and licence, for the card.
    pub source: &'static Source,
    /// How the held-out text was chosen, for the card.
    pub held_out: &'a str,
}

/// Mean next-character loss in nats over `windows` windows of `window + 1` characters of `tokens`, evenly spread.
pub fn evaluate(lm: &Lm<CpuBackend>, tokens: &[u32], window: usize, windows: usize) -> Result<f64> {
    ensure!(
        tokens.len() > window + 1,
        "the held-out text is shorter than one window"
    );
    let available = (tokens.len() - 1) / window;
    let windows = windows.min(available).max(1);
    let stride = available / windows;
    let (mut total, mut count) = (0.0, 0usize);
    for w in 0..windows {
        let at = w * stride * window;
        let loss = window_loss(lm, &tokens[at..at + window + 1])?;
        total += f64::from(loss.to_scalar::<f32>()?) * window as f64;
        count += window;
    }
    Ok(total / count as f64)
}

/// The seed of the poems the Tang model's form share is measured on, so `eval` reproduces the card.
pub const FORM_SEED: u64 = 20_000;

/// `n` poems sampled from the model at temperature 1 (its own distribution, no top-k or top-p), each started after a
/// blank line (the corpus's poem separator) and ended at the next blank line or after `max_chars` characters.
/// The draws come from one ChaCha8 stream seeded with `seed`, so the sample — and the card's form share — reproduce.
pub fn sample_poems(
    lm: &Lm<CpuBackend>,
    tokenizer: &Tokenizer,
    n: usize,
    max_chars: usize,
    seed: u64,
) -> Result<Vec<String>> {
    let mut sampler = genscope_core::sampling::Sampler::new(seed);
    let start = tokenizer.encode("。\n\n");
    let mut poems = Vec::with_capacity(n);
    for _ in 0..n {
        let mut cache = lm.new_cache(&CpuBackend)?;
        let mut out = lm.forward(&CpuBackend, &start, &mut cache, false)?;
        let mut poem = String::new();
        for _ in 0..max_chars {
            let logits = out.logits.flatten_all()?.to_vec1::<f32>()?;
            let p = genscope_core::sampling::softmax(&logits)?;
            let next = sampler.sample(&p) as u32;
            poem.push_str(tokenizer.piece(next));
            if poem.ends_with("\n\n") || cache.len() + 1 >= lm.config().seq_len {
                break;
            }
            out = lm.forward(&CpuBackend, &[next], &mut cache, false)?;
        }
        poems.push(poem.trim().to_string());
    }
    Ok(poems)
}

/// Mean cross-entropy of predicting `tokens[1..]` from `tokens[..n-1]`.
fn window_loss(lm: &Lm<CpuBackend>, tokens: &[u32]) -> Result<Tensor> {
    let n = tokens.len() - 1;
    let logits = lm.forward_all(&CpuBackend, &tokens[..n])?;
    let targets = Tensor::from_slice(&tokens[1..], n, &Device::Cpu)?;
    Ok(candle_nn::loss::cross_entropy(&logits, &targets)?)
}

fn learning_rate(run: &LmRun, step: usize) -> f64 {
    let warmup = 100.min(run.steps / 10).max(1);
    if step < warmup {
        return run.lr * (step + 1) as f64 / warmup as f64;
    }
    let progress = (step - warmup) as f64 / (run.steps - warmup).max(1) as f64;
    crate::schedule::cosine(run.lr, 0.1 * run.lr, progress)
}

/// A xorshift stream for picking windows: reproducible from the seed and the step, so a resumed run continues
/// with the windows it would have seen.
fn window_starts(seed: u64, step: usize, count: usize, max: usize) -> Vec<usize> {
    let mut state = seed ^ (step as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % max as u64) as usize
        })
        .collect()
}

/// Trains, evaluates and writes `assets/models/NAME.safetensors` and `NAME.json`; checkpoints every 100 steps
/// into `checkpoints/` (weights, step and the CSV loss curve) and resumes from there.
pub fn train(run: &LmRun, text: &str, out_dir: &Path, checkpoints: &Path) -> Result<f64> {
    ensure!(
        run.config.vocab_size == run.vocab.len(),
        "config vocab {} != vocabulary {}",
        run.config.vocab_size,
        run.vocab.len()
    );
    ensure!(
        run.window <= run.config.seq_len,
        "window longer than the context"
    );
    let tokenizer = Tokenizer::characters(run.vocab.clone())?;
    let tokens = tokenizer.encode(text);
    let unknown = tokens.iter().filter(|&&t| t == tokenizer.unknown()).count();
    let split = tokens.len() * 9 / 10;
    let (train_tokens, val_tokens) = (&tokens[..split], &tokens[split..]);
    println!(
        "{}: {} characters ({} unknown, {:.3}%), {} train / {} held out, {} parameters",
        run.name,
        tokens.len(),
        unknown,
        100.0 * unknown as f64 / tokens.len() as f64,
        train_tokens.len(),
        val_tokens.len(),
        run.config.parameter_count()
    );

    let varmap = VarMap::new();
    let lm = Lm::new(
        &CpuBackend,
        run.config.clone(),
        &mut VarParams::new(&varmap, run.seed, lm_init),
    )?;
    std::fs::create_dir_all(checkpoints)?;
    let checkpoint = checkpoints.join(format!("{}.safetensors", run.name));
    let step_file = checkpoint.with_extension("step");
    let csv_path = checkpoint.with_extension("csv");
    let mut first_step = 0;
    let mut seconds_before = 0.0;
    if checkpoint.exists() {
        let mut loaded = varmap.clone();
        loaded.load(&checkpoint).context("loading the checkpoint")?;
        let saved = std::fs::read_to_string(&step_file)?;
        let mut parts = saved.split_whitespace();
        first_step = parts.next().context("empty step file")?.parse()?;
        seconds_before = parts.next().map_or(Ok(0.0), str::parse)?;
        println!(
            "resuming {} after step {first_step} (optimizer moments restart)",
            run.name
        );
    } else {
        std::fs::write(&csv_path, "step,train_nats_per_char,val_nats_per_char\n")?;
    }
    let mut optimizer = AdamW::new(
        varmap.all_vars(),
        ParamsAdamW {
            lr: run.lr,
            weight_decay: 0.01,
            ..Default::default()
        },
    )?;
    let started = Instant::now();
    let bar = ProgressBar::new(run.steps as u64);
    bar.set_style(ProgressStyle::with_template(
        "{prefix} {bar:30} {pos}/{len} {msg} [{elapsed}<{eta}]",
    )?);
    bar.set_prefix(run.name.to_string());
    bar.set_position(first_step as u64);
    let mut recent = Vec::new();
    for step in first_step..run.steps {
        optimizer.set_learning_rate(learning_rate(run, step));
        let starts = window_starts(
            run.seed,
            step,
            run.batch,
            train_tokens.len() - run.window - 1,
        );
        let mut losses = Vec::with_capacity(run.batch);
        for &at in &starts {
            losses.push(window_loss(&lm, &train_tokens[at..at + run.window + 1])?);
        }
        let loss = (Tensor::stack(&losses, 0)?.mean_all())?;
        optimizer.backward_step(&loss)?;
        let value = f64::from(loss.to_scalar::<f32>()?);
        ensure!(value.is_finite(), "the loss diverged at step {step}");
        recent.push(value);
        bar.inc(1);
        let done = step + 1;
        if done % 100 == 0 || done == run.steps {
            let train_loss = recent.iter().sum::<f64>() / recent.len() as f64;
            recent.clear();
            let val = evaluate(&lm, val_tokens, run.window, 16)?;
            bar.set_message(format!("train {train_loss:.3} val {val:.3} nats/char"));
            // Plain lines too, for logs that are not a terminal.
            eprintln!(
                "{} step {done}/{}: train {train_loss:.4} val {val:.4} nats/char, {:.0} s",
                run.name,
                run.steps,
                seconds_before + started.elapsed().as_secs_f64()
            );
            let mut csv = std::fs::OpenOptions::new().append(true).open(&csv_path)?;
            writeln!(csv, "{done},{train_loss:.5},{val:.5}")?;
            varmap.save(&checkpoint)?;
            std::fs::write(
                &step_file,
                format!(
                    "{done} {}",
                    seconds_before + started.elapsed().as_secs_f64()
                ),
            )?;
        }
    }
    bar.finish();
    let seconds = seconds_before + started.elapsed().as_secs_f64();

    let eval_windows = 400;
    let val = evaluate(&lm, val_tokens, run.window, eval_windows)?;
    println!(
        "{}: held-out {val:.4} nats/char, {:.4} bits/char, perplexity {:.3}",
        run.name,
        val / std::f64::consts::LN_2,
        val.exp()
    );
    let curve: Vec<serde_json::Value> = std::fs::read_to_string(&csv_path)?
        .lines()
        .skip(1)
        .filter_map(|l| {
            let v: Vec<f64> = l.split(',').filter_map(|x| x.parse().ok()).collect();
            (v.len() == 3).then(|| {
                json!({"step": v[0] as usize, "train_nats_per_char": v[1], "val_nats_per_char": v[2]})
            })
        })
        .collect();

    let weights = crate::vars::host_weights(&varmap)?;
    let meta = HashMap::from([
        ("config".to_string(), serde_json::to_string(&run.config)?),
        ("vocab".to_string(), serde_json::to_string(&run.vocab)?),
    ]);
    std::fs::create_dir_all(out_dir)?;
    std::fs::write(
        out_dir.join(format!("{}.safetensors", run.name)),
        write_safetensors(&weights, Storage::F16, meta)?,
    )?;
    let mut card = new_card(
        run.name,
        Kind::Lm,
        run.config.parameter_count(),
        run.source,
        &run.config,
    )?;
    card.vocab = run.vocab.clone();
    card.script = run.script.clone();
    card.training = object(json!({
            "seed": run.seed,
            "steps": run.steps, "batch": run.batch, "window": run.window, "optimizer": "AdamW",
            "lr": run.lr, "schedule": "linear warm-up, cosine decay to 10%", "weight_decay": 0.01,
            "train_characters": train_tokens.len(), "wall_time_s": seconds,
            "machine": "2-core CPU, candle-core",
    }));
    card.metrics = object(json!({
            "val_nats_per_char": val,
            "val_bits_per_char": val / std::f64::consts::LN_2,
            "val_perplexity": val.exp(),
            "unknown_fraction": unknown as f64 / tokens.len() as f64,
            "how": format!(
                "mean next-character cross-entropy over {} windows of {} characters spread evenly over the held-out text ({}); every position of a window is scored, so early positions see less context",
                eval_windows.min((val_tokens.len() - 1) / run.window), run.window, run.held_out
            ),
    }));
    if run.source.id == genscope_core::registry::DatasetId::Tang {
        let tokenizer = Tokenizer::characters(run.vocab.clone())?;
        let poems = sample_poems(&lm, &tokenizer, 100, run.config.seq_len, FORM_SEED)?;
        let share = crate::text::five_or_seven_share(&poems);
        println!(
            "{}: {:.1}% of sampled verse lines have 5 or 7 characters",
            run.name,
            100.0 * share
        );
        card.metrics
            .insert("form_5_or_7_share".into(), json!(share));
        card.metrics.insert(
            "form_how".into(),
            json!(format!("100 poems sampled at temperature 1 (seed {FORM_SEED}), each after a blank line and up to the context length; the share of their verse lines (text between ，。？！；：、 or line breaks) with 5 or 7 characters")),
        );
    }
    card.curve = curve.into_iter().map(object).collect();
    card.extra = object(json!({
        "tokenizer": "characters; id 0 is <unk> for any character outside the vocabulary",
        "weights_storage": "f16",
    }));
    write(&card, out_dir)?;
    Ok(val)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smoke test: a few steps on a tiny repetitive text lower the held-out loss.
    #[test]
    fn a_few_steps_lower_the_loss() {
        let text = "to be or not to be, that is the question. ".repeat(40);
        let vocab = crate::text::vocabulary(&text, 100, 1);
        let config = LmConfig {
            dim: 32,
            hidden_dim: 64,
            n_layers: 2,
            n_heads: 2,
            n_kv_heads: 2,
            vocab_size: vocab.len(),
            seq_len: 32,
            norm_eps: 1e-5,
        };
        let tokens = Tokenizer::characters(vocab).unwrap().encode(&text);
        let varmap = VarMap::new();
        let lm = Lm::new(
            &CpuBackend,
            config,
            &mut VarParams::new(&varmap, 1, lm_init),
        )
        .unwrap();
        let mut optimizer = AdamW::new(
            varmap.all_vars(),
            ParamsAdamW {
                lr: 1e-2,
                ..Default::default()
            },
        )
        .unwrap();
        let before = evaluate(&lm, &tokens, 32, 4).unwrap();
        for step in 0..30 {
            let starts = window_starts(1, step, 4, tokens.len() - 33);
            let losses: Vec<Tensor> = starts
                .iter()
                .map(|&at| window_loss(&lm, &tokens[at..at + 33]).unwrap())
                .collect();
            let loss = Tensor::stack(&losses, 0).unwrap().mean_all().unwrap();
            optimizer.backward_step(&loss).unwrap();
        }
        let after = evaluate(&lm, &tokens, 32, 4).unwrap();
        assert!(after < 0.5 * before, "loss went from {before} to {after}");
    }
}
