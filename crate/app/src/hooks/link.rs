//! The page state a link carries: the model it names and the page's typed settings, read once when the manifest
//! arrives and again whenever the visitor opens or edits a link to the page in this tab.

use std::rc::Rc;

use genscope_core::query::UrlState;
use genscope_core::registry::Family;
use yew::prelude::*;

use crate::i18n;
use crate::site::{Load, SiteContext};
use crate::url;

/// What a link asked for, after checking: a shipped model and the page's settings, with notes on what was changed.
#[derive(Clone, Debug, PartialEq)]
pub struct Link<S> {
    /// The model to show: the link's if it names a shipped one, else the family's default.
    pub model: String,
    /// Whether the link itself named that model (settings meant for one model apply only when it did).
    pub named: bool,
    /// The page's settings from the link (defaults where it says nothing or something unusable).
    pub state: S,
    /// What the link said that could not be used as it was, in the visitor's language when it was read.
    pub notes: Vec<String>,
    /// Goes up each time a link is read, so a page can tell a re-read of the same link from no change.
    pub version: u32,
}

/// The shipped models of `family`, from the asset manifest (empty until it has loaded).
#[hook]
pub fn use_shipped_models(family: &'static Family) -> Rc<Vec<String>> {
    let site = use_context::<SiteContext>().expect("SiteContext is provided by App");
    let paths: Vec<String> = match &site.manifest {
        Load::Ready(m) => m.files.iter().map(|f| f.path.clone()).collect(),
        _ => Vec::new(),
    };
    let count = paths.len();
    (*use_memo(count, move |_| {
        Rc::new(family.models_in(paths.iter().map(String::as_str)))
    }))
    .clone()
}

/// The link's model and settings for the page at `route` (`vae`, `gan`, `lm`), once the shipped models are
/// known; `None` before. A visitor's new link to the page (a `hashchange`) gives a new [`Link`].
#[hook]
pub fn use_link<S: UrlState + 'static>(
    route: &'static str,
    family: &'static Family,
    shipped: Rc<Vec<String>>,
) -> Option<Link<S>> {
    let url_version = url::use_url_version(route);
    let link = use_state(|| None::<Link<S>>);
    {
        let link = link.clone();
        use_effect_with((shipped.len(), url_version), move |&(count, version)| {
            if count > 0 {
                let mut q = url::current_query();
                let names: Vec<&str> = shipped.iter().map(String::as_str).collect();
                let fallback = if names.contains(&family.default_model) {
                    family.default_model
                } else {
                    names[0]
                };
                let chosen = q.choice("model", &names);
                let model = chosen.unwrap_or(fallback).to_string();
                let state = S::from_query(&mut q);
                link.set(Some(Link {
                    model,
                    named: chosen.is_some(),
                    state,
                    notes: i18n::link::all(&q.notes, i18n::current()),
                    version,
                }));
            }
        });
    }
    (*link).clone()
}

/// Runs `apply` with each link as it is read: the page's first, and every one the visitor opens later.
#[hook]
pub fn use_on_link<S, F>(link: Option<Link<S>>, apply: F)
where
    S: Clone + PartialEq + 'static,
    F: Fn(Link<S>) + 'static,
{
    use_effect_with(link, move |link| {
        if let Some(link) = link.clone() {
            apply(link);
        }
    });
}
