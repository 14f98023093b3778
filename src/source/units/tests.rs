//! Discovery over the fixture repository and small built trees.

use super::*;

fn memory(files: &[(&str, &str)]) -> MemoryFiles {
    MemoryFiles::new(
        files
            .iter()
            .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec())),
    )
}

fn fixture() -> Units {
    Units::discover(Path::new("fixtures/units"), &WalkOptions::default())
}

fn summary(units: &[Unit]) -> Vec<(UnitKind, &str, &str, Option<&str>)> {
    units
        .iter()
        .map(|u| {
            (
                u.kind,
                u.name.as_str(),
                u.path.as_str(),
                u.destination_namespace.as_deref(),
            )
        })
        .collect()
}

#[test]
fn discovers_applications_flux_and_leaves_pointed_roots_out() {
    let units = fixture();
    assert_eq!(
        summary(units.all()),
        [
            (
                UnitKind::ArgocdApplication,
                "app-eu-west",
                "apps/overlays/eu-west",
                Some("apps")
            ),
            (
                UnitKind::ArgocdApplication,
                "app-us-east",
                "apps/overlays/us-east",
                Some("apps")
            ),
            (
                UnitKind::FluxKustomization,
                "analytics",
                "flux/analytics",
                Some("analytics")
            ),
        ]
    );
}

#[test]
fn a_shared_base_belongs_to_every_overlay() {
    let units = fixture();
    let names: Vec<String> = units
        .of_relative("apps/base/mz.yaml")
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert_eq!(names, ["app-eu-west", "app-us-east"]);
}

#[test]
fn unreached_files_fall_back_to_their_directory() {
    let units = fixture();
    assert_eq!(
        summary(&units.of_relative("clusters/us-east/mz.yaml")),
        [(
            UnitKind::Directory,
            "clusters/us-east",
            "clusters/us-east",
            None
        )]
    );
    assert_eq!(units.of_relative("top.yaml")[0].path, ".");
}

#[test]
fn an_unpointed_kustomization_is_a_root() {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("base/kustomization.yaml", "resources: [mz.yaml]\n");
    write("base/mz.yaml", "kind: ConfigMap\n");
    write(
        "prod/kustomization.yaml",
        "resources: [../base, extra/x.yaml]\n",
    );
    write("prod/extra/x.yaml", "kind: ConfigMap\n");
    write("prod/extra/y.yaml", "kind: ConfigMap\n");
    let units = Units::discover(dir.path(), &WalkOptions::default());
    assert_eq!(
        summary(units.all()),
        [(UnitKind::Kustomization, "prod", "prod", None)]
    );
    assert_eq!(units.of_relative("base/mz.yaml")[0].name, "prod");
    assert_eq!(units.of_relative("prod/extra/x.yaml")[0].name, "prod");
    // Not named by the kustomization: its own directory.
    assert_eq!(
        units.of_relative("prod/extra/y.yaml")[0].kind,
        UnitKind::Directory
    );
}

#[test]
fn argocd_directory_apps_recurse_only_when_asked() {
    let app = |recurse: bool| {
        format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: a}}\nspec:\n  source: {{path: ./c/, directory: {{recurse: {recurse}}}}}\n  destination: {{server: https://k, namespace: n}}\n"
        )
    };
    let units = |recurse| {
        Units::discover_in(
            &memory(&[
                ("app.yaml", &app(recurse)),
                ("c/a.yaml", ""),
                ("c/d/a.yaml", ""),
            ]),
            None,
        )
    };
    let flat = units(false).all()[0].clone();
    assert_eq!(flat.path, "c");
    assert_eq!(flat.renderer, Renderer::Directory { recurse: false });
    assert!(flat.reaches("c/a.yaml") && !flat.reaches("c/d/a.yaml"));
    let deep = units(true).all()[0].clone();
    assert_eq!(deep.renderer, Renderer::Directory { recurse: true });
    assert!(deep.reaches("c/d/a.yaml") && !deep.reaches("cd/a.yaml"));
}

#[test]
fn paths_are_normalized() {
    assert_eq!(normalize("", "./a/b/").as_deref(), Some("a/b"));
    assert_eq!(normalize("a/b", "../c").as_deref(), Some("a/c"));
    assert_eq!(normalize("", "./").as_deref(), Some("."));
    assert_eq!(normalize("", "../x"), None);
}

#[test]
fn qualify_names_the_unit() {
    let unit = UnitRef {
        kind: UnitKind::ArgocdApplication,
        name: "app-us-east".into(),
        path: "apps/overlays/us-east".into(),
    };
    assert_eq!(
        unit.qualify(Some("materialize"), "mz"),
        "app-us-east:materialize/mz"
    );
    assert_eq!(unit.qualify(None, "mz"), "app-us-east:mz");
}

/// A git repository holding `files`, and its head tree's id.
fn git_repo(dir: &Path, files: &[(String, Vec<u8>)]) -> (git2::Repository, git2::Oid) {
    let repo = git2::Repository::init(dir).unwrap();
    for (path, bytes) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    let tree = index.write_tree().unwrap();
    (repo, tree)
}

fn fixture_files() -> Vec<(String, Vec<u8>)> {
    let root = Path::new("fixtures/units");
    crate::source::walk(&[root.to_path_buf()], &WalkOptions::default())
        .into_iter()
        .filter_map(Result::ok)
        .map(|path| {
            let relative = relative_to(root, &path).unwrap();
            (relative, std::fs::read(&path).unwrap())
        })
        .collect()
}

#[test]
fn discover_git_matches_discover_on_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = fixture_files();
    // A Helm chart and an ApplicationSet, so every kind is compared.
    files.push((
        "charts/mz/Chart.yaml".into(),
        b"apiVersion: v2\nname: mz\nversion: 1.0.0\n".to_vec(),
    ));
    files.push(("charts/mz/values.yaml".into(), b"{}\n".to_vec()));
    // A kustomization under kustomize's third name, which the walk does
    // not list.
    files.push((
        "legacy/Kustomization".into(),
        b"resources: [mz.yaml]\n".to_vec(),
    ));
    files.push(("legacy/mz.yaml".into(), b"kind: ConfigMap\n".to_vec()));
    files.push((
        "argocd/chart.yaml".into(),
        b"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: chart}\nspec:\n  source: {path: charts/mz, helm: {valueFiles: [values.yaml, ../../values/prod.yaml]}}\n".to_vec(),
    ));
    files.push((
        "argocd/set.yaml".into(),
        br#"apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: clusters}
spec:
  generators:
    - git: {repoURL: https://example.invalid/r.git, revision: HEAD, directories: [{path: "clusters/*"}]}
  template:
    metadata: {name: "mz-{{path.basename}}"}
    spec:
      source: {repoURL: https://example.invalid/r.git, path: "{{path}}"}
      destination: {server: https://kubernetes.default.svc, namespace: "{{path.basename}}"}
"#
        .to_vec(),
    ));
    let (repo, tree) = git_repo(dir.path(), &files);
    let tree = repo.find_tree(tree).unwrap();
    let from_git = discover_git(&repo, &tree, crate::source::DEFAULT_MAX_FILE_SIZE, None).unwrap();
    let from_disk = Units::discover(dir.path(), &WalkOptions::default());
    assert_eq!(from_git.all(), from_disk.all());
    assert!(from_git.all().len() >= 7, "{:#?}", from_git.all());
    assert!(
        from_git
            .all()
            .iter()
            .any(|u| u.kind == UnitKind::Kustomization && u.path == "legacy")
    );
    for (path, _) in &files {
        assert_eq!(
            from_git.of_relative(path),
            from_disk.of_relative(path),
            "{path}"
        );
    }
}

#[test]
fn discover_git_cost_on_2000_files() {
    // 40 clusters × 48 manifests, an Application per cluster over a
    // kustomize overlay of one base: about 2,000 files.
    let mut files = Vec::new();
    files.push((
        "base/kustomization.yaml".to_owned(),
        b"resources: [mz.yaml]\n".to_vec(),
    ));
    files.push(("base/mz.yaml".to_owned(), b"kind: ConfigMap\n".to_vec()));
    for c in 0..40 {
        files.push((
            format!("argocd/app-{c}.yaml"),
            format!(
                "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: app-{c}}}\nspec:\n  source: {{path: clusters/c{c}}}\n  destination: {{namespace: ns{c}}}\n"
            )
            .into_bytes(),
        ));
        files.push((
            format!("clusters/c{c}/kustomization.yaml"),
            b"resources: [../../base, extra]\n".to_vec(),
        ));
        for f in 0..48 {
            files.push((
                format!("clusters/c{c}/extra/f{f}.yaml"),
                format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: f{f}}}\ndata: {{a: '{}'}}\n", "x".repeat(200))
                    .into_bytes(),
            ));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let (repo, tree) = git_repo(dir.path(), &files);
    let tree = repo.find_tree(tree).unwrap();
    let time = |what: &str| {
        let start = std::time::Instant::now();
        let units = discover_git(&repo, &tree, crate::source::DEFAULT_MAX_FILE_SIZE, None).unwrap();
        eprintln!(
            "discover_git: {} files, {} units in {:?} ({what}; {} build)",
            files.len(),
            units.all().len(),
            start.elapsed(),
            if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
        );
        units
    };
    let units = time("loose objects");
    assert_eq!(units.all().len(), 40);
    assert_eq!(units.of_relative("base/mz.yaml").len(), 40);
    // As a clone has them, when git is installed to pack them (a figure
    // only; nothing asserted on time).
    let signature = git2::Signature::now("t", "t@example.invalid").unwrap();
    repo.commit(Some("HEAD"), &signature, &signature, "m", &tree, &[])
        .unwrap();
    let packed = std::process::Command::new("git")
        .args(["repack", "-adq"])
        .current_dir(dir.path())
        .status()
        .is_ok_and(|s| s.success());
    if packed {
        time("packed");
    }
}

const APP: &str = "apiVersion: argoproj.io/v1alpha1\nkind: Application\n";

#[test]
fn renderers_follow_the_source_and_the_tree() {
    let units = Units::discover_in(
        &memory(&[
            (
                "apps.yaml",
                &format!(
                    "{APP}metadata: {{name: helm}}\nspec:\n  source: {{path: charts/mz, helm: {{valueFiles: [values.yaml, ../../env/prod.yaml, $values/x.yaml], releaseName: mz}}}}\n  destination: {{namespace: mat}}\n---\n\
                     {APP}metadata: {{name: chart}}\nspec: {{source: {{path: charts/mz}}}}\n---\n\
                     {APP}metadata: {{name: plugin}}\nspec: {{source: {{path: overlays/prod, plugin: {{name: mz-presync}}}}}}\n---\n\
                     {APP}metadata: {{name: kust}}\nspec: {{source: {{path: overlays/prod}}}}\n---\n\
                     {APP}metadata: {{name: dir}}\nspec: {{source: {{path: plain}}}}\n---\n\
                     apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: flux-dir}}\nspec: {{path: ./plain}}\n"
                ),
            ),
            ("charts/mz/Chart.yaml", "name: mz\n"),
            ("charts/mz/templates/mz.yaml", "kind: X\n"),
            (
                "overlays/prod/kustomization.yaml",
                "namespace: prod\nresources: [../../base, mz.yaml]\npatches: [{path: patches/p.yaml}]\nconfigMapGenerator: [{name: c, files: [k=conf/c.txt]}]\n",
            ),
            ("overlays/prod/mz.yaml", ""),
            (
                "base/kustomization.yaml",
                "resources: [mz.yaml]\nreplacements: [{path: r.yaml}]\n",
            ),
            ("base/mz.yaml", ""),
            ("plain/mz.yaml", ""),
        ]),
        None,
    );
    let by_name = |name: &str| units.all().iter().find(|u| u.name == name).unwrap().clone();
    assert_eq!(
        by_name("helm").renderer,
        Renderer::Helm {
            values: vec!["charts/mz/values.yaml".into(), "env/prod.yaml".into()],
            release: "mz".into(),
            namespace: Some("mat".into()),
        }
    );
    assert_eq!(
        by_name("chart").renderer,
        Renderer::Helm {
            values: vec![],
            release: "chart".into(),
            namespace: None
        }
    );
    assert_eq!(
        by_name("plugin").renderer,
        Renderer::Plugin {
            name: "mz-presync".into()
        }
    );
    let kust = by_name("kust");
    assert_eq!(kust.renderer, Renderer::Kustomize);
    // The kustomization's own namespace, the Application naming none.
    assert_eq!(kust.destination_namespace.as_deref(), Some("prod"));
    assert_eq!(
        by_name("dir").renderer,
        Renderer::Directory { recurse: false }
    );
    assert_eq!(
        by_name("flux-dir").renderer,
        Renderer::Directory { recurse: true }
    );

    let inputs = kust.inputs();
    let dirs: Vec<(&str, bool)> = inputs
        .directories
        .iter()
        .map(|d| (d.path.as_str(), d.recursive))
        .collect();
    assert_eq!(dirs, [("base", false), ("overlays/prod", false)]);
    assert_eq!(
        inputs.files,
        [
            "apps.yaml",
            "base/mz.yaml",
            "base/r.yaml",
            "overlays/prod/conf/c.txt",
            "overlays/prod/mz.yaml",
            "overlays/prod/patches/p.yaml"
        ]
    );
    assert!(kust.input_changed("base/mz.yaml"));
    assert!(kust.input_changed("overlays/prod/patches/p.yaml"));
    assert!(!kust.input_changed("overlays/prod/patches/other.yaml"));
    assert!(!kust.input_changed("plain/mz.yaml"));
    let helm = by_name("helm");
    assert!(helm.input_changed("charts/mz/templates/mz.yaml"));
    assert!(helm.input_changed("env/prod.yaml"));
    assert!(!helm.input_changed("env/dev.yaml"));
    let dir = by_name("dir");
    assert!(dir.input_changed("plain/mz.yaml") && !dir.input_changed("plain/sub/mz.yaml"));
    assert!(by_name("flux-dir").input_changed("plain/sub/mz.yaml"));
    assert!(units.of_relative("x/y.yaml")[0].input_changed("x/z.yaml"));
}

fn appset(go: bool, name: &str, path: &str, namespace: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {{name: set}}\nspec:\n  goTemplate: {go}\n  generators:\n    - list: {{elements: [{{cluster: a}}]}}\n    - git:\n        repoURL: https://example.invalid/r.git\n        revision: HEAD\n        directories:\n          - path: clusters/*\n          - path: clusters/staging\n            exclude: true\n  template:\n    metadata: {{name: '{name}'}}\n    spec:\n      project: default\n      source: {{repoURL: https://example.invalid/r.git, path: '{path}'}}\n      destination: {{server: https://kubernetes.default.svc, namespace: '{namespace}'}}\n"
    )
}

#[test]
fn applicationset_git_directories_in_both_template_syntaxes() {
    let tree = |set: String| {
        Units::discover_in(
            &memory(&[
                ("set.yaml", &set),
                ("clusters/us-east/mz.yaml", ""),
                ("clusters/eu_west/mz.yaml", ""),
                ("clusters/staging/mz.yaml", ""),
                ("clusters/us-east/deep/mz.yaml", ""),
            ]),
            None,
        )
    };
    let fast = tree(appset(
        false,
        "mz-{{path.basenameNormalized}}",
        "{{path}}",
        "{{path[1]}}",
    ));
    let go = tree(appset(
        true,
        "mz-{{ .path.basenameNormalized }}",
        "{{.path.path}}",
        "{{index .path.segments 1}}",
    ));
    for units in [&fast, &go] {
        assert_eq!(
            summary(units.all()),
            [
                (
                    UnitKind::ArgocdApplicationset,
                    "mz-eu-west",
                    "clusters/eu_west",
                    Some("eu_west")
                ),
                (
                    UnitKind::ArgocdApplicationset,
                    "mz-us-east",
                    "clusters/us-east",
                    Some("us-east")
                ),
            ]
        );
        assert_eq!(
            units.of_relative("clusters/staging/mz.yaml")[0].kind,
            UnitKind::Directory
        );
    }
    // A literal template path keeps working; an unresolvable one declares
    // nothing.
    let literal = tree(appset(false, "x", "clusters/staging", "n").replace("git:", "gitx:"));
    assert_eq!(
        summary(literal.all()),
        [(
            UnitKind::ArgocdApplicationset,
            "set",
            "clusters/staging",
            Some("n")
        )]
    );
    let unknown = tree(appset(false, "x", "{{cluster}}", "n"));
    assert!(unknown.all().is_empty());
}

#[test]
fn config_units_replace_discovery() {
    let files = memory(&[
        (
            "argocd/app.yaml",
            &format!("{APP}metadata: {{name: a}}\nspec: {{source: {{path: clusters/us-east}}}}\n"),
        ),
        ("clusters/us-east/mz.yaml", ""),
        ("clusters/us-east/sub/mz.yaml", ""),
        ("clusters/us-east/special/mz.yaml", ""),
        (
            "clusters/eu-west/kustomization.yaml",
            "resources: [mz.yaml]\n",
        ),
        ("clusters/eu-west/mz.yaml", ""),
        ("other/mz.yaml", ""),
    ]);
    let entries: Vec<ConfigUnit> = yaml_serde::from_str(
        "- path: clusters/*\n  namespace: mz\n- path: clusters/us-east/special/\n  name: special\n",
    )
    .unwrap();
    let units = Units::discover_in(&files, Some(&entries));
    assert_eq!(
        summary(units.all()),
        [
            (
                UnitKind::Config,
                "clusters/eu-west",
                "clusters/eu-west",
                Some("mz")
            ),
            (
                UnitKind::Config,
                "clusters/us-east",
                "clusters/us-east",
                Some("mz")
            ),
            (
                UnitKind::Config,
                "special",
                "clusters/us-east/special",
                None
            ),
        ]
    );
    assert_eq!(
        units.of_relative("clusters/us-east/sub/mz.yaml")[0].name,
        "clusters/us-east"
    );
    let special = units.of_relative("clusters/us-east/special/mz.yaml");
    assert_eq!(
        summary(&special),
        [(
            UnitKind::Config,
            "special",
            "clusters/us-east/special",
            None
        )]
    );
    assert_eq!(
        units.of_relative("other/mz.yaml")[0].kind,
        UnitKind::Directory
    );
    let eu = &units.all()[0];
    assert_eq!(eu.renderer, Renderer::Kustomize);
    assert_eq!(
        units.all()[1].renderer,
        Renderer::Directory { recurse: true }
    );
    // Checked when the configuration is read.
    let named_glob = ConfigUnit {
        path: "clusters/*".into(),
        name: Some("x".into()),
        namespace: None,
    };
    assert!(named_glob.check().unwrap_err().contains("wildcard"));
    assert!(entries[1].check().is_ok());
    assert_eq!(entries[0].rebased("gitops").path, "gitops/clusters/*");
    assert_eq!(entries[0].rebased(".").path, "clusters/*");
}

#[test]
fn configured_units_are_rebased_onto_the_discovery_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(root.join("gitops/clusters")).unwrap();
    let entries: Vec<ConfigUnit> =
        yaml_serde::from_str("[{path: clusters/*}, {path: ./repo/x/}, {path: elsewhere}]").unwrap();
    let paths = |base: &Path| -> Vec<String> {
        ConfiguredUnits {
            base: base.to_owned(),
            entries: entries.clone(),
        }
        .for_root(&root)
        .into_iter()
        .map(|e| e.path)
        .collect()
    };
    // The file inside the repository: its paths gain its directory.
    assert_eq!(
        paths(&root.join("gitops")),
        ["gitops/clusters/*", "gitops/repo/x", "gitops/elsewhere"]
    );
    // Above it: only what reaches into the repository, made relative.
    assert_eq!(paths(dir.path()), ["x"]);
}
