//! Fuzzes the note reader: arbitrary bytes → `repair::decode` → `note::parse`.
//!
//! The first line (at most 80 characters) also serves as the file name, so names with
//! dates, dots and odd characters are fuzzed too (the title and date fall back to the name).
//! Besides "never panics", every parse must keep these promises:
//!
//! * passages lie inside the file: `1 ≤ line_start ≤ line_end ≤ lines`, in line order;
//! * passage text is non-empty and whitespace-collapsed;
//! * text repair keeps the line count and is idempotent;
//! * tags are normalised (lowercase, no `#`, no empty levels), sorted and unique;
//! * no passage text holds an embed marker `![[` or ends with a block id, and anchors are
//!   block ids.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quarry::note::{self, repair};

fuzz_target!(|data: &[u8]| {
    let Ok((text, _decoded)) = repair::decode(data) else {
        return;
    };
    let first = text.lines().next().unwrap_or("");
    let name: String = first.chars().take(80).collect();
    let path = format!("dir/{name}.md");
    check(&path, &text);
});

fn check(path: &str, text: &str) {
    let repaired = repair::repair(text);
    // Repair keeps lines: only line endings change, and CR/CRLF count as one line break.
    let breaks = |s: &str| s.replace("\r\n", "\n").matches(['\n', '\r']).count();
    assert_eq!(
        repaired.matches('\n').count(),
        breaks(text),
        "repair changed the number of lines"
    );
    assert!(!repaired.contains('\r'));
    let again = repair::repair(&repaired);
    assert_eq!(
        again.as_ref(),
        repaired.as_ref(),
        "repair is not idempotent"
    );

    let note = note::parse(path, text);
    let lines = repaired.lines().count().max(1) as u32;
    let mut prev = (0u32, 0u32);
    for p in &note.passages {
        assert!(
            1 <= p.line_start && p.line_start <= p.line_end && p.line_end <= lines,
            "passage lines {}..={} outside 1..={lines}: {:?}",
            p.line_start,
            p.line_end,
            p.text
        );
        assert!((p.line_start, p.line_end) >= prev, "passages out of order");
        prev = (p.line_start, p.line_end);
        assert!(!p.text.is_empty());
        assert_eq!(
            p.text,
            p.text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        // Obsidian syntax leaves no embed marker and no trailing block id (issue 13).
        assert!(!p.text.contains("![["), "embed marker left: {:?}", p.text);
        let last = p.text.rsplit(' ').next().unwrap_or("");
        assert!(
            !last
                .strip_prefix('^')
                .is_some_and(quarry::note::obsidian::is_block_id),
            "block id left: {:?}",
            p.text
        );
        if let Some(a) = &p.anchor {
            assert!(quarry::note::obsidian::is_block_id(a), "anchor {a:?}");
        }
    }
    for w in note.meta.tags.windows(2) {
        assert!(
            w[0] < w[1],
            "tags not sorted and unique: {:?}",
            note.meta.tags
        );
    }
    for t in &note.meta.tags {
        assert!(!t.is_empty() && !t.starts_with('#') && !t.starts_with('/') && !t.ends_with('/'));
        assert_eq!(*t, t.to_lowercase());
    }
    // What indexing does with a note next must not panic either.
    if let Some(date) = note.meta.date {
        let _ = date.to_string();
    }
    for p in &note.passages {
        let section = quarry::passage::section_path(&note.meta.title, &p.section);
        let _ = quarry::passage::embed_input(&note.meta.title, &section, &p.context, &p.text);
    }
}
