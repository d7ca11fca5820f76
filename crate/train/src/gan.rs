//! Training the DCGAN: the core crate's `Generator` and `Discriminator` on candle variables, the non-saturating
//! GAN loss, Adam (β₁ = 0.5) on both, generator snapshots from the first step to the last for the page's timeline,
//! and FID / class coverage in the classifier's feature space.
//!
//! The shipped generator has no batch norm (the core model folds one when a file brings it; ours trains without),
//! so training and the browser run exactly the same layers.

use crate::card::{new_card, object, write, Source};
use genscope_core::registry::{DatasetId, Kind};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarMap};
use genscope_core::classifier::Classifier;
use genscope_core::cpu::CpuBackend;
use genscope_core::gan::{
    fold_generator_batch_norms, Discriminator, GanConfig, Generator, GeneratorNorm,
};
use genscope_core::nn::HostWeights;
use genscope_core::weights::{write_safetensors, Storage};
use serde_json::json;

use crate::data::ImageSet;
use crate::fid::{frechet_distance, moments};
use crate::noise::Noise;
use crate::vars::{host_weights, Init, VarParams};

/// DCGAN initialisation, used for the discriminator: weights N(0, 0.02), biases 0.
pub fn dcgan_normal(_name: &str, shape: &[usize]) -> Init {
    if shape.len() == 1 {
        Init::Const(0.0)
    } else {
        Init::Normal(0.02)
    }
}

/// What a GAN run is asked to do.
pub struct GanRun<'a> {
    /// Shipped model name, e.g. `dcgan-mnist`.
    pub name: &'a str,
    /// Architecture.
    pub config: GanConfig,
    /// Optimizer steps (each one discriminator and one generator update).
    pub steps: usize,
    /// Images per step.
    pub batch: usize,
    /// The data set, its provenance and licence, for the card.
    pub source: &'static Source,
    /// Seed of every random draw (initial weights, z, instance noise).
    pub seed: u64,
}

/// The steps at which the generator is snapshotted for the timeline: 0, then doubling up to the last step.
pub fn snapshot_steps(steps: usize) -> Vec<usize> {
    let mut at: Vec<usize> = (0..7)
        .map(|k| steps >> (6 - k))
        .filter(|&s| s > 0)
        .collect();
    at.insert(0, 0);
    at.dedup();
    at
}

fn softplus(x: &Tensor) -> candle_core::Result<Tensor> {
    x.relu()? + (x.abs()?.neg()?.exp()? + 1.0)?.log()?
}

/// The generator's batch norms in training mode (DCGAN's recipe): each normalises with its batch's statistics,
/// learns γ and β, and keeps running statistics (momentum 0.1, as PyTorch) in the same `VarMap`, so checkpoints
/// and the shipped file carry them and the loader folds them into the weights. The running statistics have no
/// gradient, so Adam leaves them alone.
struct BatchNorms {
    norms: Vec<(GeneratorNorm, [Var; 4])>,
}

impl BatchNorms {
    const MOMENTUM: f64 = 0.1;

    /// γ = 1, β = 0, running mean 0, running variance 1 for both norms, in `vars` (or the values already there).
    fn new(vars: &VarMap, config: &GanConfig) -> Result<Self> {
        let mut norms = Vec::new();
        for (which, channels) in [
            (GeneratorNorm::Project, 2 * config.base * 49),
            (GeneratorNorm::Up0, config.base),
        ] {
            let make = |part: &str, value: f32| -> Result<Var> {
                let name = format!("{}.{part}", which.prefix());
                let mut data = vars.data().lock().expect("not poisoned");
                if let Some(v) = data.get(&name) {
                    return Ok(v.clone());
                }
                let var = Var::from_tensor(&Tensor::full(value, channels, &Device::Cpu)?)?;
                data.insert(name, var.clone());
                Ok(var)
            };
            norms.push((
                which,
                [
                    make("weight", 1.0)?,
                    make("bias", 0.0)?,
                    make("running_mean", 0.0)?,
                    make("running_var", 1.0)?,
                ],
            ));
        }
        Ok(Self { norms })
    }

    /// Batch norm of `h` (`[batch, channels]` or `[batch, channels, h, w]`) with its batch statistics; returns
    /// the normalised tensor and the (mean, biased variance) it used.
    fn normalise(&self, which: GeneratorNorm, h: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
        let [gamma, beta, _, _] = &self
            .norms
            .iter()
            .find(|(w, _)| *w == which)
            .expect("both norms")
            .1;
        let channels = h.dim(1)?;
        // Channels first, everything else flattened: statistics per channel.
        let flat = h.transpose(0, 1)?.contiguous()?.reshape((channels, ()))?;
        let mean = flat.mean_keepdim(1)?;
        let centred = flat.broadcast_sub(&mean)?;
        let var = centred.sqr()?.mean_keepdim(1)?;
        let normed = centred.broadcast_div(
            &(var.clone() + f64::from(genscope_core::gan::BATCH_NORM_EPS))?.sqrt()?,
        )?;
        let normed = normed
            .broadcast_mul(&gamma.as_tensor().reshape((channels, 1))?)?
            .broadcast_add(&beta.as_tensor().reshape((channels, 1))?)?;
        let mut dims = h.dims().to_vec();
        dims.swap(0, 1);
        let out = normed.reshape(dims)?.transpose(0, 1)?.contiguous()?;
        Ok((out, mean.flatten_all()?, var.flatten_all()?))
    }

    /// Training mode: normalise with the batch's statistics and move the running ones towards them.
    fn train(&self, which: GeneratorNorm, h: Tensor) -> genscope_core::Result<Tensor> {
        let run = || -> Result<Tensor> {
            let (out, mean, var) = self.normalise(which, &h)?;
            let [_, _, running_mean, running_var] = &self
                .norms
                .iter()
                .find(|(w, _)| *w == which)
                .expect("both norms")
                .1;
            // PyTorch keeps the unbiased variance in its running statistics.
            let n = (h.elem_count() / h.dim(1)?) as f64;
            let unbiased = (var.detach() * (n / (n - 1.0).max(1.0)))?;
            let m = Self::MOMENTUM;
            running_mean.set(&((running_mean.as_tensor() * (1.0 - m))? + (mean.detach() * m)?)?)?;
            running_var.set(&((running_var.as_tensor() * (1.0 - m))? + (unbiased * m)?)?)?;
            Ok(out)
        };
        run().map_err(|e| genscope_core::Error::Backend(e.to_string()))
    }

    /// Sets the running statistics to the exact means over `batches` batches of `size` samples of the current
    /// generator (so the folded inference model matches the trained one, not a lagging average).
    fn recalibrate(
        &self,
        generator: &Generator<CpuBackend>,
        latent: usize,
        batches: usize,
        size: usize,
        seed: u64,
    ) -> Result<()> {
        let mut sums: HashMap<&'static str, (Tensor, Tensor)> = HashMap::new();
        let mut noise = Noise::new(seed);
        for _ in 0..batches {
            let z = noise.normal((size, latent))?;
            generator.generate_normed(&CpuBackend, &z, |which, h| {
                let mut run = || -> Result<Tensor> {
                    let (out, mean, var) = self.normalise(which, &h)?;
                    let n = (h.elem_count() / h.dim(1)?) as f64;
                    let var = (var * (n / (n - 1.0)))?;
                    let entry = sums.entry(which.prefix());
                    match entry {
                        std::collections::hash_map::Entry::Occupied(mut o) => {
                            let (m, v) = o.get();
                            let next = ((m + &mean)?, (v + &var)?);
                            o.insert(next);
                        }
                        std::collections::hash_map::Entry::Vacant(slot) => {
                            slot.insert((mean, var));
                        }
                    }
                    Ok(out.detach())
                };
                run().map_err(|e| genscope_core::Error::Backend(e.to_string()))
            })?;
        }
        for (which, [_, _, running_mean, running_var]) in &self.norms {
            let (m, v) = &sums[which.prefix()];
            running_mean.set(&(m / batches as f64)?)?;
            running_var.set(&(v / batches as f64)?)?;
        }
        Ok(())
    }
}

/// The inference generator of `vars`: its batch norms folded into the weights, as the browser loads it.
fn inference_generator(vars: &VarMap, config: &GanConfig) -> Result<Generator<CpuBackend>> {
    let mut weights = host_weights(vars)?;
    fold_generator_batch_norms(&mut weights)?;
    Ok(Generator::new(&CpuBackend, config.clone(), &mut weights)?)
}

/// Scales every discriminator weight matrix (convolutions flattened to `[out, in·k·k]`) so its largest singular
/// value is at most 1, estimated by one power-iteration step per update with persistent vectors (spectral
/// normalisation as a projection). It keeps the discriminator from overpowering a generator without batch norm.
fn bound_spectral_norms(vars: &VarMap, vectors: &mut HashMap<String, Tensor>) -> Result<()> {
    for (name, var) in vars.data().lock().expect("not poisoned").iter() {
        let w = var.as_tensor();
        if w.rank() < 2 {
            continue;
        }
        let rows = w.dim(0)?;
        let matrix = w.reshape((rows, ()))?;
        let u = match vectors.get(name) {
            Some(u) => u.clone(),
            // A fixed start; power iteration turns it towards the top singular vector within a few updates.
            None => (Tensor::ones((rows, 1), DType::F32, &Device::Cpu)? / (rows as f64).sqrt())?,
        };
        let v = matrix.t()?.matmul(&u)?;
        let v = (&v / v.sqr()?.sum_all()?.sqrt()?.to_scalar::<f32>()?.max(1e-12) as f64)?;
        let u = matrix.matmul(&v)?;
        let norm = u.sqr()?.sum_all()?.sqrt()?.to_scalar::<f32>()?.max(1e-12);
        let u = (&u / norm as f64)?;
        // σ ≈ uᵀ W v = ‖W v‖.
        if norm > 1.0 {
            var.set(&(w / norm as f64)?)?;
        }
        vectors.insert(name.clone(), u);
    }
    Ok(())
}

/// Adam's learning rate for both networks (DCGAN's 2e-4, with β₁ = 0.5).
const LR: f64 = 2e-4;

/// The seed of the samples the GAN is evaluated on, so `eval` reproduces the card.
const EVALUATION_SEED: u64 = 10_000;

/// Generated images in [0, 1], `[n, 784]`, in batches, from z drawn with `seed`.
fn sample(
    generator: &Generator<CpuBackend>,
    latent: usize,
    n: usize,
    seed: u64,
) -> Result<Vec<f32>> {
    let mut out = Vec::with_capacity(n * 784);
    let mut noise = Noise::new(seed);
    for start in (0..n).step_by(500) {
        let m = 500.min(n - start);
        let z = noise.normal((m, latent))?;
        let images = ((generator.generate(&CpuBackend, &z)? + 1.0)? * 0.5)?;
        out.extend(images.flatten_all()?.to_vec1::<f32>()?);
    }
    Ok(out)
}

/// Classifier features `[n, features]`, predicted labels and top-class probabilities of `[n, 784]` images.
fn features(
    classifier: &Classifier<CpuBackend>,
    images: &[f32],
) -> Result<(Vec<f32>, Vec<u32>, Vec<f32>)> {
    let (mut feats, mut labels, mut confidence) = (Vec::new(), Vec::new(), Vec::new());
    for chunk in images.chunks(1000 * 784) {
        let x = Tensor::from_slice(chunk, (chunk.len() / 784, 784), &Device::Cpu)?;
        let f = classifier.features(&CpuBackend, &x)?;
        let logits = classifier.logits_from_features(&CpuBackend, &f)?;
        labels.extend(logits.argmax(1)?.to_vec1::<u32>()?);
        confidence.extend(
            candle_nn::ops::softmax_last_dim(&logits)?
                .max(1)?
                .to_vec1::<f32>()?,
        );
        feats.extend(f.flatten_all()?.to_vec1::<f32>()?);
    }
    Ok((feats, labels, confidence))
}

/// Squared distances between the rows of `a` `[n, d]` and of `b` `[m, d]`, as `[n, m]`.
fn squared_distances(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let aa = a.sqr()?.sum_keepdim(1)?;
    let bb = b.sqr()?.sum_keepdim(1)?.t()?;
    Ok(aa
        .broadcast_add(&bb)?
        .broadcast_sub(&(a.matmul(&b.t()?)? * 2.0)?)?
        .relu()?)
}

/// Improved precision and recall (Kynkäänniemi et al. 2019) with `k` nearest neighbours: the share of samples
/// inside the real images' k-NN manifold (precision) and of real images inside the samples' (recall). Each
/// manifold is the union of balls around its points with the radius of their k-th nearest neighbour.
pub fn precision_recall(real: &[f32], fake: &[f32], dim: usize, k: usize) -> Result<(f64, f64)> {
    let device = Device::Cpu;
    let real = Tensor::from_slice(real, (real.len() / dim, dim), &device)?;
    let fake = Tensor::from_slice(fake, (fake.len() / dim, dim), &device)?;
    // The k-th neighbour radius of every point of a set (index 0 of the sorted row is the point itself).
    let radii = |set: &Tensor| -> Result<Vec<f32>> {
        let mut out = Vec::new();
        for start in (0..set.dim(0)?).step_by(1000) {
            let rows = set.narrow(0, start, 1000.min(set.dim(0)? - start))?;
            let d = squared_distances(&rows, set)?.to_vec2::<f32>()?;
            for mut row in d {
                row.sort_by(f32::total_cmp);
                out.push(row[k]);
            }
        }
        Ok(out)
    };
    // The share of `points` within some ball of `set`.
    let covered = |points: &Tensor, set: &Tensor, radii: &[f32]| -> Result<f64> {
        let radii = Tensor::from_slice(radii, (1, radii.len()), &device)?;
        let mut inside = 0usize;
        for start in (0..points.dim(0)?).step_by(1000) {
            let rows = points.narrow(0, start, 1000.min(points.dim(0)? - start))?;
            let within = squared_distances(&rows, set)?
                .broadcast_le(&radii)?
                .max(1)?
                .to_vec1::<u8>()?;
            inside += within.iter().filter(|&&w| w > 0).count();
        }
        Ok(inside as f64 / points.dim(0)? as f64)
    };
    let (real_radii, fake_radii) = (radii(&real)?, radii(&fake)?);
    Ok((
        covered(&fake, &real, &real_radii)?,
        covered(&real, &fake, &fake_radii)?,
    ))
}

/// What the card reports of a generator: sample quality in the data set's classifier features, and how the
/// discriminator scores real and generated images.
#[derive(Clone, Debug)]
pub struct GanMetrics {
    /// Fréchet distance of 10,000 samples to the 10,000 test images.
    pub fid: f64,
    /// The same distance between 10,000 training and the test images: the floor a perfect generator reaches.
    pub fid_floor: f64,
    /// Improved precision (k = 3): the share of samples on the test images' manifold.
    pub precision: f64,
    /// Improved recall (k = 3): the share of test images on the samples' manifold.
    pub recall: f64,
    /// The classifier's mean top-class probability on the samples.
    pub mean_confidence: f64,
    /// Classes given to at least 5% of the samples.
    pub class_coverage: usize,
    /// Samples per predicted class.
    pub class_counts: [usize; 10],
    /// Mean D(x) (the probability "real") on the test images and on the samples, when a discriminator is given.
    pub d_real_mean: Option<f64>,
    /// Mean D(G(z)) on the samples.
    pub d_fake_mean: Option<f64>,
}

/// Mean sigmoid of the discriminator's logits over `[n, 784]` images in [0, 1].
fn mean_score(discriminator: &Discriminator<CpuBackend>, images: &[f32]) -> Result<f64> {
    let (mut sum, mut n) = (0.0, 0usize);
    for chunk in images.chunks(500 * 784) {
        let m = chunk.len() / 784;
        let x = ((Tensor::from_slice(chunk, (m, 1, 28, 28), &Device::Cpu)? * 2.0)? - 1.0)?;
        let p = candle_nn::ops::sigmoid(&discriminator.logits(&CpuBackend, &x)?)?;
        sum += f64::from(p.sum_all()?.to_scalar::<f32>()?);
        n += m;
    }
    Ok(sum / n as f64)
}

/// The card's metrics of `generator` on 10,000 samples (z ~ N(0, I), a fixed seed) against the test set.
pub fn evaluate(
    generator: &Generator<CpuBackend>,
    discriminator: Option<&Discriminator<CpuBackend>>,
    classifier: &Classifier<CpuBackend>,
    train_set: &ImageSet,
    test_set: &ImageSet,
) -> Result<GanMetrics> {
    let n = 10_000;
    let generated = sample(generator, generator.config().latent, n, EVALUATION_SEED)?;
    let (gen_features, gen_labels, confidence) = features(classifier, &generated)?;
    let (test_features, _, _) = features(classifier, &test_set.pixels)?;
    let (train_features, _, _) = features(classifier, &train_set.pixels[..n * 784])?;
    let dim = gen_features.len() / n;
    let (mg, sg) = moments(&gen_features, dim);
    let (mt, st) = moments(&test_features, dim);
    let (mr, sr) = moments(&train_features, dim);
    let mut class_counts = [0usize; 10];
    for &l in &gen_labels {
        class_counts[l as usize % 10] += 1;
    }
    let (precision, recall) = precision_recall(&test_features, &gen_features, dim, 3)?;
    let (d_real_mean, d_fake_mean) = match discriminator {
        Some(d) => (
            Some(mean_score(d, &test_set.pixels)?),
            Some(mean_score(d, &generated)?),
        ),
        None => (None, None),
    };
    Ok(GanMetrics {
        fid: frechet_distance(&mg, &sg, &mt, &st),
        fid_floor: frechet_distance(&mr, &sr, &mt, &st),
        precision,
        recall,
        mean_confidence: confidence.iter().map(|&c| f64::from(c)).sum::<f64>() / n as f64,
        class_coverage: class_counts.iter().filter(|&&c| c * 20 >= n).count(),
        class_counts,
        d_real_mean,
        d_fake_mean,
    })
}

/// Trains, evaluates and writes the generator + discriminator, the snapshots and the card.
pub fn train(
    run: &GanRun,
    train_set: &ImageSet,
    test_set: &ImageSet,
    classifier: &Classifier<CpuBackend>,
    out_dir: &Path,
    checkpoints: &Path,
) -> Result<()> {
    let started = Instant::now();
    let (g_vars, d_vars) = (VarMap::new(), VarMap::new());
    // DCGAN's recipe: both start from N(0, 0.02); the generator trains with batch norms (folded into the weights
    // of every file written), the discriminator has none and a spectral-norm bound instead.
    let generator = Generator::new(
        &CpuBackend,
        run.config.clone(),
        &mut VarParams::new(&g_vars, run.seed, dcgan_normal),
    )?;
    let norms = BatchNorms::new(&g_vars, &run.config)?;
    let discriminator = Discriminator::new(
        &CpuBackend,
        run.config.clone(),
        &mut VarParams::new(&d_vars, run.seed.wrapping_add(1), dcgan_normal),
    )?;
    std::fs::create_dir_all(checkpoints)?;
    let g_file = checkpoints.join(format!("{}.generator.safetensors", run.name));
    let d_file = checkpoints.join(format!("{}.discriminator.safetensors", run.name));
    let step_file = checkpoints.join(format!("{}.step", run.name));
    let csv_path = checkpoints.join(format!("{}.csv", run.name));
    let mut first = 0;
    if step_file.exists() {
        g_vars
            .clone()
            .load(&g_file)
            .context("loading the generator checkpoint")?;
        d_vars
            .clone()
            .load(&d_file)
            .context("loading the discriminator checkpoint")?;
        first = std::fs::read_to_string(&step_file)?.trim().parse()?;
        println!(
            "resuming {} after step {first} (optimizer moments restart)",
            run.name
        );
    } else {
        std::fs::write(&csv_path, "step,d_loss,g_loss,d_real,d_fake\n")?;
    }
    let adam = |vars: &VarMap, lr: f64| {
        AdamW::new(
            vars.all_vars(),
            ParamsAdamW {
                lr,
                beta1: 0.5,
                beta2: 0.999,
                weight_decay: 0.0,
                ..Default::default()
            },
        )
    };
    let (mut opt_g, mut opt_d) = (adam(&g_vars, LR)?, adam(&d_vars, LR)?);
    let snapshots = snapshot_steps(run.steps);
    let side = GanConfig::SIDE;
    let snapshot = |step: usize| -> Result<()> {
        let meta = HashMap::from([("config".to_string(), serde_json::to_string(&run.config)?)]);
        let file = out_dir.join(format!("{}.step-{step:05}.safetensors", run.name));
        let mut weights = host_weights(&g_vars)?;
        fold_generator_batch_norms(&mut weights)?;
        std::fs::write(file, write_safetensors(&weights, Storage::F16, meta)?)?;
        Ok(())
    };
    let mut power_vectors = HashMap::new();
    let mut sums = [0.0f64; 4];
    let mut counted = 0;
    for step in first..run.steps {
        if snapshots.contains(&step) {
            snapshot(step)?;
        }
        let mut noise = Noise::for_step(run.seed, step as u64);
        let mut real = Vec::with_capacity(run.batch * side * side);
        for _ in 0..run.batch {
            let i = noise.index(train_set.len());
            real.extend(
                train_set.pixels[i * 784..(i + 1) * 784]
                    .iter()
                    .map(|p| p * 2.0 - 1.0),
            );
        }
        let real = Tensor::from_vec(real, (run.batch, 1, side, side), &Device::Cpu)?;
        let z = noise.normal((run.batch, run.config.latent))?;
        let train_norm = |which, h| norms.train(which, h);
        let fake = generator
            .generate_normed(&CpuBackend, &z, train_norm)?
            .detach();
        let d_real = discriminator.logits(&CpuBackend, &real)?;
        let d_fake = discriminator.logits(&CpuBackend, &fake)?;
        // One-sided label smoothing (real target 0.9) keeps the discriminator from saturating early.
        let real_term = ((softplus(&d_real.neg()?)? * 0.9)? + (softplus(&d_real)? * 0.1)?)?;
        let d_loss = (real_term.mean_all()? + softplus(&d_fake)?.mean_all()?)?;
        opt_d.backward_step(&d_loss)?;
        bound_spectral_norms(&d_vars, &mut power_vectors)?;

        let z = noise.normal((run.batch, run.config.latent))?;
        let g_loss = softplus(
            &discriminator
                .logits(
                    &CpuBackend,
                    &generator.generate_normed(&CpuBackend, &z, train_norm)?,
                )?
                .neg()?,
        )?
        .mean_all()?;
        opt_g.backward_step(&g_loss)?;

        let sigmoid_mean = |t: &Tensor| -> Result<f64> {
            Ok(f64::from(
                ((t.neg()?.exp()? + 1.0)?.recip()?)
                    .mean_all()?
                    .to_scalar::<f32>()?,
            ))
        };
        sums[0] += f64::from(d_loss.to_scalar::<f32>()?);
        sums[1] += f64::from(g_loss.to_scalar::<f32>()?);
        sums[2] += sigmoid_mean(&d_real)?;
        sums[3] += sigmoid_mean(&d_fake)?;
        counted += 1;
        let done = step + 1;
        if done % 50 == 0 || done == run.steps {
            let m: Vec<f64> = sums.iter().map(|s| s / counted as f64).collect();
            eprintln!(
                "{} step {done}/{}: D loss {:.3}, G loss {:.3}, D(real) {:.2}, D(fake) {:.2}, {:.0} s",
                run.name, run.steps, m[0], m[1], m[2], m[3], started.elapsed().as_secs_f64()
            );
            let mut csv = std::fs::OpenOptions::new().append(true).open(&csv_path)?;
            writeln!(
                csv,
                "{done},{:.5},{:.5},{:.4},{:.4}",
                m[0], m[1], m[2], m[3]
            )?;
            (sums, counted) = ([0.0; 4], 0);
        }
        if done % 250 == 0 || done == run.steps {
            g_vars.save(&g_file)?;
            d_vars.save(&d_file)?;
            std::fs::write(&step_file, done.to_string())?;
        }
    }
    // The last step's generator is the shipped model itself; the timeline points at that file. Its batch norms get
    // exact statistics of the final weights before they are folded.
    norms.recalibrate(&generator, run.config.latent, 20, 500, EVALUATION_SEED + 1)?;
    let folded = inference_generator(&g_vars, &run.config)?;
    let metrics = evaluate(
        &folded,
        Some(&discriminator),
        classifier,
        train_set,
        test_set,
    )?;
    println!("{}: {metrics:?}", run.name);

    let mut weights: HostWeights = host_weights(&g_vars)?;
    fold_generator_batch_norms(&mut weights)?;
    let d = host_weights(&d_vars)?;
    for name in d.names().map(str::to_string).collect::<Vec<_>>() {
        let (shape, data) = d.get(&name).expect("listed");
        weights.insert(name.clone(), shape.to_vec(), data.to_vec())?;
    }
    let meta = HashMap::from([("config".to_string(), serde_json::to_string(&run.config)?)]);
    std::fs::write(
        out_dir.join(format!("{}.safetensors", run.name)),
        write_safetensors(&weights, Storage::F16, meta)?,
    )?;
    let curve: Vec<serde_json::Value> = std::fs::read_to_string(&csv_path)?
        .lines()
        .skip(1)
        .filter_map(|l| {
            let v: Vec<f64> = l.split(',').filter_map(|x| x.parse().ok()).collect();
            (v.len() == 5).then(|| json!({"step": v[0] as usize, "d_loss": v[1], "g_loss": v[2]}))
        })
        .collect();
    let timeline: Vec<serde_json::Value> = snapshots
        .iter()
        .chain(std::iter::once(&run.steps))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|&s| {
            let file = if s == run.steps {
                format!("{}.safetensors", run.name)
            } else {
                format!("{}.step-{s:05}.safetensors", run.name)
            };
            json!({"step": s, "file": file})
        })
        .collect();
    let params: usize = run
        .config
        .generator_shapes()
        .iter()
        .chain(run.config.discriminator_shapes().iter())
        .map(|(_, s)| s.iter().product::<usize>())
        .sum();
    let mut card = new_card(run.name, Kind::Gan, params, run.source, &run.config)?;
    card.training = object(
        json!({"seed": run.seed, "steps": run.steps, "batch": run.batch, "optimizer": "Adam (beta1 0.5)", "lr_generator": LR, "lr_discriminator": LR,
            "loss": "non-saturating GAN loss, one-sided label smoothing 0.9, discriminator weights bounded to spectral norm 1",
            "generator_norm": "batch norm after the projection and the first upsampling (training mode; running statistics recomputed on 10,000 samples at the end and folded into the weights)", "wall_time_s": started.elapsed().as_secs_f64(),
            "machine": "2-core CPU, candle-core"}),
    );
    card.metrics = object(metrics_json(&metrics, run.source.id));
    card.curve = curve.into_iter().map(object).collect();
    card.timeline = timeline.into_iter().map(object).collect();
    card.extra = object(json!({"weights_storage": "f16"}));
    write(&card, out_dir)
}

/// The card's `metrics` object, with its `how`.
pub fn metrics_json(m: &GanMetrics, dataset: DatasetId) -> serde_json::Value {
    let classifier = dataset.classifier().unwrap_or_default();
    json!({
        "fid": m.fid, "fid_floor": m.fid_floor, "precision": m.precision, "recall": m.recall,
        "mean_confidence": m.mean_confidence, "class_coverage": m.class_coverage, "class_coverage_threshold": 0.05, "class_counts": m.class_counts,
        "d_real_mean": m.d_real_mean, "d_fake_mean": m.d_fake_mean,
        "how": format!("10,000 samples (z ~ N(0, I), seed {EVALUATION_SEED}) against the 10,000 test images, in the 128-d feature layer of {classifier}. fid: Fréchet distance; fid_floor: the first 10,000 training images against the test images; precision / recall: improved precision and recall with k = 3 nearest neighbours; mean_confidence: the classifier's mean top-class probability on the samples; class_coverage: classes given to at least 5% of the samples; d_real_mean / d_fake_mean: the discriminator's mean probability \"real\" on the test images and on the samples"),
    })
}

/// Renders 64 samples (seed 1) of the generator in `file` as an 8×8 grid PNG.
pub fn preview(file: &Path, out: &Path) -> Result<()> {
    let (mut weights, meta) = genscope_core::weights::read_safetensors(&std::fs::read(file)?)?;
    fold_generator_batch_norms(&mut weights)?;
    let config: GanConfig =
        serde_json::from_str(meta.get("config").context("no config in the file")?)?;
    let generator = Generator::new(&CpuBackend, config.clone(), &mut weights)?;
    let z = genscope_core::latent::gaussian_latents(1, 64, config.latent);
    let z = Tensor::from_vec(z, (64, config.latent), &Device::Cpu)?;
    let images = generator
        .generate(&CpuBackend, &z)?
        .flatten_all()?
        .to_vec1::<f32>()?;
    let side = 8 * 28;
    let mut raw = Vec::with_capacity(side * (side + 1));
    for y in 0..side {
        raw.push(0u8); // PNG filter type: none
        for x in 0..side {
            let (cell, py, px) = ((y / 28) * 8 + x / 28, y % 28, x % 28);
            let v = images[cell * 784 + py * 28 + px];
            raw.push(((v + 1.0) * 127.5).clamp(0.0, 255.0) as u8);
        }
    }
    let chunk = |kind: &[u8], data: &[u8]| -> Vec<u8> {
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend(crc.sum().to_be_bytes());
        c
    };
    let mut header = (side as u32).to_be_bytes().to_vec();
    header.extend((side as u32).to_be_bytes());
    header.extend([8, 0, 0, 0, 0]); // 8-bit greyscale
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw)?;
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &header));
    png.extend(chunk(b"IDAT", &z.finish()?));
    png.extend(chunk(b"IEND", &[]));
    std::fs::write(out, png)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_run_from_the_first_step_to_the_last() {
        assert_eq!(
            snapshot_steps(3200),
            vec![0, 50, 100, 200, 400, 800, 1600, 3200]
        );
    }

    /// The smoke test: a few discriminator steps on a tiny set lower its loss (the GAN step runs end to end).
    #[test]
    fn a_few_steps_train_the_discriminator() {
        let config = GanConfig {
            latent: 8,
            base: 4,
            channels: 1,
        };
        let (g_vars, d_vars) = (VarMap::new(), VarMap::new());
        let generator = Generator::new(
            &CpuBackend,
            config.clone(),
            &mut VarParams::new(&g_vars, 1, dcgan_normal),
        )
        .unwrap();
        let discriminator = Discriminator::new(
            &CpuBackend,
            config.clone(),
            &mut VarParams::new(&d_vars, 2, dcgan_normal),
        )
        .unwrap();
        let mut opt_d = AdamW::new(
            d_vars.all_vars(),
            ParamsAdamW {
                lr: 1e-2,
                ..Default::default()
            },
        )
        .unwrap();
        let mut opt_g = AdamW::new(
            g_vars.all_vars(),
            ParamsAdamW {
                lr: 1e-3,
                ..Default::default()
            },
        )
        .unwrap();
        let real = Tensor::ones((8, 1, 28, 28), DType::F32, &Device::Cpu).unwrap();
        let mut losses = Vec::new();
        for step in 0..20 {
            let z = Noise::for_step(3, step).normal((8, 8)).unwrap();
            let fake = generator.generate(&CpuBackend, &z).unwrap();
            let d_loss = (softplus(
                &discriminator
                    .logits(&CpuBackend, &real)
                    .unwrap()
                    .neg()
                    .unwrap(),
            )
            .unwrap()
            .mean_all()
            .unwrap()
                + softplus(&discriminator.logits(&CpuBackend, &fake.detach()).unwrap())
                    .unwrap()
                    .mean_all()
                    .unwrap())
            .unwrap();
            opt_d.backward_step(&d_loss).unwrap();
            // The generator's gradient flows through the transposed convolutions.
            let g_loss = softplus(
                &discriminator
                    .logits(&CpuBackend, &fake)
                    .unwrap()
                    .neg()
                    .unwrap(),
            )
            .unwrap()
            .mean_all()
            .unwrap();
            opt_g.backward_step(&g_loss).unwrap();
            losses.push(d_loss.to_scalar::<f32>().unwrap());
        }
        // Means over five steps: single steps are noisy (each draws a new z, and the generator trains against it).
        let mean = |l: &[f32]| l.iter().sum::<f32>() / l.len() as f32;
        assert!(
            mean(&losses[15..]) < mean(&losses[..5]),
            "discriminator loss {losses:?}"
        );
    }
}
