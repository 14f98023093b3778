//! The units one manifest document declares: Argo CD `Application`s,
//! `ApplicationSet`s (see `appset.rs` for their generators) and Flux
//! `Kustomization`s, with what their sources say of rendering.

use serde_json::Value;

use super::{Reach, Renderer, Tree, Unit, UnitInputs, UnitKind, appset, normalize};

/// A unit as a document declares it, before discovery works out its reach
/// and renderer from the snapshot.
pub(super) struct Declared {
    pub unit: Unit,
    pub hints: Hints,
    /// The repository-relative file declaring it.
    pub declared_in: Option<String>,
}

/// What an Argo CD source says of rendering.
#[derive(Clone, Debug, Default)]
pub(super) struct Hints {
    /// `plugin.name` (empty when the source has `plugin:` without a name).
    pub plugin: Option<String>,
    pub helm: Option<Helm>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct Helm {
    /// `helm.valueFiles`, relative to the chart's directory.
    pub value_files: Vec<String>,
    pub release_name: Option<String>,
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The units one document of the file `file` declares.
pub(super) fn declared_units(value: &Value, file: &str, tree: &Tree<'_>) -> Vec<Declared> {
    let api_version = text(value, "/apiVersion").unwrap_or_default();
    let kind = text(value, "/kind").unwrap_or_default();
    let name = text(value, "/metadata/name").unwrap_or_default();
    let group = api_version.split('/').next().unwrap_or_default();
    let mut out = match (group, kind.as_str()) {
        ("argoproj.io", "Application") => {
            application_units(value, UnitKind::ArgocdApplication, name)
        }
        ("argoproj.io", "ApplicationSet") => applicationset_units(value, name, tree),
        ("kustomize.toolkit.fluxcd.io", "Kustomization") => {
            // Flux's default path is the repository root.
            let path = text(value, "/spec/path").unwrap_or_default();
            normalize("", &path)
                .map(|path| Declared {
                    unit: Unit {
                        kind: UnitKind::FluxKustomization,
                        name,
                        path,
                        destination_namespace: text(value, "/spec/targetNamespace"),
                        renderer: Renderer::Kustomize,
                        reach: Reach::Recursive,
                        inputs: UnitInputs::default(),
                    },
                    hints: Hints::default(),
                    declared_in: None,
                })
                .into_iter()
                .collect()
        }
        _ => Vec::new(),
    };
    for declared in &mut out {
        declared.declared_in = Some(file.to_owned());
    }
    out
}

/// An ApplicationSet: one unit per Application its git directory
/// generators make; without one, its template as an Application named
/// after the set (when the template's path is literal).
fn applicationset_units(value: &Value, name: String, tree: &Tree<'_>) -> Vec<Declared> {
    let Some(template) = value.pointer("/spec/template") else {
        return Vec::new();
    };
    match appset::generate(value, tree) {
        Some(generated) => generated
            .iter()
            .flat_map(|params| {
                let rendered = appset::render(template, params);
                let name = text(&rendered, "/metadata/name")
                    .filter(|n| !n.contains("{{"))
                    .unwrap_or_else(|| name.clone());
                application_units(
                    &serde_json::json!({"spec": rendered.get("spec").cloned().unwrap_or(Value::Null)}),
                    UnitKind::ArgocdApplicationset,
                    name,
                )
            })
            .collect(),
        None => application_units(
            &serde_json::json!({"spec": template.get("spec").cloned().unwrap_or(Value::Null)}),
            UnitKind::ArgocdApplicationset,
            name,
        ),
    }
}

/// One unit per source path of an Application (a path still holding a
/// template parameter is not one).
fn application_units(value: &Value, kind: UnitKind, name: String) -> Vec<Declared> {
    let Some(spec) = value.get("spec") else {
        return Vec::new();
    };
    let namespace = text(spec, "/destination/namespace").filter(|ns| !ns.is_empty());
    let sources = spec.get("source").into_iter().chain(
        spec.get("sources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten(),
    );
    sources
        .filter_map(|source| {
            let path = source.get("path")?.as_str()?;
            if path.contains("{{") {
                return None;
            }
            let recurse = source
                .pointer("/directory/recurse")
                .and_then(Value::as_bool);
            let hints = Hints {
                plugin: source
                    .get("plugin")
                    .map(|plugin| text(plugin, "/name").unwrap_or_default()),
                helm: source.get("helm").map(|helm| Helm {
                    value_files: helm
                        .get("valueFiles")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                    release_name: text(helm, "/releaseName").filter(|r| !r.is_empty()),
                }),
            };
            Some(Declared {
                unit: Unit {
                    kind,
                    name: name.clone(),
                    path: normalize("", path)?,
                    destination_namespace: namespace.clone(),
                    renderer: Renderer::Directory { recurse: false },
                    reach: if recurse == Some(true) {
                        Reach::Recursive
                    } else {
                        Reach::Directory
                    },
                    inputs: UnitInputs::default(),
                },
                hints,
                declared_in: None,
            })
        })
        .collect()
}
