//! `cargo xtask fuzz`: runs genscope's cargo-fuzz targets (`crate/fuzz`) one after another, each for a time or a
//! number of executions, and prints what libFuzzer reports for each.
//!
//! Each target starts from its committed seeds (`crate/fuzz/seeds/<target>`) and grows a working corpus in the
//! git-ignored `crate/fuzz/corpus/<target>`. A crash stops with the crasher in `crate/fuzz/artifacts/<target>/`:
//! fix the bug and copy the file into `crate/fuzz/regressions/<target>/`, where the ordinary test run replays it.

use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::tools::{output, run, workspace_root};

/// The fuzz targets, in the order they run (the names of the bins in `crate/fuzz/Cargo.toml`).
pub const TARGETS: [&str; 6] = [
    "safetensors",
    "llama2c",
    "model_card",
    "url_query",
    "tokenizer",
    "idx",
];

/// How long each target runs.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Seconds per target (libFuzzer's `-max_total_time`).
    pub seconds: u64,
    /// Executions per target (libFuzzer's `-runs`); the run ends at whichever limit comes first.
    pub runs: Option<u64>,
}

/// What libFuzzer printed at the end of one target's run.
#[derive(Debug, Default)]
struct Stats {
    runs: u64,
    per_second: u64,
    new_units: u64,
    peak_rss_mb: u64,
}

/// Runs `only` (or every target) for `budget` each; fails on the first crash, hang or leak.
pub fn run_targets(only: Option<&str>, budget: Budget) -> Result<()> {
    let targets: Vec<&str> = match only {
        Some(name) if TARGETS.contains(&name) => vec![name],
        Some(name) => bail!("no fuzz target {name:?}; the targets are {TARGETS:?}"),
        None => TARGETS.to_vec(),
    };
    ensure_cargo_fuzz()?;
    let root = workspace_root();
    let fuzz_dir = root.join("crate/fuzz");
    let mut report = Vec::new();
    for target in targets {
        let corpus = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus)?;
        let mut command = cargo_fuzz();
        command.current_dir(&root).args([
            "run",
            "--fuzz-dir",
            "crate/fuzz",
            "--features",
            "fuzzing",
            target,
        ]);
        command
            .arg(&corpus)
            .arg(fuzz_dir.join("seeds").join(target));
        command.args([
            "--".to_string(),
            format!("-max_total_time={}", budget.seconds),
            // A single input taking over 10 s is a hang; 2 GiB is far beyond what any input should need.
            "-timeout=10".into(),
            "-rss_limit_mb=2048".into(),
            "-max_len=65536".into(),
            "-print_final_stats=1".into(),
        ]);
        if let Some(runs) = budget.runs {
            command.arg(format!("-runs={runs}"));
        }
        eprintln!("fuzzing {target}");
        let out = command
            .output()
            .with_context(|| format!("could not start cargo fuzz for {target}"))?;
        let log = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            bail!(
                "{target} failed ({}); its crasher is in crate/fuzz/artifacts/{target}/:\n{}",
                out.status,
                tail.join("\n")
            );
        }
        let stats = parse_stats(&log);
        // Said as each target ends, so a later crash does not hide the earlier figures.
        eprintln!(
            "{target}: {} executions ({} a second), {} new coverage units, peak RSS {} MB",
            stats.runs, stats.per_second, stats.new_units, stats.peak_rss_mb
        );
        report.push((target, stats));
    }
    println!("| target | executions | per second | new coverage units | peak RSS |");
    println!("|---|---|---|---|---|");
    for (target, s) in &report {
        println!(
            "| {target} | {} | {} | {} | {} MB |",
            s.runs, s.per_second, s.new_units, s.peak_rss_mb
        );
    }
    Ok(())
}

/// `cargo +nightly fuzz` where a nightly toolchain is installed; otherwise stable with `RUSTC_BOOTSTRAP=1`, which
/// lets it take the `-Z` flags cargo-fuzz passes (sanitizer and coverage instrumentation).
fn cargo_fuzz() -> Command {
    let nightly = output(Command::new("rustup").args(["toolchain", "list"]))
        .is_some_and(|list| list.lines().any(|l| l.starts_with("nightly")));
    let mut command = Command::new("cargo");
    if nightly {
        command.arg("+nightly");
    } else {
        command.env("RUSTC_BOOTSTRAP", "1");
    }
    command.arg("fuzz");
    command
}

/// Installs cargo-fuzz from crates.io when it is missing.
fn ensure_cargo_fuzz() -> Result<()> {
    if output(Command::new("cargo").args(["fuzz", "--version"])).is_none() {
        eprintln!("cargo-fuzz is missing; installing it from crates.io");
        run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    Ok(())
}

/// Reads libFuzzer's `-print_final_stats` lines.
fn parse_stats(log: &str) -> Stats {
    let value = |key: &str| {
        log.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    Stats {
        runs: value("stat::number_of_executed_units:"),
        per_second: value("stat::average_exec_per_sec:"),
        new_units: value("stat::new_units_added:"),
        peak_rss_mb: value("stat::peak_rss_mb:"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libfuzzer_statistics_are_read() {
        let log = "Done 248361 runs in 21 second(s)\nstat::number_of_executed_units: 248361\n\
                   stat::average_exec_per_sec:     11826\nstat::new_units_added:          1932\n\
                   stat::slowest_unit_time_sec:    0\nstat::peak_rss_mb:              528\n";
        let s = parse_stats(log);
        assert_eq!(
            (s.runs, s.per_second, s.new_units, s.peak_rss_mb),
            (248_361, 11_826, 1_932, 528)
        );
    }

    #[test]
    fn the_targets_are_the_fuzz_crates_bins() {
        let manifest =
            std::fs::read_to_string(workspace_root().join("crate/fuzz/Cargo.toml")).unwrap();
        for target in TARGETS {
            assert!(
                manifest.contains(&format!("name = \"{target}\"")),
                "{target}"
            );
        }
    }
}
