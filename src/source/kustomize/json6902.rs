//! JSON 6902 patches: a list of operations (`op`, `path`, and `value` or
//! `from`), which kustomize applies to the resource its entry's `target`
//! selects. The list alone does not say what it patches.

use serde_json::Value;

use crate::source::parse_pointer;

/// The items of `value` when it is an operation list: a non-empty sequence
/// of mappings that each have an `op` and a `path`.
pub fn operation_list(value: Value) -> Option<Vec<Value>> {
    let Value::Array(items) = value else {
        return None;
    };
    let is_operation = |item: &Value| item.get("op").is_some() && item.get("path").is_some();
    (!items.is_empty() && items.iter().all(is_operation)).then_some(items)
}

/// One operation, read.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation<'a> {
    /// `add`, `remove`, `replace`, `move`, `copy` or `test`, as written.
    pub op: &'a str,
    pub path: &'a str,
    /// `path`'s reference tokens, unescaped.
    pub tokens: Vec<String>,
    pub value: Option<&'a Value>,
    pub from: Option<&'a Value>,
}

impl<'a> Operation<'a> {
    /// `None` when `op` or `path` is not a string, or `path` is not a JSON
    /// pointer: kustomize rejects such an operation.
    pub fn read(item: &'a Value) -> Option<Operation<'a>> {
        let op = item.get("op").and_then(Value::as_str)?;
        let path = item.get("path").and_then(Value::as_str)?;
        let tokens = parse_pointer(path)?;
        Some(Operation {
            op,
            path,
            tokens,
            value: item.get("value"),
            from: item.get("from"),
        })
    }

    /// Whether the operation sets the value at `path` as a whole (`add`,
    /// `replace`) rather than removing or moving something there.
    pub fn sets_whole_value(&self) -> bool {
        matches!(self.op, "add" | "replace")
    }
}
