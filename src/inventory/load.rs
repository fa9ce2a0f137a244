//! Reading an inventory back (for `report`, `export`, `diff`, `merge`).
//!
//! Inventories outlive the binary that wrote them: a nightly diff compares
//! last night's file with tonight's, possibly across an upgrade. Older 1.x
//! minors load as they are (every field added since is optional or
//! defaulted); a newer minor or another major is refused, because fields we
//! do not know could change what the numbers mean.

use super::{Inventory, SCHEMA_VERSION};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not JSON (line {line}, column {column}): {message}")]
    NotJson {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: not a ferret inventory: {why}")]
    Foreign { path: PathBuf, why: String },
    #[error(
        "{path}: inventory schema_version {found} is not supported by this ferret (writes {SCHEMA_VERSION}, reads 1.0.0 up to it); {hint}"
    )]
    Version {
        path: PathBuf,
        found: String,
        hint: &'static str,
    },
    #[error("{path}: invalid inventory at line {line}, column {column}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

/// Loads and checks the inventory at `path`.
pub fn load(path: &Path) -> Result<Inventory, LoadError> {
    let text = std::fs::read(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    from_slice(&text, path)
}

/// Parses an inventory from bytes; `path` only names it in errors.
pub fn from_slice(bytes: &[u8], path: &Path) -> Result<Inventory, LoadError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| LoadError::NotJson {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
    let foreign = |why: &str| LoadError::Foreign {
        path: path.to_path_buf(),
        why: why.to_string(),
    };
    let obj = value
        .as_object()
        .ok_or_else(|| foreign("the document is not a JSON object"))?;
    if obj
        .get("scan")
        .and_then(|s| s.get("tool"))
        .and_then(|t| t.as_str())
        != Some("ferret")
    {
        return Err(foreign("no scan.tool = \"ferret\""));
    }
    let version = obj
        .get("schema_version")
        .and_then(|v| v.as_str())
        .ok_or_else(|| foreign("no schema_version"))?;
    check_version(version).map_err(|hint| LoadError::Version {
        path: path.to_path_buf(),
        found: version.to_string(),
        hint,
    })?;
    // Parse again from the bytes (not the Value) so errors carry line and column.
    serde_json::from_slice(bytes).map_err(|e| LoadError::Invalid {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// `Ok` for 1.0.0 up to this build's version; otherwise a hint for the user.
fn check_version(found: &str) -> Result<(), &'static str> {
    let parse = |v: &str| -> Option<(u64, u64)> {
        let mut it = v.split('.');
        let major = it.next()?.parse().ok()?;
        let minor = it.next()?.parse().ok()?;
        Some((major, minor))
    };
    let ours = parse(SCHEMA_VERSION).ok_or("this build's version is malformed")?;
    let theirs = parse(found).ok_or("the version is not MAJOR.MINOR.PATCH")?;
    if theirs.0 != ours.0 {
        return Err(
            "another major version has a different meaning; use the ferret release that wrote it",
        );
    }
    if theirs.1 > ours.1 {
        return Err("it was written by a newer ferret; upgrade this one");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match from_slice(text.as_bytes(), Path::new("in.json")) {
            Ok(_) => panic!("expected an error for {text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn refuses_foreign_and_broken_documents_with_the_place() {
        assert!(err("{\"a\": ").contains("in.json: not JSON (line 1"));
        assert!(err("[1,2]").contains("not a JSON object"));
        assert!(err("{\"scan\": {\"tool\": \"other\"}}").contains("not a ferret inventory"));
        let e = err("{\"schema_version\": \"2.0.0\", \"scan\": {\"tool\": \"ferret\"}}");
        assert!(e.contains("2.0.0") && e.contains("major"), "{e}");
        let e = err("{\"schema_version\": \"1.99.0\", \"scan\": {\"tool\": \"ferret\"}}");
        assert!(e.contains("newer ferret"), "{e}");
        let e = err("{\"schema_version\": \"1.1.0\", \"scan\": {\"tool\": \"ferret\"}}");
        assert!(e.contains("invalid inventory at line 1"), "{e}");
    }

    #[test]
    fn accepts_older_minor_versions() {
        assert!(check_version("1.0.0").is_ok());
        assert!(check_version("1.1.0").is_ok());
        assert!(check_version(SCHEMA_VERSION).is_ok());
    }
}
