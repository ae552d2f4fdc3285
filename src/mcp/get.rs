//! The `get` tool: read a note, or the lines around a hit, with the note's metadata.
//!
//! An assistant passes a path it got from `search` or `claims` (relative to the indexed
//! folder) or an absolute one. Only **indexed notes inside the indexed roots** are read:
//! the path is resolved and canonicalised (which follows symlinks), must lie inside a
//! canonicalised root, and must be a note the index holds. So `../`, absolute paths
//! elsewhere, a symlink in the vault that points out of it, and files quarry never indexed
//! (hidden folders, non-note files) are all refused with a message, never read.

use super::tools::{Outcome, ToolError};
use crate::index::manifest::note_key;
use crate::note::{self, repair};
use crate::passage::section_path;
use crate::search::Engine;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

/// Lines returned when no line is asked for (the start of the note).
const WHOLE_NOTE_LINES: u64 = 400;
/// Most lines one call returns.
const MAX_LINES: u64 = 1000;
/// Lines of context around `line` by default.
const DEFAULT_CONTEXT: u64 = 5;

/// `get` arguments.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetArgs {
    /// The note's path as `search` and `claims` return it (relative to the indexed folder),
    /// or an absolute path inside an indexed folder.
    pub path: String,
    /// First line wanted, 1-based (a hit's `line`). Without it, the note from its start.
    #[serde(default)]
    pub line: Option<u64>,
    /// Last line wanted (a hit's `line_end`); defaults to `line`.
    #[serde(default)]
    pub line_end: Option<u64>,
    /// Lines to add before `line` and after `line_end` (default 5).
    #[serde(default)]
    pub context: Option<u64>,
}

/// `get` result: the lines and what the note is.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
pub struct GetOutput {
    /// The note's path relative to its indexed folder.
    pub path: String,
    /// Note title.
    pub title: String,
    /// Note date `YYYY-MM-DD`, or null.
    pub date: Option<String>,
    /// Account, or null.
    pub account: Option<String>,
    /// Tags, lowercase, without `#`.
    pub tags: Vec<String>,
    /// Participants.
    pub participants: Vec<String>,
    /// The heading path of `line` (` > `-joined), empty at the top of the note.
    pub section: String,
    /// First line returned, 1-based.
    pub line: u64,
    /// Last line returned, 1-based.
    pub line_end: u64,
    /// Lines in the note.
    pub total_lines: u64,
    /// The lines, joined with newlines (text repaired as the index reads it).
    pub text: String,
    /// Whether the note goes on past `line_end` and was cut.
    pub truncated: bool,
}

/// Runs `get`.
pub fn get(engine: &Engine, args: &GetArgs, max_file_bytes: u64) -> Outcome<GetOutput> {
    let store = engine.store();
    let manifest = store.manifest()?;
    let (root, abs) = resolve(&manifest.roots, &args.path)?;
    let rel = note::rel_path(Path::new(&manifest.roots[root]), &abs);
    if !manifest.notes.contains_key(&note_key(root, &rel)) {
        return Err(ToolError(format!(
            "{} is inside the indexed folder but is not an indexed note (only .md, .markdown and .txt notes that quarry indexed can be read)",
            args.path
        )));
    }
    let bytes = read_limited(&abs, max_file_bytes)?;
    let (decoded, _) = repair::decode(&bytes)
        .map_err(|_| ToolError(format!("{} is not a text file", args.path)))?;
    let text = repair::repair(&decoded);
    let parsed = note::parse(&rel, &text);
    let lines: Vec<&str> = text.lines().collect();
    let total = lines.len() as u64;
    let (first, last) = span(args, total)?;
    // The section of the asked line: that of the last passage starting at or before it.
    let at = args.line.unwrap_or(first);
    let section = parsed
        .passages
        .iter()
        .filter(|p| u64::from(p.line_start) <= at)
        .max_by_key(|p| p.line_start)
        .map(|p| section_path(&parsed.meta.title, &p.section))
        .unwrap_or_default();
    let body = if total == 0 {
        String::new()
    } else {
        lines[(first - 1) as usize..last as usize].join("\n")
    };
    let mut rendered = format!(
        "{}:{}-{} of {} lines · {}{}\n",
        rel,
        first,
        last,
        total,
        parsed.meta.title,
        parsed
            .meta
            .date
            .map(|d| format!(" · {d}"))
            .unwrap_or_default()
    );
    for (i, l) in body.lines().enumerate() {
        let _ = writeln!(rendered, "{:>5} | {l}", first + i as u64);
    }
    let out = GetOutput {
        path: rel,
        title: parsed.meta.title.clone(),
        date: parsed.meta.date.map(|d| d.to_string()),
        account: parsed.meta.account.clone(),
        tags: parsed.meta.tags.clone(),
        participants: parsed.meta.participants.clone(),
        section,
        line: first.min(last.max(1)),
        line_end: last,
        total_lines: total,
        text: body,
        truncated: last < total,
    };
    Ok((out, rendered))
}

/// The lines to return, 1-based and inclusive, within the note.
fn span(args: &GetArgs, total: u64) -> Result<(u64, u64), ToolError> {
    let Some(line) = args.line else {
        if args.line_end.is_some() {
            return Err(ToolError("line_end needs line".into()));
        }
        return Ok((1, total.min(WHOLE_NOTE_LINES)));
    };
    let end = args.line_end.unwrap_or(line);
    if line == 0 || end < line {
        return Err(ToolError(format!(
            "lines are 1-based and line_end ({end}) may not come before line ({line})"
        )));
    }
    if line > total {
        return Err(ToolError(format!(
            "line {line} is past the end of the note ({total} lines)"
        )));
    }
    let context = args.context.unwrap_or(DEFAULT_CONTEXT);
    let first = line.saturating_sub(context).max(1);
    let last = end
        .saturating_add(context)
        .min(total)
        .min(first.saturating_add(MAX_LINES - 1));
    Ok((first, last))
}

/// The root a requested path lies in, and the path, canonical. Refuses `..`, paths outside
/// every root (after following symlinks) and anything that is not a regular file.
pub fn resolve(roots: &[String], asked: &str) -> Result<(usize, PathBuf), ToolError> {
    let asked_path = Path::new(asked.trim());
    if asked.trim().is_empty() {
        return Err(ToolError("path is empty".into()));
    }
    if asked_path
        .components()
        .any(|c| matches!(c, Component::ParentDir))
    {
        return Err(ToolError(format!(
            "{asked}: `..` is not allowed; give the path as search returns it"
        )));
    }
    let outside = || {
        ToolError(format!(
            "{asked} is not inside the indexed folders ({}); only indexed notes can be read",
            roots.join(", ")
        ))
    };
    let canonical_roots: Vec<Option<PathBuf>> = roots
        .iter()
        .map(|r| Path::new(r).canonicalize().ok())
        .collect();
    let candidates: Vec<PathBuf> = if asked_path.is_absolute() {
        vec![asked_path.to_path_buf()]
    } else {
        roots
            .iter()
            .map(|r| {
                let r = Path::new(r);
                // A root that is a single file holds one note, named by its file name.
                if r.is_file() {
                    r.parent().unwrap_or(r).join(asked_path)
                } else {
                    r.join(asked_path)
                }
            })
            .collect()
    };
    let mut missing = false;
    for candidate in candidates {
        let Ok(canonical) = candidate.canonicalize() else {
            missing = true;
            continue;
        };
        let inside = canonical_roots.iter().enumerate().find(|(_, r)| {
            r.as_deref()
                .is_some_and(|r| canonical == r || (r.is_dir() && canonical.starts_with(r)))
        });
        let Some((root, _)) = inside else {
            continue;
        };
        if !canonical.is_file() {
            return Err(ToolError(format!("{asked} is not a file")));
        }
        return Ok((root, canonical));
    }
    if missing && !asked_path.is_absolute() {
        return Err(ToolError(format!(
            "{asked}: no such note in the indexed folders"
        )));
    }
    Err(outside())
}

fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, ToolError> {
    use std::io::Read;
    let file =
        std::fs::File::open(path).map_err(|e| ToolError(format!("{}: {e}", path.display())))?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| ToolError(format!("{}: {e}", path.display())))?;
    if bytes.len() as u64 > max {
        return Err(ToolError(format!(
            "{} is larger than the {} MB limit (max_file_size)",
            path.display(),
            max / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> (tempfile::TempDir, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("vault");
        std::fs::create_dir_all(root.join("Customers")).unwrap();
        std::fs::write(root.join("Customers/a.md"), "# A\n").unwrap();
        std::fs::write(dir.path().join("secret.md"), "no\n").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.md"), root.join("link.md")).unwrap();
        std::os::unix::fs::symlink(root.join("Customers/a.md"), root.join("inner.md")).unwrap();
        let roots = vec![root.canonicalize().unwrap().display().to_string()];
        (dir, roots)
    }

    #[test]
    fn paths_inside_the_root_resolve() {
        let (_d, roots) = vault();
        let (root, abs) = resolve(&roots, "Customers/a.md").unwrap();
        assert_eq!(root, 0);
        assert!(abs.ends_with("vault/Customers/a.md"));
        let absolute = Path::new(&roots[0]).join("Customers/a.md");
        assert_eq!(resolve(&roots, absolute.to_str().unwrap()).unwrap().1, abs);
        // A symlink to a note inside the root reads that note.
        assert_eq!(resolve(&roots, "inner.md").unwrap().1, abs);
    }

    #[test]
    fn paths_out_of_the_root_are_refused() {
        let (d, roots) = vault();
        for asked in [
            "../secret.md",
            "Customers/../../secret.md",
            d.path().join("secret.md").to_str().unwrap(),
            "/etc/passwd",
            "link.md",
            "",
        ] {
            let err = resolve(&roots, asked).unwrap_err();
            assert!(!err.0.is_empty(), "{asked}");
        }
        assert!(resolve(&roots, "Customers")
            .unwrap_err()
            .0
            .contains("not a file"));
        assert!(resolve(&roots, "nope.md")
            .unwrap_err()
            .0
            .contains("no such note"));
    }

    #[test]
    fn spans_stay_inside_the_note() {
        let args = |line, line_end, context| GetArgs {
            path: "a.md".into(),
            line,
            line_end,
            context,
        };
        assert_eq!(span(&args(None, None, None), 10), Ok((1, 10)));
        assert_eq!(span(&args(None, None, None), 5000), Ok((1, 400)));
        assert_eq!(span(&args(Some(3), None, None), 10), Ok((1, 8)));
        assert_eq!(span(&args(Some(3), Some(4), Some(0)), 10), Ok((3, 4)));
        assert_eq!(span(&args(Some(9), None, Some(u64::MAX)), 10), Ok((1, 10)));
        assert!(span(&args(Some(0), None, None), 10).is_err());
        assert!(span(&args(Some(5), Some(4), None), 10).is_err());
        assert!(span(&args(Some(11), None, None), 10).is_err());
        assert!(span(&args(None, Some(3), None), 10).is_err());
    }
}
