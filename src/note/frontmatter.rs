//! YAML front matter → typed note metadata.
//!
//! This is the only module that touches `serde_yaml` (deprecated upstream), so swapping the
//! YAML parser changes one file. Values are read leniently: a wrong type is a warning and the
//! key is ignored, never an error for the whole note.

use crate::date::Date;
use serde_yaml::Value;

/// Front matter longer than this is not parsed (a warning says so); YAML that large is not
/// metadata, and it bounds parser time and memory.
pub const MAX_FRONTMATTER_BYTES: usize = 256 * 1024;

/// The keys read into their own fields below; every other key is a Dataview field. (As fields
/// they would only repeat what their own filters match, and every passage of every note would
/// carry a dozen more terms: +28 % indexing time on the synthetic vault.)
const READ_KEYS: &[&str] = &[
    "title",
    "date",
    "account",
    "participants",
    "attendees",
    "tags",
    "tag",
    "aliases",
    "alias",
    "type",
    "source",
];

/// The metadata keys quarry uses. Empty strings are absent values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frontmatter {
    /// `title`.
    pub title: Option<String>,
    /// `date`, when it is a real `YYYY-MM-DD` day (a timestamp's day counts).
    pub date: Option<Date>,
    /// `account`.
    pub account: Option<String>,
    /// `participants`.
    pub participants: Vec<String>,
    /// `tags`, not yet normalised.
    pub tags: Vec<String>,
    /// `type`.
    pub note_type: Option<String>,
    /// `source`.
    pub source: Option<String>,
    /// `aliases`.
    pub aliases: Vec<String>,
    /// Every key not read above with a text, number, boolean or list value (Obsidian's
    /// `cssclasses`, `publish`, `permalink`, anything else), as Dataview fields (normalised
    /// key, lowercase value), searchable with `meta:key=value`. Keys of other shapes (nested
    /// maps) are accepted silently.
    pub fields: Vec<(String, String)>,
}

/// Where the front matter block is in a note's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block<'a> {
    /// The YAML between the fences.
    pub yaml: &'a str,
    /// Byte offset where the body starts (after the closing fence line).
    pub body_start: usize,
}

/// Finds a front matter block: `---` on the first line, closed by a `---` or `...` line.
/// `Err` carries a warning when the block never closes (the whole text is then body).
pub fn split(text: &str) -> Result<Option<Block<'_>>, String> {
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "---" {
        return Ok(None);
    }
    let mut pos = (first_end + 1).min(text.len());
    let yaml_start = pos;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = text[pos..end].trim_end();
        if line == "---" || line == "..." {
            return Ok(Some(Block {
                yaml: &text[yaml_start..pos],
                body_start: (end + 1).min(text.len()),
            }));
        }
        pos = end + 1;
    }
    Err("front matter never closes (no closing '---' line); read the whole file as body".into())
}

/// Parses front matter YAML. `Err` is a warning for YAML that cannot be read at all; wrong
/// types for single keys go to `warnings` and the key is skipped.
pub fn parse(yaml: &str, warnings: &mut Vec<String>) -> Result<Frontmatter, String> {
    if yaml.len() > MAX_FRONTMATTER_BYTES {
        return Err(format!(
            "front matter is larger than {} KiB; ignored",
            MAX_FRONTMATTER_BYTES / 1024
        ));
    }
    if yaml.trim().is_empty() {
        return Ok(Frontmatter::default());
    }
    let value: Value = serde_yaml::from_str(yaml)
        .map_err(|e| format!("front matter is not valid YAML ({e}); body indexed without it"))?;
    let map = match value {
        Value::Mapping(m) => m,
        Value::Null => return Ok(Frontmatter::default()),
        _ => {
            return Err("front matter is not a key: value mapping; body indexed without it".into())
        }
    };
    let mut fm = Frontmatter::default();
    for (key, value) in &map {
        let Some(key) = key.as_str() else { continue };
        let key_lc = key.to_ascii_lowercase();
        if !READ_KEYS.contains(&key_lc.as_str()) {
            field_values(key, value, &mut fm.fields);
        }
        match key_lc.as_str() {
            "title" => fm.title = single(key, value, warnings),
            "account" => fm.account = single(key, value, warnings),
            "type" => fm.note_type = single(key, value, warnings),
            "source" => fm.source = single(key, value, warnings),
            "participants" | "attendees" => fm.participants.extend(list(key, value, warnings)),
            "aliases" | "alias" => fm.aliases.extend(list(key, value, warnings)),
            "tags" | "tag" => fm.tags.extend(tag_list(key, value, warnings)),
            "date" => {
                if let Some(raw) = single(key, value, warnings) {
                    match Date::parse_prefix(&raw) {
                        Some(d) => fm.date = Some(d),
                        None => warnings
                            .push(format!("date: '{raw}' is not a YYYY-MM-DD date; ignored")),
                    }
                }
            }
            _ => {}
        }
    }
    Ok(fm)
}

/// The front matter as JSON (for `quarry export`): the YAML mapping with its values
/// converted (numbers, booleans and nulls kept, dates and other scalars as strings, keys as
/// strings). `None` for YAML that is not a mapping, is too large or cannot be read.
pub fn to_json(yaml: &str) -> Option<serde_json::Value> {
    if yaml.len() > MAX_FRONTMATTER_BYTES {
        return None;
    }
    match serde_yaml::from_str::<Value>(yaml).ok()? {
        v @ Value::Mapping(_) => Some(yaml_to_json(&v)),
        _ => None,
    }
}

fn yaml_to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => n
            .as_i64()
            .map(J::from)
            .or_else(|| n.as_u64().map(J::from))
            .or_else(|| {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(J::Number)
            })
            .unwrap_or_else(|| J::String(n.to_string())),
        Value::String(s) => J::String(s.clone()),
        Value::Sequence(items) => J::Array(items.iter().map(yaml_to_json).collect()),
        Value::Mapping(m) => J::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Value::String(s) => s.clone(),
                        other => serde_yaml::to_string(other)
                            .map(|s| s.trim_end().to_string())
                            .unwrap_or_default(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Value::Tagged(t) => yaml_to_json(&t.value),
    }
}

/// Strips `[[...]]` from a value and renders `[[target|alias]]` as the alias.
pub fn strip_link(s: &str) -> String {
    let t = s.trim();
    let t = t
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(t);
    if let Some(inner) = t.strip_prefix("[[").and_then(|t| t.strip_suffix("]]")) {
        return inner.rsplit('|').next().unwrap_or(inner).trim().to_string();
    }
    t.to_string()
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(t) => scalar(&t.value),
        _ => None,
    }
}

/// A key's values as Dataview fields: scalars and the scalars of a list; other shapes are none.
fn field_values(key: &str, value: &Value, out: &mut Vec<(String, String)>) {
    let Some(key) = super::obsidian::field_key(key) else {
        return;
    };
    let values: Vec<String> = match value {
        Value::Sequence(items) => items.iter().filter_map(scalar).collect(),
        v => scalar(v).into_iter().collect(),
    };
    for v in values {
        out.push((key.clone(), super::obsidian::field_value(&v)));
    }
}

fn non_empty(s: String) -> Option<String> {
    let s = strip_link(&s);
    (!s.is_empty()).then_some(s)
}

fn single(key: &str, value: &Value, warnings: &mut Vec<String>) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Sequence(items) => {
            let texts: Vec<String> = items
                .iter()
                .filter_map(scalar)
                .filter_map(non_empty)
                .collect();
            if texts.len() == 1 && items.len() == 1 && matches!(items[0], Value::String(_)) {
                texts.into_iter().next()
            } else if items.is_empty() {
                None
            } else {
                warnings.push(format!(
                    "{key}: expected one text value, found a list; ignored"
                ));
                None
            }
        }
        Value::Mapping(_) => {
            warnings.push(format!("{key}: expected text, found a mapping; ignored"));
            None
        }
        v => scalar(v).and_then(non_empty),
    }
}

fn list(key: &str, value: &Value, warnings: &mut Vec<String>) -> Vec<String> {
    match value {
        Value::Null => Vec::new(),
        Value::Sequence(items) => items
            .iter()
            .filter_map(scalar)
            .filter_map(non_empty)
            .collect(),
        Value::String(s) => s
            .split(',')
            .map(str::to_string)
            .filter_map(non_empty)
            .collect(),
        Value::Mapping(_) => {
            warnings.push(format!("{key}: expected a list, found a mapping; ignored"));
            Vec::new()
        }
        v => scalar(v).and_then(non_empty).into_iter().collect(),
    }
}

fn tag_list(key: &str, value: &Value, warnings: &mut Vec<String>) -> Vec<String> {
    match value {
        Value::String(s) => s
            .split([',', ' '])
            .map(str::to_string)
            .filter_map(non_empty)
            .collect(),
        Value::Number(n) => {
            warnings.push(format!(
                "tags: expected a list of text, found the number {n}; ignored"
            ));
            Vec::new()
        }
        Value::Sequence(items) => {
            let mut out = Vec::new();
            for item in items {
                match item {
                    Value::String(s) => out.extend(non_empty(s.clone())),
                    Value::Null => {}
                    other => warnings.push(format!(
                        "tags: '{}' is not text; ignored",
                        scalar(other).unwrap_or_else(|| "a nested value".into())
                    )),
                }
            }
            out
        }
        v => list(key, v, warnings),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fm(yaml: &str) -> (Frontmatter, Vec<String>) {
        let mut w = Vec::new();
        let f = parse(yaml, &mut w).unwrap();
        (f, w)
    }

    #[test]
    fn splits_blocks() {
        let b = split("---\ntitle: x\n---\nbody").unwrap().unwrap();
        assert_eq!(b.yaml, "title: x\n");
        assert_eq!(b.body_start, 17);
        assert!(split("no front matter").unwrap().is_none());
        assert!(split("---\ntitle: x\nbody").is_err());
        assert_eq!(split("---\n---\n").unwrap().unwrap().yaml, "");
        assert_eq!(
            split("---\na: 1\n...\nrest").unwrap().unwrap().body_start,
            13
        );
    }

    #[test]
    fn reads_the_seed_shape() {
        let (f, w) = fm("type: \"customer\"\ntitle: \"Microsoft AI\"\ndate: \"2025-11-12\"\naccount: \"\"\nparticipants: []\nsource: \"transcript\"\ntags:\n  - \"type/customer\"\n  - \"account/\"\n");
        assert!(w.is_empty());
        assert_eq!(f.title.as_deref(), Some("Microsoft AI"));
        assert_eq!(f.date.unwrap().to_string(), "2025-11-12");
        assert_eq!(f.account, None);
        assert_eq!(f.note_type.as_deref(), Some("customer"));
        assert_eq!(f.tags, vec!["type/customer", "account/"]);
    }

    #[test]
    fn lenient_types() {
        let (f, w) = fm("tags: 7\naccount: [1, 2]\ndate: 31/02/2025\n");
        assert!(f.tags.is_empty() && f.account.is_none() && f.date.is_none());
        assert_eq!(w.len(), 3, "{w:?}");
        let (f, _) = fm("tags: a, b\naccount: \"[[CoreWeave]]\"\ndate: 2025-01-02T10:00:00Z\naliases: DataDirect Networks\n");
        assert_eq!(f.tags, vec!["a", "b"]);
        assert_eq!(f.account.as_deref(), Some("CoreWeave"));
        assert_eq!(f.date.unwrap().to_string(), "2025-01-02");
        assert_eq!(f.aliases, vec!["DataDirect Networks"]);
        let (f, _) = fm("account: [\"[[Lambda|Lambda Labs]]\"]\n");
        assert_eq!(f.account.as_deref(), Some("Lambda Labs"));
    }

    #[test]
    fn obsidian_keys_and_unknown_keys_are_accepted_silently() {
        let (f, w) = fm("aliases: [Ops handbook, \"[[Runbook]]\"]\ncssclasses:\n  - wide\npublish: true\npermalink: ops/handbook\nrating: 4.5\nnested:\n  a: [1, {b: c}]\nwhen: 2025-01-02T10:00:00Z\n? [complex, key]\n: value\n~: null key\nStatus Now: In Progress\n");
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(f.aliases, vec!["Ops handbook", "Runbook"]);
        assert_eq!(
            f.fields,
            vec![
                ("cssclasses".to_string(), "wide".to_string()),
                ("publish".into(), "true".into()),
                ("permalink".into(), "ops/handbook".into()),
                ("rating".into(), "4.5".into()),
                ("when".into(), "2025-01-02t10:00:00z".into()),
                ("status-now".into(), "in progress".into()),
            ]
        );
        // Keys read into their own fields are not Dataview fields as well.
        let (f, _) = fm("title: T\ndate: 2025-01-02\naccount: A\ntype: meeting\nsource: s\nparticipants: [P]\ntags: [t]\nstatus: done\n");
        assert_eq!(f.fields, vec![("status".to_string(), "done".to_string())]);
    }

    #[test]
    fn tags_as_list_or_comma_or_space_separated_text() {
        for yaml in [
            "tags: [alpha, beta/x]",
            "tags:\n  - alpha\n  - beta/x",
            "tags: alpha, beta/x",
            "tags: alpha beta/x",
            "tags: \"#alpha #beta/x\"",
            "tag: alpha,beta/x",
        ] {
            let (f, w) = fm(yaml);
            assert!(w.is_empty(), "{yaml}: {w:?}");
            let tags: Vec<String> = f
                .tags
                .iter()
                .filter_map(|t| crate::note::normalise_tag(t))
                .collect();
            assert_eq!(tags, vec!["alpha", "beta/x"], "{yaml}");
        }
    }

    #[test]
    fn broken_yaml_is_a_warning() {
        let mut w = Vec::new();
        assert!(parse("title: \"unclosed\ntags: [a\n", &mut w).is_err());
        assert!(parse("- just\n- a list\n", &mut w).is_err());
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
        let _ = parse(bomb, &mut w);
    }
}
