//! Finding, and on a fresh machine installing, the tools the build and the tests need.
//!
//! Everything comes from the package registries this project may use: rustup's target, crates.io
//! (wasm-bindgen-cli), npm (binaryen's wasm-opt) and Debian (chromium, chromium-driver, mesa-vulkan-drivers,
//! fonts-noto-cjk).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Once;

use anyhow::{bail, Context, Result};

/// The wasm target the site is built for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The binaryen release whose `wasm-opt` shrinks the wasm (Debian's binaryen is too old to parse Rust's output).
pub const BINARYEN_NPM: &str = "binaryen@132.0.0";

/// The repository root (where the workspace `Cargo.toml` is).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crate/xtask sits two levels below the root")
        .to_path_buf()
}

/// Runs `command`, echoing it, and fails unless it exits successfully.
pub fn run(command: &mut Command) -> Result<()> {
    eprintln!("$ {}", describe(command));
    let status = command
        .status()
        .with_context(|| format!("could not start {}", describe(command)))?;
    if !status.success() {
        bail!("{} failed ({status})", describe(command));
    }
    Ok(())
}

/// Runs `command` quietly and returns its stdout, or `None` if it could not run or failed.
pub fn output(command: &mut Command) -> Option<String> {
    let out = command.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|s| s.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Finds `name` on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).as_deref() == Some("0")
}

/// Installs Debian packages, or explains what to install when not root.
pub fn apt_install(packages: &[&str], why: &str) -> Result<()> {
    if !is_root() {
        bail!(
            "{why}: install it with `sudo apt-get install -y {}`",
            packages.join(" ")
        );
    }
    static UPDATE: Once = Once::new();
    let mut updated = Ok(());
    UPDATE.call_once(|| updated = run(Command::new("apt-get").args(["update", "-qq"])));
    updated?;
    eprintln!("{why}: installing {}", packages.join(" "));
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Adds the wasm32 target to the toolchain when it is missing.
pub fn ensure_wasm_target() -> Result<()> {
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == WASM_TARGET) {
        run(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
    }
    Ok(())
}

/// Adds rustfmt and clippy when the toolchain lacks them.
pub fn ensure_rust_components() -> Result<()> {
    for (probe, component) in [("fmt", "rustfmt"), ("clippy", "clippy")] {
        if output(Command::new("cargo").args([probe, "--version"])).is_none() {
            run(Command::new("rustup").args(["component", "add", component]))?;
        }
    }
    Ok(())
}

/// The version of `package` recorded in Cargo.lock.
pub fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(workspace_root().join("Cargo.lock"))
        .context("reading Cargo.lock")?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .with_context(|| format!("{package} is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..].find('"').context("malformed Cargo.lock")? + start;
    Ok(lock[start..end].to_owned())
}

/// Makes sure `wasm-bindgen` and `wasm-bindgen-test-runner` of exactly the locked `wasm-bindgen` version are
/// installed (crates.io's wasm-bindgen-cli), and returns the directory that holds them.
pub fn ensure_wasm_bindgen() -> Result<PathBuf> {
    let version = locked_version("wasm-bindgen")?;
    let found = output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    if found.split_whitespace().nth(1) != Some(version.as_str()) {
        eprintln!(
            "wasm-bindgen-cli {version} is needed (found {:?}); installing it from crates.io",
            found
        );
        // Not --locked: a yanked dependency in its lock file once broke that (see shared/TESTING.md).
        run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &version]))?;
    }
    let bindgen = which("wasm-bindgen")
        .context("wasm-bindgen is installed but not on PATH (add ~/.cargo/bin)")?;
    Ok(bindgen.parent().expect("a file has a parent").to_path_buf())
}

/// Returns binaryen's `wasm-opt`, installing it from npm into `target/tools` when npm is available.
/// Without npm the build goes on without it (the wasm is then only size-optimised by rustc).
pub fn ensure_wasm_opt() -> Option<PathBuf> {
    let prefix = workspace_root().join("target/tools");
    let wasm_opt = prefix.join("node_modules/.bin/wasm-opt");
    if wasm_opt.exists() {
        return Some(wasm_opt);
    }
    if which("npm").is_none() {
        eprintln!("warning: npm is not installed, so the wasm is not run through wasm-opt");
        return None;
    }
    let installed = run(Command::new("npm")
        .args([
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--prefix",
        ])
        .arg(&prefix)
        .arg(BINARYEN_NPM));
    match installed {
        Ok(()) if wasm_opt.exists() => Some(wasm_opt),
        _ => {
            eprintln!(
                "warning: could not install {BINARYEN_NPM}; the wasm is not run through wasm-opt"
            );
            None
        }
    }
}

/// Paths of the browser and its WebDriver.
pub struct Browser {
    /// The Chromium binary.
    pub chromium: PathBuf,
    /// The matching chromedriver.
    pub chromedriver: PathBuf,
}

/// Finds Chromium and chromedriver, installing Debian's packages when they are missing.
pub fn ensure_browser() -> Result<Browser> {
    let find = || {
        Some((
            which("chromium").or_else(|| which("chromium-browser"))?,
            which("chromedriver")?,
        ))
    };
    if find().is_none() {
        apt_install(
            &["chromium", "chromium-driver"],
            "the browser tests need Chromium and chromedriver",
        )?;
    }
    let (chromium, chromedriver) =
        find().context("chromium and chromedriver are still not on PATH")?;
    ensure_cjk_font();
    Ok(Browser {
        chromium,
        chromedriver,
    })
}

/// Installs Debian's Noto CJK fonts when no Chinese font is there, so the Chinese pages' screenshots show real
/// characters. The text checks do not depend on glyphs, so a machine that cannot install it only gets a warning.
fn ensure_cjk_font() {
    let has_cjk = output(Command::new("fc-list").arg(":lang=zh"))
        .map(|list| !list.trim().is_empty())
        .unwrap_or(false);
    if !has_cjk {
        if let Err(e) = apt_install(
            &["fonts-noto-cjk"],
            "the Chinese pages' screenshots need a CJK font",
        ) {
            eprintln!("warning: {e:#}");
        }
    }
}

/// Makes sure a Vulkan driver exists for native wgpu (lavapipe runs Vulkan on the CPU).
pub fn ensure_lavapipe() -> Result<()> {
    let icd_dir = Path::new("/usr/share/vulkan/icd.d");
    let has_lavapipe = std::fs::read_dir(icd_dir)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("lvp_icd"))
        })
        .unwrap_or(false);
    if !has_lavapipe {
        apt_install(
            &["mesa-vulkan-drivers"],
            "native WebGPU tests need a Vulkan driver (lavapipe)",
        )?;
    }
    Ok(())
}

/// A private 0700 `XDG_RUNTIME_DIR` under `target/`, which quiets Mesa's warnings.
pub fn runtime_dir() -> Result<PathBuf> {
    let dir = workspace_root().join("target/xdg-runtime");
    std::fs::create_dir_all(&dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(dir)
}
