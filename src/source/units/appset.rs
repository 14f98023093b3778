//! ApplicationSet git directory generators, expanded over a snapshot's
//! directories as Argo CD expands them over the repository: each
//! `spec.generators[].git.directories[]` entry is a glob (`*` within one
//! path segment, as Go's `path.Match`; `**` across segments), an entry with
//! `exclude: true` removes what it matches whatever the order, and every
//! directory left is one Application, its template rendered with the
//! directory's parameters.
//!
//! Both template syntaxes: fasttemplate (`{{path}}`, `{{path.basename}}`,
//! `{{path.basenameNormalized}}`, `{{path[N]}}`) and, with `goTemplate:
//! true`, Go templates reduced to the same parameters (`{{.path.path}}`,
//! `{{.path.basename}}`, `{{.path.basenameNormalized}}`,
//! `{{index .path.segments N}}`). Anything else (pipelines, functions,
//! `pathParamPrefix`) is left as written, and a source path left holding
//! `{{` declares no unit.
//!
//! Not expanded: list, cluster, matrix, merge, SCM and pull-request
//! generators, and git file generators; the generator's `repoURL` is taken
//! to be this repository.

use globset::{GlobBuilder, GlobMatcher};
use serde_json::Value;

use super::Tree;

/// The parameters of one generated Application.
pub(super) struct Params {
    path: String,
    go: bool,
}

/// The Applications the set's git directory generators make, in directory
/// order; `None` when it has no git directory generator.
pub(super) fn generate(value: &Value, tree: &Tree<'_>) -> Option<Vec<Params>> {
    let go = value
        .pointer("/spec/goTemplate")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut found = false;
    let mut out: Vec<String> = Vec::new();
    for generator in value
        .pointer("/spec/generators")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(entries) = generator
            .pointer("/git/directories")
            .and_then(Value::as_array)
        else {
            continue;
        };
        found = true;
        let mut include = Vec::new();
        let mut exclude = Vec::new();
        for entry in entries {
            let Some(glob) = entry.get("path").and_then(Value::as_str).and_then(matcher) else {
                continue;
            };
            if entry.get("exclude").and_then(Value::as_bool) == Some(true) {
                exclude.push(glob);
            } else {
                include.push(glob);
            }
        }
        out.extend(
            tree.directories
                .iter()
                .filter(|dir| *dir != ".")
                .filter(|dir| include.iter().any(|g| g.is_match(dir.as_str())))
                .filter(|dir| !exclude.iter().any(|g| g.is_match(dir.as_str())))
                .cloned(),
        );
    }
    found.then(|| {
        out.dedup();
        out.into_iter().map(|path| Params { path, go }).collect()
    })
}

/// A directory glob as the generator reads it; `None` when it is not one.
fn matcher(pattern: &str) -> Option<GlobMatcher> {
    let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .ok()
        .map(|glob| glob.compile_matcher())
}

/// The template with every string's parameters substituted.
pub(super) fn render(template: &Value, params: &Params) -> Value {
    match template {
        Value::String(text) if text.contains("{{") => Value::String(substitute(text, params)),
        Value::Array(items) => Value::Array(items.iter().map(|v| render(v, params)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), render(v, params)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `text` with each `{{ … }}` tag the parameters answer replaced; others
/// kept as written.
fn substitute(text: &str, params: &Params) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        let tag = &rest[start + 2..start + 2 + len];
        out.push_str(&rest[..start]);
        let value = if params.go {
            go_value(tag, params)
        } else {
            fast_value(tag.trim(), params)
        };
        match value {
            Some(value) => out.push_str(&value),
            None => out.push_str(&rest[start..start + 4 + len]),
        }
        rest = &rest[start + 4 + len..];
    }
    out.push_str(rest);
    out
}

fn segment(params: &Params, index: &str) -> Option<String> {
    let n: usize = index.trim().parse().ok()?;
    params.path.split('/').nth(n).map(str::to_owned)
}

fn basename(params: &Params) -> &str {
    params.path.rsplit('/').next().unwrap_or_default()
}

/// fasttemplate's `path…` parameters.
fn fast_value(tag: &str, params: &Params) -> Option<String> {
    match tag {
        "path" => Some(params.path.clone()),
        "path.basename" => Some(basename(params).to_owned()),
        "path.basenameNormalized" => Some(normalized(basename(params))),
        _ => {
            let index = tag.strip_prefix("path[")?.strip_suffix(']')?;
            segment(params, index)
        }
    }
}

/// A Go template action over `.path`, when it is one of the parameter
/// forms (with `{{-` / `-}}` trimming markers allowed).
fn go_value(tag: &str, params: &Params) -> Option<String> {
    let tag = tag.trim();
    let tag = tag.strip_prefix('-').unwrap_or(tag);
    let tag = tag.strip_suffix('-').unwrap_or(tag).trim();
    match tag {
        ".path.path" => Some(params.path.clone()),
        ".path.basename" => Some(basename(params).to_owned()),
        ".path.basenameNormalized" => Some(normalized(basename(params))),
        _ => {
            let words: Vec<&str> = tag.split_whitespace().collect();
            match words.as_slice() {
                ["index", ".path.segments", n] => segment(params, n),
                _ => None,
            }
        }
    }
}

/// Argo CD's name sanitizing: lower case, anything but `[-a-z0-9.]`
/// becomes `-`, then `-` and `.` trimmed from both ends.
fn normalized(name: &str) -> String {
    let lower: String = name
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    lower.trim_matches(|c| c == '-' || c == '.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(path: &str, go: bool) -> Params {
        Params {
            path: path.to_owned(),
            go,
        }
    }

    #[test]
    fn fasttemplate_parameters() {
        let p = params("clusters/Us_East", false);
        assert_eq!(
            substitute("{{path.basename}}-{{ path[0] }}:{{path}}", &p),
            "Us_East-clusters:clusters/Us_East"
        );
        assert_eq!(substitute("{{path.basenameNormalized}}", &p), "us-east");
        assert_eq!(
            substitute("{{cluster}}/{{path[9]}}", &p),
            "{{cluster}}/{{path[9]}}"
        );
        assert_eq!(substitute("open {{path", &p), "open {{path");
    }

    #[test]
    fn go_template_parameters() {
        let p = params("clusters/us-east", true);
        assert_eq!(
            substitute(
                "{{ .path.basename }}-{{index .path.segments 0}}:{{- .path.path -}}",
                &p
            ),
            "us-east-clusters:clusters/us-east"
        );
        assert_eq!(
            substitute("{{.path.basename | upper}}", &p),
            "{{.path.basename | upper}}"
        );
        // fasttemplate tags mean nothing to Go templates.
        assert_eq!(substitute("{{path}}", &p), "{{path}}");
    }

    #[test]
    fn globs_keep_star_within_a_segment() {
        let m = matcher("clusters/*").unwrap();
        assert!(m.is_match("clusters/a") && !m.is_match("clusters/a/b"));
        assert!(matcher("./clusters/**/").unwrap().is_match("clusters/a/b"));
    }
}
