//! Replays every committed seed and saved crasher through its fuzz target, natively and (as a wasm-bindgen-test in
//! headless Chromium) in wasm32, the architecture that ships: no input may panic, and each must get the verdict
//! recorded natively in `verdicts.txt`, so a 32-bit `usize` cannot change what the site accepts.
//!
//! After adding a seed or a crasher: `cargo test -p genscope-fuzz --test replay -- --ignored write_verdicts`.
// A test: a failed unwrap is a failed check with its message.
#![allow(clippy::unwrap_used)]

include!(concat!(env!("OUT_DIR"), "/corpus.rs"));

/// `path<TAB>verdict` per corpus input, as recorded natively.
const VERDICTS: &str = include_str!("../verdicts.txt");

fn target(name: &str) -> genscope_fuzz::Target {
    match genscope_fuzz::TARGETS.iter().find(|(n, _)| *n == name) {
        Some((_, target)) => *target,
        None => panic!("a corpus directory names no target: {name}"),
    }
}

fn recorded(path: &str) -> Option<&'static str> {
    VERDICTS
        .lines()
        .find_map(|line| line.strip_prefix(path)?.strip_prefix('\t'))
}

/// Checks every input's verdict; `run` runs the target on it first (catching a panic where it can).
fn replay(mut run: impl FnMut(&str, genscope_fuzz::Target, &[u8])) {
    let mut stale = Vec::new();
    for (name, _) in genscope_fuzz::TARGETS {
        let inputs = CORPUS.iter().filter(|(t, _, _)| *t == name).count();
        assert!(inputs >= 3, "{name}: only {inputs} seed inputs");
    }
    for &(name, path, data) in CORPUS {
        run(path, target(name), data);
        let verdict = genscope_fuzz::verdict(name, data);
        match recorded(path) {
            Some(expected) if expected == verdict => {}
            Some(expected) => {
                panic!("{path}: the verdict is `{verdict}`, recorded natively as `{expected}`")
            }
            None => stale.push(path),
        }
    }
    assert!(
        stale.is_empty(),
        "no recorded verdict for {stale:?}: run `cargo test -p genscope-fuzz --test replay -- --ignored \
         write_verdicts` natively and commit verdicts.txt"
    );
}

/// Every committed seed and every saved crasher runs through its target without a panic, with its verdict.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn seeds_and_saved_crashers_run_clean() {
    replay(|path, target, data| {
        let outcome = std::panic::catch_unwind(|| target(data));
        assert!(outcome.is_ok(), "panicked on {path}");
    });
}

/// Records every input's native verdict in `verdicts.txt`.
#[cfg(not(target_arch = "wasm32"))]
#[test]
#[ignore = "rewrites verdicts.txt"]
fn write_verdicts() {
    let mut out = String::new();
    for &(name, path, data) in CORPUS {
        out.push_str(&format!("{path}\t{}\n", genscope_fuzz::verdict(name, data)));
    }
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("verdicts.txt");
    std::fs::write(file, out).unwrap();
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    /// The same replay in wasm32 (a 32-bit `usize`): a panic aborts the test, so each input is named first.
    #[wasm_bindgen_test]
    fn seeds_and_saved_crashers_run_clean_in_wasm32() {
        assert_eq!(usize::BITS, 32);
        super::replay(|path, target, data| {
            console_log!("replaying {path}");
            target(data);
        });
    }
}
