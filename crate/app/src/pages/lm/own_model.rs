//! "Open your own model": a checkpoint (`.bin` or `.safetensors`) and, for llama2.c, its `tokenizer.bin`.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::texts;
use crate::i18n::{fill, use_lang};

/// A visitor's files as read: the checkpoint's name and bytes, and the tokenizer's bytes when one was chosen.
pub type OwnFiles = (String, Vec<u8>, Option<(String, Vec<u8>)>);

/// Properties of [`OpenOwnModel`].
#[derive(Properties, PartialEq)]
pub struct OpenOwnModelProps {
    /// The files, once read.
    pub on_open: Callback<OwnFiles>,
}

/// The file pickers and "Open"; reading them is this part's own business (its status line says how it goes).
#[component]
pub fn OpenOwnModel(props: &OpenOwnModelProps) -> Html {
    let t = texts::of(use_lang());
    let model_ref = use_node_ref();
    let tokenizer_ref = use_node_ref();
    let status = use_state(String::new);
    let open = {
        let (model_ref, tokenizer_ref, on_open, status) = (
            model_ref.clone(),
            tokenizer_ref.clone(),
            props.on_open.clone(),
            status.clone(),
        );
        Callback::from(move |_| {
            let file = |node: &NodeRef| {
                node.cast::<HtmlInputElement>()
                    .and_then(|i| i.files())
                    .and_then(|f| f.get(0))
                    .map(gloo::file::File::from)
            };
            let Some(model) = file(&model_ref) else {
                status.set(t.own_choose_first.into());
                return;
            };
            let tokenizer = file(&tokenizer_ref);
            let (on_open, status) = (on_open.clone(), status.clone());
            status.set(fill(t.own_reading, &[("file", &model.name())]));
            wasm_bindgen_futures::spawn_local(async move {
                let bytes = match gloo::file::futures::read_as_bytes(&model).await {
                    Ok(b) => b,
                    Err(e) => {
                        status.set(fill(
                            t.own_read_failed,
                            &[("file", &model.name()), ("error", &e.to_string())],
                        ));
                        return;
                    }
                };
                let tokenizer = match &tokenizer {
                    Some(file) => match gloo::file::futures::read_as_bytes(file).await {
                        Ok(b) => Some((file.name(), b)),
                        Err(e) => {
                            status.set(fill(
                                t.own_read_failed,
                                &[("file", &file.name()), ("error", &e.to_string())],
                            ));
                            return;
                        }
                    },
                    None => None,
                };
                status.set(String::new());
                on_open.emit((model.name(), bytes, tokenizer));
            });
        })
    };
    html! {
        <details class="own-model">
            <summary>{ t.own_title }</summary>
            <label>{ t.own_checkpoint }<input id="own-model-file" type="file" ref={model_ref} /></label>
            <label>{ t.own_tokenizer }<input id="own-tokenizer-file" type="file" ref={tokenizer_ref} /></label>
            <button id="own-model-open" onclick={open}>{ t.own_open }</button>
            <span class="muted small">{ &*status }</span>
        </details>
    }
}
