//! The CustomResourceDefinition and the kubeconform-style JSON schemas.
//!
//! The CRD comes from kube's `CustomResource` derive over schemars, as the
//! operator builds its own, so its structure matches what a cluster runs.
//! The JSON schemas are derived from the CRD (never written by hand) and
//! checked into `schemas/`; the binary embeds that directory.

use std::sync::OnceLock;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;
use serde_json::{Map, Value, json};

use super::common::{GROUP, KIND, Version};
use super::{v1, v1alpha1, v1alpha2};

/// The version the API server stores, as the design document registers it.
pub const STORAGE_VERSION: Version = Version::V1alpha2;

/// Path of a version's JSON schema below a schema directory, in the layout
/// kubeconform reads: `{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`.
pub fn json_schema_path(version: Version) -> String {
    format!("{GROUP}/{}_{}.json", KIND.to_lowercase(), version.as_str())
}

pub const CRD_PATH: &str = "crd/materializes.materialize.cloud.yaml";

/// The CRD serving all three versions.
pub fn crd() -> CustomResourceDefinition {
    kube::core::crd::merge_crds(
        vec![
            v1alpha1::Materialize::crd(),
            v1alpha2::Materialize::crd(),
            v1::Materialize::crd(),
        ],
        STORAGE_VERSION.as_str(),
    )
    .expect("the three versions describe one resource")
}

/// The CRD as YAML, exactly as written to `schemas/`.
pub fn crd_yaml() -> String {
    let value = serde_json::to_value(crd()).expect("CRD serializes");
    yaml_serde::to_string(&value).expect("CRD serializes as YAML")
}

/// A strict JSON schema for a whole object of `version`, derived from the CRD.
pub fn json_schema(version: Version) -> Value {
    let crd = serde_json::to_value(crd()).expect("CRD serializes");
    let openapi = crd["spec"]["versions"]
        .as_array()
        .and_then(|versions| versions.iter().find(|v| v["name"] == version.as_str()))
        .map(|v| v["schema"]["openAPIV3Schema"].clone())
        .expect("every version has a schema");
    let mut schema = to_json_schema(openapi);
    let object = schema.as_object_mut().expect("root schema is an object");
    object.insert(
        "$schema".into(),
        Value::String("http://json-schema.org/draft-07/schema#".into()),
    );
    object.insert(
        "title".into(),
        Value::String(format!("{KIND} {}", version.api_version())),
    );
    let properties = object
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    properties["apiVersion"] = json!({"type": "string", "enum": [version.api_version()]});
    properties["kind"] = json!({"type": "string", "enum": [KIND]});
    properties["metadata"] = json!({"type": "object"});
    object.insert(
        "required".into(),
        json!(["apiVersion", "kind", "metadata", "spec"]),
    );
    // The API server ignores `status` on writes to the main resource (status
    // is a subresource) and the operator's reader fills in missing condition
    // strings, so a condition without `message` must not fail a manifest.
    if let Some(condition) = object
        .get_mut("properties")
        .and_then(|p| p.pointer_mut("/status/properties/conditions/items"))
        .and_then(Value::as_object_mut)
    {
        condition.remove("required");
    }
    object.insert("additionalProperties".into(), Value::Bool(false));
    schema
}

/// Turn a structural OpenAPI v3 schema into JSON Schema: `nullable` becomes
/// a `null` type, int-or-string becomes a string-or-integer union, and every
/// object that lists its properties becomes closed (maps stay open).
fn to_json_schema(schema: Value) -> Value {
    let Value::Object(mut map) = schema else {
        return schema;
    };
    for key in ["properties"] {
        if let Some(Value::Object(props)) = map.remove(key) {
            let converted = props
                .into_iter()
                .map(|(name, sub)| (name, to_json_schema(sub)))
                .collect();
            map.insert(key.into(), Value::Object(converted));
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(sub @ Value::Object(_)) = map.remove(key) {
            map.insert(key.into(), to_json_schema(sub));
        }
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(subs)) = map.remove(key) {
            map.insert(
                key.into(),
                Value::Array(subs.into_iter().map(to_json_schema).collect()),
            );
        }
    }
    let int_or_string = map
        .remove("x-kubernetes-int-or-string")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if int_or_string {
        map.remove("type");
        map.insert(
            "anyOf".into(),
            json!([{"type": "string"}, {"type": "integer"}]),
        );
    }
    let nullable = map
        .remove("nullable")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if map.contains_key("properties") && !map.contains_key("additionalProperties") {
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
    if nullable {
        if int_or_string {
            if let Some(Value::Array(options)) = map.get_mut("anyOf") {
                options.push(json!({"type": "null"}));
            }
        } else if let Some(Value::String(kind)) = map.get("type").cloned() {
            map.insert("type".into(), json!([kind, "null"]));
        }
        if let Some(Value::Array(options)) = map.get_mut("enum")
            && !options.contains(&Value::Null)
        {
            options.push(Value::Null);
        }
    }
    Value::Object(map)
}

/// Every generated file, as (path below the schema directory, contents).
pub fn generated_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Version::ALL
        .into_iter()
        .map(|version| {
            let text = serde_json::to_string_pretty(&json_schema(version)).expect("serializes");
            (json_schema_path(version), text + "\n")
        })
        .collect();
    files.push((CRD_PATH.to_owned(), crd_yaml()));
    files
}

/// The schemas checked into `schemas/`, compiled into the binary so that
/// validation never touches the file system or the network.
pub fn embedded_json_schema(version: Version) -> &'static str {
    match version {
        Version::V1alpha1 => {
            include_str!("../../schemas/materialize.cloud/materialize_v1alpha1.json")
        }
        Version::V1alpha2 => {
            include_str!("../../schemas/materialize.cloud/materialize_v1alpha2.json")
        }
        Version::V1 => include_str!("../../schemas/materialize.cloud/materialize_v1.json"),
    }
}

/// The API server's reading of `format: uuid`: the hyphenated or the
/// 32-hex-digit form, any case. Braced and `urn:uuid:` forms are rejected.
pub fn is_api_server_uuid(text: &str) -> bool {
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    match text.len() {
        32 => hex(text),
        36 => text.split('-').map(str::len).eq([8, 4, 4, 4, 12]) && hex(&text.replace('-', "")),
        _ => false,
    }
}

/// The compiled validator for one version, built on first use and shared
/// by all threads.
pub fn validator(version: Version) -> &'static jsonschema::Validator {
    static VALIDATORS: [OnceLock<jsonschema::Validator>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let index = Version::ALL
        .iter()
        .position(|v| *v == version)
        .expect("known version");
    VALIDATORS[index].get_or_init(|| {
        let schema: Value =
            serde_json::from_str(embedded_json_schema(version)).expect("embedded schema is JSON");
        jsonschema::options()
            .should_validate_formats(true)
            .with_format("uuid", is_api_server_uuid)
            .build(&schema)
            .expect("embedded schema compiles")
    })
}
