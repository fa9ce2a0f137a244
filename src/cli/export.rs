//! `ferret export`: read an inventory, write a catalog export. Errors (an
//! unreadable or foreign inventory, an unwritable output) name the file and
//! exit 2; the output is written atomically, so nothing is half-written.

use super::exit;
use crate::output::export::{self, Catalog, Options};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The inventory to export (written by `ferret scan`).
    #[arg(value_name = "INVENTORY")]
    pub inventory: PathBuf,

    /// The catalog to export for.
    #[arg(long, value_name = "CATALOG", value_parser = catalog_parser())]
    pub to: Catalog,

    /// Write here (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// DataHub: the fabric of dataset URNs (PROD, DEV, QA, ...).
    #[arg(long, value_name = "ENV", default_value = "PROD")]
    pub env: String,

    /// DataHub: the platform instance, prefixed to dataset names.
    #[arg(long, value_name = "NAME")]
    pub platform_instance: Option<String>,

    /// OpenMetadata: the database service name (first part of table FQNs).
    ///
    /// Required with `--to openmetadata`: a guessed name would only make
    /// every patch miss its table.
    #[arg(long, value_name = "NAME", required_if_eq("to", "openmetadata"))]
    pub service: Option<String>,

    /// Atlas / Purview: the metadata namespace after `@` in qualifiedNames.
    #[arg(long, value_name = "NAME", default_value = "primary")]
    pub cluster: String,
}

pub fn run(args: ExportArgs) -> i32 {
    let inv = match crate::inventory::load(&args.inventory) {
        Ok(inv) => inv,
        Err(e) => {
            eprintln!("ferret: {e}");
            return exit::USAGE;
        }
    };
    let opts = Options {
        env: args.env,
        platform_instance: args.platform_instance,
        service: args.service.unwrap_or_default(),
        cluster: args.cluster,
    };
    let written = match &args.output {
        Some(path) => {
            crate::output::write_atomically(path, |out| export::export(&inv, args.to, &opts, out))
                .map_err(|e| format!("{}: cannot write: {e}", path.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            export::export(&inv, args.to, &opts, &mut out)
                .and_then(|()| out.flush())
                .map_err(|e| format!("stdout: {e}"))
        }
    };
    match written {
        Ok(()) => exit::CLEAN,
        Err(e) => {
            eprintln!("ferret: {e}");
            exit::USAGE
        }
    }
}

/// `--to`: the catalogs by name (outputs take no clap types).
fn catalog_parser() -> impl clap::builder::TypedValueParser<Value = Catalog> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    PossibleValuesParser::new(
        Catalog::ALL.map(|(_, name, help)| PossibleValue::new(name).help(help)),
    )
    .map(|name| Catalog::from_name(&name).unwrap_or(Catalog::Csv))
}
