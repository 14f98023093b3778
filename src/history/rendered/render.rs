//! Rendering one unit at one input state, once per run: find the tool,
//! write the inputs into a temporary tree, run the tool there with the
//! timeout, parse its output like a blob. The cache is keyed by the input
//! key ([`super::inputs::InputKey`]), so the many commits that touch other
//! units, and the range's ends that equal some commit's state, cost nothing.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use git2::{Oid, Repository};
use rayon::prelude::*;

use super::inputs::{InputKey, write_inputs};
use super::tool::{self, RunError};
use super::{How, RenderError, RenderOptions, RenderUnit, describe};
use crate::crd::Algorithm;
use crate::history::resources::{ParsedBlob, parse_blob};

/// `kustomize build DIR`, or `kubectl kustomize DIR` where only kubectl is
/// installed (as Argo CD's own image does not need: it ships kustomize).
#[derive(Clone, Debug)]
enum Kustomize {
    Build(PathBuf),
    Kubectl(PathBuf),
}

/// One render to do: a unit's inputs as they are in `tree`.
#[derive(Clone, Debug)]
pub struct Job {
    pub key: InputKey,
    pub unit: RenderUnit,
    pub tree: Oid,
    /// The commit the tree is from, for messages.
    pub commit: Oid,
}

/// The renders of one run.
pub struct Renderer {
    repo_path: PathBuf,
    options: RenderOptions,
    algorithm: Algorithm,
    kustomize: OnceLock<Option<Kustomize>>,
    helm: OnceLock<Option<PathBuf>>,
    done: HashMap<InputKey, Arc<ParsedBlob>>,
    /// Symbolic links and the like left out, in the order met.
    notes: Mutex<Vec<String>>,
    pub renders: usize,
    pub cache_hits: usize,
}

impl Renderer {
    pub fn new(repo_path: &Path, options: RenderOptions, algorithm: Algorithm) -> Renderer {
        Renderer {
            repo_path: repo_path.to_path_buf(),
            options,
            algorithm,
            kustomize: OnceLock::new(),
            helm: OnceLock::new(),
            done: HashMap::new(),
            notes: Mutex::new(Vec::new()),
            renders: 0,
            cache_hits: 0,
        }
    }

    /// What was left out, in the order met (the caller removes repeats).
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(self.notes.get_mut().unwrap_or_else(|e| e.into_inner()))
    }

    /// Render every job whose key is not rendered yet, in parallel. Each
    /// asked-for job already rendered counts as a cache hit.
    pub fn render_all(&mut self, jobs: Vec<Job>) -> Result<(), RenderError> {
        let mut todo: HashMap<InputKey, Job> = HashMap::new();
        for job in jobs {
            if self.done.contains_key(&job.key) || todo.contains_key(&job.key) {
                self.cache_hits += 1;
            } else {
                todo.insert(job.key, job);
            }
        }
        let mut todo: Vec<Job> = todo.into_values().collect();
        // A fixed order, so that the first error reported does not depend
        // on a hash map's.
        todo.sort_by(|a, b| (&a.unit.unit.path, a.key).cmp(&(&b.unit.unit.path, b.key)));
        let rendered: Vec<(InputKey, ParsedBlob)> = todo
            .par_iter()
            .map(|job| Ok((job.key, self.render(job)?)))
            .collect::<Result<_, RenderError>>()?;
        self.renders += rendered.len();
        self.done.extend(
            rendered
                .into_iter()
                .map(|(key, blob)| (key, Arc::new(blob))),
        );
        Ok(())
    }

    /// A rendered state (after [`Renderer::render_all`] had its job).
    pub fn get(&self, key: &InputKey) -> Option<&Arc<ParsedBlob>> {
        self.done.get(key)
    }

    fn kustomize(&self, unit: &RenderUnit) -> Result<Kustomize, RenderError> {
        self.kustomize
            .get_or_init(|| {
                tool::find_on_path("kustomize")
                    .map(Kustomize::Build)
                    .or_else(|| tool::find_on_path("kubectl").map(Kustomize::Kubectl))
            })
            .clone()
            .ok_or_else(|| RenderError::ToolMissing {
                unit: describe(&unit.unit),
                tool: "`kustomize` or `kubectl` (for `kubectl kustomize`)",
                install: "install kustomize, or kubectl (Debian: `apt-get install kubernetes-client`)",
            })
    }

    fn helm(&self, unit: &RenderUnit) -> Result<PathBuf, RenderError> {
        self.helm
            .get_or_init(|| tool::find_on_path("helm"))
            .clone()
            .ok_or_else(|| RenderError::ToolMissing {
                unit: describe(&unit.unit),
                tool: "`helm` (for `helm template`)",
                install: "install Helm 3",
            })
    }

    /// The program and its arguments, run in the temporary tree's root
    /// with repository-relative paths (so that messages show those).
    fn command(&self, unit: &RenderUnit) -> Result<(PathBuf, Vec<String>), RenderError> {
        let dir = if unit.unit.path.is_empty() {
            ".".to_owned()
        } else {
            unit.unit.path.clone()
        };
        Ok(match &unit.how {
            How::Kustomize => match self.kustomize(unit)? {
                Kustomize::Build(program) => (program, vec!["build".into(), dir]),
                Kustomize::Kubectl(program) => (program, vec!["kustomize".into(), dir]),
            },
            How::Helm {
                chart,
                release,
                namespace,
                values,
            } => {
                let mut args = vec!["template".into(), release.clone(), chart.clone()];
                if let Some(namespace) = namespace {
                    args.extend(["--namespace".into(), namespace.clone()]);
                }
                for file in values {
                    args.extend(["-f".into(), file.clone()]);
                }
                (self.helm(unit)?, args)
            }
        })
    }

    fn render(&self, job: &Job) -> Result<ParsedBlob, RenderError> {
        let unit = &job.unit;
        let name = describe(&unit.unit);
        let commit = job.commit.to_string()[..7].to_owned();
        let inputs_error = |message: String| RenderError::Inputs {
            unit: name.clone(),
            message,
        };
        let (program, args) = self.command(unit)?;
        let shown = std::iter::once(program.file_name().map_or_else(
            || program.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ))
        .chain(args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
        let dir = tempfile::Builder::new()
            .prefix("mz-presync-render-")
            .tempdir()
            .map_err(|e| inputs_error(format!("creating a temporary directory failed: {e}")))?;
        let repo = Repository::open(&self.repo_path)
            .map_err(|e| inputs_error(format!("opening the repository failed: {}", e.message())))?;
        let tree = repo
            .find_tree(job.tree)
            .map_err(|e| inputs_error(e.message().to_owned()))?;
        let notes = write_inputs(&repo, &tree, &unit.inputs, dir.path())
            .map_err(|e| inputs_error(e.to_string()))?;
        if !notes.is_empty() {
            let mut all = self.notes.lock().unwrap_or_else(|e| e.into_inner());
            all.extend(notes.into_iter().map(|n| format!("rendering {name}: {n}")));
        }
        let os_args: Vec<OsString> = args.iter().map(OsString::from).collect();
        let output = tool::run(&program, &os_args, dir.path(), self.options.timeout).map_err(
            |err| match err {
                RunError::Timeout => RenderError::Timeout {
                    unit: name.clone(),
                    commit: commit.clone(),
                    command: shown.clone(),
                    timeout: self.options.timeout,
                },
                RunError::Spawn(err) => RenderError::Spawn {
                    unit: name.clone(),
                    commit: commit.clone(),
                    command: shown.clone(),
                    message: err.to_string(),
                },
            },
        )?;
        if !output.status.success() {
            let status = match output.status.code() {
                Some(code) => format!("exited with {code}"),
                None => "was killed by a signal".to_owned(),
            };
            // The temporary directory means nothing to the reader: paths in
            // it are shown repository-relative.
            let stderr = tool::stderr_excerpt(&output.stderr)
                .replace(&format!("{}/", dir.path().display()), "");
            return Err(RenderError::ToolFailed {
                unit: name,
                commit,
                command: shown,
                status,
                stderr: if stderr.is_empty() {
                    "(nothing on stderr)".to_owned()
                } else {
                    stderr
                },
            });
        }
        // The output is named after the unit: its findings and changes say
        // which unit, not a temporary path.
        Ok(parse_blob(&unit.unit.path, output.stdout, self.algorithm))
    }
}
