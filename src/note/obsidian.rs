//! Obsidian's own Markdown on top of CommonMark: comments, callouts, embeds, block ids, wiki
//! links, highlights, footnote references and Dataview inline fields.
//!
//! pulldown-cmark parses CommonMark, so these constructs reach the body walk
//! ([`super::markdown`]) as plain text (`[!warning]`, `![[Note]]`, `^b15695`, `==x==`,
//! `%% … %%`). This module turns that text into what Obsidian shows, and keeps the walk's hooks
//! small: [`blank_comments`] before parsing, [`callout`] on a blockquote's first line,
//! [`render`] on every text the walk keeps, [`split_block_id`] and [`inline_fields`] on every
//! passage. Each function is one pass over one passage (or one body, for comments), so the
//! cost stays linear in the note.

use std::borrow::Cow;

/// The body with every `%% comment %%` (inline or over several lines; an unclosed one runs
/// to the end, as in Obsidian) removed, or `None` when there is none. `%%` inside code (fenced
/// or indented blocks, inline code spans) is code, not a comment; where code is comes from a
/// first pulldown-cmark pass, which only notes holding `%%` pay for.
///
/// Line numbers must not move, so every line keeps its byte length and its newline: a
/// comment's text is cut out of its line and the line is padded with trailing spaces.
/// Cutting rather than blanking in place matters: `%%x%% text` at the start of a line would
/// otherwise become an indented code block.
pub fn blank_comments(body: &str) -> Option<String> {
    // A one-byte search first: most notes hold no `%` at all.
    if !body.contains('%') || !body.contains("%%") {
        return None;
    }
    let cuts = comment_ranges(body, &code_ranges(body));
    if cuts.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(body.len());
    let mut cut = cuts.iter().peekable();
    let mut line_start = 0;
    for line in body.split_inclusive('\n') {
        let content_end = line_start + line.trim_end_matches('\n').len();
        let mut pos = line_start;
        while pos < content_end {
            while cut.next_if(|c| c.end <= pos).is_some() {}
            match cut.peek() {
                Some(c) if c.start <= pos => pos = c.end.min(content_end),
                Some(c) if c.start < content_end => {
                    out.push_str(&body[pos..c.start]);
                    pos = c.start;
                }
                _ => {
                    out.push_str(&body[pos..content_end]);
                    pos = content_end;
                }
            }
        }
        let kept = out.len() - line_start;
        let content = content_end - line_start;
        out.extend(std::iter::repeat_n(' ', content - kept.min(content)));
        out.push_str(&body[content_end..line_start + line.len()]);
        line_start += line.len();
    }
    Some(out)
}

/// The byte ranges of code: fenced and indented blocks, inline code spans.
fn code_ranges(body: &str) -> Vec<std::ops::Range<usize>> {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_MATH;
    Parser::new_ext(body, options)
        .into_offset_iter()
        .filter(|(e, _)| matches!(e, Event::Start(Tag::CodeBlock(_)) | Event::Code(_)))
        .map(|(_, r)| r)
        .collect()
}

/// The comment ranges (from `%%` through the closing `%%`, or to the end), skipping code.
fn comment_ranges(body: &str, code: &[std::ops::Range<usize>]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut code = code.iter().peekable();
    let mut open: Option<usize> = None;
    let mut i = 0;
    while let Some(found) = body[i..].find("%%") {
        let at = i + found;
        match open {
            Some(start) => {
                out.push(start..at + 2);
                open = None;
                i = at + 2;
            }
            None => {
                while code.next_if(|r| r.end <= at).is_some() {}
                match code.peek() {
                    Some(r) if r.start <= at => i = r.end,
                    _ => {
                        open = Some(at);
                        i = at + 2;
                    }
                }
            }
        }
    }
    if let Some(start) = open {
        out.push(start..body.len());
    }
    out
}

/// A callout's first line: `[!type]`, `[!type]-` or `[!type]+` (folded or open), then an
/// optional title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callout<'a> {
    /// The type as written (`warning`, `question`, `FAQ`).
    pub kind: &'a str,
    /// The title as written; empty when none was given.
    pub title: &'a str,
}

impl Callout<'_> {
    /// What Obsidian shows as the title when none is given: the type capitalised
    /// (`[!warning]` → `Warning`).
    pub fn type_title(&self) -> String {
        let mut chars = self.kind.chars();
        chars.next().map_or_else(String::new, |first| {
            first
                .to_uppercase()
                .chain(chars.flat_map(char::to_lowercase))
                .collect()
        })
    }
}

/// Reads a callout marker at the start of a blockquote's first line.
pub fn callout(line: &str) -> Option<Callout<'_>> {
    let rest = line.trim_start().strip_prefix("[!")?;
    let len = callout_type_len(rest)?;
    let after = &rest[len + 1..];
    let title = after.strip_prefix(['-', '+']).unwrap_or(after);
    Some(Callout {
        kind: &rest[..len],
        title: title.trim(),
    })
}

/// The length of `type` in `type]…` (letters, digits, `-`, `_`), or `None`.
fn callout_type_len(s: &str) -> Option<usize> {
    let len = s.find(']')?;
    let kind = &s[..len];
    (!kind.is_empty()
        && kind
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_'))
    .then_some(len)
}

/// File extensions of attachments: an embed or link with one of these names a file, not a
/// note, so it is not a link target of the note (it would be listed as an entity).
const ATTACHMENTS: &[&str] = &[
    "png",
    "jpg",
    "jpeg",
    "gif",
    "bmp",
    "svg",
    "webp",
    "avif",
    "pdf",
    "mp3",
    "wav",
    "m4a",
    "ogg",
    "flac",
    "webm",
    "mp4",
    "mov",
    "mkv",
    "ogv",
    "3gp",
    "canvas",
    "excalidraw",
    "base",
];

/// Whether a link target names an attachment (`image.png`) rather than a note.
pub fn is_attachment(target: &str) -> bool {
    target.rsplit_once('.').is_some_and(|(_, ext)| {
        ATTACHMENTS
            .iter()
            .any(|a| a.eq_ignore_ascii_case(ext.trim()))
    })
}

/// The target of a wiki link's inner text: `Page#Heading|shown` → `Page`.
pub fn link_target(inner: &str) -> &str {
    let before_alias = inner.split('|').next().unwrap_or("");
    before_alias.split('#').next().unwrap_or("").trim()
}

/// What Obsidian shows for a wiki link's inner text: the alias after `|`; else the page and
/// its headings joined with ` > ` (`Page#Heading` → `Page > Heading`), without block ids
/// (`Page#^b15695` → `Page`).
fn link_shown(inner: &str) -> Cow<'_, str> {
    if let Some((_, alias)) = inner.split_once('|') {
        return Cow::Borrowed(alias.trim());
    }
    if !inner.contains('#') {
        return Cow::Borrowed(inner.trim());
    }
    let parts: Vec<&str> = inner
        .split('#')
        .map(str::trim)
        .filter(|p| !p.is_empty() && !p.starts_with('^'))
        .collect();
    Cow::Owned(parts.join(" > "))
}

/// The inner text and end of a wiki link `[[…]]` starting at byte `at` of `s`: on one line,
/// without another `[[` inside.
fn link_at(s: &str, at: usize) -> Option<(&str, usize)> {
    let after = &s[at + 2..];
    let close = after.find("]]")?;
    let inner = &after[..close];
    (!inner.contains('\n') && !inner.contains("[[")).then_some((inner, at + 2 + close + 2))
}

/// The bytes that can start (or close) something [`render`] rewrites.
const MARKER_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 5 {
        table[[b'!', b'[', b'^', b'=', b']'][i] as usize] = true;
        i += 1;
    }
    table
};

/// Text as Obsidian shows it: embeds (`![[Note#^id]]`, `![[image.png|300]]`) removed and their
/// targets added to `embeds`; wiki links as their shown text; highlights `==x==` as `x`;
/// footnote references `[^1]` removed; inline footnotes `^[text]` as their text; callout
/// markers `[!type]` that are not at a callout's start removed. Whitespace is left as it is
/// (the caller collapses it).
pub fn render(raw: &str, embeds: &mut Vec<String>) -> String {
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut from = 0;
    let mut i = 0;
    // Where an open highlight's closing `==` and an inline footnote's `]` are.
    let mut close_highlight: Option<usize> = None;
    let mut close_footnote: Option<usize> = None;
    while i < b.len() {
        // Most text holds none of the marker bytes: skip to the next one in a tight loop.
        match b[i..].iter().position(|&c| MARKER_BYTES[usize::from(c)]) {
            Some(offset) => i += offset,
            None => break,
        }
        let next = b.get(i + 1).copied();
        let skip: Option<(usize, Cow<'_, str>)> = match (b[i], next) {
            (b'!', Some(b'[')) if b[i + 1..].starts_with(b"[[") => {
                // An embed leaves nothing; an unclosed one keeps its text as an unclosed
                // link does (`[[Never closed`), without the `!`.
                Some(match link_at(raw, i + 1) {
                    Some((inner, end)) => {
                        let target = link_target(inner);
                        if !target.is_empty() {
                            embeds.push(target.to_string());
                        }
                        (end, Cow::Borrowed(""))
                    }
                    None => (i + 1, Cow::Borrowed("")),
                })
            }
            (b'[', Some(b'[')) => link_at(raw, i).map(|(inner, end)| (end, link_shown(inner))),
            (b'[', Some(b'!')) => callout_type_len(&raw[i + 2..]).map(|len| {
                let mut end = i + 2 + len + 1;
                if matches!(b.get(end), Some(b'-' | b'+')) {
                    end += 1;
                }
                (end, Cow::Borrowed(""))
            }),
            (b'[', Some(b'^')) => {
                footnote_ref_len(&raw[i + 2..]).map(|len| (i + 2 + len + 1, Cow::Borrowed("")))
            }
            (b'^', Some(b'[')) => raw[i + 2..].find(']').map(|close| {
                close_footnote = Some(i + 2 + close);
                (i + 2, Cow::Borrowed(" "))
            }),
            (b']', _) if close_footnote == Some(i) => {
                close_footnote = None;
                Some((i + 1, Cow::Borrowed(" ")))
            }
            (b'=', Some(b'=')) if close_highlight == Some(i) => {
                close_highlight = None;
                Some((i + 2, Cow::Borrowed("")))
            }
            (b'=', Some(b'=')) if close_highlight.is_none_or(|c| c < i) => highlight_close(raw, i)
                .map(|close| {
                    close_highlight = Some(close);
                    (i + 2, Cow::Borrowed(""))
                }),
            _ => None,
        };
        match skip {
            Some((end, shown)) => {
                out.push_str(&raw[from..i]);
                out.push_str(&shown);
                i = end;
                from = end;
            }
            None => i += 1,
        }
    }
    out.push_str(&raw[from..]);
    // Dropping markers can join a `!` and a `[[` that were apart (`!![[[`); no `![[` is left.
    while out.contains('!') && out.contains("![[") {
        out = out.replace("![[", "[[");
    }
    out
}

/// The label length of a footnote reference `[^label]` (after `[^`): no spaces or brackets.
fn footnote_ref_len(s: &str) -> Option<usize> {
    let len = s.find(']')?;
    let label = &s[..len];
    (!label.is_empty() && !label.contains(|c: char| c.is_whitespace() || c == '[')).then_some(len)
}

/// Where the `==` that closes a highlight opened at `at` is: the next `==` on the same line,
/// with no space just inside either marker (`a == b` is not a highlight).
fn highlight_close(s: &str, at: usize) -> Option<usize> {
    let inner_start = at + 2;
    let first = s[inner_start..].chars().next()?;
    if first.is_whitespace() || first == '=' {
        return None;
    }
    let after_first = inner_start + first.len_utf8();
    let close = after_first + s[after_first..].find("==")?;
    let inner = &s[inner_start..close];
    let ok = !inner.contains('\n') && !inner.ends_with(char::is_whitespace);
    ok.then_some(close)
}

/// Splits block ids (`^b15695`: a space, a caret, Latin letters, digits and dashes) off the
/// end of a passage's text. Returns the text without them and the id (the last one, which is
/// the one Obsidian uses).
pub fn split_block_id(text: &str) -> (&str, Option<&str>) {
    let mut rest = text.trim_end();
    let mut anchor = None;
    loop {
        let start = rest
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(i, c)| i + c.len_utf8());
        let Some(id) = rest[start..].strip_prefix('^') else {
            break;
        };
        if !is_block_id(id) {
            break;
        }
        anchor.get_or_insert(id);
        rest = rest[..start].trim_end();
    }
    (rest, anchor)
}

/// Whether `id` can be a block id: Latin letters, digits and dashes.
pub fn is_block_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
}

/// A Dataview field value longer than this is not kept as a `meta` term: nobody types it as a
/// query, and it bounds the term size.
const MAX_FIELD_VALUE_BYTES: usize = 200;

/// Dataview inline fields of a passage's raw text (lines separated by `\n`): `key:: value` on a
/// line of its own, and `[key:: value]` or `(key:: value)` anywhere. Keys are normalised as
/// Dataview does (lowercase, spaces to `-`), values lowercased with wiki links shown as text.
pub fn inline_fields(raw: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if !raw.contains("::") {
        return out;
    }
    for line in raw.lines() {
        let line = line.trim();
        bracketed_fields(line, &mut out);
        if line.starts_with(['[', '(']) {
            continue;
        }
        if let Some((key, value)) = line.split_once("::") {
            if let Some(key) = field_key(key) {
                out.push((key, field_value(value)));
            }
        }
    }
    out
}

/// `[key:: value]` and `(key:: value)` fields in one line.
fn bracketed_fields(line: &str, out: &mut Vec<(String, String)>) {
    let mut rest = line;
    while let Some(open) = rest.find(['[', '(']) {
        let close_char = if rest.as_bytes()[open] == b'[' {
            ']'
        } else {
            ')'
        };
        let after = &rest[open + 1..];
        let Some(close) = after.find(close_char) else {
            break;
        };
        let inner = &after[..close];
        if let Some((key, value)) = inner.split_once("::") {
            if let Some(key) = field_key(key) {
                out.push((key, field_value(value)));
                rest = &after[close + 1..];
                continue;
            }
        }
        rest = after;
    }
}

/// A field key, normalised, when it is one: letters, digits, spaces, `-`, `_`, at most 64 bytes.
pub fn field_key(raw: &str) -> Option<String> {
    let key = raw.trim();
    let ok = !key.is_empty()
        && key.len() <= 64
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || c == '-' || c == '_');
    ok.then(|| {
        key.split_whitespace()
            .collect::<Vec<_>>()
            .join("-")
            .to_lowercase()
    })
}

/// A field value as a `meta` term: links shown as text, whitespace collapsed, lowercase, cut
/// to [`MAX_FIELD_VALUE_BYTES`] at a character boundary.
pub fn field_value(raw: &str) -> String {
    let mut ignored = Vec::new();
    let shown = render(raw, &mut ignored);
    let mut value = shown
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if value.len() > MAX_FIELD_VALUE_BYTES {
        let mut cut = MAX_FIELD_VALUE_BYTES;
        while !value.is_char_boundary(cut) {
            cut -= 1;
        }
        value.truncate(cut);
    }
    value
}

/// The `meta` terms of fields: `key=value` and `key` alone (so `meta:key` finds any value).
pub fn meta_terms<'a>(fields: impl IntoIterator<Item = &'a (String, String)>) -> Vec<String> {
    fields
        .into_iter()
        .flat_map(|(k, v)| {
            let pair = (!v.is_empty()).then(|| format!("{k}={v}"));
            std::iter::once(k.clone()).chain(pair)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn shown(raw: &str) -> (String, Vec<String>) {
        let mut embeds = Vec::new();
        let text = render(raw, &mut embeds);
        (
            text.split_whitespace().collect::<Vec<_>>().join(" "),
            embeds,
        )
    }

    #[rstest]
    #[case("see [[DDN]] and [[CoreWeave|CW]]", "see DDN and CW")]
    #[case("[[Page#Heading|shown]] here", "shown here")]
    #[case(
        "[[Page#Heading]] and [[Page#H1#H2]]",
        "Page > Heading and Page > H1 > H2"
    )]
    #[case("[[Internal links#^b15695]] end", "Internal links end")]
    #[case("same note [[#Setup]] and [[#^abc]]", "same note Setup and")]
    #[case("empty [[]] and [[open", "empty and [[open")]
    #[case("a ==highlighted words== b", "a highlighted words b")]
    #[case("a == b == c and x==y", "a == b == c and x==y")]
    #[case("==[[Link]] inside==", "Link inside")]
    #[case("note[^1] and [^long-label] end", "note and end")]
    #[case("not a ref [^ spaced] stays", "not a ref [^ spaced] stays")]
    #[case("word^[an inline note] more", "word an inline note more")]
    #[case("stray [!note] marker and [!tip]- folded", "stray marker and folded")]
    #[case("[!not a callout] stays", "[!not a callout] stays")]
    #[case("price is $5 ^ not an id", "price is $5 ^ not an id")]
    #[case("==વ", "==વ")]
    fn renders_what_obsidian_shows(#[case] raw: &str, #[case] want: &str) {
        assert_eq!(shown(raw).0, want);
    }

    #[rstest]
    #[case("![[Internal links#^b15695]]", "", &["Internal links"])]
    #[case("![[icon.svg#icon]] View menu", "View menu", &["icon.svg"])]
    #[case("a ![[image.png|300]] b ![[Note#Heading]]", "a b", &["image.png", "Note"])]
    #[case("![[]] empty", "empty", &[])]
    #[case("![[unclosed", "[[unclosed", &[])]
    #[case("!![[[[x", "[[[[x", &[])]
    fn embeds_leave_no_remnant(#[case] raw: &str, #[case] want: &str, #[case] targets: &[&str]) {
        let (text, embeds) = shown(raw);
        assert_eq!(text, want);
        assert_eq!(embeds, targets);
    }

    #[rstest]
    #[case(
        "a network of knowledge. ^b15695",
        "a network of knowledge.",
        Some("b15695")
    )]
    #[case("^quote-of-the-day", "", Some("quote-of-the-day"))]
    #[case("two ids ^a ^b", "two ids", Some("b"))]
    #[case("x^2 is math", "x^2 is math", None)]
    #[case("ends with ^", "ends with ^", None)]
    #[case("ends with ^not_an_id", "ends with ^not_an_id", None)]
    #[case("ends with ^日本", "ends with ^日本", None)]
    fn block_ids_come_off_the_end(
        #[case] text: &str,
        #[case] rest: &str,
        #[case] anchor: Option<&str>,
    ) {
        assert_eq!(split_block_id(text), (rest, anchor));
    }

    #[rstest]
    #[case(
        "[!warning] Avoid circular references",
        "warning",
        "Avoid circular references"
    )]
    #[case(
        "[!question]- Can callouts be nested?",
        "question",
        "Can callouts be nested?"
    )]
    #[case("[!tip]+", "tip", "")]
    #[case("  [!my-type] x", "my-type", "x")]
    fn callout_markers(#[case] line: &str, #[case] kind: &str, #[case] title: &str) {
        assert_eq!(callout(line), Some(Callout { kind, title }));
    }

    #[test]
    fn not_callouts_and_shown_titles() {
        for line in ["[!] x", "[!a b] x", "text [!note]", "[!note x", "[note]"] {
            assert_eq!(callout(line), None, "{line}");
        }
        assert_eq!(callout("[!warning]").unwrap().type_title(), "Warning");
        assert_eq!(callout("[!FAQ]").unwrap().type_title(), "Faq");
    }

    #[test]
    fn comments_are_cut_and_lines_keep_their_length() {
        let body = "keep %%hidden%% this\n%%\nblock\n\ncomment\n%% after\n`%%code%%` and\n```\n%% fenced %%\n```\ntail %% open\nstill hidden\n";
        let out = blank_comments(body).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0].trim_end(), "keep  this");
        assert!(lines[1..5].iter().all(|l| l.trim().is_empty()), "{lines:?}");
        assert_eq!(
            lines[5], " after  ",
            "text after a comment moves to the line start"
        );
        assert_eq!(lines[6].trim_end(), "`%%code%%` and");
        assert_eq!(lines[8], "%% fenced %%");
        assert_eq!(lines[10].trim_end(), "tail");
        assert_eq!(lines[11].trim(), "");
        assert_eq!(out.len(), body.len());
        for (a, b) in out.lines().zip(body.lines()) {
            assert_eq!(a.len(), b.len());
        }
        assert_eq!(blank_comments("no comments"), None);
        // Multi-byte text in and around comments stays valid and keeps its length.
        let out = blank_comments("日本%%語%%です\n").unwrap();
        assert_eq!(out.trim_end(), "日本です");
        assert_eq!(out.len(), "日本%%語%%です\n".len());
    }

    #[test]
    fn dataview_fields() {
        let raw = "Status:: In Progress\nRated [rating:: 9] and (due date:: [[2025-10-03]])\n[hidden:: x] at the start\nnot a field: x\nhttp://example.com\nan [[Link]] and [[A|b]]";
        assert_eq!(
            inline_fields(raw),
            vec![
                ("status".to_string(), "in progress".to_string()),
                ("rating".into(), "9".into()),
                ("due-date".into(), "2025-10-03".into()),
                ("hidden".into(), "x".into()),
            ]
        );
        assert!(inline_fields("10:30 and a::b:c").is_empty());
        assert!(inline_fields("**not a key**:: x").is_empty());
        let long = format!("k:: {}", "é".repeat(300));
        let fields = inline_fields(&long);
        assert!(fields[0].1.len() <= MAX_FIELD_VALUE_BYTES);
        assert!(meta_terms(&fields[..0]).is_empty());
        let pairs = vec![("status".to_string(), "done".to_string())];
        assert_eq!(meta_terms(&pairs), vec!["status", "status=done"]);
    }

    #[test]
    fn attachments_and_targets() {
        assert!(is_attachment("icon.svg") && is_attachment("Scan.PDF"));
        assert!(!is_attachment("Note") && !is_attachment("v1.2 plan"));
        assert_eq!(link_target("Page#Heading|shown"), "Page");
        assert_eq!(link_target(" Page "), "Page");
    }
}
