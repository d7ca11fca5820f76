//! The model picker and the prompt box with "Run prompt".

use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ModelPickerProps {
    /// The models offered (shipped, then the visitor's own).
    pub options: Vec<String>,
    /// The one shown.
    pub model: Option<String>,
    pub on_pick: Callback<String>,
}

/// The `<select>` of models.
#[component]
pub fn ModelPicker(props: &ModelPickerProps) -> Html {
    let onchange = {
        let on = props.on_pick.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                on.emit(select.value());
            }
        })
    };
    html! {
        <label>{ "Model " }
            <select id="lm-model" {onchange}>
                { for props.options.iter().map(|m| html! {
                    <option value={m.clone()} selected={Some(m) == props.model.as_ref()}>{ m }</option>
                }) }
            </select>
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct PromptRowProps {
    pub prompt: String,
    pub on_prompt: Callback<String>,
    pub on_run: Callback<()>,
}

/// The prompt (any text) and the button that runs it from the start.
#[component]
pub fn PromptRow(props: &PromptRowProps) -> Html {
    let oninput = {
        let on = props.on_prompt.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e.target_dyn_into::<HtmlTextAreaElement>() {
                on.emit(area.value());
            }
        })
    };
    let run = props.on_run.clone();
    html! {
        <div class="prompt-row">
            <textarea id="prompt" rows="3" maxlength="100000" value={props.prompt.clone()} {oninput}
                aria-label="prompt" placeholder="Type a prompt (any text)" />
            <button id="lm-start" onclick={move |_| run.emit(())}>{ "Run prompt" }</button>
        </div>
    }
}
