//! The CustomResourceDefinition and the kubeconform-style JSON schemas.
//!
//! The CRD comes from kube's `CustomResource` derive over schemars, as the
//! operator builds its own, so its structure matches what a cluster runs.
//! The JSON schemas are derived from the CRD (never written by hand) and
//! checked into `schemas/`; the binary embeds that directory.
//!
//! There is one CRD per operator model (spec §7): the design document's
//! (`schemas/`) and the released operator's (`schemas/released/`), which
//! serves `v1alpha1` (stored) and `v1` through a conversion webhook.

use std::sync::OnceLock;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceConversion, CustomResourceDefinition, ServiceReference, WebhookClientConfig,
    WebhookConversion,
};
use kube::CustomResourceExt;
use serde_json::{Map, Value, json};

use super::common::{GROUP, KIND, Version};
use super::operator::Operator;
use super::{v1, v1alpha1, v1alpha2};

/// The conversion webhook's Service in the released CRD. The operator
/// installs its CRD itself (`--install-v1-crd`) with the Service named by
/// its `--webhook-service-name`/`--webhook-service-namespace` flags, which
/// the Helm chart sets to the chart's full name and the release namespace;
/// these are placeholders for the docs' install (`helm install
/// materialize-operator … -n materialize`), to be replaced in a copy that
/// is applied. The port is the chart's Service port and the operator's
/// default `--webhook-service-port`: without it the API server would call
/// port 443. `caBundle` is left out: the operator writes it at start-up.
pub const WEBHOOK_SERVICE_NAME: &str = "materialize-operator";
pub const WEBHOOK_SERVICE_NAMESPACE: &str = "materialize";
pub const WEBHOOK_SERVICE_PORT: i32 = 8001;
pub const WEBHOOK_PATH: &str = "/convert";

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

/// The CRD a cluster running `operator` has: the design document's
/// ([`crd`]), or the released operator's — `v1alpha1` served and stored,
/// `v1` served, no `v1alpha2`, and the `Webhook` conversion between them.
pub fn crd_for(operator: Operator) -> CustomResourceDefinition {
    match operator {
        Operator::Design => crd(),
        Operator::Released => {
            let mut crd = kube::core::crd::merge_crds(
                vec![v1alpha1::Materialize::crd(), v1::Materialize::crd()],
                operator.storage_version().as_str(),
            )
            .expect("both versions describe one resource");
            crd.spec.conversion = Some(CustomResourceConversion {
                strategy: "Webhook".to_owned(),
                webhook: Some(WebhookConversion {
                    client_config: Some(WebhookClientConfig {
                        service: Some(ServiceReference {
                            name: WEBHOOK_SERVICE_NAME.to_owned(),
                            namespace: WEBHOOK_SERVICE_NAMESPACE.to_owned(),
                            path: Some(WEBHOOK_PATH.to_owned()),
                            port: Some(WEBHOOK_SERVICE_PORT),
                        }),
                        ..WebhookClientConfig::default()
                    }),
                    conversion_review_versions: vec!["v1".to_owned()],
                }),
            });
            crd
        }
    }
}

/// The CRD as YAML, exactly as written to `schemas/`.
pub fn crd_yaml() -> String {
    crd_yaml_for(Operator::Design)
}

/// The CRD of `operator` as YAML, exactly as `schema` writes it.
pub fn crd_yaml_for(operator: Operator) -> String {
    let value = serde_json::to_value(crd_for(operator)).expect("CRD serializes");
    yaml_serde::to_string(&value).expect("CRD serializes as YAML")
}

/// A strict JSON schema for a whole object of `version`, derived from the CRD.
pub fn json_schema(version: Version) -> Value {
    json_schema_for(Operator::Design, version)
}

/// [`json_schema`] from the CRD of `operator`; `version` must be one it
/// serves.
pub fn json_schema_for(operator: Operator, version: Version) -> Value {
    let crd = serde_json::to_value(crd_for(operator)).expect("CRD serializes");
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

/// Every generated file of the design model, as (path below the schema
/// directory, contents).
pub fn generated_files() -> Vec<(String, String)> {
    generated_files_for(Operator::Design)
}

/// Every generated file of `operator`'s CRD, in the same layout for both
/// models (so one kubeconform `-schema-location` template fits either
/// directory): the JSON schema of each served version and the CRD.
pub fn generated_files_for(operator: Operator) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = operator
        .served_versions()
        .iter()
        .map(|&version| {
            let text = serde_json::to_string_pretty(&json_schema_for(operator, version))
                .expect("serializes");
            (json_schema_path(version), text + "\n")
        })
        .collect();
    files.push((CRD_PATH.to_owned(), crd_yaml_for(operator)));
    files
}

/// Where the repository keeps each model's generated files, below
/// `schemas/`: the design model's at the top (where they always were), the
/// released operator's in `released/`.
pub fn checked_in_dir(operator: Operator) -> &'static str {
    match operator {
        Operator::Design => "",
        Operator::Released => "released",
    }
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
