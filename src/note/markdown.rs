//! Markdown body → passages, with pulldown-cmark.
//!
//! Every list item is a passage and every prose paragraph outside a list is a passage; so is
//! every table row ([`super::table`]). Headings give the section path; code blocks and HTML
//! are not passages, and neither is a line of nothing but `#tags` (its tags still count for
//! the note). Action items carry their task metadata ([`super::task`]). Offsets from
//! pulldown-cmark become 1-based line numbers through a table of line starts.
//! Obsidian's own syntax (callouts, embeds, block ids, comments, highlights, footnotes,
//! Dataview fields) is read by [`super::obsidian`]; the walk only calls it.

use super::obsidian;
use super::table::Table;
use super::task::{self, TaskInfo};
use crate::passage::{Kind, Passage};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// What the body walk finds besides passages.
#[derive(Debug, Default)]
pub struct Body {
    /// Passages in document order.
    pub passages: Vec<Passage>,
    /// Text of the first level-1 heading.
    pub first_h1: Option<String>,
    /// Inline `#tags` (not yet normalised).
    pub tags: Vec<String>,
    /// Targets of the body's wiki links and note embeds, outside comments, sorted, unique.
    pub links: Vec<String>,
    /// Targets of embeds (`![[Note]]`, `![[image.png|300]]`, `![alt](x.png)`).
    pub embeds: Vec<String>,
}

struct Item {
    text: String,
    start: usize,
    end: usize,
    /// The title of a callout inside the item (`- > [!info] Title`), whose body is the
    /// item's text: the item's own context.
    callout: Option<String>,
}

struct Para {
    text: String,
    /// Offset of the first text; `None` until some (a callout's marker line is not text).
    start: Option<usize>,
    end: usize,
}

/// An enclosing blockquote, which may be an Obsidian callout.
struct Quote {
    /// No block started in it yet, so its first paragraph may open a callout.
    fresh: bool,
    /// The callout's title as shown (the given title, else its type), when it is one.
    title: Option<String>,
    /// Whether the title was written out (a title-only callout is then a passage).
    explicit: bool,
    /// The callout marker's line.
    line: u32,
    /// Passages found before it began.
    emitted: usize,
}

/// Parses `text[body_start..]`; line numbers count from the start of `text`.
pub fn parse_body(text: &str, body_start: usize) -> Body {
    // Comments are cut out first, keeping every line's length, so offsets keep their lines.
    let uncommented = obsidian::blank_comments(&text[body_start..]);
    let body = uncommented.as_deref().unwrap_or(&text[body_start..]);
    let mut walk = Walk::new(text, body, body_start);
    let mut skip = 0usize; // inside code block, html block, metadata, image
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_MATH;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        if let (Event::Start(tag), 0) = (&event, skip) {
            walk.block_starts(tag);
        }
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                // An image is an embed: its alt text is not shown, so it is not text.
                if !dest_url.is_empty() {
                    walk.out.embeds.push(dest_url.to_string());
                }
                skip += 1;
            }
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::MetadataBlock(_)) => skip += 1,
            Event::End(TagEnd::Image) => skip = skip.saturating_sub(1),
            Event::End(TagEnd::CodeBlock | TagEnd::HtmlBlock | TagEnd::MetadataBlock(_)) => {
                skip = skip.saturating_sub(1);
                walk.after_passage = false;
            }
            _ if skip > 0 => {}
            Event::Start(Tag::Table(_)) => walk.table = Some(Table::default()),
            Event::End(TagEnd::Table) => walk.end_table(),
            _ if walk.table.is_some() => walk.table_event(event, range.start),
            Event::Start(Tag::Heading { level, .. }) => {
                walk.heading = Some((level as u8, String::new()))
            }
            Event::End(TagEnd::Heading(_)) => walk.end_heading(),
            Event::Start(Tag::BlockQuote(_)) => walk.start_quote(range.start),
            Event::End(TagEnd::BlockQuote(_)) => walk.end_quote(),
            Event::Start(Tag::Item) => walk.items.push(Item {
                text: String::new(),
                start: range.start,
                end: range.start,
                callout: None,
            }),
            Event::End(TagEnd::Item) => walk.end_item(),
            Event::Start(Tag::Paragraph) => walk.start_paragraph(range.start),
            Event::End(TagEnd::Paragraph) => walk.end_paragraph(range),
            Event::Text(t) | Event::Code(t) => walk.text(&t, range),
            Event::InlineMath(m) => walk.text(&format!("${m}$"), range),
            Event::DisplayMath(m) => walk.text(&format!("$${m}$$"), range),
            Event::SoftBreak | Event::HardBreak => walk.line_break(),
            _ => {}
        }
    }
    let mut out = walk.out;
    out.passages.sort_by_key(|p| (p.line_start, p.line_end));
    out.links = wikilink_targets(body);
    out.links.sort();
    out.links.dedup();
    out
}

/// The state of one walk over a body's events.
struct Walk<'a> {
    body: &'a str,
    body_start: usize,
    /// Byte offset of each line start in the whole text.
    line_starts: Vec<usize>,
    out: Body,
    /// The enclosing headings, outermost first, with their levels.
    headings: Vec<(u8, String)>,
    /// The heading being read.
    heading: Option<(u8, String)>,
    /// The enclosing list items, outermost first.
    items: Vec<Item>,
    /// The paragraph being read outside any list.
    para: Option<Para>,
    /// The enclosing blockquotes (and callouts), outermost first.
    quotes: Vec<Quote>,
    /// Where, in the text being read, a paragraph began that may be a callout's marker
    /// line (the first paragraph of a blockquote); settled at its first line break.
    probe: Option<usize>,
    /// The last block was a passage (a block id on a line of its own then names it).
    after_passage: bool,
    /// Where the passages of the current top-level block begin, and of the one before it:
    /// a block id on a line of its own names the whole block before it (every item of a
    /// list, every passage of a quote).
    block_first: usize,
    prev_block_first: usize,
    /// The table being read.
    table: Option<Table>,
}

impl<'a> Walk<'a> {
    /// A walk over `body`, which starts at `body_start` of `text` (lines count from there).
    fn new(text: &str, body: &'a str, body_start: usize) -> Walk<'a> {
        Walk {
            body,
            body_start,
            line_starts: std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
            out: Body::default(),
            headings: Vec::new(),
            heading: None,
            items: Vec::new(),
            para: None,
            quotes: Vec::new(),
            probe: None,
            after_passage: false,
            block_first: 0,
            prev_block_first: 0,
            table: None,
        }
    }

    /// The 1-based line of a body offset.
    fn line_of(&self, offset: usize) -> u32 {
        let abs = self.body_start + offset;
        self.line_starts.partition_point(|&s| s <= abs) as u32
    }

    fn section(&self) -> Vec<String> {
        self.headings.iter().map(|(_, h)| h.clone()).collect()
    }

    /// Any block start ends the innermost quote's chance to be a callout, except its
    /// first paragraph, which is probed.
    fn block_starts(&mut self, tag: &Tag<'_>) {
        let top = self.quotes.is_empty()
            && self.items.is_empty()
            && self.para.is_none()
            && self.heading.is_none()
            && !matches!(tag, Tag::Item);
        if top {
            self.prev_block_first = self.block_first;
            self.block_first = self.out.passages.len();
        }
        if let Some(q) = self.quotes.last_mut() {
            if q.fresh {
                q.fresh = false;
                if matches!(tag, Tag::Paragraph) {
                    self.probe = Some(usize::MAX);
                }
            }
        }
    }

    fn start_quote(&mut self, start: usize) {
        self.quotes.push(Quote {
            fresh: true,
            title: None,
            explicit: false,
            line: self.line_of(start),
            emitted: self.out.passages.len(),
        });
    }

    /// A callout whose body held no passage is its title alone: that title is the passage.
    fn end_quote(&mut self) {
        let Some(q) = self.quotes.pop() else {
            return;
        };
        // Inside a list item, the callout's body is the item's text.
        if let (Some(title), Some(item)) = (&q.title, self.items.last_mut()) {
            if !item.text.trim().is_empty() {
                item.callout.get_or_insert_with(|| title.clone());
                return;
            }
        }
        if let (Some(title), true) = (q.title, q.explicit) {
            if self.out.passages.len() == q.emitted {
                let context = self.context();
                self.push_passage(&title, Kind::Paragraph, None, context, (q.line, q.line));
            }
        }
    }

    /// The text being read: the paragraph's, else the innermost item's.
    fn buffer(&mut self) -> Option<&mut String> {
        match (self.para.as_mut(), self.items.last_mut()) {
            (Some(p), _) => Some(&mut p.text),
            (None, Some(item)) => Some(&mut item.text),
            (None, None) => None,
        }
    }

    /// Settles a probed first line: a callout marker becomes the quote's title and leaves
    /// the text.
    fn settle_probe(&mut self) {
        let Some(mark) = self.probe.take() else {
            return;
        };
        let Some(buf) = self.buffer() else {
            return;
        };
        let mark = mark.min(buf.len());
        let Some(c) = obsidian::callout(&buf[mark..]) else {
            return;
        };
        let title = clean(c.title, &mut Vec::new());
        let explicit = !title.is_empty();
        // An untitled callout shows its type (`Warning`); so does one whose title was only
        // an embed.
        let shown = if explicit { title } else { c.type_title() };
        buf.truncate(mark);
        self.out.tags.extend(inline_tags(&shown));
        if let Some(p) = self.para.as_mut() {
            p.start = None;
        }
        if let Some(q) = self.quotes.last_mut() {
            q.title = Some(shown);
            q.explicit = explicit;
        }
    }

    fn end_heading(&mut self) {
        let Some((level, raw)) = self.heading.take() else {
            return;
        };
        let cleaned = clean(&raw, &mut self.out.embeds);
        let title = obsidian::split_block_id(&cleaned).0.to_string();
        self.out.tags.extend(inline_tags(&title));
        if level == 1 && self.out.first_h1.is_none() && !title.is_empty() {
            self.out.first_h1 = Some(title.clone());
        }
        while self.headings.last().is_some_and(|(l, _)| *l >= level) {
            self.headings.pop();
        }
        self.headings.push((level, title));
        self.after_passage = false;
    }

    fn end_item(&mut self) {
        self.settle_probe();
        let Some(item) = self.items.pop() else {
            return;
        };
        let mut context = self.context();
        if let Some(title) = item.callout {
            context = bounded_context([title, context].into_iter());
        }
        let (task, raw) = split_task(&item.text);
        let kind = item_kind(task, &self.section());
        let lines = (
            self.line_of(item.start),
            self.line_of(item.end.saturating_sub(1).max(item.start)),
        );
        self.push_passage(raw, kind, task, context, lines);
    }

    fn start_paragraph(&mut self, start: usize) {
        let probing = self.probe.is_some();
        if let Some(item) = self.items.last_mut() {
            if !item.text.is_empty() {
                item.text.push('\n');
            }
            if probing {
                self.probe = Some(item.text.len());
            }
        } else {
            self.para = Some(Para {
                text: String::new(),
                start: Some(start),
                end: start,
            });
            if probing {
                self.probe = Some(0);
            }
        }
    }

    fn end_paragraph(&mut self, range: std::ops::Range<usize>) {
        self.settle_probe();
        let Some(p) = self.para.take() else {
            return;
        };
        let Some(start) = p.start else {
            return;
        };
        if is_metadata_block(&self.body[range]) {
            return;
        }
        let context = self.context();
        let lines = (
            self.line_of(start),
            self.line_of(p.end.saturating_sub(1).max(start)),
        );
        self.push_passage(&p.text, Kind::Paragraph, None, context, lines);
    }

    /// Renders `raw` and adds it as a passage; a text that is only a block id (`^b15695` on
    /// a line of its own) names the passage just before it instead.
    fn push_passage(
        &mut self,
        raw: &str,
        kind: Kind,
        task: Option<char>,
        context: String,
        (line_start, line_end): (u32, u32),
    ) {
        let mut text = clean(raw, &mut self.out.embeds);
        let (kept, anchor) = obsidian::split_block_id(&text);
        let (kept, anchor) = (kept.len(), anchor.map(str::to_string));
        text.truncate(kept);
        if text.is_empty() {
            if let Some(id) = anchor {
                let top = self.quotes.is_empty() && self.items.is_empty();
                let named = if top {
                    self.prev_block_first..self.block_first
                } else if self.after_passage {
                    self.out.passages.len().saturating_sub(1)..self.out.passages.len()
                } else {
                    0..0
                };
                for p in &mut self.out.passages[named] {
                    p.anchor.get_or_insert_with(|| id.clone());
                }
            }
            self.after_passage = false;
            return;
        }
        let tags = inline_tags(&text);
        self.out.tags.extend(tags.iter().cloned());
        if is_tag_only(&text) {
            self.after_passage = false;
            return;
        }
        let passage = Passage {
            kind,
            task,
            task_info: task_info(kind, task, &text),
            tags: normalised(&tags),
            text,
            context,
            links: wikilink_targets(raw),
            section: self.section(),
            line_start,
            line_end,
            anchor,
            fields: obsidian::inline_fields(raw),
        };
        self.out.passages.push(passage);
        self.after_passage = true;
    }

    /// An event inside a table.
    fn table_event(&mut self, event: Event<'_>, start: usize) {
        let Some(table) = self.table.as_mut() else {
            return;
        };
        match event {
            Event::Start(Tag::TableHead) => table.start_head(),
            Event::End(TagEnd::TableHead) => table.end_head(),
            Event::Start(Tag::TableRow) => table.start_row(start),
            Event::Start(Tag::TableCell) => table.start_cell(),
            Event::End(TagEnd::TableCell) => table.end_cell(),
            Event::Text(t) | Event::Code(t) => table.text(&t),
            Event::SoftBreak | Event::HardBreak => table.text(" "),
            _ => {}
        }
    }

    /// Each body row of the finished table becomes a passage on its own line.
    fn end_table(&mut self) {
        let Some(table) = self.table.take() else {
            return;
        };
        let section = self.section();
        for (start, text, raw) in table.rows() {
            let tags = inline_tags(&text);
            self.out.tags.extend(tags.iter().cloned());
            let line = self.line_of(start);
            self.out.passages.push(Passage {
                kind: Kind::Row,
                task: None,
                task_info: TaskInfo::default(),
                tags: normalised(&tags),
                links: wikilink_targets(&raw),
                text,
                context: String::new(),
                section: section.clone(),
                line_start: line,
                line_end: line,
                anchor: None,
                fields: Vec::new(),
            });
        }
        self.after_passage = false;
    }

    /// The context of a passage read now: the titles of the enclosing callouts, then the
    /// texts of the enclosing items, outermost first, within [`MAX_CONTEXT_BYTES`].
    fn context(&self) -> String {
        let items = self
            .items
            .iter()
            .rev()
            .filter(|item| !item.text.trim().is_empty())
            .map(|item| clean(&item.text, &mut Vec::new()));
        let callouts = self.quotes.iter().rev().filter_map(|q| q.title.clone());
        bounded_context(items.chain(callouts))
    }

    fn text(&mut self, t: &str, range: std::ops::Range<usize>) {
        if let Some((_, h)) = self.heading.as_mut() {
            h.push_str(t);
        } else if let Some(p) = self.para.as_mut() {
            p.start.get_or_insert(range.start);
            p.text.push_str(t);
            p.end = range.end;
        } else if let Some(item) = self.items.last_mut() {
            item.text.push_str(t);
            item.end = range.end;
        }
    }

    /// Line breaks stay in the raw text (Dataview fields are read per line); [`clean`]
    /// collapses them.
    fn line_break(&mut self) {
        if let Some((_, h)) = self.heading.as_mut() {
            h.push(' ');
            return;
        }
        self.settle_probe();
        if let Some(buf) = self.buffer() {
            buf.push('\n');
        }
    }
}

/// At most this many bytes of parent-item text are kept as a passage's context. Without a
/// cap, a deeply nested list makes every item carry all its ancestors, so a 2 MB file of
/// 1,000 nested 1 KB bullets would grow to 500 MB of context; the nearest parents are the
/// ones that say what an item is about.
pub const MAX_CONTEXT_BYTES: usize = 2048;

/// Context from the texts around a passage, nearest first: the nearest non-empty ones that
/// fit in [`MAX_CONTEXT_BYTES`] (the nearest is cut to fit), outermost first, joined with ` › `.
/// Texts are produced lazily, so a deep nest costs only what fits.
fn bounded_context(nearest_first: impl Iterator<Item = String>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut len = 0;
    for mut text in nearest_first {
        if text.is_empty() {
            continue;
        }
        if len + text.len() > MAX_CONTEXT_BYTES {
            if parts.is_empty() {
                let mut cut = MAX_CONTEXT_BYTES;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                parts.push(text);
            }
            break;
        }
        len += text.len() + " › ".len();
        parts.push(text);
    }
    parts.reverse();
    parts.join(" › ")
}

/// Transcript exports repeat the front matter in the body as `**Date**: …` lines and end
/// with `*Source: [[…]]*`. Such a paragraph is metadata, not something anyone searches for,
/// and as a passage it matches every query about dates, accounts or people; it is dropped.
fn is_metadata_block(raw: &str) -> bool {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .all(|line| {
            let bold_label = line.starts_with("**")
                && line[2..].find("**").is_some_and(|end| {
                    let label = &line[2..2 + end];
                    !label.is_empty()
                        && label.len() <= 40
                        && (label.ends_with(':') || line[2 + end + 2..].starts_with(':'))
                });
            let source =
                line.trim_start_matches(['*', '_']).starts_with("Source:") && line.contains("[[");
            bold_label || source
        })
}

/// The task metadata of an action (none for other kinds: an `@name` in a fact is a mention).
fn task_info(kind: Kind, task: Option<char>, text: &str) -> TaskInfo {
    if kind == Kind::Action {
        task::parse(task, text)
    } else {
        TaskInfo::default()
    }
}

/// A line of nothing but `#tags` (`#meeting #customer`): bookkeeping, not a passage.
fn is_tag_only(text: &str) -> bool {
    text.split_whitespace()
        .all(|w| w.starts_with('#') && inline_tags(w).len() == 1)
}

/// Inline tags as the index stores them (lowercase, deduplicated, sorted).
fn normalised(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = tags
        .iter()
        .filter_map(|t| super::normalise_tag(t))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A task line starts with `[c] ` where `c` is one character: `[ ]`, `[x]`, `[?]`, `[/]`…
fn split_task(text: &str) -> (Option<char>, &str) {
    let t = text.trim_start();
    let mut chars = t.chars();
    if let (Some('['), Some(c), Some(']')) = (chars.next(), chars.next(), chars.next()) {
        let rest = chars.as_str();
        if rest.is_empty() || rest.starts_with(char::is_whitespace) {
            return (Some(c), rest);
        }
    }
    (None, text)
}

fn item_kind(task: Option<char>, section: &[String]) -> Kind {
    if task.is_some() {
        return Kind::Action;
    }
    for heading in section.iter().rev() {
        let h = heading.to_lowercase();
        if h.contains("action item")
            || h.contains("next step")
            || h == "todo"
            || h == "to do"
            || h == "tasks"
        {
            return Kind::Action;
        }
        if h.contains("decision") {
            return Kind::Decision;
        }
    }
    Kind::Fact
}

/// Renders text as Obsidian shows it ([`obsidian::render`]: embeds out, into `embeds`; wiki
/// links as their text; highlights, footnote references and stray callout markers gone) and
/// collapses whitespace.
pub fn clean(raw: &str, embeds: &mut Vec<String>) -> String {
    let out = obsidian::render(raw, embeds);
    let mut collapsed = String::with_capacity(out.len());
    for word in out.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    collapsed
}

/// Wiki link and embed targets in raw text (`[[Target|alias]]` → `Target`, `[[Page#Heading]]`
/// → `Page`, `![[Note#^id]]` → `Note`); attachments (`![[image.png]]`) are not notes and are
/// left out.
pub fn wikilink_targets(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some(open) = rest.find("[[") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("]]") else { break };
        let target = obsidian::link_target(&after[..close]);
        if !target.is_empty() && !target.contains('\n') && !obsidian::is_attachment(target) {
            out.push(target.to_string());
        }
        rest = &after[close + 2..];
    }
    out
}

/// Inline tags: `#word` or `#a/b` after whitespace or at the start; not all digits.
pub fn inline_tags(text: &str) -> Vec<String> {
    let mut tags = Vec::new();
    let mut prev: Option<char> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c == '#' && prev.is_none_or(|p| p.is_whitespace() || p == '(') {
            let start = i + 1;
            let mut end = start;
            while let Some(&(j, d)) = iter.peek() {
                if d.is_alphanumeric() || matches!(d, '_' | '-' | '/') {
                    end = j + d.len_utf8();
                    iter.next();
                } else {
                    break;
                }
            }
            let tag = text[start..end].trim_end_matches('/');
            if !tag.is_empty()
                && !tag
                    .chars()
                    .all(|d| d.is_ascii_digit() || d == '/' || d == '-')
            {
                tags.push(tag.to_string());
            }
            prev = text[..end].chars().next_back();
            continue;
        }
        prev = Some(c);
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_blocks() {
        assert!(is_metadata_block(
            "**Date**: 2025-11-12\n**Account**: [[]]\n**Attendees**: "
        ));
        assert!(is_metadata_block("**Date:** 2025-11-12"));
        assert!(is_metadata_block(
            "*Source: [[2025-11-12 - Announcements]]*"
        ));
        assert!(!is_metadata_block(
            "**Date**: 2025-11-12\nWe agreed to ship."
        ));
        assert!(!is_metadata_block("**Bold** statement: not metadata"));
        assert!(!is_metadata_block("Source code lives in the repo"));
    }

    #[test]
    fn tags() {
        assert_eq!(
            inline_tags("do it #task #proposed #auto"),
            vec!["task", "proposed", "auto"]
        );
        assert_eq!(
            inline_tags("#competitor/ddn, issue #42 and a#b"),
            vec!["competitor/ddn"]
        );
        assert_eq!(inline_tags("(#Nested/Tag/)"), vec!["Nested/Tag"]);
    }

    #[test]
    fn links() {
        assert_eq!(
            clean("see [[DDN]] and [[CoreWeave|CW]]  now", &mut Vec::new()),
            "see DDN and CW now"
        );
        assert_eq!(
            clean("empty [[]] and [[open", &mut Vec::new()),
            "empty and [[open"
        );
        assert_eq!(
            wikilink_targets("[[DDN#Pricing|price]] [[ X ]]"),
            vec!["DDN", "X"]
        );
    }

    #[test]
    #[allow(clippy::type_complexity)]
    fn passages_with_lines_sections_and_kinds() {
        let text = "# Title\n\nIntro para\nwraps here.\n\n## Action Items\n\n- [?] Do the thing #task\n- [x] Done one\n\n## Decisions\n\n- We go with A\n  - because B\n\n## Key Information\n\n- Fact one\n\n| a | b |\n|---|---|\n| x | y |\n\n```\n- not a passage\n```\n";
        let body = parse_body(text, 0);
        let got: Vec<(Kind, Option<char>, &str, u32, u32, String, &str)> = body
            .passages
            .iter()
            .map(|p| {
                (
                    p.kind,
                    p.task,
                    p.text.as_str(),
                    p.line_start,
                    p.line_end,
                    p.section.join("/"),
                    p.context.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    Kind::Paragraph,
                    None,
                    "Intro para wraps here.",
                    3,
                    4,
                    "Title".into(),
                    ""
                ),
                (
                    Kind::Action,
                    Some('?'),
                    "Do the thing #task",
                    8,
                    8,
                    "Title/Action Items".into(),
                    ""
                ),
                (
                    Kind::Action,
                    Some('x'),
                    "Done one",
                    9,
                    9,
                    "Title/Action Items".into(),
                    ""
                ),
                (
                    Kind::Decision,
                    None,
                    "We go with A",
                    13,
                    13,
                    "Title/Decisions".into(),
                    ""
                ),
                (
                    Kind::Decision,
                    None,
                    "because B",
                    14,
                    14,
                    "Title/Decisions".into(),
                    "We go with A"
                ),
                (
                    Kind::Fact,
                    None,
                    "Fact one",
                    18,
                    18,
                    "Title/Key Information".into(),
                    ""
                ),
                (
                    Kind::Row,
                    None,
                    "a: x · b: y",
                    22,
                    22,
                    "Title/Key Information".into(),
                    ""
                ),
            ]
        );
        assert_eq!(body.first_h1.as_deref(), Some("Title"));
        assert_eq!(body.tags, vec!["task"]);
    }

    #[test]
    fn tag_only_lines_are_not_passages_but_their_tags_count() {
        let text = "#meeting #customer\n\n- #todo\n- real #item\n\n#42 is an issue number\n";
        let body = parse_body(text, 0);
        let texts: Vec<&str> = body.passages.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, vec!["real #item", "#42 is an issue number"]);
        assert_eq!(body.passages[0].tags, vec!["item"]);
        assert_eq!(body.tags, vec!["meeting", "customer", "todo", "item"]);
    }

    #[test]
    fn actions_carry_task_metadata_and_facts_do_not() {
        let text = "## Action Items\n\n- [x] ship it @Dana ✅ 2025-06-02 #Task\n- call @Lee 📅 2025-07-01\n\n## Notes\n\n- met @Kim 📅 2025-07-01\n";
        let body = parse_body(text, 0);
        let info: Vec<_> = body.passages.iter().map(|p| &p.task_info).collect();
        assert_eq!(info[0].status.as_deref(), Some("done"));
        assert_eq!(info[0].owner.as_deref(), Some("Dana"));
        assert_eq!(
            info[0].done.map(|d| d.to_string()).as_deref(),
            Some("2025-06-02")
        );
        assert_eq!(body.passages[0].tags, vec!["task"]);
        assert_eq!(
            info[1].status, None,
            "an action without a checkbox has no status"
        );
        assert_eq!(info[1].owner.as_deref(), Some("Lee"));
        assert!(info[2].is_empty(), "{:?}", info[2]);
    }

    #[test]
    fn table_rows_are_passages_under_their_heading() {
        let text = "# T\n\n## Renewals\n\n| Account | Risk | Notes |\n|---|:-:|---|\n| [[Acme Bank]] | High | `bidding` on price #risk |\n|  |  |  |\n| Globex | Low | |\n\n```\n| a | b |\n|---|---|\n| in | code |\n```\n";
        let body = parse_body(text, 0);
        let got: Vec<(Kind, &str, u32, String, Vec<String>)> = body
            .passages
            .iter()
            .map(|p| {
                (
                    p.kind,
                    p.text.as_str(),
                    p.line_start,
                    p.section.join("/"),
                    p.links.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    Kind::Row,
                    "Account: Acme Bank · Risk: High · Notes: bidding on price #risk",
                    7,
                    "T/Renewals".into(),
                    vec!["Acme Bank".to_string()]
                ),
                (
                    Kind::Row,
                    "Account: Globex · Risk: Low",
                    9,
                    "T/Renewals".into(),
                    vec![]
                ),
            ]
        );
        assert_eq!(body.passages[0].tags, vec!["risk"]);
        assert_eq!(body.tags, vec!["risk"]);
    }

    #[test]
    fn deep_nesting_keeps_context_bounded() {
        // 300 levels of 1 KB bullets: uncapped, the innermost items would carry ~300 KB of
        // context each (45 MB in all).
        let long = "word ".repeat(200);
        let mut text = String::new();
        for depth in 0..300 {
            text.push_str(&"  ".repeat(depth));
            text.push_str(&format!("- level{depth} {long}\n"));
        }
        let body = parse_body(&text, 0);
        assert_eq!(body.passages.len(), 300);
        let deepest = body.passages.last().unwrap();
        assert!(
            deepest.context.len() <= MAX_CONTEXT_BYTES,
            "{}",
            deepest.context.len()
        );
        assert!(
            deepest.context.ends_with(long.trim()),
            "nearest parent kept"
        );
        assert!(
            deepest.context.starts_with("level297"),
            "{}",
            &deepest.context[..20]
        );
        // Nesting 5,000 deep on one line: one passage, no context, no blow-up.
        let body = parse_body(&format!("{}deepest\n", "- ".repeat(5000)), 0);
        assert_eq!(body.passages.len(), 1);
        assert_eq!(body.passages[0].context, "");
        // A parent longer than the cap is cut to fit, at a character boundary.
        let body = parse_body(&format!("- {}\n  - child\n", "é".repeat(3000)), 0);
        assert_eq!(body.passages[1].context.len(), MAX_CONTEXT_BYTES);
    }

    /// (text, context, line_start, anchor) of every passage.
    fn walk(text: &str) -> Vec<(String, String, u32, Option<String>)> {
        parse_body(text, 0)
            .passages
            .into_iter()
            .map(|p| (p.text, p.context, p.line_start, p.anchor))
            .collect()
    }

    fn row(
        text: &str,
        context: &str,
        line: u32,
        anchor: Option<&str>,
    ) -> (String, String, u32, Option<String>) {
        (
            text.into(),
            context.into(),
            line,
            anchor.map(str::to_string),
        )
    }

    #[test]
    fn callout_titles_are_context_and_markers_are_gone() {
        let text = "> [!warning] Avoid loops\n> Body one ^w1\n> Body two\n\n> [!tip]\n> - item\n>   - child\n\n> [!question]- Nested?\n> > [!todo] Yes.\n> > > [!example] Deepest title only.\n\n> [!note] Alone\n\n> plain quote\n\n- > [!info] In a list\n  > quoted body\n";
        assert_eq!(
            walk(text),
            vec![
                row("Body one ^w1 Body two", "Avoid loops", 2, None),
                row("item", "Tip", 6, None),
                row("child", "Tip › item", 7, None),
                row("Deepest title only.", "Nested? › Yes.", 11, None),
                row("Alone", "", 13, None),
                row("plain quote", "", 15, None),
                row("quoted body", "In a list", 17, None),
            ]
        );
        // A block id ends the passage; mid-text `^w1` followed by more text is text.
        assert_eq!(
            walk("> [!warning] T\n> Body ^w1\n")[0].3.as_deref(),
            Some("w1")
        );
    }

    #[test]
    fn block_ids_on_their_own_line_name_the_block_before() {
        let text = "Para one. ^p1\n\n- a\n- b\n  - c\n\n^list\n\n```\ncode\n```\n\n^after-code\n\n> quoted\n\n^q\n\n## Heading ^h\n\nlast\n^own-line-in-para\n";
        let got = walk(text);
        let anchors: Vec<(&str, Option<&str>)> = got
            .iter()
            .map(|(t, _, _, a)| (t.as_str(), a.as_deref()))
            .collect();
        assert_eq!(
            anchors,
            vec![
                ("Para one.", Some("p1")),
                ("a", Some("list")),
                ("b", Some("list")),
                ("c", Some("list")),
                ("quoted", Some("q")),
                ("last", Some("own-line-in-para")),
            ]
        );
        let body = parse_body(text, 0);
        assert_eq!(body.passages[5].section, vec!["Heading"]);
    }

    #[test]
    fn embeds_comments_footnotes_html_and_math() {
        let text = "![[Note#^b1]]\n\n![[icon.svg#icon]] View menu ![alt text](pics/x.png)\n\nKeep %%hidden%% this[^1] and ==marked== <b>bold</b> $a_1 * b_2$.\n\n%%\nblock comment\n\nstill hidden\n%%\n\nAfter.\n\n[^1]: The footnote.\n";
        let body = parse_body(text, 0);
        let texts: Vec<(&str, u32)> = body
            .passages
            .iter()
            .map(|p| (p.text.as_str(), p.line_start))
            .collect();
        assert_eq!(
            texts,
            vec![
                ("View menu", 3),
                ("Keep this and marked bold $a_1 * b_2$.", 5),
                ("After.", 13),
                ("The footnote.", 15),
            ]
        );
        let mut embeds = body.embeds.clone();
        embeds.sort();
        assert_eq!(embeds, vec!["Note", "icon.svg", "pics/x.png"]);
        assert_eq!(body.links, vec!["Note"], "attachments are not links");
    }

    #[test]
    fn dataview_fields_stay_in_text_and_are_read_per_line() {
        let body = parse_body(
            "Status:: Active\nOwner:: [[Dana Kim]]\n\n- [ ] ship it [due:: 2025-10-03]\n",
            0,
        );
        assert_eq!(body.passages[0].text, "Status:: Active Owner:: Dana Kim");
        assert_eq!(
            body.passages[0].fields,
            vec![
                ("status".to_string(), "active".to_string()),
                ("owner".into(), "dana kim".into())
            ]
        );
        assert_eq!(body.passages[1].task, Some(' '));
        assert_eq!(
            body.passages[1].fields,
            vec![("due".to_string(), "2025-10-03".to_string())]
        );
    }

    #[test]
    fn body_offset_counts_lines_from_file_start() {
        let text = "---\na: 1\n---\n- item\n";
        let body = parse_body(text, 13);
        assert_eq!(body.passages[0].line_start, 4);
    }
}
