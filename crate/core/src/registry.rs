//! The one list of model families and data sets. The router, the header, the home page, the model pickers, the
//! card checks and the trainers read it; nothing guesses a family or a data set from a model's name.
//!
//! A family is a kind of model (`vae`, `gan`, …) with the file prefix its shipped models share, the page that shows
//! it (if any) and its route. A data set is what a model was trained on, named on its card by [`DatasetId`]; the
//! data set knows its class names, its classifier and its evaluation subset.

use serde::{Deserialize, Serialize};

use crate::lang::{Lang, Words};

use serde::de::DeserializeOwned;

use crate::classifier::ClassifierConfig;
use crate::gan::GanConfig;
use crate::lm::LmConfig;
use crate::vae::VaeConfig;
use crate::{Error, Result};

/// A model family, as a card's `kind` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A variational autoencoder.
    Vae,
    /// A generative adversarial network (a DCGAN).
    Gan,
    /// An autoregressive language model (llama-style transformer).
    Lm,
    /// An image classifier (the GAN page's judge; no page of its own).
    Classifier,
}

/// The pages that show a family's models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Page {
    /// The VAE page (`#/vae`).
    Vae,
    /// The GAN page (`#/gan`).
    Gan,
    /// The language-model page (`#/lm`).
    Lm,
}

/// What the site knows about one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Family {
    /// The card `kind`.
    pub kind: Kind,
    /// The file prefix every shipped model of the family has (`vae-` → `assets/models/vae-mnist-z2.json`).
    pub prefix: &'static str,
    /// The page that shows it, with its route, tab label and home-page text; `None` for helper models.
    pub page: Option<PageEntry>,
    /// The model a page opens when the link names none.
    pub default_model: &'static str,
}

/// A family's page: where it is and how the header and the home page introduce it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageEntry {
    /// Which page component.
    pub page: Page,
    /// The hash route, e.g. `/vae`.
    pub route: &'static str,
    /// The header tab and home-card title.
    pub title: Words,
    /// The home card's one-line invitation.
    pub summary: Words,
}

/// Every family, in the order the header and the home page list them.
pub const FAMILIES: [Family; 4] = [
    Family {
        kind: Kind::Vae,
        prefix: "vae-",
        default_model: "vae-mnist-z2",
        page: Some(PageEntry {
            page: Page::Vae,
            route: "/vae",
            title: Words {
                en: "VAE",
                zh: "VAE",
            },
            summary: Words {
                en: "Drag through a variational autoencoder's latent space and watch the decoded image change \
                     under your cursor.",
                zh: "在变分自编码器的隐空间里拖动光标，看解码出的图像随之变化。",
            },
        }),
    },
    Family {
        kind: Kind::Gan,
        prefix: "dcgan-",
        default_model: "dcgan-mnist",
        page: Some(PageEntry {
            page: Page::Gan,
            route: "/gan",
            title: Words {
                en: "GAN",
                zh: "GAN",
            },
            summary: Words {
                en: "Watch a GAN's samples: seeded grids, smooth latent walks, and its training history.",
                zh: "看生成对抗网络的样本：按种子生成的网格、隐空间里的平滑漫步，以及它的训练历程。",
            },
        }),
    },
    Family {
        kind: Kind::Lm,
        prefix: "lm-",
        default_model: "lm-shakespeare",
        page: Some(PageEntry {
            page: Page::Lm,
            route: "/lm",
            title: Words {
                en: "LM",
                zh: "语言模型",
            },
            summary: Words {
                en: "Step a small transformer one token at a time and see how temperature, top-k and top-p \
                     reshape its next-token distribution.",
                zh: "让一个小型 Transformer 一次生成一个词元，看温度、top-k 和 top-p 如何改变下一个词元的分布。",
            },
        }),
    },
    Family {
        kind: Kind::Classifier,
        prefix: "classifier-",
        default_model: "classifier-mnist",
        page: None,
    },
];

/// A card's architecture, typed by its kind and checked.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelConfig {
    /// A VAE.
    Vae(VaeConfig),
    /// A DCGAN.
    Gan(GanConfig),
    /// A llama-style language model.
    Lm(LmConfig),
    /// An image classifier.
    Classifier(ClassifierConfig),
}

impl ModelConfig {
    /// The configuration a card's `config` describes for its `kind`, parsed and validated; `model` names the
    /// card in messages.
    pub fn parse(kind: Kind, model: &str, config: &serde_json::Value) -> Result<ModelConfig> {
        fn typed<T: DeserializeOwned>(
            kind: Kind,
            model: &str,
            config: &serde_json::Value,
        ) -> Result<T> {
            serde_json::from_value(config.clone()).map_err(|e| {
                Error::Weights(format!(
                    "{model}: its {kind} configuration does not parse: {e}"
                ))
            })
        }
        Ok(match kind {
            Kind::Vae => ModelConfig::Vae(typed::<VaeConfig>(kind, model, config)?.validated()?),
            Kind::Gan => ModelConfig::Gan(typed::<GanConfig>(kind, model, config)?.validated()?),
            Kind::Lm => ModelConfig::Lm({
                let lm = typed::<LmConfig>(kind, model, config)?;
                lm.validate()?;
                lm
            }),
            Kind::Classifier => ModelConfig::Classifier(
                typed::<ClassifierConfig>(kind, model, config)?.validated()?,
            ),
        })
    }
}

impl Kind {
    /// Every kind, in the registry's order.
    pub const ALL: [Kind; 4] = [Kind::Vae, Kind::Gan, Kind::Lm, Kind::Classifier];

    /// The card spelling (`vae`, `gan`, `lm`, `classifier`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Vae => "vae",
            Kind::Gan => "gan",
            Kind::Lm => "lm",
            Kind::Classifier => "classifier",
        }
    }

    /// The family's entry in [`FAMILIES`].
    pub fn family(self) -> &'static Family {
        FAMILIES
            .iter()
            .find(|f| f.kind == self)
            .unwrap_or(&FAMILIES[0])
    }

    /// The kind a card spells `name`, if it is one.
    pub fn parse(name: &str) -> Option<Kind> {
        FAMILIES.iter().map(|f| f.kind).find(|k| k.as_str() == name)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Page {
    /// The page's hash route, e.g. `/vae` (from its family's entry).
    pub fn route(self) -> &'static str {
        Family::of_page(self).page.map_or("/", |p| p.route)
    }

    /// The page whose route is `route`, if any.
    pub fn at_route(route: &str) -> Option<Page> {
        FAMILIES
            .iter()
            .filter_map(|f| f.page)
            .find(|p| p.route == route)
            .map(|p| p.page)
    }
}

impl Family {
    /// The family that shows on `page`.
    pub fn of_page(page: Page) -> &'static Family {
        FAMILIES
            .iter()
            .find(|f| f.page.is_some_and(|p| p.page == page))
            .unwrap_or(&FAMILIES[0])
    }

    /// The shipped models of this family among asset paths (`assets/models/NAME.json` with this prefix), sorted.
    pub fn models_in<'a>(&self, paths: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let mut names: Vec<String> = paths
            .into_iter()
            .filter_map(|p| p.strip_prefix("assets/models/"))
            .filter_map(|p| p.strip_suffix(".json"))
            .filter(|name| name.starts_with(self.prefix) && !name.contains('.'))
            .map(str::to_string)
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// The data set a model was trained on, as its card names it (`"dataset": "mnist"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetId {
    /// Handwritten digits, 28×28 grey.
    Mnist,
    /// Zalando's clothing pictures, 28×28 grey.
    FashionMnist,
    /// Shakespeare's plays, characters.
    Shakespeare,
    /// The complete Tang poems, Traditional characters.
    Tang,
}

/// Class names of the digit sets.
const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
/// Class names of Fashion-MNIST, in label order.
const FASHION: [&str; 10] = [
    "T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot",
];
/// The same in Chinese.
const FASHION_ZH: [&str; 10] = [
    "T恤",
    "裤子",
    "套头衫",
    "连衣裙",
    "外套",
    "凉鞋",
    "衬衫",
    "运动鞋",
    "包",
    "短靴",
];

impl DatasetId {
    /// Every data set.
    pub const ALL: [DatasetId; 4] = [
        DatasetId::Mnist,
        DatasetId::FashionMnist,
        DatasetId::Shakespeare,
        DatasetId::Tang,
    ];

    /// The card spelling (`mnist`, `fashion-mnist`, `shakespeare`, `tang`).
    pub fn as_str(self) -> &'static str {
        match self {
            DatasetId::Mnist => "mnist",
            DatasetId::FashionMnist => "fashion-mnist",
            DatasetId::Shakespeare => "shakespeare",
            DatasetId::Tang => "tang",
        }
    }

    /// Its name for people.
    pub fn title(self) -> &'static str {
        match self {
            DatasetId::Mnist => "MNIST",
            DatasetId::FashionMnist => "Fashion-MNIST",
            DatasetId::Shakespeare => "Shakespeare",
            DatasetId::Tang => "Tang poems",
        }
    }

    /// The short name its evaluation files and classifier use (`mnist`, `fashion`; `None` for text).
    fn image_stem(self) -> Option<&'static str> {
        match self {
            DatasetId::Mnist => Some("mnist"),
            DatasetId::FashionMnist => Some("fashion"),
            DatasetId::Shakespeare | DatasetId::Tang => None,
        }
    }

    /// Class names in label order, for the image sets.
    pub fn class_names(self) -> Option<&'static [&'static str; 10]> {
        match self {
            DatasetId::Mnist => Some(&DIGITS),
            DatasetId::FashionMnist => Some(&FASHION),
            DatasetId::Shakespeare | DatasetId::Tang => None,
        }
    }

    /// Class names in label order in `lang` (digits are the same in both languages).
    pub fn class_names_in(self, lang: Lang) -> Option<&'static [&'static str; 10]> {
        match (self, lang) {
            (DatasetId::FashionMnist, Lang::Zh) => Some(&FASHION_ZH),
            _ => self.class_names(),
        }
    }

    /// The shipped classifier of an image set (the GAN page labels its samples with it).
    pub fn classifier(self) -> Option<String> {
        self.image_stem().map(|s| format!("classifier-{s}"))
    }

    /// The committed evaluation subset of an image set: (images, labels) IDX paths.
    pub fn eval_images(self) -> Option<(String, String)> {
        self.image_stem().map(|s| {
            (
                format!("assets/eval/{s}-test-images.idx"),
                format!("assets/eval/{s}-test-labels.idx"),
            )
        })
    }

    /// The committed held-out text of a text set.
    pub fn eval_text(self) -> Option<&'static str> {
        match self {
            DatasetId::Shakespeare => Some("assets/eval/shakespeare-heldout.txt"),
            DatasetId::Tang => Some("assets/eval/tang-heldout.txt"),
            DatasetId::Mnist | DatasetId::FashionMnist => None,
        }
    }

    /// Whether its text is Chinese (the LM page then offers a Chinese prompt).
    pub fn is_chinese(self) -> bool {
        self == DatasetId::Tang
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_are_named_in_both_languages() {
        for dataset in DatasetId::ALL {
            assert_eq!(dataset.class_names_in(Lang::En), dataset.class_names());
        }
        let zh = DatasetId::FashionMnist.class_names_in(Lang::Zh).unwrap();
        assert!(zh.iter().all(|n| !n.is_ascii()), "{zh:?}");
        assert_eq!(DatasetId::Mnist.class_names_in(Lang::Zh), Some(&DIGITS));
    }

    #[test]
    fn every_family_has_a_unique_kind_prefix_and_route() {
        assert_eq!(Kind::ALL.len(), FAMILIES.len());
        for (i, a) in FAMILIES.iter().enumerate() {
            assert_eq!(
                Kind::ALL[i],
                a.kind,
                "Kind::ALL lists the families in order"
            );
            assert_eq!(Kind::parse(a.kind.as_str()), Some(a.kind));
            assert_eq!(a.kind.family(), a);
            assert!(a.default_model.starts_with(a.prefix), "{a:?}");
            for b in &FAMILIES[i + 1..] {
                assert_ne!(a.kind, b.kind);
                assert!(!a.prefix.starts_with(b.prefix) && !b.prefix.starts_with(a.prefix));
                if let (Some(pa), Some(pb)) = (a.page, b.page) {
                    assert_ne!(pa.route, pb.route);
                }
            }
        }
        for page in [Page::Vae, Page::Gan, Page::Lm] {
            assert_eq!(Family::of_page(page).page.map(|p| p.page), Some(page));
        }
    }

    #[test]
    fn models_are_found_by_prefix_not_by_guessing() {
        let paths = [
            "assets/models/vae-mnist-z2.json",
            "assets/models/vae-mnist-z2.safetensors",
            "assets/models/dcgan-mnist.json",
            "assets/models/dcgan-mnist.step-00050.safetensors",
            "assets/models/vae-fashion-z2.json",
            "assets/eval/vae-not-a-model.json",
        ];
        assert_eq!(
            Kind::Vae.family().models_in(paths),
            ["vae-fashion-z2", "vae-mnist-z2"]
        );
        assert_eq!(Kind::Gan.family().models_in(paths), ["dcgan-mnist"]);
        assert!(Kind::Lm.family().models_in(paths).is_empty());
    }

    #[test]
    fn data_sets_round_trip_and_know_their_files() {
        for id in DatasetId::ALL {
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(json, format!("\"{}\"", id.as_str()));
            assert_eq!(serde_json::from_str::<DatasetId>(&json).unwrap(), id);
            assert_eq!(id.class_names().is_some(), id.eval_images().is_some());
            assert_eq!(id.classifier().is_some(), id.eval_text().is_none());
        }
        assert_eq!(
            DatasetId::FashionMnist.classifier().as_deref(),
            Some("classifier-fashion")
        );
        assert_eq!(DatasetId::FashionMnist.class_names().unwrap()[9], "Boot");
        assert!(serde_json::from_str::<DatasetId>("\"cifar\"").is_err());
    }
}
