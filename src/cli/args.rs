//! Argument groups that several commands share, defined once. A command
//! that words one of them its own way changes the help only, with
//! `#[command(mut_arg(ID, |a| a.help(…)))]`.

use std::path::PathBuf;

use clap::ArgAction;
use clap::builder::{BoolishValueParser, PossibleValuesParser, TypedValueParser};

use crate::crd::{Algorithm, Operator, Version};
use crate::source::{DEFAULT_MAX_FILE_SIZE, WalkOptions};

/// `PATH…` (`-` is standard input), and how directories are walked.
#[derive(clap::Args, Debug)]
pub struct Paths {
    /// Files or directories to read; `-` reads a stream from stdin.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Do not honour .gitignore / .ignore files when walking directories.
    #[arg(long, env = "MZ_PRESYNC_NO_IGNORE", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub no_ignore: bool,
    /// Files larger than this many bytes are reported instead of read.
    #[arg(long, env = "MZ_PRESYNC_MAX_FILE_SIZE", value_name = "BYTES", default_value_t = DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
}

impl Paths {
    pub fn walk(&self, ctx: &super::Context) -> WalkOptions {
        WalkOptions {
            exclude: ctx.exclude.clone(),
            no_ignore: self.no_ignore,
            max_file_size: self.max_file_size,
        }
    }
}

/// `--format`, one of a command's report formats.
#[derive(clap::Args, Debug)]
pub struct Format<F>
where
    F: clap::ValueEnum + Default + Clone + Send + Sync + 'static,
{
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: F,
}

/// `--algorithm`: which operator's rollout hash.
#[derive(clap::Args, Debug)]
pub struct HashAlgorithm {
    /// Which operator's hash to compute: v1alpha2 (the design document) or v1 (as shipped upstream); default: the operator model's (v1 under --operator released).
    #[arg(long, env = "MZ_PRESYNC_ALGORITHM", value_parser = algorithm())]
    pub algorithm: Option<Algorithm>,
}

impl HashAlgorithm {
    /// The flag, or the algorithm of the operator model.
    pub fn resolve(&self, operator: Operator) -> Algorithm {
        self.algorithm.unwrap_or(operator.algorithm())
    }
}

/// `--to`: the version v1alpha1 objects become.
#[derive(clap::Args, Debug)]
pub struct TargetVersion {
    /// Target version: v1alpha2 (the design document) or v1 (the name upstream later shipped); default: the operator model's (v1 under --operator released).
    #[arg(long, env = "MZ_PRESYNC_TO", value_parser = version(), value_name = "VERSION")]
    pub to: Option<Version>,
}

impl TargetVersion {
    /// The flag, or the migration target of the operator model.
    pub fn resolve(&self, operator: Operator) -> Version {
        self.to.unwrap_or(operator.migration_target())
    }
}

/// `design` or `released`.
pub fn operator() -> impl TypedValueParser<Value = Operator> {
    PossibleValuesParser::new(["design", "released"])
        .map(|name| Operator::parse(&name).expect("one of the possible values"))
}

/// `v1alpha2` or `v1`, as a hash algorithm.
pub fn algorithm() -> impl TypedValueParser<Value = Algorithm> {
    PossibleValuesParser::new(["v1alpha2", "v1"])
        .map(|name| Algorithm::parse(&name).expect("one of the possible values"))
}

/// `v1alpha2` or `v1`, as a CRD version (v1alpha1 is only ever read).
pub fn version() -> impl TypedValueParser<Value = Version> {
    PossibleValuesParser::new(["v1alpha2", "v1"])
        .map(|name| Version::parse(&name).expect("one of the possible values"))
}
