//! What the user asked to scan: each positional argument of `ferret scan`
//! becomes one [`Target`], by its URL scheme.
//!
//! Targets are parsed before anything is opened, so a typo is a usage error
//! (exit 2) and not an asset error halfway through a scan.

use super::settings::{Settings, TargetSettings};
use super::stores::Buckets;
use crate::inventory::Asset;
use crate::redact;
use crate::source::Source;
use crate::source::db::DbOptions;
use crate::source::db::mysql::{MySqlSettings, MySqlSource, MySqlTables};
use crate::source::db::postgres::{PgSettings, PgSource, PgTables};
use crate::source::db::sqlite::SqliteFile;
use crate::source::discover::KeyFilter;
use crate::source::files::FileTree;
use crate::source::store::{DynStore, LocalStore};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A local folder or file (a plain path or `file://`).
    Local(PathBuf),
    /// `s3://bucket/prefix`.
    S3 { bucket: String, prefix: String },
    /// `postgres://…` or `postgresql://…`, kept whole for the driver to parse.
    Postgres(String),
    /// `sqlite:///path/app.db` (or `sqlite:relative.db`).
    Sqlite(PathBuf),
    /// `mysql://…` or `mariadb://…`, kept whole for the driver to parse.
    Mysql(String),
}

impl Target {
    /// Errors quote the target only through [`redact::credentials`].
    pub fn parse(arg: &str) -> Result<Target, String> {
        let shown = redact::credentials(arg);
        let lower = arg.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            // The driver ends the user-info at the first `@`: with a second
            // one, part of the password would become the host, and with it
            // every asset id.
            if arg.matches('@').count() > 1 {
                return Err(format!(
                    "{shown}: more than one '@' (percent-encode an '@' in the user name or password as %40)"
                ));
            }
            return Ok(Target::Postgres(arg.to_string()));
        }
        if lower.starts_with("mysql://") || lower.starts_with("mariadb://") {
            if arg.matches('@').count() > 1 {
                return Err(format!(
                    "{shown}: more than one '@' (percent-encode an '@' in the user name or password as %40)"
                ));
            }
            return Ok(Target::Mysql(arg.to_string()));
        }
        if let Some(rest) = strip_scheme(arg, "s3") {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(format!(
                    "{shown}: an S3 target needs a bucket (s3://bucket/prefix)"
                ));
            }
            // A bucket name holds neither `@` nor `:`: this is user-info,
            // most likely keys, which S3 URLs cannot carry; nor does a
            // prefix carry a presigned query (`?X-Amz-Signature=`). Either
            // would become part of every asset id.
            if bucket.contains(['@', ':']) || shown != arg {
                return Err(format!(
                    "{shown}: an S3 target holds no credentials or signatures (they come from the AWS credential chain: AWS_ACCESS_KEY_ID, AWS_PROFILE, ...)"
                ));
            }
            return Ok(Target::S3 {
                bucket: bucket.to_string(),
                prefix: prefix.to_string(),
            });
        }
        if let Some(rest) = strip_scheme(arg, "sqlite") {
            // sqlite:///abs/path, sqlite://relative/path, sqlite:relative
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(format!(
                    "{shown}: a SQLite target needs a file path (sqlite:///path/app.db)"
                ));
            }
            return Ok(Target::Sqlite(PathBuf::from(path)));
        }
        if let Some(rest) = strip_scheme(arg, "file") {
            return Ok(Target::Local(PathBuf::from(
                rest.strip_prefix("//").unwrap_or(rest),
            )));
        }
        if let Some((scheme, _)) = arg.split_once("://") {
            let scheme = redact::credentials(scheme);
            return Err(format!(
                "{shown}: unsupported scheme '{scheme}' (use a path, file://, s3://, postgres://, mysql://, mariadb:// or sqlite://)"
            ));
        }
        Ok(Target::Local(PathBuf::from(arg)))
    }

    /// The target as recorded in the inventory and logs: never a password
    /// (every kind goes through [`redact::credentials`]: a path can be a
    /// libpq keyword string typed as a target).
    pub fn display(&self) -> String {
        let raw = match self {
            Target::Local(p) => p.display().to_string(),
            Target::S3 { bucket, prefix } => format!("s3://{bucket}/{prefix}"),
            Target::Postgres(url) | Target::Mysql(url) => url.clone(),
            Target::Sqlite(p) => format!("sqlite://{}", p.display()),
        };
        redact::credentials(&raw)
    }
}

fn strip_scheme<'a>(arg: &'a str, scheme: &str) -> Option<&'a str> {
    let (s, rest) = arg.split_once(':')?;
    s.eq_ignore_ascii_case(scheme).then_some(rest)
}

/// What opening a target gave.
pub(super) enum Opened {
    Source(Box<dyn Source>),
    /// Neither a regular file nor a folder: its error asset.
    Unreadable(Box<Asset>),
}

/// Opens a target as a [`Source`]: the one place that maps each kind of
/// target to the source module that reads it (adding a source adds its
/// line here). Errors are usage errors: nothing was scanned.
pub(super) fn open(
    t: &TargetSettings,
    settings: &Settings,
    runtime: &tokio::runtime::Runtime,
    buckets: &mut Buckets,
) -> Result<Opened, String> {
    let tables = KeyFilter::new(&t.include, &t.exclude)?;
    let db = &settings.db;
    let options = DbOptions {
        tables: tables.clone(),
        columns: KeyFilter::new(&db.include_columns, &db.exclude_columns)?,
        include_views: db.include_views,
        all_databases: db.all_databases,
        sniff_binary: db.sniff_binary,
        connections: db.connections,
    };
    let source: Box<dyn Source> = match &t.target {
        Target::Local(path) => match local_target(path)? {
            LocalTarget::Store(store, prefix) => {
                Box::new(FileTree::new(store, prefix, tables, options))
            }
            LocalTarget::Special(asset) => return Ok(Opened::Unreadable(asset)),
        },
        Target::S3 { bucket, prefix } => {
            let (store, prefix) = buckets.open(runtime, &settings.s3, bucket, prefix)?;
            Box::new(FileTree::new(store, prefix, tables, options))
        }
        Target::Postgres(url) => {
            let pg = PgSettings {
                statement_timeout: t.statement_timeout.unwrap_or(db.statement_timeout),
                lock_timeout: t.lock_timeout.unwrap_or(db.lock_timeout),
                ca_file: db.ca_file.clone(),
                ..PgSettings::default()
            };
            let source =
                PgSource::from_url(url, &pg).map_err(|e| format!("{}: {e}", t.target.display()))?;
            let source = match &t.password {
                Some(pw) => source.with_password(pw),
                None => source,
            };
            Box::new(PgTables::new(source, options))
        }
        Target::Sqlite(path) => Box::new(SqliteFile::new(path.clone(), options)),
        Target::Mysql(url) => {
            let my = MySqlSettings {
                statement_timeout: t.statement_timeout.unwrap_or(db.statement_timeout),
                lock_timeout: t.lock_timeout.unwrap_or(db.lock_timeout),
                ca_file: db.ca_file.clone(),
                ..MySqlSettings::default()
            };
            let source = MySqlSource::from_url(url, &my)
                .map_err(|e| format!("{}: {e}", t.target.display()))?;
            let source = match &t.password {
                Some(pw) => source.with_password(pw),
                None => source,
            };
            Box::new(MySqlTables::new(source, options))
        }
    };
    Ok(Opened::Source(source))
}

/// What a local target path is.
enum LocalTarget {
    /// A store and prefix to list.
    Store(DynStore, String),
    /// Neither a regular file nor a folder: its error asset.
    Special(Box<Asset>),
}

/// A store and prefix for a local path: a folder is its own root; a file is
/// a one-object listing under its parent folder. A device, FIFO or socket
/// named explicitly is an error asset (reading `/dev/zero` never ends, a
/// FIFO blocks); one met while walking a folder is skipped by the listing.
fn local_target(path: &Path) -> Result<LocalTarget, String> {
    let md = std::fs::metadata(path).map_err(|e| format!("cannot scan {}: {e}", path.display()))?;
    if md.is_dir() {
        return Ok(LocalTarget::Store(
            Arc::new(LocalStore::new(path)),
            String::new(),
        ));
    }
    if !md.is_file() {
        use std::os::unix::fs::FileTypeExt;
        let t = md.file_type();
        let kind = if t.is_fifo() {
            "a FIFO (named pipe)"
        } else if t.is_socket() {
            "a socket"
        } else if t.is_char_device() {
            "a character device"
        } else if t.is_block_device() {
            "a block device"
        } else {
            "not a regular file"
        };
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let id = format!("file://{}", abs.to_string_lossy());
        return Ok(LocalTarget::Special(Box::new(super::error_asset(
            &id,
            "file",
            "unknown",
            "not_a_file",
            &format!("{kind}: only regular files and folders are scanned"),
        ))));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| format!("cannot scan {}: not a file name", path.display()))?;
    Ok(LocalTarget::Store(Arc::new(LocalStore::new(parent)), name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_become_targets() {
        assert_eq!(
            Target::parse("fixtures/demo"),
            Ok(Target::Local("fixtures/demo".into()))
        );
        assert_eq!(
            Target::parse("file:///tmp/x"),
            Ok(Target::Local("/tmp/x".into()))
        );
        assert_eq!(
            Target::parse("s3://lake/events/dt=1/"),
            Ok(Target::S3 {
                bucket: "lake".into(),
                prefix: "events/dt=1/".into()
            })
        );
        assert_eq!(
            Target::parse("s3://lake"),
            Ok(Target::S3 {
                bucket: "lake".into(),
                prefix: String::new()
            })
        );
        assert_eq!(
            Target::parse("sqlite:///var/app.db"),
            Ok(Target::Sqlite("/var/app.db".into()))
        );
        assert_eq!(
            Target::parse("sqlite:app.db"),
            Ok(Target::Sqlite("app.db".into()))
        );
        assert!(matches!(
            Target::parse("PostgreSQL://u@h/db"),
            Ok(Target::Postgres(_))
        ));
        assert!(Target::parse("ftp://host/x").is_err());
        assert!(Target::parse("s3:///nobucket").is_err());
    }

    #[test]
    fn passwords_never_displayed() {
        let t = Target::parse(
            "postgres://alice:s3cr3t@db.internal:5432/app?sslmode=require&password=other",
        )
        .unwrap();
        let shown = t.display();
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("other"),
            "{shown}"
        );
        assert_eq!(
            shown,
            "postgres://alice:***@db.internal:5432/app?sslmode=require&password=***"
        );
        assert_eq!(
            Target::parse("postgres://bob@h/db").unwrap().display(),
            "postgres://bob@h/db"
        );
    }

    /// Shapes the driver or the S3 parser would turn into a host or a
    /// bucket (and so into every asset id) are refused, and the refusal
    /// never quotes the secret.
    #[test]
    fn credentials_that_would_leak_into_ids_are_refused_unquoted() {
        for (arg, secret) in [
            ("s3://AKIAKEY:wJalrSECRET@bucket/p/", "wJalrSECRET"),
            ("s3://wJalrSECRET@bucket/p/", "wJalrSECRET"),
            ("postgres://alice:p@ssw0rd@db/app", "ssw0rd"),
            ("ftp://bob:ftpSECRET@host/x", "ftpSECRET"),
            (
                "s3://bucket/key?X-Amz-Credential=AKIAC&X-Amz-Signature=SIGsecret",
                "SIGsecret",
            ),
        ] {
            let e = Target::parse(arg).unwrap_err();
            assert!(!e.contains(secret), "{e}");
        }
        let t = Target::parse("postgres://alice:pa/ss?wd@db:5432/app").unwrap();
        assert_eq!(t.display(), "postgres://alice:***@db:5432/app");
        let t = Target::parse("host=db password=sw0rdfish dbname=app").unwrap();
        assert!(!t.display().contains("sw0rdfish"), "{}", t.display());
    }
}
