//! The human printer. By default (and when stdout is not a terminal) one block per hit:
//!
//! ```text
//! Microsoft capacity scramble · 2025-11-05 · Key Information
//! notes/Customers/2025-11-05 - Microsoft capacity scramble.md:37
//!     Microsoft is scrambling for near-term GPU capacity, …
//! ```
//!
//! Grouped (`--heading`, the default on a terminal, like ripgrep's): each note once, with its
//! title, date and path, then its hits in line order under their sections, `line: passage`:
//!
//! ```text
//! Microsoft capacity scramble · 2025-11-05
//! notes/Customers/2025-11-05 - Microsoft capacity scramble.md
//!   # Key Information
//!   37: Microsoft is scrambling for near-term GPU capacity, pulling in self-build, leases,
//!       and neocloud providers at the same time.
//! ```
//!
//! Notes come in the order of their best hit. Passages wrap to the width with a hanging
//! indent; a date already in the title is not repeated, nor a heading that only repeats the
//! title or the date. With context (`-A/-B/-C`), the note's own lines around a hit are
//! printed as `36- line` (as `rg -C`), and `--` separates runs that do not touch.

use super::context::NoteLines;
use super::wrap::{width, wrap_ranges};
use super::{highlight, shown_path, Style};
use crate::search::Hit;
use std::io::Write;
use std::path::PathBuf;

/// Prints hits for people.
#[derive(Debug, Clone, Default)]
pub struct Human {
    /// Colours.
    pub style: Style,
    /// Stemmed query terms to highlight.
    pub terms: Vec<String>,
    /// Query prefixes to highlight.
    pub prefixes: Vec<String>,
    /// Show ranking details.
    pub explain: bool,
    /// Wrap passages to this many columns (`None`: no wrapping).
    pub width: Option<usize>,
    /// One heading per note, then its hits.
    pub group: bool,
    /// Lines of the note to show before each hit.
    pub before: usize,
    /// Lines of the note to show after each hit.
    pub after: usize,
    /// The working folder: paths are shown relative to it when they lie below it.
    pub cwd: Option<PathBuf>,
    /// Show absolute paths.
    pub absolute: bool,
    /// Make each hit's `path:line` (grouped: the note's path and each line number) a
    /// terminal hyperlink to its `uri` ([`super::hyperlink`]).
    pub hyperlinks: bool,
}

impl Human {
    /// Writes every hit, grouped by note or one block each.
    pub fn write(&self, out: &mut dyn Write, hits: &[Hit]) -> std::io::Result<()> {
        let mut lines = NoteLines::default();
        if self.group {
            let mut notes: Vec<(&str, Vec<&Hit>)> = Vec::new();
            for h in hits {
                match notes.iter_mut().find(|(p, _)| *p == h.abs_path) {
                    Some((_, group)) => group.push(h),
                    None => notes.push((h.abs_path.as_str(), vec![h])),
                }
            }
            for (i, (_, mut group)) in notes.into_iter().enumerate() {
                group.sort_by_key(|h| (h.line, h.line_end));
                if i > 0 {
                    writeln!(out)?;
                }
                self.write_note(out, &group, &mut lines)?;
            }
        } else {
            for (i, h) in hits.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                self.write_block(out, h, &mut lines)?;
            }
        }
        Ok(())
    }

    /// One note's heading and its hits (in line order).
    fn write_note(
        &self,
        out: &mut dyn Write,
        hits: &[&Hit],
        lines: &mut NoteLines,
    ) -> std::io::Result<()> {
        let s = &self.style;
        let Some(first) = hits.first() else {
            return Ok(());
        };
        let (title, date, _) = head(first);
        writeln!(out, "{}", self.title_line(&title, date, ""))?;
        let path = s.paint("35", &self.path(first));
        writeln!(out, "{}", self.link(first, &path))?;
        let mut section: Option<String> = None;
        let mut printed = 0u64; // last line of the note printed
        for (i, h) in hits.iter().enumerate() {
            let next = hits.get(i + 1).map(|n| n.line);
            let (_, _, sec) = head(h);
            if section.as_deref() != Some(sec.as_str()) {
                if self.gap(h, printed) {
                    writeln!(out, "  {}", s.paint("2", "--"))?;
                    printed = 0; // the separator is out; the context below starts afresh
                }
                if !sec.is_empty() {
                    writeln!(out, "  {}", s.paint("2", &format!("# {sec}")))?;
                }
                section = Some(sec);
            }
            self.write_with_context(out, h, "  ", &mut printed, next, lines)?;
        }
        Ok(())
    }

    /// One hit as a block: title · date · section, path:line, the passage.
    fn write_block(
        &self,
        out: &mut dyn Write,
        hit: &Hit,
        lines: &mut NoteLines,
    ) -> std::io::Result<()> {
        let s = &self.style;
        let (title, date, section) = head(hit);
        writeln!(out, "{}", self.title_line(&title, date, &section))?;
        let place = format!(
            "{}:{}",
            s.paint("35", &self.path(hit)),
            s.paint("32", &hit.line.to_string())
        );
        writeln!(out, "{}", self.link(hit, &place))?;
        if self.before == 0 && self.after == 0 {
            let text = format!("{}{}", super::marker(hit), hit.text);
            self.write_wrapped(out, "    ", "    ", &text)?;
            return self.write_explain(out, hit, "    ");
        }
        self.write_with_context(out, hit, "    ", &mut 0, None, lines)
    }

    /// `line: passage` (wrapped), with the note's lines around it when asked for; lines up
    /// to `printed` were printed already (hits of one note share their context), and the
    /// context after stops before the `next` hit's line.
    fn write_with_context(
        &self,
        out: &mut dyn Write,
        hit: &Hit,
        indent: &str,
        printed: &mut u64,
        next: Option<u64>,
        lines: &mut NoteLines,
    ) -> std::io::Result<()> {
        let s = &self.style;
        let from = hit.line.saturating_sub(self.before as u64).max(1);
        if self.gap(hit, *printed) {
            writeln!(out, "{indent}{}", s.paint("2", "--"))?;
        }
        for n in from.max(*printed + 1)..hit.line {
            self.write_context_line(out, indent, hit, n, lines)?;
        }
        let number = hit.line.to_string();
        let first = format!("{indent}{}: ", self.link(hit, &s.paint("32", &number)));
        let hang = format!("{indent}{}", " ".repeat(number.len() + 2));
        let text = format!("{}{}", super::marker(hit), hit.text);
        self.write_wrapped(out, &first, &hang, &text)?;
        self.write_explain(out, hit, &hang)?;
        *printed = (*printed).max(hit.line_end);
        if self.after > 0 {
            let last = (hit.line_end + self.after as u64)
                .min(lines.count(&hit.abs_path))
                .min(next.map_or(u64::MAX, |n| n.saturating_sub(1)));
            for n in (hit.line_end + 1).max(*printed + 1)..=last {
                self.write_context_line(out, indent, hit, n, lines)?;
            }
            *printed = (*printed).max(last);
        }
        Ok(())
    }

    /// Whether context is shown and this hit's lines do not join those printed before.
    fn gap(&self, hit: &Hit, printed: u64) -> bool {
        let from = hit.line.saturating_sub(self.before as u64).max(1);
        (self.before > 0 || self.after > 0) && printed > 0 && from > printed + 1
    }

    fn write_context_line(
        &self,
        out: &mut dyn Write,
        indent: &str,
        hit: &Hit,
        n: u64,
        lines: &mut NoteLines,
    ) -> std::io::Result<()> {
        let Some(raw) = lines.line(&hit.abs_path, n) else {
            return Ok(());
        };
        let number = n.to_string();
        let first = format!("{indent}{}- ", self.style.paint("32", &number));
        let hang = format!("{indent}{}", " ".repeat(number.len() + 2));
        let raw = raw.to_string();
        self.write_wrapped(out, &first, &hang, &raw)
    }

    /// `text` after `first` (whose visible width counts), continuation lines after `hang`,
    /// wrapped to the width, matched words highlighted.
    fn write_wrapped(
        &self,
        out: &mut dyn Write,
        first: &str,
        hang: &str,
        text: &str,
    ) -> std::io::Result<()> {
        let Some(total) = self.width else {
            let line = format!("{first}{}", self.highlight(text));
            return writeln!(out, "{}", line.trim_end());
        };
        let room = total.saturating_sub(width(hang)).max(20);
        let ranges = wrap_ranges(text, room);
        if ranges.is_empty() {
            return writeln!(out, "{}", first.trim_end());
        }
        for (i, r) in ranges.into_iter().enumerate() {
            let lead = if i == 0 { first } else { hang };
            writeln!(out, "{lead}{}", self.highlight(&text[r]))?;
        }
        Ok(())
    }

    fn write_explain(&self, out: &mut dyn Write, hit: &Hit, indent: &str) -> std::io::Result<()> {
        if !self.explain {
            return Ok(());
        }
        let Some(e) = &hit.explain else {
            return Ok(());
        };
        let mut parts = Vec::new();
        match (e.lexical_rank, e.lexical_score) {
            (Some(r), Some(sc)) => parts.push(format!("lexical #{r} (bm25 {sc:.3})")),
            _ => parts.push("lexical —".to_string()),
        }
        match (e.semantic_rank, e.similarity) {
            (Some(r), Some(sim)) => parts.push(format!("semantic #{r} (cosine {sim:.3})")),
            (None, Some(sim)) => parts.push(format!("semantic — (cosine {sim:.3})")),
            _ => parts.push("semantic —".to_string()),
        }
        if let Some(f) = e.fused {
            parts.push(format!("fused {f:.4}"));
        }
        writeln!(out, "{indent}{}", self.style.paint("2", &parts.join(" · ")))
    }

    fn title_line(&self, title: &str, date: Option<&str>, section: &str) -> String {
        let s = &self.style;
        let mut line = s.paint("1", title);
        if let Some(d) = date {
            line.push_str(" · ");
            line.push_str(&s.paint("36", d));
        }
        if !section.is_empty() {
            line.push_str(" · ");
            line.push_str(section);
        }
        line
    }

    fn path(&self, hit: &Hit) -> String {
        if hit.abs_path.is_empty() {
            return hit.path.clone();
        }
        shown_path(&hit.abs_path, self.cwd.as_deref(), self.absolute)
    }

    fn highlight(&self, text: &str) -> String {
        highlight::paint(&self.style, text, &self.terms, &self.prefixes)
    }

    /// `text` as a hyperlink to the hit's `uri`, when links are on.
    fn link(&self, hit: &Hit, text: &str) -> String {
        super::hyperlink::wrap(self.hyperlinks, hit.uri.as_deref(), text)
    }
}

/// The title, the date to show beside it, and the section path, without repeats: no date
/// when the title holds it (`undated` when there is none), and no heading that only repeats
/// the title or the date (a daily note `2025-10-03` with `# 2025-10-03` shows the date once).
fn head(hit: &Hit) -> (String, Option<&str>, String) {
    let date = hit.date.as_deref();
    let shown_date = match date {
        Some(d) if hit.title.contains(d) => None,
        Some(d) => Some(d),
        None => Some("undated"),
    };
    let section: Vec<&str> = hit
        .section
        .split(" > ")
        .filter(|h| !h.is_empty())
        .filter(|h| *h != hit.title && date.is_none_or(|d| h.trim() != d))
        .collect();
    (hit.title.clone(), shown_date, section.join(" > "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(title: &str, date: Option<&str>, section: &str, line: u64, text: &str) -> Hit {
        Hit {
            path: "Daily/x.md".into(),
            abs_path: "/v/Daily/x.md".into(),
            title: title.into(),
            date: date.map(str::to_string),
            section: section.into(),
            line,
            line_end: line,
            kind: "fact".into(),
            text: text.into(),
            ..Hit::default()
        }
    }

    #[test]
    fn a_date_is_shown_once() {
        let d = Some("2025-10-03");
        assert_eq!(head(&hit("2025-10-03", d, "Notes", 1, "")).1, None);
        assert_eq!(
            head(&hit("Daily", d, "2025-10-03 > Notes", 1, "")),
            ("Daily".into(), d, "Notes".into())
        );
        assert_eq!(head(&hit("T", None, "", 1, "")).1, Some("undated"));
    }

    #[test]
    fn grouped_and_wrapped() {
        let p = Human {
            width: Some(40),
            group: true,
            cwd: Some("/v".into()),
            ..Human::default()
        };
        let hits = [
            hit("Sync", Some("2025-01-02"), "Notes", 9, "a second hit"),
            hit(
                "Sync",
                Some("2025-01-02"),
                "Notes",
                3,
                "a long passage that wraps onto a second line with a hanging indent",
            ),
        ];
        let mut out = Vec::new();
        p.write(&mut out, &hits).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Sync · 2025-01-02\nDaily/x.md\n  # Notes\n  3: a long passage that wraps onto a\n     second line with a hanging indent\n  9: a second hit\n"
        );
    }
}
