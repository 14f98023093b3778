//! Kubernetes objects inside a document value.

use serde_json::Value;

/// Lists nested inside lists are flattened, as `kubectl` does, down to this
/// depth; deeper ones are returned as they are.
const MAX_LIST_NESTING: usize = 8;

/// The Kubernetes objects in a document value, each with the JSON pointer
/// prefix where it sits: the value itself with prefix `""`, or for a list
/// (`kind: List`, or any `kind: …List` with an `items` array) each of its
/// items (`"/items/3"`), recursively for lists of lists.
///
/// Only mappings are objects: a document whose value is a scalar or a
/// sequence gives nothing, and so do list items that are not mappings. A
/// `…List` kind without an `items` array is returned as a single object.
pub fn objects(value: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    collect(value, String::new(), 0, &mut out);
    out
}

fn collect<'v>(value: &'v Value, prefix: String, depth: usize, out: &mut Vec<(String, &'v Value)>) {
    let Some(obj) = value.as_object() else {
        return;
    };
    let is_list = obj
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"));
    match obj.get("items").and_then(Value::as_array) {
        Some(items) if is_list && depth < MAX_LIST_NESTING => {
            for (i, item) in items.iter().enumerate() {
                collect(item, format!("{prefix}/items/{i}"), depth + 1, out);
            }
        }
        _ => out.push((prefix, value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn single_object() {
        let v = json!({"apiVersion": "v1", "kind": "ConfigMap"});
        let o = objects(&v);
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].0, "");
        assert!(std::ptr::eq(o[0].1, &v));
    }

    #[test]
    fn lists_are_expanded() {
        let v = json!({
            "apiVersion": "v1",
            "kind": "List",
            "items": [
                {"kind": "A"},
                "not an object",
                {"kind": "MaterializeList", "items": [{"kind": "Materialize"}]},
                {"kind": "B"}
            ]
        });
        let o: Vec<_> = objects(&v)
            .into_iter()
            .map(|(p, v)| (p, v["kind"].clone()))
            .collect();
        assert_eq!(
            o,
            [
                ("/items/0".to_string(), json!("A")),
                ("/items/2/items/0".to_string(), json!("Materialize")),
                ("/items/3".to_string(), json!("B")),
            ]
        );
    }

    #[test]
    fn non_objects_and_odd_lists() {
        assert!(objects(&json!("text")).is_empty());
        assert!(objects(&json!([1, 2])).is_empty());
        assert!(objects(&Value::Null).is_empty());
        // A List without items is an (odd) object of its own.
        let v = json!({"kind": "List"});
        assert_eq!(objects(&v).len(), 1);
        // `items` on a kind that is not a list is just a field.
        let v = json!({"kind": "Thing", "items": [{"kind": "A"}]});
        assert_eq!(objects(&v)[0].0, "");
        // An empty list has no objects.
        assert!(objects(&json!({"kind": "List", "items": []})).is_empty());
    }

    #[test]
    fn deeply_nested_lists_stop() {
        let mut v = json!({"kind": "X"});
        for _ in 0..50 {
            v = json!({"kind": "List", "items": [v]});
        }
        let o = objects(&v);
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].0, "/items/0".repeat(MAX_LIST_NESTING));
    }
}
