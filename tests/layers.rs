//! The crate's layering, checked: each module may use only the modules of lower layers (and
//! its own files), and the files of one module never import each other in a cycle. A new
//! upward import fails here. The layers are written down in the README ("Layers").

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Top-level modules by layer, lowest first.
const LAYERS: &[&[&str]] = &[
    &["prelude"],
    &["text", "base64url", "json", "origin"],
    &["token", "error"],
    &["claims", "grant"],
    &["crosstab"],
    &["session"],
    &["refresh"],
    &["web", "runtime"],
];

fn layer_of(module: &str) -> usize {
    LAYERS.iter().position(|layer| layer.contains(&module)).unwrap_or_else(|| {
        panic!("module `{module}` is in no layer: add it to LAYERS and the README")
    })
}

/// Every `.rs` file under `src/`, with its top-level module and its name within it.
fn sources() -> Vec<(String, String, String)> {
    let mut files = Vec::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
                let mut parts = relative.trim_end_matches(".rs").split('/');
                let top = parts.next().unwrap().to_owned();
                let file = parts.next().unwrap_or("mod").to_owned();
                files.push((top, file, fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files
}

/// The identifiers that follow `prefix` in `text` (`crate::` or `super::`).
fn uses<'a>(text: &'a str, prefix: &str) -> BTreeSet<&'a str> {
    text.match_indices(prefix)
        .map(|(i, _)| {
            let rest = &text[i + prefix.len()..];
            let end =
                rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            &rest[..end]
        })
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn no_module_uses_a_higher_layer() {
    let mut upward = Vec::new();
    for (top, file, text) in sources() {
        if top == "lib" {
            continue;
        }
        let own = layer_of(&top);
        for used in uses(&text, "crate::") {
            if used != top && layer_of(used) >= own {
                upward.push(format!("{top}/{file} uses crate::{used}"));
            }
        }
    }
    assert!(upward.is_empty(), "imports that break the layering:\n{}", upward.join("\n"));
}

#[test]
fn the_files_of_a_module_do_not_import_each_other_in_a_cycle() {
    let mut graphs: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (top, file, text) in sources() {
        let edges = uses(&text, "super::").into_iter().map(str::to_owned).collect();
        graphs.entry(top).or_default().insert(file, edges);
    }
    for (module, graph) in graphs {
        // Depth-first search for a back edge.
        fn visit(
            node: &str,
            graph: &BTreeMap<String, BTreeSet<String>>,
            path: &mut Vec<String>,
            done: &mut BTreeSet<String>,
        ) -> Option<Vec<String>> {
            if let Some(start) = path.iter().position(|n| n == node) {
                let mut cycle = path[start..].to_vec();
                cycle.push(node.to_owned());
                return Some(cycle);
            }
            if !done.insert(node.to_owned()) {
                return None;
            }
            path.push(node.to_owned());
            for next in graph.get(node).into_iter().flatten() {
                if let Some(cycle) = visit(next, graph, path, done) {
                    return Some(cycle);
                }
            }
            path.pop();
            None
        }
        let mut done = BTreeSet::new();
        for node in graph.keys() {
            if let Some(cycle) = visit(node, &graph, &mut Vec::new(), &mut done) {
                panic!("{module}: import cycle {}", cycle.join(" → "));
            }
        }
    }
}
