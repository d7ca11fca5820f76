//! The asset manifest: the list of files under `assets/` that a build ships, with their sizes and SHA-256 digests.
//!
//! `cargo xtask dist` writes it to `dist/assets/manifest.json`; the site reads it first and checks every asset it
//! fetches against it, so a truncated or replaced file is reported by name instead of failing somewhere deep inside
//! a model.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Path of the manifest relative to the site root.
pub const MANIFEST_PATH: &str = "assets/manifest.json";

/// The manifest format version this code reads and writes.
pub const MANIFEST_FORMAT: u32 = 1;

/// Everything a build ships under `assets/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetManifest {
    /// Format version; a reader refuses formats it does not know.
    pub format: u32,
    /// The build that wrote this manifest (crate version and git revision).
    pub build: String,
    /// Every asset file, sorted by path.
    pub files: Vec<AssetEntry>,
}

/// One shipped file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetEntry {
    /// Path relative to the site root, with `/` separators, e.g. `assets/models/vae-mnist-z2.safetensors`.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Lower-case hex SHA-256 of the contents.
    pub sha256: String,
}

/// Why a manifest or an asset was rejected. Every message names the file concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// The manifest is not the JSON we expect (for example an HTML error page).
    #[error("{MANIFEST_PATH} is not a valid asset manifest: {0}")]
    Parse(String),
    /// The manifest comes from a newer or older build.
    #[error("{MANIFEST_PATH} has format {found}, this build reads format {MANIFEST_FORMAT}")]
    Format {
        /// The format number found in the file.
        found: u32,
    },
    /// A manifest entry is malformed.
    #[error("{MANIFEST_PATH} lists a bad entry {path:?}: {why}")]
    BadEntry {
        /// The entry's path as written.
        path: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// An asset was requested that the manifest does not list.
    #[error("{0} is not listed in {MANIFEST_PATH}")]
    Unlisted(String),
    /// An asset's size differs from the manifest (typically a truncated download).
    #[error("{path} has {found} bytes, expected {expected} (truncated or replaced file?)")]
    Size {
        /// The asset's path.
        path: String,
        /// Bytes received.
        found: u64,
        /// Bytes the manifest lists.
        expected: u64,
    },
    /// An asset's contents differ from the manifest.
    #[error("{path} is corrupt: its SHA-256 does not match {MANIFEST_PATH}")]
    Digest {
        /// The asset's path.
        path: String,
    },
}

impl AssetManifest {
    /// Parses and validates a manifest, e.g. the body of `assets/manifest.json`.
    pub fn parse(text: &str) -> Result<Self, ManifestError> {
        let manifest: AssetManifest =
            serde_json::from_str(text).map_err(|e| ManifestError::Parse(e.to_string()))?;
        if manifest.format != MANIFEST_FORMAT {
            return Err(ManifestError::Format {
                found: manifest.format,
            });
        }
        for entry in &manifest.files {
            let why = if !entry.path.starts_with("assets/") {
                Some("path must start with assets/")
            } else if entry
                .path
                .split('/')
                .any(|part| part == ".." || part.is_empty())
            {
                Some("path must not contain empty or '..' parts")
            } else if entry.sha256.len() != 64
                || !entry
                    .sha256
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                Some("sha256 must be 64 lower-case hex digits")
            } else {
                None
            };
            if let Some(why) = why {
                return Err(ManifestError::BadEntry {
                    path: entry.path.clone(),
                    why,
                });
            }
        }
        Ok(manifest)
    }

    /// Looks up the entry for `path`.
    pub fn entry(&self, path: &str) -> Option<&AssetEntry> {
        self.files.iter().find(|e| e.path == path)
    }

    /// Checks fetched `bytes` for `path` against the manifest: listed, right size, right digest.
    pub fn verify(&self, path: &str, bytes: &[u8]) -> Result<(), ManifestError> {
        let entry = self
            .entry(path)
            .ok_or_else(|| ManifestError::Unlisted(path.to_owned()))?;
        if entry.bytes != bytes.len() as u64 {
            return Err(ManifestError::Size {
                path: path.to_owned(),
                found: bytes.len() as u64,
                expected: entry.bytes,
            });
        }
        if sha256_hex(bytes) != entry.sha256 {
            return Err(ManifestError::Digest {
                path: path.to_owned(),
            });
        }
        Ok(())
    }

    /// Total bytes of all listed files.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|e| e.bytes).sum()
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest_with(bytes: &[u8]) -> AssetManifest {
        AssetManifest {
            format: MANIFEST_FORMAT,
            build: "test".into(),
            files: vec![AssetEntry {
                path: "assets/models/x.bin".into(),
                bytes: bytes.len() as u64,
                sha256: sha256_hex(bytes),
            }],
        }
    }

    #[test]
    fn round_trips_through_json() {
        let m = manifest_with(b"hello");
        let text = serde_json::to_string(&m).unwrap();
        assert_eq!(AssetManifest::parse(&text).unwrap(), m);
    }

    #[test]
    fn known_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn html_instead_of_json_names_the_manifest() {
        let err = AssetManifest::parse("<!DOCTYPE html><h1>404</h1>").unwrap_err();
        assert!(matches!(err, ManifestError::Parse(_)));
        assert!(err.to_string().contains(MANIFEST_PATH), "{err}");
    }

    #[test]
    fn rejects_unknown_format_and_bad_entries() {
        let mut m = manifest_with(b"x");
        m.format = 99;
        let err = AssetManifest::parse(&serde_json::to_string(&m).unwrap()).unwrap_err();
        assert_eq!(err, ManifestError::Format { found: 99 });

        for (path, sha) in [
            ("models/x.bin", "0".repeat(64)),
            ("assets/../secret", "0".repeat(64)),
            ("assets/x.bin", "XYZ".into()),
        ] {
            let mut m = manifest_with(b"x");
            m.files[0].path = path.into();
            m.files[0].sha256 = sha;
            let err = AssetManifest::parse(&serde_json::to_string(&m).unwrap()).unwrap_err();
            assert!(
                matches!(err, ManifestError::BadEntry { .. }),
                "{path}: {err}"
            );
        }
    }

    #[test]
    fn verify_catches_truncation_corruption_and_unlisted() {
        let m = manifest_with(b"weights!");
        assert_eq!(m.verify("assets/models/x.bin", b"weights!"), Ok(()));
        assert!(matches!(
            m.verify("assets/models/x.bin", b"weigh"),
            Err(ManifestError::Size {
                found: 5,
                expected: 8,
                ..
            })
        ));
        assert!(matches!(
            m.verify("assets/models/x.bin", b"WEIGHTS!"),
            Err(ManifestError::Digest { .. })
        ));
        assert!(matches!(
            m.verify("assets/models/y.bin", b"weights!"),
            Err(ManifestError::Unlisted(_))
        ));
    }
}
