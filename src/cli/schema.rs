//! `mz-presync schema`: write the generated CRD and JSON schemas.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::crd::schema;

/// Write the CustomResourceDefinition, the kubeconform-layout JSON schemas
/// and the JSON Schema of the `.mz-presync.yaml` configuration file.
///
/// The JSON schemas go to DIR/materialize.cloud/materialize_{v1alpha1,v1alpha2,v1}.json,
/// the CRD to DIR/crd/materializes.materialize.cloud.yaml. kubeconform reads
/// them with `-schema-location 'DIR/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json'`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:\n  mz-presync schema --out schemas")]
pub struct Args {
    /// Directory to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

pub fn run(args: Args, ctx: &super::Context) -> anyhow::Result<i32> {
    let mut files = schema::generated_files();
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
