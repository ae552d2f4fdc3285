//! Highlighting: which words of a passage the query matched, for the human printers.
//!
//! The query's positive free-text clauses are run through the same analyzers as the index
//! (stemming for words, folding for prefixes), so `booked` lights up `booking`.

use super::Style;
use crate::index::schema;
use crate::search::lexical::tokens;
use crate::search::query::{self, Occur, Target};

/// Stemmed terms of the positive clauses, for highlighting.
pub fn highlight_terms(query_text: &str) -> (Vec<String>, Vec<String>) {
    let mut terms = Vec::new();
    let mut prefixes = Vec::new();
    let Ok(clauses) = query::parse(query_text) else {
        return (terms, prefixes);
    };
    let clauses = crate::search::lexical::without_stop_words(clauses);
    let mut en = schema::en_analyzer();
    let mut fold = schema::fold_analyzer();
    for c in clauses.iter().filter(|c| c.occur != Occur::MustNot) {
        if !matches!(c.target, Target::All | Target::Text) {
            continue;
        }
        if c.prefix {
            let toks = tokens(&mut fold, &c.value);
            if let Some((_, last)) = toks.last() {
                prefixes.push(last.clone());
            }
            terms.extend(
                tokens(&mut en, &c.value)
                    .into_iter()
                    .rev()
                    .skip(1)
                    .map(|(_, t)| t),
            );
        } else {
            terms.extend(tokens(&mut en, &c.value).into_iter().map(|(_, t)| t));
        }
    }
    (terms, prefixes)
}

/// Byte ranges of `text` whose tokens match the query terms.
pub fn highlight_ranges(
    text: &str,
    terms: &[String],
    prefixes: &[String],
) -> Vec<std::ops::Range<usize>> {
    if terms.is_empty() && prefixes.is_empty() {
        return Vec::new();
    }
    let mut en = schema::en_analyzer();
    let mut fold = schema::fold_analyzer();
    let mut ranges = Vec::new();
    en.token_stream(text).process(&mut |t| {
        if terms.contains(&t.text) {
            ranges.push(t.offset_from..t.offset_to);
        }
    });
    if !prefixes.is_empty() {
        fold.token_stream(text).process(&mut |t| {
            if prefixes.iter().any(|p| t.text.starts_with(p.as_str())) {
                ranges.push(t.offset_from..t.offset_to);
            }
        });
    }
    ranges.sort_by_key(|r| (r.start, r.end));
    ranges.dedup();
    ranges
}

/// `text` with the matched words painted bold red (unchanged without colour).
pub fn paint(style: &Style, text: &str, terms: &[String], prefixes: &[String]) -> String {
    if !style.color {
        return text.to_string();
    }
    // Chinese, Japanese and Korean words match as overlapping bigrams: one painted run each.
    let mut ranges = highlight_ranges(text, terms, prefixes);
    ranges.dedup_by(|next, run| {
        let overlaps = next.start < run.end;
        if overlaps {
            run.end = run.end.max(next.end);
        }
        overlaps
    });
    let mut out = String::with_capacity(text.len() + ranges.len() * 12);
    let mut pos = 0;
    for r in ranges {
        if r.start < pos {
            continue;
        }
        out.push_str(&text[pos..r.start]);
        out.push_str(&style.paint("1;31", &text[r.clone()]));
        pos = r.end;
    }
    out.push_str(&text[pos..]);
    out
}

/// The terms that highlight mentions of names (each as a phrase) and of a topic query.
pub fn name_terms<'a>(
    names: impl IntoIterator<Item = &'a String>,
    topic: Option<&str>,
) -> Vec<String> {
    let mut terms = Vec::new();
    for name in names {
        terms.extend(highlight_terms(&format!("\"{}\"", name.replace('"', " "))).0);
    }
    if let Some(topic) = topic {
        terms.extend(highlight_terms(topic).0);
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_prefixes_light_up_and_exclusions_do_not() {
        let (terms, prefixes) = highlight_terms("booked clust* -pricing");
        let style = Style { color: true };
        let text = "Booking a cluster; pricing later";
        assert_eq!(
            paint(&style, text, &terms, &prefixes),
            "\x1b[1;31mBooking\x1b[0m a \x1b[1;31mcluster\x1b[0m; pricing later"
        );
        assert_eq!(
            paint(&Style { color: false }, text, &terms, &prefixes),
            text
        );
    }

    #[test]
    fn a_cjk_word_lights_up_as_one_run() {
        let (terms, prefixes) = highlight_terms("ファイルを埋め込む");
        let style = Style { color: true };
        assert_eq!(
            paint(
                &style,
                "保管庫内のファイルを埋め込むには",
                &terms,
                &prefixes
            ),
            "保管庫内の\x1b[1;31mファイルを埋め込む\x1b[0mには"
        );
    }
}
