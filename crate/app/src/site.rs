//! What the shell shares with every page: the routes, the site context (backend and manifest), the `Load` state
//! of a background fetch, and the build id. Pages import this, never `app.rs`, so the shell and the pages do not
//! import each other.

use std::rc::Rc;

use genscope_core::manifest::AssetManifest;
use genscope_core::registry::Page;
use genscope_webgpu::GpuContext;
use yew::Callback;
use yew_router::prelude::*;

use crate::backend::BackendStatus;
use crate::calibration::Calibration;

/// The build shown on the status line: crate version plus the git revision `cargo xtask dist` passes in.
pub const BUILD: &str = match option_env!("GENSCOPE_GIT_REV") {
    Some(rev) => rev,
    None => "dev",
};

/// The site's routes. Hash routing keeps every URL inside `index.html`, so `dist/` works from any static host
/// and any subpath without server rewrites.
#[derive(Clone, Debug, PartialEq, Routable)]
pub enum Route {
    /// The landing page.
    #[at("/")]
    Home,
    /// A model family's page, at the route the registry names (`/vae`, `/gan`, `/lm`); a slug that names no
    /// page is "not found". Static routes (`/about`) win over this one.
    #[at("/:slug")]
    Family {
        /// The route without its slash, e.g. `vae`.
        slug: String,
    },
    /// The 2-D lab: density models trained live on points in the plane.
    #[at("/lab")]
    Lab,
    /// What genscope is, what runs it, where the models come from.
    #[at("/about")]
    About,
    /// Test hook: panics while rendering, to prove a panic never leaves a blank page.
    #[at("/__panic")]
    PanicTest,
    /// Anything else.
    #[not_found]
    #[at("/404")]
    NotFound,
}

/// The route of a family's page. The registry names each page's path; a test keeps the two equal.
pub fn route_of(page: Page) -> Route {
    Route::Family {
        slug: page.route().trim_start_matches('/').to_string(),
    }
}

/// Something fetched in the background.
#[derive(Clone, Debug, PartialEq)]
pub enum Load<T> {
    /// Not there yet.
    Loading,
    /// Arrived and checked.
    Ready(T),
    /// Failed, with a message for the visitor.
    Failed(String),
}

/// What every page may read: the backend and the asset manifest.
#[derive(Clone)]
pub struct SiteContext {
    /// Which backend runs the models.
    pub backend: BackendStatus,
    /// The open WebGPU device, when models may run on it (the automatic or the WebGPU choice).
    pub gpu: Option<Rc<GpuContext>>,
    /// The list of shipped assets.
    pub manifest: Load<Rc<AssetManifest>>,
    /// Tells the status line a model's calibration (see [`crate::placement`]).
    pub calibrated: Callback<Calibration>,
}

/// See [`SiteContext::placement_key`]: the device's address and the kind of backend status.
pub type PlacementKey = (Option<usize>, u8);

impl SiteContext {
    /// Changes whenever a loaded model may have to be rebuilt elsewhere: another device, or another choice of
    /// backend. Pages key their model loads on it.
    pub fn placement_key(&self) -> PlacementKey {
        let device = self.gpu.as_ref().map(|g| Rc::as_ptr(g) as usize);
        let choice = match self.backend {
            BackendStatus::Detecting => 0,
            BackendStatus::Auto(_) => 1,
            BackendStatus::WebGpu(_) => 2,
            BackendStatus::Cpu(_) => 3,
        };
        (device, choice)
    }
}

impl PartialEq for SiteContext {
    fn eq(&self, other: &Self) -> bool {
        let same_gpu = match (&self.gpu, &other.gpu) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        same_gpu
            && self.backend == other.backend
            && self.manifest == other.manifest
            && self.calibrated == other.calibrated
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use genscope_core::registry::FAMILIES;

    #[test]
    fn every_family_page_has_the_route_the_registry_names() {
        let pages: Vec<_> = FAMILIES.iter().filter_map(|f| f.page).collect();
        assert_eq!(pages.len(), 3);
        for entry in pages {
            assert_eq!(route_of(entry.page).to_path(), entry.route, "{entry:?}");
            assert_eq!(Route::recognize(entry.route), Some(route_of(entry.page)));
        }
        // Static routes win over a family's slug; an unknown slug is not a page.
        assert_eq!(Route::recognize("/about"), Some(Route::About));
        assert_eq!(Route::recognize("/lab"), Some(Route::Lab));
        assert_eq!(Page::at_route("/nope"), None);
    }
}
