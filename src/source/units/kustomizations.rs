//! The kustomizations of a snapshot as discovery needs them: what each
//! references (`resources`, `bases`, `components`: the files and
//! directories a build is made of), which other files it reads (patches,
//! generator inputs, replacements, configurations: they change the output
//! without defining objects), and its `namespace:`.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{RepoFiles, Tree, parse};

/// What one kustomization says.
#[derive(Clone, Debug, Default)]
pub(super) struct Kustomization {
    /// Repository-relative targets of `resources`, `bases`, `components`
    /// (remote ones left out).
    pub references: Vec<String>,
    /// Repository-relative files it reads besides those.
    pub named: Vec<String>,
    /// Its `namespace:`, which kustomize sets on every object it builds.
    pub namespace: Option<String>,
}

/// The kustomization file `path` of the directory `dir`. One that cannot be
/// read or parsed says nothing (`validate` reports it).
pub(super) fn read(files: &dyn RepoFiles, path: &str, dir: &str) -> Kustomization {
    let mut out = Kustomization::default();
    let Some((_, file)) = files.read(path).and_then(|bytes| parse(path, bytes)) else {
        return out;
    };
    for doc in file.documents() {
        let Ok(Some(value)) = crate::source::parse_document(&file, &doc) else {
            continue;
        };
        let resolve = |entry: &str, into: &mut Vec<String>| {
            if is_remote(entry) {
                return;
            }
            if let Some(target) = files.resolve(dir, entry) {
                into.push(target);
            }
        };
        for list in ["resources", "bases", "components"] {
            for entry in strings(value.get(list)) {
                resolve(entry, &mut out.references);
            }
        }
        for entry in named_files(&value) {
            resolve(&entry, &mut out.named);
        }
        if out.namespace.is_none() {
            out.namespace = value
                .get("namespace")
                .and_then(Value::as_str)
                .filter(|ns| !ns.is_empty())
                .map(str::to_owned);
        }
    }
    out
}

/// The files a kustomization reads besides its resources, as written.
fn named_files(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    // Strategic-merge patches given as paths (an inline one holds a newline
    // or is a JSON object).
    for entry in strings(value.get("patchesStrategicMerge")) {
        if !entry.contains('\n') && !entry.trim_start().starts_with('{') {
            out.push(entry.to_owned());
        }
    }
    for list in ["patches", "patchesJson6902", "replacements"] {
        for item in value
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.extend(item.get("path").and_then(Value::as_str).map(str::to_owned));
        }
    }
    for list in ["configMapGenerator", "secretGenerator"] {
        for item in value
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            // `files: [key=path]`, `envs: [path]`, `env: path`.
            for entry in strings(item.get("files")) {
                let path = entry.split_once('=').map_or(entry, |(_, path)| path);
                out.push(path.to_owned());
            }
            out.extend(strings(item.get("envs")).map(str::to_owned));
            out.extend(item.get("env").and_then(Value::as_str).map(str::to_owned));
        }
    }
    for list in [
        "configurations",
        "crds",
        "transformers",
        "generators",
        "validators",
    ] {
        out.extend(
            strings(value.get(list))
                .filter(|entry| !entry.contains('\n'))
                .map(str::to_owned),
        );
    }
    out.extend(
        value
            .pointer("/openapi/path")
            .and_then(Value::as_str)
            .map(str::to_owned),
    );
    out
}

fn strings(list: Option<&Value>) -> impl Iterator<Item = &str> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

fn is_remote(entry: &str) -> bool {
    entry.contains("://") || entry.contains("?ref=") || entry.starts_with("github.com/")
}

/// Everything a build from the kustomization in `start` reads.
#[derive(Clone, Debug, Default)]
pub(super) struct Closure {
    /// Directories of the kustomizations reached (and referenced plain
    /// directories).
    pub directories: BTreeSet<String>,
    /// Resource files referenced one by one.
    pub resources: BTreeSet<String>,
    /// Other files the kustomizations read.
    pub named: BTreeSet<String>,
}

/// The kustomizations reached from the one in `start`, transitively; a
/// reference that is neither a kustomization's directory nor a directory
/// is a resource file.
pub(super) fn closure(tree: &Tree<'_>, start: &str) -> Closure {
    let mut out = Closure::default();
    let mut pending = vec![start.to_owned()];
    while let Some(dir) = pending.pop() {
        // The set guards against reference cycles.
        if !out.directories.insert(dir.clone()) {
            continue;
        }
        let Some(kustomization) = tree.kustomizations.get(&dir) else {
            continue;
        };
        for target in &kustomization.references {
            if tree.kustomizations.contains_key(target) || tree.directories.contains(target) {
                pending.push(target.clone());
            } else {
                out.resources.insert(target.clone());
            }
        }
        out.named.extend(kustomization.named.iter().cloned());
    }
    out
}
