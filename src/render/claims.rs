//! Printers for `quarry claims`, over `io::Write`: threads for people, JSON Lines, and a
//! Markdown brief for a battlecard.
//!
//! ```text
//! Hammerspace · throughput · sustained read tier 0
//!   2025-02-04  Hammerspace claimed 400 GB/s aggregate read throughput across the Tier 0 …
//!               Acme Robotics storage call · Calls/2025-02-04 - Acme Robotics storage call.md:15
//!               also in 2 notes: 2025-03-10  Competitors/Hammerspace.md:20
//!                                2025-04-15  Calls/2025-04-15 - Acme Robotics QBR recap.md:15
//!
//!   2025-06-02  Hammerspace now says 310 GB/s sustained read throughput on the Tier 0 pool …
//!               latest · 400 GB/s → 310 GB/s, down, 4 months later
//!               Acme Robotics retest results · Calls/2025-06-02 - Acme Robotics retest results.md:15
//! ```

use super::{highlight, Style};
use crate::claims::{Change, Claim, Direction, Entry, Known, Thread, Timeline};
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// The JSON object printed per entry (`quarry claims ENTITY --json`; the MCP `claims` tool
/// returns the same objects). Field names are a public contract (README, "Claims").
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct JsonEntry {
    /// The claim's own date: `YYYY-MM-DD`, `YYYY-MM` or `YYYY-Qn`; null when undated.
    pub date: Option<String>,
    /// Its note's date, `YYYY-MM-DD`, or null.
    pub note_date: Option<String>,
    /// Its note path, relative to the indexed root.
    pub path: String,
    /// Its first line, 1-based.
    pub line: u64,
    /// Its note title.
    pub title: String,
    /// The note's `participants`.
    pub participants: Vec<String>,
    /// The note's `source`, or null.
    pub source: Option<String>,
    /// Its heading path, ` > `-joined.
    pub section: String,
    /// fact, action, decision or paragraph.
    pub kind: String,
    /// Its text.
    pub text: String,
    /// The quantities it states.
    pub quantities: Vec<JsonQuantity>,
    /// Its thread: `ENTITY · dimension[ · aspects]`, or `ENTITY · statements`.
    pub thread: String,
    /// The newest claim of its thread.
    pub latest: bool,
    /// How it differs from the claim before it in its thread.
    pub change: Option<JsonChange>,
    /// The same claim in other passages, oldest first.
    pub also: Vec<JsonSeen>,
    /// With `--explain`: why it is dated, threaded, kept apart and folded as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<Vec<String>>,
}

/// One quantity of an entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct JsonQuantity {
    /// As written, approximation word included (`over 2 TB/s`).
    pub text: String,
    /// Value in the base unit (the low end of a range).
    pub value: f64,
    /// The high end of a range, or null.
    pub high: Option<f64>,
    /// Base unit (`GB/s`, `TB`, `USD/GB-month`, `GPU`).
    pub unit: String,
    /// `throughput`, `iops`, `capacity`, `power`, `unit_price`, `money`, `percent`,
    /// `latency`, `duration`, `ratio` or `count`.
    pub dimension: String,
    /// `about`, `over`, `up to`, `under`, `several`, or null.
    pub qualifier: Option<String>,
    /// Byte offsets of `text` in the entry's `text`.
    pub span: [usize; 2],
}

/// How an entry differs from the one before it in its thread.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct JsonChange {
    /// The earlier claim's quantity, as written.
    pub from: String,
    /// The earlier claim's date, or null.
    pub from_date: Option<String>,
    /// `up`, `down` or `changed` (same middle, another range).
    pub direction: String,
}

/// One `also` item.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct JsonSeen {
    /// Its claim date, or null.
    pub date: Option<String>,
    /// Its note's date, or null.
    pub note_date: Option<String>,
    /// Note path.
    pub path: String,
    /// First line, 1-based.
    pub line: u64,
    /// Note title.
    pub title: String,
}

impl JsonEntry {
    /// The JSON form of an entry of `thread` (a thread of `timeline`).
    pub fn new(timeline: &Timeline, thread: &Thread, entry: &Entry, explain: bool) -> JsonEntry {
        let c = &entry.claim;
        let h = &c.hit;
        JsonEntry {
            date: c.date.period.map(|p| p.to_string()),
            note_date: h.date.clone(),
            path: h.path.clone(),
            line: h.line,
            title: h.title.clone(),
            participants: h.participants.clone(),
            source: h.source.clone(),
            section: h.section.clone(),
            kind: h.kind.clone(),
            text: h.text.clone(),
            quantities: c
                .quantities
                .iter()
                .map(|q| JsonQuantity {
                    text: q.text.clone(),
                    value: q.value,
                    high: q.high,
                    unit: q.unit.clone(),
                    dimension: q.dimension.as_str().to_string(),
                    qualifier: q.qualifier.map(|x| x.as_str().to_string()),
                    span: [q.span.start, q.span.end],
                })
                .collect(),
            thread: timeline.thread_name(thread),
            latest: entry.latest,
            change: entry.change.as_ref().map(|ch| JsonChange {
                from: ch.from.clone(),
                from_date: ch.from_date.map(|p| p.to_string()),
                direction: direction(ch.direction).to_string(),
            }),
            also: entry
                .also
                .iter()
                .map(|s| JsonSeen {
                    date: s.claim.date.period.map(|p| p.to_string()),
                    note_date: s.claim.hit.date.clone(),
                    path: s.claim.hit.path.clone(),
                    line: s.claim.hit.line,
                    title: s.claim.hit.title.clone(),
                })
                .collect(),
            explain: explain.then(|| why(entry)),
        }
    }
}

/// Every `--explain` sentence of an entry: its own, then each restatement's.
fn why(entry: &Entry) -> Vec<String> {
    entry
        .why
        .iter()
        .cloned()
        .chain(entry.also.iter().map(|s| s.why.clone()))
        .collect()
}

fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Up => "up",
        Direction::Down => "down",
        Direction::Changed => "changed",
    }
}

/// Every entry of a timeline as JSON objects, in print order.
pub fn json_entries(timeline: &Timeline, explain: bool) -> Vec<JsonEntry> {
    timeline
        .entries()
        .map(|(t, e)| JsonEntry::new(timeline, t, e, explain))
        .collect()
}

/// Writes a timeline as JSON Lines.
pub fn write_json(out: &mut dyn Write, timeline: &Timeline, explain: bool) -> io::Result<()> {
    for e in json_entries(timeline, explain) {
        serde_json::to_writer(&mut *out, &e)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// `400 GB/s → 310 GB/s, down, 4 months later`.
pub fn change_text(c: &Change, now: &str) -> String {
    let mut s = format!("{} → {now}, {}", c.from, direction(c.direction));
    match c.months {
        Some(0) => s.push_str(", same month"),
        Some(1) => s.push_str(", 1 month later"),
        Some(m) if m > 1 => s.push_str(&format!(", {m} months later")),
        _ => {}
    }
    s
}

/// Prints threads for people.
pub struct Threads {
    /// Colours.
    pub style: Style,
    /// Stemmed entity names to highlight.
    pub terms: Vec<String>,
    /// Print each entry's `--explain` sentences.
    pub explain: bool,
    /// Make each `path:line` a terminal hyperlink to its hit's `uri`.
    pub hyperlinks: bool,
}

const INDENT: &str = "              ";

impl Threads {
    /// Writes the whole timeline: a heading per thread, then its entries, a blank line
    /// between entries and between threads.
    pub fn write(&self, out: &mut dyn Write, timeline: &Timeline) -> io::Result<()> {
        for (i, t) in timeline.threads.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            writeln!(out, "{}", self.style.paint("1;4", &timeline.thread_name(t)))?;
            for (k, e) in t.entries.iter().enumerate() {
                if k > 0 {
                    writeln!(out)?;
                }
                self.write_entry(out, e)?;
            }
        }
        Ok(())
    }

    /// Writes one entry: date and text; latest and change; who and where; restatements.
    pub fn write_entry(&self, out: &mut dyn Write, e: &Entry) -> io::Result<()> {
        let s = &self.style;
        let c = &e.claim;
        let marker = super::marker(&c.hit);
        writeln!(
            out,
            "  {}  {marker}{}",
            s.paint("36", &date_col(c)),
            highlight::paint(s, &c.hit.text, &self.terms, &[])
        )?;
        let now = c.primary().map(|q| q.text.as_str()).unwrap_or("");
        match (e.latest, &e.change) {
            (true, Some(ch)) => writeln!(
                out,
                "{INDENT}{} · {}",
                s.paint("1;32", "latest"),
                change_text(ch, now)
            )?,
            (true, None) => writeln!(out, "{INDENT}{}", s.paint("1;32", "latest"))?,
            (false, Some(ch)) => writeln!(out, "{INDENT}{}", change_text(ch, now))?,
            (false, None) => {}
        }
        writeln!(out, "{INDENT}{}", attribution(s, c, self.location(c)))?;
        if let Some((first, rest)) = e.also.split_first() {
            let n = e.also.len();
            let lead = format!("also in {n} note{}: ", if n == 1 { "" } else { "s" });
            let pad = " ".repeat(lead.chars().count());
            writeln!(
                out,
                "{INDENT}{}{}  {}",
                s.paint("2", &lead),
                s.paint("36", &date_col(&first.claim)),
                self.location(&first.claim)
            )?;
            for seen in rest {
                writeln!(
                    out,
                    "{INDENT}{pad}{}  {}",
                    s.paint("36", &date_col(&seen.claim)),
                    self.location(&seen.claim)
                )?;
            }
        }
        if self.explain {
            for w in why(e) {
                writeln!(out, "{INDENT}{} {w}", s.paint("2", "why:"))?;
            }
        }
        Ok(())
    }

    /// `path:line`, a terminal hyperlink to the claim's `uri` when links are on.
    fn location(&self, c: &Claim) -> String {
        let place = location(&self.style, c);
        super::hyperlink::wrap(self.hyperlinks, c.hit.uri.as_deref(), &place)
    }
}

/// Title · with participants · source · path:line (`place`).
fn attribution(s: &Style, c: &Claim, place: String) -> String {
    let h = &c.hit;
    let mut parts = vec![s.paint("1", &h.title)];
    if !h.participants.is_empty() {
        parts.push(format!("with {}", h.participants.join(", ")));
    }
    if let Some(src) = &h.source {
        parts.push(src.clone());
    }
    parts.push(place);
    parts.join(" · ")
}

/// The date column, 10 wide: `2025-02-04`, `2025-03   `, `undated   `.
fn date_col(c: &Claim) -> String {
    let d = c
        .date
        .period
        .map_or_else(|| "undated".to_string(), |p| p.to_string());
    format!("{d:<10}")
}

fn location(s: &Style, c: &Claim) -> String {
    format!(
        "{}:{}",
        s.paint("35", &c.hit.path),
        s.paint("32", &c.hit.line.to_string())
    )
}

/// Writes the Markdown brief: a title, then per thread a heading, the latest claim in bold
/// with its change, and a bullet per claim (oldest first) with its date, text and
/// `path:line` citation; restatements are cited on the same bullet.
pub fn write_markdown(
    out: &mut dyn Write,
    timeline: &Timeline,
    about: Option<&str>,
) -> io::Result<()> {
    let name = &timeline.entity.display;
    match about {
        Some(topic) => writeln!(out, "# {name}: claims about {topic}")?,
        None => writeln!(out, "# {name}: claims")?,
    }
    for t in &timeline.threads {
        writeln!(out)?;
        writeln!(out, "## {}", timeline.thread_name(t))?;
        writeln!(out)?;
        if let Some(latest) = t.entries.iter().find(|e| e.latest) {
            let c = &latest.claim;
            let now = c.primary().map(|q| q.text.as_str()).unwrap_or("");
            let when = c
                .date
                .period
                .map_or("undated".to_string(), |p| p.to_string());
            let mut line = format!("**Latest: {now}, {when}**");
            if let Some(ch) = &latest.change {
                let since = ch.from_date.map(|p| format!(" ({p})")).unwrap_or_default();
                line.push_str(&format!(
                    " ({} from {}{since})",
                    direction(ch.direction),
                    ch.from
                ));
            }
            writeln!(out, "{line} `{}`", cite(c))?;
            writeln!(out)?;
        }
        for e in &t.entries {
            let c = &e.claim;
            let when = c
                .date
                .period
                .map_or("undated".to_string(), |p| p.to_string());
            let when = if e.latest {
                format!("**{when} (latest)**")
            } else {
                when
            };
            let mut line = format!("- {when}: {} `{}`", c.hit.text.trim(), cite(c));
            if !e.also.is_empty() {
                let also: Vec<String> = e
                    .also
                    .iter()
                    .map(|s| format!("`{}`", cite(&s.claim)))
                    .collect();
                line.push_str(&format!("; also {}", also.join(", ")));
            }
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// `path:line`.
fn cite(c: &Claim) -> String {
    format!("{}:{}", c.hit.path, c.hit.line)
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
    use crate::claims::thread::build;
    use crate::claims::{quantity, Entity};
    use crate::search::Hit;

    fn claim(date: Option<&str>, path: &str, line: u64, text: &str) -> Claim {
        let hit = Hit {
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
            pid: 0,
            participants: vec!["Marcus Lee".into()],
            source: Some("transcript".into()),
            ..Hit::default()
        };
        Claim::new(hit, quantity::parse(text), None)
    }

    fn timeline() -> Timeline {
        let claims = vec![
            claim(Some("2025-02-04"), "a.md", 15, "X claimed 400 GB/s read."),
            claim(
                Some("2025-03-10"),
                "b.md",
                20,
                "X claimed 400 GB/s read again.",
            ),
            claim(None, "c.md", 3, "X claimed 400 GB/s read, undated."),
            claim(Some("2025-06-02"), "d.md", 4, "X now says 310 GB/s read."),
        ];
        Timeline {
            entity: Entity {
                name: "X".into(),
                display: "X".into(),
                names: vec!["X".into()],
                pages: Vec::new(),
            },
            threads: build(claims, &["X".to_string()]),
            total: 2,
            passages: 4,
        }
    }

    #[test]
    fn human_threads_show_latest_change_attribution_and_also() {
        let printer = Threads {
            hyperlinks: false,
            style: Style { color: false },
            terms: Vec::new(),
            explain: false,
        };
        let mut out = Vec::new();
        printer.write(&mut out, &timeline()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "X · throughput · read\n\
             \x20 2025-02-04  X claimed 400 GB/s read.\n\
             \x20             T · with Marcus Lee · transcript · a.md:15\n\
             \x20             also in 1 note: 2025-03-10  b.md:20\n\
             \n\
             \x20 2025-06-02  X now says 310 GB/s read.\n\
             \x20             latest · 400 GB/s → 310 GB/s, down, 4 months later\n\
             \x20             T · with Marcus Lee · transcript · d.md:4\n\
             \n\
             \x20 undated     X claimed 400 GB/s read, undated.\n\
             \x20             310 GB/s → 400 GB/s, up\n\
             \x20             T · with Marcus Lee · transcript · c.md:3\n"
        );
    }

    #[test]
    fn json_and_markdown() {
        let t = timeline();
        let json = json_entries(&t, true);
        assert_eq!(json.len(), 3);
        assert_eq!(json[0].thread, "X · throughput · read");
        assert_eq!(json[0].also[0].path, "b.md");
        assert_eq!(json[1].change.as_ref().unwrap().direction, "down");
        assert_eq!(
            json[1].change.as_ref().unwrap().from_date.as_deref(),
            Some("2025-02-04")
        );
        assert!(json[1].latest && !json[0].latest);
        assert!(json[0]
            .explain
            .as_ref()
            .unwrap()
            .iter()
            .any(|w| w.starts_with("folded: b.md:20")));
        let back: JsonEntry =
            serde_json::from_str(&serde_json::to_string(&json[1]).unwrap()).unwrap();
        assert_eq!(back, json[1]);
        let mut md = Vec::new();
        write_markdown(&mut md, &t, Some("read throughput")).unwrap();
        let md = String::from_utf8(md).unwrap();
        assert!(
            md.starts_with("# X: claims about read throughput\n\n## X · throughput · read\n"),
            "{md}"
        );
        assert!(
            md.contains(
                "**Latest: 310 GB/s, 2025-06-02** (down from 400 GB/s (2025-02-04)) `d.md:4`"
            ),
            "{md}"
        );
        assert!(
            md.contains("- 2025-02-04: X claimed 400 GB/s read. `a.md:15`; also `b.md:20`"),
            "{md}"
        );
        assert!(
            md.contains("- **2025-06-02 (latest)**: X now says 310 GB/s read. `d.md:4`"),
            "{md}"
        );
    }
}
