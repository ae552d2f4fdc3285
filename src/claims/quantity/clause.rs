//! What a quantity's clause says about it: its aspects (`peak`, `read`, `Tier 0`), whether a
//! percentage is a discount, a time a latency, a value an earlier one.

use super::lex::{Kind, Parser, Tok};
use super::{Axis, Dimension, Quantity};
use crate::claims::units;
use std::ops::Range;

impl Parser<'_> {
    /// Reads the quantity's clause: aspects, discount, latency, prior value.
    pub(super) fn annotate(
        &self,
        q: &mut Quantity,
        toks: &Range<usize>,
        clauses: &[Range<usize>],
        all: &[Range<usize>],
    ) {
        let clause = clauses
            .iter()
            .find(|c| c.start <= toks.start && toks.start < c.end)
            .cloned()
            .unwrap_or(0..self.toks.len());
        let words = |r: Range<usize>| -> Vec<String> {
            r.filter(|&k| self.toks[k].kind == Kind::Word)
                .map(|k| self.s(k).to_lowercase())
                .collect()
        };
        let here = words(clause.clone());
        let has = |list: &[&str]| here.iter().any(|w| list.contains(&w.as_str()));
        if q.dimension == Dimension::Duration && has(units::LATENCY_CUES) {
            q.dimension = Dimension::Latency;
            q.value *= 1000.0;
            q.high = q.high.map(|h| h * 1000.0);
            q.unit = q.unit.replacen('s', "ms", 1);
        }
        if q.dimension == Dimension::Percent
            && (has(units::DISCOUNT_CUES)
                || (has(&["under", "below", "less"]) && has(units::PRICE_WORDS)))
        {
            q.aspects.push((Axis::Discount, "discount".into()));
        }
        // An earlier value: a cue word right before it (`down from 1.2 TB/s`, `was 40%`).
        q.prior = (toks.start.saturating_sub(2)..toks.start)
            .filter_map(|k| self.word(k))
            .any(|w| units::PRIOR_CUES.contains(&w.to_lowercase().as_str()));
        self.measure_aspects(q, toks, clause.clone(), all);
        if let Some(subject) = self.subject(clause).or_else(|| self.only_subject()) {
            q.aspects.push((Axis::Subject, subject));
        }
        q.aspects.sort();
    }

    /// The mode, operation and basis a quantity's clause names (one each; see
    /// [`units::ASPECTS`]), or, for mode and operation, the passage when its clause names
    /// none and the passage names exactly one.
    fn measure_aspects(
        &self,
        q: &mut Quantity,
        toks: &Range<usize>,
        clause: Range<usize>,
        all: &[Range<usize>],
    ) {
        let axes: &[Axis] = match q.dimension {
            Dimension::Throughput | Dimension::Iops | Dimension::Latency => &[Axis::Mode, Axis::Op],
            Dimension::Power => &[Axis::Mode],
            Dimension::Capacity | Dimension::UnitPrice => &[Axis::Basis],
            _ => &[],
        };
        // Other quantities' own tokens never lend their words (`400 GB/s read, 2 PB raw`).
        let outside = |k: &usize| !all.iter().any(|r| r != toks && r.contains(k));
        let lower = |r: Range<usize>| -> Vec<String> {
            r.filter(outside)
                .filter_map(|k| self.word(k))
                .map(str::to_lowercase)
                .collect()
        };
        let in_clause = lower(clause);
        let everywhere = lower(0..self.toks.len());
        for &axis in axes {
            let named = |ws: &[String]| -> Vec<&'static str> {
                let mut v: Vec<&'static str> = ws
                    .iter()
                    .filter_map(|w| {
                        units::ASPECTS
                            .iter()
                            .find(|(s, a, _)| *a == axis && s == w)
                            .map(|(_, _, canon)| *canon)
                    })
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            let local = named(&in_clause);
            let pick = if local.len() == 1 {
                Some(local[0])
            } else if local.is_empty() && axis != Axis::Basis {
                // Mode and operation carry across a passage ("Read throughput: 2 TB/s"); a
                // basis does not ("$0.21 per GB, 30% under our list price" is no list price).
                let global = named(&everywhere);
                (global.len() == 1).then(|| global[0])
            } else {
                None
            };
            if let Some(v) = pick {
                q.aspects.push((axis, v.to_string()));
            }
        }
    }

    /// The first `phase 2`/`Tier 0` in a token range.
    fn subjects(&self, r: Range<usize>) -> Vec<String> {
        let mut out = Vec::new();
        for k in r {
            let Some(w) = self.word(k) else { continue };
            let w = w.to_lowercase();
            if !units::SUBJECT_WORDS.contains(&w.as_str()) {
                continue;
            }
            let next = k + 1;
            let Some(t) = self.toks.get(next) else {
                continue;
            };
            let label = self.s(next);
            let short = label.chars().count() <= 3;
            let ok = match t.kind {
                Kind::Num(_) => true,
                // `Tier A`, `phase II`, `gen 5b`; not `tier now`.
                Kind::Word => {
                    short
                        && label.chars().all(|c| c.is_ascii_alphanumeric())
                        && label
                            .chars()
                            .any(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                }
                Kind::Sym(_) => false,
            };
            if ok && t.space {
                out.push(format!("{w} {}", label.to_lowercase()));
            }
        }
        out.dedup();
        out
    }

    fn subject(&self, clause: Range<usize>) -> Option<String> {
        self.subjects(clause).into_iter().next()
    }

    /// The passage's subject when it names exactly one.
    fn only_subject(&self) -> Option<String> {
        let mut all = self.subjects(0..self.toks.len());
        all.sort();
        all.dedup();
        (all.len() == 1).then(|| all.remove(0))
    }
}

/// Token ranges of the clauses of a passage.
pub(super) fn clauses(text: &str, toks: &[Tok]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (k, t) in toks.iter().enumerate() {
        let end = match t.kind {
            Kind::Sym(c) => match c {
                ',' | ';' | ':' | '(' | ')' | '[' | ']' | '!' | '?' | '—' | '→' => true,
                // A sentence end, not a decimal point (those are inside numbers).
                '.' => toks.get(k + 1).is_none_or(|n| n.space),
                // A spaced dash: `… 2 TB/s - and now …`.
                '-' | '–' => t.space && toks.get(k + 1).is_none_or(|n| n.space),
                _ => false,
            },
            Kind::Word => {
                units::CLAUSE_WORDS.contains(&text[t.start..t.end].to_lowercase().as_str())
            }
            Kind::Num(_) => false,
        };
        if end {
            if start < k {
                out.push(start..k);
            }
            start = k + 1;
        }
    }
    if start < toks.len() {
        out.push(start..toks.len());
    }
    out
}
