//! Printers for `quarry claims`, over `io::Write`: a human timeline and JSON Lines.
//!
//! ```text
//! 2025-02-04  Hammerspace claimed 400 GB/s aggregate read throughput across the Tier 0 …
//!             Acme Robotics storage call · Calls/2025-02-04 - Acme Robotics storage call.md:15
//!             also in 2 notes: 2025-03-10  Competitors/Hammerspace.md:20
//!                              2025-04-15  Calls/2025-04-15 - Acme Robotics QBR recap.md:15
//! ```

use super::{highlight, Style};
use crate::claims::{Entry, Known};
use crate::search::Hit;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// The JSON object printed per entry (`quarry claims ENTITY --json`). Field names are a
/// public contract.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JsonEntry {
    /// Note date of the earliest passage, `YYYY-MM-DD`, or null when undated.
    pub date: Option<String>,
    /// Its note path, relative to the indexed root.
    pub path: String,
    /// Its first line, 1-based.
    pub line: u64,
    /// Its note title.
    pub title: String,
    /// fact, action, decision or paragraph.
    pub kind: String,
    /// Its text.
    pub text: String,
    /// The same claim in other notes, oldest first.
    pub also: Vec<JsonSeen>,
}

/// One `also` item.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JsonSeen {
    /// Note date or null.
    pub date: Option<String>,
    /// Note path.
    pub path: String,
    /// First line, 1-based.
    pub line: u64,
}

impl From<&Entry> for JsonEntry {
    fn from(e: &Entry) -> Self {
        JsonEntry {
            date: e.head.date.clone(),
            path: e.head.path.clone(),
            line: e.head.line,
            title: e.head.title.clone(),
            kind: e.head.kind.clone(),
            text: e.head.text.clone(),
            also: e
                .also
                .iter()
                .map(|h| JsonSeen {
                    date: h.date.clone(),
                    path: h.path.clone(),
                    line: h.line,
                })
                .collect(),
        }
    }
}

/// Writes one entry as a JSON line.
pub fn write_json(out: &mut dyn Write, entry: &Entry) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &JsonEntry::from(entry))?;
    out.write_all(b"\n")
}

/// Prints entries for people.
pub struct Timeline {
    /// Colours.
    pub style: Style,
    /// Stemmed entity names to highlight.
    pub terms: Vec<String>,
    /// Make each `path:line` a terminal hyperlink to its hit's `uri`.
    pub hyperlinks: bool,
}

const INDENT: &str = "            ";

impl Timeline {
    /// Writes one entry (a blank line before every entry but the first).
    pub fn write_entry(&self, out: &mut dyn Write, e: &Entry, first: bool) -> io::Result<()> {
        let s = &self.style;
        if !first {
            writeln!(out)?;
        }
        let h = &e.head;
        let marker = super::marker(h);
        writeln!(
            out,
            "{}  {marker}{}",
            s.paint("36", &date_col(h)),
            self.highlight(&h.text)
        )?;
        writeln!(
            out,
            "{INDENT}{} · {}",
            s.paint("1", &h.title),
            self.location(h)
        )?;
        if let Some((first_also, rest)) = e.also.split_first() {
            let n = e.also.len();
            let lead = format!("also in {n} note{}: ", if n == 1 { "" } else { "s" });
            let pad = " ".repeat(lead.chars().count());
            writeln!(
                out,
                "{INDENT}{}{}  {}",
                s.paint("2", &lead),
                s.paint("36", &date_col(first_also)),
                self.location(first_also)
            )?;
            for h in rest {
                writeln!(
                    out,
                    "{INDENT}{pad}{}  {}",
                    s.paint("36", &date_col(h)),
                    self.location(h)
                )?;
            }
        }
        Ok(())
    }

    fn highlight(&self, text: &str) -> String {
        highlight::paint(&self.style, text, &self.terms, &[])
    }

    fn location(&self, h: &Hit) -> String {
        let place = location(&self.style, h);
        super::hyperlink::wrap(self.hyperlinks, h.uri.as_deref(), &place)
    }
}

/// The date column, 10 wide: `2025-02-04` or `undated   `.
fn date_col(h: &Hit) -> String {
    format!("{:<10}", h.date.as_deref().unwrap_or("undated"))
}

fn location(s: &Style, h: &Hit) -> String {
    format!(
        "{}:{}",
        s.paint("35", &h.path),
        s.paint("32", &h.line.to_string())
    )
}

/// Writes the entity list: passages, name, where it was found.
pub fn write_known(out: &mut dyn Write, style: &Style, known: &[Known]) -> io::Result<()> {
    let width = known
        .iter()
        .map(|k| k.passages.to_string().len())
        .max()
        .unwrap_or(1);
    for k in known {
        writeln!(
            out,
            "{:>width$}  {}  {}",
            k.passages,
            style.paint("1", &k.name),
            style.paint("2", &format!("({})", k.sources.join(", ")))
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(date: Option<&str>, path: &str, line: u64, text: &str) -> Hit {
        Hit {
            path: path.into(),
            line,
            line_end: line,
            title: "T".into(),
            date: date.map(str::to_string),
            account: None,
            tags: Vec::new(),
            section: String::new(),
            kind: "fact".into(),
            task: None,
            text: text.into(),
            score: 0.0,
            anchor: None,
            uri: None,
            explain: None,
            root_pos: 0,
            pid: 0,
        }
    }

    #[test]
    fn human_entry_lists_where_else() {
        let e = Entry {
            head: hit(Some("2025-02-04"), "a.md", 15, "X claimed 400 GB/s."),
            also: vec![
                hit(Some("2025-03-10"), "b.md", 20, ""),
                hit(None, "c.md", 3, ""),
            ],
        };
        let printer = Timeline {
            hyperlinks: false,
            style: Style { color: false },
            terms: Vec::new(),
        };
        let mut out = Vec::new();
        printer.write_entry(&mut out, &e, true).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "2025-02-04  X claimed 400 GB/s.\n\
             \x20           T · a.md:15\n\
             \x20           also in 2 notes: 2025-03-10  b.md:20\n\
             \x20                            undated     c.md:3\n"
        );
        let json: JsonEntry = serde_json::from_slice(&{
            let mut v = Vec::new();
            write_json(&mut v, &e).unwrap();
            v
        })
        .unwrap();
        assert_eq!(json.also.len(), 2);
        assert_eq!(json.also[1].date, None);
    }
}
