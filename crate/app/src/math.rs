//! The explainers' formulas: LaTeX in `crate/app/formulas.txt`, MathML made at build time (`build.rs`).

use yew::prelude::*;

include!(concat!(env!("OUT_DIR"), "/formulas.rs"));

/// Shows a formula made at build time (one of this module's constants).
pub fn formula(mathml: &'static str) -> Html {
    // Built from this crate's own formulas.txt, never from anything a visitor supplies.
    Html::from_html_unchecked(AttrValue::Static(mathml))
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_are_mathml_with_no_tex_left() {
        #[allow(clippy::single_element_loop)] // every formula joins this list
        for mathml in [super::OBJECTIVE] {
            assert!(mathml.starts_with("<math"), "{mathml}");
            assert!(!mathml.contains('\\'), "raw TeX left: {mathml}");
            assert!(
                mathml.contains("<mfrac>") && mathml.contains("∑"),
                "{mathml}"
            );
        }
    }
}
