//! The query language: plain words, `"exact phrase"`, `-word` to exclude, `+word` to
//! require, `field:value` for `title`, `section`, `text`, `tag`, `account`, `participant`,
//! `kind`, `meta:key=value` for Dataview fields, `[[Note#^id]]` for the passages a wiki link
//! points to, and `prefix*`. Words are ORed and ranked by BM25, as in most search engines. A
//! quoted phrase on a text field is required, like `+word` (people quote a name to insist on
//! it), so it holds in every mode: semantic and hybrid rank only passages that contain it.
//!
//! Parsing is a small hand-written scanner (not tantivy's query grammar) so every error can
//! name the problem, unknown `word:` prefixes (`10:30`, `http://…`) stay plain text, and
//! prefixes are matched unstemmed.

use crate::{Error, Result};

/// Which field a clause targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Title, section, text and context together.
    All,
    /// `title:`.
    Title,
    /// `section:`.
    Section,
    /// `text:`.
    Text,
    /// `tag:` (hierarchical, exact).
    Tag,
    /// `account:` (case-insensitive, exact).
    Account,
    /// `participant:`.
    Participant,
    /// `kind:`.
    Kind,
    /// `meta:key=value` or `meta:key`: a Dataview field (inline `key:: value` or front matter).
    Meta,
    /// `[[Note]]`, `[[Note#Heading]]`, `[[Note#^id]]`: the passages the link points to (the
    /// value is the link's inner text).
    WikiLink,
}

impl Target {
    fn from_name(name: &str) -> Option<Target> {
        Some(match name.to_ascii_lowercase().as_str() {
            "title" => Target::Title,
            "section" => Target::Section,
            "text" => Target::Text,
            "tag" | "tags" => Target::Tag,
            "account" => Target::Account,
            "participant" | "participants" => Target::Participant,
            "kind" => Target::Kind,
            "meta" => Target::Meta,
            _ => return None,
        })
    }
}

/// Whether a clause must, may or must not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occur {
    /// Plain: adds to the score.
    Should,
    /// `+`: required.
    Must,
    /// `-`: excluded.
    MustNot,
}

/// One clause of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// Must, should or must not.
    pub occur: Occur,
    /// Field.
    pub target: Target,
    /// The words (a phrase when quoted or when it splits into several tokens).
    pub value: String,
    /// Quoted.
    pub phrase: bool,
    /// Ends with `*`.
    pub prefix: bool,
}

/// Parses a query string into clauses.
pub fn parse(input: &str) -> Result<Vec<Clause>> {
    let mut clauses = Vec::new();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut occur = Occur::Should;
        if chars[i] == '-' || chars[i] == '+' {
            if i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
                occur = if chars[i] == '-' {
                    Occur::MustNot
                } else {
                    Occur::Must
                };
                i += 1;
            } else {
                i += 1;
                continue;
            }
        }
        if let Some((value, end)) = wiki_link(&chars, i) {
            clauses.push(Clause {
                occur,
                target: Target::WikiLink,
                value,
                phrase: false,
                prefix: false,
            });
            i = end;
            continue;
        }
        // Optional field prefix.
        let mut target = Target::All;
        let word_end = (i..chars.len())
            .find(|&j| chars[j].is_whitespace() || chars[j] == '"')
            .unwrap_or(chars.len());
        let word: String = chars[i..word_end].iter().collect();
        if let Some((name, _)) = word.split_once(':') {
            if let Some(t) = Target::from_name(name) {
                target = t;
                i += name.chars().count() + 1;
                if i >= chars.len() || chars[i].is_whitespace() {
                    return Err(Error::Query(format!(
                        "'{name}:' needs a value, as in {name}:value or {name}:\"two words\""
                    )));
                }
            }
        }
        let (value, phrase, prefix) = if chars.get(i) == Some(&'"') {
            let close = (i + 1..chars.len())
                .find(|&j| chars[j] == '"')
                .ok_or_else(|| {
                    Error::Query(format!(
                        "unclosed quote in query: {}; close the phrase with \"",
                        chars[i..].iter().collect::<String>()
                    ))
                })?;
            let v: String = chars[i + 1..close].iter().collect();
            let prefix = chars.get(close + 1) == Some(&'*');
            i = close + 1 + usize::from(prefix);
            (v, true, prefix)
        } else {
            let end = (i..chars.len())
                .find(|&j| chars[j].is_whitespace())
                .unwrap_or(chars.len());
            let mut v: String = chars[i..end].iter().collect();
            i = end;
            let prefix = v.len() > 1 && v.ends_with('*');
            if prefix {
                v.pop();
            }
            (v, false, prefix)
        };
        if value.trim().is_empty() {
            continue;
        }
        let text_field = matches!(
            target,
            Target::All | Target::Title | Target::Section | Target::Text
        );
        if phrase && occur == Occur::Should && text_field {
            occur = Occur::Must;
        }
        if value.trim_matches('*').is_empty() {
            return Err(Error::Query(
                "'*' alone is not a query; add letters before it, as in gpu*".into(),
            ));
        }
        clauses.push(Clause {
            occur,
            target,
            value,
            phrase,
            prefix,
        });
    }
    Ok(clauses)
}

/// A wiki link `[[…]]` starting at `i`: its inner text (which may hold spaces) and where it
/// ends. An unclosed `[[` is plain text.
fn wiki_link(chars: &[char], i: usize) -> Option<(String, usize)> {
    if chars.get(i..i + 2) != Some(&['[', '['][..]) {
        return None;
    }
    let close =
        (i + 2..chars.len().saturating_sub(1)).find(|&j| chars[j] == ']' && chars[j + 1] == ']')?;
    let inner: String = chars[i + 2..close].iter().collect();
    (!inner.trim().is_empty()).then_some((inner, close + 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(occur: Occur, target: Target, value: &str, phrase: bool, prefix: bool) -> Clause {
        Clause {
            occur,
            target,
            value: value.into(),
            phrase,
            prefix,
        }
    }

    #[test]
    fn parses_the_syntax() {
        use Occur::*;
        use Target::*;
        assert_eq!(
            parse(r#"gpu "near-term capacity" -pricing +ddn title:sync tag:type/customer account:"Core Weave" micro*"#).unwrap(),
            vec![
                c(Should, All, "gpu", false, false),
                c(Must, All, "near-term capacity", true, false),
                c(MustNot, All, "pricing", false, false),
                c(Must, All, "ddn", false, false),
                c(Should, Title, "sync", false, false),
                c(Should, Tag, "type/customer", false, false),
                c(Should, Account, "Core Weave", true, false),
                c(Should, All, "micro", false, true),
            ]
        );
    }

    #[test]
    fn meta_fields_and_wiki_links() {
        use Occur::*;
        use Target::*;
        assert_eq!(
            parse(r#"meta:status=done -meta:"owner=dana k" [[Internal links#^b15695]] gpu +[[My Note]]"#)
                .unwrap(),
            vec![
                c(Should, Meta, "status=done", false, false),
                c(MustNot, Meta, "owner=dana k", true, false),
                c(Should, WikiLink, "Internal links#^b15695", false, false),
                c(Should, All, "gpu", false, false),
                c(Must, WikiLink, "My Note", false, false),
            ]
        );
        assert_eq!(
            parse("[[open gpu").unwrap().len(),
            2,
            "unclosed: plain words"
        );
        assert_eq!(parse("[[]]").unwrap()[0].target, All);
        assert_eq!(parse("std::vector").unwrap()[0].target, All);
    }

    #[test]
    fn unknown_fields_stay_text() {
        assert_eq!(parse("at 10:30 see http://x").unwrap().len(), 4);
        assert_eq!(parse("10:30").unwrap()[0].value, "10:30");
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(parse("\"open phrase")
            .unwrap_err()
            .to_string()
            .contains("unclosed quote"));
        assert!(parse("tag: x")
            .unwrap_err()
            .to_string()
            .contains("needs a value"));
        assert!(parse("*").is_err());
        assert!(parse("  - + ").unwrap().is_empty());
    }
}

/// Turns arbitrary text into a query of plain words: quotes, `+`/`-` prefixes, `field:`
/// prefixes and trailing `*` lose their meaning. Used for evaluation queries, which are
/// natural-language text, not quarry syntax.
pub fn plain(text: &str) -> String {
    // Split on quotes and colons too, so a quote cannot shield a `-`, `+` or `*` from the
    // trimming (`"x*"` used to come out as the prefix query `x*`, `"-x` as an exclusion).
    text.split(|c: char| c.is_whitespace() || c == '"' || c == ':')
        .map(|w| w.trim_start_matches(['-', '+']).trim_end_matches('*'))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod plain_tests {
    #[test]
    fn plain_text_has_no_syntax() {
        let q = super::plain(r#"-0-dimensional "biomaterials" title:x gpu* +y"#);
        assert_eq!(q, "0-dimensional biomaterials title x gpu y");
        assert!(super::parse(&q)
            .unwrap()
            .iter()
            .all(|c| c.occur == super::Occur::Should && !c.prefix));
    }

    #[test]
    fn regression_quotes_do_not_shield_syntax() {
        // A quote in front of `-`/`+` or after `*` hid them from the trimming.
        for text in [r#""x*""#, r#""-x"#, "a:-b", r#""+y*" "*""#, "x*\"*"] {
            let q = super::plain(text);
            let clauses = super::parse(&q).unwrap();
            assert!(
                clauses
                    .iter()
                    .all(|c| c.occur == super::Occur::Should && !c.prefix && !c.phrase),
                "{text:?} → {q:?} → {clauses:?}"
            );
        }
    }
}
