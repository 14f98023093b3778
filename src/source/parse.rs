//! Reading one document's value with the serde parser.
//!
//! The value is built by our own visitor instead of `serde_json::Value`'s or
//! `yaml_serde::Value`'s, because their `Deserialize` impls cannot enforce
//! what Kubernetes enforces or needs:
//!
//! * **Duplicate keys are an error** ([`ParseError::DuplicateKey`]), as in the
//!   API server's strict decoding; `serde_json::Value` would keep the last
//!   one silently.
//! * **Non-string keys**: scalar keys become their string form (`1` → `"1"`,
//!   `true` → `"true"`, `1.5` → `"1.5"`), which is what `sigs.k8s.io/yaml`
//!   does when it turns YAML into JSON; `null`, sequence and mapping keys are
//!   rejected with [`ParseError::NonStringKey`], as Kubernetes rejects them
//!   ("unsupported map key"). Keys that collide after conversion (`1` and
//!   `"1"`) are duplicates.
//! * **NaN and infinities** (`.nan`, `.inf`) are rejected with
//!   [`ParseError::NonFiniteFloat`]: JSON cannot hold them and Kubernetes
//!   fails on them too ("unsupported value"), so a string would only hide the
//!   problem until apply time. As keys they become `".nan"`, `".inf"`,
//!   `"-.inf"` like any other scalar key.
//! * **Aliases**: every node built counts against a budget of
//!   `ALIAS_BUDGET_PER_BYTE × document bytes + 10,000` nodes. A document
//!   without aliases cannot exceed it (each node needs at least one byte of
//!   source), so only alias expansion can: a "billion laughs" document stops
//!   after a few thousand nodes with [`ParseError::AliasLimit`]. `yaml_serde`
//!   also has its own limit (100 alias jumps per event), reported the same
//!   way.
//! * **Depth**: collections nested deeper than [`MAX_DEPTH`] are rejected
//!   with [`ParseError::TooDeep`] before the recursive deserializer can use
//!   much stack (`yaml_serde` itself stops at 128; `serde_json` at 128). The
//!   deepest real Kubernetes objects are a few dozen levels deep.
//! * **Tags** are ignored: `!foo {a: 1}` is `{a: 1}`; core schema tags
//!   (`!!str 1`, `!!int "1"`) keep their meaning.
//! * **Merge keys** (`<<: *base`, `<<: [*a, *b]`) are applied as YAML 1.1 and
//!   Kubernetes' decoder do: keys written in the mapping win over merged ones,
//!   earlier merged mappings over later ones; merged keys come after the
//!   mapping's own keys.
//! * Integers beyond 64 bits become floats, as in Kubernetes.
//!
//! Scalars are resolved with the YAML 1.2 core schema (`yes`, `on` and `010`
//! are strings); Kubernetes reads YAML 1.1 (`yes` is true, `010` is 8).
//! Callers that care about a particular field can compare with the source
//! text through [`locate`](super::locate).

use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::{
    self, DeserializeSeed, EnumAccess, IgnoredAny, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use serde_json::{Map, Number, Value};

use super::file::floor_char_boundary;
use super::skim::{Skim, skim};
use super::split::DocumentSpan;
use super::template::find_template_action;
use super::{FileFormat, Position, SourceFile};

/// Maximum nesting of sequences and mappings in one document.
pub const MAX_DEPTH: usize = 100;

/// Nodes allowed per byte of document text (see the module docs).
pub const ALIAS_BUDGET_PER_BYTE: usize = 4;
const ALIAS_BUDGET_BASE: usize = 10_000;

/// Why a document could not be read. Positions are 1-based and relative to
/// the whole file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{message}")]
    Syntax {
        message: String,
        position: Option<Position>,
    },
    #[error("duplicate mapping key `{key}`")]
    DuplicateKey {
        key: String,
        position: Option<Position>,
    },
    #[error(
        "aliases expand to more than {limit} nodes; refusing to expand further (an alias bomb?)"
    )]
    AliasLimit {
        limit: usize,
        position: Option<Position>,
    },
    #[error("nesting is deeper than {limit} levels")]
    TooDeep {
        limit: usize,
        position: Option<Position>,
    },
    #[error("mapping key is a {kind}; only scalar keys can become JSON object keys")]
    NonStringKey {
        kind: &'static str,
        position: Option<Position>,
    },
    #[error("`{value}` has no JSON representation; quote it if it is meant as a string")]
    NonFiniteFloat {
        value: String,
        position: Option<Position>,
    },
    #[error("the merge key `<<` needs a mapping or a list of mappings")]
    InvalidMerge { position: Option<Position> },
    #[error("this is a Go/Helm template, not plain YAML: render it before checking ({message})")]
    Template {
        /// The parser's own error message.
        message: String,
        /// Where the first template action is.
        position: Option<Position>,
    },
}

impl ParseError {
    pub fn position(&self) -> Option<Position> {
        match self {
            ParseError::Syntax { position, .. }
            | ParseError::DuplicateKey { position, .. }
            | ParseError::AliasLimit { position, .. }
            | ParseError::TooDeep { position, .. }
            | ParseError::NonStringKey { position, .. }
            | ParseError::NonFiniteFloat { position, .. }
            | ParseError::InvalidMerge { position }
            | ParseError::Template { position, .. } => *position,
        }
    }

    /// A short stable name for reports (`duplicate-key`, `template`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            ParseError::Syntax { .. } => "syntax",
            ParseError::DuplicateKey { .. } => "duplicate-key",
            ParseError::AliasLimit { .. } => "alias-limit",
            ParseError::TooDeep { .. } => "too-deep",
            ParseError::NonStringKey { .. } => "non-string-key",
            ParseError::NonFiniteFloat { .. } => "non-finite-float",
            ParseError::InvalidMerge { .. } => "invalid-merge",
            ParseError::Template { .. } => "template",
        }
    }
}

/// Parse one document into a JSON value. Empty and comment-only documents
/// give `Ok(None)`. See the module docs for the rules; on any failure in a
/// document that contains a template action the error is
/// [`ParseError::Template`].
pub fn parse_document(file: &SourceFile, doc: &DocumentSpan) -> Result<Option<Value>, ParseError> {
    let Some(text) = file.text.get(doc.range.start..doc.range.end) else {
        return Err(ParseError::Syntax {
            message: "document span does not fit the file".into(),
            position: None,
        });
    };
    if doc.is_empty() {
        return Ok(None);
    }
    let result = match file.format {
        FileFormat::Yaml => parse_yaml(text),
        FileFormat::Json => parse_json(text),
    };
    result.map(Some).map_err(|raw| {
        let err = raw.into_error(file, doc.range.start, text);
        match find_template_action(text) {
            Some(at) => ParseError::Template {
                message: err.to_string(),
                position: Some(file.position(doc.range.start + at)),
            },
            None => err,
        }
    })
}

/// The value of a text that holds exactly one non-empty document, read by
/// [`parse_document`]; `None` for none or several, or one that does not
/// parse.
pub fn parse_single_document(file: &SourceFile) -> Option<Value> {
    let mut documents = file.documents().into_iter().filter(|d| !d.is_empty());
    let only = documents.next()?;
    if documents.next().is_some() {
        return None;
    }
    parse_document(file, &only).ok().flatten()
}

/// Like [`parse_document`], but the value is built only for documents whose
/// root mapping's `kind` (`None` when absent or not a string) is `wanted`;
/// the others give `Ok(None)`. Every document is still read in full:
/// whatever `parse_document` rejects is rejected here with the same error.
pub fn parse_document_when(
    file: &SourceFile,
    doc: &DocumentSpan,
    wanted: impl Fn(Option<&str>) -> bool,
) -> Result<Option<Value>, ParseError> {
    if let Some(text) = file.text.get(doc.range.start..doc.range.end)
        && !doc.is_empty()
        && let Skim::Clean { kind } = skim(file.format, text)
        && !wanted(kind.as_deref())
    {
        return Ok(None);
    }
    // Unsure: the full parse decides, and the same filter applies.
    Ok(
        parse_document(file, doc)?
            .filter(|value| wanted(value.get("kind").and_then(Value::as_str))),
    )
}

/// Nodes a document of `text_len` bytes may expand to (see the module docs).
pub(super) fn alias_budget(text_len: usize) -> usize {
    text_len
        .saturating_mul(ALIAS_BUDGET_PER_BYTE)
        .saturating_add(ALIAS_BUDGET_BASE)
}

/// A failure before positions are translated to the file.
struct RawError {
    pending: Option<Pending>,
    message: String,
    /// Byte offset in the document text, if the parser knew one.
    offset: Option<usize>,
    /// Budget in force, for the AliasLimit message.
    budget: usize,
}

impl RawError {
    fn into_error(self, file: &SourceFile, base: usize, text: &str) -> ParseError {
        let position = self
            .offset
            .map(|o| file.position(base + floor_char_boundary(text, o)));
        let budget = self.budget;
        match self.pending {
            Some(Pending::DuplicateKey(key)) => ParseError::DuplicateKey { key, position },
            Some(Pending::AliasLimit) => ParseError::AliasLimit {
                limit: budget,
                position,
            },
            Some(Pending::TooDeep) => ParseError::TooDeep {
                limit: MAX_DEPTH,
                position,
            },
            Some(Pending::NonStringKey(kind)) => ParseError::NonStringKey { kind, position },
            Some(Pending::NonFiniteFloat(value)) => ParseError::NonFiniteFloat { value, position },
            Some(Pending::InvalidMerge) => ParseError::InvalidMerge { position },
            None if self.message.starts_with("recursion limit exceeded") => ParseError::TooDeep {
                limit: MAX_DEPTH,
                position,
            },
            None if self.message.starts_with("repetition limit exceeded") => {
                ParseError::AliasLimit {
                    limit: budget,
                    position,
                }
            }
            None => ParseError::Syntax {
                message: relocate_message(&self.message, file, base, position),
                position,
            },
        }
    }
}

fn parse_yaml(text: &str) -> Result<Value, RawError> {
    let ctx = Ctx::new(text.len());
    let de = yaml_serde::Deserializer::from_str(text);
    ValueSeed { ctx: &ctx }
        .deserialize(de)
        .map_err(|e| RawError {
            pending: ctx.pending.take(),
            message: e.to_string(),
            offset: e.location().map(|l| l.index()),
            budget: ctx.budget,
        })
}

fn parse_json(text: &str) -> Result<Value, RawError> {
    let ctx = Ctx::new(text.len());
    let mut de = serde_json::Deserializer::from_str(text);
    let result = ValueSeed { ctx: &ctx }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    result.map_err(|e| RawError {
        pending: ctx.pending.take(),
        message: strip_json_position(&e.to_string()),
        offset: json_offset(text, e.line(), e.column()),
        budget: ctx.budget,
    })
}

fn strip_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// serde_json reports 1-based lines and 1-based byte columns (0 at the very
/// end of input).
fn json_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let line_start = if line == 1 {
        0
    } else {
        memchr::memchr_iter(b'\n', text.as_bytes()).nth(line - 2)? + 1
    };
    let line_end = memchr::memchr(b'\n', &text.as_bytes()[line_start..])
        .map_or(text.len(), |i| line_start + i);
    Some((line_start + column.saturating_sub(1)).min(line_end))
}

/// libyaml messages carry marks relative to the document text ("at line 2
/// column 3"); rewrite them for the whole file, and drop the problem mark
/// that duplicates `position`.
fn relocate_message(
    message: &str,
    file: &SourceFile,
    base: usize,
    position: Option<Position>,
) -> String {
    let base_pos = file.position(base);
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 5..];
        match parse_mark(after) {
            Some((line, column, used)) => {
                let (l, c) = if line == 1 {
                    (base_pos.line, base_pos.column + column - 1)
                } else {
                    (base_pos.line + line - 1, column)
                };
                out.push_str(&format!("line {l} column {c}"));
                rest = &after[used..];
            }
            None => {
                out.push_str("line ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    if let Some(p) = position {
        let dup = format!(" at line {} column {}", p.line, p.column);
        if let Some(i) = out.find(&dup) {
            out.replace_range(i..i + dup.len(), "");
        }
    }
    // "at position N" is an offset into the document text: meaningless here.
    if let Some(i) = out.find(" at position ") {
        let tail = &out[i + 13..];
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            out.replace_range(i..i + 13 + digits, "");
        }
    }
    out
}

/// Parse "N column M" at the start of `s`; returns (N, M, bytes used).
fn parse_mark(s: &str) -> Option<(usize, usize, usize)> {
    let n_len = s.bytes().take_while(u8::is_ascii_digit).count();
    let line: usize = s.get(..n_len)?.parse().ok()?;
    let rest = s.get(n_len..)?.strip_prefix(" column ")?;
    let m_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    let column: usize = rest.get(..m_len)?.parse().ok()?;
    if line == 0 || column == 0 {
        return None;
    }
    Some((line, column, n_len + 8 + m_len))
}

enum Pending {
    DuplicateKey(String),
    AliasLimit,
    TooDeep,
    NonStringKey(&'static str),
    NonFiniteFloat(String),
    InvalidMerge,
}

impl fmt::Display for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pending::DuplicateKey(k) => write!(f, "duplicate key {k}"),
            Pending::AliasLimit => f.write_str("alias limit"),
            Pending::TooDeep => f.write_str("too deep"),
            Pending::NonStringKey(k) => write!(f, "{k} key"),
            Pending::NonFiniteFloat(v) => write!(f, "non-finite {v}"),
            Pending::InvalidMerge => f.write_str("invalid merge"),
        }
    }
}

/// The node budget and depth of one document, counted the same way by the
/// full parse and by the skim (`skim.rs`), so that a document the skim
/// accepts is within the full parse's limits too.
pub(super) struct Limits {
    nodes: Cell<usize>,
    budget: usize,
    depth: Cell<usize>,
}

impl Limits {
    pub(super) fn new(text_len: usize) -> Self {
        Limits {
            nodes: Cell::new(0),
            budget: alias_budget(text_len),
            depth: Cell::new(0),
        }
    }

    /// Count one more node; false once the budget is spent.
    pub(super) fn count(&self) -> bool {
        let n = self.nodes.get() + 1;
        self.nodes.set(n);
        n <= self.budget
    }

    /// Go one collection deeper; false beyond [`MAX_DEPTH`].
    pub(super) fn enter(&self) -> bool {
        let d = self.depth.get() + 1;
        if d > MAX_DEPTH {
            return false;
        }
        self.depth.set(d);
        true
    }

    pub(super) fn leave(&self) {
        self.depth.set(self.depth.get().saturating_sub(1));
    }

    pub(super) fn depth(&self) -> usize {
        self.depth.get()
    }
}

/// State shared by all visitors of one document. The error details travel
/// here because the deserializer's error type only carries a message (and,
/// usefully, the position where our visitor failed).
struct Ctx {
    limits: Limits,
    budget: usize,
    pending: RefCell<Option<Pending>>,
}

impl Ctx {
    fn new(text_len: usize) -> Self {
        Ctx {
            limits: Limits::new(text_len),
            budget: alias_budget(text_len),
            pending: RefCell::new(None),
        }
    }

    fn fail<E: de::Error>(&self, pending: Pending) -> E {
        let message = pending.to_string();
        let mut slot = self.pending.borrow_mut();
        if slot.is_none() {
            *slot = Some(pending);
        }
        E::custom(message)
    }

    fn count<E: de::Error>(&self) -> Result<(), E> {
        if self.limits.count() {
            Ok(())
        } else {
            Err(self.fail(Pending::AliasLimit))
        }
    }

    fn enter<E: de::Error>(&self) -> Result<(), E> {
        if self.limits.enter() {
            Ok(())
        } else {
            Err(self.fail(Pending::TooDeep))
        }
    }

    fn leave(&self) {
        self.limits.leave();
    }

    fn number<E: de::Error>(&self, v: f64) -> Result<Value, E> {
        match Number::from_f64(v) {
            Some(n) => Ok(Value::Number(n)),
            None => Err(self.fail(Pending::NonFiniteFloat(yaml_float_name(v).into()))),
        }
    }
}

fn yaml_float_name(v: f64) -> &'static str {
    if v.is_nan() {
        ".nan"
    } else if v > 0.0 {
        ".inf"
    } else {
        "-.inf"
    }
}

#[derive(Clone, Copy)]
struct ValueSeed<'c> {
    ctx: &'c Ctx,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor { ctx: self.ctx })
    }
}

struct ValueVisitor<'c> {
    ctx: &'c Ctx,
}

impl<'de> Visitor<'de> for ValueVisitor<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.ctx.count()?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.ctx.count()?;
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.ctx.count()?;
        Ok(Value::Number(v.into()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        self.ctx.count()?;
        match i64::try_from(v) {
            Ok(i) => Ok(Value::Number(i.into())),
            Err(_) => self.ctx.number(v as f64),
        }
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        self.ctx.count()?;
        match u64::try_from(v) {
            Ok(u) => Ok(Value::Number(u.into())),
            Err(_) => self.ctx.number(v as f64),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.ctx.count()?;
        self.ctx.number(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.ctx.count()?;
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.ctx.count()?;
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.ctx.count()?;
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        ValueSeed { ctx: self.ctx }.deserialize(d)
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        ValueSeed { ctx: self.ctx }.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let ctx = self.ctx;
        ctx.count()?;
        ctx.enter()?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element_seed(ValueSeed { ctx })? {
            items.push(item);
        }
        ctx.leave();
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let ctx = self.ctx;
        ctx.count()?;
        ctx.enter()?;
        let mut out = Map::new();
        let mut merges: Vec<Value> = Vec::new();
        loop {
            let seed = KeySeed {
                ctx,
                existing: &out,
                merge_seen: !merges.is_empty(),
            };
            let Some(key) = map.next_key_seed(seed)? else {
                break;
            };
            let value = map.next_value_seed(ValueSeed { ctx })?;
            if key == MERGE_KEY {
                merges.push(value);
            } else {
                out.insert(key, value);
            }
        }
        ctx.leave();
        if !merges.is_empty() {
            apply_merges(ctx, &mut out, merges)?;
        }
        Ok(Value::Object(out))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A local tag (`!foo`): keep the tagged node, drop the tag.
        let (IgnoredAny, variant) = data.variant()?;
        variant.newtype_variant_seed(ValueSeed { ctx: self.ctx })
    }
}

const MERGE_KEY: &str = "<<";

fn apply_merges<E: de::Error>(
    ctx: &Ctx,
    out: &mut Map<String, Value>,
    merges: Vec<Value>,
) -> Result<(), E> {
    let mut sources = Vec::new();
    for m in merges {
        match m {
            Value::Object(o) => sources.push(o),
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Object(o) => sources.push(o),
                        _ => return Err(ctx.fail(Pending::InvalidMerge)),
                    }
                }
            }
            _ => return Err(ctx.fail(Pending::InvalidMerge)),
        }
    }
    for source in sources {
        for (k, v) in source {
            if !out.contains_key(&k) {
                out.insert(k, v);
            }
        }
    }
    Ok(())
}

/// Deserializes a mapping key into its JSON string form, rejecting
/// duplicates here (rather than after the value) so that the error position
/// is the duplicate key's.
struct KeySeed<'c, 'm> {
    ctx: &'c Ctx,
    existing: &'m Map<String, Value>,
    merge_seen: bool,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = String;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl KeySeed<'_, '_> {
    fn key<E: de::Error>(&self, key: String) -> Result<String, E> {
        self.ctx.count()?;
        let duplicate = if key == MERGE_KEY {
            self.merge_seen
        } else {
            self.existing.contains_key(&key)
        };
        if duplicate {
            return Err(self.ctx.fail(Pending::DuplicateKey(key)));
        }
        Ok(key)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scalar mapping key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        self.key(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        self.key(v)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        self.key(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        self.key(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        self.key(v.to_string())
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<String, E> {
        self.key(v.to_string())
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<String, E> {
        self.key(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        let s = if v.is_finite() {
            v.to_string()
        } else {
            yaml_float_name(v).to_string()
        };
        self.key(s)
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Err(self.ctx.fail(Pending::NonStringKey("null")))
    }

    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        self.visit_unit()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<String, A::Error> {
        Err(self.ctx.fail(Pending::NonStringKey("sequence")))
    }

    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<String, A::Error> {
        Err(self.ctx.fail(Pending::NonStringKey("mapping")))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<String, A::Error> {
        let (IgnoredAny, variant) = data.variant()?;
        variant.newtype_variant_seed(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::split_documents;
    use serde_json::json;
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    fn yaml(text: &str) -> SourceFile {
        SourceFile::from_text(
            "t.yaml",
            PathBuf::from("t.yaml"),
            text.into(),
            FileFormat::Yaml,
        )
    }

    fn json_file(text: &str) -> SourceFile {
        SourceFile::from_text(
            "t.json",
            PathBuf::from("t.json"),
            text.into(),
            FileFormat::Json,
        )
    }

    /// Parse every document of a file.
    fn all(f: &SourceFile) -> Vec<Result<Option<Value>, ParseError>> {
        f.documents().iter().map(|d| parse_document(f, d)).collect()
    }

    fn one(text: &str) -> Result<Option<Value>, ParseError> {
        let f = yaml(text);
        let docs = f.documents();
        assert_eq!(docs.len(), 1, "{text:?}");
        parse_document(&f, &docs[0])
    }

    fn value(text: &str) -> Value {
        one(text).unwrap().unwrap()
    }

    fn pos(line: usize, column: usize) -> Option<Position> {
        Some(Position { line, column })
    }

    #[test]
    fn scalars_map_to_json_types() {
        assert_eq!(
            value(
                "a: 1\nb: -2\nc: 1.5\nd: true\ne: null\nf: ~\ng:\nh: text\ni: '1'\nj: 0x10\nk: 1e3\n"
            ),
            json!({"a": 1, "b": -2, "c": 1.5, "d": true, "e": null, "f": null, "g": null,
                   "h": "text", "i": "1", "j": 16, "k": 1000.0})
        );
        // YAML 1.2 core schema: these are strings, unlike in YAML 1.1.
        assert_eq!(
            value("a: yes\nb: on\nc: 010\n"),
            json!({"a": "yes", "b": "on", "c": "010"})
        );
        // Beyond 64 bits: a float, as Kubernetes does.
        assert_eq!(value("a: 100000000000000000000\n"), json!({"a": 1e20}));
        assert_eq!(value("a: 18446744073709551615\n"), json!({"a": u64::MAX}));
    }

    #[test]
    fn empty_and_comment_only_documents_are_none() {
        let f = yaml("# c\n---\n---\n\n# x\n...\n");
        let r = all(&f);
        assert_eq!(r.len(), 3);
        assert!(r.iter().all(|r| matches!(r, Ok(None))), "{r:?}");
        // A document that says `null` is not empty.
        assert_eq!(one("null\n").unwrap(), Some(Value::Null));
    }

    #[test]
    fn tags_are_ignored() {
        assert_eq!(
            value(
                "a: !foo {b: 1}\nc: !bar [1, 2]\nd: !baz 3\ne: !!str 4\nf: !!int \"5\"\ng: !q 'x'\n"
            ),
            json!({"a": {"b": 1}, "c": [1, 2], "d": 3, "e": "4", "f": 5, "g": "x"})
        );
        assert_eq!(value("--- !Thing\nkind: X\n"), json!({"kind": "X"}));
        assert_eq!(value("!k key: v\n"), json!({"key": "v"}));
    }

    #[test]
    fn duplicate_keys_are_errors_with_the_key_position() {
        let f = yaml("a: 1\n---\nspec:\n  x: 1\n  y: 2\n  x: 3\n");
        let r = all(&f);
        assert!(r[0].is_ok());
        match &r[1] {
            Err(ParseError::DuplicateKey { key, position }) => {
                assert_eq!(key, "x");
                assert_eq!(*position, pos(6, 3));
            }
            other => panic!("{other:?}"),
        }
        // Keys that are equal once converted to strings collide too.
        assert!(matches!(
            one("1: a\n\"1\": b\n"),
            Err(ParseError::DuplicateKey { .. })
        ));
        assert!(matches!(
            one("{a: 1, a: 2}"),
            Err(ParseError::DuplicateKey { .. })
        ));
        // The same key in different mappings is fine.
        assert!(one("a: {x: 1}\nb: {x: 1}\n").is_ok());
    }

    #[test]
    fn non_string_keys() {
        assert_eq!(
            value("1: a\ntrue: b\n1.5: c\n-3: d\n.inf: e\n"),
            json!({"1": "a", "true": "b", "1.5": "c", "-3": "d", ".inf": "e"})
        );
        match one("a: 1\n~: b\n") {
            Err(ParseError::NonStringKey {
                kind: "null",
                position,
            }) => {
                assert_eq!(position, pos(2, 1))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            one("? [a, b]\n: c\n"),
            Err(ParseError::NonStringKey {
                kind: "sequence",
                ..
            })
        ));
        assert!(matches!(
            one("{a: 1}: c\n"),
            Err(ParseError::NonStringKey {
                kind: "mapping",
                ..
            })
        ));
    }

    #[test]
    fn non_finite_floats_are_errors() {
        for (text, name) in [
            ("a: .nan\n", ".nan"),
            ("a: .inf\n", ".inf"),
            ("a: -.Inf\n", "-.inf"),
        ] {
            match one(text) {
                Err(ParseError::NonFiniteFloat { value, position }) => {
                    assert_eq!(value, name);
                    assert_eq!(position, pos(1, 4));
                }
                other => panic!("{text}: {other:?}"),
            }
        }
        // Quoted, they are strings.
        assert_eq!(value("a: '.nan'\n"), json!({"a": ".nan"}));
    }

    #[test]
    fn merge_keys() {
        let v =
            value("base: &b {x: 1, y: 2}\nother: &o {y: 3, z: 4}\nm:\n  <<: [*b, *o]\n  x: 9\n");
        assert_eq!(v["m"], json!({"x": 9, "y": 2, "z": 4}));
        let v = value("base: &b {x: 1}\nm:\n  x: 2\n  <<: *b\n");
        assert_eq!(v["m"], json!({"x": 2}));
        assert!(matches!(
            one("m:\n  <<: 3\n"),
            Err(ParseError::InvalidMerge { .. })
        ));
        assert!(matches!(
            one("b: &b {x: 1}\nm:\n  <<: *b\n  <<: *b\n"),
            Err(ParseError::DuplicateKey { .. })
        ));
    }

    #[test]
    fn aliases_expand() {
        assert_eq!(
            value("a: &x [1, 2]\nb: *x\nc: &s str\nd: *s\n"),
            json!({"a": [1, 2], "b": [1, 2], "c": "str", "d": "str"})
        );
        assert!(matches!(one("a: *nope\n"), Err(ParseError::Syntax { .. })));
    }

    #[test]
    fn alias_bomb_fails_fast_with_a_named_error() {
        let bomb = "\
a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
";
        let start = Instant::now();
        let r = one(bomb);
        let took = start.elapsed();
        assert!(matches!(r, Err(ParseError::AliasLimit { .. })), "{r:?}");
        // A bound, not a benchmark: unbounded expansion would take hours;
        // the margin absorbs a loaded shared machine.
        assert!(took < Duration::from_secs(5), "took {took:?}");

        // The same shape padded with plenty of alias-free text, so that
        // yaml_serde's own per-event limit is far away: our budget still
        // stops it.
        let mut padded = String::new();
        for i in 0..2000 {
            padded.push_str(&format!("pad{i}: [1, 2, 3, 4, 5, 6, 7, 8]\n"));
        }
        padded.push_str(bomb);
        let start = Instant::now();
        let r = one(&padded);
        assert!(matches!(r, Err(ParseError::AliasLimit { .. })), "{r:?}");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "took {:?}",
            start.elapsed()
        );
    }

    fn nested_flow(depth: usize) -> String {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn deep_nesting_is_rejected_without_overflowing_the_stack() {
        let deep = nested_flow(10_000);
        let block_maps: String = (0..1000)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        let block_seqs = format!("{}x\n", "- ".repeat(10_000));
        let flow_maps = format!("{}{}", "{a: ".repeat(10_000), "}".repeat(10_000));
        // Default test thread, plus an explicit 2 MiB thread (rayon's
        // workers get the default stack size) and a smaller one for margin.
        for stack in [None, Some(2 << 20), Some(512 << 10)] {
            let inputs = [
                deep.clone(),
                block_maps.clone(),
                block_seqs.clone(),
                flow_maps.clone(),
            ];
            let run = move || {
                inputs
                    .iter()
                    .map(|t| {
                        matches!(
                            one(t),
                            Err(ParseError::TooDeep {
                                limit: MAX_DEPTH,
                                ..
                            })
                        )
                    })
                    .collect::<Vec<_>>()
            };
            let results = match stack {
                None => run(),
                Some(size) => std::thread::Builder::new()
                    .stack_size(size)
                    .spawn(run)
                    .unwrap()
                    .join()
                    .unwrap(),
            };
            assert_eq!(results, [true; 4], "stack {stack:?}");
        }
        // Exactly at the limit is fine; one more is not.
        assert!(one(&nested_flow(MAX_DEPTH)).is_ok());
        assert!(matches!(
            one(&nested_flow(MAX_DEPTH + 1)),
            Err(ParseError::TooDeep { .. })
        ));
    }

    #[test]
    fn deep_json_is_rejected_too() {
        let f = json_file(&nested_flow(10_000));
        let r = parse_document(&f, &f.documents()[0]);
        assert!(matches!(r, Err(ParseError::TooDeep { .. })), "{r:?}");
    }

    #[test]
    fn syntax_errors_have_file_positions() {
        let f = yaml("a: 1\n---\n# c\nb: [1, 2\nc: 3\n");
        let docs = f.documents();
        let err = parse_document(&f, &docs[1]).unwrap_err();
        let ParseError::Syntax { message, position } = &err else {
            panic!("{err:?}")
        };
        let p = position.expect("position");
        assert!(p.line >= 4, "{p:?}");
        // Marks inside the message are file-relative too.
        assert!(!message.contains("line 1 column"), "{message}");
        assert!(
            !message.contains(&format!(" at line {} column {}", p.line, p.column)),
            "{message}"
        );
    }

    #[test]
    fn positions_after_a_separator_with_content_and_crlf() {
        let f = yaml("a: 1\r\n--- {x: 1, x: 2}\r\n");
        let docs = f.documents();
        match parse_document(&f, &docs[1]) {
            Err(ParseError::DuplicateKey { position, .. }) => assert_eq!(position, pos(2, 12)),
            other => panic!("{other:?}"),
        }
        let f = yaml("a: 1\r\n---\r\nb: 2\r\nb: 3\r\n");
        match parse_document(&f, &f.documents()[1]) {
            Err(ParseError::DuplicateKey { position, .. }) => assert_eq!(position, pos(4, 1)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unicode_before_an_error_is_counted_in_bytes_then_chars() {
        let f = yaml("é: ü\nb: 1\nb: 2\n");
        match parse_document(&f, &f.documents()[0]) {
            Err(ParseError::DuplicateKey { position, .. }) => assert_eq!(position, pos(3, 1)),
            other => panic!("{other:?}"),
        }
        let f = yaml("ééé: {x: 1, x: 2}\n");
        match parse_document(&f, &f.documents()[0]) {
            Err(ParseError::DuplicateKey { position, .. }) => assert_eq!(position, pos(1, 13)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bom_and_crlf_parse() {
        let f = yaml("\u{feff}a: 1\r\nb: \"x\r\n  y\"\r\n---\r\nc: |\r\n  l1\r\n  l2\r\n");
        let r: Vec<_> = all(&f).into_iter().map(|r| r.unwrap().unwrap()).collect();
        assert_eq!(r, [json!({"a": 1, "b": "x y"}), json!({"c": "l1\nl2\n"})]);
    }

    #[test]
    fn documents_with_end_markers_and_separator_content() {
        let f = yaml("a: 1\n...\n--- {b: 2}\n--- !t\nc: 3\n--- |\n  text\n");
        let r: Vec<_> = all(&f).into_iter().map(|r| r.unwrap().unwrap()).collect();
        assert_eq!(
            r,
            [
                json!({"a": 1}),
                json!({"b": 2}),
                json!({"c": 3}),
                json!("text\n")
            ]
        );
    }

    #[test]
    fn json_files() {
        let f = json_file("{\n\t\"a\": [1, 2.5, true, null],\n\t\"b\": {\"c\": \"d\"}\n}\n");
        let r = parse_document(&f, &f.documents()[0]).unwrap().unwrap();
        assert_eq!(r, json!({"a": [1, 2.5, true, null], "b": {"c": "d"}}));
        let f = json_file("{\"a\": 1,\n \"a\": 2}");
        match parse_document(&f, &f.documents()[0]) {
            Err(ParseError::DuplicateKey { key, position }) => {
                assert_eq!(key, "a");
                assert_eq!(position.unwrap().line, 2);
            }
            other => panic!("{other:?}"),
        }
        let f = json_file("{\"a\": 1,\n \"b\": }");
        match parse_document(&f, &f.documents()[0]) {
            Err(ParseError::Syntax { message, position }) => {
                assert_eq!(position, pos(2, 7));
                assert!(!message.contains(" at line"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let f = json_file("{} {}");
        assert!(parse_document(&f, &f.documents()[0]).is_err());
        let f = json_file("  \n");
        assert!(matches!(parse_document(&f, &f.documents()[0]), Ok(None)));
    }

    #[test]
    fn templates_are_named() {
        let f = yaml("a: 1\n---\nmetadata:\n  name: {{ .Values.name }}\n");
        let r = all(&f);
        assert!(r[0].is_ok());
        match &r[1] {
            Err(ParseError::Template { position, .. }) => assert_eq!(*position, pos(4, 9)),
            other => panic!("{other:?}"),
        }
        // A Hugo shortcode inside a plain scalar parses.
        assert_eq!(
            value("image: materialize/environmentd:{{< version >}} # c\n"),
            json!({"image": "materialize/environmentd:{{< version >}}"})
        );
    }

    #[test]
    fn out_of_range_spans_do_not_panic() {
        let f = yaml("a: 1\n");
        let mut d = split_documents(&f.text)[0].clone();
        d.range.end = 100;
        assert!(parse_document(&f, &d).is_err());
        let f = yaml("é: 1\n");
        let mut d = split_documents(&f.text)[0].clone();
        d.range.start = 1;
        assert!(parse_document(&f, &d).is_err());
    }

    #[test]
    fn odd_inputs_never_panic() {
        let samples = [
            "\0",
            "\u{1}",
            "a: \"\\",
            "[",
            "]",
            "{",
            "}",
            "&a",
            "*a",
            "!",
            "!!",
            "? ",
            ": ",
            "|",
            ">",
            "- |\n x\n  y",
            "a: !!binary aGVsbG8=",
            "a: !!bool maybe",
            "a: !!int x",
            "a: !!float x",
            "a: !!null x",
            "\t",
            "a:\n\t- b",
            "%YAML 1.2\n---\na",
            "<<: [1]",
            "<<: null",
            "a: &a\n  b: *a",
            "? |\n  x\n: y",
            "\u{feff}\u{feff}",
            "a: b: c",
        ];
        for s in samples {
            for f in [yaml(s), json_file(s)] {
                for d in f.documents() {
                    let _ = parse_document(&f, &d);
                }
            }
        }
    }
}
