//! The index folder's own files besides tantivy's: vector segment names, the commit with
//! its payload, and cleanup of what no commit needs any more (old manifests, orphaned or
//! superseded vector segments, temp files of killed runs).

use super::manifest::Payload;
use crate::{Error, Result};
use std::path::Path;
use tantivy::{IndexWriter, TantivyDocument};

/// A fresh vector segment file name, unique to this process and moment.
pub(super) fn new_vector_file_name() -> String {
    format!("vectors-{}-{}.bin", std::process::id(), unique_suffix())
}

/// The first 12 characters of a weights hash, for messages. The hash comes from `meta.json`,
/// which a person may have edited, so it is cut at a character boundary, never mid-character.
pub(crate) fn short(hash: &str) -> &str {
    hash.char_indices()
        .nth(12)
        .map_or(hash, |(i, _)| &hash[..i])
}

pub(super) fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}")
}

pub(super) fn commit(writer: &mut IndexWriter<TantivyDocument>, payload: &Payload) -> Result<()> {
    let json = serde_json::to_string(payload).map_err(|e| Error::Index(e.to_string()))?;
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&json);
    prepared.commit()?;
    Ok(())
}

/// Passage ids of every live document of the last commit.
pub(super) fn live_pids(index: &tantivy::Index) -> Result<std::collections::HashSet<u64>> {
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let mut live = std::collections::HashSet::new();
    for seg in searcher.segment_readers() {
        let col = seg.fast_fields().u64("pid")?;
        for doc in seg.doc_ids_alive() {
            if let Some(pid) = col.first(doc) {
                live.insert(pid);
            }
        }
    }
    Ok(live)
}

/// Relative paths of the notes with a live passage that has no vector in `vectors`.
pub(super) fn paths_without_vectors(
    index: &tantivy::Index,
    fields: &super::Fields,
    vectors: &super::vectors::VectorStore,
) -> Result<std::collections::HashSet<String>> {
    use tantivy::schema::Value;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let mut paths = std::collections::HashSet::new();
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        let col = seg.fast_fields().u64("pid")?;
        for doc in seg.doc_ids_alive() {
            if col.first(doc).is_some_and(|pid| vectors.contains(pid)) {
                continue;
            }
            let stored: tantivy::TantivyDocument =
                searcher.doc(tantivy::DocAddress::new(ord as u32, doc))?;
            if let Some(path) = stored.get_first(fields.path).and_then(|v| v.as_str()) {
                paths.insert(path.to_string());
            }
        }
    }
    Ok(paths)
}

/// Vector segment files that no commit names: left by an interrupted run.
pub(super) fn orphan_vector_files(dir: &Path, previous: Option<&Payload>) -> Vec<String> {
    let listed: Vec<&String> = previous
        .map(|p| p.vector_files.iter().collect())
        .unwrap_or_default();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = rd
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("vectors-") && n.ends_with(".bin") && !listed.contains(&n))
        .collect();
    out.sort();
    out
}

/// Deletes note manifests older than the previous generation, and vector segments that
/// neither this commit nor the previous one names (a reader may still be opening those).
pub(super) fn remove_old_files(dir: &Path, current: &Payload, previous: Option<&Payload>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let keep_notes = [
        Some(current.notes_file.as_str()),
        previous.map(|p| p.notes_file.as_str()),
    ];
    for entry in rd.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale = if name.starts_with("notes-") && name.ends_with(".json") {
            !keep_notes.contains(&Some(name.as_str()))
        } else if name.starts_with("vectors-") && name.ends_with(".bin") {
            !current.vector_files.contains(&name)
                && !previous.is_some_and(|p| p.vector_files.contains(&name))
        } else {
            // Temp files of killed runs went when this run opened ([`remove_temp_files`]).
            false
        };
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Deletes the temp files killed runs left, quarry's and tantivy's. Only call it with the
/// writer lock held and before this run's writer has written anything (a commit or merge
/// writes `meta.json` through a tantivy temp file).
pub(super) fn remove_temp_files(dir: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in rd.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_temp_file(&name) || is_tantivy_temp_file(&name) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A temp file of tantivy's atomic writes (`.tmpWsfXtK`, from `meta.json` and
/// `.managed.json`).
fn is_tantivy_temp_file(name: &str) -> bool {
    name.strip_prefix(".tmp")
        .is_some_and(|rest| rest.len() == 6 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A temp file of quarry's atomic writes (`notes-3.json.Xa81Qz.tmp1234`): one left behind
/// was being written by a run that was killed, since this run holds the writer lock.
pub(super) fn is_temp_file(name: &str) -> bool {
    let ours = ["notes-", "vectors-", "manifest."]
        .iter()
        .any(|p| name.starts_with(p));
    let tmp = name
        .rsplit_once(".tmp")
        .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
    ours && tmp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_files_of_killed_runs_are_recognised() {
        assert!(is_temp_file("notes-3.tmp1234"));
        assert!(is_temp_file("vectors-99-18ab.tmp99"));
        assert!(is_temp_file("manifest.tmp7"));
        assert!(!is_temp_file("notes-3.json"));
        assert!(!is_temp_file("vectors-99-18ab.bin"));
        assert!(!is_temp_file("meta.json"));
        assert!(!is_temp_file("notes-3.tmp"));
        assert!(is_tantivy_temp_file(".tmpWsfXtK"));
        assert!(!is_tantivy_temp_file(".tantivy-writer.lock"));
        assert!(!is_tantivy_temp_file(".managed.json"));
        assert!(!is_tantivy_temp_file(".tmp"));
    }

    #[test]
    fn short_hashes_cut_at_character_boundaries() {
        assert_eq!(short("0123456789abcdef"), "0123456789ab");
        assert_eq!(short("abc"), "abc");
        // An edited meta.json used to make this panic (byte 12 inside `é`).
        assert_eq!(short("0123456789aéé"), "0123456789aé");
    }
}
