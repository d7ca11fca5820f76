//! The IDX format MNIST and Fashion-MNIST ship in, used for the training data and for the evaluation subsets
//! under `assets/eval/` that the site draws and encodes.
//!
//! Every number an IDX file supplies is checked before it is used: its sizes (in `u64`, so a 32-bit `usize` gives
//! the same verdict as a 64-bit one) against the bytes present, and, through [`check_images`] and
//! [`check_labels`], its image size and labels against what a model expects. Errors are [`Error::File`]s that
//! name the file.

use crate::{Error, Result};

/// Parses an unsigned-byte IDX file: magic (0, 0, type 0x08, rank), big-endian `u32` sizes, then the bytes.
/// Returns the shape and the data. Errors call the file `IDX file`; [`parse_idx_named`] names it.
pub fn parse_idx(bytes: &[u8]) -> Result<(Vec<usize>, &[u8])> {
    parse_idx_named("IDX file", bytes)
}

/// [`parse_idx`] for the file called `file_name`, which every error names. A file cut short (or too long) is
/// reported with the bytes its header promises and the bytes it has.
pub fn parse_idx_named<'a>(file_name: &str, bytes: &'a [u8]) -> Result<(Vec<usize>, &'a [u8])> {
    let bad = |why: String| Error::File {
        file: file_name.to_owned(),
        why,
    };
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 {
        return Err(bad(
            "not an unsigned-byte IDX file (it must start with the bytes 0, 0, 8)".into(),
        ));
    }
    let rank = usize::from(bytes[3]);
    let header = 4 + 4 * rank;
    let Some(sizes) = bytes.get(4..header) else {
        return Err(bad(format!(
            "the header of {header} bytes ({rank} sizes) is cut short: the file has {} bytes",
            bytes.len()
        )));
    };
    let shape: Vec<u32> = sizes
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let count = shape
        .iter()
        .try_fold(1u64, |n, &d| n.checked_mul(u64::from(d)));
    let data = (bytes.len() - header) as u64;
    if count != Some(data) {
        let promised = count.map_or_else(|| "more than 2^64".to_string(), |c| c.to_string());
        let verdict = if count.is_some_and(|c| c < data) {
            "too long"
        } else {
            "cut short"
        };
        return Err(bad(format!(
            "its header (shape {shape:?}) promises {promised} data bytes but the file has {data} after the \
             {header}-byte header: the file is {verdict}"
        )));
    }
    // Every size is at most the file's length now, so it fits a usize on any target.
    let shape = shape.into_iter().map(|d| d as usize).collect();
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
    /// Pairs an IDX image file (`[n, height, width]`) with an IDX label file (`[n]`). Errors call them `the
    /// image file` and `the label file`; [`LabelledImages::from_named_idx`] names them.
    pub fn from_idx(images: &[u8], labels: &[u8]) -> Result<Self> {
        Self::from_named_idx(("the image file", images), ("the label file", labels))
    }

    /// Pairs the IDX image file `images.0` (`[n, height, width]`, bytes `images.1`) with the IDX label file
    /// `labels.0` (`[n]`). Every error names the file at fault. Labels are not checked against a number of
    /// classes here: see [`check_labels`].
    pub fn from_named_idx(images: (&str, &[u8]), labels: (&str, &[u8])) -> Result<Self> {
        let (images_name, labels_name) = (images.0, labels.0);
        let (shape, data) = parse_idx_named(images_name, images.1)?;
        let (label_shape, label_data) = parse_idx_named(labels_name, labels.1)?;
        let &[count, height, width] = shape.as_slice() else {
            return Err(Error::File {
                file: images_name.to_owned(),
                why: format!(
                    "images need 3 sizes [count, height, width], the file has {} ({shape:?})",
                    shape.len()
                ),
            });
        };
        if label_shape != [count] {
            return Err(Error::File {
                file: labels_name.to_owned(),
                why: format!(
                    "labels need 1 size [count] equal to the {count} images of {images_name}, the file has \
                     {label_shape:?}"
                ),
            });
        }
        Ok(Self {
            width,
            height,
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

    /// Image `i`'s pixels. Panics if `i >= len()`; [`LabelledImages::get`] returns `None` instead.
    pub fn image(&self, i: usize) -> &[f32] {
        let n = self.width * self.height;
        &self.pixels[i * n..(i + 1) * n]
    }

    /// Image `i`'s pixels and label, or `None` when there is no image `i` (an index from a link, say).
    pub fn get(&self, i: usize) -> Option<(&[f32], u8)> {
        let n = self.width.checked_mul(self.height)?;
        let start = i.checked_mul(n)?;
        let pixels = self.pixels.get(start..start.checked_add(n)?)?;
        Some((pixels, *self.labels.get(i)?))
    }
}

/// Refuses images of another size than a model's `width × height`, in plain words naming `file_name`.
pub fn check_images(
    images: &LabelledImages,
    file_name: &str,
    width: usize,
    height: usize,
) -> Result<()> {
    if (images.width, images.height) == (width, height) {
        return Ok(());
    }
    Err(Error::File {
        file: file_name.to_owned(),
        why: format!(
            "its images are {}×{} pixels, but the model takes {width}×{height}",
            images.width, images.height
        ),
    })
}

/// Checks that every label lies in `0..classes` (each is used as an index into the class names), naming
/// `file_name` and the first image whose label does not.
pub fn check_labels(images: &LabelledImages, file_name: &str, classes: usize) -> Result<()> {
    match images
        .labels
        .iter()
        .enumerate()
        .find(|(_, &label)| usize::from(label) >= classes)
    {
        None => Ok(()),
        Some((i, label)) => Err(Error::File {
            file: file_name.to_owned(),
            why: format!("image {i} has label {label}, outside the {classes} classes 0..{classes}"),
        }),
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

    #[test]
    fn cut_files_other_sizes_and_bad_labels_are_named_in_plain_words() {
        let images = write_idx(&[2, 2, 3], &[0; 12]);
        let labels = write_idx(&[2], &[1, 9]);
        let set = LabelledImages::from_named_idx(("i.idx", &images), ("l.idx", &labels)).unwrap();
        let err = parse_idx_named("i.idx", &images[..images.len() - 5])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "i.idx: its header (shape [2, 2, 3]) promises 12 data bytes but the file has 7 after the 16-byte \
             header: the file is cut short"
        );
        let mut long = images.clone();
        long.push(0);
        let err = parse_idx_named("i.idx", &long).unwrap_err().to_string();
        assert!(err.ends_with("the file is too long"), "{err}");
        let err = parse_idx_named("i.idx", &images[..9])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("i.idx: the header of 16 bytes"), "{err}");
        let err = LabelledImages::from_named_idx(("i.idx", &images), ("l.idx", &images))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("l.idx: labels need 1 size"), "{err}");
        assert!(check_images(&set, "i.idx", 3, 2).is_ok());
        let err = check_images(&set, "i.idx", 28, 28).unwrap_err().to_string();
        assert_eq!(
            err,
            "i.idx: its images are 3×2 pixels, but the model takes 28×28"
        );
        assert!(check_labels(&set, "l.idx", 10).is_ok());
        let err = check_labels(&set, "l.idx", 5).unwrap_err().to_string();
        assert_eq!(
            err,
            "l.idx: image 1 has label 9, outside the 5 classes 0..5"
        );
        assert_eq!(set.get(1).map(|(p, l)| (p.len(), l)), Some((6, 9)));
        assert!(set.get(2).is_none() && set.get(usize::MAX).is_none());
    }
}
