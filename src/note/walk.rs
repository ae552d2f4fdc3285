//! Finding note files under the roots: recursive, sorted, skipping hidden entries
//! (`.obsidian`, `.git`, `.trash`), the index folder itself, and anything that is not a
//! `.md`, `.markdown` or `.txt` file. Symlinks are followed; loops and dangling links
//! are reported, not fatal.

use std::path::{Path, PathBuf};

/// Where to look and what to leave out.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Folders (or single files) to index.
    pub roots: Vec<PathBuf>,
    /// A folder never to descend into (the index).
    pub skip: Option<PathBuf>,
}

/// One note file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Which root it came from (index into [`WalkOptions::roots`]).
    pub root: usize,
    /// Path to open.
    pub abs: PathBuf,
    /// Path relative to its root, `/`-separated (lossy for names that are not UTF-8).
    pub rel: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (0 when unknown).
    pub mtime_ns: i128,
}

/// Is this a note file name?
pub fn is_note_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown") || lower.ends_with(".txt")
}

/// Lists note files; problems (unreadable folders, loops, dangling links) go to `warn` as
/// `(path, reason)`.
pub fn walk(opts: &WalkOptions, warn: &mut dyn FnMut(String, String)) -> Vec<Found> {
    let skip = opts.skip.as_ref().and_then(|p| p.canonicalize().ok());
    let mut out = Vec::new();
    for (root_idx, root) in opts.roots.iter().enumerate() {
        walk_from(root_idx, root, root, skip.as_deref(), warn, &mut out);
    }
    out
}

/// Lists the note files at or below `start`, a file or folder inside root `root_idx` of
/// `opts`, with paths relative to that root, as [`walk`] would list them: what `quarry watch`
/// reads after an event, instead of walking the whole root. `start` itself is not checked
/// for being hidden; the caller decides that from its path relative to the root.
pub fn walk_under(
    opts: &WalkOptions,
    root_idx: usize,
    start: &Path,
    warn: &mut dyn FnMut(String, String),
) -> Vec<Found> {
    let skip = opts.skip.as_ref().and_then(|p| p.canonicalize().ok());
    let mut out = Vec::new();
    if let Some(root) = opts.roots.get(root_idx) {
        walk_from(root_idx, root, start, skip.as_deref(), warn, &mut out);
    }
    out
}

fn walk_from(
    root_idx: usize,
    root: &Path,
    start: &Path,
    skip: Option<&Path>,
    warn: &mut dyn FnMut(String, String),
    out: &mut Vec<Found>,
) {
    let walker = walkdir::WalkDir::new(start)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_skipped_entry(e, skip));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| start.display().to_string());
                warn(path, walk_error_reason(&err));
                continue;
            }
        };
        if let Some(found) = found_note(root_idx, root, &entry, warn) {
            out.push(found);
        }
    }
}

/// Hidden files and folders (`.obsidian`, `.git`), and the index folder itself.
fn is_skipped_entry(e: &walkdir::DirEntry, index_dir: Option<&Path>) -> bool {
    let hidden = e.file_name().to_str().is_some_and(|n| n.starts_with('.'));
    hidden
        || (e.file_type().is_dir()
            && index_dir.is_some_and(|skip| e.path().canonicalize().is_ok_and(|c| c == skip)))
}

/// Why the walk could not go into or past an entry.
fn walk_error_reason(err: &walkdir::Error) -> String {
    if err.loop_ancestor().is_some() {
        "symlink loop; skipped".to_string()
    } else if let Some(io) = err.io_error() {
        if io.kind() == std::io::ErrorKind::NotFound {
            "dangling symlink or vanished file; skipped".to_string()
        } else {
            format!("{io}; skipped")
        }
    } else {
        format!("{err}; skipped")
    }
}

/// The entry as a note file to index, or `None` (with a warning where the user should know
/// why a `.md` was left out).
fn found_note(
    root_idx: usize,
    root: &Path,
    entry: &walkdir::DirEntry,
    warn: &mut dyn FnMut(String, String),
) -> Option<Found> {
    let name = entry.file_name().to_string_lossy();
    if !entry.file_type().is_file() {
        // Reading a FIFO named `x.md` would block the run forever; say why it is left.
        if !entry.file_type().is_dir() && is_note_name(&name) {
            warn(
                entry.path().display().to_string(),
                "not a regular file (a FIFO, socket or device); skipped".into(),
            );
        }
        return None;
    }
    if !is_note_name(&name) {
        return None;
    }
    let rel = rel_path(root, entry.path());
    if entry.path().to_str().is_none() {
        warn(
            entry.path().display().to_string(),
            format!("file name is not valid UTF-8; indexed as '{rel}'"),
        );
    }
    let meta = match entry.metadata() {
        Ok(m) => m,
        Err(e) => {
            warn(entry.path().display().to_string(), format!("{e}; skipped"));
            return None;
        }
    };
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128);
    Some(Found {
        root: root_idx,
        abs: entry.path().to_path_buf(),
        rel,
        size: meta.len(),
        mtime_ns,
    })
}

/// `path` relative to `root`, `/`-separated, as note keys and results show it.
pub fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let rel = if rel.as_os_str().is_empty() {
        Path::new(path.file_name().unwrap_or_default())
    } else {
        rel
    };
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_names() {
        assert!(is_note_name("a.md") && is_note_name("B.MARKDOWN") && is_note_name("c.txt"));
        assert!(!is_note_name("d.json") && !is_note_name("md"));
    }

    #[test]
    fn walks_sorted_and_skips_hidden_and_index() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for p in [
            "b.md",
            "a/c.txt",
            ".obsidian/x.md",
            "index/y.md",
            "z.json",
            ".hidden.md",
        ] {
            let path = root.join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let opts = WalkOptions {
            roots: vec![root.to_path_buf()],
            skip: Some(root.join("index")),
        };
        let mut warnings = Vec::new();
        let found: Vec<String> = walk(&opts, &mut |p, r| warnings.push((p, r)))
            .into_iter()
            .map(|f| f.rel)
            .collect();
        assert_eq!(found, vec!["a/c.txt", "b.md"]);
        assert!(warnings.is_empty());
    }

    #[test]
    fn special_files_are_reported_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.md");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here; the integration test covers the same path.
        }
        std::fs::write(dir.path().join("a.md"), "x").unwrap();
        let opts = WalkOptions {
            roots: vec![dir.path().to_path_buf()],
            skip: None,
        };
        let mut warnings = Vec::new();
        let found = walk(&opts, &mut |p, r| warnings.push((p, r)));
        assert_eq!(found.len(), 1);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].0.ends_with("pipe.md") && warnings[0].1.contains("FIFO"));
    }
}
