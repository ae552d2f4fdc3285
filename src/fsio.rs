//! Writing files so that a crash leaves either the old file or the new one, never a torn mix.
//!
//! [`write_atomic`] is the one way quarry replaces a file (the note manifest, `manifest.json`,
//! vector segments, the model's weights-hash cache): write a temp file beside the target,
//! `fsync` it, rename it over the target, then `fsync` the folder so the rename itself
//! survives a power cut. The temp file comes from `tempfile` (created exclusively, removed if
//! anything fails before the rename).
//!
//! Temp names are `<file name>.<random>.tmp<pid>` (`notes-3.json.Xa81Qz.tmp4121`): a run that
//! is killed mid-write leaves one behind, and the next index run, which holds the writer lock,
//! recognises the `.tmp<digits>` ending and deletes it (`index::update`'s cleanup).

use crate::{Error, Result};
use std::fs::File;
use std::io::Write;
use std::path::Path;

/// Replaces `path` with what `write` writes, atomically and durably (see the module doc).
///
/// `write` gets the open temp file; wrap it in a `BufWriter` for many small writes (and
/// flush it). Errors name `path`; on error the temp file is removed and `path` is untouched.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy());
    let io = |e: std::io::Error| Error::io(path, e);
    let mut builder = tempfile::Builder::new();
    // `tempfile` makes files private (0600); these get the mode `File::create` would give.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder
        .prefix(&format!("{name}."))
        .suffix(&format!(".tmp{}", std::process::id()))
        .tempfile_in(parent)
        .map_err(io)?;
    write(tmp.as_file_mut()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    sync_dir(parent).map_err(io)
}

/// [`write_atomic`] of a byte string.
pub fn write_bytes_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, |f| f.write_all(bytes))
}

/// Makes the entries of `dir` (a rename into it) durable. Folders cannot be opened for
/// syncing on Windows, where renames are journalled by NTFS anyway.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes-3.json");
        write_bytes_atomic(&path, b"old").unwrap();
        write_bytes_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("notes-3.json")]);
    }

    /// While writing, the temp file is `<name>.<random>.tmp<pid>` beside the target: the
    /// shape the index's cleanup of killed runs looks for (ends in `.tmp` and digits).
    #[test]
    fn temp_file_is_named_for_the_cleanup_of_killed_runs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vectors-9-ab.bin");
        write_atomic(&path, |f| {
            let names: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            assert_eq!(names.len(), 1, "{names:?}");
            let (stem, pid) = names[0].rsplit_once(".tmp").unwrap();
            assert!(stem.starts_with("vectors-9-ab.bin."), "{names:?}");
            assert_eq!(pid, std::process::id().to_string());
            f.write_all(b"x")
        })
        .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"x");
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_removes_the_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("manifest.json");
        write_bytes_atomic(&path, b"old").unwrap();
        let err = write_atomic(&path, |f| {
            f.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("manifest.json") && err.contains("disk full"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
