//! `cargo xtask gpu-check`: for a machine with a real GPU. Runs the native engine benchmarks briefly (criterion,
//! one second of warm-up and two of measurement each) on the machine's own adapter, then the browser bench page in
//! headless Chromium with its hardware WebGPU enabled, and prints one table: each model's work on wasm CPU and
//! WebGPU, natively and in the browser, with the choice the site's automatic backend would make. A few minutes;
//! nothing is written to `bench/` (that is `cargo xtask bench`'s report).

use std::process::Command;

use anyhow::{Context, Result};

use crate::bench;
use crate::tools;

/// Chromium's switches for its hardware WebGPU on Linux (Vulkan), added to the bench's own.
const HARDWARE_WEBGPU: &str = "--enable-features=Vulkan --use-angle=vulkan --ignore-gpu-blocklist";

/// Runs the check and prints its table.
pub fn run() -> Result<()> {
    let root = tools::workspace_root();
    let xdg = tools::runtime_dir()?;
    let stdout = {
        let output = Command::new("cargo")
            .current_dir(&root)
            .args(["bench", "-p", "genscope-webgpu", "--bench", "engine", "--"])
            .args([
                "--warm-up-time",
                "1",
                "--measurement-time",
                "2",
                "--sample-size",
                "10",
            ])
            .arg("--noplot")
            .args(["^(vae_decode|gan_grid64|lm_decode_256)/"])
            .env("XDG_RUNTIME_DIR", &xdg)
            .output()
            .context("running cargo bench")?;
        anyhow::ensure!(
            output.status.success(),
            "cargo bench failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let native_adapter = stdout
        .lines()
        .find_map(|l| l.strip_prefix("gpu adapter: "))
        .unwrap_or("unknown")
        .to_owned();
    let criterion = root.join("target/criterion");
    let ms = |group, function| bench::median_ms(&criterion, group, function);
    let browser = bench::browser_bench_with(&root, HARDWARE_WEBGPU)?;
    let b = |path: &[&str]| {
        path.iter()
            .fold(&browser, |v, k| &v[*k])
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    let browser_adapter = browser["webgpu_adapter"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| format!("none ({})", browser["webgpu_error"]));
    let per_token = |tokens_per_s: f64| 1e3 / tokens_per_s;
    let lm_native = |function| ms("lm_decode_256", function).map(|ms| ms / 256.0);
    let rows = [
        (
            "VAE decode, one frame",
            ms("vae_decode", "cpu")?,
            ms("vae_decode", "wgpu")?,
            b(&["vae_decode_ms_wasm_cpu", "p50"]),
            b(&["vae_decode_ms_webgpu", "p50"]),
        ),
        (
            "GAN grid of 64",
            ms("gan_grid64", "cpu")?,
            ms("gan_grid64", "wgpu")?,
            b(&["gan_grid64_wasm_cpu", "median_ms"]),
            b(&["gan_grid64_webgpu", "median_ms"]),
        ),
        (
            "LM step (one token)",
            lm_native("ours_cpu")?,
            lm_native("ours_wgpu")?,
            per_token(b(&["lm_tokens_per_s_wasm_cpu", "ours"])),
            per_token(b(&["lm_tokens_per_s_webgpu", "ours"])),
        ),
    ];
    println!("\nnative adapter: {native_adapter}\nbrowser adapter: {browser_adapter}");
    if [&native_adapter, &browser_adapter]
        .iter()
        .any(|a| is_software(a))
    {
        println!("note: a software adapter answered; these are not a real GPU's figures");
    }
    println!(
        "\n| work (milliseconds, medians) | native CPU | native WebGPU | wasm CPU | browser WebGPU | site's choice |"
    );
    println!("|---|---|---|---|---|---|");
    for (work, native_cpu, native_gpu, wasm_cpu, browser_gpu) in rows {
        println!(
            "| {work} | {native_cpu:.3} | {native_gpu:.3} | {wasm_cpu:.3} | {browser_gpu:.3} | {} |",
            choice(wasm_cpu, browser_gpu)
        );
    }
    Ok(())
}

/// The site's rule (crate/app/src/calibration.rs): WebGPU only when it is faster; a tie or a missing figure goes
/// to the CPU.
fn choice(cpu_ms: f64, gpu_ms: f64) -> &'static str {
    if gpu_ms < cpu_ms {
        "WebGPU"
    } else {
        "CPU"
    }
}

/// Whether an adapter's description names a software rasteriser.
fn is_software(adapter: &str) -> bool {
    let a = adapter.to_lowercase();
    ["swiftshader", "llvmpipe", "lavapipe", "software"]
        .iter()
        .any(|s| a.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_choice_follows_the_sites_rule_and_software_adapters_are_named() {
        assert_eq!(choice(2.0, 1.0), "WebGPU");
        assert_eq!(choice(1.0, 1.0), "CPU");
        assert_eq!(choice(1.0, f64::NAN), "CPU");
        assert!(is_software("WebGPU · google swiftshader (software)"));
        assert!(is_software("llvmpipe (LLVM 15.0.6, 256 bits)"));
        assert!(!is_software("NVIDIA H200"));
    }
}
