//! A claim's own date: when the claim was made, which in a running log is not the note's
//! date (a competitor page is dated when it was last edited, its bullets when they happened).
//!
//! In order: a date that starts the passage (`- 2025-03-21: …`, `- 2024-11 (trade show): …`,
//! `- Mar 2025 - …`, `- 2025-Q3 …`); else the nearest heading of its section path that
//! carries a date (`### 2025-06 - Relaunch`, `## Q3 2025 update`), innermost first; else the
//! note's date. Dates keep their precision ([`Period`]): a month stays a month.
//!
//! Known limit: a nested bullet under a dated bullet (`- 2024-11` / `  - Acme showed …`) is
//! dated by its headings or note, because a passage's parent text is not stored in the index.

use crate::date::{Date, Period};

/// Where a claim's date came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatedBy {
    /// The date that starts the passage.
    Bullet,
    /// A heading of its section path (the heading's text).
    Heading(String),
    /// The note's date.
    Note,
    /// No date anywhere.
    None,
}

/// A claim's date and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimDate {
    /// The date, as precise as the note says it.
    pub period: Option<Period>,
    /// Where it came from.
    pub by: DatedBy,
}

impl ClaimDate {
    /// Dates a passage from its text, its section path (` > `-joined, outermost first) and
    /// its note's date (`YYYY-MM-DD`).
    pub fn of(text: &str, section: &str, note_date: Option<&str>) -> ClaimDate {
        if let Some(p) = leading(text) {
            return ClaimDate {
                period: Some(p),
                by: DatedBy::Bullet,
            };
        }
        for heading in section.rsplit(" > ") {
            if let Some(p) = anywhere(heading) {
                return ClaimDate {
                    period: Some(p),
                    by: DatedBy::Heading(heading.trim().to_string()),
                };
            }
        }
        match note_date.and_then(Date::parse_prefix) {
            Some(d) => ClaimDate {
                period: Some(Period::day(d)),
                by: DatedBy::Note,
            },
            None => ClaimDate {
                period: None,
                by: DatedBy::None,
            },
        }
    }

    /// A sentence for `--explain`.
    pub fn explain(&self) -> String {
        match (&self.by, self.period) {
            (DatedBy::Bullet, Some(p)) => format!("dated {p} by the date that starts it"),
            (DatedBy::Heading(h), Some(p)) => format!("dated {p} by its heading \"{h}\""),
            (DatedBy::Note, Some(p)) => format!("dated {p} by its note"),
            _ => "undated: no date in the passage, its headings or its note".to_string(),
        }
    }
}

/// The date that starts a passage, after markup (`**2025-03**:`, `[2025-03-21]`, `(Mar
/// 2025)`). A month's name alone is no date (`May be …`): it needs its year.
fn leading(text: &str) -> Option<Period> {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || "*_[(`".contains(c));
    Period::parse_prefix(t).map(|(p, _)| p)
}

/// The first date in a heading, at the start of any word.
fn anywhere(heading: &str) -> Option<Period> {
    let mut prev_alnum = false;
    for (i, c) in heading.char_indices() {
        if !prev_alnum {
            if let Some((p, _)) = Period::parse_prefix(&heading[i..]) {
                return Some(p);
            }
        }
        prev_alnum = c.is_alphanumeric();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(
        "2025-03-21: Acme said 1.2 TB/s",
        "",
        Some("2025-12-01"),
        "2025-03-21",
        "bullet"
    )]
    #[case(
        "2024-11 (trade show): Acme showed 80 GB/s per node",
        "Log",
        Some("2025-12-01"),
        "2024-11",
        "bullet"
    )]
    #[case(
        "**2025-03**: list price cut",
        "",
        Some("2025-12-01"),
        "2025-03",
        "bullet"
    )]
    #[case(
        "Mar 2025 - booth slide claimed over 2 TB/s",
        "",
        None,
        "2025-03",
        "bullet"
    )]
    #[case("2025-Q3 roadmap: 40 MW for phase 2", "", None, "2025-Q3", "bullet")]
    #[case("[2025-03-21] retest at 900 GB/s", "", None, "2025-03-21", "bullet")]
    #[case(
        "Acme now says 900 GB/s sustained",
        "Log > 2025-06 - Relaunch",
        Some("2025-12-01"),
        "2025-06",
        "heading"
    )]
    #[case(
        "Acme now says 900 GB/s sustained",
        "2025 > Q3 2025 update > Notes",
        None,
        "2025-Q3",
        "heading"
    )]
    #[case(
        "Acme now says 900 GB/s sustained",
        "Log > Relaunch (June 2025)",
        None,
        "2025-06",
        "heading"
    )]
    #[case(
        "Acme now says 900 GB/s",
        "Key Information",
        Some("2025-09-30"),
        "2025-09-30",
        "note"
    )]
    #[case(
        "May be the cheapest option",
        "Notes",
        Some("2025-09-30"),
        "2025-09-30",
        "note"
    )]
    #[case(
        "2025 was a big year",
        "Notes",
        Some("2025-09-30"),
        "2025-09-30",
        "note"
    )]
    #[case("Acme said it", "Notes", None, "", "none")]
    fn dates_a_claim(
        #[case] text: &str,
        #[case] section: &str,
        #[case] note: Option<&str>,
        #[case] want: &str,
        #[case] by: &str,
    ) {
        let d = ClaimDate::of(text, section, note);
        assert_eq!(d.period.map(|p| p.to_string()).unwrap_or_default(), want);
        let got = match d.by {
            DatedBy::Bullet => "bullet",
            DatedBy::Heading(_) => "heading",
            DatedBy::Note => "note",
            DatedBy::None => "none",
        };
        assert_eq!(got, by, "{text} / {section}");
    }

    #[test]
    fn explains_where_the_date_came_from() {
        let d = ClaimDate::of("x", "Log > 2025-06 - Relaunch", None);
        assert_eq!(
            d.explain(),
            "dated 2025-06 by its heading \"2025-06 - Relaunch\""
        );
    }
}
