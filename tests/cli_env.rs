//! Flags read from `MZ_PRESYNC_*` environment variables, and the colour
//! precedence: `--color never` > `NO_COLOR` > `FORCE_COLOR` /
//! `CLICOLOR_FORCE` > whether the stream is a terminal.

use assert_cmd::Command;

const UNKNOWN_FIELD: &str = "apiVersion: materialize.cloud/v1alpha2\nkind: Materialize\nmetadata: {name: mz, namespace: ns}\nspec:\n  environmentdImageRef: materialize/environmentd:v0.147.0\n  backendSecretName: mz-backend\n  balancerdReplica: 2\n";

/// The binary with no colour or `MZ_PRESYNC_*` setting inherited.
fn mz() -> Command {
    let mut cmd = Command::cargo_bin("mz-presync").unwrap();
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("MZ_PRESYNC_")
            || ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "CLICOLOR"].contains(&name.as_str())
        {
            cmd.env_remove(name);
        }
    }
    cmd
}

fn validate(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd
        .args(["validate", "-"])
        .write_stdin(UNKNOWN_FIELD)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn strict_from_the_environment_and_false_means_false() {
    let (code, _, stderr) = validate(&mut mz());
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = validate(mz().env("MZ_PRESYNC_STRICT", "true"));
    assert_eq!(code, 1, "{stderr}");
    let (code, _, stderr) = validate(mz().env("MZ_PRESYNC_STRICT", "1"));
    assert_eq!(code, 1, "{stderr}");
    let (code, _, stderr) = validate(mz().env("MZ_PRESYNC_STRICT", "false"));
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = validate(mz().env("MZ_PRESYNC_STRICT", "0"));
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = validate(mz().env("MZ_PRESYNC_STRICT", "yes please"));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("MZ_PRESYNC_STRICT") || stderr.contains("--strict"),
        "{stderr}"
    );
}

#[test]
fn format_is_per_command_and_the_flag_wins() {
    let (code, stdout, stderr) = validate(mz().env("MZ_PRESYNC_VALIDATE_FORMAT", "json"));
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["version"], 1);
    // Another command's variable is not read by validate.
    let (_, stdout, _) = validate(mz().env("MZ_PRESYNC_HASH_FORMAT", "json"));
    assert_eq!(stdout, "");
    // The flag wins over the variable.
    let (_, stdout, _) = validate(
        mz().env("MZ_PRESYNC_VALIDATE_FORMAT", "json")
            .args(["--quiet"]),
    );
    assert!(stdout.starts_with('{'));
    let out = mz()
        .env("MZ_PRESYNC_VALIDATE_FORMAT", "json")
        .args(["validate", "--format", "github", "-"])
        .write_stdin(UNKNOWN_FIELD)
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().starts_with("::"));
}

#[test]
fn help_names_the_variables() {
    let out = mz().args(["validate", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for name in [
        "MZ_PRESYNC_VALIDATE_FORMAT",
        "MZ_PRESYNC_STRICT",
        "MZ_PRESYNC_REQUIRE_VERSION",
        "MZ_PRESYNC_NO_IGNORE",
        "MZ_PRESYNC_MAX_FILE_SIZE",
        "MZ_PRESYNC_ALGORITHM",
        "MZ_PRESYNC_COLOR",
        "MZ_PRESYNC_QUIET",
        "MZ_PRESYNC_OPERATOR",
    ] {
        assert!(
            help.contains(&format!("env: {name}")),
            "{name} missing:\n{help}"
        );
    }
}

fn coloured(cmd: &mut Command) -> bool {
    let (_, _, stderr) = validate(cmd.env("MZ_PRESYNC_STRICT", "1"));
    assert!(stderr.contains("unknown-field"), "{stderr}");
    stderr.contains('\u{1b}')
}

#[test]
fn colour_precedence() {
    // Not a terminal: no colour by default.
    assert!(!coloured(&mut mz()));
    assert!(coloured(mz().env("FORCE_COLOR", "1")));
    assert!(coloured(mz().env("CLICOLOR_FORCE", "1")));
    assert!(!coloured(mz().env("CLICOLOR_FORCE", "0")));
    assert!(!coloured(mz().env("FORCE_COLOR", "")));
    // NO_COLOR beats FORCE_COLOR; --color always beats NO_COLOR; never beats all.
    assert!(!coloured(mz().env("FORCE_COLOR", "1").env("NO_COLOR", "1")));
    assert!(coloured(
        mz().env("NO_COLOR", "1").args(["--color", "always"])
    ));
    assert!(!coloured(
        mz().env("FORCE_COLOR", "1").args(["--color", "never"])
    ));
    assert!(!coloured(
        mz().env("FORCE_COLOR", "1")
            .env("MZ_PRESYNC_COLOR", "never")
    ));
    assert!(coloured(mz().env("MZ_PRESYNC_COLOR", "always")));
}
