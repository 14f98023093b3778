//! Deterministic synthetic GitOps repository generator for benchmarks.
//!
//! ```text
//! cargo run --release --example synth -- files   --out DIR --files N [--seed S] [--materialize-ratio 0.1] [--verify]
//! cargo run --release --example synth -- history --out DIR --files N --commits C [--seed S] [--materialize-ratio 0.1] [--verify]
//! ```
//!
//! `files` writes N manifests under `clusters/<env>/<app>[/<sub>]/` (20-200 per
//! directory) plus a `.gitignore`: about 10 % of the files hold `Materialize`
//! objects (v1alpha1, v1alpha2, v1, each with a unique namespace/name), the rest
//! Deployments, Services, ConfigMaps, Namespaces and Secrets; ~30 % are
//! multi-document, ~3 % JSON, some `.yml`, with leading and trailing comments.
//!
//! `history` builds a git repository in DIR (branch `main`, checked out): an
//! initial commit with N files as above, then C commits editing 1-3 files each
//! (image bumps, label/annotation and balancerdReplicas edits, forceRollout
//! changes, v1alpha1 → v1alpha2 migrations, renames/moves, added/removed plain
//! files). Each commit body lists its edits; edits of Materialize objects end
//! in `[rollout]` or `[no rollout]`, the expected effect on the rollout hash.
//!
//! The same arguments give the same bytes: file contents, and in `history` the
//! object ids, packs and refs (fixed signature, fixed increasing timestamps).
//! Only the index and working-tree mtimes differ between runs. `--verify`
//! re-parses every written file (yaml_serde / serde_json) and compares it with
//! the generator's model. A summary goes to stderr.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};
use clap::{Args, Parser, Subcommand};
use git2::{Buf, Mempack, Odb, Oid, Repository, RepositoryInitOptions, Signature, Time};
use serde::Deserialize;

#[derive(Parser)]
#[command(about = "Deterministic synthetic repository generator for mz-presync benchmarks")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Write N manifest files into DIR.
    Files(Common),
    /// Create DIR as a git repository: one import commit, then C edit commits.
    History {
        #[command(flatten)]
        common: Common,
        #[arg(long)]
        commits: usize,
    },
}

#[derive(Args)]
struct Common {
    #[arg(long)]
    out: PathBuf,
    #[arg(long)]
    files: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = 0.1)]
    materialize_ratio: f64,
    /// Re-parse every written file and compare it with the model.
    #[arg(long)]
    verify: bool,
}

fn main() -> Result<()> {
    match Cli::parse().cmd {
        Cmd::Files(c) => cmd_files(&c),
        Cmd::History { common, commits } => cmd_history(&common, commits),
    }
}

// ---------------------------------------------------------------- PRNG

/// splitmix64: tiny, fast, and good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            ((b >> 48) & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }
}

// ---------------------------------------------------------------- document model

/// A YAML/JSON value that remembers key order and comments.
#[derive(Clone, Debug)]
enum Node {
    /// A string (quoted when plain style would change its meaning).
    Str(String),
    /// An integer or boolean, written as is.
    Raw(String),
    Map(Vec<Entry>),
    Seq(Vec<Node>),
}

#[derive(Clone, Debug)]
struct Entry {
    key: String,
    value: Node,
    /// Trailing comment on the key's line (YAML only).
    comment: Option<String>,
    /// Comment lines written before the entry (YAML only).
    before: Vec<String>,
}

fn s(v: impl Into<String>) -> Node {
    Node::Str(v.into())
}
fn raw(v: impl ToString) -> Node {
    Node::Raw(v.to_string())
}
fn ent(key: &str, value: Node) -> Entry {
    Entry {
        key: key.into(),
        value,
        comment: None,
        before: Vec::new(),
    }
}
fn map(entries: Vec<Entry>) -> Node {
    Node::Map(entries)
}
fn smap(pairs: &[(&str, &str)]) -> Node {
    map(pairs.iter().map(|(k, v)| ent(k, s(*v))).collect())
}

impl Entry {
    fn comment(mut self, c: Option<&str>) -> Entry {
        self.comment = c.map(str::to_string);
        self
    }
}

impl Node {
    fn entries_mut(&mut self) -> &mut Vec<Entry> {
        match self {
            Node::Map(e) => e,
            _ => panic!("not a map"),
        }
    }
    fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(e) => e.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }
    fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries_mut()
            .iter_mut()
            .find(|e| e.key == key)
            .map(|e| &mut e.value)
    }
    fn str(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some(Node::Str(v) | Node::Raw(v)) => Some(v),
            _ => None,
        }
    }
    /// Replaces the value of `key` (keeping its comments) or appends it.
    fn set(&mut self, key: &str, value: Node) {
        match self.get_mut(key) {
            Some(v) => *v = value,
            None => self.entries_mut().push(ent(key, value)),
        }
    }
    fn remove(&mut self, key: &str) -> Option<Entry> {
        let entries = self.entries_mut();
        let i = entries.iter().position(|e| e.key == key)?;
        Some(entries.remove(i))
    }
    /// The map under `key`, created (after `after`, if present) when absent.
    fn map_at(&mut self, key: &str, after: &str) -> &mut Node {
        if self.get(key).is_none() {
            let entries = self.entries_mut();
            let at = entries
                .iter()
                .position(|e| e.key == after)
                .map_or(entries.len(), |i| i + 1);
            entries.insert(at, ent(key, map(Vec::new())));
        }
        self.get_mut(key).unwrap()
    }
}

#[derive(Clone, Debug)]
struct Doc {
    comments: Vec<String>,
    root: Node,
}

impl Doc {
    fn kind(&self) -> &str {
        self.root.str("kind").unwrap_or("")
    }
    fn is_mz(&self) -> bool {
        self.kind() == "Materialize"
    }
    fn api(&self) -> &str {
        self.root.str("apiVersion").unwrap_or("")
    }
    fn id(&self) -> String {
        let m = self.root.get("metadata").unwrap();
        format!(
            "{}/{}",
            m.str("namespace").unwrap_or("default"),
            m.str("name").unwrap_or("")
        )
    }
    fn spec(&mut self) -> &mut Node {
        self.root.get_mut("spec").unwrap()
    }
}

#[derive(Clone, Debug)]
struct File {
    path: String,
    json: bool,
    header: Vec<String>,
    explicit_start: bool,
    footer: Option<String>,
    /// Extra indentation of sequence items below their key (0 or 2).
    seq_indent: usize,
    docs: Vec<Doc>,
}

impl File {
    fn has_mz(&self) -> bool {
        self.docs.iter().any(Doc::is_mz)
    }
    fn render(&self) -> String {
        let mut out = String::with_capacity(2048);
        if self.json {
            json_value(&mut out, &self.docs[0].root, 0);
            out.push('\n');
            return out;
        }
        for line in &self.header {
            out.push_str(line);
            out.push('\n');
        }
        if !self.header.is_empty() {
            out.push('\n');
        }
        for (i, doc) in self.docs.iter().enumerate() {
            if i > 0 || self.explicit_start {
                out.push_str("---\n");
            }
            for c in &doc.comments {
                out.push_str(c);
                out.push('\n');
            }
            let Node::Map(entries) = &doc.root else {
                unreachable!()
            };
            yaml_map(&mut out, entries, 0, false, self.seq_indent);
        }
        if let Some(f) = &self.footer {
            out.push_str(f);
            out.push('\n');
        }
        out
    }
}

// ---------------------------------------------------------------- emitters

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Whether `v` must be quoted to stay a string under YAML 1.1 and 1.2 readers.
fn needs_quotes(v: &str) -> bool {
    let Some(first) = v.chars().next() else {
        return true;
    };
    if v != v.trim()
        || v.contains(['\n', '\t', '{', '}', '[', ']', '"', '\''])
        || v.contains(": ")
        || v.contains(" #")
        || v.ends_with(':')
        || !(first.is_ascii_alphanumeric() || first == '/')
    {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    let b = v.as_bytes();
    matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null"
    ) || v.parse::<f64>().is_ok()
        || (first.is_ascii_digit() && v.bytes().all(|c| c.is_ascii_digit() || b".:_".contains(&c)))
        || lower.starts_with("0x")
        || lower.starts_with("0o")
        || lower.starts_with("0b")
        || (b.len() >= 6
            && b[..4].iter().all(u8::is_ascii_digit)
            && b[4] == b'-'
            && b[5].is_ascii_digit())
}

fn yaml_scalar(out: &mut String, v: &str) {
    if needs_quotes(v) {
        out.push_str(&serde_json::to_string(v).unwrap());
    } else {
        out.push_str(v);
    }
}

fn end_line(out: &mut String, comment: Option<&str>) {
    if let Some(c) = comment {
        out.push_str("  ");
        out.push_str(c);
    }
    out.push('\n');
}

fn yaml_map(
    out: &mut String,
    entries: &[Entry],
    indent: usize,
    inline_first: bool,
    seq_indent: usize,
) {
    for (i, e) in entries.iter().enumerate() {
        let inline = i == 0 && inline_first;
        if !inline {
            for c in &e.before {
                pad(out, indent);
                out.push_str(c);
                out.push('\n');
            }
            pad(out, indent);
        }
        yaml_scalar(out, &e.key);
        out.push(':');
        let comment = e.comment.as_deref();
        match &e.value {
            Node::Str(v) if v.contains('\n') => {
                out.push_str(if v.ends_with('\n') { " |" } else { " |-" });
                end_line(out, comment);
                for line in v.lines() {
                    if !line.is_empty() {
                        pad(out, indent + 2);
                        out.push_str(line);
                    }
                    out.push('\n');
                }
            }
            Node::Str(v) => {
                out.push(' ');
                yaml_scalar(out, v);
                end_line(out, comment);
            }
            Node::Raw(v) => {
                out.push(' ');
                out.push_str(v);
                end_line(out, comment);
            }
            Node::Map(m) if m.is_empty() => {
                out.push_str(" {}");
                end_line(out, comment);
            }
            Node::Map(m) => {
                end_line(out, comment);
                yaml_map(out, m, indent + 2, false, seq_indent);
            }
            Node::Seq(items) if items.is_empty() => {
                out.push_str(" []");
                end_line(out, comment);
            }
            Node::Seq(items) => {
                end_line(out, comment);
                let si = indent + seq_indent;
                for item in items {
                    pad(out, si);
                    out.push_str("- ");
                    match item {
                        Node::Map(m) if !m.is_empty() => yaml_map(out, m, si + 2, true, seq_indent),
                        Node::Str(v) | Node::Raw(v) => {
                            yaml_scalar(out, v);
                            out.push('\n');
                        }
                        _ => unimplemented!("nested sequences and empty maps in sequences"),
                    }
                }
            }
        }
    }
}

fn json_value(out: &mut String, v: &Node, indent: usize) {
    match v {
        Node::Str(v) => out.push_str(&serde_json::to_string(v).unwrap()),
        Node::Raw(v) => out.push_str(v),
        Node::Map(m) if m.is_empty() => out.push_str("{}"),
        Node::Seq(m) if m.is_empty() => out.push_str("[]"),
        Node::Map(m) => {
            out.push_str("{\n");
            for (i, e) in m.iter().enumerate() {
                pad(out, indent + 2);
                out.push_str(&serde_json::to_string(&e.key).unwrap());
                out.push_str(": ");
                json_value(out, &e.value, indent + 2);
                out.push_str(if i + 1 < m.len() { ",\n" } else { "\n" });
            }
            pad(out, indent);
            out.push('}');
        }
        Node::Seq(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                pad(out, indent + 2);
                json_value(out, item, indent + 2);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            pad(out, indent);
            out.push(']');
        }
    }
}

/// The model as the JSON value a YAML/JSON reader should produce.
fn to_json(v: &Node) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Node::Str(v) => Value::String(v.clone()),
        Node::Raw(v) => match v.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            n => Value::from(n.parse::<i64>().expect("Raw holds integers and booleans")),
        },
        Node::Map(m) => Value::Object(
            m.iter()
                .map(|e| (e.key.clone(), to_json(&e.value)))
                .collect(),
        ),
        Node::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
    }
}

/// Parses `text` as written and checks it equals the model of `file`.
fn verify(file: &File, text: &str) -> Result<()> {
    let parsed: Vec<serde_json::Value> = if file.json {
        vec![serde_json::from_str(text)?]
    } else {
        yaml_serde::Deserializer::from_str(text)
            .map(serde_json::Value::deserialize)
            .collect::<Result<_, _>>()
            .with_context(|| format!("{}: invalid YAML", file.path))?
    };
    let expected: Vec<_> = file.docs.iter().map(|d| to_json(&d.root)).collect();
    ensure!(
        parsed == expected,
        "{}: parsed content differs from the model:\n{text}",
        file.path
    );
    Ok(())
}

// ---------------------------------------------------------------- vocabulary

const ENVS: &[&str] = &[
    "prod-us-east-1",
    "prod-eu-west-1",
    "staging",
    "dev",
    "qa",
    "perf",
    "sandbox",
    "dr-us-west-2",
];
const APP_A: &[&str] = &[
    "payments",
    "ledger",
    "orders",
    "search",
    "billing",
    "inventory",
    "identity",
    "analytics",
    "catalog",
    "shipping",
    "fraud",
    "notify",
    "reporting",
    "pricing",
    "gateway",
    "metrics",
    "audit",
    "checkout",
    "recs",
    "support",
];
const APP_B: &[&str] = &[
    "api", "worker", "web", "sync", "etl", "stream", "cache", "db", "jobs", "ingest",
];
const SUBDIRS: &[&str] = &["base", "overlays", "materialize", "jobs", "monitoring"];
const COMPONENTS: &[&str] = &[
    "api",
    "worker",
    "web",
    "cron",
    "migrator",
    "proxy",
    "cache",
    "consumer",
    "scheduler",
    "exporter",
    "frontend",
    "backend",
    "indexer",
    "gateway",
    "sidecar",
];
const MZ_SUFFIX: &[&str] = &[
    "mz",
    "materialize",
    "analytics",
    "warehouse",
    "realtime",
    "primary",
    "blue",
    "green",
];
const TEAMS: &[&str] = &[
    "data-platform",
    "payments",
    "core",
    "growth",
    "sre",
    "risk",
    "search",
];
const DOC_COMMENTS: &[&str] = &[
    "# Managed by Argo CD: edit through a pull request",
    "# Source: chart/templates/resource.yaml",
    "# DO NOT EDIT the rendered copy; regenerate with `make manifests`",
    "# Reviewed by the platform team",
];
const HEADER: &[&str] = &[
    "# Copyright Example Corp. All rights reserved.",
    "#",
    "# Use of this file is governed by the internal infrastructure policy.",
];
const GITIGNORE: &str = "# editor and OS noise\n*.swp\n.DS_Store\n.idea/\n\n# rendered locally, never committed\n*.rendered.yaml\n/tmp/\n";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Version {
    V1Alpha1,
    V1Alpha2,
    V1,
}

impl Version {
    fn api(self) -> &'static str {
        match self {
            Version::V1Alpha1 => "materialize.cloud/v1alpha1",
            Version::V1Alpha2 => "materialize.cloud/v1alpha2",
            Version::V1 => "materialize.cloud/v1",
        }
    }
}

#[derive(Clone, Debug)]
struct Dir {
    path: String,
    env: &'static str,
    app: String,
}

// ---------------------------------------------------------------- the world

/// The repository being generated: files (with tombstones for removed ones)
/// and the indexes the history edits pick from.
struct World {
    rng: Rng,
    ratio: f64,
    dirs: Vec<Dir>,
    dir_paths: HashSet<String>,
    paths: HashSet<String>,
    mz_ids: HashSet<String>,
    files: Vec<Option<File>>,
    /// Files holding Materialize objects (never removed).
    mz_files: Vec<usize>,
    /// Other files (removable).
    other_files: Vec<usize>,
}

impl World {
    fn new(seed: u64, ratio: f64) -> World {
        World {
            rng: Rng(seed ^ 0x6d7a_2d70_7265_7379),
            ratio,
            dirs: Vec::new(),
            dir_paths: HashSet::new(),
            paths: HashSet::new(),
            mz_ids: HashSet::new(),
            files: Vec::new(),
            mz_files: Vec::new(),
            other_files: Vec::new(),
        }
    }

    fn populate(&mut self, n: usize) {
        let mut remaining = n;
        while remaining > 0 {
            let count = remaining.min(self.rng.range(20, 200));
            let d = self.new_dir();
            for _ in 0..count {
                self.new_file(d, false);
            }
            remaining -= count;
        }
    }

    fn alive(&self) -> impl Iterator<Item = &File> {
        self.files.iter().flatten()
    }

    fn new_dir(&mut self) -> usize {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let env = *self.rng.pick(ENVS);
            let mut app = format!("{}-{}", self.rng.pick(APP_A), self.rng.pick(APP_B));
            if attempt > 50 {
                app = format!("{app}-{attempt}");
            }
            let path = if self.rng.chance(0.3) {
                format!("clusters/{env}/{app}/{}", self.rng.pick(SUBDIRS))
            } else {
                format!("clusters/{env}/{app}")
            };
            if self.dir_paths.insert(path.clone()) {
                self.dirs.push(Dir { path, env, app });
                return self.dirs.len() - 1;
            }
        }
    }

    fn unique_path(&mut self, dir: &str, stem: &str, ext: &str) -> String {
        let mut path = format!("{dir}/{stem}.{ext}");
        let mut k = 2;
        while !self.paths.insert(path.clone()) {
            path = format!("{dir}/{stem}-{k}.{ext}");
            k += 1;
        }
        path
    }

    /// Generates a file in directory `d` and registers it; returns its id.
    fn new_file(&mut self, d: usize, plain_only: bool) -> usize {
        let dir = self.dirs[d].clone();
        let mz = !plain_only && self.rng.chance(self.ratio);
        let (docs, stem) = if mz {
            self.mz_file_docs(&dir)
        } else {
            self.other_file_docs(&dir)
        };
        let json = docs.len() == 1 && self.rng.chance(0.043);
        let ext = if json {
            "json"
        } else if self.rng.chance(0.1) {
            "yml"
        } else {
            "yaml"
        };
        let path = self.unique_path(&dir.path, &stem, ext);
        let header = if self.rng.chance(0.15) {
            HEADER.iter().map(|h| h.to_string()).collect()
        } else {
            Vec::new()
        };
        let file = File {
            path,
            json,
            header,
            explicit_start: self.rng.chance(0.15),
            footer: self.rng.chance(0.05).then(|| "# end of file".to_string()),
            seq_indent: if self.rng.chance(0.5) { 2 } else { 0 },
            docs,
        };
        let id = self.files.len();
        if mz {
            self.mz_files.push(id);
        } else {
            self.other_files.push(id);
        }
        self.files.push(Some(file));
        id
    }

    fn doc(&mut self, root: Node) -> Doc {
        let comments = if self.rng.chance(0.2) {
            vec![self.rng.pick(DOC_COMMENTS).to_string()]
        } else {
            Vec::new()
        };
        Doc { comments, root }
    }

    fn metadata(&mut self, name: &str, ns: Option<&str>, app: &str) -> Node {
        let mut m = vec![ent("name", s(name))];
        if let Some(ns) = ns {
            m.push(ent("namespace", s(ns)));
        }
        if self.rng.chance(0.6) {
            m.push(ent(
                "labels",
                smap(&[
                    ("app.kubernetes.io/name", name),
                    ("app.kubernetes.io/part-of", app),
                    ("team", *self.rng.pick(TEAMS)),
                ]),
            ));
        }
        map(m)
    }

    // ---- Materialize

    fn mz_file_docs(&mut self, dir: &Dir) -> (Vec<Doc>, String) {
        let roll = self.rng.below(100);
        let (ns, name) = self.mz_identity(dir);
        let secret = format!("{name}-backend");
        // 85..95: with a system-parameter ConfigMap the object refers to.
        let cm = (85..95)
            .contains(&roll)
            .then(|| format!("{name}-system-params"));
        let mz = self.materialize(dir, &ns, &name, &secret, cm.as_deref());
        let stem = if self.rng.chance(0.5) {
            format!("materialize-{name}")
        } else {
            "materialize".to_string()
        };
        let docs = match (roll, cm) {
            (0..50, _) => vec![mz],
            (50..85, _) => vec![
                self.namespace(&ns, &dir.app),
                self.mz_secret(&ns, &secret, &dir.app),
                mz,
            ],
            (_, Some(cm)) => vec![
                self.mz_secret(&ns, &secret, &dir.app),
                mz,
                self.mz_configmap(&ns, &cm, &dir.app),
            ],
            _ => {
                let (ns2, name2) = self.mz_identity(dir);
                let secret2 = format!("{name2}-backend");
                vec![mz, self.materialize(dir, &ns2, &name2, &secret2, None)]
            }
        };
        (docs, stem)
    }

    /// A namespace/name pair no other Materialize object in the repo has.
    fn mz_identity(&mut self, dir: &Dir) -> (String, String) {
        loop {
            let ns = if self.rng.chance(0.5) {
                format!("materialize-{}", dir.env)
            } else {
                format!("{}-mz", dir.app)
            };
            let name = if self.rng.chance(0.4) {
                self.rng.uuid()
            } else {
                format!("{}-{}", dir.app, self.rng.pick(MZ_SUFFIX))
            };
            let mut candidate = name.clone();
            let mut k = 2;
            while self.mz_ids.contains(&format!("{ns}/{candidate}")) && k < 20 {
                candidate = format!("{name}-{k}");
                k += 1;
            }
            if self.mz_ids.insert(format!("{ns}/{candidate}")) {
                return (ns, candidate);
            }
        }
    }

    fn version(&mut self) -> Version {
        match self.rng.below(100) {
            0..45 => Version::V1Alpha1,
            45..70 => Version::V1Alpha2,
            _ => Version::V1,
        }
    }

    fn image(&mut self) -> String {
        format!(
            "materialize/environmentd:v26.{}.{}",
            self.rng.range(0, 30),
            self.rng.range(0, 5)
        )
    }

    fn resources(&mut self, cpus: &[&str], mems: &[&str]) -> Node {
        let cpu = *self.rng.pick(cpus);
        let mem = *self.rng.pick(mems);
        // Whole CPUs are sometimes written as YAML integers, as people do.
        let cpu_node = if cpu.bytes().all(|b| b.is_ascii_digit()) && self.rng.chance(0.5) {
            raw(cpu)
        } else {
            s(cpu)
        };
        let mut limits = vec![ent("memory", s(mem))];
        if self.rng.chance(0.3) {
            limits.insert(0, ent("cpu", cpu_node.clone()));
        }
        map(vec![
            ent("limits", map(limits)),
            ent(
                "requests",
                map(vec![ent("cpu", cpu_node), ent("memory", s(mem))]),
            ),
        ])
    }

    fn cert_spec(&mut self, dns: Option<&str>) -> Node {
        let mut m = Vec::new();
        if let Some(d) = dns {
            m.push(ent("dnsNames", Node::Seq(vec![s(d)])));
        }
        let issuer = if dns.is_some() {
            ("dns01", "ClusterIssuer")
        } else {
            ("intermediate-ca", "Issuer")
        };
        m.push(ent(
            "issuerRef",
            smap(&[("name", issuer.0), ("kind", issuer.1)]),
        ));
        map(m)
    }

    fn materialize(
        &mut self,
        dir: &Dir,
        ns: &str,
        name: &str,
        secret: &str,
        cm: Option<&str>,
    ) -> Doc {
        let v = self.version();
        let r = &mut self.rng;
        let mut meta = vec![ent("name", s(name)), ent("namespace", s(ns))];
        if r.chance(0.4) {
            meta.push(ent(
                "labels",
                smap(&[
                    ("app.kubernetes.io/part-of", &dir.app),
                    ("environment", dir.env),
                ]),
            ));
        }
        let mut annotations = Vec::new();
        if r.chance(0.25) {
            annotations.push(ent(
                "argocd.argoproj.io/sync-wave",
                s(r.range(0, 10).to_string()),
            ));
        }
        if r.chance(0.03) {
            annotations.push(ent("materialize.cloud/force-rollout", s(r.uuid())));
        }
        if !annotations.is_empty() {
            meta.push(ent("annotations", map(annotations)));
        }

        let mut spec = Vec::new();
        let image_comment = r.chance(0.15).then_some("# Update version as needed");
        let image = self.image();
        let r = &mut self.rng;
        spec.push(ent("environmentdImageRef", s(image)).comment(image_comment));
        if r.chance(0.1) {
            let args = [
                "--system-parameter-default=max_clusters=20",
                "--orchestrator-kubernetes-ephemeral-volume-class=local-ssd",
            ];
            spec.push(ent(
                "environmentdExtraArgs",
                Node::Seq(args[..r.range(1, 2)].iter().map(|a| s(*a)).collect()),
            ));
        }
        if r.chance(0.1) {
            let env = vec![
                smap(&[("name", "MZ_LOG_FILTER"), ("value", "info")]),
                smap(&[("name", "MZ_SOFT_ASSERTIONS"), ("value", "false")]),
            ];
            spec.push(ent("environmentdExtraEnv", Node::Seq(env)));
        }
        let account = format!("{:012}", r.next() % 1_000_000_000_000);
        let has_iam = v == Version::V1Alpha1 && r.chance(0.2);
        if has_iam {
            spec.push(ent(
                "environmentdIamRoleArn",
                s(format!(
                    "arn:aws:iam::{account}:role/{}-{}-environmentd",
                    dir.app, dir.env
                )),
            ));
        }
        if r.chance(0.1) {
            spec.push(ent(
                "environmentdConnectionRoleArn",
                s(format!(
                    "arn:aws:iam::{account}:role/{}-connections",
                    dir.app
                )),
            ));
        }
        if self.rng.chance(0.6) {
            let res = self.resources(&["2", "4", "8", "1500m"], &["8Gi", "16Gi", "32Gi", "64Gi"]);
            spec.push(ent("environmentdResourceRequirements", res));
        }
        if self.rng.chance(0.1) {
            spec.push(ent(
                "environmentdScratchVolumeStorageRequirement",
                s(*self.rng.pick(&["50Gi", "100Gi", "200Gi"])),
            ));
        }
        if self.rng.chance(0.3) {
            let res = self.resources(&["500m", "1"], &["256Mi", "512Mi", "1Gi"]);
            spec.push(ent("balancerdResourceRequirements", res));
        }
        if self.rng.chance(0.2) {
            let res = self.resources(&["100m", "250m"], &["128Mi", "256Mi"]);
            spec.push(ent("consoleResourceRequirements", res));
        }
        let r = &mut self.rng;
        if r.chance(0.4) {
            spec.push(ent("balancerdReplicas", raw(r.range(1, 4))));
        }
        if r.chance(0.25) {
            spec.push(ent("consoleReplicas", raw(r.range(1, 3))));
        }
        if r.chance(0.15) {
            spec.push(ent(
                "serviceAccountName",
                s(format!("{}-environmentd", dir.app)),
            ));
        }
        if r.chance(0.3) {
            // Never an EKS role next to environmentdIamRoleArn: migration stays lossless.
            let (k, val) = match (has_iam, r.below(3)) {
                (false, 0) => (
                    "eks.amazonaws.com/role-arn",
                    format!(
                        "arn:aws:iam::{account}:role/{}-{}-environmentd",
                        dir.app, dir.env
                    ),
                ),
                (_, 1) => (
                    "iam.gke.io/gcp-service-account",
                    format!("{}@example-project.iam.gserviceaccount.com", dir.app),
                ),
                _ => ("azure.workload.identity/client-id", r.uuid()),
            };
            spec.push(ent("serviceAccountAnnotations", map(vec![ent(k, s(val))])));
        }
        if r.chance(0.1) {
            spec.push(ent(
                "serviceAccountLabels",
                smap(&[("team", *r.pick(TEAMS))]),
            ));
        }
        if r.chance(0.2) {
            spec.push(ent(
                "podAnnotations",
                smap(&[
                    ("prometheus.io/scrape", "true"),
                    ("prometheus.io/port", "9090"),
                ]),
            ));
        }
        if r.chance(0.3) {
            spec.push(ent(
                "podLabels",
                smap(&[("team", *r.pick(TEAMS)), ("tier", "database")]),
            ));
        }
        if v == Version::V1Alpha1 {
            if r.chance(0.85) {
                let c = *r.pick(&[
                    None,
                    None,
                    Some("# Use a new UUID"),
                    Some("# ← MUST set a new UUID every upgrade"),
                ]);
                spec.push(ent("requestRollout", s(r.uuid())).comment(c));
            }
            if r.chance(0.1) {
                spec.push(ent("forcePromote", s("")));
            }
        }
        if r.chance(0.25) {
            let c = r.chance(0.3).then_some("# Optional: for forced rollouts");
            spec.push(ent("forceRollout", s(r.uuid())).comment(c));
        }
        if v == Version::V1Alpha1 && r.chance(0.15) {
            spec.push(
                ent("inPlaceRollout", raw("false"))
                    .comment(r.chance(0.5).then_some("# deprecated and ignored")),
            );
        }
        if r.chance(0.5) {
            let strategy = *r.pick(&[
                "WaitUntilReady",
                "WaitUntilReady",
                "WaitUntilReady",
                "ManuallyPromote",
                "ImmediatelyPromoteCausingDowntime",
            ]);
            spec.push(ent("rolloutStrategy", s(strategy)));
        }
        if v == Version::V1 && r.chance(0.3) {
            spec.push(ent(
                "rolloutRequestTimeout",
                s(*r.pick(&["24h", "48h", "90m", "1h 30m", "12h"])),
            ));
        }
        let mut backend = ent("backendSecretName", s(secret));
        if r.chance(0.1) {
            backend.before = [
                "#balancerdExternalCertificateSpec:",
                "#  dnsNames:",
                "#    - balancerd",
                "#  issuerRef:",
                "#    name: dns01",
            ]
            .iter()
            .map(|l| l.to_string())
            .collect();
        }
        spec.push(backend);
        if r.chance(0.5) {
            let kind = *r.pick(&[
                "None", "None", "None", "Password", "Password", "Frontegg", "Sasl", "Oidc",
            ]);
            spec.push(ent("authenticatorKind", s(kind)));
        }
        if r.chance(0.3) {
            spec.push(ent("enableRbac", raw(r.chance(0.7))));
        }
        if r.chance(0.3) {
            spec.push(ent("environmentId", s(r.uuid())));
        }
        if let Some(cm) = cm {
            spec.push(ent("systemParameterConfigmapName", s(cm)));
        }
        if r.chance(0.1) {
            let c = self.cert_spec(Some(&format!("{}.{}.example.com", dir.app, dir.env)));
            spec.push(ent("balancerdExternalCertificateSpec", c));
        }
        if self.rng.chance(0.1) {
            let c = self.cert_spec(None);
            spec.push(ent("internalCertificateSpec", c));
        }
        let root = map(vec![
            ent("apiVersion", s(v.api())),
            ent("kind", s("Materialize")),
            ent("metadata", map(meta)),
            ent("spec", map(spec)),
        ]);
        self.doc(root)
    }

    fn mz_secret(&mut self, ns: &str, name: &str, app: &str) -> Doc {
        let pw = format!("{:016x}", self.rng.next());
        let db = app.replace('-', "_");
        let root = map(vec![
            ent("apiVersion", s("v1")),
            ent("kind", s("Secret")),
            ent(
                "metadata",
                map(vec![ent("name", s(name)), ent("namespace", s(ns))]),
            ),
            ent(
                "stringData",
                map(vec![
                    ent(
                        "metadata_backend_url",
                        s(format!(
                            "postgres://materialize:{pw}@{app}-pg.{ns}.svc.cluster.local:5432/{db}?sslmode=require"
                        )),
                    ),
                    ent(
                        "persist_backend_url",
                        s(format!("s3://example-{app}-persist/{ns}?region=us-east-1")),
                    ),
                    ent("license_key", s("")),
                ]),
            ),
        ]);
        self.doc(root)
    }

    fn mz_configmap(&mut self, ns: &str, name: &str, app: &str) -> Doc {
        let params = format!(
            "{{\n  \"max_connections\": \"{}\",\n  \"allowed_cluster_replica_sizes\": \"'25cc', '50cc', '100cc'\"\n}}\n",
            self.rng.range(100, 5000)
        );
        let root = map(vec![
            ent("apiVersion", s("v1")),
            ent("kind", s("ConfigMap")),
            ent(
                "metadata",
                map(vec![
                    ent("name", s(name)),
                    ent("namespace", s(ns)),
                    ent("labels", smap(&[("app.kubernetes.io/part-of", app)])),
                ]),
            ),
            ent("data", map(vec![ent("system-params.json", s(params))])),
        ]);
        self.doc(root)
    }

    // ---- everything else

    fn other_file_docs(&mut self, dir: &Dir) -> (Vec<Doc>, String) {
        let comp = *self.rng.pick(COMPONENTS);
        let name = format!("{}-{comp}", dir.app);
        if self.rng.chance(0.28) {
            let docs = match self.rng.below(4) {
                0 => vec![self.deployment(dir, &name), self.service(dir, &name)],
                1 => vec![
                    self.configmap(dir, &name),
                    self.deployment(dir, &name),
                    self.service(dir, &name),
                ],
                2 => vec![
                    self.namespace(&dir.app, &dir.app),
                    self.secret(dir, &name),
                    self.configmap(dir, &name),
                ],
                _ => {
                    let n = self.rng.range(2, 5);
                    (0..n).map(|_| self.other_doc(dir, &name)).collect()
                }
            };
            (docs, name)
        } else {
            let doc = self.other_doc(dir, &name);
            let stem = match (doc.kind(), self.rng.below(3)) {
                ("Deployment", 0) => format!("{name}-deployment"),
                ("Service", 0) => format!("{name}-svc"),
                ("ConfigMap", 0) => format!("{name}-config"),
                ("Namespace", _) => "namespace".to_string(),
                (kind, 1) => kind.to_ascii_lowercase(),
                _ => name,
            };
            (vec![doc], stem)
        }
    }

    fn other_doc(&mut self, dir: &Dir, name: &str) -> Doc {
        match self.rng.below(100) {
            0..40 => self.deployment(dir, name),
            40..60 => self.service(dir, name),
            60..85 => self.configmap(dir, name),
            85..93 => self.secret(dir, name),
            _ => self.namespace(&dir.app, &dir.app),
        }
    }

    fn namespace(&mut self, ns: &str, app: &str) -> Doc {
        let meta = self.metadata(ns, None, app);
        self.doc(map(vec![
            ent("apiVersion", s("v1")),
            ent("kind", s("Namespace")),
            ent("metadata", meta),
        ]))
    }

    fn deployment(&mut self, dir: &Dir, name: &str) -> Doc {
        let meta = self.metadata(name, Some(&dir.app), &dir.app);
        let res = self.resources(
            &["50m", "100m", "250m", "1"],
            &["64Mi", "128Mi", "256Mi", "1Gi"],
        );
        let r = &mut self.rng;
        let tag = format!("{}.{}.{}", r.range(0, 4), r.range(0, 20), r.range(0, 9));
        let port = *r.pick(&[8080, 8000, 3000, 9000]);
        let mut container = vec![
            ent("name", s(name)),
            ent("image", s(format!("ghcr.io/example/{name}:{tag}")))
                .comment(r.chance(0.1).then_some("# pinned by renovate")),
            ent(
                "ports",
                Node::Seq(vec![map(vec![
                    ent("name", s("http")),
                    ent("containerPort", raw(port)),
                ])]),
            ),
        ];
        if r.chance(0.5) {
            let env = vec![
                smap(&[
                    ("name", "LOG_LEVEL"),
                    ("value", *r.pick(&["info", "debug", "warn"])),
                ]),
                map(vec![
                    ent("name", s("PORT")),
                    ent("value", s(port.to_string())),
                ]),
            ];
            container.push(ent("env", Node::Seq(env)));
        }
        container.push(ent("resources", res));
        let replicas = ent("replicas", raw(r.range(1, 6)))
            .comment(r.chance(0.1).then_some("# scaled for peak traffic"));
        let sel = smap(&[("app", name)]);
        let spec = map(vec![
            replicas,
            ent("selector", map(vec![ent("matchLabels", sel.clone())])),
            ent(
                "template",
                map(vec![
                    ent("metadata", map(vec![ent("labels", sel)])),
                    ent(
                        "spec",
                        map(vec![ent("containers", Node::Seq(vec![map(container)]))]),
                    ),
                ]),
            ),
        ]);
        self.doc(map(vec![
            ent("apiVersion", s("apps/v1")),
            ent("kind", s("Deployment")),
            ent("metadata", meta),
            ent("spec", spec),
        ]))
    }

    fn service(&mut self, dir: &Dir, name: &str) -> Doc {
        let meta = self.metadata(name, Some(&dir.app), &dir.app);
        let port = ent(
            "ports",
            Node::Seq(vec![map(vec![
                ent("name", s("http")),
                ent("port", raw(80)),
                ent("targetPort", raw(*self.rng.pick(&[8080, 8000, 3000]))),
                ent("protocol", s("TCP")),
            ])]),
        );
        let spec = map(vec![
            ent("type", s("ClusterIP")),
            ent("selector", smap(&[("app", name)])),
            port,
        ]);
        self.doc(map(vec![
            ent("apiVersion", s("v1")),
            ent("kind", s("Service")),
            ent("metadata", meta),
            ent("spec", spec),
        ]))
    }

    fn configmap(&mut self, dir: &Dir, name: &str) -> Doc {
        let meta = self.metadata(&format!("{name}-config"), Some(&dir.app), &dir.app);
        let r = &mut self.rng;
        let mut data = vec![
            ent("LOG_LEVEL", s(*r.pick(&["info", "debug", "warn"]))),
            ent("FEATURE_FLAGS_ENABLED", s(*r.pick(&["true", "false"]))),
            ent("MAX_WORKERS", s(r.range(1, 64).to_string())),
        ];
        if r.chance(0.5) {
            let cfg = format!(
                "server:\n  port: {}\n  timeout: {}s\n\ndatabase:\n  pool: {}\n  host: {}-pg.{}.svc\n",
                r.pick(&[8080, 8000]),
                r.range(5, 60),
                r.range(2, 32),
                dir.app,
                dir.app
            );
            data.push(ent("config.yaml", s(cfg)));
        }
        self.doc(map(vec![
            ent("apiVersion", s("v1")),
            ent("kind", s("ConfigMap")),
            ent("metadata", meta),
            ent("data", map(data)),
        ]))
    }

    fn secret(&mut self, dir: &Dir, name: &str) -> Doc {
        let meta = self.metadata(&format!("{name}-credentials"), Some(&dir.app), &dir.app);
        const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut b64 = || -> String { (0..24).map(|_| B64[self.rng.below(64)] as char).collect() };
        let data = map(vec![ent("username", s(b64())), ent("password", s(b64()))]);
        self.doc(map(vec![
            ent("apiVersion", s("v1")),
            ent("kind", s("Secret")),
            ent("metadata", meta),
            ent("type", s("Opaque")),
            ent("data", data),
        ]))
    }

    // ---- history edits

    /// Plans and applies the edits of one commit.
    fn commit_edits(&mut self, stats: &mut BTreeMap<&'static str, usize>) -> Plan {
        let mut plan = Plan::default();
        let want = self.rng.range(1, 3);
        let mut attempts = 0;
        while plan.lines.len() < want && attempts < 100 {
            attempts += 1;
            let kind = match self.rng.below(100) {
                0..25 => "image-bump",
                25..40 => "metadata",
                40..52 => "balancerd-replicas",
                52..57 => "force-rollout",
                57..62 => "migrate",
                62..69 => "rename",
                69..76 => "add-file",
                76..83 => "remove-file",
                _ => "plain-edit",
            };
            if let Some(line) = self.edit(kind, &mut plan) {
                *stats.entry(kind).or_default() += 1;
                plan.lines.push(line);
            }
        }
        if plan.lines.is_empty() {
            // Nothing else applied (tiny or unusual repository): adding always works.
            let line = self.edit("add-file", &mut plan).unwrap();
            *stats.entry("add-file").or_default() += 1;
            plan.lines.push(line);
        }
        plan
    }

    fn pick_untouched(
        &mut self,
        from_mz: bool,
        plan: &Plan,
        pred: impl Fn(&File) -> bool,
    ) -> Option<usize> {
        for _ in 0..32 {
            let list = if from_mz {
                &self.mz_files
            } else {
                &self.other_files
            };
            if list.is_empty() {
                return None;
            }
            let id = list[self.rng.below(list.len())];
            if !plan.touched.contains(&id) && self.files[id].as_ref().is_some_and(&pred) {
                return Some(id);
            }
        }
        None
    }

    /// Applies one edit; returns its description, or None when nothing fits.
    fn edit(&mut self, kind: &'static str, plan: &mut Plan) -> Option<String> {
        match kind {
            "rename" => return self.rename(plan),
            "add-file" => {
                let d = self.rng.below(self.dirs.len());
                let id = self.new_file(d, true);
                plan.touched.push(id);
                return Some(format!("add {}", self.files[id].as_ref().unwrap().path));
            }
            "remove-file" => {
                if self.other_files.len() < 10 {
                    return None;
                }
                let i = self.rng.below(self.other_files.len());
                let id = self.other_files[i];
                if plan.touched.contains(&id) {
                    return None;
                }
                self.other_files.swap_remove(i);
                let file = self.files[id].take().unwrap();
                self.paths.remove(&file.path);
                plan.removed.push(file.path.clone());
                return Some(format!("remove {}", file.path));
            }
            "plain-edit" => return self.plain_edit(plan),
            _ => {}
        }
        let migrate = kind == "migrate";
        let want_api = Version::V1Alpha1.api();
        let id = self.pick_untouched(true, plan, |f| {
            !migrate || f.docs.iter().any(|d| d.is_mz() && d.api() == want_api)
        })?;
        plan.touched.push(id);
        let file = self.files[id].as_mut().unwrap();
        let candidates: Vec<usize> = (0..file.docs.len())
            .filter(|&i| file.docs[i].is_mz() && (!migrate || file.docs[i].api() == want_api))
            .collect();
        let rng = &mut self.rng;
        let doc = &mut file.docs[*rng.pick(&candidates)];
        let id_str = doc.id();
        let path = &file.path;
        let line = match kind {
            "image-bump" => {
                let old = doc
                    .spec()
                    .str("environmentdImageRef")
                    .unwrap_or("")
                    .to_string();
                let new = bump_image(&old, rng);
                doc.spec().set("environmentdImageRef", s(new.clone()));
                if doc.api() == want_api {
                    doc.spec().set("requestRollout", s(rng.uuid()));
                }
                format!("bump environmentd of {id_str} ({path}): {old} -> {new} [rollout]")
            }
            "metadata" => {
                let (field, key, value) = if rng.chance(0.5) {
                    (
                        "labels",
                        *rng.pick(&["team", "cost-center", "owner", "tier"]),
                        format!("{}-{}", rng.pick(TEAMS), rng.range(1, 99)),
                    )
                } else {
                    let key = *rng.pick(&[
                        "example.com/owner",
                        "example.com/change-ticket",
                        "argocd.argoproj.io/sync-wave",
                    ]);
                    (
                        "annotations",
                        key,
                        if key.ends_with("sync-wave") {
                            rng.range(0, 10).to_string()
                        } else {
                            format!("CHG-{}", rng.range(1000, 99999))
                        },
                    )
                };
                let meta = doc.root.get_mut("metadata").unwrap();
                meta.map_at(
                    field,
                    if field == "labels" {
                        "namespace"
                    } else {
                        "labels"
                    },
                )
                .set(key, s(value.clone()));
                format!("set metadata.{field}.{key}={value} on {id_str} ({path}) [no rollout]")
            }
            "balancerd-replicas" => {
                let old: usize = doc
                    .spec()
                    .str("balancerdReplicas")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let new = (old + rng.range(1, 4)) % 5 + 1;
                doc.spec().set("balancerdReplicas", raw(new));
                format!("set balancerdReplicas={new} on {id_str} ({path}) [no rollout]")
            }
            "force-rollout" => {
                let u = rng.uuid();
                doc.spec().set("forceRollout", s(u.clone()));
                format!("set forceRollout={u} on {id_str} ({path}) [rollout]")
            }
            "migrate" => {
                migrate_v1alpha1(doc);
                format!("migrate {id_str} ({path}) to materialize.cloud/v1alpha2 [no rollout]")
            }
            _ => unreachable!("{kind}"),
        };
        Some(line)
    }

    fn rename(&mut self, plan: &mut Plan) -> Option<String> {
        let from_mz = self.rng.chance(0.2);
        let id = self.pick_untouched(from_mz, plan, |_| true)?;
        plan.touched.push(id);
        let old = self.files[id].as_ref().unwrap().path.clone();
        let (dir, file_name) = old.rsplit_once('/').unwrap();
        let (stem, ext) = file_name.rsplit_once('.').unwrap();
        let new = if self.rng.chance(0.5) {
            let d = self.rng.below(self.dirs.len());
            let target = self.dirs[d].path.clone();
            self.unique_path(&target, stem, ext)
        } else {
            let (stem, ext) = match ext {
                "yaml" => (stem.to_string(), "yml"),
                "yml" => (stem.to_string(), "yaml"),
                _ => (format!("00-{stem}"), ext),
            };
            self.unique_path(dir, &stem, ext)
        };
        self.paths.remove(&old);
        plan.removed.push(old.clone());
        self.files[id].as_mut().unwrap().path = new.clone();
        Some(format!("move {old} -> {new}"))
    }

    fn plain_edit(&mut self, plan: &mut Plan) -> Option<String> {
        let id = self.pick_untouched(false, plan, |_| true)?;
        plan.touched.push(id);
        let rng = &mut self.rng;
        let file = self.files[id].as_mut().unwrap();
        let path = &file.path;
        if let Some(doc) = file.docs.iter_mut().find(|d| d.kind() == "Deployment") {
            let spec = doc.root.get_mut("spec").unwrap();
            if rng.chance(0.5) {
                let n = rng.range(1, 12);
                spec.set("replicas", raw(n));
                return Some(format!("scale deployment in {path} to {n}"));
            }
            let tpl = spec
                .get_mut("template")
                .unwrap()
                .get_mut("spec")
                .unwrap()
                .get_mut("containers")
                .unwrap();
            let Node::Seq(containers) = tpl else {
                unreachable!()
            };
            let image = containers[0].str("image").unwrap().to_string();
            let (repo, _) = image.rsplit_once(':').unwrap();
            let new = format!(
                "{repo}:{}.{}.{}",
                rng.range(0, 4),
                rng.range(0, 20),
                rng.range(0, 9)
            );
            containers[0].set("image", s(new.clone()));
            return Some(format!("update image in {path} to {new}"));
        }
        let doc = &mut file.docs[0];
        let value = format!("{}", rng.range(1, 64));
        match doc.kind() {
            "ConfigMap" => doc
                .root
                .get_mut("data")
                .unwrap()
                .set("MAX_WORKERS", s(value.clone())),
            _ => doc
                .root
                .get_mut("metadata")
                .unwrap()
                .map_at("labels", "namespace")
                .set("revision", s(value.clone())),
        }
        Some(format!("edit {path} (value {value})"))
    }
}

#[derive(Default)]
struct Plan {
    touched: Vec<usize>,
    removed: Vec<String>,
    lines: Vec<String>,
}

/// Bumps the patch (70 %) or the minor version of a `...:vMAJ.MIN.PATCH` image.
fn bump_image(image: &str, rng: &mut Rng) -> String {
    let (repo, tag) = image.rsplit_once(':').unwrap_or((image, "v26.0.0"));
    let nums: Vec<u64> = tag
        .trim_start_matches('v')
        .split('.')
        .filter_map(|p| p.parse().ok())
        .collect();
    let [maj, min, patch] = nums[..] else {
        return format!("{repo}:v26.0.0");
    };
    if rng.chance(0.7) {
        format!("{repo}:v{maj}.{min}.{}", patch + 1)
    } else {
        format!("{repo}:v{maj}.{}.0", min + 1)
    }
}

/// v1alpha1 → v1alpha2 as the operator converts it (rollout-neutral).
fn migrate_v1alpha1(doc: &mut Doc) {
    doc.root.set("apiVersion", s(Version::V1Alpha2.api()));
    let spec = doc.spec();
    spec.remove("requestRollout");
    spec.remove("inPlaceRollout");
    spec.remove("rolloutRequestTimeout");
    if let Some(Entry {
        value: Node::Str(arn),
        ..
    }) = spec.remove("environmentdIamRoleArn")
    {
        let sa = spec.map_at("serviceAccountAnnotations", "serviceAccountName");
        if sa.get("eks.amazonaws.com/role-arn").is_none() {
            sa.set("eks.amazonaws.com/role-arn", s(arn));
        }
    }
    if spec
        .str("forcePromote")
        .is_some_and(|v| v.is_empty() || v == "00000000-0000-0000-0000-000000000000")
    {
        spec.remove("forcePromote");
    }
}

// ---------------------------------------------------------------- summary

fn summary(w: &World, extra: &str) {
    let (mut files, mut docs, mut multi, mut json, mut yml) = (0, 0, 0, 0, 0);
    let mut versions: BTreeMap<String, usize> = BTreeMap::new();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for f in w.alive() {
        files += 1;
        docs += f.docs.len();
        multi += usize::from(f.docs.len() > 1);
        json += usize::from(f.json);
        yml += usize::from(f.path.ends_with(".yml"));
        for d in &f.docs {
            *kinds.entry(d.kind().to_string()).or_default() += 1;
            if d.is_mz() {
                *versions
                    .entry(d.api().rsplit('/').next().unwrap().to_string())
                    .or_default() += 1;
            }
        }
    }
    let mut msg = format!(
        "synth: {files} files (+ .gitignore) in {} dirs, {docs} documents, {multi} multi-document files, {json} .json, {yml} .yml\n",
        w.dirs.len()
    );
    let total: usize = versions.values().sum();
    let _ = writeln!(
        msg,
        "synth: Materialize objects: {total} in {} files ({versions:?})",
        w.alive().filter(|f| f.has_mz()).count()
    );
    let _ = writeln!(msg, "synth: documents by kind: {kinds:?}");
    msg.push_str(extra);
    eprint!("{msg}");
}

/// Independent check of the repo-wide invariant: Materialize ids are unique.
fn check_unique_ids(w: &World) -> Result<()> {
    let mut seen = HashSet::new();
    for d in w.alive().flat_map(|f| &f.docs).filter(|d| d.is_mz()) {
        ensure!(
            seen.insert(d.id()),
            "duplicate Materialize object {}",
            d.id()
        );
    }
    Ok(())
}

// ---------------------------------------------------------------- commands

fn prepare_out(out: &Path) -> Result<()> {
    if out.exists() {
        ensure!(
            out.read_dir()?.next().is_none(),
            "{} exists and is not empty",
            out.display()
        );
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))
}

fn cmd_files(c: &Common) -> Result<()> {
    let start = Instant::now();
    prepare_out(&c.out)?;
    let mut w = World::new(c.seed, c.materialize_ratio);
    w.populate(c.files);
    let mut made = HashSet::new();
    for f in w.alive() {
        let path = c.out.join(&f.path);
        let parent = path.parent().unwrap();
        if made.insert(parent.to_path_buf()) {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, f.render()).with_context(|| format!("writing {}", path.display()))?;
    }
    std::fs::write(c.out.join(".gitignore"), GITIGNORE)?;
    let written = start.elapsed();
    if c.verify {
        check_unique_ids(&w)?;
        for f in w.alive() {
            verify(f, &std::fs::read_to_string(c.out.join(&f.path))?)?;
        }
    }
    let verified = if c.verify {
        format!(", verified in {:.2?}", start.elapsed() - written)
    } else {
        String::new()
    };
    summary(
        &w,
        &format!(
            "synth: wrote {} in {written:.2?}{verified}\n",
            c.out.display()
        ),
    );
    Ok(())
}

/// Writes the objects collected in memory as one pack, then empties memory.
///
/// `written` lists the objects written since the last flush with a path hint for
/// delta selection. (`Mempack::dump` is not used: it walks whole commits and
/// searches deltas on all CPUs, which makes the pack bytes nondeterministic.)
fn flush_pack(
    repo: &Repository,
    odb: &Odb<'_>,
    mempack: &Mempack<'_>,
    written: &mut Vec<(Oid, String)>,
) -> Result<()> {
    let mut pb = repo.packbuilder()?;
    pb.set_threads(1);
    for (oid, name) in written.drain(..) {
        pb.insert_object(oid, Some(&name))?;
    }
    let mut buf = Buf::new();
    pb.write_buf(&mut buf)?;
    drop(pb);
    let mut writer = odb.packwriter()?;
    writer.write_all(&buf)?;
    writer.commit()?;
    drop(writer);
    mempack.reset()?;
    odb.refresh()?;
    Ok(())
}

/// Applies removals and upserts to the tree of the previous commit, rebuilding
/// only the directories on the changed paths (deepest first). `trees` maps a
/// directory ("" is the root) to its current tree id.
fn update_tree(
    repo: &Repository,
    written: &mut Vec<(Oid, String)>,
    trees: &mut HashMap<String, Oid>,
    removed: &[String],
    upserts: &[(String, Oid)],
) -> Result<Oid> {
    type Edits = Vec<(String, Option<(Oid, i32)>)>;
    let depth = |d: &str| {
        if d.is_empty() {
            0
        } else {
            d.matches('/').count() + 1
        }
    };
    let split = |p: &str| {
        p.rsplit_once('/')
            .map_or((String::new(), p.to_string()), |(d, n)| {
                (d.to_string(), n.to_string())
            })
    };
    let mut pending: BTreeMap<(Reverse<usize>, String), Edits> = BTreeMap::new();
    let changes = removed
        .iter()
        .map(|p| (p, None))
        .chain(upserts.iter().map(|(p, o)| (p, Some((*o, 0o100644)))));
    for (path, change) in changes {
        let (dir, name) = split(path);
        pending
            .entry((Reverse(depth(&dir)), dir))
            .or_default()
            .push((name, change));
    }
    while let Some(((_, dir), edits)) = pending.pop_first() {
        let base = trees.get(&dir).map(|o| repo.find_tree(*o)).transpose()?;
        let mut tb = repo.treebuilder(base.as_ref())?;
        for (name, change) in edits {
            match change {
                Some((oid, mode)) => {
                    tb.insert(&name, oid, mode)?;
                }
                None if tb.get(&name)?.is_some() => tb.remove(&name)?,
                None => bail!("{dir}/{name}: removing a path that is not in the tree"),
            }
        }
        if dir.is_empty() {
            let oid = tb.write()?;
            written.push((oid, dir.clone()));
            trees.insert(dir, oid);
            return Ok(oid);
        }
        let (parent, name) = split(&dir);
        let entry = if tb.is_empty() {
            trees.remove(&dir);
            None
        } else {
            let oid = tb.write()?;
            written.push((oid, dir.clone()));
            trees.insert(dir, oid);
            Some((oid, 0o040000))
        };
        pending
            .entry((Reverse(depth(&parent)), parent))
            .or_default()
            .push((name, entry));
    }
    bail!("no changes")
}

fn cmd_history(c: &Common, commits: usize) -> Result<()> {
    const FLUSH_EVERY: usize = 1000;
    const EPOCH: i64 = 1_704_067_200; // 2024-01-01T00:00:00Z
    let start = Instant::now();
    prepare_out(&c.out)?;
    let mut w = World::new(c.seed, c.materialize_ratio);
    w.populate(c.files);

    let mut opts = RepositoryInitOptions::new();
    opts.initial_head("main").external_template(false);
    let repo = Repository::init_opts(&c.out, &opts)?;
    // No reflogs: they would record the wall clock and the local user.
    repo.config()?.set_bool("core.logallrefupdates", false)?;
    let odb = repo.odb()?;
    let mempack = odb.add_new_mempack_backend(1000)?;
    let sig = |i: usize, rng: &mut Rng| -> Result<Signature<'static>> {
        let t = EPOCH + 3600 * i as i64 + rng.below(3000) as i64;
        Ok(Signature::new(
            "Synth Bot",
            "synth-bot@example.com",
            &Time::new(t, 0),
        )?)
    };

    let mut trees = HashMap::new();
    let mut written = Vec::new();
    let mut upserts = vec![(".gitignore".to_string(), repo.blob(GITIGNORE.as_bytes())?)];
    for f in w.alive() {
        let text = f.render();
        if c.verify {
            verify(f, &text)?;
        }
        upserts.push((f.path.clone(), repo.blob(text.as_bytes())?));
    }
    written.extend(upserts.iter().map(|(p, o)| (*o, p.clone())));
    let root = update_tree(&repo, &mut written, &mut trees, &[], &upserts)?;
    let s0 = sig(0, &mut w.rng)?;
    let msg = format!("Import {} manifests\n", w.alive().count());
    let mut head = repo.commit(None, &s0, &s0, &msg, &repo.find_tree(root)?, &[])?;
    written.push((head, String::new()));
    flush_pack(&repo, &odb, &mempack, &mut written)?;
    let imported = start.elapsed();

    let mut stats = BTreeMap::new();
    for i in 1..=commits {
        let plan = w.commit_edits(&mut stats);
        let mut upserts = Vec::with_capacity(plan.touched.len());
        for &id in &plan.touched {
            if let Some(f) = &w.files[id] {
                let text = f.render();
                if c.verify {
                    verify(f, &text)?;
                }
                upserts.push((f.path.clone(), repo.blob(text.as_bytes())?));
            }
        }
        written.extend(upserts.iter().map(|(p, o)| (*o, p.clone())));
        let root = update_tree(&repo, &mut written, &mut trees, &plan.removed, &upserts)?;
        let mut msg = plan.lines[0].split(" (").next().unwrap().to_string();
        if plan.lines.len() > 1 {
            let _ = write!(msg, " (+{} more)", plan.lines.len() - 1);
        }
        msg.push_str("\n\n");
        for line in &plan.lines {
            let _ = writeln!(msg, "- {line}");
        }
        let sg = sig(i, &mut w.rng)?;
        let parent = repo.find_commit(head)?;
        head = repo.commit(None, &sg, &sg, &msg, &repo.find_tree(root)?, &[&parent])?;
        written.push((head, String::new()));
        if i % FLUSH_EVERY == 0 || i == commits {
            flush_pack(&repo, &odb, &mempack, &mut written)?;
        }
    }
    repo.reference("refs/heads/main", head, true, "synth")?;
    repo.set_head("refs/heads/main")?;
    let committed = start.elapsed();
    repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))?;
    if c.verify {
        check_unique_ids(&w)?;
    }
    let extra = format!(
        "synth: {} commits, HEAD {head}, edits {stats:?}\nsynth: import {imported:.2?}, commits done {committed:.2?}, checked out {:.2?}\n",
        commits + 1,
        start.elapsed()
    );
    summary(&w, &extra);
    Ok(())
}
