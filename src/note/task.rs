//! Task metadata on action lines: the status of the checkbox, the owner (`@Dana`), the dates
//! and the priority, in the two notations Obsidian users write them in.
//!
//! * Obsidian Tasks puts an emoji before each value: `📅 2025-05-30` due, `⏳` scheduled,
//!   `🛫` start, `✅` done, `➕` created (ignored), and a priority emoji (`🔺⏫🔼🔽⏬`).
//! * Dataview writes inline fields: `[due:: 2025-05-30]`, `(completion:: 2025-06-02)`,
//!   `[priority:: high]`.
//!
//! The status comes from the checkbox character: `[ ]` open, `[x]` done, `[?]` proposed,
//! `[-]` cancelled, and any other character stands for itself (`[/]` is `/`). A placeholder
//! such as `📅 TBD` is no date. Parsing reads the passage's cleaned text and never fails: what
//! it does not recognise stays plain text.

use crate::date::Date;

/// What a task line says about itself, beyond its words. Everything is optional: a bullet
/// under "Action Items" without a checkbox has no status but may have an owner and a due date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskInfo {
    /// `open`, `done`, `proposed`, `cancelled`, or the checkbox character itself.
    pub status: Option<String>,
    /// The first `@name` of the line (or a Dataview `[owner:: name]`), without the `@`.
    pub owner: Option<String>,
    /// `📅` / `[due:: …]`.
    pub due: Option<Date>,
    /// `⏳` / `[scheduled:: …]`.
    pub scheduled: Option<Date>,
    /// `🛫` / `[start:: …]`.
    pub start: Option<Date>,
    /// `✅` / `[completion:: …]`.
    pub done: Option<Date>,
    /// `highest`, `high`, `medium`, `low` or `lowest`.
    pub priority: Option<&'static str>,
}

/// The status name of a checkbox character.
pub fn status_name(c: char) -> String {
    match c {
        ' ' => "open".into(),
        'x' | 'X' => "done".into(),
        '?' => "proposed".into(),
        '-' => "cancelled".into(),
        other => other.to_string(),
    }
}

/// Normalises a `--status` value: the names above (and a few spellings of them), or a single
/// checkbox character. `None` for anything else.
pub fn parse_status(s: &str) -> Option<String> {
    let t = s.trim().to_lowercase();
    Some(match t.as_str() {
        "open" | "todo" | "to-do" | "pending" => "open".into(),
        "done" | "x" | "complete" | "completed" | "closed" => "done".into(),
        "proposed" | "?" => "proposed".into(),
        "cancelled" | "canceled" | "-" => "cancelled".into(),
        _ if t.chars().count() == 1 && !t.trim().is_empty() => t,
        _ => return None,
    })
}

/// Priority emoji of Obsidian Tasks, highest first.
const PRIORITIES: [(char, &str); 5] = [
    ('🔺', "highest"),
    ('⏫', "high"),
    ('🔼', "medium"),
    ('🔽', "low"),
    ('⏬', "lowest"),
];

/// Which date an emoji introduces (Obsidian Tasks accepts three calendar emoji for due).
fn date_slot(c: char) -> Option<Slot> {
    Some(match c {
        '📅' | '📆' | '🗓' => Slot::Due,
        '⏳' => Slot::Scheduled,
        '🛫' => Slot::Start,
        '✅' => Slot::Done,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Due,
    Scheduled,
    Start,
    Done,
}

impl TaskInfo {
    fn set(&mut self, slot: Slot, date: Date) {
        let place = match slot {
            Slot::Due => &mut self.due,
            Slot::Scheduled => &mut self.scheduled,
            Slot::Start => &mut self.start,
            Slot::Done => &mut self.done,
        };
        place.get_or_insert(date);
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        *self == TaskInfo::default()
    }
}

/// Reads the task metadata of an action passage's text; `checkbox` is its status character.
pub fn parse(checkbox: Option<char>, text: &str) -> TaskInfo {
    let mut info = TaskInfo {
        status: checkbox.map(status_name),
        ..TaskInfo::default()
    };
    emoji_fields(text, &mut info);
    dataview_fields(text, &mut info);
    if info.owner.is_none() {
        info.owner = first_mention(text);
    }
    info
}

/// `📅 2025-05-30`-style dates and the priority emoji.
fn emoji_fields(text: &str, info: &mut TaskInfo) {
    for (i, c) in text.char_indices() {
        if let Some((_, name)) = PRIORITIES.iter().find(|(e, _)| *e == c) {
            info.priority.get_or_insert(name);
        }
        if let Some(slot) = date_slot(c) {
            let rest = text[i + c.len_utf8()..].trim_start_matches(['\u{fe0f}', ' ', '\u{a0}']);
            if let Some(d) = Date::parse_prefix(rest).filter(indexable) {
                info.set(slot, d);
            }
        }
    }
}

/// `[key:: value]` and `(key:: value)` fields.
fn dataview_fields(text: &str, info: &mut TaskInfo) {
    let mut rest = text;
    while let Some(at) = rest.find("::") {
        let (before, after) = (&rest[..at], &rest[at + 2..]);
        rest = after;
        let Some(open) = before.rfind(['[', '(']) else {
            continue;
        };
        let close_char = if before.as_bytes()[open] == b'[' {
            ']'
        } else {
            ')'
        };
        let Some(close) = after.find(close_char) else {
            continue;
        };
        let key = before[open + 1..].trim().to_lowercase();
        let value = after[..close].trim();
        let date = Date::parse_prefix(value).filter(indexable);
        match (key.as_str(), date) {
            ("due", Some(d)) => info.set(Slot::Due, d),
            ("scheduled", Some(d)) => info.set(Slot::Scheduled, d),
            ("start", Some(d)) => info.set(Slot::Start, d),
            ("completion" | "done" | "completed", Some(d)) => info.set(Slot::Done, d),
            ("priority", _) => {
                let p = value.to_lowercase();
                if let Some((_, name)) = PRIORITIES.iter().find(|(_, n)| *n == p) {
                    info.priority.get_or_insert(name);
                }
            }
            ("owner" | "assignee", _) if !value.is_empty() => {
                info.owner
                    .get_or_insert_with(|| value.trim_start_matches('@').to_string());
            }
            _ => {}
        }
    }
}

/// A date tantivy can store (see [`crate::note::DATE_YEARS`]).
fn indexable(d: &Date) -> bool {
    super::DATE_YEARS.contains(&d.ymd().0)
}

/// The first `@name` that starts a word (so `dana@acme.com` is no owner). A name is letters,
/// digits, `_`, `-` and `.` inside it (`@jane.doe`, not the full stop after `@Dana.`).
fn first_mention(text: &str) -> Option<String> {
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        if c == '@' && prev.is_none_or(|p| p.is_whitespace() || p == '(' || p == '[') {
            let name: String = text[i + 1..]
                .chars()
                .take_while(|d| d.is_alphanumeric() || matches!(d, '_' | '-' | '.'))
                .collect();
            let name = name.trim_end_matches(['.', '-']);
            if name.chars().any(char::is_alphabetic) {
                return Some(name.to_string());
            }
        }
        prev = Some(c);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<Date> {
        Date::parse_prefix(s)
    }

    #[test]
    fn checkbox_characters_name_a_status() {
        for (c, name) in [
            (' ', "open"),
            ('x', "done"),
            ('X', "done"),
            ('?', "proposed"),
            ('-', "cancelled"),
            ('/', "/"),
            ('>', ">"),
        ] {
            assert_eq!(status_name(c), name);
            assert_eq!(parse_status(name).as_deref(), Some(name));
        }
    }

    #[test]
    fn status_flag_values() {
        assert_eq!(parse_status("Canceled").as_deref(), Some("cancelled"));
        assert_eq!(parse_status(" TODO ").as_deref(), Some("open"));
        assert_eq!(parse_status("x").as_deref(), Some("done"));
        assert_eq!(parse_status("someday"), None);
        assert_eq!(parse_status(""), None);
    }

    #[test]
    fn obsidian_tasks_emoji() {
        let t = parse(
            Some('x'),
            "Send Dana the renewal quote @Dana 📅 2025-05-30 ⏳ 2025-05-20 🛫 2025-05-19 ✅ 2025-06-02 ⏫ #task",
        );
        assert_eq!(
            t,
            TaskInfo {
                status: Some("done".into()),
                owner: Some("Dana".into()),
                due: d("2025-05-30"),
                scheduled: d("2025-05-20"),
                start: d("2025-05-19"),
                done: d("2025-06-02"),
                priority: Some("high"),
            }
        );
    }

    #[test]
    fn dates_and_priorities() {
        for (text, due, priority) in [
            ("📅 TBD ⏫", None, Some("high")),
            ("📅\u{fe0f} 2025-01-02", d("2025-01-02"), None),
            ("📆 2025-01-02 🔽", d("2025-01-02"), Some("low")),
            ("🗓 2025-02-30", None, None),
            ("due 📅 2999-01-01 🔺", None, Some("highest")),
            ("🔼 then ⏬", None, Some("medium")),
        ] {
            let t = parse(Some(' '), text);
            assert_eq!((t.due, t.priority), (due, priority), "{text}");
        }
    }

    #[test]
    fn dataview_inline_fields() {
        let t = parse(
            Some(' '),
            "Renew the lab lease [due:: 2025-07-01] (completion:: 2025-07-03) [priority:: High] [owner:: Priya Raman]",
        );
        assert_eq!(t.due, d("2025-07-01"));
        assert_eq!(t.done, d("2025-07-03"));
        assert_eq!(t.priority, Some("high"));
        assert_eq!(t.owner.as_deref(), Some("Priya Raman"));
        // Unclosed or unknown fields are plain text.
        let t = parse(None, "ratio is a::b [due:: soon] (start:: 2025-01-01");
        assert!(t.is_empty(), "{t:?}");
    }

    #[test]
    fn owners() {
        for (text, owner) in [
            ("ping @Dana.", Some("Dana")),
            ("@jane.doe to send", Some("jane.doe")),
            ("mail dana@acme.com", None),
            ("(@Lee) and @Kim", Some("Lee")),
            ("@ 42 @123", None),
            ("no owner", None),
        ] {
            assert_eq!(parse(None, text).owner.as_deref(), owner, "{text}");
        }
    }
}
