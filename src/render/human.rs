//! The human printer: one block per hit.
//!
//! ```text
//! Microsoft capacity scramble · 2025-11-05 · Key Information
//! Customers/2025-11-05 - Microsoft capacity scramble.md:37
//!     Microsoft is scrambling for near-term GPU capacity, …
//! ```

use super::{highlight, Style};
use crate::search::Hit;
use std::io::Write;

/// Prints hits for people.
pub struct Human {
    /// Colours.
    pub style: Style,
    /// Stemmed query terms to highlight.
    pub terms: Vec<String>,
    /// Query prefixes to highlight.
    pub prefixes: Vec<String>,
    /// Show ranking details.
    pub explain: bool,
    /// Make `path:line` a terminal hyperlink to the hit's `uri` ([`super::hyperlink`]).
    pub hyperlinks: bool,
}

impl Human {
    /// Writes one hit block (with a blank line before every block but the first).
    pub fn write_hit(&self, out: &mut dyn Write, hit: &Hit, first: bool) -> std::io::Result<()> {
        let s = &self.style;
        if !first {
            writeln!(out)?;
        }
        let mut head = s.paint("1", &hit.title);
        head.push_str(" · ");
        head.push_str(&s.paint("36", hit.date.as_deref().unwrap_or("undated")));
        if !hit.section.is_empty() {
            head.push_str(" · ");
            head.push_str(&hit.section);
        }
        writeln!(out, "{head}")?;
        let place = format!(
            "{}:{}",
            s.paint("35", &hit.path),
            s.paint("32", &hit.line.to_string())
        );
        let place = super::hyperlink::wrap(self.hyperlinks, hit.uri.as_deref(), &place);
        writeln!(out, "{place}")?;
        let marker = super::marker(hit);
        writeln!(out, "    {marker}{}", self.highlight(&hit.text))?;
        if self.explain {
            if let Some(e) = &hit.explain {
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
                writeln!(out, "    {}", s.paint("2", &parts.join(" · ")))?;
            }
        }
        Ok(())
    }

    fn highlight(&self, text: &str) -> String {
        highlight::paint(&self.style, text, &self.terms, &self.prefixes)
    }
}
