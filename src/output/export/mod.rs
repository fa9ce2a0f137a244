//! Catalog exports (`ferret export`): the inventory reshaped into what a data
//! catalog ingests, so classifications land on the catalog's own columns.
//!
//! Every exporter is a pure function from an [`Inventory`] to bytes; this
//! module holds what they share: which (asset, column, label) triples there
//! are, where an asset lives in catalog terms ([`Location`]), and names made
//! safe for catalogs that restrict them. One file per catalog.

mod atlas;
mod datahub;
mod openmetadata;

use crate::inventory::{Asset, Column, Inventory, LabelResult};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The catalogs ferret exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Catalog {
    /// DataHub: metadata change proposals for the `file` ingestion source.
    Datahub,
    /// OpenMetadata: classification / tag definitions and table JSON patches.
    Openmetadata,
    /// Apache Atlas or Microsoft Purview: typedefs and classification requests by qualifiedName.
    Atlas,
    /// One row per classified column and label, for spreadsheets (the columns of `scan --format csv`).
    Csv,
}

impl Catalog {
    /// Every catalog with its name and a one-line description (for command
    /// lines: outputs know nothing of argument parsers).
    pub const ALL: [(Catalog, &'static str, &'static str); 4] = [
        (
            Catalog::Datahub,
            "datahub",
            "DataHub metadata change proposals",
        ),
        (
            Catalog::Openmetadata,
            "openmetadata",
            "OpenMetadata classifications and table patches",
        ),
        (
            Catalog::Atlas,
            "atlas",
            "Apache Atlas or Microsoft Purview typedefs and classifications",
        ),
        (
            Catalog::Csv,
            "csv",
            "one row per classified column and label",
        ),
    ];

    pub fn from_name(name: &str) -> Option<Catalog> {
        Self::ALL
            .iter()
            .find(|(_, n, _)| n.eq_ignore_ascii_case(name))
            .map(|(c, _, _)| *c)
    }
}

/// Naming choices a catalog needs and the inventory cannot know.
#[derive(Debug, Clone)]
pub struct Options {
    /// DataHub fabric (`PROD`, `DEV`, ...), the last part of a dataset URN.
    pub env: String,
    /// DataHub platform instance, prefixed to dataset names when set.
    pub platform_instance: Option<String>,
    /// OpenMetadata database service name, the first part of a table FQN.
    pub service: String,
    /// Atlas / Purview metadata namespace (cluster), the `@...` of qualifiedNames.
    pub cluster: String,
}

/// Writes the export of `inv` for `catalog` to `out`.
pub fn export(
    inv: &Inventory,
    catalog: Catalog,
    opts: &Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    match catalog {
        Catalog::Csv => crate::output::csv::write(inv, crate::output::csv::Rows::Classified, out),
        Catalog::Datahub => write_json(&datahub::build(inv, opts), out),
        Catalog::Openmetadata => write_json(&openmetadata::build(inv, opts), out),
        Catalog::Atlas => write_json(&atlas::build(inv, opts), out),
    }
}

fn write_json(v: &serde_json::Value, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, v)?;
    writeln!(out)
}

/// One label on one column: the unit every catalog attaches.
pub(crate) struct Finding<'a> {
    pub asset: &'a Asset,
    pub column: &'a Column,
    pub label: &'a LabelResult,
}

/// Every label of every column, in inventory order.
pub(crate) fn findings(inv: &Inventory) -> impl Iterator<Item = Finding<'_>> {
    inv.assets.iter().flat_map(|asset| {
        asset.columns.iter().flat_map(move |column| {
            column.labels.iter().map(move |label| Finding {
                asset,
                column,
                label,
            })
        })
    })
}

/// A label's definition as the detector pack gave it (first one seen wins;
/// a pack gives every detector of a label the same category).
pub(crate) struct LabelDef {
    pub category: String,
    pub sensitivity: String,
}

/// The labels an inventory uses, sorted, with their category and sensitivity.
pub(crate) fn label_defs(inv: &Inventory) -> BTreeMap<String, LabelDef> {
    let mut defs = BTreeMap::new();
    for f in findings(inv) {
        defs.entry(f.label.label.clone())
            .or_insert_with(|| LabelDef {
                category: f.label.category.clone(),
                sensitivity: f.label.sensitivity.clone(),
            });
    }
    defs
}

/// A label as a name every catalog accepts: ASCII letters, digits and `_`
/// (Atlas type names allow little else; `.` would nest an OpenMetadata FQN
/// and `,()` would break a DataHub URN). Built-in labels are already so.
pub(crate) fn safe_name(label: &str) -> String {
    let s: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if s.is_empty() { "_".into() } else { s }
}

/// Where an asset lives, in the terms catalogs name things by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// A database relation.
    Table {
        engine: Engine,
        /// The database (PostgreSQL) or the file's stem (SQLite: `crm` for `crm.db`).
        database: String,
        /// `public`; SQLite has none (catalogs call it `main`).
        schema: Option<String>,
        table: String,
    },
    /// An object or a prefix in a bucket (`key` may be empty or end in `/`).
    S3 { bucket: String, key: String },
    /// A local file or folder, absolute.
    File { path: String },
    /// An id ferret does not know how to place (written by a newer source).
    Other { scheme: String, rest: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    Postgres,
    Sqlite,
}

/// Places an asset: from its `table` facts when it has them, else its id.
pub(crate) fn locate(asset: &Asset) -> Location {
    if let Some(t) = &asset.table {
        let engine = if t.engine.eq_ignore_ascii_case("sqlite") {
            Engine::Sqlite
        } else {
            Engine::Postgres
        };
        let database = match engine {
            Engine::Sqlite => file_stem(&t.database),
            Engine::Postgres => t.database.clone(),
        };
        return Location::Table {
            engine,
            database,
            schema: t.schema.clone(),
            table: t.name.clone(),
        };
    }
    let id = asset.id.as_str();
    let (scheme, rest) = id.split_once("://").unwrap_or(("", id));
    match scheme.to_ascii_lowercase().as_str() {
        "s3" | "s3a" => {
            let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
            Location::S3 {
                bucket: bucket.to_string(),
                key: key.to_string(),
            }
        }
        "file" | "" => Location::File {
            path: rest.to_string(),
        },
        "postgres" | "postgresql" => {
            // postgres://host:port/db/schema.table
            let mut parts = rest.splitn(3, '/');
            let (_authority, db, rel) = (parts.next(), parts.next(), parts.next());
            match (db, rel.and_then(|r| r.split_once('.'))) {
                (Some(db), Some((schema, table))) => Location::Table {
                    engine: Engine::Postgres,
                    database: db.to_string(),
                    schema: Some(schema.to_string()),
                    table: table.to_string(),
                },
                _ => other(scheme, rest),
            }
        }
        "sqlite" => match rest.rsplit_once('/') {
            // sqlite:///path/app.db/table
            Some((file, table)) if !table.is_empty() => Location::Table {
                engine: Engine::Sqlite,
                database: file_stem(file),
                schema: None,
                table: table.to_string(),
            },
            _ => other(scheme, rest),
        },
        _ => other(scheme, rest),
    }
}

fn other(scheme: &str, rest: &str) -> Location {
    Location::Other {
        scheme: scheme.to_string(),
        rest: rest.to_string(),
    }
}

/// `crm` for `/data/crm.db` or `crm.db`.
fn file_stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => name.to_string(),
    }
}

/// The database column a flattened path belongs to: `payload` for
/// `payload.email` or `payload[].email` (ferret flattens json/jsonb and
/// arrays; catalogs list the database's own columns).
pub(crate) fn top_level(path: &str) -> &str {
    let end = path.find(['.', '[']).unwrap_or(path.len());
    if end == 0 { path } else { &path[..end] }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(id: &str) -> Asset {
        crate::inventory::testing::asset(id, vec![])
    }

    #[test]
    fn places_assets_by_id_when_they_have_no_table_facts() {
        assert_eq!(
            locate(&asset("s3://lake/events/")),
            Location::S3 {
                bucket: "lake".into(),
                key: "events/".into()
            }
        );
        assert_eq!(
            locate(&asset("file:///data/x.csv")),
            Location::File {
                path: "/data/x.csv".into()
            }
        );
        assert_eq!(
            locate(&asset("postgres://h:5432/app/public.users")),
            Location::Table {
                engine: Engine::Postgres,
                database: "app".into(),
                schema: Some("public".into()),
                table: "users".into()
            }
        );
        assert_eq!(
            locate(&asset("sqlite:///var/crm.db/accounts")),
            Location::Table {
                engine: Engine::Sqlite,
                database: "crm".into(),
                schema: None,
                table: "accounts".into()
            }
        );
        assert!(matches!(
            locate(&asset("postgres://h:5432/app")),
            Location::Other { .. }
        ));
        assert!(matches!(locate(&asset("gs://b/k")), Location::Other { .. }));
    }

    #[test]
    fn names_and_paths() {
        assert_eq!(safe_name("US_SSN"), "US_SSN");
        assert_eq!(safe_name("my.label (x)"), "my_label__x_");
        assert_eq!(safe_name(""), "_");
        assert_eq!(top_level("payload.email"), "payload");
        assert_eq!(top_level("items[].email"), "items");
        assert_eq!(top_level("email"), "email");
        assert_eq!(top_level(".odd"), ".odd");
    }
}
