//! Atomic file writes, shared by every writer of results (inventories,
//! reports, metrics, the incremental state): readers see the old file or
//! the whole new one.

use std::io::{self, Write};
use std::path::Path;

/// Writes what `fill` produces to `path` atomically: a temp file beside it,
/// flushed and synced, then a rename. Readers (a cron job, a catalog
/// ingestion) see the old file or the whole new one, never half of one; if
/// `fill` fails, the temp file is removed and `path` is untouched.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    // `-o /dev/null` or a named pipe: write into it. Renaming a temporary
    // file over it would replace the device with a regular file.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut out = io::BufWriter::new(std::fs::OpenOptions::new().write(true).open(path)?);
        fill(&mut out)?;
        return out.flush();
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    {
        let mut buf = io::BufWriter::new(tmp.as_file_mut());
        fill(&mut buf)?;
        buf.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
