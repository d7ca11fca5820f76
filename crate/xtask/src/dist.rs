//! `cargo xtask dist`: the self-contained static site in `dist/`.
//!
//! Layout mirrors the repository so `index.html`'s relative URLs hold in both:
//! `index.html`, `web/` (CSS, JS), `pkg/` (bindgen output), `assets/` (models and `manifest.json`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use genscope_core::manifest::{
    sha256_hex, AssetEntry, AssetManifest, MANIFEST_FORMAT, MANIFEST_PATH,
};

use crate::tools::{self, run, WASM_TARGET};

/// The cargo profile of the browser build (see the workspace `Cargo.toml`).
pub const PROFILE: &str = "web";

/// What a build produced.
pub struct DistReport {
    /// The `dist/` directory.
    pub dir: PathBuf,
    /// Size of the shipped wasm in bytes.
    pub wasm_bytes: u64,
    /// Its size after gzip -9, what a compressing host sends.
    pub wasm_gzip_bytes: u64,
    /// Whether wasm-opt ran.
    pub wasm_opt: bool,
}

/// The build string: crate version plus git revision, with `-dirty` for uncommitted changes.
pub fn build_id() -> String {
    let root = tools::workspace_root();
    let git = |args: &[&str]| tools::output(Command::new("git").arg("-C").arg(&root).args(args));
    let rev = git(&["rev-parse", "--short=9", "HEAD"]).unwrap_or_else(|| "nogit".into());
    let dirty = git(&["status", "--porcelain"]).is_some_and(|s| !s.is_empty());
    format!(
        "{}+{rev}{}",
        env!("CARGO_PKG_VERSION"),
        if dirty { "-dirty" } else { "" }
    )
}

/// Builds `dist/` from scratch and prints its sizes.
pub fn build() -> Result<DistReport> {
    let root = tools::workspace_root();
    tools::ensure_wasm_target()?;
    let bindgen_dir = tools::ensure_wasm_bindgen()?;
    let build = build_id();

    run(Command::new("cargo")
        .current_dir(&root)
        .args([
            "build",
            "--package",
            "genscope-app",
            "--target",
            WASM_TARGET,
            "--profile",
            PROFILE,
        ])
        .env("GENSCOPE_GIT_REV", &build))?;

    let dist = root.join("dist");
    if dist.exists() {
        fs::remove_dir_all(&dist)
            .with_context(|| format!("removing the old {}", dist.display()))?;
    }
    let pkg = dist.join("pkg");
    let wasm_in = root.join(format!("target/{WASM_TARGET}/{PROFILE}/genscope-app.wasm"));
    run(Command::new(bindgen_dir.join("wasm-bindgen"))
        .arg(&wasm_in)
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--remove-name-section",
            "--out-name",
            "genscope_app",
        ])
        .arg("--out-dir")
        .arg(&pkg))?;

    let wasm = pkg.join("genscope_app_bg.wasm");
    let wasm_opt = match tools::ensure_wasm_opt() {
        Some(wasm_opt) => {
            // The features rustc's wasm32 target emits today; wasm-opt must accept them all.
            run(Command::new(wasm_opt)
                .arg(&wasm)
                .args([
                    "-Oz",
                    "--enable-simd",
                    "--enable-bulk-memory",
                    "--enable-nontrapping-float-to-int",
                ])
                .args([
                    "--enable-sign-ext",
                    "--enable-mutable-globals",
                    "--enable-reference-types",
                ])
                .args(["--enable-multivalue", "-o"])
                .arg(&wasm))?;
            true
        }
        None => false,
    };

    fs::copy(root.join("index.html"), dist.join("index.html"))?;
    copy_tree(&root.join("web"), &dist.join("web"))?;
    copy_tree(&root.join("assets"), &dist.join("assets"))?;
    let manifest = write_manifest(&dist, &build)?;
    let offline_version = write_service_worker(&root, &dist, &manifest)?;

    let wasm_bytes = fs::metadata(&wasm)?.len();
    let wasm_gzip_bytes = gzip_size(&fs::read(&wasm)?)?;
    println!(
        "dist: {} — build {build}, wasm {:.0} KiB raw, {:.0} KiB gzip{}, {} assets ({:.1} MB)",
        dist.display(),
        wasm_bytes as f64 / 1024.0,
        wasm_gzip_bytes as f64 / 1024.0,
        if wasm_opt {
            " (wasm-opt -Oz)"
        } else {
            " (no wasm-opt)"
        },
        manifest.files.len(),
        manifest.total_bytes() as f64 / 1e6,
    );
    println!("offline cache version {offline_version}");
    Ok(DistReport {
        dir: dist,
        wasm_bytes,
        wasm_gzip_bytes,
        wasm_opt,
    })
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Lists every file under `dist/assets` (sizes, SHA-256) in `dist/assets/manifest.json`.
fn write_manifest(dist: &Path, build: &str) -> Result<AssetManifest> {
    let mut files = Vec::new();
    let mut pending = vec![dist.join("assets")];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(dist)?
                .to_string_lossy()
                .replace('\\', "/");
            if relative == MANIFEST_PATH || relative.ends_with("/.gitkeep") {
                continue;
            }
            let bytes = fs::read(&path)?;
            files.push(AssetEntry {
                path: relative,
                bytes: bytes.len() as u64,
                sha256: sha256_hex(&bytes),
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = AssetManifest {
        format: MANIFEST_FORMAT,
        build: build.to_owned(),
        files,
    };
    fs::write(
        dist.join(MANIFEST_PATH),
        serde_json::to_string_pretty(&manifest)?,
    )?;
    Ok(manifest)
}

/// Writes `dist/sw.js` from `web/sw.js`: the version is a digest of every file of the build (so any change makes
/// browsers install the new worker and drop the old cache), and the shell is what every page needs before any
/// model: the HTML, JS, wasm, CSS, the manifest, and the model cards and curves. Returns the version.
fn write_service_worker(root: &Path, dist: &Path, manifest: &AssetManifest) -> Result<String> {
    // The template is served from the site root only (a worker controls its own directory and below).
    fs::remove_file(dist.join("web/sw.js")).ok();
    let template = fs::read_to_string(root.join("web/sw.js"))?;
    let mut shell = vec!["./".to_string(), "index.html".to_string()];
    let mut fingerprint = String::new();
    for dir in ["web", "pkg"] {
        let mut names: Vec<String> = fs::read_dir(dist.join(dir))?
            .map(|e| e.map(|e| format!("{dir}/{}", e.file_name().to_string_lossy())))
            .collect::<std::io::Result<_>>()?;
        names.sort();
        shell.extend(names);
    }
    shell.push(MANIFEST_PATH.to_string());
    shell.extend(
        manifest
            .files
            .iter()
            .filter(|f| f.path.ends_with(".json") || f.path.ends_with(".svg"))
            .map(|f| f.path.clone()),
    );
    for path in shell.iter().skip(1) {
        fingerprint.push_str(&format!(
            "{path} {}\n",
            sha256_hex(&fs::read(dist.join(path))?)
        ));
    }
    for file in &manifest.files {
        fingerprint.push_str(&format!("{} {}\n", file.path, file.sha256));
    }
    let version = sha256_hex(fingerprint.as_bytes())[..16].to_string();
    let script = template
        .replace("__GENSCOPE_VERSION__", &version)
        .replace("__GENSCOPE_SHELL__", &serde_json::to_string(&shell)?);
    fs::write(dist.join("sw.js"), script)?;
    Ok(version)
}

fn gzip_size(bytes: &[u8]) -> Result<u64> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len() as u64)
}
