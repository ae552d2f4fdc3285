//! Property tests for the note reader: whatever the text, passages stay inside the file and
//! in line order, text repair is idempotent and keeps the line count, parsing never
//! panics, and Obsidian's syntax (callout markers, embeds, block ids) never reaches passage
//! text. The cargo-fuzz target `fuzz/fuzz_targets/note.rs` checks the same promises on
//! raw bytes; these run with `cargo test`.

use super::{parse, repair};
use proptest::prelude::*;

/// Markdown-ish lines: list items at several depths, tasks, headings (including the ones
/// that change a passage's kind), quotes, fences, tables, front matter fences, and text
/// with mojibake, combining marks, CRs and BOMs mixed in.
fn markdown_line() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "",
        "",
        "- ",
        "  - ",
        "    - ",
        "* ",
        "1. ",
        "  1) ",
        "- [ ] ",
        "- [x] ",
        "- [?] ",
        "> ",
        "> - ",
        "# ",
        "## ",
        "## Action Items",
        "## Decisions",
        "---",
        "...",
        "```",
        "~~~",
        "| a | b |",
        "|---|---|",
        "    ",
        "\t",
        "**Date**: ",
        "*Source: [[x]]*",
        "title: ",
        "date: ",
        "tags: [",
        "- - - ",
        "<div>",
        "#tag ",
    ]);
    let word = prop::sample::select(vec![
        "gpu",
        "capacity",
        "[[Wiki|alias]]",
        "[[open",
        "#type/customer",
        "#42",
        "`code`",
        "**bold**",
        "Microsoft‚Äôs",
        "Microsoftâ€™s",
        "üìÖ",
        "ÃÅ©",
        "A\u{30A}",
        "e\u{301}",
        "\u{212A}",
        "\u{FEFF}",
        "\r",
        "\r\n",
        "café",
        "2025-11-1é",
        "日本語",
        "",
    ]);
    (prefix, prop::collection::vec(word, 0..6)).prop_map(|(p, words)| {
        let mut line = p.to_string();
        line.push_str(&words.join(" "));
        line
    })
}

/// Lines of Obsidian-flavoured Markdown: callouts at several depths, folded or not, with and
/// without titles, inside lists too; embeds of notes, headings, blocks and images; block ids
/// at line ends and on lines of their own; comments, highlights, footnotes, inline HTML,
/// math and Dataview fields, mixed with ordinary Markdown, in any order.
fn obsidian_line() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        "",
        "",
        "- ",
        "  - ",
        "1. ",
        "- [ ] ",
        "> ",
        "> [!note] ",
        "> [!warning]- ",
        "> [!tip]+",
        "> > [!question] ",
        "> > > [!example]- ",
        ">[!info]",
        "> - ",
        "> > ",
        "- > [!todo] ",
        "## ",
        "# ",
        "```",
        "%%",
        "^abc-1",
        "[^1]: ",
        "| a | b |",
        "<div>",
        "    ",
        "key:: ",
    ]);
    let word = prop::sample::select(vec![
        "gpu",
        "ファイルを埋め込む",
        "自动嵌入",
        "파일을",
        "[[Note]]",
        "[[Note#Heading|shown]]",
        "[[Note#^abc]]",
        "![[Note]]",
        "![[Note#Heading]]",
        "![[Note#^b15695]]",
        "![[image.png|300]]",
        "![alt](x.png)",
        "![[open",
        "[[open",
        "^b15695",
        "^x",
        "x^2",
        "$x^2$",
        "==marked==",
        "==",
        "note[^1]",
        "^[inline]",
        "%%hidden%%",
        "%%",
        "<b>bold</b>",
        "[!note]",
        "[!warning]-",
        "[k:: v]",
        "(k:: v)",
        "`code`",
        "**bold**",
        "#tag",
        "",
    ]);
    (prefix, prop::collection::vec(word, 0..6)).prop_map(|(p, words)| {
        let mut line = p.to_string();
        line.push_str(&words.join(" "));
        line
    })
}

fn obsidian_text() -> impl Strategy<Value = String> {
    prop::collection::vec(obsidian_line(), 0..30).prop_map(|lines| lines.join("\n"))
}

/// Whether text ends with a block id (` ^id`, or is one).
fn ends_with_block_id(text: &str) -> bool {
    let last = text.rsplit(' ').next().unwrap_or("");
    last.strip_prefix('^')
        .is_some_and(super::obsidian::is_block_id)
}

fn check_obsidian(text: &str) -> Result<(), TestCaseError> {
    let note = parse("Obsidian note.md", text);
    for p in &note.passages {
        for marker in ["[!", "![["] {
            prop_assert!(!p.text.contains(marker), "{marker} in {:?}", p.text);
            prop_assert!(
                !p.context.contains(marker),
                "{marker} in context {:?}",
                p.context
            );
        }
        prop_assert!(
            !ends_with_block_id(&p.text),
            "block id left in {:?}",
            p.text
        );
        for h in &p.section {
            prop_assert!(
                !h.contains("![[") && !ends_with_block_id(h),
                "heading {h:?}"
            );
        }
        if let Some(a) = &p.anchor {
            prop_assert!(super::obsidian::is_block_id(a), "anchor {a:?}");
        }
    }
    Ok(())
}

fn markdown_text() -> impl Strategy<Value = String> {
    prop::collection::vec(markdown_line(), 0..40).prop_map(|lines| lines.join("\n"))
}

/// Characters that mojibake is made of (Windows-1252 and Mac Roman renderings of UTF-8
/// lead and continuation bytes), plus ASCII and combining marks that NFC composes.
fn mojibake_text() -> impl Strategy<Value = String> {
    let c = prop::sample::select(vec![
        'a', 'A', 'e', ' ', '\n', '\r', 'â', '€', '™', '˜', 'œ', 'Ã', '©', '¨', '§', 'Å', 'ð', 'Ÿ',
        '“', '”', '’', '‚', 'Ä', 'ô', 'ü', 'ì', 'Ö', '…', '¬', '∂', '\u{301}', '\u{30A}',
        '\u{308}', '\u{FEFF}', '\u{212A}', '\u{8D}', '\u{9D}', '\u{F8FF}',
    ]);
    prop::collection::vec(c, 0..64).prop_map(|v| v.into_iter().collect())
}

/// The last line a passage may claim: lines of the repaired text, at least 1.
fn line_count(text: &str) -> u32 {
    repair::repair(text).lines().count().max(1) as u32
}

fn check_passages(path: &str, text: &str) -> Result<(), TestCaseError> {
    let note = parse(path, text);
    let lines = line_count(text);
    let mut prev = (0, 0);
    for p in &note.passages {
        prop_assert!(
            1 <= p.line_start && p.line_start <= p.line_end && p.line_end <= lines,
            "{}..={} not within 1..={lines} ({:?})",
            p.line_start,
            p.line_end,
            p.text
        );
        prop_assert!((p.line_start, p.line_end) >= prev, "passages out of order");
        prev = (p.line_start, p.line_end);
        prop_assert!(!p.text.is_empty());
    }
    Ok(())
}

fn check_repair(text: &str) -> Result<(), TestCaseError> {
    let once = repair::repair(text);
    let twice = repair::repair(&once);
    prop_assert_eq!(once.as_ref(), twice.as_ref(), "repair is not idempotent");
    let breaks = text.replace("\r\n", "\n").matches(['\n', '\r']).count();
    prop_assert_eq!(
        once.matches('\n').count(),
        breaks,
        "repair changed the line count"
    );
    prop_assert!(!once.contains('\r'));
    Ok(())
}

proptest! {
    #[test]
    fn passages_stay_within_the_file(text in markdown_text()) {
        check_passages("2025-01-02 note.md", &text)?;
    }

    #[test]
    fn file_names_with_any_date_prefix(stem in "[0-9]{4}-[0-9é]{1,2}-[0-9é]{1,3}( .{0,8})?", text in markdown_text()) {
        check_passages(&format!("dir/{stem}.md"), &text)?;
    }

    #[test]
    fn passages_stay_within_the_file_for_any_text(text in any::<String>()) {
        check_passages("x.md", &text)?;
    }

    #[test]
    fn repair_is_idempotent_on_mojibake(text in mojibake_text()) {
        check_repair(&text)?;
    }

    #[test]
    fn repair_is_idempotent_on_markdown(text in markdown_text()) {
        check_repair(&text)?;
    }

    #[test]
    fn repair_is_idempotent_on_any_text(text in any::<String>()) {
        check_repair(&text)?;
    }

    #[test]
    fn obsidian_syntax_never_reaches_passage_text(text in obsidian_text()) {
        check_obsidian(&text)?;
        check_passages("Obsidian note.md", &text)?;
    }

    #[test]
    fn no_embed_marker_survives_any_text(text in any::<String>()) {
        let note = parse("x.md", &text);
        for p in &note.passages {
            prop_assert!(!p.text.contains("![["), "{:?}", p.text);
            prop_assert!(!ends_with_block_id(&p.text), "{:?}", p.text);
        }
    }

    #[test]
    fn parse_never_panics(path in any::<String>(), text in any::<String>()) {
        let _ = parse(&path, &text);
    }

    #[test]
    fn decode_then_parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok((text, _)) = repair::decode(&bytes) {
            check_passages("bytes.md", &text)?;
        }
    }
}
