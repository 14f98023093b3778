//! Recognising Go/Helm (and Hugo) template files.
//!
//! A template is not a manifest: its YAML only exists after rendering. The
//! check is lexical: a `{{ … }}` action (closed on the same line) that sits
//! where a YAML node starts — at the start of a line, after `key: `, after
//! `- ` — outside comments, quoted strings and block scalars. There a `{`
//! would begin a flow mapping whose key is another mapping, which no
//! Kubernetes manifest contains, so the file cannot be meant as plain YAML.
//! A `{{ … }}` inside a plain scalar (`image: repo:{{< version >}}`) or a
//! quoted string (`name: "{{ .Release.Name }}"`) is ordinary text: such files
//! parse, and they are validated like any other.
//!
//! [`parse_document`](super::parse_document) runs it only after a parse
//! failure, to turn the error into
//! [`ParseError::Template`](super::ParseError::Template); callers may also
//! use it as a cheap
//! pre-check on a whole file (one pass over the bytes, no allocation beyond
//! the document list).

use super::scan::Scanner;
use super::split::scan_stream;

/// True when `text` contains a Go/Helm/Hugo template action where YAML
/// expects a node (see the module docs for the exact rule).
pub fn looks_like_template(text: &str) -> bool {
    find_template_action(text).is_some()
}

/// Byte offset in `text` of the first template action found where YAML
/// expects a node, if any.
pub fn find_template_action(text: &str) -> Option<usize> {
    // Cheap exit for the common case: no `{{` anywhere.
    memchr::memmem::find(text.as_bytes(), b"{{")?;
    let mut scanner = Scanner::new();
    scan_stream(text, &mut scanner);
    scanner.first_template
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_control_lines_are_templates() {
        assert!(looks_like_template(
            "{{- if .Values.x }}\napiVersion: v1\n{{- end }}\n"
        ));
        assert!(looks_like_template(
            "spec:\n  {{- toYaml .Values.spec | nindent 2 }}\n"
        ));
        assert!(looks_like_template(
            "metadata:\n  name: {{ .Release.Name }}\n"
        ));
        assert!(looks_like_template("items:\n- {{ .x }}\n"));
        assert!(looks_like_template("{{/* a comment */}}\na: 1\n"));
        assert!(looks_like_template("a: 1\n---\nb: {{ .x }}\n"));
    }

    #[test]
    fn expressions_inside_scalars_are_not_templates() {
        assert!(!looks_like_template("image: repo:{{< version >}}\n"));
        assert!(!looks_like_template("name: \"{{ .Release.Name }}\"\n"));
        assert!(!looks_like_template("name: '{{ .Release.Name }}'\n"));
        assert!(!looks_like_template("# {{- if .Values.x }}\na: 1\n"));
        assert!(!looks_like_template("script: |\n  {{ not yaml here }}\n"));
        assert!(!looks_like_template("a: {b: {c: 1}}\n"));
        assert!(!looks_like_template("{\"a\": {\"b\": {}}}\n"));
        assert!(!looks_like_template(""));
    }

    #[test]
    fn position_of_first_action() {
        let t = "a: 1\nb: {{ .x }}\n";
        assert_eq!(find_template_action(t), Some(8));
    }
}
