//! `cargo xtask bench`: runs the native engine benchmarks (criterion) and writes their medians and ratios, with
//! the machine they ran on, to `bench/results.json` and `BENCHMARKS.md`. Nothing here asserts a time.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};
use serde_json::{json, Value};

use crate::tools;

/// The LM the benchmark decodes with (crate/webgpu/tests/common: `shipped_lm_config`), for the roofline.
struct LmShape {
    dim: f64,
    hidden: f64,
    layers: f64,
    kv_dim: f64,
    vocab: f64,
}

const LM: LmShape = LmShape {
    dim: 256.0,
    hidden: 688.0,
    layers: 4.0,
    kv_dim: 128.0,
    vocab: 96.0,
};
const PROMPT: f64 = 16.0;
const DECODED: f64 = 256.0;

/// Every criterion benchmark the report needs, as (group, function): `target/criterion/GROUP/FUNCTION`.
const NEEDED: [(&str, &str); 7] = [
    ("vae_decode", "cpu"),
    ("vae_decode", "wgpu"),
    ("gan_grid64", "cpu"),
    ("gan_grid64", "wgpu"),
    ("lm_decode_256", "ours_cpu"),
    ("lm_decode_256", "ours_wgpu"),
    ("lm_decode_256", "candle_transformers"),
];

/// Where criterion keeps the latest median of `group/function`.
fn estimates_file(criterion: &Path, group: &str, function: &str) -> std::path::PathBuf {
    criterion
        .join(group)
        .join(function)
        .join("new/estimates.json")
}

/// Median of one criterion benchmark in milliseconds.
pub fn median_ms(criterion: &Path, group: &str, function: &str) -> Result<f64> {
    let file = estimates_file(criterion, group, function);
    let text = std::fs::read_to_string(&file).with_context(|| {
        format!(
            "reading {} (no median of {group}/{function} yet: run `cargo xtask bench` without a filter once)",
            file.display()
        )
    })?;
    let estimates: Value = serde_json::from_str(&text)?;
    let ns = estimates["median"]["point_estimate"]
        .as_f64()
        .with_context(|| format!("{} has no median", file.display()))?;
    Ok(ns / 1e6)
}

/// The needed benchmarks that have no median in `criterion` yet (a fresh clone, or a filter that skipped them).
fn missing(criterion: &Path) -> Vec<(&'static str, &'static str)> {
    NEEDED
        .into_iter()
        .filter(|(group, function)| !estimates_file(criterion, group, function).is_file())
        .collect()
}

/// A criterion filter (a regex over `group/function`) that runs exactly `missing`, except that a missing LM
/// benchmark runs its whole group: the LM rows always come from one run together.
fn filter_for(missing: &[(&str, &str)]) -> Option<String> {
    let mut ids: Vec<String> = Vec::new();
    for (group, function) in missing {
        let id = if *group == "lm_decode_256" {
            format!("{group}/.*")
        } else {
            format!("{group}/{function}")
        };
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    (!ids.is_empty()).then(|| format!("^({})$", ids.join("|")))
}

/// Runs `cargo bench` on the engine benchmarks (those matching `filter`, if given) and returns what they printed.
fn run_criterion(root: &Path, xdg: &Path, filter: Option<&str>) -> Result<String> {
    let output = Command::new("cargo")
        .current_dir(root)
        .args(["bench", "-p", "genscope-webgpu", "--bench", "engine", "--"])
        .args(filter)
        .env("XDG_RUNTIME_DIR", xdg)
        .output()
        .context("running cargo bench")?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    print!("{stdout}");
    anyhow::ensure!(
        output.status.success(),
        "cargo bench failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(stdout)
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    json!({ "cpu": cpu, "cores": cores, "os": std::env::consts::OS })
}

/// Builds the bench page into `dist/bench/` (the bench crate's wasm beside the site, which it takes its models
/// from) and runs it in headless Chromium through the e2e harness. Returns what the page measured.
fn browser_bench(root: &Path) -> Result<Value> {
    browser_bench_with(root, "")
}

/// [`browser_bench`] with `chromium_args` (space-separated) added to Chromium's command line, e.g. the switches
/// for a hardware GPU (`cargo xtask gpu-check`).
pub fn browser_bench_with(root: &Path, chromium_args: &str) -> Result<Value> {
    crate::dist::build()?;
    let bindgen_dir = tools::ensure_wasm_bindgen()?;
    tools::run(Command::new("cargo").current_dir(root).args([
        "build",
        "--package",
        "genscope-bench-web",
        "--target",
        tools::WASM_TARGET,
        "--profile",
        crate::dist::PROFILE,
    ]))?;
    let bench = root.join("dist/bench");
    tools::run(
        Command::new(bindgen_dir.join("wasm-bindgen"))
            .arg(root.join(format!(
                "target/{}/{}/genscope_bench_web.wasm",
                tools::WASM_TARGET,
                crate::dist::PROFILE
            )))
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(bench.join("pkg")),
    )?;
    for file in ["index.html", "bench.js"] {
        std::fs::copy(
            root.join("crate/bench-web/page").join(file),
            bench.join(file),
        )?;
    }
    let browser = tools::ensure_browser()?;
    tools::run(
        Command::new("cargo")
            .current_dir(root)
            .args([
                "test",
                "--package",
                "genscope-e2e",
                "--test",
                "browser_bench",
                "--",
                "--ignored",
                "--nocapture",
            ])
            .env("GENSCOPE_DIST", root.join("dist"))
            .env("GENSCOPE_CHROMIUM_ARGS", chromium_args)
            .env("CHROMEDRIVER", &browser.chromedriver)
            .env("GENSCOPE_CHROMIUM", &browser.chromium),
    )?;
    let file = root.join("target/e2e/browser_bench.json");
    Ok(serde_json::from_str(
        &std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?,
    )?)
}

/// Runs the benchmarks (those matching `filter`, if given; the others keep their last medians) and writes the
/// report: the native criterion benchmarks, then the browser bench page.
pub fn run_all(filter: Option<&str>) -> Result<()> {
    let root = tools::workspace_root();
    tools::ensure_lavapipe()?;
    let xdg = tools::runtime_dir()?;
    let criterion = root.join("target/criterion");
    let mut stdout = run_criterion(&root, &xdg, filter)?;
    // The report needs every median: those the filter skipped come from the last run, and where there is none
    // (a fresh clone) they are measured now.
    let absent = missing(&criterion);
    if let Some(again) = filter_for(&absent) {
        let names: Vec<String> = absent.iter().map(|(g, f)| format!("{g}/{f}")).collect();
        eprintln!(
            "no earlier median for {}: running {} too",
            names.join(", "),
            if names.len() == 1 { "it" } else { "them" }
        );
        stdout.push_str(&run_criterion(&root, &xdg, Some(&again))?);
        let still = missing(&criterion);
        anyhow::ensure!(
            still.is_empty(),
            "the engine benchmarks measured no median for {still:?} (see crate/webgpu/benches/engine.rs)"
        );
    }
    let adapter = stdout
        .lines()
        .find_map(|l| l.strip_prefix("gpu adapter: "))
        .unwrap_or("unknown")
        .to_owned();

    let ms = |group, function| median_ms(&criterion, group, function);
    let tok_s = |ms: f64| DECODED / (ms / 1e3);
    let (vae_cpu, vae_gpu) = (ms("vae_decode", "cpu")?, ms("vae_decode", "wgpu")?);
    let (gan_cpu, gan_gpu) = (ms("gan_grid64", "cpu")?, ms("gan_grid64", "wgpu")?);
    let lm_cpu = tok_s(ms("lm_decode_256", "ours_cpu")?);
    let lm_gpu = tok_s(ms("lm_decode_256", "ours_wgpu")?);
    let lm_ref = tok_s(ms("lm_decode_256", "candle_transformers")?);

    // Roofline for one decoded token at the average context of the run.
    let context = PROMPT + DECODED / 2.0;
    let matrix_params = LM.layers
        * (2.0 * LM.dim * LM.dim + 2.0 * LM.kv_dim * LM.dim + 3.0 * LM.hidden * LM.dim)
        + LM.vocab * LM.dim;
    let flops = 2.0 * matrix_params + LM.layers * 4.0 * context * LM.dim;
    let bytes = 4.0 * matrix_params + LM.layers * 2.0 * context * LM.kv_dim * 4.0;
    let bandwidth: f64 = stdout
        .lines()
        .find_map(|l| {
            l.strip_prefix("single-thread read bandwidth: ")?
                .strip_suffix(" GB/s")?
                .parse()
                .ok()
        })
        .context("the benchmark did not report its read bandwidth")?;
    let bound = bandwidth * 1e9 / bytes;
    let browser = browser_bench(&root)?;
    let chromium = browser["user_agent"]
        .as_str()
        .and_then(|ua| ua.split_whitespace().find(|p| p.starts_with("Chrome/")))
        .unwrap_or("Chromium")
        .to_owned();

    let results = json!({
        "machine": machine(),
        "gpu_adapter": adapter,
        "note": "native: criterion medians; browser: the bench page (dist/bench) in headless Chromium on wasm CPU and WebGPU, medians and percentiles; both from one `cargo xtask bench` run",
        "browser": browser,
        "lm_vs_candle_wasm": browser["lm_vs_candle_wasm"],
        "vae_decode_p95_ms_wasm_cpu": browser["vae_decode_p95_ms_wasm_cpu"],
        "gan_grid64_ms_wasm_cpu": browser["gan_grid64_ms_wasm_cpu"],
        "vae_decode_ms": { "cpu": vae_cpu, "wgpu": vae_gpu },
        "gan_grid64_ms": { "cpu": gan_cpu, "wgpu": gan_gpu },
        "lm_tokens_per_s": { "ours_cpu": lm_cpu, "ours_wgpu": lm_gpu, "candle_transformers": lm_ref },
        "lm_vs_candle_native": lm_cpu / lm_ref,
        "lm_roofline": {
            "flops_per_token": flops,
            "bytes_per_token": bytes,
            "single_thread_read_gbs": bandwidth,
            "memory_bound_tokens_per_s": bound,
            "ours_cpu_fraction_of_bound": lm_cpu / bound,
        },
    });
    let bench_dir = root.join("bench");
    std::fs::create_dir_all(&bench_dir)?;
    std::fs::write(
        bench_dir.join("results.json"),
        serde_json::to_string_pretty(&results)? + "\n",
    )?;

    let mut md = String::new();
    writeln!(md, "# Benchmarks\n")?;
    writeln!(md, "Written by `cargo xtask bench` (criterion medians; one run measures every backend side by side). Machine: {} ({} cores); GPU adapter: {adapter}.\n", results["machine"]["cpu"].as_str().unwrap_or("?"), results["machine"]["cores"])?;
    writeln!(
        md,
        "| benchmark | native CPU (candle) | native WebGPU (wgpu) | ratio CPU/GPU time |"
    )?;
    writeln!(md, "|---|---|---|---|")?;
    writeln!(
        md,
        "| VAE decode, one frame (z → 28×28) | {vae_cpu:.3} ms | {vae_gpu:.3} ms | {:.2} |",
        vae_cpu / vae_gpu
    )?;
    writeln!(
        md,
        "| GAN grid, 64 samples | {gan_cpu:.2} ms | {gan_gpu:.2} ms | {:.2} |",
        gan_cpu / gan_gpu
    )?;
    writeln!(
        md,
        "\n| LM decode, 256 tokens after a 16-token prompt (3M params) | tokens/s |"
    )?;
    writeln!(md, "|---|---|")?;
    writeln!(md, "| ours, CPU backend | {lm_cpu:.0} |")?;
    writeln!(md, "| ours, WebGPU backend | {lm_gpu:.0} |")?;
    writeln!(
        md,
        "| candle-transformers `llama2_c`, same weights | {lm_ref:.0} |"
    )?;
    writeln!(
        md,
        "| **ours CPU / candle-transformers** | **{:.2}×** (goal ≥ 2×) |",
        lm_cpu / lm_ref
    )?;
    writeln!(md, "\nRoofline (one token at the run's average context of {context:.0}): {:.2} MFLOP and {:.1} MB of weights and cache read per token; single-thread read bandwidth measured here {bandwidth:.1} GB/s, so a memory-bound decoder tops out near {bound:.0} tokens/s; the CPU backend reaches {:.0}% of that.", flops / 1e6, bytes / 1e6, 100.0 * lm_cpu / bound)?;
    if let Some(filter) = filter {
        writeln!(md, "\nThe latest run refreshed only the benchmarks matching `{filter}`; the other rows come from the run before it (the LM rows always come from one run together).")?;
    }
    let b = |path: &[&str]| {
        path.iter()
            .fold(&browser, |v, k| &v[*k])
            .as_f64()
            .unwrap_or(f64::NAN)
    };
    writeln!(md, "\n## In the browser ({chromium}, headless)\n")?;
    writeln!(md, "The bench page (`dist/bench/`, built by `cargo xtask bench`) times the shipped models with the site's own wasm build settings, and runs our LM and candle-transformers' `llama2_c` alternately in the same page.\n")?;
    writeln!(md, "| benchmark | figure |")?;
    writeln!(md, "|---|---|")?;
    writeln!(
        md,
        "| VAE decode, one frame (vae-mnist-z2), {} frames | p50 {:.3} ms, **p95 {:.3} ms** (goal < 8 ms), max {:.2} ms |",
        b(&["vae_decode_ms_wasm_cpu", "frames"]),
        b(&["vae_decode_ms_wasm_cpu", "p50"]),
        b(&["vae_decode_ms_wasm_cpu", "p95"]),
        b(&["vae_decode_ms_wasm_cpu", "max"])
    )?;
    writeln!(
        md,
        "| GAN grid of 64 (dcgan-mnist), median of {} | {:.1} ms |",
        b(&["gan_grid64_wasm_cpu", "runs"]),
        b(&["gan_grid64_wasm_cpu", "median_ms"])
    )?;
    writeln!(
        md,
        "| LM decode, 240 tokens after 16 (lm-shakespeare, 1.8M params): ours | {:.0} tokens/s |",
        b(&["lm_tokens_per_s_wasm_cpu", "ours"])
    )?;
    writeln!(
        md,
        "| same weights, candle-transformers `llama2_c` in wasm | {:.0} tokens/s |",
        b(&["lm_tokens_per_s_wasm_cpu", "candle_transformers"])
    )?;
    writeln!(
        md,
        "| **ours / candle-transformers (wasm)** | **{:.2}×** (goal ≥ 2×; same tokens decoded: {}) |",
        b(&["lm_vs_candle_wasm"]),
        browser["lm_tokens_per_s_wasm_cpu"]["same_tokens"]
    )?;
    writeln!(md, "\n### WebGPU in the same page\n")?;
    match browser["webgpu_error"].as_str() {
        Some(error) => writeln!(md, "No WebGPU figures: {error}")?,
        None => {
            writeln!(
                md,
                "Adapter: {}. Fewer repetitions than on the CPU: a software adapter is hundreds of times slower.\n",
                browser["webgpu_adapter"].as_str().unwrap_or("unknown")
            )?;
            writeln!(
                md,
                "| benchmark | WebGPU | wasm CPU | ratio CPU/WebGPU time |"
            )?;
            writeln!(md, "|---|---|---|---|")?;
            let (gpu_vae, cpu_vae) = (
                b(&["vae_decode_ms_webgpu", "p50"]),
                b(&["vae_decode_ms_wasm_cpu", "p50"]),
            );
            writeln!(
                md,
                "| VAE decode, one frame, p50 of {} | {gpu_vae:.2} ms (p95 {:.2} ms) | {cpu_vae:.3} ms | {:.3} |",
                b(&["vae_decode_ms_webgpu", "frames"]),
                b(&["vae_decode_ms_webgpu", "p95"]),
                cpu_vae / gpu_vae
            )?;
            let (gpu_gan, cpu_gan) = (
                b(&["gan_grid64_webgpu", "median_ms"]),
                b(&["gan_grid64_wasm_cpu", "median_ms"]),
            );
            writeln!(
                md,
                "| GAN grid of 64, median of {} | {gpu_gan:.0} ms | {cpu_gan:.1} ms | {:.3} |",
                b(&["gan_grid64_webgpu", "runs"]),
                cpu_gan / gpu_gan
            )?;
            let (gpu_lm, cpu_lm) = (
                b(&["lm_tokens_per_s_webgpu", "ours"]),
                b(&["lm_tokens_per_s_wasm_cpu", "ours"]),
            );
            writeln!(
                md,
                "| LM decode, 24 tokens after 16 (tokens/s; same first tokens as the CPU: {}) | {gpu_lm:.1} | {cpu_lm:.0} | {:.3} |",
                browser["lm_tokens_per_s_webgpu"]["same_first_tokens_as_cpu"],
                gpu_lm / cpu_lm
            )?;
            writeln!(
                md,
                "\nWhat the site's automatic choice picks by the same rule (the faster; a tie goes to the CPU):\n"
            )?;
            writeln!(md, "| model and work | wasm CPU | WebGPU | choice |")?;
            writeln!(md, "|---|---|---|---|")?;
            for (work, c) in browser["choice"].as_object().into_iter().flatten() {
                writeln!(
                    md,
                    "| {work} | {:.2} ms | {:.2} ms | {} |",
                    c["cpu_ms"].as_f64().unwrap_or(f64::NAN),
                    c["webgpu_ms"].as_f64().unwrap_or(f64::NAN),
                    c["choice"].as_str().unwrap_or("?")
                )?;
            }
        }
    }
    std::fs::write(root.join("BENCHMARKS.md"), md)?;
    println!("{}", serde_json::to_string_pretty(&results)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_medians_are_found_and_rerun_instead_of_failing() {
        let dir = std::env::temp_dir().join(format!("genscope-bench-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        // A fresh clone: nothing measured, everything missing, and the message says what to do.
        assert_eq!(missing(&dir).len(), NEEDED.len());
        let err = median_ms(&dir, "gan_grid64", "cpu")
            .unwrap_err()
            .to_string();
        assert!(err.contains("without a filter"), "{err}");
        assert_eq!(
            filter_for(&missing(&dir)).as_deref(),
            Some("^(vae_decode/cpu|vae_decode/wgpu|gan_grid64/cpu|gan_grid64/wgpu|lm_decode_256/.*)$")
        );
        // A run filtered to the VAE: only the others are rerun.
        for function in ["cpu", "wgpu"] {
            let file = estimates_file(&dir, "vae_decode", function);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, r#"{"median":{"point_estimate":2500000.0}}"#).unwrap();
        }
        assert_eq!(median_ms(&dir, "vae_decode", "cpu").unwrap(), 2.5);
        let rest = missing(&dir);
        assert_eq!(rest.len(), 5);
        assert_eq!(
            filter_for(&rest).as_deref(),
            Some("^(gan_grid64/cpu|gan_grid64/wgpu|lm_decode_256/.*)$")
        );
        assert_eq!(filter_for(&[]), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
