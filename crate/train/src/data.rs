//! Reading the downloaded data sets (`cargo xtask data` puts them in `data/`).

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};
use genscope_core::dataset::LabelledImages;

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
    let set = LabelledImages::from_idx(&images, &labels)?;
    Ok(ImageSet {
        width: set.width,
        height: set.height,
        pixels: set.pixels,
        labels: set.labels,
    })
}

/// `0..len` in a Fisher–Yates order from a xorshift stream seeded by `seed`: the same seed (e.g. the epoch)
/// gives the same order, so a resumed run sees the data it would have seen.
pub fn shuffled(len: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut state = seed | 1;
    for i in (1..order.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        order.swap(i, (state % (i as u64 + 1)) as usize);
    }
    order
}
