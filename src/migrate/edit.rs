//! Text edits on one document: the difference between a document's value
//! and its migrated value, turned into the smallest byte edits of the
//! document's text that express it.
//!
//! The value difference decides *what* changes (so the conversion in
//! `crd::convert` stays the single source of truth); a `yamlpath` syntax
//! tree of the document's own text says *where*. Every byte outside the
//! edited ranges is copied, so comments, blank lines, key order, quoting
//! and line endings survive.
//!
//! Why not `yamlpatch`: in 1.25.0 its `Remove` deletes whole lines even in
//! flow mappings (`{a: 1, b: 2}` loses both), every patch re-terminates the
//! text with `\n` (a file without a final newline gains one; CRLF files get
//! LF lines), `Add` writes `\n` and re-serializes flow mappings, and its
//! spans come from the same `yamlpath` queries used here. So this module
//! uses those queries and writes its own edits, in the file's style.
//!
//! What it cannot express (a key sharing its line with a `- ` item marker,
//! a value reached through an alias, a replaced collection) is an
//! [`EditError`]; callers leave such a file untouched. Callers also
//! re-parse the result and compare it with the intended value, so a bug
//! here shows up as an error, never as a wrong file.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::{Map, Value};
use yamlpath::{Component, Document, FeatureKind, Route};

use super::render::{self, Context, FlowSpacing, Layout, Quoting};
use crate::crd::SpecField;
use crate::source::escape_pointer_token;

/// The syntax of the file the document comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    Yaml,
    Json,
}

/// One change made to a document, by JSON pointer.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub pointer: String,
    pub kind: ChangeKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    Removed,
    Added,
    Updated,
}

/// Why a change could not be written as a text edit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {reason}", if pointer.is_empty() { "the document" } else { pointer.as_str() })]
pub struct EditError {
    /// JSON pointer (within the document) of the value that could not be edited.
    pub pointer: String,
    pub reason: String,
}

/// An added key that takes the place of a removed sibling, so that the new
/// line sits where the old one was (the diff shows a one-line change) rather
/// than at the end of the mapping.
const TAKES_PLACE_OF: &[(&str, &str)] = &[
    (
        SpecField::ServiceAccountAnnotations.name(),
        SpecField::EnvironmentdIamRoleArn.name(),
    ),
    ("lastCompletedRolloutHash", "lastCompletedRolloutRequest"),
    ("requestedRolloutHash", "resourcesHash"),
];

/// Rewrite `text` (one document, as it appears in its file) so that it
/// reads as `new` instead of `old`. Returns the new text and what changed.
pub(crate) fn edit_document(
    text: &str,
    syntax: Syntax,
    old: &Value,
    new: &Value,
) -> Result<(String, Vec<Change>), EditError> {
    // yamlpath has `expect`s on tree shapes; a surprise must cost this
    // document its migration, not the run.
    catch_unwind(AssertUnwindSafe(|| {
        let mut editor = Editor::new(text, syntax)?;
        editor.diff(&Path::root(), old, new, None)?;
        let changes = std::mem::take(&mut editor.changes);
        Ok((editor.apply()?, changes))
    }))
    .unwrap_or_else(|_| {
        Err(EditError {
            pointer: String::new(),
            reason: "the YAML syntax tree has a shape this tool cannot edit".into(),
        })
    })
}

/// A location in the document: a `yamlpath` route and the same path as a
/// JSON pointer (for messages).
#[derive(Clone, Debug)]
struct Path {
    route: Vec<Component<'static>>,
    pointer: String,
}

impl Path {
    fn root() -> Path {
        Path {
            route: Vec::new(),
            pointer: String::new(),
        }
    }

    fn key(&self, key: &str) -> Path {
        let mut route = self.route.clone();
        route.push(Component::Key(key.to_owned().into()));
        Path {
            route,
            pointer: format!("{}/{}", self.pointer, escape_pointer_token(key)),
        }
    }

    fn index(&self, index: usize) -> Path {
        let mut route = self.route.clone();
        route.push(Component::Index(index));
        Path {
            route,
            pointer: format!("{}/{index}", self.pointer),
        }
    }

    fn route(&self) -> Route<'static> {
        Route::from(self.route.clone())
    }

    fn ends_with_key(&self) -> bool {
        matches!(self.route.last(), Some(Component::Key(_)))
    }

    fn error(&self, reason: impl Into<String>) -> EditError {
        EditError {
            pointer: self.pointer.clone(),
            reason: reason.into(),
        }
    }
}

/// A `key: value` entry of a mapping, as byte offsets into the document.
#[derive(Clone, Debug)]
struct Pair {
    key: String,
    key_span: (usize, usize),
    /// Just past the `:` after the key.
    after_colon: usize,
    /// The value's span (whitespace at its end trimmed) and kind; `None`
    /// for `key:` with nothing after it.
    value: Option<(usize, usize, FeatureKind)>,
    /// End of the value, or `after_colon` when there is none.
    end: usize,
}

/// A mapping's place and style in the text.
#[derive(Clone, Debug)]
struct Mapping {
    start: usize,
    end: usize,
    flow: bool,
}

/// How entries of one collection are written: its syntax, the indentation
/// of its keys and one indentation step, its flow spacing.
#[derive(Clone, Debug)]
struct Style {
    context: Context,
    layout: Layout,
    multiline: bool,
    spacing: FlowSpacing,
}

struct Edit {
    start: usize,
    end: usize,
    text: String,
}

struct Editor<'t> {
    text: &'t str,
    tree: Document,
    syntax: Syntax,
    eol: &'static str,
    edits: Vec<Edit>,
    changes: Vec<Change>,
}

impl<'t> Editor<'t> {
    fn new(text: &'t str, syntax: Syntax) -> Result<Self, EditError> {
        let tree = Document::new(text).map_err(|err| EditError {
            pointer: String::new(),
            reason: format!("the YAML syntax tree could not be built ({err})"),
        })?;
        Ok(Editor {
            text,
            tree,
            syntax,
            eol: if text.contains("\r\n") { "\r\n" } else { "\n" },
            edits: Vec::new(),
            changes: Vec::new(),
        })
    }

    fn edit(&mut self, start: usize, end: usize, text: impl Into<String>) {
        self.edits.push(Edit {
            start,
            end,
            text: text.into(),
        });
    }

    fn change(&mut self, path: &Path, kind: ChangeKind) {
        self.changes.push(Change {
            pointer: path.pointer.clone(),
            kind,
        });
    }

    fn apply(mut self) -> Result<String, EditError> {
        // Stable: insertions at one offset keep the order they were made in.
        self.edits.sort_by_key(|e| (e.start, e.end));
        // Removed lines next to each other become one removal.
        let mut edits: Vec<Edit> = Vec::with_capacity(self.edits.len());
        for edit in self.edits.drain(..) {
            match edits.last_mut() {
                Some(last)
                    if last.text.is_empty() && edit.text.is_empty() && edit.start <= last.end =>
                {
                    last.end = last.end.max(edit.end);
                }
                _ => edits.push(edit),
            }
        }
        let mut out = String::with_capacity(self.text.len() + 64);
        let mut cursor = 0;
        for edit in &edits {
            if edit.start < cursor {
                return Err(EditError {
                    pointer: String::new(),
                    reason: "two edits overlap".into(),
                });
            }
            out.push_str(&self.text[cursor..edit.start]);
            out.push_str(&edit.text);
            cursor = edit.end;
        }
        out.push_str(&self.text[cursor..]);
        // A document that ends without a line ending and loses its last
        // line now ends with the line ending of the line before: drop it.
        if !self.text.ends_with('\n') && out.ends_with('\n') {
            out.pop();
            if out.ends_with('\r') {
                out.pop();
            }
        }
        Ok(out)
    }

    // ---------------------------------------------------------------- text

    fn line_start(&self, pos: usize) -> usize {
        self.text[..pos].rfind('\n').map_or(0, |i| i + 1)
    }

    /// Just past the line ending of the line holding `pos` (or the end).
    fn line_end_inclusive(&self, pos: usize) -> usize {
        self.text[pos..]
            .find('\n')
            .map_or(self.text.len(), |i| pos + i + 1)
    }

    /// The whitespace that puts a new line's first character in the column
    /// of `pos` (a `- ` item marker before it counts as spaces).
    fn indent_of(&self, pos: usize) -> String {
        self.text[self.line_start(pos)..pos]
            .chars()
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect()
    }

    fn only_blanks(text: &str) -> bool {
        text.chars().all(|c| c == ' ' || c == '\t')
    }

    /// Offset of the `:` after a key that ends at `pos`.
    fn colon_after(&self, pos: usize) -> Option<usize> {
        let rest = &self.text[pos..];
        let skip = rest.find(|c: char| c != ' ' && c != '\t')?;
        (rest.as_bytes()[skip] == b':').then_some(pos + skip)
    }

    fn trim_end_from(&self, start: usize, end: usize) -> usize {
        start + self.text[start..end].trim_end().len()
    }

    // ---------------------------------------------------------------- tree

    fn key_span(&self, path: &Path) -> Result<(usize, usize), EditError> {
        self.tree
            .query_key_only(&path.route())
            .map(|f| f.location.byte_span)
            .map_err(|err| {
                path.error(format!(
                    "the key is not written in this mapping; it may come in through a merge key (`<<:`) or an alias, so edit it by hand ({err})"
                ))
            })
    }

    fn pair(&self, path: &Path, key: &str) -> Result<Pair, EditError> {
        let key_span = self.key_span(path)?;
        let value = self
            .tree
            .query_exact(&path.route())
            .map_err(|err| path.error(format!("value not found in the text ({err})")))?
            .map(|f| (f.location.byte_span, f.kind()));
        if let Some(((start, _), _)) = value
            && start < key_span.1
        {
            return Err(path.error(
                "the value is an alias (*name) of a value elsewhere; edit the anchored value by hand",
            ));
        }
        let colon = self
            .colon_after(key_span.1)
            .ok_or_else(|| path.error("no `:` after the key (an explicit `? key`?)"))?;
        let value = value.map(|((start, end), kind)| (start, self.trim_end_from(start, end), kind));
        Ok(Pair {
            key: key.to_owned(),
            key_span,
            after_colon: colon + 1,
            end: value.map_or(colon + 1, |(_, end, _)| end),
            value,
        })
    }

    fn mapping(&self, path: &Path) -> Result<Mapping, EditError> {
        let feature = if path.route.is_empty() {
            self.tree.top_feature().ok()
        } else {
            self.tree.query_exact(&path.route()).ok().flatten()
        };
        let feature = feature.ok_or_else(|| path.error("mapping not found in the text"))?;
        let (start, end) = feature.location.byte_span;
        let flow = match feature.kind() {
            FeatureKind::BlockMapping => false,
            FeatureKind::FlowMapping => true,
            _ => return Err(path.error("expected a mapping in the text")),
        };
        Ok(Mapping { start, end, flow })
    }

    fn context(&self, flow: bool) -> Context {
        match (self.syntax, flow) {
            (Syntax::Json, _) => Context::Json,
            (Syntax::Yaml, true) => Context::Flow,
            (Syntax::Yaml, false) => Context::Block,
        }
    }

    fn style(&self, path: &Path, mapping: &Mapping, pairs: &[Pair]) -> Result<Style, EditError> {
        let key_indent = match pairs.first() {
            Some(pair) => self.indent_of(pair.key_span.0),
            None => self.indent_of(mapping.start),
        };
        let owner_indent = if path.ends_with_key() {
            self.indent_of(self.key_span(path)?.0)
        } else if mapping.flow {
            self.indent_of(mapping.start)
        } else {
            String::new()
        };
        let unit = key_indent
            .strip_prefix(owner_indent.as_str())
            .filter(|unit| !unit.is_empty())
            .unwrap_or("  ")
            .to_owned();
        let mut spacing = FlowSpacing::default();
        if let Some(first) = pairs.first() {
            if let Some((value_start, _, _)) = first.value {
                let between = &self.text[first.key_span.1..value_start];
                if !between.contains('\n') {
                    spacing.key_value = between.trim_start_matches([' ', '\t']).to_owned();
                }
            }
            let after = &self.text[first.end..];
            if after.starts_with(',') && pairs.len() > 1 {
                spacing.entries = if after[1..].starts_with(' ') {
                    ", "
                } else {
                    ","
                }
                .into();
            }
        }
        let mut context = self.context(mapping.flow);
        // `{"a":1}` is JSON written as YAML: a plain key there would need a
        // space after its `:`, so new entries are written as JSON too.
        if context == Context::Flow && !spacing.key_value.ends_with(' ') {
            context = Context::Json;
        }
        Ok(Style {
            context,
            layout: Layout {
                indent: key_indent,
                unit,
                eol: self.eol,
            },
            multiline: self.text[mapping.start..mapping.end].contains('\n'),
            spacing,
        })
    }

    // ---------------------------------------------------------------- diff

    fn diff(
        &mut self,
        path: &Path,
        old: &Value,
        new: &Value,
        parent: Option<&Style>,
    ) -> Result<(), EditError> {
        if old == new {
            return Ok(());
        }
        match (old, new) {
            (Value::Object(old), Value::Object(new)) => self.diff_mapping(path, old, new),
            (Value::Array(old), Value::Array(new)) if old.len() == new.len() => {
                for (i, (old, new)) in old.iter().zip(new).enumerate() {
                    self.diff(&path.index(i), old, new, None)?;
                }
                Ok(())
            }
            _ => self.replace_value(path, new, parent),
        }
    }

    fn diff_mapping(
        &mut self,
        path: &Path,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
    ) -> Result<(), EditError> {
        let mapping = self.mapping(path)?;
        let mut pairs = old
            .keys()
            .map(|key| self.pair(&path.key(key), key))
            .collect::<Result<Vec<_>, _>>()?;
        pairs.sort_by_key(|pair| pair.key_span.0);
        let style = self.style(path, &mapping, &pairs)?;

        for pair in &pairs {
            if let Some(new_value) = new.get(&pair.key) {
                self.diff(
                    &path.key(&pair.key),
                    &old[&pair.key],
                    new_value,
                    Some(&style),
                )?;
            }
        }

        let removed: Vec<usize> = (0..pairs.len())
            .filter(|&i| !new.contains_key(&pairs[i].key))
            .collect();
        let mut replaced = HashSet::new();
        let mut appended = Vec::new();
        for (key, value) in new.iter().filter(|(key, _)| !old.contains_key(*key)) {
            let slot = TAKES_PLACE_OF
                .iter()
                .find(|(added, _)| added == key)
                .and_then(|(_, gone)| {
                    removed
                        .iter()
                        .copied()
                        .find(|&i| pairs[i].key == *gone && !replaced.contains(&i))
                });
            match slot {
                Some(i) => {
                    let pair = &pairs[i];
                    let layout = Layout {
                        indent: self.indent_of(pair.key_span.0),
                        ..style.layout.clone()
                    };
                    let text = self.pair_text(key, value, &style, &layout);
                    self.edit(pair.key_span.0, pair.end, text);
                    self.change(&path.key(&pair.key), ChangeKind::Removed);
                    self.change(&path.key(key), ChangeKind::Added);
                    replaced.insert(i);
                }
                None => appended.push((key, value)),
            }
        }

        let dropped: Vec<usize> = removed
            .into_iter()
            .filter(|i| !replaced.contains(i))
            .collect();
        for &i in &dropped {
            self.change(&path.key(&pairs[i].key), ChangeKind::Removed);
        }
        let emptied = !pairs.is_empty() && dropped.len() == pairs.len();
        if mapping.flow {
            self.remove_flow_pairs(&mapping, &pairs, &dropped);
        } else {
            for &i in &dropped {
                self.remove_block_pair(path, &pairs[i])?;
            }
        }

        if !appended.is_empty() {
            self.append_pairs(&mapping, &pairs, emptied, &appended, &style);
            for (key, _) in &appended {
                self.change(&path.key(key), ChangeKind::Added);
            }
        } else if emptied && !mapping.flow {
            // `spec:` with every entry gone would read as null: say `{}`.
            if !path.ends_with_key() {
                return Err(path.error(
                    "every entry of this mapping is removed and it has no key to write `{}` after",
                ));
            }
            let key_span = self.key_span(path)?;
            let colon = self
                .colon_after(key_span.1)
                .ok_or_else(|| path.error("no `:` after the key"))?;
            self.edit(colon + 1, colon + 1, " {}");
        }
        Ok(())
    }

    /// `key: value` (or `"key": value`) written for a collection's style.
    fn pair_text(&self, key: &str, value: &Value, style: &Style, layout: &Layout) -> String {
        match style.context {
            Context::Block => format!(
                "{}:{}",
                render::key(key, Context::Block),
                render::block_value_after_colon(value, layout)
            ),
            context => format!(
                "{}{}{}",
                render::key(key, context),
                style.spacing.key_value,
                render::flow_value(
                    value,
                    context,
                    &style.spacing,
                    style.multiline.then_some(layout)
                )
            ),
        }
    }

    /// Remove a block mapping entry with its whole line(s), including a
    /// comment at the end of its last line. Comments on lines of their own
    /// stay.
    fn remove_block_pair(&mut self, mapping_path: &Path, pair: &Pair) -> Result<(), EditError> {
        let path = mapping_path.key(&pair.key);
        let line_start = self.line_start(pair.key_span.0);
        if !Self::only_blanks(&self.text[line_start..pair.key_span.0]) {
            return Err(path.error(
                "the key shares its line with other content (a `- ` item marker?); remove it by hand",
            ));
        }
        let stop = self.line_end_inclusive(pair.end);
        let rest = self.text[pair.end..stop].trim_start_matches([' ', '\t']);
        if !(rest.is_empty() || rest.starts_with(['#', '\r', '\n'])) {
            return Err(path.error("other content follows the value on its line"));
        }
        self.edit(line_start, stop, "");
        Ok(())
    }

    /// Remove flow mapping entries with their separating commas. Each run of
    /// consecutive removed entries goes with the text up to the next kept
    /// entry, or, at the end, from the previous kept entry on.
    fn remove_flow_pairs(&mut self, mapping: &Mapping, pairs: &[Pair], dropped: &[usize]) {
        if dropped.is_empty() {
            return;
        }
        if dropped.len() == pairs.len() {
            self.edit(mapping.start + 1, mapping.end - 1, "");
            return;
        }
        let gone: HashSet<usize> = dropped.iter().copied().collect();
        let mut i = 0;
        while i < pairs.len() {
            if !gone.contains(&i) {
                i += 1;
                continue;
            }
            let first = i;
            while i < pairs.len() && gone.contains(&i) {
                i += 1;
            }
            let last = i - 1;
            if i < pairs.len() {
                self.edit(pairs[first].key_span.0, pairs[i].key_span.0, "");
            } else {
                self.edit(pairs[first - 1].end, pairs[last].end, "");
            }
        }
    }

    fn append_pairs(
        &mut self,
        mapping: &Mapping,
        pairs: &[Pair],
        emptied: bool,
        entries: &[(&String, &Value)],
        style: &Style,
    ) {
        let texts: Vec<String> = entries
            .iter()
            .map(|(key, value)| self.pair_text(key, value, style, &style.layout))
            .collect();
        if style.context == Context::Block {
            // Block mappings have at least one entry: go after the last one's line.
            let last_end = pairs.iter().map(|p| p.end).max().unwrap_or(mapping.end);
            let stop = self.line_end_inclusive(last_end);
            let indent = &style.layout.indent;
            let text = if self.text[..stop].ends_with('\n') {
                texts
                    .iter()
                    .map(|t| format!("{indent}{t}{}", self.eol))
                    .collect::<String>()
            } else {
                texts
                    .iter()
                    .map(|t| format!("{}{indent}{t}", self.eol))
                    .collect::<String>()
            };
            self.edit(stop, stop, text);
            return;
        }
        match pairs.last() {
            Some(last) if !emptied => {
                let text: String = texts
                    .iter()
                    .map(|t| {
                        if style.multiline {
                            format!(",{}{}{t}", self.eol, style.layout.indent)
                        } else {
                            format!("{}{t}", style.spacing.entries)
                        }
                    })
                    .collect();
                self.edit(last.end, last.end, text);
            }
            _ => {
                let text = texts.join(&style.spacing.entries);
                self.edit(mapping.start + 1, mapping.start + 1, text);
            }
        }
    }

    /// Replace the value at `path` (a scalar, or nothing, in the text).
    fn replace_value(
        &mut self,
        path: &Path,
        new: &Value,
        parent: Option<&Style>,
    ) -> Result<(), EditError> {
        self.change(path, ChangeKind::Updated);
        let is_collection = matches!(new, Value::Object(m) if !m.is_empty())
            || matches!(new, Value::Array(a) if !a.is_empty());
        if !path.ends_with_key() {
            // A sequence item: only scalars.
            let feature = self
                .tree
                .query_exact(&path.route())
                .ok()
                .flatten()
                .ok_or_else(|| path.error("item not found in the text"))?;
            let (start, end) = feature.location.byte_span;
            if feature.kind() != FeatureKind::Scalar || is_collection {
                return Err(path.error("only scalar items can be replaced"));
            }
            let context = self.context(false);
            let quoting = Quoting::of(&self.text[start..end]);
            self.edit(start, end, render::scalar(new, context, quoting));
            return Ok(());
        }
        let Some(style) = parent else {
            return Err(path.error("no enclosing mapping"));
        };
        let key = match path.route.last() {
            Some(Component::Key(key)) => key.to_string(),
            _ => unreachable!("checked by ends_with_key"),
        };
        let pair = self.pair(path, &key)?;
        if let Some((_, _, kind)) = pair.value
            && kind != FeatureKind::Scalar
        {
            return Err(
                path.error("replacing a whole collection is not supported; edit it by hand")
            );
        }
        let layout = Layout {
            indent: self.indent_of(pair.key_span.0),
            ..style.layout.clone()
        };
        match (pair.value, style.context) {
            (Some((start, end, _)), _) if !is_collection => {
                let quoting = Quoting::of(&self.text[start..end]);
                self.edit(start, end, render::scalar(new, style.context, quoting));
            }
            (None, Context::Block) | (Some(_), Context::Block) => {
                let text = render::block_value_after_colon(new, &layout);
                self.edit(pair.after_colon, pair.end, text);
            }
            (value, context) => {
                let text = render::flow_value(
                    new,
                    context,
                    &style.spacing,
                    style.multiline.then_some(&layout),
                );
                match value {
                    Some((start, end, _)) => self.edit(start, end, text),
                    None => self.edit(pair.after_colon, pair.after_colon, format!(" {text}")),
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn yaml(text: &str) -> Value {
        yaml_serde::from_str(text).unwrap()
    }

    /// Edit `text` so it reads as `f(value)`; check the result parses to that.
    fn migrate(text: &str, syntax: Syntax, f: impl FnOnce(&mut Value)) -> String {
        let old = match syntax {
            Syntax::Yaml => yaml(text),
            Syntax::Json => serde_json::from_str(text).unwrap(),
        };
        let mut new = old.clone();
        f(&mut new);
        let (out, _) = edit_document(text, syntax, &old, &new).unwrap();
        let reread: Value = match syntax {
            Syntax::Yaml => yaml(&out),
            Syntax::Json => serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}")),
        };
        assert_eq!(reread, new, "{out}");
        out
    }

    fn remove(pointer: &'static str, key: &'static str) -> impl FnOnce(&mut Value) {
        move |v| {
            v.pointer_mut(pointer)
                .unwrap()
                .as_object_mut()
                .unwrap()
                .remove(key);
        }
    }

    #[test]
    fn removes_a_line_with_its_trailing_comment_and_keeps_comment_lines() {
        let text =
            "spec:\n  a: 1\n  requestRollout: x  # new UUID every time\n  # keep me\n  b: 2\n";
        let out = migrate(text, Syntax::Yaml, remove("/spec", "requestRollout"));
        assert_eq!(out, "spec:\n  a: 1\n  # keep me\n  b: 2\n");
    }

    #[test]
    fn crlf_and_missing_final_newline_are_kept() {
        let text = "spec:\r\n  a: 1\r\n  requestRollout: x";
        let out = migrate(text, Syntax::Yaml, remove("/spec", "requestRollout"));
        assert_eq!(out, "spec:\r\n  a: 1");
        let out = migrate("spec:\r\n  a: 1\r\n", Syntax::Yaml, |v| {
            v["spec"]["b"] = json!("x y");
        });
        assert_eq!(out, "spec:\r\n  a: 1\r\n  b: \"x y\"\r\n");
    }

    #[test]
    fn a_mapping_left_empty_becomes_braces() {
        let out = migrate(
            "spec:  # patch\n  requestRollout: x\n",
            Syntax::Yaml,
            remove("/spec", "requestRollout"),
        );
        assert_eq!(out, "spec: {}  # patch\n");
    }

    #[test]
    fn flow_mappings_lose_entries_with_their_commas() {
        let text = "spec: {a: 1, requestRollout: x, inPlaceRollout: false, b: 2}\n";
        let out = migrate(text, Syntax::Yaml, |v| {
            remove("/spec", "requestRollout")(v);
            remove("/spec", "inPlaceRollout")(v);
        });
        assert_eq!(out, "spec: {a: 1, b: 2}\n");
        let out = migrate(
            "spec: {a: 1, requestRollout: x}\n",
            Syntax::Yaml,
            remove("/spec", "requestRollout"),
        );
        assert_eq!(out, "spec: {a: 1}\n");
        let out = migrate(
            "spec: {requestRollout: x}\n",
            Syntax::Yaml,
            remove("/spec", "requestRollout"),
        );
        assert_eq!(out, "spec: {}\n");
    }

    #[test]
    fn an_added_key_takes_the_place_of_the_key_it_replaces() {
        let text =
            "spec:\n    a: 1\n    environmentdIamRoleArn: arn:aws:iam::1:role/x # role\n    b: 2\n";
        let out = migrate(text, Syntax::Yaml, |v| {
            let spec = v["spec"].as_object_mut().unwrap();
            let arn = spec.remove("environmentdIamRoleArn").unwrap();
            spec.insert(
                "serviceAccountAnnotations".into(),
                json!({ "eks.amazonaws.com/role-arn": arn }),
            );
        });
        assert_eq!(
            out,
            "spec:\n    a: 1\n    serviceAccountAnnotations:\n        eks.amazonaws.com/role-arn: arn:aws:iam::1:role/x # role\n    b: 2\n"
        );
    }

    #[test]
    fn appends_to_an_existing_block_and_flow_map() {
        let text = "spec:\n  serviceAccountAnnotations:\n    a: b # c\n  x: 1\n";
        let out = migrate(text, Syntax::Yaml, |v| {
            v["spec"]["serviceAccountAnnotations"]["eks.amazonaws.com/role-arn"] = json!("arn:x");
        });
        assert_eq!(
            out,
            "spec:\n  serviceAccountAnnotations:\n    a: b # c\n    eks.amazonaws.com/role-arn: arn:x\n  x: 1\n"
        );
        let out = migrate("spec:\n  sa: {a: b}\n", Syntax::Yaml, |v| {
            v["spec"]["sa"]["eks.amazonaws.com/role-arn"] = json!("arn:x");
        });
        assert_eq!(
            out,
            "spec:\n  sa: {a: b, eks.amazonaws.com/role-arn: \"arn:x\"}\n"
        );
        let out = migrate("spec:\n  sa: {}\n", Syntax::Yaml, |v| {
            v["spec"]["sa"]["k"] = json!("v");
        });
        assert_eq!(out, "spec:\n  sa: {k: v}\n");
    }

    #[test]
    fn null_becomes_a_block_map() {
        for text in [
            "spec:\n  sa:\n  b: 1\n",
            "spec:\n  sa: null\n  b: 1\n",
            "spec:\n  sa: ~ # none\n  b: 1\n",
        ] {
            let out = migrate(text, Syntax::Yaml, |v| {
                v["spec"]["sa"] = json!({"k": "v"});
            });
            assert!(out.starts_with("spec:\n  sa:\n    k: v"), "{out}");
        }
    }

    #[test]
    fn scalars_keep_their_quoting() {
        for (text, expected) in [
            (
                "apiVersion: materialize.cloud/v1alpha1\n",
                "apiVersion: materialize.cloud/v1alpha2\n",
            ),
            (
                "apiVersion: \"materialize.cloud/v1alpha1\" # q\n",
                "apiVersion: \"materialize.cloud/v1alpha2\" # q\n",
            ),
            (
                "apiVersion: 'materialize.cloud/v1alpha1'\n",
                "apiVersion: 'materialize.cloud/v1alpha2'\n",
            ),
            (
                "{apiVersion: materialize.cloud/v1alpha1, kind: M}\n",
                "{apiVersion: materialize.cloud/v1alpha2, kind: M}\n",
            ),
        ] {
            let out = migrate(text, Syntax::Yaml, |v| {
                v["apiVersion"] = json!("materialize.cloud/v1alpha2");
            });
            assert_eq!(out, expected);
        }
    }

    #[test]
    fn json_keeps_its_layout() {
        let text = "{\n\t\"apiVersion\": \"materialize.cloud/v1alpha1\",\n\t\"spec\": {\n\t\t\"a\": 1,\n\t\t\"environmentdIamRoleArn\": \"arn\",\n\t\t\"requestRollout\": \"x\"\n\t}\n}";
        let out = migrate(text, Syntax::Json, |v| {
            v["apiVersion"] = json!("materialize.cloud/v1alpha2");
            let spec = v["spec"].as_object_mut().unwrap();
            spec.remove("requestRollout");
            spec.remove("environmentdIamRoleArn");
            spec.insert(
                "serviceAccountAnnotations".into(),
                json!({"eks.amazonaws.com/role-arn": "arn"}),
            );
        });
        assert_eq!(
            out,
            "{\n\t\"apiVersion\": \"materialize.cloud/v1alpha2\",\n\t\"spec\": {\n\t\t\"a\": 1,\n\t\t\"serviceAccountAnnotations\": {\n\t\t\t\"eks.amazonaws.com/role-arn\": \"arn\"\n\t\t}\n\t}\n}"
        );
        let out = migrate(
            "{\"spec\":{\"requestRollout\":\"x\",\"a\":1}}",
            Syntax::Json,
            remove("/spec", "requestRollout"),
        );
        assert_eq!(out, "{\"spec\":{\"a\":1}}");
        let out = migrate("{\"status\": {\"a\": 1}}", Syntax::Json, |v| {
            v["status"]["h"] = json!("0abc");
        });
        assert_eq!(out, "{\"status\": {\"a\": 1, \"h\": \"0abc\"}}");
    }

    #[test]
    fn list_items_are_reached_by_index() {
        let text = "kind: List\nitems:\n- apiVersion: materialize.cloud/v1alpha1\n  spec:\n    requestRollout: x\n    a: 1\n";
        let out = migrate(text, Syntax::Yaml, |v| {
            v["items"][0]["apiVersion"] = json!("materialize.cloud/v1alpha2");
            remove("/items/0/spec", "requestRollout")(v);
        });
        assert_eq!(
            out,
            "kind: List\nitems:\n- apiVersion: materialize.cloud/v1alpha2\n  spec:\n    a: 1\n"
        );
    }

    #[test]
    fn what_cannot_be_expressed_is_an_error() {
        let text = "items:\n- requestRollout: x\n  a: 1\n";
        let old = yaml(text);
        let mut new = old.clone();
        new["items"][0]
            .as_object_mut()
            .unwrap()
            .remove("requestRollout");
        let err = edit_document(text, Syntax::Yaml, &old, &new).unwrap_err();
        assert_eq!(err.pointer, "/items/0/requestRollout");
        let text = "base: &b {x: 1}\nspec: *b\n";
        let old = yaml(text);
        let mut new = old.clone();
        new["spec"]["x"] = json!(2);
        assert!(edit_document(text, Syntax::Yaml, &old, &new).is_err());
    }
}
