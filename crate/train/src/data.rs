//! Reading the downloaded data sets (`cargo xtask data` puts them in `data/`).

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};

/// Images as rows of `width × height` intensities in [0, 1], with their labels.
pub struct ImageSet {
    /// Image width.
    pub width: usize,
    /// Image height.
    pub height: usize,
    /// `len × width × height` values, row-major.
    pub pixels: Vec<f32>,
    /// One label per image.
    pub labels: Vec<u8>,
}

impl ImageSet {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }
}

/// Reads a file, gunzipping it if it ends in `.gz`.
fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path)
        .with_context(|| format!("reading {} (run `cargo xtask data`)", path.display()))?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice()).read_to_end(&mut out)?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Parses an IDX file: magic (0, 0, type 0x08, dims), big-endian u32 sizes, then u8 data.
pub fn parse_idx(bytes: &[u8]) -> Result<(Vec<usize>, &[u8])> {
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 {
        bail!("not an unsigned-byte IDX file");
    }
    let dims = bytes[3] as usize;
    let header = 4 + 4 * dims;
    if bytes.len() < header {
        bail!("IDX header truncated");
    }
    let shape: Vec<usize> = (0..dims)
        .map(|i| {
            u32::from_be_bytes(bytes[4 + 4 * i..8 + 4 * i].try_into().expect("4 bytes")) as usize
        })
        .collect();
    let count: usize = shape.iter().product();
    if bytes.len() != header + count {
        bail!(
            "IDX data has {} bytes, its header promises {count}",
            bytes.len() - header
        );
    }
    Ok((shape, &bytes[header..]))
}

/// Loads `<dir>/<split>-images-idx3-ubyte[.gz]` and the matching labels (`split` is `train` or `t10k`).
pub fn load_images(dir: &Path, split: &str) -> Result<ImageSet> {
    let find = |kind: &str| {
        let plain = dir.join(format!("{split}-{kind}"));
        if plain.exists() {
            plain
        } else {
            dir.join(format!("{split}-{kind}.gz"))
        }
    };
    let images = read_maybe_gz(&find("images-idx3-ubyte"))?;
    let labels = read_maybe_gz(&find("labels-idx1-ubyte"))?;
    let (shape, data) = parse_idx(&images)?;
    let (label_shape, label_data) = parse_idx(&labels)?;
    if shape.len() != 3 || label_shape != [shape[0]] {
        bail!("images {shape:?} and labels {label_shape:?} do not match");
    }
    Ok(ImageSet {
        width: shape[2],
        height: shape[1],
        pixels: data.iter().map(|&b| f32::from(b) / 255.0).collect(),
        labels: label_data.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_small_idx_and_rejects_bad_ones() {
        let mut bytes = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
        bytes.extend([0, 255, 128, 7]);
        let (shape, data) = parse_idx(&bytes).unwrap();
        assert_eq!(shape, vec![2, 1, 2]);
        assert_eq!(data, &[0, 255, 128, 7]);
        assert!(parse_idx(&bytes[..18]).is_err());
        assert!(parse_idx(b"<html>").is_err());
    }
}
