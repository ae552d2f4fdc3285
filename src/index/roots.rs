//! The set of folders an index holds. An index of `~/notes` that is also given
//! `~/work-notes` indexes both: a folder given to `quarry index` is *added*, and only
//! `quarry roots remove` drops one (with its notes). `quarry index` alone re-indexes every
//! root; `--rebuild` keeps them.
//!
//! Roots are absolute, canonical paths, kept in the note manifest in the order they were
//! added; a note's key starts with its root's position there
//! ([`super::manifest::note_key`]), so two roots may hold the same relative path. A folder
//! inside an indexed root is already covered and is not added again; a folder that contains
//! one is refused (its notes would be indexed twice). An indexed root that has gone missing
//! stops the run instead of silently dropping its notes.

use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// The roots of one run, and how they changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RootPlan {
    /// Every root to walk, in manifest order.
    pub roots: Vec<PathBuf>,
    /// Roots this run adds.
    pub added: Vec<String>,
    /// Roots this run drops.
    pub removed: Vec<String>,
}

/// Decides the roots of a run: the index's `existing` roots, plus `add` (folders or files
/// given to `quarry index`), minus `remove`.
pub fn plan(existing: &[String], add: &[PathBuf], remove: &[PathBuf]) -> Result<RootPlan> {
    let mut roots: Vec<PathBuf> = existing.iter().map(PathBuf::from).collect();
    let mut removed = Vec::new();
    for r in remove {
        let wanted = r.canonicalize().unwrap_or_else(|_| absolute(r));
        match roots.iter().position(|x| *x == wanted) {
            Some(i) => removed.push(roots.remove(i).to_string_lossy().into_owned()),
            None => {
                return Err(Error::Index(format!(
                    "{} is not a root of this index; its roots are {}",
                    r.display(),
                    list(existing)
                )))
            }
        }
    }
    let mut added = Vec::new();
    for r in add {
        let path = r.canonicalize().map_err(|e| Error::io(r, e))?;
        if roots.iter().any(|x| path.starts_with(x)) {
            continue; // the root itself, or a folder inside one: already indexed
        }
        if let Some(inner) = roots.iter().find(|x| x.starts_with(&path)) {
            return Err(Error::Index(format!(
                "{} contains {}, which is already indexed; drop it first (`quarry roots remove {}`), then index {}",
                path.display(),
                inner.display(),
                inner.display(),
                path.display()
            )));
        }
        added.push(path.to_string_lossy().into_owned());
        roots.push(path);
    }
    if roots.is_empty() {
        return Err(Error::Index(if removed.is_empty() {
            "no notes folder given and none indexed before; run `quarry index <notes folder>`"
                .into()
        } else {
            "that was the index's last root; index another folder instead (`quarry index <notes folder>`)"
                .into()
        }));
    }
    if let Some(missing) = roots.iter().find(|r| !r.exists()) {
        return Err(Error::Index(format!(
            "the indexed folder {} is missing; reconnect it, or drop it and its notes with `quarry roots remove {}`",
            missing.display(),
            missing.display()
        )));
    }
    Ok(RootPlan {
        roots,
        added,
        removed,
    })
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

fn list(roots: &[String]) -> String {
    if roots.is_empty() {
        "none".into()
    } else {
        roots.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(p: &Path) -> String {
        p.canonicalize().unwrap().to_string_lossy().into_owned()
    }

    #[test]
    fn folders_are_added_covered_refused_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(a.join("inner")).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        let first = plan(&[], std::slice::from_ref(&a), &[]).unwrap();
        assert_eq!(first.added, vec![s(&a)]);
        let existing = vec![s(&a)];
        // Adding b keeps a first; giving a again or a folder inside it adds nothing.
        let two = plan(&existing, &[b.clone(), a.join("inner"), a.clone()], &[]).unwrap();
        assert_eq!(two.added, vec![s(&b)]);
        assert_eq!(
            two.roots,
            vec![a.canonicalize().unwrap(), b.canonicalize().unwrap()]
        );
        // No folder: the index's own.
        assert_eq!(plan(&existing, &[], &[]).unwrap().roots.len(), 1);
        // A folder that holds a root would index its notes twice.
        let err = plan(&existing, &[dir.path().to_path_buf()], &[]).unwrap_err();
        assert!(err.to_string().contains("already indexed"), "{err}");
        // Removing.
        let both = vec![s(&a), s(&b)];
        let one = plan(&both, &[], std::slice::from_ref(&a)).unwrap();
        assert_eq!(
            (one.removed, one.roots),
            (vec![s(&a)], vec![b.canonicalize().unwrap()])
        );
        let err = plan(&both, &[], &[dir.path().join("c")]).unwrap_err();
        assert!(err.to_string().contains("is not a root"), "{err}");
        assert!(
            plan(&existing, &[], std::slice::from_ref(&a)).is_err(),
            "last root"
        );
        assert!(plan(&[], &[], &[])
            .unwrap_err()
            .to_string()
            .contains("no notes folder"));
        // A root that vanished stops the run, unless it is the one being removed.
        std::fs::remove_dir_all(&b).unwrap();
        let err = plan(&both, &[], &[]).unwrap_err();
        assert!(err.to_string().contains("is missing"), "{err}");
        assert_eq!(plan(&both, &[], &[b]).unwrap().roots.len(), 1);
    }
}
