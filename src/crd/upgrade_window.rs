//! The operator's image upgrade window (spec §6): which changes of
//! `environmentdImageRef` it accepts, read from the image tags. It is a fact
//! about the operator, like the hash, so it lives with the CRD; turning a
//! verdict into a finding is the business of the command that compares two
//! versions of a resource.
//!
//! Tags are semantic versions (`semver`), with a leading `v` and `--`
//! standing for `+`; precedence ignores build metadata.

use std::cmp::Ordering;

/// A version read from an image tag: `v` + semver, `--` standing for `+`
/// (OCI tags cannot hold a `+`). Build metadata is not kept: it never
/// affects precedence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageVersion {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    /// Dot-separated pre-release identifiers (`rc.1` → `["rc", "1"]`).
    pub pre: Vec<String>,
}

impl ImageVersion {
    /// Semver precedence, build metadata ignored.
    pub fn precedence(&self, other: &ImageVersion) -> Ordering {
        self.semver().cmp_precedence(&other.semver())
    }

    fn semver(&self) -> semver::Version {
        semver::Version {
            major: self.major,
            minor: self.minor,
            patch: self.patch,
            pre: semver::Prerelease::new(&self.pre.join("."))
                .expect("identifiers were read by semver"),
            build: semver::BuildMetadata::EMPTY,
        }
    }
}

impl From<semver::Version> for ImageVersion {
    fn from(version: semver::Version) -> ImageVersion {
        let pre = if version.pre.is_empty() {
            Vec::new()
        } else {
            version.pre.split('.').map(str::to_owned).collect()
        };
        ImageVersion {
            major: version.major,
            minor: version.minor,
            patch: version.patch,
            pre,
        }
    }
}

impl std::fmt::Display for ImageVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "v{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre.join("."))?;
        }
        Ok(())
    }
}

/// The tag of an image reference: what follows the last `:` of the last
/// path component, with any `@sha256:…` digest removed. Looking only at the
/// last component keeps a registry port (`registry:5000/…`) from being read
/// as a tag.
pub fn image_tag(image_ref: &str) -> Option<&str> {
    let without_digest = image_ref.split('@').next().unwrap_or(image_ref);
    let last_component = without_digest.rsplit('/').next().unwrap_or(without_digest);
    let (_, tag) = last_component.rsplit_once(':')?;
    Some(tag)
}

/// Read a tag such as `v0.147.20`, `v26.0.0-rc.1` or `v26.1.0--gabc123`.
pub fn parse_tag(tag: &str) -> Result<ImageVersion, String> {
    let Some(rest) = tag.strip_prefix('v') else {
        return Err(format!("tag {tag:?} does not start with `v`"));
    };
    let text = rest.replacen("--", "+", 1);
    semver::Version::parse(&text)
        .map(ImageVersion::from)
        .map_err(|err| not_a_version(tag, &text, &err))
}

/// Name the part of a tag that is wrong: the version numbers, else the
/// pre-release part, else semver's own reason.
fn not_a_version(tag: &str, text: &str, err: &semver::Error) -> String {
    let without_build = text.split('+').next().unwrap_or_default();
    let (core, pre) = match without_build.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (without_build, None),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    if numbers.len() != 3 {
        return format!("tag {tag:?} is not `v` followed by MAJOR.MINOR.PATCH");
    }
    let bad_number = numbers.iter().find(|text| {
        text.is_empty()
            || !text.bytes().all(|b| b.is_ascii_digit())
            || (text.len() > 1 && text.starts_with('0'))
            || text.parse::<u64>().is_err()
    });
    if let Some(text) = bad_number {
        return format!("tag {tag:?}: {text:?} is not a version number");
    }
    match pre {
        Some(pre) if pre.is_empty() || semver::Prerelease::new(pre).is_err() => {
            format!("tag {tag:?} has an invalid pre-release part {pre:?}")
        }
        _ => format!("tag {tag:?} is not a semantic version ({err})"),
    }
}

/// What the operator would make of an image change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpgradeVerdict {
    /// The same version, or a jump the operator accepts.
    Allowed,
    /// The operator refuses it; the sentence says why and what to do.
    Refused(String),
    /// One of the tags is not a version; the operator lets it through, and
    /// so do we, but the user is told the window was not checked.
    Unchecked(String),
}

/// Apply the upgrade window to an image change.
pub fn check_upgrade(old_image: &str, new_image: &str) -> UpgradeVerdict {
    let read = |image: &str| {
        let tag = image_tag(image).ok_or_else(|| format!("image {image:?} has no tag"))?;
        parse_tag(tag)
    };
    let (old, new) = match (read(old_image), read(new_image)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(reason), _) | (_, Err(reason)) => {
            return UpgradeVerdict::Unchecked(format!(
                "{reason}, so the upgrade window was not checked for {old_image} → {new_image}"
            ));
        }
    };
    match upgrade_window(&old, &new) {
        Ok(()) => UpgradeVerdict::Allowed,
        Err(reason) => UpgradeVerdict::Refused(reason),
    }
}

/// The rule itself, on parsed versions.
pub fn upgrade_window(old: &ImageVersion, new: &ImageVersion) -> Result<(), String> {
    match new.precedence(old) {
        Ordering::Less => {
            return Err(format!(
                "{old} → {new} is a downgrade; the operator never rolls back an image. Restore {old} or a later version"
            ));
        }
        Ordering::Equal => return Ok(()),
        Ordering::Greater => {}
    }
    if old.major == 0 {
        if new.major == 0 {
            let allowed = new.minor == old.minor
                || new.minor == old.minor + 1
                || (old.minor == 130 && new.minor == 147);
            if allowed {
                return Ok(());
            }
            return Err(format!(
                "{old} → {new} skips minor versions; from {old} the operator accepts only v0.{}.x{}. Upgrade one minor version at a time",
                old.minor + 1,
                if old.minor == 130 { " or v0.147.x" } else { "" }
            ));
        }
        if new.major == 26 {
            if (old.minor == 147 && old.patch >= 20) || old.minor >= 164 {
                return Ok(());
            }
            return Err(format!(
                "{old} → {new}: the operator accepts v26 only from v0.147.20 or later v0.147 patches, or from v0.164 and later. Upgrade to one of those first"
            ));
        }
        return Err(format!(
            "{old} → {new}: from v0.x the operator accepts only the next minor version or v26 (from v0.147.20+ or v0.164+)"
        ));
    }
    if new.major > old.major + 1 {
        return Err(format!(
            "{old} → {new} skips major versions; the operator accepts at most one major version up (v{}.x). Upgrade one major version at a time",
            old.major + 1
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_from_the_last_path_component_without_digest() {
        let cases = [
            ("materialize/environmentd:v0.147.20", Some("v0.147.20")),
            (
                "docker.io/materialize/environmentd:v26.0.0@sha256:0123",
                Some("v26.0.0"),
            ),
            (
                "registry:5000/materialize/environmentd:v26.1.0",
                Some("v26.1.0"),
            ),
            ("registry:5000/materialize/environmentd", None),
            ("materialize/environmentd@sha256:0123", None),
            ("environmentd", None),
        ];
        for (image, tag) in cases {
            assert_eq!(image_tag(image), tag, "{image}");
        }
    }

    #[test]
    fn tags_parse_as_semver_with_double_dash_for_plus() {
        let v = parse_tag("v26.1.0--gabc.1").unwrap();
        assert_eq!((v.major, v.minor, v.patch), (26, 1, 0));
        assert!(v.pre.is_empty());
        let v = parse_tag("v26.0.0-rc.1--build.5").unwrap();
        assert_eq!(v.pre, ["rc", "1"]);
        for bad in [
            "26.0.0",
            "v26.0",
            "v26.0.0.1",
            "vx.1.2",
            "latest",
            "v01.2.3",
            "v1.2.3-",
            "v1.2.3-a..b",
            "",
        ] {
            assert!(parse_tag(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn pre_releases_rank_below_their_release() {
        let order = [
            "v26.0.0-alpha",
            "v26.0.0-alpha.1",
            "v26.0.0-alpha.beta",
            "v26.0.0-beta.2",
            "v26.0.0-beta.11",
            "v26.0.0-rc.1",
            "v26.0.0",
            "v26.0.1",
        ];
        for pair in order.windows(2) {
            let (a, b) = (parse_tag(pair[0]).unwrap(), parse_tag(pair[1]).unwrap());
            assert_eq!(
                a.precedence(&b),
                Ordering::Less,
                "{} < {}",
                pair[0],
                pair[1]
            );
        }
        let (a, b) = (
            parse_tag("v26.0.0--x").unwrap(),
            parse_tag("v26.0.0--y").unwrap(),
        );
        assert_eq!(
            a.precedence(&b),
            Ordering::Equal,
            "build metadata is ignored"
        );
    }

    #[test]
    fn upgrade_window_table() {
        use UpgradeVerdict::*;
        let image = |tag: &str| format!("materialize/environmentd:{tag}");
        // (old, new, allowed?)
        let cases: &[(&str, &str, Option<bool>)] = &[
            ("v0.147.20", "v0.147.20", Some(true)),
            ("v0.147.20", "v0.147.21", Some(true)),
            ("v0.147.20", "v0.148.0", Some(true)),
            ("v0.147.20", "v0.149.0", Some(false)),
            ("v0.130.3", "v0.147.0", Some(true)),
            ("v0.130.3", "v0.131.0", Some(true)),
            ("v0.130.3", "v0.146.0", Some(false)),
            ("v0.147.19", "v26.0.0", Some(false)),
            ("v0.147.20", "v26.0.0", Some(true)),
            ("v0.147.20", "v26.5.1", Some(true)),
            ("v0.150.0", "v26.0.0", Some(false)),
            ("v0.163.9", "v26.0.0", Some(false)),
            ("v0.164.0", "v26.0.0", Some(true)),
            ("v0.170.2", "v26.0.0-rc.1", Some(true)),
            ("v0.164.0", "v27.0.0", Some(false)),
            ("v0.164.0", "v1.0.0", Some(false)),
            ("v26.0.0", "v26.9.0", Some(true)),
            ("v26.0.0", "v27.0.0", Some(true)),
            ("v26.3.1", "v27.0.0-rc.2", Some(true)),
            ("v26.0.0", "v28.0.0", Some(false)),
            ("v26.0.0-rc.1", "v26.0.0", Some(true)),
            ("v26.0.0", "v26.0.0-rc.1", Some(false)),
            ("v26.1.0", "v26.0.9", Some(false)),
            ("v26.0.0", "v0.164.0", Some(false)),
            ("v0.148.0", "v0.147.20", Some(false)),
            ("v26.1.0--gabc", "v26.1.0--gdef", Some(true)),
            ("latest", "v26.0.0", None),
            ("v26.0.0", "main", None),
        ];
        for (old, new, expected) in cases {
            let verdict = check_upgrade(&image(old), &image(new));
            let got = match &verdict {
                Allowed => Some(true),
                Refused(_) => Some(false),
                Unchecked(_) => None,
            };
            assert_eq!(got, *expected, "{old} → {new}: {verdict:?}");
        }
    }

    #[test]
    fn refusals_say_what_to_do() {
        let UpgradeVerdict::Refused(message) = check_upgrade(
            "materialize/environmentd:v26.1.0",
            "materialize/environmentd:v26.0.0",
        ) else {
            panic!("a downgrade is refused");
        };
        assert_eq!(
            message,
            "v26.1.0 → v26.0.0 is a downgrade; the operator never rolls back an image. Restore v26.1.0 or a later version"
        );
        let UpgradeVerdict::Unchecked(message) = check_upgrade(
            "materialize/environmentd",
            "materialize/environmentd:v26.0.0",
        ) else {
            panic!("no tag is unchecked");
        };
        assert!(message.contains("has no tag"), "{message}");
    }
}
