//! Lines of a note around a hit (`-A/-B/-C N`, as `rg -C`), read from the note file as it is
//! now and repaired the way the indexer reads it (so line numbers agree, mojibake is fixed).
//! A note that cannot be read any more simply shows no context.

use std::collections::HashMap;

/// The lines of the notes a printer has asked for, each file read once.
#[derive(Debug, Default)]
pub struct NoteLines {
    files: HashMap<String, Option<Vec<String>>>,
}

impl NoteLines {
    /// Line `n` (1-based) of the note at `abs_path`, if it has one.
    pub fn line(&mut self, abs_path: &str, n: u64) -> Option<&str> {
        let lines = self
            .files
            .entry(abs_path.to_string())
            .or_insert_with(|| read(abs_path))
            .as_ref()?;
        let i = usize::try_from(n).ok()?.checked_sub(1)?;
        lines.get(i).map(String::as_str)
    }

    /// How many lines the note has now (0 when it cannot be read).
    pub fn count(&mut self, abs_path: &str) -> u64 {
        self.files
            .entry(abs_path.to_string())
            .or_insert_with(|| read(abs_path))
            .as_ref()
            .map_or(0, |l| l.len() as u64)
    }
}

fn read(abs_path: &str) -> Option<Vec<String>> {
    let bytes = std::fs::read(abs_path).ok()?;
    let (text, _) = crate::note::repair::decode(&bytes).ok()?;
    let text = crate::note::repair::repair(&text);
    Some(text.lines().map(|l| l.trim_end().to_string()).collect())
}
