//! A guided tour of a page: a few steps, each pointing at one element and saying what to try and what to notice.
//!
//! The tour is opened by its button (never on its own, so it does not get between a visitor and the page), is
//! driven by the keyboard (→ or Enter: next, ←: back, Esc: close) or its buttons, highlights its step's element
//! and scrolls it into view, and remembers in `localStorage` that it was finished or skipped (the button then
//! offers it again).

mod steps;

use yew::prelude::*;

pub use self::steps::steps;
use crate::i18n::{self, fill, use_lang};

/// One step: the element it points at (a CSS selector) and what it says.
#[derive(Clone, Debug, PartialEq)]
pub struct TourStep {
    /// The element to highlight, e.g. `#latent-map`.
    pub target: &'static str,
    /// What to try and what to notice, in the page's language.
    pub text: &'static str,
}

/// Properties of [`Tour`].
#[derive(Properties, PartialEq)]
pub struct TourProps {
    /// The page's name, for remembering (`vae`, `gan`, `lm`).
    pub page: AttrValue,
    /// The steps, in order.
    pub steps: Vec<TourStep>,
}

const HIGHLIGHT: &str = "tour-highlight";

fn storage_key(page: &str) -> String {
    format!("genscope-tour-{page}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn highlight(target: Option<&str>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(old) = document.query_selector_all(&format!(".{HIGHLIGHT}")) {
        for i in 0..old.length() {
            if let Some(element) = old
                .item(i)
                .and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
            {
                let _ = element.class_list().remove_1(HIGHLIGHT);
            }
        }
    }
    if let Some(element) = target.and_then(|t| document.query_selector(t).ok().flatten()) {
        let _ = element.class_list().add_1(HIGHLIGHT);
        element.scroll_into_view_with_bool(false);
    }
}

/// The tour's button and, while it is open, its panel.
#[component]
pub fn Tour(props: &TourProps) -> Html {
    let t = i18n::shell::of(use_lang());
    // `None`: closed; `Some(i)`: showing step `i`.
    let step = use_state(|| None::<usize>);
    let done = use_state(|| {
        storage()
            .and_then(|s| s.get_item(&storage_key(&props.page)).ok().flatten())
            .is_some()
    });
    let panel = use_node_ref();
    {
        let (target, panel) = (
            step.and_then(|i| props.steps.get(i)).map(|s| s.target),
            panel.clone(),
        );
        use_effect_with(target, move |target| {
            highlight(*target);
            if let Some(panel) = panel.cast::<web_sys::HtmlElement>() {
                let _ = panel.focus();
            }
            || highlight(None)
        });
    }
    let close = {
        let (step, done, page) = (step.clone(), done.clone(), props.page.clone());
        Callback::from(move |()| {
            step.set(None);
            done.set(true);
            if let Some(storage) = storage() {
                let _ = storage.set_item(&storage_key(&page), "seen");
            }
        })
    };
    let count = props.steps.len();
    let go = {
        let (step, close) = (step.clone(), close.clone());
        Callback::from(move |to: isize| match to {
            i if i < 0 => {}
            i if i as usize >= count => close.emit(()),
            i => step.set(Some(i as usize)),
        })
    };
    let start = {
        let go = go.clone();
        Callback::from(move |_: MouseEvent| go.emit(0))
    };
    let button = html! {
        <button id="tour-start" type="button" class="tour-start" onclick={start}>
            { if *done { t.tour_again } else { t.tour_start } }
        </button>
    };
    let Some(index) = *step else {
        return button;
    };
    let Some(current) = props.steps.get(index) else {
        return button;
    };
    let at = index as isize;
    let onkeydown = {
        let (go, close) = (go.clone(), close.clone());
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "ArrowRight" | "Enter" => {
                e.prevent_default();
                go.emit(at + 1);
            }
            "ArrowLeft" => {
                e.prevent_default();
                go.emit(at - 1);
            }
            "Escape" => close.emit(()),
            _ => {}
        })
    };
    let (back, next, skip) = (go.clone(), go.clone(), close.clone());
    let last = index + 1 == count;
    html! {
        <>
            { button }
            <div class="tour-panel" id="tour-panel" role="dialog" aria-modal="false" aria-label={t.tour_label}
                tabindex="-1" ref={panel} {onkeydown} data-step={index.to_string()} data-target={current.target}>
                <p class="tour-progress small muted">
                    { fill(t.tour_progress, &[("n", &(index + 1).to_string()), ("total", &count.to_string())]) }
                </p>
                <p id="tour-text">{ current.text }</p>
                <div class="tour-buttons">
                    <button id="tour-back" type="button" disabled={index == 0}
                        onclick={move |_| back.emit(at - 1)}>{ t.tour_back }</button>
                    <button id="tour-next" type="button" onclick={move |_| next.emit(at + 1)}>
                        { if last { t.tour_done } else { t.tour_next } }
                    </button>
                    <button id="tour-skip" type="button" class="quiet" onclick={move |_| skip.emit(())}>{ t.tour_skip }</button>
                </div>
            </div>
        </>
    }
}
