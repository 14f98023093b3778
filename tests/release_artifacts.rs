//! The release plumbing that cannot run here (publishing, pushing the image,
//! macOS builds), held to what the code that does run expects: the archive
//! names scripts/dist.sh makes are the ones cargo-binstall and the Action
//! look for, the release workflow's pin script writes what the Action reads,
//! and the sidecar image is built as argocd/ documents it.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use tempfile::TempDir;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

const TARGETS: [&str; 4] = [
    "aarch64-apple-darwin",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "x86_64-unknown-linux-gnu",
];

fn read(path: &str) -> String {
    fs::read_to_string(Path::new(ROOT).join(path)).unwrap()
}

#[test]
fn binstall_fetches_the_archive_that_dist_sh_makes() {
    let cargo = read("Cargo.toml");
    assert!(cargo.contains(
        "pkg-url = \"{ repo }/releases/download/v{ version }/{ name }-{ version }-{ target }.tar.gz\""
    ));
    assert!(cargo.contains("bin-dir = \"{ name }-{ version }-{ target }/{ bin }{ binary-ext }\""));
    let dist = read("scripts/dist.sh");
    assert!(dist.contains("stem=mz-presync-$version-$target"));
    assert!(dist.contains("cp \"$bin\" README.md \"$staging/$stem/\""));
    assert!(dist.contains("-czf \"$out/$stem.tar.gz\" \"$stem\""));
    let release = read(".github/workflows/release.yml");
    for target in TARGETS {
        assert!(
            release.contains(&format!("- target: {target}\n")),
            "{target}"
        );
        assert!(
            read(".github/workflows/ci.yml").contains(&format!("- target: {target}\n")),
            "CI builds {target} too"
        );
    }
}

#[test]
fn pin_release_writes_what_the_action_reads() {
    let dir = TempDir::new().unwrap();
    fs::create_dir_all(dir.path().join("scripts")).unwrap();
    fs::create_dir_all(dir.path().join("argocd")).unwrap();
    fs::copy(
        Path::new(ROOT).join("argocd/sidecar.yaml"),
        dir.path().join("argocd/sidecar.yaml"),
    )
    .unwrap();
    let sums: String = TARGETS
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(
                "{}  mz-presync-1.2.3-{t}.tar.gz\n",
                format!("{i:x}").repeat(64)
            )
        })
        .collect();
    fs::write(dir.path().join("SHA256SUMS"), &sums).unwrap();
    let image = format!("ghcr.io/example/mz-presync-cmp@sha256:{}", "e".repeat(64));
    let pin = |sums: &str| {
        Command::new("python3")
            .arg(Path::new(ROOT).join("scripts/pin-release.py"))
            .args(["1.2.3", "https://github.com/example/mz-presync"])
            .arg(dir.path().join(sums))
            .arg(&image)
            .arg("--root")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let output = pin("SHA256SUMS");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pins: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("scripts/release.json")).unwrap())
            .unwrap();
    assert_eq!(pins["version"], "1.2.3");
    assert_eq!(
        pins["base-url"],
        "https://github.com/example/mz-presync/releases/download/v1.2.3"
    );
    assert_eq!(pins["repository"], "example/mz-presync");
    assert_eq!(pins["sha256"].as_object().unwrap().len(), 4);
    assert_eq!(
        pins["sha256"]["mz-presync-1.2.3-x86_64-unknown-linux-gnu.tar.gz"],
        "3".repeat(64)
    );
    let sidecar = fs::read_to_string(dir.path().join("argocd/sidecar.yaml")).unwrap();
    assert!(
        sidecar.contains(&format!("          image: {image}\n")),
        "{sidecar}"
    );

    // A SHA256SUMS missing a target is refused, and nothing is half-written.
    fs::write(
        dir.path().join("SHORT"),
        sums.lines().take(3).collect::<Vec<_>>().join("\n"),
    )
    .unwrap();
    let output = pin("SHORT");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("lists"));
}

#[test]
fn the_sidecar_image_runs_as_argo_cds_user_with_pinned_tools() {
    let dockerfile = read("argocd/Dockerfile");
    let last_stage = dockerfile.rsplit("\nFROM ").next().unwrap();
    assert!(last_stage.contains("\nUSER 999:999\n"), "{last_stage}");
    assert!(last_stage.contains("/usr/local/bin/mz-presync"));
    for tool in ["KUSTOMIZE_VERSION=", "HELM_VERSION="] {
        assert!(dockerfile.contains(&format!("ARG {tool}")), "{tool} pinned");
    }
    // Every download is checked: one checksum per archive and architecture.
    let adds = dockerfile.matches("\nADD ").count();
    assert_eq!(adds, 4);
    assert_eq!(dockerfile.matches("\nADD --checksum=sha256:").count(), adds);
    let sidecar = read("argocd/sidecar.yaml");
    assert!(sidecar.contains("runAsUser: 999"));
    let readme = read("argocd/README.md");
    assert!(readme.contains("docker build -f argocd/Dockerfile"));
}

#[test]
fn the_wheel_is_the_binary_built_with_the_dist_profile() {
    let pyproject = read("pyproject.toml");
    assert!(pyproject.contains("build-backend = \"maturin\""));
    assert!(pyproject.contains("bindings = \"bin\""));
    assert!(pyproject.contains("profile = \"dist\""));
    let cargo = read("Cargo.toml");
    let dist = cargo
        .split("[profile.dist]")
        .nth(1)
        .expect("[profile.dist]");
    let dist = dist.split("\n[").next().unwrap();
    for setting in [
        "inherits = \"release\"",
        "strip = true",
        "lto = \"fat\"",
        "codegen-units = 1",
    ] {
        assert!(dist.contains(setting), "{setting}");
    }
    assert!(!dist.contains("panic"), "panics must keep unwinding");
}
