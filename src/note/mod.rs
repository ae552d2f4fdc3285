//! Notes: finding note files, reading them safely, and splitting them into passages.
//!
//! A note is a `.md`, `.markdown` or `.txt` file with optional YAML front matter
//! ([`frontmatter`]). Its text is repaired first ([`repair`]), then the Markdown body is
//! walked for passages ([`markdown`]). Parsing never fails: whatever is wrong with a file
//! becomes a warning and the note keeps what could be read.

pub mod frontmatter;
pub mod markdown;
pub mod obsidian;
#[cfg(test)]
mod proptests;
pub mod repair;
pub mod table;
pub mod task;
mod walk;

pub use walk::{rel_path, walk, walk_under, Found, WalkOptions};

use crate::date::Date;
pub use crate::passage::{Kind, Passage};

/// Note-level metadata, resolved from front matter, file name and body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    /// Front matter title, else the first `# heading`, else the file stem.
    pub title: String,
    /// Front matter date, else a `YYYY-MM-DD` file-name prefix, else none.
    pub date: Option<Date>,
    /// `account`.
    pub account: Option<String>,
    /// `participants`.
    pub participants: Vec<String>,
    /// Front matter and inline tags: lowercase, no `#`, deduplicated, sorted.
    pub tags: Vec<String>,
    /// `type`.
    pub note_type: Option<String>,
    /// `source`.
    pub source: Option<String>,
    /// `aliases`.
    pub aliases: Vec<String>,
    /// Targets of `[[wiki links]]` and note embeds (`![[Note]]`) in the note, outside
    /// comments.
    pub links: Vec<String>,
    /// Targets of embeds: notes, attachments (`![[image.png|300]]`) and images
    /// (`![alt](x.png)`).
    pub embeds: Vec<String>,
    /// Front matter keys other than the ones above, as Dataview fields (see
    /// [`frontmatter::Frontmatter::fields`]).
    pub fields: Vec<(String, String)>,
}

/// A parsed note.
#[derive(Debug, Clone, Default)]
pub struct Note {
    /// Path relative to its root, `/`-separated.
    pub path: String,
    /// Metadata.
    pub meta: Meta,
    /// Passages in line order.
    pub passages: Vec<Passage>,
    /// Everything that was wrong but survivable (shown on stderr, counted).
    pub warnings: Vec<String>,
}

/// Parses a note's bytes. Never fails: binary content is the caller's business (see
/// [`repair::decode`]); here every problem is a warning.
pub fn parse(path: &str, text: &str) -> Note {
    let text = repair::repair(text);
    let mut warnings = Vec::new();
    let (fm, body_start) = match frontmatter::split(&text) {
        Ok(Some(block)) => match frontmatter::parse(block.yaml, &mut warnings) {
            Ok(fm) => (fm, block.body_start),
            Err(w) => {
                warnings.push(w);
                (frontmatter::Frontmatter::default(), block.body_start)
            }
        },
        Ok(None) => (frontmatter::Frontmatter::default(), 0),
        Err(w) => {
            warnings.push(w);
            (frontmatter::Frontmatter::default(), 0)
        }
    };
    let body = markdown::parse_body(&text, body_start);
    let file_name = path.rsplit('/').next().unwrap_or(path);
    let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);

    let mut tags: Vec<String> = fm
        .tags
        .iter()
        .chain(body.tags.iter())
        .filter_map(|t| normalise_tag(t))
        .collect();
    tags.sort();
    tags.dedup();

    let mut date = fm.date.or_else(|| Date::parse_prefix(stem));
    if let Some(d) = date.filter(|d| !DATE_YEARS.contains(&d.ymd().0)) {
        warnings.push(format!(
            "date {d} is outside the years {}–{} that can be indexed; the note is undated",
            DATE_YEARS.start(),
            DATE_YEARS.end()
        ));
        date = None;
    }
    let meta = Meta {
        title: fm
            .title
            .or(body.first_h1)
            .unwrap_or_else(|| stem.to_string()),
        date,
        account: fm.account,
        participants: fm.participants,
        tags,
        note_type: fm.note_type,
        source: fm.source,
        aliases: fm.aliases,
        links: body.links,
        embeds: body.embeds,
        fields: fm.fields,
    };
    Note {
        path: path.to_string(),
        meta,
        passages: body.passages,
        warnings,
    }
}

/// The years a note date may fall in. tantivy stores dates as `i64` nanoseconds since 1970,
/// which reach from 1677 to 2262; converting a date outside overflows (a panic in debug
/// builds, a wrong date in release builds), so such a date is a warning instead.
pub const DATE_YEARS: std::ops::RangeInclusive<i32> = 1678..=2261;

/// Lowercase, no `#`, no empty hierarchy levels; `account/` (empty tail) is dropped.
pub fn normalise_tag(tag: &str) -> Option<String> {
    let t = tag.trim().trim_start_matches('#').to_lowercase();
    if t.is_empty() || t.ends_with('/') || t.starts_with('/') || t.contains("//") {
        return None;
    }
    Some(t.split_whitespace().collect::<Vec<_>>().join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../tests/fixtures/seed-style.md");

    #[test]
    fn parses_a_seed_style_note() {
        let note = parse("2025-10-21 - Lambda sync.md", SEED);
        assert!(note.warnings.is_empty(), "{:?}", note.warnings);
        assert!(note.meta.title.starts_with("Lambda capacity crunch"));
        assert_eq!(note.meta.date.unwrap().to_string(), "2025-10-21");
        assert_eq!(note.meta.account, None);
        assert_eq!(
            note.meta.tags,
            vec!["auto", "generated", "proposed", "task", "type/customer"]
        );
        assert_eq!(
            note.meta.links,
            vec!["2025-10-21 - Lambda sync", "CoreWeave"]
        );
        let actions: Vec<_> = note
            .passages
            .iter()
            .filter(|p| p.kind == Kind::Action)
            .collect();
        assert_eq!(actions.len(), 2);
        assert!(actions.iter().all(|p| p.task == Some('?')));
        assert!(actions[0].text.contains("📅 TBD ⏫"), "{}", actions[0].text);
        assert!(
            actions[1].text.contains("with CW alumni"),
            "{}",
            actions[1].text
        );
        assert_eq!(
            note.passages
                .iter()
                .filter(|p| p.kind == Kind::Decision)
                .count(),
            1
        );
        let ns = note
            .passages
            .iter()
            .find(|p| p.text.contains("one namespace across"))
            .unwrap();
        assert!(ns.text.starts_with("Lambda’s storage team"), "{}", ns.text);
        assert_eq!(ns.kind, Kind::Fact);
        assert_eq!(ns.section.last().unwrap(), "Key Information");
        let line = SEED
            .lines()
            .position(|l| l.contains("one namespace across"))
            .unwrap()
            + 1;
        assert_eq!(ns.line_start as usize, line);
        assert_eq!(
            note.passages
                .iter()
                .filter(|p| p.kind == Kind::Paragraph)
                .count(),
            1,
            "the **Date** block and the Source line are metadata, not passages"
        );
    }

    #[test]
    fn title_and_date_fallbacks() {
        let n = parse("Meetings/2024-03-05 - Sync.md", "no heading here\n");
        assert_eq!(n.meta.title, "2024-03-05 - Sync");
        assert_eq!(n.meta.date.unwrap().to_string(), "2024-03-05");
        let n = parse("x.md", "# Heading Title\n\ntext\n");
        assert_eq!(n.meta.title, "Heading Title");
        assert_eq!(n.meta.date, None);
        let n = parse("2024-03-05 x.md", "---\ndate: 2023-01-01\n---\n");
        assert_eq!(n.meta.date.unwrap().to_string(), "2023-01-01");
    }

    #[test]
    fn broken_front_matter_keeps_body() {
        let n = parse("a.md", "---\ntitle: \"oops\ntags: [\n---\n- still a fact\n");
        assert_eq!(n.warnings.len(), 1);
        assert_eq!(n.passages.len(), 1);
        assert_eq!(n.passages[0].line_start, 5);
        // Never closed: the whole file is body (the YAML line becomes a paragraph).
        let n = parse("b.md", "---\ntitle: never closed\n- fact\n");
        assert_eq!(n.warnings.len(), 1);
        assert_eq!(n.passages.len(), 2);
    }

    #[test]
    fn fuzz_regression_dates_tantivy_cannot_store_are_warnings() {
        // Found by fuzz/fuzz_targets/query.rs (via --since 1012-01-01): tantivy's date type
        // overflows outside 1677–2262, so a note dated 2999 crashed a debug build.
        for (path, text) in [
            ("a.md", "---\ndate: 2999-01-01\n---\n- x\n"),
            ("1012-01-01 old.md", "- x\n"),
        ] {
            let n = parse(path, text);
            assert_eq!(n.meta.date, None, "{path}");
            assert!(
                n.warnings[0].contains("outside the years 1678–2261"),
                "{:?}",
                n.warnings
            );
        }
        assert!(parse("2261-12-31 edge.md", "- x\n").meta.date.is_some());
    }

    #[test]
    fn tags_normalised() {
        assert_eq!(
            normalise_tag("#Account/CoreWeave").as_deref(),
            Some("account/coreweave")
        );
        assert_eq!(normalise_tag("account/"), None);
        assert_eq!(normalise_tag(""), None);
    }
}
