//! What the user asked to scan: each positional argument of `ferret scan`
//! becomes one [`Target`], by its URL scheme.
//!
//! Targets are parsed before anything is opened, so a typo is a usage error
//! (exit 2) and not an asset error halfway through a scan.

use std::path::PathBuf;

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
}

impl Target {
    pub fn parse(arg: &str) -> Result<Target, String> {
        let lower = arg.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Target::Postgres(arg.to_string()));
        }
        if let Some(rest) = strip_scheme(arg, "s3") {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(format!(
                    "{arg}: an S3 target needs a bucket (s3://bucket/prefix)"
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
                    "{arg}: a SQLite target needs a file path (sqlite:///path/app.db)"
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
            return Err(format!(
                "{arg}: unsupported scheme '{scheme}' (use a path, file://, s3://, postgres:// or sqlite://)"
            ));
        }
        Ok(Target::Local(PathBuf::from(arg)))
    }

    /// The target as recorded in the inventory and logs: never a password.
    pub fn display(&self) -> String {
        match self {
            Target::Local(p) => p.display().to_string(),
            Target::S3 { bucket, prefix } => format!("s3://{bucket}/{prefix}"),
            Target::Postgres(url) => redact_url_password(url),
            Target::Sqlite(p) => format!("sqlite://{}", p.display()),
        }
    }
}

fn strip_scheme<'a>(arg: &'a str, scheme: &str) -> Option<&'a str> {
    let (s, rest) = arg.split_once(':')?;
    s.eq_ignore_ascii_case(scheme).then_some(rest)
}

/// `scheme://user:secret@host/…` → `scheme://user:***@host/…`; also masks a
/// `password=` query parameter.
pub fn redact_url_password(url: &str) -> String {
    let mut out = url.to_string();
    if let Some((scheme, rest)) = url.split_once("://") {
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if let Some((userinfo, host)) = authority.rsplit_once('@')
            && let Some((user, _)) = userinfo.split_once(':')
        {
            out = format!("{scheme}://{user}:***@{host}{}", &rest[authority_end..]);
        }
    }
    if let Some((base, query)) = out.clone().split_once('?') {
        let masked: Vec<String> = query
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => kv.to_string(),
            })
            .collect();
        out = format!("{base}?{}", masked.join("&"));
    }
    out
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
            redact_url_password("postgres://bob@h/db"),
            "postgres://bob@h/db"
        );
    }
}
