//! Which file events are worth a batch: the watcher's ignore filter.
//!
//! Editors and tools write many files that are not notes: swap and backup files, temp files
//! of atomic saves, hidden folders (`.git`, `.obsidian`), and quarry's own index when it
//! lives inside the vault. None of those may wake the indexer (the index folder would
//! otherwise wake it once per commit, forever). The indexer applies the walk's own rules
//! again (note extensions, hidden entries), so this filter only has to be cheap and never
//! drop an event that could matter: a name without an extension passes, since it may be
//! a folder that was moved or deleted.

use std::path::{Path, PathBuf};

/// The roots being watched and the index folder, for deciding about event paths.
#[derive(Debug, Clone)]
pub struct Filter {
    roots: Vec<PathBuf>,
    index_dir: Option<PathBuf>,
}

/// Name endings of editor and download leftovers (vim swap files, `~` backups, the temp
/// files of atomic saves, partial downloads).
const JUNK_ENDINGS: &[&str] = &[
    "~",
    ".swp",
    ".swx",
    ".swo",
    ".tmp",
    ".temp",
    ".bak",
    ".part",
    ".crdownload",
    ".kate-swp",
];

impl Filter {
    /// A filter for events under `roots` (canonical), ignoring `index_dir` (canonical).
    pub fn new(roots: Vec<PathBuf>, index_dir: Option<PathBuf>) -> Filter {
        Filter { roots, index_dir }
    }

    /// Whether an event on `path` may change what the index holds.
    pub fn wants(&self, path: &Path) -> bool {
        if self
            .index_dir
            .as_deref()
            .is_some_and(|d| path.starts_with(d))
        {
            return false;
        }
        let Some(rel) = self.roots.iter().find_map(|r| path.strip_prefix(r).ok()) else {
            return false;
        };
        let hidden = rel
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        if hidden {
            return false;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        !is_junk_name(&name)
    }
}

/// Editor leftovers: `note.md~`, `note.md.swp`, `.tmp` files, vim's write probe `4913`,
/// emacs auto-saves `#note.md#`.
pub fn is_junk_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    JUNK_ENDINGS.iter().any(|e| lower.ends_with(e))
        || lower.contains(".tmp")
        || name == "4913"
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn filter() -> Filter {
        Filter::new(
            vec![PathBuf::from("/vault"), PathBuf::from("/other")],
            Some(PathBuf::from("/vault/index")),
        )
    }

    #[rstest]
    #[case("/vault/a.md", true)]
    #[case("/vault/Customers/2025-01-02 - Call.md", true)]
    #[case("/vault/Customers", true)] // a folder: it may have been moved or deleted
    #[case("/vault/notes.txt", true)]
    #[case("/other/x.markdown", true)]
    #[case("/vault/picture.png", true)] // cheap to stat; the indexer skips it
    #[case("/vault/.obsidian/workspace.json", false)]
    #[case("/vault/.git/index", false)]
    #[case("/vault/Customers/.a.md.swp", false)]
    #[case("/vault/a.md~", false)]
    #[case("/vault/a.md.swp", false)]
    #[case("/vault/a.md.tmp", false)]
    #[case("/vault/.a.md.tmp.1234", false)]
    #[case("/vault/a.md.tmp.5a1b", false)]
    #[case("/vault/4913", false)]
    #[case("/vault/#a.md#", false)]
    #[case("/vault/index/meta.json", false)]
    #[case("/vault/index/notes-3.json", false)]
    #[case("/elsewhere/a.md", false)]
    fn event_paths(#[case] path: &str, #[case] wanted: bool) {
        assert_eq!(filter().wants(Path::new(path)), wanted, "{path}");
    }
}
