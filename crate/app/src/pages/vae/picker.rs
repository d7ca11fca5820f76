//! The test-image picker: thumbnails of the committed test images with their labels; click one to encode it.

use genscope_core::dataset::LabelledImages;
use yew::prelude::*;

use super::decode::canvas;
use super::texts;
use crate::i18n::{fill, use_lang};
use crate::models::Shared;
use crate::widgets::draw_gray;

/// Test images shown per page of the picker.
pub const PICKER_PAGE: usize = 12;

/// The number of picker pages for `count` images, and the first image of page `page` (pages wrap around).
pub fn page_span(count: usize, page: usize) -> (usize, usize) {
    let pages = count.div_ceil(PICKER_PAGE).max(1);
    (pages, (page % pages) * PICKER_PAGE)
}

#[derive(Properties, PartialEq)]
pub struct TestPickerProps {
    pub images: Option<Shared<LabelledImages>>,
    /// Why the test images cannot be used, when so (the page's error panel says it in full).
    pub problem: Option<AttrValue>,
    pub page: usize,
    /// The data set's class names in the page's language, by label.
    pub names: Vec<&'static str>,
    pub on_page: Callback<usize>,
    pub on_pick: Callback<usize>,
}

/// The thumbnails and the "More test images" button.
#[component]
pub fn TestPicker(props: &TestPickerProps) -> Html {
    let t = texts::of(use_lang());
    let refs = use_memo((), |_| {
        (0..PICKER_PAGE)
            .map(|_| NodeRef::default())
            .collect::<Vec<_>>()
    });
    let count = props.images.as_ref().map_or(0, |i| i.len());
    let (pages, first) = page_span(count, props.page);
    {
        let refs = refs.clone();
        use_effect_with((first, props.images.clone()), move |(first, images)| {
            if let Some(images) = images {
                for (slot, node) in refs.iter().enumerate() {
                    let i = first + slot;
                    if let (Some(c), true) = (canvas(node), i < images.len()) {
                        draw_gray(&c, images.image(i), images.width, images.height, 0.0, 0.0);
                    }
                }
            }
        });
    }
    let Some(images) = props.images.clone() else {
        return match &props.problem {
            Some(_) => {
                html! { <p class="muted">{ t.picker_problem }</p> }
            }
            None => html! { <p class="muted">{ t.picker_loading }</p> },
        };
    };
    let thumbs = (0..PICKER_PAGE).filter(|s| first + s < images.len()).map(|slot| {
        let i = first + slot;
        let label = images.labels[i] as usize;
        let name = props.names.get(label).copied().unwrap_or("?");
        let on_pick = props.on_pick.clone();
        html! {
            <button class="test-image" data-index={i.to_string()} data-label={label.to_string()}
                title={fill(t.picker_title, &[("index", &i.to_string()), ("name", name)])} onclick={move |_| on_pick.emit(i)}>
                <canvas ref={refs[slot].clone()} width={images.width.to_string()} height={images.height.to_string()}
                    class="pixelated thumb"></canvas>
            </button>
        }
    });
    let next = {
        let (on_page, page) = (props.on_page.clone(), props.page);
        Callback::from(move |_| on_page.emit((page + 1) % pages))
    };
    let more = fill(
        t.picker_more,
        &[
            ("page", &(props.page % pages + 1).to_string()),
            ("pages", &pages.to_string()),
        ],
    );
    html! {
        <div class="test-picker">
            <div class="thumbs">{ for thumbs }</div>
            <button id="picker-next" onclick={next}>{ more }</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_wrap_around() {
        assert_eq!(page_span(1000, 0), (84, 0));
        assert_eq!(page_span(1000, 83), (84, 996));
        assert_eq!(page_span(1000, 84), (84, 0));
        assert_eq!(page_span(0, 5), (1, 0));
    }
}
