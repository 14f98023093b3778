//! `duplicate-resource`: two documents define the same Materialize object.

use std::collections::HashMap;
use std::sync::Arc;

use super::object::{FindingDraft, Locator};
use super::suppress;
use crate::finding::{Finding, ResourceRef, Rule, RuleInfo, Scope, Severity};
use crate::source::{DocumentSpan, SourceFile, Target, Unit, UnitKind, UnitRef};

pub static RULE: RuleInfo = RuleInfo {
    id: "duplicate-resource",
    severity: Severity::Error,
    scopes: &[Scope::Validate],
    summary: "Two documents define the same Materialize object (namespace/name) in one deploy unit",
    docs: "A namespace and a name identify one object in a cluster, whatever the \
apiVersion. When two documents in the checked files define the same \
Materialize object, only one of them can exist: whichever is applied last \
silently replaces the other, and Argo CD flags the application. Often one is a \
stale copy, or a v1alpha1 and a v1 version of the same resource kept side by \
side. Each later definition is reported and points at the first. Objects are \
compared within one deploy unit (an Argo CD Application, an Application an \
ApplicationSet's git directory generator makes, a Flux Kustomization, a \
kustomize root, a `units:` entry of .mz-presync.yaml, which replaces \
discovery, or a directory): the same object in two clusters' directories is \
two objects. An object without `metadata.namespace` takes its unit's \
destination namespace (Application or ApplicationSet template \
`destination.namespace`, Flux `targetNamespace`, the `namespace` of a `units:` \
entry, else the `namespace:` of the unit's own kustomization); without one it \
is compared within its file only, since the namespace it ends up in is decided \
elsewhere (kustomize, `kubectl -n`). Kustomize patches are not definitions and \
are never compared.",
    suppressible: true,
};

/// A Materialize object seen by the engine, for the cross-file pass.
pub(crate) struct Seen {
    pub file: Arc<SourceFile>,
    pub doc: DocumentSpan,
    pub prefix: String,
    pub resource: ResourceRef,
    /// The deploy units of the file (empty without unit discovery: the
    /// whole run is then one unit).
    pub units: Arc<[Unit]>,
    /// The object's ignore annotation names this rule.
    pub suppressed: bool,
}

/// Findings for every definition after the first of the same object.
/// `seen` must be in file order.
pub(crate) fn check(seen: &[Seen]) -> Vec<Finding> {
    let mut first: HashMap<(Option<UnitRef>, String, String), usize> = HashMap::new();
    let mut findings = Vec::new();
    for (i, entry) in seen.iter().enumerate() {
        let Some(name) = entry.resource.name.clone() else {
            continue;
        };
        // A file of a shared base belongs to every unit built from it, and
        // is compared within each; a pair found in several units is one
        // finding (the engine drops exact repeats), named by the first.
        let units: Vec<Option<&Unit>> = if entry.units.is_empty() {
            vec![None]
        } else {
            entry.units.iter().map(Some).collect()
        };
        for unit in units {
            // A namespace-less object lands in the unit's destination
            // namespace when the unit has one; otherwise where it lands is
            // decided elsewhere, so it is compared within its file only.
            let namespace = entry
                .resource
                .namespace
                .as_ref()
                .or_else(|| unit.and_then(|u| u.destination_namespace.as_ref()));
            let scope = match namespace {
                Some(namespace) => format!("namespace {namespace}"),
                None => format!("file {}", entry.file.display),
            };
            let key = (unit.map(Unit::reference), scope, name.clone());
            let Some(&original) = first.get(&key) else {
                first.insert(key, i);
                continue;
            };
            if entry.suppressed {
                continue;
            }
            // One finding per definition, even when a shared base repeats
            // the pair in several units.
            if let Some(finding) = duplicate(entry, &seen[original], unit) {
                findings.push(finding);
                break;
            }
        }
    }
    findings
}

/// The finding for `entry`, a second definition of `original`'s object in
/// `unit`, unless a comment silences it.
fn duplicate(entry: &Seen, original: &Seen, unit: Option<&Unit>) -> Option<Finding> {
    {
        let original_at = locate(original, "the first").line();
        let mut finding = locate(entry, "");
        finding.message = format!(
            "{} ({}) is already defined at {}:{} ({}): only one of them can exist in the cluster, and whichever is applied last silently replaces the other; remove one",
            entry.resource.display_name(),
            entry.resource.api_version,
            original.file.display,
            original_at,
            original.resource.api_version,
        );
        if let Some(unit) = unit {
            let place = if unit.kind == UnitKind::Directory {
                format!("directory {}", unit.path)
            } else {
                format!(
                    "{} `{}` at {}",
                    unit_kind_words(unit.kind),
                    unit.name,
                    unit.path
                )
            };
            finding
                .message
                .push_str(&format!(" (both are in the deploy unit {place})"));
            finding.unit = Some(unit.reference());
        }
        (!suppress::suppressed_by_comment(&entry.file, &finding)).then_some(finding)
    }
}

fn unit_kind_words(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::ArgocdApplication => "Argo CD Application",
        UnitKind::ArgocdApplicationset => "Argo CD ApplicationSet",
        UnitKind::FluxKustomization => "Flux Kustomization",
        UnitKind::Kustomization => "kustomization",
        UnitKind::Directory => "directory",
        UnitKind::Config => "configured unit",
    }
}

fn locate(entry: &Seen, message: &str) -> Finding {
    Locator::new(&entry.file, &entry.doc, None).finding(FindingDraft {
        rule: Rule::new(&RULE),
        severity: RULE.severity,
        pointer: format!("{}/metadata/name", entry.prefix),
        target: Target::Value,
        message: message.to_owned(),
        resource: Some(entry.resource.clone()),
    })
}
