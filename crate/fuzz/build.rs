//! Embeds the seed corpora and the saved crashers (`seeds/<target>/*`, `regressions/<target>/*`) into
//! `$OUT_DIR/corpus.rs`, so the replay test also runs where there is no file system: wasm32 in a browser.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut entries = Vec::new();
    for dir in ["seeds", "regressions"] {
        println!("cargo:rerun-if-changed={dir}");
        let Ok(targets) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for target in targets.flatten().filter(|t| t.path().is_dir()) {
            let Ok(files) = std::fs::read_dir(target.path()) else {
                continue;
            };
            for file in files.flatten().filter(|f| f.path().is_file()) {
                let target = target.file_name().to_string_lossy().into_owned();
                let name = format!("{dir}/{target}/{}", file.file_name().to_string_lossy());
                entries.push((target, name, file.path()));
            }
        }
    }
    entries.sort();
    let mut out = String::from(
        "/// Every seed and saved crasher: (target, path under crate/fuzz, bytes).\n\
         pub const CORPUS: &[(&str, &str, &[u8])] = &[\n",
    );
    for (target, name, path) in entries {
        let _ = writeln!(
            out,
            "    ({target:?}, {name:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let out_dir = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    if let Err(e) = std::fs::write(Path::new(&out_dir).join("corpus.rs"), out) {
        panic!("writing corpus.rs: {e}");
    }
}
