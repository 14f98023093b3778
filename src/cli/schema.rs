//! `mz-presync schema`: write the generated CRD and JSON schemas.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::crd::schema;

/// Write the CustomResourceDefinition, the kubeconform-layout JSON schemas
/// and the JSON Schema of the `.mz-presync.yaml` configuration file.
///
/// The CRD is the operator model's: under design it serves v1alpha1,
/// v1alpha2 and v1 and stores v1alpha2; under --operator released it serves
/// v1alpha1 (stored) and v1, with a Webhook conversion stanza whose Service
/// (materialize-operator in namespace materialize, port 8001) is a
/// placeholder for the operator's Helm release. The JSON schemas go to
/// DIR/materialize.cloud/materialize_<version>.json for every version the
/// model serves, the CRD to DIR/crd/materializes.materialize.cloud.yaml.
/// kubeconform reads them with
/// `-schema-location 'DIR/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  mz-presync schema --out schemas\n  mz-presync schema --operator released --out schemas/released"
)]
pub struct Args {
    /// Directory to write into (created if missing).
    #[arg(long, env = "MZ_PRESYNC_OUT", value_name = "DIR")]
    out: PathBuf,
}

pub fn run(args: Args, ctx: &super::Context) -> anyhow::Result<i32> {
    let mut files = schema::generated_files_for(ctx.operator);
    files.push((
        "config.schema.json".to_owned(),
        crate::config::json_schema(),
    ));
    for (relative, text) in files {
        let path = args.out.join(&relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        if !ctx.quiet {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(super::EXIT_OK)
}
