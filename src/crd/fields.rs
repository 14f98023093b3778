//! The spec fields of the `Materialize` resource (spec §2, §4, §5, §8) as
//! one table: JSON name, the versions that have the field, how it relates
//! to the rollout hash, whether it feeds the per-generation resources, and
//! whether it is required or deprecated.
//!
//! Every module that needs to name a spec field, or to know which fields
//! are v1alpha1-only, outside the hash or required, asks this table instead
//! of spelling names itself, so that adding a field or a version is one
//! edit here. The typed models (`v1alpha1`, `spec_v2`) remain the CRD
//! itself; the tests below keep the table and the models from drifting.

use super::common::{FORCE_ROLLOUT_ANNOTATION, Version};

/// How a field relates to the rollout hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hashing {
    /// Feeds the hash of every algorithm whose version has the field.
    In,
    /// Hashed as `null` whatever its value: a change never requests a
    /// rollout (the seven **out** fields).
    Out,
    /// v1alpha1 only; conversion moves its value into another hashed field
    /// (`environmentdIamRoleArn` → `serviceAccountAnnotations`), so a change
    /// can still change the hash.
    MovedByConversion,
    /// v1alpha1 only; conversion removes it, so it never reaches the hash.
    RemovedByConversion,
    /// `requestRollout`: removed by conversion like the above, but it is
    /// what requests a rollout of a v1alpha1 object under the released
    /// operator (spec §7).
    V1alpha1Trigger,
}

const EVERY: &[Version] = &Version::ALL;
const V1ALPHA1: &[Version] = &[Version::V1alpha1];
// `rolloutRequestTimeout` appears in v1alpha1 manifests for newer operators;
// v1alpha2 never had it.
const V1ALPHA1_AND_V1: &[Version] = &[Version::V1alpha1, Version::V1];

/// The table. One line per field, in declaration order (spec §2), which is
/// also the order of [`SpecField::ALL`].
macro_rules! spec_fields {
    ($(
        $variant:ident = $name:literal {
            versions: $versions:expr,
            hashing: $hashing:ident,
            per_generation: $per_generation:literal,
            required: $required:literal,
            deprecated: $deprecated:literal $(,)?
        }
    ),* $(,)?) => {
        /// A spec field of any version of the `Materialize` resource.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum SpecField {
            $($variant,)*
        }

        impl SpecField {
            /// Every field, in declaration order (spec §2).
            pub const ALL: &'static [SpecField] = &[$(SpecField::$variant,)*];

            /// The JSON name, e.g. `environmentdImageRef`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(SpecField::$variant => $name,)*
                }
            }

            /// The JSON pointer in a whole object, e.g. `/spec/environmentdImageRef`.
            pub const fn pointer(self) -> &'static str {
                match self {
                    $(SpecField::$variant => concat!("/spec/", $name),)*
                }
            }

            /// The versions whose spec has this field.
            pub const fn versions(self) -> &'static [Version] {
                match self {
                    $(SpecField::$variant => $versions,)*
                }
            }

            pub const fn hashing(self) -> Hashing {
                match self {
                    $(SpecField::$variant => Hashing::$hashing,)*
                }
            }

            /// Whether the field is an input of the generated per-generation
            /// resources (spec §8): when a rollout is requested, a change of
            /// it starts new environmentd pods.
            pub const fn per_generation(self) -> bool {
                match self {
                    $(SpecField::$variant => $per_generation,)*
                }
            }

            /// Whether every version that has the field requires it.
            pub const fn required(self) -> bool {
                match self {
                    $(SpecField::$variant => $required,)*
                }
            }

            /// Whether the field still works but has a better replacement.
            pub const fn deprecated(self) -> bool {
                match self {
                    $(SpecField::$variant => $deprecated,)*
                }
            }

            /// The field with JSON name `name`, if it is one.
            pub fn by_name(name: &str) -> Option<SpecField> {
                match name {
                    $($name => Some(SpecField::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

spec_fields! {
    EnvironmentdImageRef = "environmentdImageRef" {
        versions: EVERY, hashing: In, per_generation: true, required: true, deprecated: false },
    EnvironmentdExtraArgs = "environmentdExtraArgs" {
        versions: EVERY, hashing: In, per_generation: true, required: false, deprecated: false },
    EnvironmentdExtraEnv = "environmentdExtraEnv" {
        versions: EVERY, hashing: In, per_generation: true, required: false, deprecated: false },
    EnvironmentdIamRoleArn = "environmentdIamRoleArn" {
        versions: V1ALPHA1, hashing: MovedByConversion, per_generation: false, required: false, deprecated: true },
    EnvironmentdConnectionRoleArn = "environmentdConnectionRoleArn" {
        versions: EVERY, hashing: In, per_generation: true, required: false, deprecated: false },
    EnvironmentdResourceRequirements = "environmentdResourceRequirements" {
        versions: EVERY, hashing: In, per_generation: true, required: false, deprecated: false },
    EnvironmentdScratchVolumeStorageRequirement = "environmentdScratchVolumeStorageRequirement" {
        versions: EVERY, hashing: In, per_generation: false, required: false, deprecated: false },
    BalancerdResourceRequirements = "balancerdResourceRequirements" {
        versions: EVERY, hashing: Out, per_generation: false, required: false, deprecated: false },
    ConsoleResourceRequirements = "consoleResourceRequirements" {
        versions: EVERY, hashing: Out, per_generation: false, required: false, deprecated: false },
    BalancerdReplicas = "balancerdReplicas" {
        versions: EVERY, hashing: Out, per_generation: false, required: false, deprecated: false },
    ConsoleReplicas = "consoleReplicas" {
        versions: EVERY, hashing: Out, per_generation: false, required: false, deprecated: false },
    ServiceAccountName = "serviceAccountName" {
        versions: EVERY, hashing: In, per_generation: true, required: false, deprecated: false },
    ServiceAccountAnnotations = "serviceAccountAnnotations" {
        versions: EVERY, hashing: In, per_generation: false, required: false, deprecated: false },
    ServiceAccountLabels = "serviceAccountLabels" {
        versions: EVERY, hashing: In, per_generation: false, required: false, deprecated: false },
    PodAnnotations = "podAnnotations" {
        versions: EVERY, hashing: In, per_generation: true, required: false, deprecated: false },
    PodLabels = "podLabels" {
        versions: EVERY, hashing: In, per_generation: true, required: false, deprecated: false },
    RequestRollout = "requestRollout" {
        versions: V1ALPHA1, hashing: V1alpha1Trigger, per_generation: false, required: false, deprecated: false },
    ForcePromote = "forcePromote" {
        versions: EVERY, hashing: Out, per_generation: false, required: false, deprecated: false },
    ForceRollout = "forceRollout" {
        versions: EVERY, hashing: In, per_generation: true, required: false, deprecated: false },
    InPlaceRollout = "inPlaceRollout" {
        versions: V1ALPHA1, hashing: RemovedByConversion, per_generation: false, required: false, deprecated: true },
    RolloutStrategy = "rolloutStrategy" {
        versions: EVERY, hashing: In, per_generation: false, required: false, deprecated: false },
    RolloutRequestTimeout = "rolloutRequestTimeout" {
        versions: V1ALPHA1_AND_V1, hashing: In, per_generation: false, required: false, deprecated: false },
    BackendSecretName = "backendSecretName" {
        versions: EVERY, hashing: In, per_generation: true, required: true, deprecated: false },
    AuthenticatorKind = "authenticatorKind" {
        versions: EVERY, hashing: In, per_generation: true, required: false, deprecated: false },
    EnableRbac = "enableRbac" {
        versions: EVERY, hashing: In, per_generation: true, required: false, deprecated: false },
    EnvironmentId = "environmentId" {
        versions: EVERY, hashing: In, per_generation: true, required: false, deprecated: false },
    SystemParameterConfigmapName = "systemParameterConfigmapName" {
        versions: EVERY, hashing: In, per_generation: true, required: false, deprecated: false },
    BalancerdExternalCertificateSpec = "balancerdExternalCertificateSpec" {
        versions: EVERY, hashing: Out, per_generation: false, required: false, deprecated: false },
    ConsoleExternalCertificateSpec = "consoleExternalCertificateSpec" {
        versions: EVERY, hashing: Out, per_generation: false, required: false, deprecated: false },
    InternalCertificateSpec = "internalCertificateSpec" {
        versions: EVERY, hashing: In, per_generation: true, required: false, deprecated: false },
}

/// Annotations (not spec fields) that also feed the per-generation
/// resources (spec §8): newer operators copy the force-rollout annotation
/// into the StatefulSet.
pub const PER_GENERATION_ANNOTATIONS: &[&str] = &[FORCE_ROLLOUT_ANNOTATION];

impl SpecField {
    /// Every field, in declaration order.
    pub fn iter() -> impl Iterator<Item = SpecField> {
        SpecField::ALL.iter().copied()
    }

    pub fn in_version(self, version: Version) -> bool {
        self.versions().contains(&version)
    }

    /// Whether a change of the field can change the rollout hash: it is
    /// hashed itself, or conversion moves its value into a hashed field.
    /// (`rolloutRequestTimeout` counts although only the `v1` algorithm
    /// sees it.)
    pub const fn hashed(self) -> bool {
        matches!(self.hashing(), Hashing::In | Hashing::MovedByConversion)
    }

    /// A field only v1alpha1 has; the API server drops it from a v1alpha2
    /// or v1 object.
    pub fn v1alpha1_only(self) -> bool {
        self.versions() == V1ALPHA1
    }

    /// The fields `version` has, in declaration order.
    pub fn of_version(version: Version) -> impl Iterator<Item = SpecField> {
        SpecField::iter().filter(move |field| field.in_version(version))
    }
}

impl std::fmt::Display for SpecField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::{Value, json};

    use super::*;
    use crate::crd::convert::convert_spec;
    use crate::crd::hash::{Algorithm, hash_spec};
    use crate::crd::schema::json_schema;
    use crate::crd::{v1, v1alpha1, v1alpha2};

    /// A value of the right type for every field, none of them null or the
    /// default, so that nulling by the hash shows.
    fn sample(field: SpecField) -> Value {
        use SpecField::*;
        match field {
            EnvironmentdImageRef => json!("materialize/environmentd:v26.1.0"),
            EnvironmentdExtraArgs => json!(["--flag"]),
            EnvironmentdExtraEnv => json!([{"name": "A", "value": "b"}]),
            EnvironmentdIamRoleArn => json!("arn:aws:iam::1:role/x"),
            EnvironmentdConnectionRoleArn => json!("arn:aws:iam::1:role/y"),
            EnvironmentdResourceRequirements
            | BalancerdResourceRequirements
            | ConsoleResourceRequirements => json!({"limits": {"memory": "1Gi"}}),
            EnvironmentdScratchVolumeStorageRequirement => json!("10Gi"),
            BalancerdReplicas | ConsoleReplicas => json!(2),
            ServiceAccountName => json!("sa"),
            ServiceAccountAnnotations | ServiceAccountLabels | PodAnnotations | PodLabels => {
                json!({"k": "v"})
            }
            RequestRollout | ForceRollout | EnvironmentId => {
                json!("22222222-2222-2222-2222-222222222222")
            }
            ForcePromote => json!("a".repeat(64)),
            InPlaceRollout | EnableRbac => json!(true),
            RolloutStrategy => json!("ManuallyPromote"),
            RolloutRequestTimeout => json!("1h"),
            BackendSecretName => json!("backend"),
            AuthenticatorKind => json!("Password"),
            SystemParameterConfigmapName => json!("params"),
            BalancerdExternalCertificateSpec
            | ConsoleExternalCertificateSpec
            | InternalCertificateSpec => json!({"dnsNames": ["mz.example"]}),
        }
    }

    fn full_spec(version: Version) -> Value {
        Value::Object(
            SpecField::of_version(version)
                .map(|field| (field.name().to_owned(), sample(field)))
                .collect(),
        )
    }

    fn names(fields: impl Iterator<Item = SpecField>) -> BTreeSet<String> {
        fields.map(|field| field.name().to_owned()).collect()
    }

    #[test]
    fn names_are_unique_and_round_trip() {
        assert_eq!(names(SpecField::iter()).len(), SpecField::ALL.len());
        for field in SpecField::iter() {
            assert_eq!(SpecField::by_name(field.name()), Some(field));
            assert_eq!(field.pointer(), format!("/spec/{field}"));
        }
        assert_eq!(SpecField::by_name("spec"), None);
    }

    #[test]
    fn each_version_has_exactly_the_schema_properties() {
        for version in Version::ALL {
            let schema = json_schema(version);
            let properties: BTreeSet<String> = schema["properties"]["spec"]["properties"]
                .as_object()
                .expect("spec has properties")
                .keys()
                .cloned()
                .collect();
            assert_eq!(
                names(SpecField::of_version(version)),
                properties,
                "{version}"
            );
            let required: BTreeSet<String> = schema["properties"]["spec"]["required"]
                .as_array()
                .expect("spec has required fields")
                .iter()
                .map(|name| name.as_str().unwrap().to_owned())
                .collect();
            let table_required =
                names(SpecField::of_version(version).filter(|field| field.required()));
            assert_eq!(table_required, required, "{version}");
        }
    }

    /// The typed models serialize in declaration order; the table must list
    /// each version's fields in that order too (the `v1` hash depends on it).
    #[test]
    fn declaration_order_matches_the_typed_models() {
        fn serialized<T: serde::de::DeserializeOwned + serde::Serialize>(spec: &Value) -> String {
            let typed: T = serde_json::from_value(spec.clone()).expect("sample spec reads");
            serde_json::to_string(&typed).expect("typed spec serializes")
        }
        for version in Version::ALL {
            let spec = full_spec(version);
            let text = match version {
                Version::V1alpha1 => serialized::<v1alpha1::MaterializeSpec>(&spec),
                Version::V1alpha2 => serialized::<v1alpha2::MaterializeSpec>(&spec),
                Version::V1 => serialized::<v1::MaterializeSpec>(&spec),
            };
            let top_level: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                top_level.as_object().unwrap().len(),
                SpecField::of_version(version).count(),
                "{version}: {text}"
            );
            let positions: Vec<usize> = SpecField::of_version(version)
                .map(|field| {
                    text.find(&format!("\"{field}\":"))
                        .unwrap_or_else(|| panic!("{version} serializes {field}"))
                })
                .collect();
            assert!(positions.is_sorted(), "{version}: {text}");
        }
    }

    /// The fields the hash code nulls are exactly the table's `Out` fields,
    /// for both algorithms.
    #[test]
    fn the_hash_nulls_exactly_the_out_fields() {
        for algorithm in [Algorithm::V1alpha2, Algorithm::V1] {
            let version = algorithm.version();
            let hash = hash_spec(&full_spec(version), None, algorithm).expect("sample hashes");
            let preimage: Value = serde_json::from_str(&hash.preimage).unwrap();
            let nulled: BTreeSet<String> = preimage
                .as_object()
                .unwrap()
                .iter()
                .filter(|(_, value)| value.is_null())
                .map(|(name, _)| name.clone())
                .collect();
            let out = names(
                SpecField::of_version(version).filter(|field| field.hashing() == Hashing::Out),
            );
            assert_eq!(nulled, out, "{algorithm}");
        }
    }

    /// What conversion from v1alpha1 removes is exactly the fields the
    /// target lacks, and those are the table's conversion-only fields (plus
    /// `rolloutRequestTimeout` for v1alpha2, which has no such field).
    #[test]
    fn conversion_removes_exactly_the_fields_the_target_lacks() {
        let spec = full_spec(Version::V1alpha1);
        for to in [Version::V1alpha2, Version::V1] {
            let converted = convert_spec(&spec, Version::V1alpha1, to).spec;
            let removed: BTreeSet<String> = spec
                .as_object()
                .unwrap()
                .keys()
                .filter(|name| converted.get(name.as_str()).is_none())
                .cloned()
                .collect();
            let lacking = names(
                SpecField::of_version(Version::V1alpha1).filter(|field| !field.in_version(to)),
            );
            assert_eq!(removed, lacking, "{to}");
        }
        let by_conversion = names(SpecField::iter().filter(|field| {
            matches!(
                field.hashing(),
                Hashing::MovedByConversion
                    | Hashing::RemovedByConversion
                    | Hashing::V1alpha1Trigger
            )
        }));
        assert_eq!(
            by_conversion,
            names(SpecField::iter().filter(|f| f.v1alpha1_only()))
        );
    }

    #[test]
    fn derived_sets_match_the_spec() {
        let required = names(SpecField::iter().filter(|f| f.required()));
        assert_eq!(
            required,
            names(
                [
                    SpecField::EnvironmentdImageRef,
                    SpecField::BackendSecretName
                ]
                .into_iter()
            )
        );
        let v1alpha1_only = names(SpecField::iter().filter(|f| f.v1alpha1_only()));
        assert_eq!(
            v1alpha1_only,
            names(
                [
                    SpecField::RequestRollout,
                    SpecField::InPlaceRollout,
                    SpecField::EnvironmentdIamRoleArn
                ]
                .into_iter()
            )
        );
        assert_eq!(
            SpecField::iter()
                .filter(|f| f.hashing() == Hashing::Out)
                .count(),
            7
        );
        assert_eq!(SpecField::iter().filter(|f| f.per_generation()).count(), 15);
        assert!(!SpecField::iter().any(|f| f.per_generation() && !f.hashed()));
    }
}
