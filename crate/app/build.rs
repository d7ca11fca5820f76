//! Renders `formulas.txt` (LaTeX) to MathML constants in `$OUT_DIR/formulas.rs`, so the site ships finished
//! MathML and needs no math library at run time.

use std::fmt::Write as _;

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{push_mathml, Parser, RenderConfig, Storage};

fn main() {
    println!("cargo::rerun-if-changed=formulas.txt");
    let source = std::fs::read_to_string("formulas.txt").expect("crate/app/formulas.txt");
    let mut out = String::new();
    for (number, line) in source.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, latex) = line
            .split_once(" = ")
            .unwrap_or_else(|| panic!("formulas.txt:{}: expected NAME = LaTeX", number + 1));
        let storage = Storage::new();
        let parser = Parser::new(latex, &storage);
        let mut mathml = String::new();
        let config = RenderConfig {
            display_mode: DisplayMode::Block,
            ..Default::default()
        };
        push_mathml(&mut mathml, parser, config)
            .unwrap_or_else(|e| panic!("formulas.txt:{} ({name}): {e}", number + 1));
        writeln!(
            out,
            "/// `{}` as MathML.\npub const {name}: &str = {:?};",
            latex.replace('`', "'"),
            mathml
        )
        .unwrap_or_default();
    }
    let path =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("formulas.rs");
    std::fs::write(path, out).expect("writing formulas.rs");
}
