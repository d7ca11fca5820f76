//! The evaluation subset of a model's data set (the picker's thumbnails, the scatter), checked against the model
//! before anything indexes with its labels or feeds its pixels to the encoder.

use std::rc::Rc;

use genscope_core::dataset::{check_images, check_labels, LabelledImages};
use genscope_core::registry::DatasetId;
use yew::prelude::*;

use super::model::LoadedVae;
use super::state::{Action, State, TestImages};
use super::texts::VaeTexts;
use crate::i18n::fill;
use crate::models::{self, Shared};
use crate::site::{Load, SiteContext};

/// The (images, labels) files of `dataset`'s subset, or why it has none (in `t`'s language).
fn files(dataset: DatasetId, t: &VaeTexts) -> Result<(String, String), String> {
    dataset
        .eval_images()
        .ok_or_else(|| fill(t.no_test_images, &[("dataset", dataset.title())]))
}

/// Fetches and parses `dataset`'s committed test subset.
pub async fn load_subset(
    site: &SiteContext,
    dataset: DatasetId,
    t: &VaeTexts,
) -> Result<LabelledImages, String> {
    let Load::Ready(manifest) = &site.manifest else {
        return Err(t.assets_not_loaded.into());
    };
    let (images_path, labels_path) = files(dataset, t)?;
    let images = models::fetch_asset(manifest, &images_path).await?;
    let labels = models::fetch_asset(manifest, &labels_path).await?;
    LabelledImages::from_named_idx((&images_path, &images), (&labels_path, &labels))
        .map_err(|e| e.to_string())
}

/// The test images for `vae` (named `model`): from `cache` when it holds its data set, else fetched; checked
/// against the model (a problem is named, and the rest of the page goes on); then, for z = 2, encoded for the
/// scatter. The page's own messages are said in `t`'s language.
pub async fn load_for(
    site: SiteContext,
    vae: Rc<LoadedVae>,
    model: String,
    cache: Option<(DatasetId, Rc<LabelledImages>)>,
    dispatcher: UseReducerDispatcher<State>,
    t: &'static VaeTexts,
) {
    let dataset = vae.card.dataset;
    let images = match cache.filter(|(d, _)| *d == dataset) {
        Some((_, images)) => Ok(images),
        None => load_subset(&site, dataset, t).await.map(|images| {
            let images = Rc::new(images);
            dispatcher.dispatch(Action::SubsetFetched(dataset, Rc::clone(&images)));
            images
        }),
    };
    let (width, height) = (vae.config.width, vae.config.height);
    let checked =
        images.and_then(|images| check_subset(&images, dataset, width, height, t).map(|()| images));
    dispatcher.dispatch(Action::TestImagesChecked(TestImages {
        model: model.clone(),
        images: checked.clone().map(Shared),
    }));
    let Ok(images) = checked else { return };
    if vae.config.latent == 2 {
        match vae.encode(&images.pixels, t).await {
            Ok((mean, _)) => dispatcher.dispatch(Action::Scatter(
                model,
                Rc::new(mean.chunks(2).map(|m| [m[0], m[1]]).collect()),
            )),
            Err(e) => dispatcher.dispatch(Action::Failed(fill(t.scatter_failed, &[("error", &e)]))),
        }
    }
}

/// Checks that `images` suit a model of `width × height` on `dataset`: the image size, and every label a class
/// of the data set (the picker and the scatter index the class names with them). The message names the file (the
/// file's problem is said by the core crate, in English; that there are no test images, in `t`'s language).
pub fn check_subset(
    images: &LabelledImages,
    dataset: DatasetId,
    width: usize,
    height: usize,
    t: &VaeTexts,
) -> Result<(), String> {
    let (images_path, labels_path) = files(dataset, t)?;
    let classes = dataset.class_names().map_or(0, |names| names.len());
    check_images(images, &images_path, width, height).map_err(|e| e.to_string())?;
    check_labels(images, &labels_path, classes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::texts::{EN, ZH};
    use super::*;

    fn set(width: usize, height: usize, labels: Vec<u8>) -> LabelledImages {
        LabelledImages {
            width,
            height,
            pixels: vec![0.0; width * height * labels.len()],
            labels,
        }
    }

    #[test]
    fn a_good_subset_passes() {
        assert_eq!(
            check_subset(
                &set(28, 28, (0..10).collect()),
                DatasetId::Mnist,
                28,
                28,
                &EN
            ),
            Ok(())
        );
    }

    #[test]
    fn a_label_outside_the_classes_is_named_with_its_file_and_image() {
        let mut labels = vec![0u8; 8];
        labels[5] = 12;
        let message =
            check_subset(&set(28, 28, labels), DatasetId::Mnist, 28, 28, &EN).unwrap_err();
        assert!(
            message.starts_with("assets/eval/mnist-test-labels.idx: ")
                && message.contains("image 5")
                && message.contains("label 12"),
            "{message}"
        );
        let message =
            check_subset(&set(28, 28, vec![10]), DatasetId::FashionMnist, 28, 28, &EN).unwrap_err();
        assert!(
            message.starts_with("assets/eval/fashion-test-labels.idx: "),
            "{message}"
        );
    }

    #[test]
    fn images_of_another_size_than_the_model_are_named() {
        let message =
            check_subset(&set(32, 32, vec![1]), DatasetId::Mnist, 28, 28, &EN).unwrap_err();
        assert!(
            message.starts_with("assets/eval/mnist-test-images.idx: ") && message.contains("32×32"),
            "{message}"
        );
    }

    #[test]
    fn a_text_data_set_has_no_test_images() {
        assert!(check_subset(&set(28, 28, vec![0]), DatasetId::Tang, 28, 28, &EN).is_err());
        assert_eq!(
            check_subset(&set(28, 28, vec![0]), DatasetId::Tang, 28, 28, &ZH),
            Err(format!("{} 没有测试图像", DatasetId::Tang.title()))
        );
    }
}
