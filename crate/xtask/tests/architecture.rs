//! ARCHITECTURE.md stays true: every file or folder its crate table names exists, and every module of every crate
//! (each `src/NAME.rs` and `src/NAME/` and, in the app, each page folder and hook) is named in its crate's row; and no
//! two top-level modules of a crate import each other, directly or in a longer circle.
// A test: a failed unwrap is a failed check with its message.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// One row of the crate table: the crate's folder and the text of its "owns" column.
struct Row {
    name: String,
    dir: PathBuf,
    owns: String,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The rows of the first table whose second column is a crate folder (`crate/...` or `tests`).
fn crate_rows(text: &str) -> Vec<Row> {
    text.lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .split(" | ")
                .map(|c| c.trim_matches(['|', ' ']))
                .collect();
            let [name, path, owns, ..] = cells.as_slice() else {
                return None;
            };
            let path = path.trim_matches('`');
            (path.starts_with("crate/") || path == "tests").then(|| Row {
                name: name.trim_matches('`').to_string(),
                dir: root().join(path),
                owns: owns.to_string(),
            })
        })
        .collect()
}

/// The backticked names in `text` that look like files or folders (`vae.rs`, `pages/vae/`, `src/kernels/*.wgsl`).
fn named_paths(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| !t.contains(' ') && !t.contains("::") && !t.contains('('))
        .filter(|t| {
            t.ends_with('/')
                || [".rs", ".wgsl", ".js", ".css", ".json", ".toml", ".html"]
                    .iter()
                    .any(|e| t.ends_with(e))
        })
        .map(str::to_string)
        .collect()
}

/// Whether `name` (relative, possibly with one `*`) exists under one of the crate's folders or the root.
fn exists(row: &Row, name: &str) -> bool {
    // What the build and the trainers write (`dist/…`, `data/…`) is not in a clean checkout, so it cannot be checked
    // for here (a green run on a machine that has trained once would hide that).
    if name.starts_with("dist/") || name.starts_with("data/") {
        return true;
    }
    let bases = [
        row.dir.join("src"),
        row.dir.clone(),
        root(),
        root().join("web"),
    ];
    bases.iter().any(|base| match name.split_once('*') {
        None => base.join(name.trim_end_matches('/')).exists(),
        Some((before, after)) => {
            let dir = base.join(before);
            let (dir, prefix) = if before.ends_with('/') || before.is_empty() {
                (dir, String::new())
            } else {
                let file = Path::new(before);
                (
                    base.join(file.parent().unwrap_or(Path::new(""))),
                    file.file_name()
                        .map(|f| f.to_string_lossy().to_string())
                        .unwrap_or_default(),
                )
            };
            std::fs::read_dir(dir).is_ok_and(|entries| {
                entries.flatten().any(|e| {
                    let n = e.file_name().to_string_lossy().to_string();
                    n.starts_with(&prefix) && n.ends_with(after)
                })
            })
        }
    })
}

/// The modules a reader must find in the row: `src/NAME.rs` (not lib.rs or main.rs), `src/NAME/`, and the folders
/// and files one level inside `src/pages/` and `src/hooks/`.
fn modules(row: &Row) -> Vec<String> {
    let mut out = Vec::new();
    let src = row.dir.join("src");
    let Ok(entries) = std::fs::read_dir(&src) else {
        return out;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let path = entry.path();
        if path.is_dir() {
            out.push(format!("{name}/"));
            if name == "pages" {
                for page in std::fs::read_dir(&path).unwrap().flatten() {
                    let slash = if page.path().is_dir() { "/" } else { "" };
                    let page = page.file_name().to_string_lossy().to_string();
                    if page != "mod.rs" {
                        out.push(format!("{page}{slash}"));
                    }
                }
            }
        } else if name.ends_with(".rs") && name != "lib.rs" && name != "main.rs" {
            out.push(name);
        }
    }
    out.sort();
    out
}

#[test]
fn every_file_the_crate_table_names_exists() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let rows = crate_rows(&text);
    assert!(rows.len() >= 7, "found {} crate rows", rows.len());
    let missing: Vec<String> = rows
        .iter()
        .flat_map(|row| {
            named_paths(&row.owns)
                .into_iter()
                .filter(|name| !exists(row, name))
                .map(|name| format!("{}: `{name}`", row.name))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names files that do not exist: {missing:?}"
    );
}

#[test]
fn every_module_is_named_in_its_crate_row() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let rows = crate_rows(&text);
    let unnamed: Vec<String> = rows
        .iter()
        .flat_map(|row| {
            let named = named_paths(&row.owns);
            modules(row)
                .into_iter()
                .filter(|m| {
                    !named.iter().any(|n| {
                        n == m
                            || n.ends_with(&format!("/{m}"))
                            || n.trim_end_matches('/') == m.trim_end_matches('/')
                    })
                })
                .map(|m| format!("{}: {m}", row.name))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        unnamed.is_empty(),
        "modules ARCHITECTURE.md does not name in their crate's row: {unnamed:?}"
    );
}

#[test]
fn the_checks_notice_a_missing_file_and_an_unnamed_module() {
    let row = Row {
        name: "genscope-core".into(),
        dir: root().join("crate/core"),
        owns: "`vae.rs`, `nope.rs`, `src/kernels/*.wgsl`".into(),
    };
    assert!(exists(&row, "vae.rs"));
    assert!(!exists(&row, "nope.rs"));
    assert!(modules(&row).contains(&"registry.rs".to_string()));
    assert!(!named_paths(&row.owns).contains(&"registry.rs".to_string()));
}

/// The `crate::NAME` imports between the top-level modules of a crate's `src/` (a module is `NAME.rs` or `NAME/`;
/// `lib.rs` and `main.rs` are the root and left out): `(from, to)` pairs.
fn module_imports(src: &Path) -> Vec<(String, String)> {
    fn files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut all = Vec::new();
    files(src, &mut all);
    let mut edges = Vec::new();
    for file in all {
        let relative = file
            .strip_prefix(src)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let module = relative
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        // Doc links (`[`crate::cpu::CpuBackend`]`) are not imports: comment lines are left out.
        let text: String = std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let is_module = src.join(format!("{name}.rs")).exists() || src.join(&name).is_dir();
            if is_module && name != module {
                edges.push((module.clone(), name));
            }
        }
    }
    edges.sort();
    edges.dedup();
    edges
}

/// A cycle in the import graph, if there is one, as the path that closes it.
fn import_cycle(edges: &[(String, String)]) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &[(String, String)],
        path: &mut Vec<String>,
        done: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.iter().any(|d| d == node) {
            return None;
        }
        path.push(node.to_string());
        for (_, to) in edges.iter().filter(|(from, _)| from == node) {
            if let Some(cycle) = visit(to, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.push(node.to_string());
        None
    }
    let mut done = Vec::new();
    edges
        .iter()
        .find_map(|(from, _)| visit(from, edges, &mut Vec::new(), &mut done))
}

#[test]
fn no_two_modules_of_a_crate_import_each_other() {
    for krate in ["core", "app", "webgpu", "train"] {
        let edges = module_imports(&root().join("crate").join(krate).join("src"));
        assert!(
            !edges.is_empty() || krate == "webgpu",
            "{krate}: no imports found"
        );
        if let Some(cycle) = import_cycle(&edges) {
            panic!(
                "crate/{krate}: its modules import each other in a circle: {}",
                cycle.join(" → ")
            );
        }
    }
    // The check itself notices a circle.
    let circle = [("a", "b"), ("b", "c"), ("c", "a")].map(|(a, b)| (a.to_string(), b.to_string()));
    assert_eq!(import_cycle(&circle).map(|c| c.len()), Some(4));
    assert_eq!(import_cycle(&circle[..2]), None);
}
