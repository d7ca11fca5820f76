//! Small components shared by every page.

use yew::prelude::*;

/// Properties of [`ErrorPanel`].
#[derive(Properties, PartialEq)]
pub struct ErrorPanelProps {
    /// One line that says what failed, e.g. "Could not load the site's assets".
    pub title: AttrValue,
    /// The error itself, shown verbatim (as text, never as HTML).
    pub message: AttrValue,
    /// When set, a "Try again" button calls it.
    #[prop_or_default]
    pub on_retry: Option<Callback<()>>,
}

/// A visible, non-fatal error: the rest of the page keeps working.
#[component]
pub fn ErrorPanel(props: &ErrorPanelProps) -> Html {
    let retry = props.on_retry.clone().map(|on_retry| {
        html! { <button onclick={move |_| on_retry.emit(())}>{ "Try again" }</button> }
    });
    html! {
        <div class="error-panel" role="alert">
            <strong>{ &props.title }</strong>
            <pre class="error-message">{ &props.message }</pre>
            { for retry }
        </div>
    }
}
