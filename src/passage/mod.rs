//! Passages: the unit quarry indexes, ranks and prints — one list item or one prose
//! paragraph of a note, with its heading path, parent items and line range.
//!
//! [`crate::note`] splits a note's body into passages; this module owns what a passage *is*
//! (its [`Kind`], its fields), the section path it is shown under, and the exact text it is
//! embedded as ([`embed_input`]), whose hash ([`pid`]) keys its vector. The index
//! ([`crate::index`]) stores passages as documents; it never decides what their text is.

use serde::{Deserialize, Serialize};

/// What a passage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A list item.
    Fact,
    /// A task line, or an item under an "Action Items" heading.
    Action,
    /// An item under a "Decisions" heading.
    Decision,
    /// A prose paragraph.
    Paragraph,
    /// A table row, its cells paired with their column headers.
    Row,
}

impl Kind {
    /// The lowercase name used in the index, filters and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Fact => "fact",
            Kind::Action => "action",
            Kind::Decision => "decision",
            Kind::Paragraph => "paragraph",
            Kind::Row => "row",
        }
    }

    /// Parses a lowercase kind name.
    pub fn parse(s: &str) -> Option<Kind> {
        match s.to_ascii_lowercase().as_str() {
            "fact" | "facts" => Some(Kind::Fact),
            "action" | "actions" | "task" | "tasks" => Some(Kind::Action),
            "decision" | "decisions" => Some(Kind::Decision),
            "paragraph" | "paragraphs" | "para" => Some(Kind::Paragraph),
            "row" | "rows" => Some(Kind::Row),
            _ => None,
        }
    }
}

/// One searchable unit: a list item or a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    /// Fact, action, decision or paragraph.
    pub kind: Kind,
    /// The task status character for task lines (`' '`, `'x'`, `'?'` …).
    pub task: Option<char>,
    /// Status, owner, dates and priority of an action ([`crate::note::task`]); empty for
    /// other kinds.
    pub task_info: crate::note::task::TaskInfo,
    /// The passage's own inline `#tags`, normalised (the note's tags hold them too).
    pub tags: Vec<String>,
    /// Visible text: wiki links rendered, whitespace collapsed.
    pub text: String,
    /// The texts of the enclosing list items, outermost first, joined with ` › `.
    pub context: String,
    /// Heading path, outermost first.
    pub section: Vec<String>,
    /// Targets of the `[[wiki links]]` in the passage itself.
    pub links: Vec<String>,
    /// First line, 1-based.
    pub line_start: u32,
    /// Last line, 1-based, inclusive.
    pub line_end: u32,
    /// The Obsidian block id (`^b15695` written after it, without the caret), which
    /// `[[Note#^b15695]]` links to.
    pub anchor: Option<String>,
    /// Dataview inline fields (`key:: value`, `[key:: value]`): normalised key and value.
    pub fields: Vec<(String, String)>,
}

/// The section path shown for a passage: headings, minus a first heading that repeats the title.
pub fn section_path(title: &str, section: &[String]) -> String {
    let skip = usize::from(section.first().is_some_and(|h| h == title));
    section[skip..].join(" > ")
}

/// What the index stores for a passage beyond its own fields: the section path shown for
/// it, the text it is embedded as, and that text's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// Heading path, ` > `-joined, without a first heading that repeats the title.
    pub section: String,
    /// The text the embedding model sees ([`embed_input`]).
    pub embed_text: String,
    /// The vector key: a hash of `embed_text` ([`pid`]).
    pub pid: u64,
}

impl Passage {
    /// The section path, embedding text and vector key of this passage of a note titled
    /// `title`.
    pub fn prepare(&self, title: &str) -> Prepared {
        let section = section_path(title, &self.section);
        let embed_text = embed_input(title, &section, &self.context, &self.text);
        let pid = pid(&embed_text);
        Prepared {
            section,
            embed_text,
            pid,
        }
    }
}

/// The vector key of an embedding text: vectors are content-addressed, so an unchanged
/// bullet of an edited note keeps its vector, and deletes and merges in tantivy cannot make
/// documents and vectors disagree.
pub fn pid(embed_text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(embed_text.as_bytes())
}

/// The text a passage is embedded as: note title and heading path first, so a bullet under
/// "Action Items" knows what it is about, then parent items, then the passage, with task
/// bookkeeping (`@owner`, `#tags`, `📅 2025-10-03`, priority emoji) removed: it carries no
/// meaning and otherwise makes every task line look alike to the model.
pub fn embed_input(title: &str, section: &str, context: &str, text: &str) -> String {
    let mut s = String::with_capacity(title.len() + section.len() + context.len() + text.len() + 8);
    s.push_str(title);
    if !section.is_empty() && section != title {
        s.push_str(" — ");
        s.push_str(section);
    }
    s.push_str(": ");
    if !context.is_empty() {
        s.push_str(&strip_task_noise(context));
        s.push_str(" › ");
    }
    s.push_str(&strip_task_noise(text));
    s
}

/// Drops `@owner` and `#tag` words, emoji and symbol-only words, and the date or `TBD` that
/// follows a calendar emoji.
pub fn strip_task_noise(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut after_symbol = false;
    for word in text.split_whitespace() {
        let symbol_only = !word.chars().any(|c| c.is_alphanumeric());
        let tagged = (word.starts_with('@') || word.starts_with('#')) && word.chars().count() > 1;
        let emoji = word
            .chars()
            .any(|c| (c as u32) >= 0x1F000 || (0x2190..=0x2BFF).contains(&(c as u32)));
        let date_after =
            after_symbol && (crate::date::Date::parse_prefix(word).is_some() || word == "TBD");
        if symbol_only || tagged || emoji || date_after {
            after_symbol = symbol_only || emoji;
            continue;
        }
        after_symbol = false;
        out.push(word);
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_noise_is_not_embedded() {
        assert_eq!(
            strip_task_noise(
                "Send José the sizing sheet. @Myself 📅 2025-10-03 ⏫ #task #proposed"
            ),
            "Send José the sizing sheet."
        );
        assert_eq!(
            strip_task_noise("Q4 is 60% — up from 40% @ Acme"),
            "Q4 is 60% up from 40% Acme"
        );
        assert_eq!(
            embed_input("T", "Action Items", "", "do it #task"),
            "T — Action Items: do it"
        );
    }
}
