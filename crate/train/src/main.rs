//! genscope-train: trains the shipped models with the core crate's model code (no second definition) and writes
//! `assets/models/NAME.safetensors` plus the model card `NAME.json`.
//!
//! Run `cargo xtask data` first. Today it trains the VAEs; the GANs, classifiers and LMs follow.

mod card;
mod classifier;
mod curves;
mod data;
mod fid;
mod gan;
mod lm;
mod noise;
mod schedule;
mod script;
mod text;
mod vae;
mod vars;

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use genscope_core::lm::LmConfig;
use genscope_core::registry::DatasetId;
use genscope_core::vae::VaeConfig;

#[derive(Parser)]
#[command(name = "genscope-train", about = "Trains genscope's shipped models")]
struct Cli {
    /// Seed of every random draw in training (initial weights, data order, noise): the same seed reruns a
    /// training bit for bit.
    #[arg(long, global = true, default_value_t = 0)]
    seed: u64,
    /// Where a training run writes its model, card, snapshots and curve (default: assets/models). A long run can
    /// write elsewhere and be copied in once it is done, so the committed models stay whole meanwhile.
    #[arg(long, global = true)]
    out_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a VAE: vae-mnist-z2, vae-mnist-z16, vae-fashion-z2, vae-fashion-z16.
    Vae {
        /// Which shipped model.
        model: String,
        /// Passes over the training set.
        #[arg(long, default_value_t = 30)]
        epochs: usize,
        /// Decay the learning rate along a cosine over the run to this fraction of it (e.g. 0.05); constant
        /// when absent.
        #[arg(long)]
        cosine_floor: Option<f64>,
    },
    /// Train a character-level language model: lm-shakespeare, lm-tang.
    Lm {
        /// Which shipped model.
        model: String,
        /// Optimizer steps.
        #[arg(long, default_value_t = 3000)]
        steps: usize,
    },
    /// Write the Simplified/Traditional tables into a Chinese LM's card (lm-tang), from `data/opencc` and its
    /// corpus, without retraining.
    Script {
        /// Which shipped model.
        model: String,
    },
    /// Train the image classifier of a data set: classifier-mnist, classifier-fashion.
    Classifier {
        /// Which shipped model.
        model: String,
    },
    /// Train a DCGAN (needs its data set's classifier for the metrics): dcgan-mnist, dcgan-fashion.
    Gan {
        /// Which shipped model.
        model: String,
        /// Optimizer steps.
        #[arg(long, default_value_t = 3200)]
        steps: usize,
        /// Feature maps of the generator's widest layer next to the image.
        #[arg(long, default_value_t = 64)]
        base: usize,
    },
    /// Render 64 samples of a GAN generator file (a shipped model or a snapshot) to an 8x8 PNG grid, to look at a
    /// run while it trains.
    PreviewGan {
        /// A safetensors file with the generator's tensors.
        file: PathBuf,
        /// The PNG to write.
        out: PathBuf,
    },
    /// Recompute a shipped model's card metrics from its committed weights on the full held-out data (run
    /// `cargo xtask data` first) and print them beside the card's.
    Eval {
        /// Which shipped model.
        model: String,
    },
    /// Draw every model card's training curve as NAME.curve.svg (also done after each training run).
    Curves,
    /// Write the small evaluation subsets the site and the metric tests use into assets/eval/.
    Subsets,
    /// Write a shipped LM in llama2.c's format: OUT/NAME.bin and OUT/NAME.tokenizer.bin.
    ExportLlama2c {
        /// Which shipped model.
        model: String,
        /// Output folder.
        out: PathBuf,
    },
}

fn main() -> Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let Cli {
        seed,
        out_dir,
        command,
    } = Cli::parse();
    let out_dir = out_dir.unwrap_or_else(|| root.join("assets/models"));
    std::fs::create_dir_all(&out_dir)?;
    let trains = matches!(
        command,
        Command::Vae { .. } | Command::Lm { .. } | Command::Classifier { .. } | Command::Gan { .. }
    );
    match command {
        Command::Vae {
            model,
            epochs,
            cosine_floor,
        } => {
            if let Some(floor) = cosine_floor {
                anyhow::ensure!(
                    (0.0..=1.0).contains(&floor),
                    "--cosine-floor is a fraction of the learning rate, between 0 and 1 (got {floor})"
                );
            }
            let (dir, source) = image_dataset(&model)?;
            let latent = match model.rsplit('-').next() {
                Some("z2") => 2,
                Some("z16") => 16,
                _ => bail!("unknown VAE {model}"),
            };
            let train_set = data::load_images(&root.join("data").join(dir), "train")?;
            let test_set = data::load_images(&root.join("data").join(dir), "t10k")?;
            let run = vae::VaeRun {
                name: &model,
                config: VaeConfig {
                    width: 28,
                    height: 28,
                    hidden: 400,
                    latent,
                },
                epochs,
                batch: 100,
                lr: 1e-3,
                cosine_floor,
                source,
                seed,
            };
            vae::train(
                &run,
                &train_set,
                &test_set,
                &out_dir,
                &root.join("data/checkpoints"),
            )?;
        }
        Command::Lm { model, steps } => {
            let source = card::shipped_dataset(&model)?;
            let (text, vocab, seq_len, held_out) = match source.id {
                DatasetId::Shakespeare => {
                    let text = text::shakespeare(&root.join("data/shakespeare"))?;
                    let vocab = text::vocabulary(&text, 255, 5);
                    (
                        text,
                        vocab,
                        256,
                        "the last 10% of the plays in file-name order",
                    )
                }
                DatasetId::Tang => {
                    let text = text::tang(&root.join("data/tang"))?;
                    let vocab = text::vocabulary(&text, 2999, 1);
                    // Poems are short: a 128-character context holds one or two whole poems.
                    (text, vocab, 128, "the last 10% of the poems in file order")
                }
                _ => bail!("{model} is not a language model (lm-shakespeare or lm-tang)"),
            };
            let script = match source.id {
                DatasetId::Tang => Some(script::tables(&vocab, &text, &root.join("data/opencc"))?),
                _ => None,
            };
            let run = lm::LmRun {
                name: &model,
                script,
                config: shipped_lm_config(vocab.len(), seq_len),
                vocab,
                steps,
                batch: 16,
                window: seq_len,
                lr: 2e-3,
                source,
                seed,
                held_out,
            };
            lm::train(&run, &text, &out_dir, &root.join("data/checkpoints"))?;
        }
        Command::Script { model } => {
            let path = out_dir.join(format!("{model}.json"));
            let mut card = genscope_core::card::ModelCard::parse(&std::fs::read(&path)?)?;
            anyhow::ensure!(
                card.dataset == DatasetId::Tang,
                "{model} is not trained on Chinese text"
            );
            let corpus = text::tang(&root.join("data/tang"))?;
            let tables = script::tables(&card.vocab, &corpus, &root.join("data/opencc"))?;
            println!(
                "{model}: {} Simplified characters map into the model's script, {} of its characters back",
                tables.to_model.chars().count() / 2,
                tables.from_model.chars().count() / 2
            );
            card.script = Some(tables);
            card::write(&card, &out_dir)?;
        }
        Command::ExportLlama2c { model, out } => export_llama2c(&root, &model, &out)?,
        Command::Subsets => write_subsets(&root)?,
        Command::Eval { model } => eval(&root, &model)?,
        Command::Curves => {
            let n = curves::write_all(&root.join("assets/models"))?;
            println!("drew {n} training curves");
        }
        Command::PreviewGan { file, out } => gan::preview(&file, &out)?,
        Command::Classifier { model } => {
            let (dir, source) = image_dataset(&model)?;
            let train_set = data::load_images(&root.join("data").join(dir), "train")?;
            let test_set = data::load_images(&root.join("data").join(dir), "t10k")?;
            classifier::train(&model, &train_set, &test_set, source, &out_dir, seed)?;
        }
        Command::Gan { model, steps, base } => {
            let (dir, source) = image_dataset(&model)?;
            let train_set = data::load_images(&root.join("data").join(dir), "train")?;
            let test_set = data::load_images(&root.join("data").join(dir), "t10k")?;
            let which = source
                .id
                .classifier()
                .context("an image set has a classifier")?;
            let card_path = root.join(format!("assets/models/{which}.safetensors"));
            let (mut weights, _) = genscope_core::weights::read_safetensors(
                &std::fs::read(&card_path).with_context(|| {
                    format!("{} (train the classifier first)", card_path.display())
                })?,
            )?;
            let classifier = genscope_core::classifier::Classifier::new(
                &genscope_core::cpu::CpuBackend,
                classifier::shipped_config(),
                &mut weights,
            )?;
            let run = gan::GanRun {
                name: &model,
                config: genscope_core::gan::GanConfig {
                    latent: 64,
                    base,
                    channels: 1,
                },
                steps,
                batch: 64,
                source,
                seed,
            };
            gan::train(
                &run,
                &train_set,
                &test_set,
                &classifier,
                &out_dir,
                &root.join("data/checkpoints"),
            )?;
        }
    }
    if trains {
        curves::write_all(&out_dir)?;
    }
    Ok(())
}

/// The architecture of both shipped LMs; only the vocabulary and the context differ.
fn shipped_lm_config(vocab_size: usize, seq_len: usize) -> LmConfig {
    LmConfig {
        dim: 192,
        hidden_dim: 512,
        n_layers: 4,
        n_heads: 6,
        n_kv_heads: 6,
        vocab_size,
        seq_len,
        norm_eps: 1e-5,
    }
}

/// Converts `assets/models/NAME.safetensors` (with its card's vocabulary) to llama2.c's `.bin` and
/// `tokenizer.bin`, so the LM page's "open your own model" path has a file made here to open.
fn export_llama2c(root: &std::path::Path, model: &str, out: &std::path::Path) -> Result<()> {
    use genscope_core::tokenizer::Tokenizer;
    use genscope_core::weights::{read_safetensors, write_llama2c};
    let dir = root.join("assets/models");
    let card: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(format!("{model}.json")))?)?;
    let config: LmConfig = serde_json::from_value(card["config"].clone())?;
    let vocab: Vec<String> = serde_json::from_value(card["vocab"].clone())?;
    let (weights, _) = read_safetensors(&std::fs::read(dir.join(format!("{model}.safetensors")))?)?;
    std::fs::create_dir_all(out)?;
    std::fs::write(
        out.join(format!("{model}.bin")),
        write_llama2c(&config, &weights)?,
    )?;
    std::fs::write(
        out.join(format!("{model}.tokenizer.bin")),
        Tokenizer::characters(vocab)?.write_llama2c(),
    )?;
    println!(
        "wrote {0}/{model}.bin and {0}/{model}.tokenizer.bin",
        out.display()
    );
    Ok(())
}

/// Images in the evaluation subsets, and characters of held-out text.
const SUBSET_IMAGES: usize = 1000;
const SUBSET_CHARS: usize = 20_000;

/// The first 1,000 test images (with labels) of each image set, and the start of each LM's held-out text.
fn write_subsets(root: &std::path::Path) -> Result<()> {
    use genscope_core::dataset::write_idx;
    let out = root.join("assets/eval");
    std::fs::create_dir_all(&out)?;
    for (dir, name) in [("mnist", "mnist"), ("fashion-mnist", "fashion")] {
        let set = data::load_images(&root.join("data").join(dir), "t10k")?;
        let pixels = set.width * set.height;
        let bytes: Vec<u8> = set.pixels[..SUBSET_IMAGES * pixels]
            .iter()
            .map(|&p| (p * 255.0).round() as u8)
            .collect();
        let shape = [SUBSET_IMAGES, set.height, set.width];
        std::fs::write(
            out.join(format!("{name}-test-images.idx")),
            write_idx(&shape, &bytes),
        )?;
        std::fs::write(
            out.join(format!("{name}-test-labels.idx")),
            write_idx(&[SUBSET_IMAGES], &set.labels[..SUBSET_IMAGES]),
        )?;
    }
    for (name, text) in [
        (
            "shakespeare",
            text::shakespeare(&root.join("data/shakespeare"))?,
        ),
        ("tang", text::tang(&root.join("data/tang"))?),
    ] {
        // The same split as the trainer: the held-out part is the last 10% of the characters.
        let chars: Vec<char> = text.chars().collect();
        let held_out: String = chars[chars.len() * 9 / 10..]
            .iter()
            .take(SUBSET_CHARS)
            .collect();
        std::fs::write(out.join(format!("{name}-heldout.txt")), held_out)?;
    }
    println!("wrote the evaluation subsets to {}", out.display());
    Ok(())
}

/// Folder, description and licence of the image data set a model name refers to (`…-mnist…` or `…-fashion…`).
fn image_dataset(model: &str) -> Result<(&'static str, &'static card::Source)> {
    let source = card::shipped_dataset(model)?;
    let folder = match source.id {
        DatasetId::Mnist => "mnist",
        DatasetId::FashionMnist => "fashion-mnist",
        other => bail!("{model} trains on {}, not on images", other.title()),
    };
    Ok((folder, source))
}

/// `genscope-train eval NAME`: the card's metrics recomputed from the shipped weights.
fn eval(root: &std::path::Path, model: &str) -> Result<()> {
    use genscope_core::cpu::CpuBackend;
    use genscope_core::weights::read_safetensors;
    let dir = root.join("assets/models");
    let card: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join(format!("{model}.json")))
            .with_context(|| format!("no card for {model}"))?,
    )?;
    let dataset: DatasetId = serde_json::from_value(card["dataset"].clone())?;
    let (mut weights, _) =
        read_safetensors(&std::fs::read(dir.join(format!("{model}.safetensors")))?)?;
    let metrics = &card["metrics"];
    let image_sets = || -> Result<(data::ImageSet, data::ImageSet)> {
        let (folder, _) = image_dataset(model)?;
        Ok((
            data::load_images(&root.join("data").join(folder), "train")?,
            data::load_images(&root.join("data").join(folder), "t10k")?,
        ))
    };
    match card["kind"].as_str() {
        Some("vae") => {
            let config: VaeConfig = serde_json::from_value(card["config"].clone())?;
            let vae = genscope_core::vae::Vae::new(&CpuBackend, config.clone(), &mut weights)?;
            let (_, test) = image_sets()?;
            let (elbo, iwae) = vae::evaluate(&vae, &test, config.pixels())?;
            println!(
                "{model}: test ELBO {elbo:.2} (card {}), IWAE NLL {iwae:.2} (card {})",
                metrics["test_elbo_nats"], metrics["iwae_nll_nats"]
            );
        }
        Some("classifier") => {
            let classifier = genscope_core::classifier::Classifier::new(
                &CpuBackend,
                classifier::shipped_config(),
                &mut weights,
            )?;
            let (_, test) = image_sets()?;
            println!(
                "{model}: test accuracy {:.4} (card {})",
                classifier::accuracy(&classifier, &test)?,
                metrics["test_accuracy"]
            );
        }
        Some("gan") => {
            let config: genscope_core::gan::GanConfig =
                serde_json::from_value(card["config"].clone())?;
            genscope_core::gan::fold_generator_batch_norms(&mut weights)?;
            let generator =
                genscope_core::gan::Generator::new(&CpuBackend, config.clone(), &mut weights)?;
            let which = dataset
                .classifier()
                .with_context(|| format!("{model}: {} has no classifier", dataset.title()))?;
            let (mut cw, _) =
                read_safetensors(&std::fs::read(dir.join(format!("{which}.safetensors")))?)?;
            let classifier = genscope_core::classifier::Classifier::new(
                &CpuBackend,
                classifier::shipped_config(),
                &mut cw,
            )?;
            let (train, test) = image_sets()?;
            let discriminator =
                genscope_core::gan::Discriminator::new(&CpuBackend, config, &mut weights)?;
            let m = gan::evaluate(&generator, Some(&discriminator), &classifier, &train, &test)?;
            println!(
                "{model}: FID {:.2} (card {}), floor {:.2} (card {}), precision {:.3}, recall {:.3}, confidence {:.3}, classes {} {:?}, D real {:?} fake {:?}",
                m.fid, metrics["fid"], m.fid_floor, metrics["fid_floor"], m.precision, m.recall, m.mean_confidence, m.class_coverage, m.class_counts, m.d_real_mean, m.d_fake_mean
            );
        }
        Some("lm") => {
            let config: LmConfig = serde_json::from_value(card["config"].clone())?;
            let vocab: Vec<String> = serde_json::from_value(card["vocab"].clone())?;
            let lm = genscope_core::lm::Lm::new(&CpuBackend, config.clone(), &mut weights)?;
            let text = if dataset == DatasetId::Tang {
                text::tang(&root.join("data/tang"))?
            } else {
                text::shakespeare(&root.join("data/shakespeare"))?
            };
            let tokens = genscope_core::tokenizer::Tokenizer::characters(vocab)?.encode(&text);
            let held_out = &tokens[tokens.len() * 9 / 10..];
            let nats = lm::evaluate(&lm, held_out, config.seq_len, 400)?;
            println!(
                "{model}: held-out {nats:.4} nats/char (card {})",
                metrics["val_nats_per_char"]
            );
            if dataset == DatasetId::Tang {
                let tokenizer = genscope_core::tokenizer::Tokenizer::characters(
                    serde_json::from_value(card["vocab"].clone())?,
                )?;
                let poems = lm::sample_poems(&lm, &tokenizer, 100, config.seq_len, lm::FORM_SEED)?;
                println!(
                    "{model}: {:.1}% of the verse lines of 100 sampled poems have 5 or 7 characters (card {}); first poem:\n{}",
                    100.0 * text::five_or_seven_share(&poems),
                    metrics["form_5_or_7_share"],
                    poems[0]
                );
            }
        }
        other => bail!("{model}: unknown kind {other:?}"),
    }
    Ok(())
}
