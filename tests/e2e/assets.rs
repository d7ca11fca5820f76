//! Broken model files in the browser. Each damage is applied to one model per page (vae-mnist-z2, dcgan-mnist,
//! lm-shakespeare) in a copy of `dist/`: truncated, emptied, replaced by a 404 page, given wrong shapes, given NaN
//! weights, or a card that is not a card. The manifest is rewritten to match (as if a bad build shipped them), so
//! what is tested is the loaders' own checks; one test leaves the manifest alone to check the checksum catches it.
//!
//! Each page must say which file failed and why, keep its controls, let the visitor pick another model, and leave
//! the other pages working: never a blank page.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use genscope_core::manifest::sha256_hex;
use genscope_core::weights::{read_safetensors, write_safetensors, Storage};
use genscope_e2e::{Browser, Site, WebGpu};

/// The models damaged, with the page that shows each, its heading, and an undamaged model of the same kind.
const PAGES: [(&str, &str, &str, &str); 3] = [
    (
        "vae-mnist-z2",
        "#/vae",
        "Latent space of a VAE",
        "vae-mnist-z16",
    ),
    (
        "dcgan-mnist",
        "#/gan",
        "Samples from a GAN",
        "dcgan-fashion",
    ),
    (
        "lm-shakespeare",
        "#/lm",
        "Token by token through a language model",
        "lm-tang",
    ),
];

/// Replaces `dist/relative` with `bytes`; with `update_manifest`, the manifest's size and SHA-256 follow.
fn replace(dist: &Path, relative: &str, bytes: &[u8], update_manifest: bool) -> Result<()> {
    fs::write(dist.join(relative), bytes)?;
    if update_manifest {
        let path = dist.join("assets/manifest.json");
        let mut manifest: serde_json::Value = serde_json::from_slice(&fs::read(&path)?)?;
        let entry = manifest["files"]
            .as_array_mut()
            .context("manifest files")?
            .iter_mut()
            .find(|e| e["path"] == relative)
            .with_context(|| format!("{relative} is not in the manifest"))?;
        entry["bytes"] = bytes.len().into();
        entry["sha256"] = sha256_hex(bytes).into();
        fs::write(path, serde_json::to_vec_pretty(&manifest)?)?;
    }
    Ok(())
}

/// Rewrites a safetensors file through `change` (on the host weights), keeping its metadata.
fn rewrite_weights(
    dist: &Path,
    model: &str,
    change: impl Fn(&str, &[usize], &mut Vec<f32>) -> Vec<usize>,
) -> Result<()> {
    let relative = format!("assets/models/{model}.safetensors");
    let (weights, metadata) = read_safetensors(&fs::read(dist.join(&relative))?)?;
    let mut changed = genscope_core::nn::HostWeights::new();
    for name in weights.names() {
        let (shape, data) = weights.get(name).expect("listed");
        let mut data = data.to_vec();
        let shape = change(name, shape, &mut data);
        changed.insert(name, shape, data)?;
    }
    let bytes = write_safetensors(&changed, Storage::F16, metadata)?;
    replace(dist, &relative, &bytes, true)
}

/// What each damage does to a model's file, and a phrase its message must contain.
#[derive(Clone, Copy, Debug)]
enum Damage {
    Truncated,
    Empty,
    NotFoundPage,
    WrongShapes,
    NanWeights,
    CardNotACard,
}

impl Damage {
    fn apply(self, dist: &Path, model: &str) -> Result<()> {
        let weights = format!("assets/models/{model}.safetensors");
        let original = fs::read(dist.join(&weights))?;
        let html = b"<!doctype html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>";
        match self {
            Damage::Truncated => replace(dist, &weights, &original[..original.len() / 2], true),
            Damage::Empty => replace(dist, &weights, b"", true),
            Damage::NotFoundPage => replace(dist, &weights, html, true),
            // The first matrix transposed: same bytes, wrong shape.
            Damage::WrongShapes => {
                let first = {
                    let (w, _) = read_safetensors(&original)?;
                    let mut names: Vec<String> = w
                        .names()
                        .filter(|n| w.get(n).is_some_and(|(s, _)| s.len() == 2 && s[0] != s[1]))
                        .map(str::to_string)
                        .collect();
                    names.sort();
                    names.into_iter().next().context("a non-square matrix")?
                };
                rewrite_weights(dist, model, |name, shape, _| {
                    if name == first {
                        vec![shape[1], shape[0]]
                    } else {
                        shape.to_vec()
                    }
                })
            }
            Damage::NanWeights => rewrite_weights(dist, model, |_, shape, data| {
                let middle = data.len() / 2;
                data[middle] = f32::NAN;
                shape.to_vec()
            }),
            Damage::CardNotACard => {
                replace(dist, &format!("assets/models/{model}.json"), html, true)
            }
        }
    }

    /// What the visitor must be told (besides the file's name).
    fn expected(self) -> &'static str {
        match self {
            Damage::Truncated | Damage::Empty | Damage::NotFoundPage => {
                "not a valid safetensors file"
            }
            Damage::WrongShapes => "the configuration expects",
            Damage::NanWeights => "non-finite value",
            Damage::CardNotACard => "not a valid model card",
        }
    }

    fn file(self, model: &str) -> String {
        match self {
            Damage::CardNotACard => format!("assets/models/{model}.json"),
            _ => format!("assets/models/{model}.safetensors"),
        }
    }
}

/// Opens each page with its model damaged and checks the message, the page around it, and that another model
/// of the same kind still loads from the picker.
async fn check_damage(damage: Damage) -> Result<()> {
    let site = Site::serve_modified(|dist| {
        for (model, ..) in PAGES {
            damage.apply(dist, model)?;
        }
        Ok(())
    })?;
    let browser = Browser::launch(WebGpu::Off).await?;
    for (model, route, heading, other) in PAGES {
        browser.goto("about:blank").await?;
        browser
            .goto(&site.url(&format!("{route}?model={model}")))
            .await?;
        let message = browser
            .wait_for_text("main .error-panel .error-message", |t| !t.is_empty())
            .await
            .with_context(|| format!("{damage:?} on {route}"))?;
        let file = damage.file(model);
        assert!(
            message.contains(&file) && message.contains(damage.expected()),
            "{damage:?} on {route}: the message {message:?} should name {file} and say {:?}",
            damage.expected()
        );
        assert_eq!(browser.text("main h1").await?.as_deref(), Some(heading));
        assert!(!browser.is_visible("#fatal").await?, "{route}: fatal panel");
        // The visitor goes on: the picker still offers the other model, and it loads.
        let picker = "main select[id$='-model']";
        browser
            .eval(&format!(
                "const s = document.querySelector(\"{picker}\"); s.value = '{other}'; \
                 s.dispatchEvent(new Event('change', {{bubbles: true}})); return null;"
            ))
            .await?;
        let ready = match route {
            "#/vae" => "#decode-time",
            "#/gan" => "#grid-time",
            _ => "#chart",
        };
        browser
            .wait_visible(ready)
            .await
            .with_context(|| format!("{other} after the damaged {model}"))?;
        assert!(
            !browser.is_visible("main .error-panel").await?,
            "{route}: {other} loaded but the error stayed"
        );
    }
    // The pages that load no model are unaffected.
    browser.goto(&site.url("#/about")).await?;
    browser
        .wait_for_text("#asset-summary", |t| t.contains("files"))
        .await?;
    browser.close().await
}

#[tokio::test]
async fn truncated_weights_are_named_and_the_site_goes_on() -> Result<()> {
    check_damage(Damage::Truncated).await
}

#[tokio::test]
async fn empty_weights_are_named_and_the_site_goes_on() -> Result<()> {
    check_damage(Damage::Empty).await
}

#[tokio::test]
async fn a_404_page_instead_of_weights_is_named_and_the_site_goes_on() -> Result<()> {
    check_damage(Damage::NotFoundPage).await
}

#[tokio::test]
async fn weights_of_the_wrong_shape_are_named_and_the_site_goes_on() -> Result<()> {
    check_damage(Damage::WrongShapes).await
}

#[tokio::test]
async fn nan_weights_are_named_and_the_site_goes_on() -> Result<()> {
    check_damage(Damage::NanWeights).await
}

#[tokio::test]
async fn a_card_that_is_not_a_card_is_named_and_the_site_goes_on() -> Result<()> {
    check_damage(Damage::CardNotACard).await
}

#[tokio::test]
async fn a_file_that_does_not_match_the_manifest_is_caught_by_its_checksum() -> Result<()> {
    let site = Site::serve_modified(|dist| {
        let path = "assets/models/vae-mnist-z2.safetensors";
        let mut bytes = fs::read(dist.join(path))?;
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xFF;
        replace(dist, path, &bytes, false)
    })?;
    let browser = Browser::launch(WebGpu::Off).await?;
    browser.goto(&site.url("#/vae?model=vae-mnist-z2")).await?;
    let message = browser
        .wait_for_text("main .error-panel .error-message", |t| !t.is_empty())
        .await?;
    assert!(
        message.contains("assets/models/vae-mnist-z2.safetensors is corrupt"),
        "{message}"
    );
    // In Chinese the same file and rule, in Chinese words (a new page load: nothing of the English one is kept).
    let message = error_on(&browser, &site, "#/vae?model=vae-mnist-z2&lang=zh").await?;
    assert!(
        message.contains("assets/models/vae-mnist-z2.safetensors 已损坏")
            && message.contains("它的 SHA-256 与 assets/manifest.json 不符"),
        "{message}"
    );
    // The LM page still works.
    browser.goto(&site.url("#/lm")).await?;
    browser.wait_visible("#chart").await?;
    browser.close().await
}

/// An IDX file: big-endian magic (unsigned bytes, `dims.len()` dimensions), the dimensions, then `data`.
fn idx(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0, 0, 0x08, dims.len() as u8];
    for d in dims {
        out.extend(d.to_be_bytes());
    }
    out.extend_from_slice(data);
    out
}

/// Opens `hash` and returns the first error panel's message.
async fn error_on(browser: &Browser, site: &Site, hash: &str) -> Result<String> {
    browser.goto("about:blank").await?;
    browser.goto(&site.url(hash)).await?;
    browser
        .wait_for_text("main .error-panel .error-message", |t| !t.is_empty())
        .await
        .with_context(|| format!("no error on {hash}"))
}

#[tokio::test]
async fn a_bad_test_subset_is_named_and_the_vae_map_still_works() -> Result<()> {
    // Three damages to the evaluation subset, one served at a time: a label outside 0..9 (used as an index into
    // the class names), images of another size than the model's, and a labels file cut short.
    let labels = "assets/eval/mnist-test-labels.idx";
    let images = "assets/eval/mnist-test-images.idx";
    type Damage = fn(&Path) -> Result<()>;
    let cases: [(Damage, &str, &str); 3] = [
        (
            |dist| {
                let mut data = vec![1u8; 1000];
                data[5] = 12;
                replace(
                    dist,
                    "assets/eval/mnist-test-labels.idx",
                    &idx(&[1000], &data),
                    true,
                )
            },
            labels,
            "label 12",
        ),
        (
            |dist| {
                let data = vec![0u8; 1000 * 14 * 14];
                replace(
                    dist,
                    "assets/eval/mnist-test-images.idx",
                    &idx(&[1000, 14, 14], &data),
                    true,
                )
            },
            images,
            "14",
        ),
        (
            |dist| {
                let data = vec![1u8; 1000];
                replace(
                    dist,
                    "assets/eval/mnist-test-labels.idx",
                    &idx(&[1000], &data)[..600],
                    true,
                )
            },
            labels,
            "cut short",
        ),
    ];
    for (damage, file, says) in cases {
        let site = Site::serve_modified(damage)?;
        let browser = Browser::launch(WebGpu::Off).await?;
        let message = error_on(&browser, &site, "#/vae?model=vae-mnist-z2").await?;
        assert!(
            message.contains(file) && message.contains(says),
            "the message {message:?} should name {file} and say {says:?}"
        );
        assert!(!browser.is_visible("#fatal").await?, "{file}: fatal panel");
        // The map decodes all the same.
        browser.wait_visible("#decode-time").await?;
        browser.close().await?;
    }
    Ok(())
}

#[tokio::test]
async fn an_extra_tensor_in_the_classifier_is_blamed_on_the_classifier_not_the_gan() -> Result<()> {
    let site = Site::serve_modified(|dist| {
        let relative = "assets/models/classifier-mnist.safetensors";
        let (mut weights, metadata) = read_safetensors(&fs::read(dist.join(relative))?)?;
        weights.insert("classifier.extra.weight", vec![2], vec![0.5, 0.5])?;
        replace(
            dist,
            relative,
            &write_safetensors(&weights, Storage::F16, metadata)?,
            true,
        )
    })?;
    let browser = Browser::launch(WebGpu::Off).await?;
    let message = error_on(&browser, &site, "#/gan?model=dcgan-mnist").await?;
    assert!(
        message.contains("assets/models/classifier-mnist.safetensors")
            && !message.contains("dcgan-mnist.safetensors")
            && message.contains("classifier.extra.weight"),
        "{message}"
    );
    browser.close().await
}

#[tokio::test]
async fn a_safetensors_header_with_a_repeated_key_is_refused_by_name() -> Result<()> {
    // One tensor named twice in each page's model header (the format forbids it; a parser keeping one would hide it).
    let site = Site::serve_modified(|dist| {
        for (model, ..) in PAGES {
            let relative = format!("assets/models/{model}.safetensors");
            let bytes = fs::read(dist.join(&relative))?;
            let len = u64::from_le_bytes(bytes[..8].try_into()?) as usize;
            let header = std::str::from_utf8(&bytes[8..8 + len])?;
            let dtype = header.find(r#"":{"dtype""#).context("a tensor entry")?;
            let first = header[..dtype].rfind('"').context("its name")?;
            let entry_end = dtype + header[dtype..].find('}').context("its end")? + 1;
            let entry = &header[first..entry_end];
            let doubled = header.replacen(entry, &format!("{entry},{entry}"), 1);
            let mut out = (doubled.len() as u64).to_le_bytes().to_vec();
            out.extend(doubled.as_bytes());
            out.extend(&bytes[8 + len..]);
            replace(dist, &relative, &out, true)?;
        }
        Ok(())
    })?;
    let browser = Browser::launch(WebGpu::Off).await?;
    for (model, route, ..) in PAGES {
        let message = error_on(&browser, &site, &format!("{route}?model={model}")).await?;
        assert!(
            message.contains(&format!("assets/models/{model}.safetensors"))
                && message.contains("appears twice"),
            "{route}: {message}"
        );
        assert!(!browser.is_visible("#fatal").await?, "{route}: fatal panel");
    }
    browser.close().await
}

#[tokio::test]
async fn a_broken_manifest_is_named_once_and_no_page_pretends_to_load() -> Result<()> {
    let site = Site::serve_modified(|dist| {
        fs::write(dist.join("assets/manifest.json"), b"{\"files\": [")?;
        Ok(())
    })?;
    let browser = Browser::launch(WebGpu::Off).await?;
    for (_, route, heading, _) in PAGES {
        browser.goto("about:blank").await?;
        browser.goto(&site.url(route)).await?;
        let message = browser
            .wait_for_text("main .error-panel .error-message", |t| !t.is_empty())
            .await?;
        assert!(
            message.contains("assets/manifest.json"),
            "{route}: {message}"
        );
        assert_eq!(browser.text("main h1").await?.as_deref(), Some(heading));
        // Give a page that would show its loading line the time to render it.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let body = browser.text("main").await?.unwrap_or_default();
        assert!(
            !body.contains("Loading the"),
            "{route}: a loading line under the manifest's error: {body}"
        );
        assert!(!browser.is_visible("#fatal").await?, "{route}: fatal panel");
    }
    browser.close().await
}
