//! Fetching what the pages run: checked asset downloads, model cards and weights (built by [`crate::engine`]).

use std::rc::Rc;

use genscope_core::manifest::AssetManifest;
use genscope_core::nn::HostWeights;
use genscope_core::weights::read_safetensors;

/// Downloads `path` and checks it against the manifest's size and SHA-256, with a message naming the file.
pub async fn fetch_asset(manifest: &AssetManifest, path: &str) -> Result<Vec<u8>, String> {
    let response = gloo::net::http::Request::get(path)
        .send()
        .await
        .map_err(|e| {
            format!(
                "{path}: request failed: the server could not be reached, and this file has not been saved for \
                 offline use yet (it is saved once a page has used it online) ({e})"
            )
        })?;
    if !response.ok() {
        return Err(format!(
            "{path}: the server answered HTTP {} {}",
            response.status(),
            response.status_text()
        ));
    }
    let bytes = response
        .binary()
        .await
        .map_err(|e| format!("{path}: could not read the body: {e}"))?;
    manifest.verify(path, &bytes).map_err(|e| e.to_string())?;
    Ok(bytes)
}

pub use genscope_core::card::ModelCard;

/// Fetches and parses `assets/models/NAME.json`.
pub async fn fetch_card(manifest: &AssetManifest, name: &str) -> Result<ModelCard, String> {
    let path = format!("assets/models/{name}.json");
    let bytes = fetch_asset(manifest, &path).await?;
    ModelCard::parse(&bytes).map_err(|e| format!("{path}: {e}"))
}

/// Fetches `assets/models/NAME.safetensors` and parses it into checked host weights.
pub async fn fetch_weights(manifest: &AssetManifest, name: &str) -> Result<HostWeights, String> {
    let path = format!("assets/models/{name}.safetensors");
    let bytes = fetch_asset(manifest, &path).await?;
    read_safetensors(&bytes)
        .map(|(weights, _)| weights)
        .map_err(|e| format!("{path}: {e}"))
}

/// Milliseconds since the page started, for timing decodes.
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Shared data that props compare by identity, not content (a 1,000-image test set must not be compared
/// pixel by pixel on every render).
pub struct Shared<T>(pub Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self(Rc::clone(&self.0))
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
