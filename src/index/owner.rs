//! Who holds the writer lock, when it is held for long: `.quarry-writer.json` beside
//! tantivy's lock file.
//!
//! A `quarry index` run holds the lock for seconds, so "wait for it to finish" is the right
//! advice to a second writer. A watcher holds it for days; the advice must then name the
//! watcher (its command and pid) and say to stop it or let it do the indexing. The watcher
//! writes this file after taking the lock and removes it when it stops. The file is only
//! read after the lock was refused, and only believed when its process is still alive, so
//! one left by a killed watcher misleads nobody.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The owner file's name in the index folder (hidden, so it never makes the folder look
/// like someone else's).
pub const OWNER_FILE: &str = ".quarry-writer.json";

/// What the owner file says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// Process id.
    pub pid: u32,
    /// The command, as a person would type it (`quarry watch`, `quarry mcp --watch`).
    pub command: String,
}

impl Owner {
    /// This process, running `command`.
    pub fn this_process(command: &str) -> Owner {
        Owner {
            pid: std::process::id(),
            command: command.to_string(),
        }
    }
}

fn path(dir: &Path) -> PathBuf {
    dir.join(OWNER_FILE)
}

/// Records `owner` as the lock holder (call with the lock held).
pub fn write(dir: &Path, owner: &Owner) -> crate::Result<()> {
    let bytes = serde_json::to_vec(owner).map_err(|e| crate::Error::Index(e.to_string()))?;
    crate::fsio::write_bytes_atomic(&path(dir), &bytes)
}

/// Removes the owner file if this process wrote it.
pub fn remove(dir: &Path) {
    if read(dir).is_some_and(|o| o.pid == std::process::id()) {
        let _ = std::fs::remove_file(path(dir));
    }
}

/// The recorded owner, if the file is readable.
pub fn read(dir: &Path) -> Option<Owner> {
    let bytes = std::fs::read(path(dir)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The recorded owner if its process is still running (after the lock was refused).
pub fn live(dir: &Path) -> Option<Owner> {
    read(dir).filter(|o| Path::new(&format!("/proc/{}", o.pid)).exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owner_is_believed_only_while_its_process_lives() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(live(dir.path()), None);
        let me = Owner::this_process("quarry watch");
        write(dir.path(), &me).unwrap();
        assert_eq!(live(dir.path()), Some(me));
        // A pid far above any pid_max is never a live process.
        let dead = Owner {
            pid: 4_000_000_000,
            command: "quarry watch".into(),
        };
        write(dir.path(), &dead).unwrap();
        assert_eq!(read(dir.path()), Some(dead));
        assert_eq!(live(dir.path()), None);
        // Only the process that wrote the file removes it.
        remove(dir.path());
        assert!(read(dir.path()).is_some());
        write(dir.path(), &Owner::this_process("quarry watch")).unwrap();
        remove(dir.path());
        assert_eq!(read(dir.path()), None);
    }
}
