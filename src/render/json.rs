//! JSON Lines: one flat object per hit. The field names are a public contract (README,
//! "JSON Lines"); they are [`Hit`]'s serde names, and tests decode them with serde.

use crate::search::Hit;
use std::io::Write;

/// Writes one hit as a JSON line.
pub fn write_json_line(out: &mut dyn Write, hit: &Hit) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, hit)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Explain;

    fn hit() -> Hit {
        Hit {
            path: "Customers/a b.md".into(),
            line: 3,
            line_end: 4,
            title: "A B".into(),
            date: Some("2025-09-15".into()),
            account: None,
            tags: vec!["type/customer".into()],
            section: "A B > Notes".into(),
            kind: "action".into(),
            task: Some(" ".into()),
            text: "Send the deck".into(),
            score: 1.5,
            anchor: None,
            uri: None,
            explain: None,
            pid: 42,
            status: Some("open".into()),
            owner: Some("Dana".into()),
            due: Some("2025-09-30".into()),
            priority: Some("high".into()),
            passage_tags: vec!["task".into()],
            root: "/home/me/notes".into(),
            abs_path: "/home/me/notes/Customers/a b.md".into(),
            ..Hit::default()
        }
    }

    #[test]
    fn a_hit_is_one_flat_line_with_the_documented_fields() {
        let mut out = Vec::new();
        write_json_line(&mut out, &hit()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with('\n') && text.matches('\n').count() == 1);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "abs_path",
                "account",
                "anchor",
                "date",
                "done",
                "due",
                "kind",
                "line",
                "line_end",
                "owner",
                "passage_tags",
                "path",
                "priority",
                "root",
                "scheduled",
                "score",
                "section",
                "start",
                "status",
                "tags",
                "task",
                "text",
                "title",
                "uri"
            ],
            "the vector key stays internal and explain appears only when asked for"
        );
        let back: Hit = serde_json::from_str(&text).unwrap();
        assert_eq!(back, Hit { pid: 0, ..hit() });
    }

    #[test]
    fn explain_is_printed_when_present() {
        let mut h = hit();
        h.explain = Some(Explain {
            lexical_rank: Some(1),
            ..Explain::default()
        });
        let mut out = Vec::new();
        write_json_line(&mut out, &h).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["explain"]["lexical_rank"], 1);
        assert!(v["explain"]["similarity"].is_null());
    }
}
