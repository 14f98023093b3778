//! Reading a document the way [`parse_document`](super::parse_document)
//! would, without building its value.
//!
//! Nine documents in ten in a repository are not Materialize objects; for
//! them only two facts matter: whether the parser accepts the document (a
//! syntax error, a duplicate key or an alias bomb must still be reported)
//! and its `kind`. Building the `serde_json::Value` is a fifth of the cost of
//! parsing (measured on 35,000 files), so it is skipped here.
//!
//! The skim is one-sided on purpose: it answers [`Skim::Clean`] only when
//! the full parse is certain to succeed, and [`Skim::Unsure`] for anything
//! it does not mirror exactly — every parser error, merge keys, tags,
//! non-string keys, a node budget or depth at the limit, a hash collision
//! between keys. The caller then runs the full parse, which owns every error
//! message and position.

use std::cell::RefCell;
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde::de::{self, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, Visitor};

use super::FileFormat;
use super::parse::Limits;

/// Keys per mapping checked for duplicates by a linear scan of their
/// hashes; a larger mapping goes to the full parse.
const MAX_KEYS: usize = 128;

const MERGE_KEY: &str = "<<";

/// What a skim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Skim {
    /// The full parse would succeed; `kind` is the root mapping's `kind`
    /// when it is a string.
    Clean { kind: Option<String> },
    /// Run the full parse to know.
    Unsure,
}

pub(super) fn skim(format: FileFormat, text: &str) -> Skim {
    let ctx = Ctx::new(text.len());
    let ok = match format {
        FileFormat::Yaml => Seed {
            ctx: &ctx,
            capture_kind: false,
        }
        .deserialize(yaml_serde::Deserializer::from_str(text))
        .is_ok(),
        FileFormat::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            Seed {
                ctx: &ctx,
                capture_kind: false,
            }
            .deserialize(&mut de)
            .and_then(|()| de.end())
            .is_ok()
        }
    };
    if ok {
        Skim::Clean {
            kind: ctx.kind.into_inner(),
        }
    } else {
        Skim::Unsure
    }
}

struct Ctx {
    limits: Limits,
    /// Hashes of the keys of every mapping being read, innermost last.
    keys: RefCell<Vec<u64>>,
    kind: RefCell<Option<String>>,
}

impl Ctx {
    fn new(text_len: usize) -> Self {
        Ctx {
            limits: Limits::new(text_len),
            keys: RefCell::new(Vec::new()),
            kind: RefCell::new(None),
        }
    }

    fn count<E: de::Error>(&self) -> Result<(), E> {
        if self.limits.count() {
            Ok(())
        } else {
            Err(unsure())
        }
    }

    fn enter<E: de::Error>(&self) -> Result<(), E> {
        if self.limits.enter() {
            Ok(())
        } else {
            Err(unsure())
        }
    }

    fn leave(&self) {
        self.limits.leave();
    }
}

fn unsure<E: de::Error>() -> E {
    E::custom("unsure")
}

#[derive(Clone, Copy)]
struct Seed<'c> {
    ctx: &'c Ctx,
    /// This node is the value of the root mapping's `kind`.
    capture_kind: bool,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.ctx.count()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.ctx.count()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.ctx.count()
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        self.ctx.count()
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        self.ctx.count()
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.ctx.count()?;
        if v.is_finite() { Ok(()) } else { Err(unsure()) }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.ctx.count()?;
        if self.capture_kind {
            *self.ctx.kind.borrow_mut() = Some(v.to_owned());
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.ctx.count()
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.ctx.count()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        ctx.count()?;
        ctx.enter()?;
        let item = Seed {
            ctx,
            capture_kind: false,
        };
        while seq.next_element_seed(item)?.is_some() {}
        ctx.leave();
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        ctx.count()?;
        ctx.enter()?;
        let is_root = ctx.limits.depth() == 1;
        let start = ctx.keys.borrow().len();
        while let Some(is_kind) = map.next_key_seed(KeySeed { ctx, start })? {
            map.next_value_seed(Seed {
                ctx,
                capture_kind: is_root && is_kind,
            })?;
        }
        ctx.keys.borrow_mut().truncate(start);
        ctx.leave();
        Ok(())
    }

    fn visit_enum<A: EnumAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        // A local tag: rare in manifests, left to the full parse.
        Err(unsure())
    }
}

/// A mapping key; the value says whether it is `kind`. Only string keys are
/// skimmed: scalar keys that become strings (`1`, `true`), null and
/// collection keys, and the merge key are the full parser's business.
struct KeySeed<'c> {
    ctx: &'c Ctx,
    /// Where this mapping's keys start in `Ctx::keys`.
    start: usize,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string mapping key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        self.ctx.count()?;
        if v == MERGE_KEY {
            return Err(unsure());
        }
        let mut hasher = DefaultHasher::new();
        v.hash(&mut hasher);
        let hash = hasher.finish();
        let mut keys = self.ctx.keys.borrow_mut();
        let mine = &keys[self.start..];
        // Equal hashes are usually a duplicate key (an error) and, very
        // rarely, a collision: either way the full parse decides.
        if mine.len() >= MAX_KEYS || mine.contains(&hash) {
            return Err(unsure());
        }
        keys.push(hash);
        Ok(v == "kind")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Err(unsure())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Err(unsure())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Err(unsure())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Err(unsure())
    }

    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Err(unsure())
    }

    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        Err(unsure())
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::MAX_DEPTH;

    fn yaml(text: &str) -> Skim {
        skim(FileFormat::Yaml, text)
    }

    fn clean(kind: Option<&str>) -> Skim {
        Skim::Clean {
            kind: kind.map(str::to_owned),
        }
    }

    #[test]
    fn plain_documents_are_clean_with_their_kind() {
        assert_eq!(
            yaml("apiVersion: apps/v1\nkind: Deployment\nspec:\n  kind: Inner\n"),
            clean(Some("Deployment"))
        );
        assert_eq!(
            skim(
                FileFormat::Json,
                r#"{"kind": "Service", "a": [1, 2.5, null]}"#
            ),
            clean(Some("Service"))
        );
        assert_eq!(yaml("- kind: X\n"), clean(None));
        assert_eq!(yaml("kind: 3\n"), clean(None));
        assert_eq!(yaml("a: {kind: X}\n"), clean(None));
    }

    #[test]
    fn what_the_skim_does_not_mirror_is_unsure() {
        for text in [
            "a: 1\na: 2\n",
            "a: &x {b: 1}\nc:\n  <<: *x\n",
            "1: a\n",
            "true: a\n",
            "~: a\n",
            "? [a]\n: b\n",
            "a: !local {b: 1}\n",
            "a: .nan\n",
            "a: -.inf\n",
            "a: [unclosed\n",
            "kind: Deployment\n\tb: tab\n",
        ] {
            assert_eq!(yaml(text), Skim::Unsure, "{text:?}");
        }
        assert_eq!(skim(FileFormat::Json, r#"{"a": 1, "a": 2}"#), Skim::Unsure);
        assert_eq!(skim(FileFormat::Json, r#"{"a": 1} trailing"#), Skim::Unsure);
        let deep = format!(
            "{}1{}",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(yaml(&deep), Skim::Unsure);
        let big: String = (0..=MAX_KEYS).map(|i| format!("k{i}: v\n")).collect();
        assert_eq!(yaml(&big), Skim::Unsure);
    }

    #[test]
    fn alias_expansion_is_bounded_by_the_full_parsers_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..8 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let started = std::time::Instant::now();
        assert_eq!(yaml(&text), Skim::Unsure);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
