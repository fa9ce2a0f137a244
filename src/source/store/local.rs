//! The local disk as an [`ObjectStore`].

use super::{Listing, ObjectMeta, ObjectStore, StoreError};
use async_trait::async_trait;
use bytes::Bytes;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// A folder on the local disk; keys are paths relative to it.
///
/// I/O is plain blocking file I/O: callers run on worker threads, and local
/// reads are fast enough that a thread pool hop would cost more than it saves.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalStore { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &str) -> PathBuf {
        if key.is_empty() {
            self.root.clone()
        } else {
            self.root.join(key)
        }
    }

    fn key_of(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
}

fn store_error(key: &str, err: &io::Error) -> StoreError {
    match err.kind() {
        io::ErrorKind::NotFound => StoreError::NotFound(key.to_string()),
        io::ErrorKind::PermissionDenied => StoreError::PermissionDenied(key.to_string()),
        _ => StoreError::Io(format!("{key}: {err}")),
    }
}

fn meta_of(key: String, md: &std::fs::Metadata) -> ObjectMeta {
    ObjectMeta {
        key,
        size: md.len(),
        modified: md.modified().ok().map(chrono::DateTime::from),
        etag: None,
    }
}

#[async_trait]
impl ObjectStore for LocalStore {
    fn url(&self, key: &str) -> String {
        let path = self.path(key);
        let abs = std::path::absolute(&path).unwrap_or(path);
        format!("file://{}", abs.to_string_lossy())
    }

    async fn list(&self, prefix: &str) -> Listing {
        let mut listing = Listing::default();
        // follow_links so linked folders are scanned; walkdir detects loops.
        let walker = walkdir::WalkDir::new(self.path(prefix))
            .follow_links(true)
            .sort_by_file_name();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    if !entry.file_type().is_file() {
                        continue;
                    }
                    let key = self.key_of(entry.path());
                    match entry.metadata() {
                        Ok(md) => listing.objects.push(meta_of(key, &md)),
                        Err(err) => listing
                            .errors
                            .push((key.clone(), StoreError::Io(format!("{key}: {err}")))),
                    }
                }
                Err(err) => {
                    let key = err.path().map(|p| self.key_of(p)).unwrap_or_default();
                    let store_err = if err.loop_ancestor().is_some() {
                        StoreError::SymlinkLoop(key.clone())
                    } else if let Some(io_err) = err.io_error() {
                        store_error(&key, io_err)
                    } else {
                        StoreError::Io(format!("{key}: {err}"))
                    };
                    listing.errors.push((key, store_err));
                }
            }
        }
        listing
    }

    async fn head(&self, key: &str) -> Result<ObjectMeta, StoreError> {
        let md = std::fs::metadata(self.path(key)).map_err(|e| store_error(key, &e))?;
        Ok(meta_of(key.to_string(), &md))
    }

    async fn get_range(&self, key: &str, range: Range<u64>) -> Result<Bytes, StoreError> {
        let file = std::fs::File::open(self.path(key)).map_err(|e| store_error(key, &e))?;
        let size = file.metadata().map_err(|e| store_error(key, &e))?.len();
        if range.start > size || range.start > range.end {
            return Err(StoreError::OutOfRange {
                start: range.start,
                end: range.end,
                size,
            });
        }
        let end = range.end.min(size);
        let len = usize::try_from(end - range.start)
            .map_err(|_| StoreError::Io(format!("{key}: range too large")))?;
        let mut buf = vec![0u8; len];
        let mut filled = 0;
        while filled < len {
            match file.read_at(&mut buf[filled..], range.start + filled as u64) {
                Ok(0) => break, // file shrank under us
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(store_error(key, &e)),
            }
        }
        buf.truncate(filled);
        Ok(Bytes::from(buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lists_and_reads_ranges() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("a/b/x.txt"), b"hello world").unwrap();
        let store = LocalStore::new(dir.path());
        let listing = store.list("").await;
        assert_eq!(listing.objects.len(), 1);
        assert_eq!(listing.objects[0].key, "a/b/x.txt");
        assert_eq!(listing.objects[0].size, 11);
        let bytes = store.get_range("a/b/x.txt", 6..100).await.unwrap();
        assert_eq!(&bytes[..], b"world");
        assert!(matches!(
            store.get_range("a/b/x.txt", 20..30).await,
            Err(StoreError::OutOfRange { .. })
        ));
        assert!(matches!(
            store.head("missing").await,
            Err(StoreError::NotFound(_))
        ));
    }

    #[tokio::test]
    async fn symlink_loop_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("d")).unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("d/loop")).unwrap();
        std::fs::write(dir.path().join("d/f.txt"), b"x").unwrap();
        let listing = LocalStore::new(dir.path()).list("").await;
        assert_eq!(listing.objects.len(), 1);
        assert!(
            listing
                .errors
                .iter()
                .any(|(_, e)| matches!(e, StoreError::SymlinkLoop(_)))
        );
    }
}
