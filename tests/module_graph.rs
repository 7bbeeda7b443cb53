//! The crate's module graph, read from the source: which top-level module of `src/` uses which
//! (every `crate::<module>` path in code that is not a test), checked against the layers the crate
//! root documents. No import cycles, no layer using one above it, and nothing of the product using
//! the simulation machinery.
//!
//! Test code is left out: a `#[cfg(test)]` module declared in its own file (`mod tests;`,
//! `mod calls;`) and a file's inline `#[cfg(test)] mod tests { ... }` (which by this crate's
//! convention ends the file). Comments and doc comments are left out too.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, bottom first, as `src/lib.rs` documents them. A module may use modules of its own
/// layer (without cycles) and of the layers below.
const LAYERS: &[&[&str]] = &[
    &["time", "types", "queue", "bits"],
    &["dsp", "g711", "wav"],
    &["fsk", "v22bis", "startstop", "hdlc"],
    &["tones", "v8", "automode"],
    &["modem"],
    &["v42", "v42bis", "link", "transfer", "ppp", "net", "telnet"],
    &["hayes", "phone", "dce"],
    &["host", "panel", "terminal"],
    &["web"],
];

/// Apart from the product: may use anything; nothing of the product may use them.
const APART: &[&str] = &["sim", "fuzzing"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, but the binary's.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.file_name().unwrap() != "bin" {
                files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to (`None` for the crate root).
fn top_module(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel.components().next().unwrap().as_os_str().to_str().unwrap();
    match first {
        "lib.rs" => None,
        f => Some(f.trim_end_matches(".rs").to_string()),
    }
}

/// Files that are test modules declared with `#[cfg(test)] mod name;` in their parent.
fn test_files(all: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for f in all {
        let text = fs::read_to_string(f).unwrap();
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for w in lines.windows(2) {
            if w[0] == "#[cfg(test)]" {
                if let Some(name) = w[1].strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
                    let dir = if f.file_name().unwrap() == "mod.rs" || f.file_name().unwrap() == "lib.rs" {
                        f.parent().unwrap().to_path_buf()
                    } else {
                        f.with_extension("")
                    };
                    out.insert(dir.join(format!("{name}.rs")));
                    out.insert(dir.join(name).join("mod.rs"));
                }
            }
        }
    }
    out
}

/// The code of a file without its inline `#[cfg(test)]` modules and without comments.
fn product_code(text: &str) -> String {
    let mut out = String::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim();
        let inline_test_module = t == "#[cfg(test)]"
            && lines.get(i + 1).is_some_and(|n| {
                let n = n.trim();
                let n = n.strip_prefix("pub(crate) ").or_else(|| n.strip_prefix("pub ")).unwrap_or(n);
                n.starts_with("mod ") && n.ends_with('{')
            });
        if inline_test_module {
            // Skip to the brace that closes the module.
            let mut depth = 0i32;
            i += 1;
            while i < lines.len() {
                let code = lines[i].split("//").next().unwrap_or("");
                depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
                i += 1;
                if depth <= 0 {
                    break;
                }
            }
            continue;
        }
        if !t.starts_with("//") {
            out.push_str(lines[i].split("//").next().unwrap_or(""));
            out.push('\n');
        }
        i += 1;
    }
    out
}

/// The top-level modules named in `crate::<module>` paths, `use crate::{a, b}` groups included.
fn uses(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
        rest = after;
    }
    out
}

/// module -> the modules it uses.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut all = Vec::new();
    files(&src(), &mut all);
    let tests = test_files(&all);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &all {
        let Some(module) = top_module(f) else { continue };
        let entry = g.entry(module.clone()).or_default();
        // A test module's file, or a file of its submodules (`tests.rs` with `tests/*.rs`).
        if tests.iter().any(|t| f == t || f.starts_with(t.with_extension(""))) {
            continue;
        }
        let code = product_code(&fs::read_to_string(f).unwrap());
        for used in uses(&code) {
            if used != module {
                entry.insert(used);
            }
        }
    }
    g
}

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

#[test]
fn every_module_has_a_layer() {
    for m in graph().keys() {
        assert!(
            layer(m).is_some() || APART.contains(&m.as_str()),
            "src/{m} is in no layer: add it to LAYERS here and to the crate root's table"
        );
    }
}

#[test]
fn no_module_uses_a_layer_above_it_or_the_simulation() {
    let mut wrong = Vec::new();
    for (m, used) in &graph() {
        let Some(lm) = layer(m) else { continue };
        for u in used {
            match layer(u) {
                Some(lu) if lu <= lm => {}
                Some(_) => wrong.push(format!("{m} (layer {lm}) uses {u}, a layer above")),
                // The page's bindings run the demo, which is simulation (the `web` feature turns
                // `sim` on).
                None if m == "web" && u == "sim" => {}
                None => wrong.push(format!("{m} uses {u}, which is apart from the product")),
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn no_import_cycles() {
    let g = graph();
    // Depth-first search for a back edge; reports the cycle it closes.
    fn visit(
        m: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut cycle = path[i..].to_vec();
            cycle.push(m.to_string());
            return Some(cycle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for u in g.get(m).into_iter().flatten() {
            if let Some(c) = visit(u, g, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in g.keys() {
        if let Some(cycle) = visit(m, &g, &mut Vec::new(), &mut done) {
            panic!("import cycle: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn the_reader_finds_what_it_should() {
    // The checks above are only as good as the reading: a known use, a group, a test module and a
    // comment.
    let code = product_code(
        "use crate::dsp::Nco;\nuse crate::{fsk, v8::Menu};\n// crate::hayes\nlet x = crate::wav::Wav::parse(b);\n\
         #[cfg(test)]\npub(crate) mod testsig {\n    use crate::modem::Modem;\n}\nuse crate::g711::Law;\n",
    );
    let u = uses(&code);
    assert_eq!(u.into_iter().collect::<Vec<_>>(), ["dsp", "fsk", "g711", "v8", "wav"]);
    let g = graph();
    assert!(g["modem"].contains("automode"), "{:?}", g["modem"]);
    assert!(g["sim"].contains("modem"));
    assert!(!g["automode"].contains("modem"), "automode's own tests use the modem; its code must not");
}
