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
    use super::*;

    #[test]
    fn formulas_are_mathml_with_no_tex_left() {
        for mathml in [
            OBJECTIVE,
            ELBO,
            REPARAM,
            GAUSSIAN_KL,
            GAN_MINIMAX,
            AR_FACTORISATION,
            SOFTMAX_T,
            PERPLEXITY,
        ] {
            assert!(mathml.starts_with("<math"), "{mathml}");
            assert!(!mathml.contains('\\'), "raw TeX left: {mathml}");
            assert!(
                !mathml.contains("merror"),
                "a formula did not parse: {mathml}"
            );
        }
        assert!(
            OBJECTIVE.contains("<mfrac>") && OBJECTIVE.contains("∑"),
            "{OBJECTIVE}"
        );
        assert!(
            GAN_MINIMAX.contains("min") && GAN_MINIMAX.contains("max"),
            "{GAN_MINIMAX}"
        );
    }
}
