//! `cargo xtask test`, the README's test command: every check, in order, with a summary line per stage.
//!
//! Stages: setup (installs what is missing), fmt, clippy (native and wasm), native tests (including WebGPU on
//! lavapipe), wasm tests in headless Chromium with WebGPU on, and the end-to-end tests that drive the built site.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::tools::{self, run, WASM_TARGET};

/// Chromium flags every browser test uses on these machines (see shared/TESTING.md): the closed network makes
/// Chromium hang on its background connections unless they are off.
pub const CHROMIUM_QUIET_ARGS: &[&str] = &[
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
];

/// Switches for WebGPU in headless Chromium on a machine without a GPU: Dawn on SwiftShader's Vulkan, and the
/// compositor on Vulkan too (`--use-vulkan=swiftshader`, with ANGLE on SwiftShader for the rest). Without the
/// compositor's Vulkan a WebGPU canvas context cannot get its swap-chain image ("Could not find
/// SharedImageBackingFactory … WebgpuSwapChainTexture") and the device is lost on the first picture.
pub const CHROMIUM_SOFTWARE_WEBGPU_ARGS: &[&str] = &[
    "--enable-unsafe-webgpu",
    "--enable-features=Vulkan",
    "--use-vulkan=swiftshader",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
];

/// End-to-end tests that assert on the page's main thread (no long task over 50 ms while the models are timed):
/// they run on their own after the rest, since the other test thread's browser (SwiftShader's threads on both
/// cores, tens of seconds for a WebGPU grid of 64) stretches the page's tasks past 50 ms.
const E2E_ALONE: &[&str] =
    &["backend::on_swiftshader_every_model_is_timed_on_both_backends_and_runs_on_the_cpu"];

struct Stage {
    name: &'static str,
    seconds: f64,
    error: Option<String>,
}

/// Runs every stage, prints the summary and fails if any stage failed.
pub fn run_all() -> Result<()> {
    let root = tools::workspace_root();
    let started = Instant::now();
    // Figures from an earlier run must not pass for this run's.
    let _ = std::fs::remove_dir_all(root.join("target/e2e"));
    let mut stages = Vec::new();
    let mut stage = |name: &'static str, body: &mut dyn FnMut() -> Result<()>| {
        eprintln!("\n=== {name} ===");
        let t = Instant::now();
        let error = body().err().map(|e| format!("{e:#}"));
        if let Some(e) = &error {
            eprintln!("stage {name} failed: {e}");
        }
        stages.push(Stage {
            name,
            seconds: t.elapsed().as_secs_f64(),
            error,
        });
    };

    let mut browser = None;
    stage("setup", &mut || {
        tools::ensure_rust_components()?;
        tools::ensure_wasm_target()?;
        tools::ensure_lavapipe()?;
        browser = Some(tools::ensure_browser()?);
        tools::ensure_wasm_bindgen()?;
        Ok(())
    });
    let xdg = tools::runtime_dir()?;
    let cargo = || {
        let mut command = Command::new("cargo");
        command.current_dir(&root).env("XDG_RUNTIME_DIR", &xdg);
        command
    };

    stage(
        "fmt",
        &mut || run(cargo().args(["fmt", "--all", "--check"])),
    );
    stage("clippy", &mut || {
        run(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))?;
        run(cargo()
            .args(["clippy", "--target", WASM_TARGET, "--all-targets"])
            .args([
                "-p",
                "genscope-app",
                "-p",
                "genscope-webgpu",
                "-p",
                "genscope-core",
                "-p",
                "genscope-fuzz",
                "--",
                "-D",
                "warnings",
            ]))
    });
    stage("native tests", &mut || {
        run(cargo().args(["test", "--workspace", "--exclude", "genscope-e2e"]))
    });
    stage("wasm tests (Chromium)", &mut || {
        let browser = browser.as_ref().context("setup found no browser")?;
        wasm_tests(&root, &mut cargo(), browser)
    });
    stage("e2e (Chromium)", &mut || {
        let browser = browser.as_ref().context("setup found no browser")?;
        crate::dist::build()?;
        let skip = E2E_ALONE.iter().flat_map(|name| ["--skip", name]);
        run(cargo()
            .args([
                "test",
                "--package",
                "genscope-e2e",
                "--",
                "--test-threads=2",
            ])
            .args(skip)
            .env("GENSCOPE_DIST", root.join("dist"))
            .env("CHROMEDRIVER", &browser.chromedriver)
            .env("GENSCOPE_CHROMIUM", &browser.chromium))?;
        run(cargo()
            .args([
                "test",
                "--package",
                "genscope-e2e",
                "--test",
                "e2e",
                "--",
                "--exact",
                "--test-threads=1",
            ])
            .args(E2E_ALONE)
            .env("GENSCOPE_DIST", root.join("dist"))
            .env("CHROMEDRIVER", &browser.chromedriver)
            .env("GENSCOPE_CHROMIUM", &browser.chromium))
    });

    println!(
        "\n=== summary ({:.0} s) ===",
        started.elapsed().as_secs_f64()
    );
    for s in &stages {
        let verdict = if s.error.is_some() { "FAILED" } else { "ok" };
        println!("{:<24} {:<7} {:>7.1} s", s.name, verdict, s.seconds);
    }
    print_figures(&root.join("target/e2e"));
    let failed = stages.iter().filter(|s| s.error.is_some()).count();
    println!("stages: {} passed, {failed} failed", stages.len() - failed);
    if failed > 0 {
        bail!("{failed} stage(s) failed");
    }
    Ok(())
}

/// wasm-bindgen-test in headless Chromium with WebGPU on (SwiftShader without a GPU): the core crate, the WebGPU
/// parity tests, and the fuzz corpora replayed in wasm32 (the architecture that ships).
fn wasm_tests(root: &Path, cargo: &mut Command, browser: &tools::Browser) -> Result<()> {
    let bindgen_dir = tools::ensure_wasm_bindgen()?;
    let work = root.join("target/wasm-test");
    let profile = work.join("chromium-profile");
    std::fs::create_dir_all(&work)?;
    let mut args: Vec<String> = CHROMIUM_QUIET_ARGS.iter().map(|s| s.to_string()).collect();
    args.push("--enable-unsafe-webgpu".into());
    args.push(format!("--user-data-dir={}", profile.display()));
    let capabilities = serde_json::json!({
        "goog:chromeOptions": { "binary": browser.chromium, "args": args }
    });
    let webdriver_json = work.join("webdriver.json");
    std::fs::write(
        &webdriver_json,
        serde_json::to_string_pretty(&capabilities)?,
    )?;

    let result = run(cargo
        .args([
            "test",
            "--target",
            WASM_TARGET,
            "-p",
            "genscope-core",
            "-p",
            "genscope-webgpu",
            // The fuzz seeds and saved crashers, replayed on a 32-bit usize (tests/replay.rs).
            "-p",
            "genscope-fuzz",
        ])
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            bindgen_dir.join("wasm-bindgen-test-runner"),
        )
        .env("CHROMEDRIVER", &browser.chromedriver)
        .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &webdriver_json)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120"));
    // The runner's Chromium leaves its profile behind; it is ours to clean.
    let _ = std::fs::remove_dir_all(&profile);
    result
}

/// Prints the figures the browser tests measured (JSON files in `target/e2e/`): reported, never asserted.
fn print_figures(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for file in files {
        if let Ok(text) = std::fs::read_to_string(&file) {
            let name = file.file_stem().unwrap_or_default().to_string_lossy();
            let compact = serde_json::from_str::<serde_json::Value>(&text)
                .map(|v| v.to_string())
                .unwrap_or(text);
            println!("figures {name}: {compact}");
        }
    }
}
