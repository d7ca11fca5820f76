//! The IDX format MNIST and Fashion-MNIST ship in, used for the training data and for the evaluation subsets
//! under `assets/eval/` that the site draws and encodes.

use crate::{Error, Result};

/// Parses an unsigned-byte IDX file: magic (0, 0, type 0x08, rank), big-endian `u32` sizes, then the bytes.
/// Returns the shape and the data.
pub fn parse_idx(bytes: &[u8]) -> Result<(Vec<usize>, &[u8])> {
    let bad = |what: String| Error::Weights(format!("IDX file: {what}"));
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 {
        return Err(bad("not an unsigned-byte IDX file".into()));
    }
    let rank = bytes[3] as usize;
    let header = 4 + 4 * rank;
    if bytes.len() < header {
        return Err(bad("header truncated".into()));
    }
    let shape: Vec<usize> = (0..rank)
        .map(|i| {
            u32::from_be_bytes(bytes[4 + 4 * i..8 + 4 * i].try_into().expect("4 bytes")) as usize
        })
        .collect();
    let count = shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or_else(|| bad(format!("shape {shape:?} overflows")))?;
    if bytes.len() - header != count {
        return Err(bad(format!(
            "{} data bytes, its header promises {count}",
            bytes.len() - header
        )));
    }
    Ok((shape, &bytes[header..]))
}

/// Writes an unsigned-byte IDX file of `shape`.
pub fn write_idx(shape: &[usize], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 0x08, shape.len() as u8];
    for &d in shape {
        out.extend((d as u32).to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

/// Labelled images: `len × height × width` intensities in [0, 1].
#[derive(Clone, Debug, PartialEq)]
pub struct LabelledImages {
    /// Image width.
    pub width: usize,
    /// Image height.
    pub height: usize,
    /// Row-major intensities, one image after another.
    pub pixels: Vec<f32>,
    /// One label per image.
    pub labels: Vec<u8>,
}

impl LabelledImages {
    /// Pairs an IDX image file (`[n, height, width]`) with an IDX label file (`[n]`).
    pub fn from_idx(images: &[u8], labels: &[u8]) -> Result<Self> {
        let (shape, data) = parse_idx(images)?;
        let (label_shape, label_data) = parse_idx(labels)?;
        if shape.len() != 3 || label_shape != [shape[0]] {
            return Err(Error::Weights(format!(
                "IDX images {shape:?} and labels {label_shape:?} do not match"
            )));
        }
        Ok(Self {
            width: shape[2],
            height: shape[1],
            pixels: data.iter().map(|&b| f32::from(b) / 255.0).collect(),
            labels: label_data.to_vec(),
        })
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Image `i`'s pixels.
    pub fn image(&self, i: usize) -> &[f32] {
        let n = self.width * self.height;
        &self.pixels[i * n..(i + 1) * n]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_small_idx_and_rejects_bad_ones() {
        let bytes = write_idx(&[2, 1, 2], &[0, 255, 128, 7]);
        let (shape, data) = parse_idx(&bytes).unwrap();
        assert_eq!(shape, vec![2, 1, 2]);
        assert_eq!(data, &[0, 255, 128, 7]);
        assert!(parse_idx(&bytes[..18]).is_err());
        assert!(parse_idx(b"<html>").is_err());
        let huge = write_idx(&[u32::MAX as usize, u32::MAX as usize, 1 << 20], &[]);
        assert!(parse_idx(&huge).is_err());
        let labels = write_idx(&[2], &[3, 9]);
        let set = LabelledImages::from_idx(&bytes, &labels).unwrap();
        assert_eq!((set.len(), set.width, set.height), (2, 2, 1));
        assert_eq!(set.image(1), &[128.0 / 255.0, 7.0 / 255.0]);
        assert!(LabelledImages::from_idx(&bytes, &write_idx(&[3], &[1, 2, 3])).is_err());
    }
}
