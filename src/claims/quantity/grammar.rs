//! The productions of the quantity grammar (see the module doc of [`super`]): amount,
//! currency, scale, range, unit, what a price or rate is per, and the guards that keep
//! dates, years and model names out.

use super::lex::{
    count_patterns, pattern, qualifier_patterns, unit_patterns, vague_patterns, Parser,
};
use super::{Dimension, Qualifier, Quantity};
use crate::claims::units::{self, Case};
use std::ops::Range;

/// The number part of a quantity as read so far.
struct Amount {
    /// First token (a currency sign or word, later an approximation word).
    start: usize,
    /// Low end, scaled.
    low: f64,
    /// High end of a range, scaled.
    high: Option<f64>,
    /// The scale factor (`M` = 1e6).
    scale: f64,
    /// The scale was a letter (`K`, `M`, `B`).
    letter_scale: bool,
    /// Approximation so far (`several`, a glued `+`).
    qualifier: Option<Qualifier>,
    /// Currency, when money.
    currency: Option<&'static str>,
    /// `from` stands before it (`from 10 to 20` is no range).
    from_before: bool,
    /// The token after the number part.
    next: usize,
}

/// What follows an amount: its unit, dimension and factor.
pub(super) struct Found {
    base: String,
    dimension: Dimension,
    factor: f64,
    end: usize,
}

impl Parser<'_> {
    /// The number of tokens of a date starting at `i` (`2025-03-21`, `2024-11`, `2025/03`).
    pub(super) fn date_len(&self, i: usize) -> Option<usize> {
        let t = self.toks[i];
        let year = self.num(i)?;
        if t.end - t.start != 4 || !(1900.0..=2199.0).contains(&year) {
            return None;
        }
        let part = |k: usize| {
            matches!(self.sym(i + k), Some('-' | '/'))
                && self.glued(i + k)
                && self.glued(i + k + 1)
                && self.num(i + k + 1).is_some()
                && self.toks[i + k + 1].end - self.toks[i + k + 1].start == 2
        };
        if !part(1) {
            return None;
        }
        Some(if part(3) { 5 } else { 3 })
    }

    /// The quantity whose amount starts at token `i` (looking back no further than token
    /// `floor`, where the previous quantity ended): what it says and its tokens.
    pub(super) fn quantity_at(&self, i: usize, floor: usize) -> Option<(Quantity, Range<usize>)> {
        let mut a = self.number_part(i, floor)?;
        let modifier = a.currency.is_none() && self.sym(a.next) == Some('-') && self.glued(a.next);
        let mut found = self.unit_part(&mut a)?;
        let mut j = found.end;
        // A range written with the unit on both ends: `35% to 40%`, `1-2 PB`.
        if a.high.is_none() && !a.from_before {
            if let Some((h, next)) = self.unit_range_tail(j, &found) {
                if h * a.scale > a.low {
                    a.high = Some(h * a.scale);
                    j = next;
                }
            }
        }
        // `per node`, `/rack`, `per month` after a non-money unit.
        if !matches!(found.dimension, Dimension::UnitPrice | Dimension::Money) {
            if let Some((per, next)) = self.per_noun(j) {
                found.base = format!("{}/{per}", found.base);
                j = next;
            }
        }
        if self.year_like(i, found.dimension, a.scale)
            || self.model_variant(a.start, found.dimension)
        {
            return None;
        }
        // `2 TB/s+`.
        if self.sym(j) == Some('+') && self.glued(j) {
            a.qualifier = a.qualifier.or(Some(Qualifier::Over));
            j += 1;
        }
        // Approximation words before it.
        if a.start > floor {
            if let Some((q, s)) = self.phrase_before(a.start, qualifier_patterns()) {
                if s >= floor {
                    a.qualifier = a.qualifier.or(Some(q));
                    a.start = s;
                }
            }
        }
        let span = self.toks[a.start].start..self.toks[j - 1].end;
        let q = Quantity {
            text: self.text[span.clone()].to_string(),
            span,
            value: a.low * found.factor,
            high: a.high.map(|h| h * found.factor),
            unit: found.base,
            dimension: found.dimension,
            qualifier: a.qualifier,
            aspects: Vec::new(),
            prior: false,
            modifier,
        };
        Some((q, a.start..j))
    }

    /// The number part of a quantity at token `i`: a currency before it, the amount, a
    /// scale, a range, a glued `+`.
    fn number_part(&self, i: usize, floor: usize) -> Option<Amount> {
        let (low, high, next, vague) = self.amount(i)?;
        let mut a = Amount {
            start: i,
            low,
            high,
            scale: 1.0,
            letter_scale: false,
            qualifier: vague.then_some(Qualifier::Several),
            currency: None,
            from_before: false,
            next,
        };
        if i > floor && !vague {
            self.currency_before(&mut a, floor);
        }
        if let Some((f, letter, next)) = self.scale(a.next) {
            a.scale = f;
            a.letter_scale = letter;
            a.next = next;
        }
        // A range right after the amount: `35-40%`, `$1-2M`, `10 to 20 PB`; not `from 10 to
        // 20`, which is a change.
        a.from_before = a.start > floor
            && self
                .word(a.start - 1)
                .is_some_and(|w| w.eq_ignore_ascii_case("from"));
        if a.high.is_none() {
            if let Some((h, s2, next)) =
                self.range_tail(a.next, a.currency.is_some(), a.from_before)
            {
                let s = s2.unwrap_or(a.scale);
                if s2.is_some() && a.scale == 1.0 {
                    a.scale = s;
                }
                if h * s > a.low * a.scale {
                    a.high = Some(h * s);
                    a.next = next;
                }
            }
        } else if vague {
            a.high = a.high.map(|h| h * a.scale);
        }
        // `500+ GPUs`.
        if self.sym(a.next) == Some('+') && self.glued(a.next) {
            a.qualifier = a.qualifier.or(Some(Qualifier::Over));
            a.next += 1;
        }
        a.low *= a.scale;
        Some(a)
    }

    /// A currency sign glued before the amount (`$45`, `US$3M`, `€2m`), or a currency word
    /// before it (`USD 3M`).
    fn currency_before(&self, a: &mut Amount, floor: usize) {
        let i = a.start;
        if let Some(c) = self.sym(i - 1).filter(|_| self.glued(i)) {
            if let Some((_, cur)) = units::CURRENCY_SIGNS.iter().find(|(s, _)| *s == c) {
                a.currency = Some(cur);
                a.start = i - 1;
                if a.start > floor && self.word(a.start - 1) == Some("US") && self.glued(a.start) {
                    a.start -= 1;
                }
            }
        } else if let Some(w) = self.word(i - 1) {
            if let Some((_, cur)) = units::CURRENCY_WORDS
                .iter()
                .find(|(s, _)| *s == w && s.chars().all(|c| c.is_ascii_uppercase()))
            {
                a.currency = Some(cur);
                a.start = i - 1;
            }
        }
    }

    /// The unit after the number part: a unit of the table, a counted noun, or, for money,
    /// a currency word and what the price is per. `None` when there is none (a bare number).
    fn unit_part(&self, a: &mut Amount) -> Option<Found> {
        let mut j = a.next;
        let mut found = None;
        if a.currency.is_none() {
            found = self.unit(j, a.letter_scale);
            if found.is_none() {
                // `250 million dollars`, `3M USD`.
                if let Some(w) = self.word(j) {
                    if let Some((_, cur)) = units::CURRENCY_WORDS.iter().find(|(s, _)| *s == w) {
                        a.currency = Some(cur);
                        j += 1;
                    }
                }
            }
        }
        let found = match (a.currency, found) {
            (Some(cur), _) => self.money(j, cur),
            (None, Some(f)) => f,
            (None, None) => return None,
        };
        // A letter scale needs a currency or a counted noun: `4K video` is no quantity.
        let counted = matches!(found.dimension, Dimension::Count | Dimension::Iops);
        if a.letter_scale && a.currency.is_none() && !counted {
            return None;
        }
        Some(found)
    }

    /// The amount at `i`: a number (or `between A and B`, read as a range) or a vague amount
    /// (`several hundred`). Returns (low, high, next token, vague).
    fn amount(&self, i: usize) -> Option<(f64, Option<f64>, usize, bool)> {
        if let Some(v) = self.num(i) {
            // `between 35 and 40`: the range is read here, the word stays out of the span.
            if i > 0
                && self
                    .word(i - 1)
                    .is_some_and(|w| w.eq_ignore_ascii_case("between"))
                && self
                    .word(i + 1)
                    .is_some_and(|w| w.eq_ignore_ascii_case("and"))
            {
                if let Some(h) = self.num(i + 2).filter(|h| *h > v) {
                    return Some((v, Some(h), i + 3, false));
                }
            }
            return Some((v, None, i + 1, false));
        }
        self.word(i)?;
        vague_patterns().iter().find_map(|(pat, (lo, hi))| {
            self.matches(i, pat, Case::Fold)
                .map(|next| (*lo, Some(*hi), next, true))
        })
    }

    /// A scale word at `j`: (factor, is a letter, next).
    fn scale(&self, j: usize) -> Option<(f64, bool, usize)> {
        let w = self.word(j)?;
        let (_, f, letter) = units::SCALES.iter().find(|(s, _, _)| *s == w)?;
        if *letter && !self.glued(j) {
            return None;
        }
        Some((*f, *letter, j + 1))
    }

    /// `-40`, `–2M`, `to 40` after an amount: (high, its scale, next).
    fn range_tail(
        &self,
        j: usize,
        money: bool,
        from_before: bool,
    ) -> Option<(f64, Option<f64>, usize)> {
        let dash = matches!(self.sym(j), Some('-' | '–' | '—'));
        let to = self.word(j).is_some_and(|w| w.eq_ignore_ascii_case("to")) && !from_before;
        if !dash && !to {
            return None;
        }
        let mut k = j + 1;
        if money && matches!(self.sym(k), Some('$' | '€' | '£')) {
            k += 1;
        }
        let h = self.num(k)?;
        // A dash range is written tight or spaced on both sides; `x -y` is something else.
        if dash && self.glued(j) != self.glued(k) {
            return None;
        }
        let mut next = k + 1;
        let mut s = None;
        if let Some((f, _, n)) = self.scale(next) {
            s = Some(f);
            next = n;
        }
        Some((h, s, next))
    }

    /// `to 40%` / `-2 PB` after a unit, with the same unit again: (high, next).
    fn unit_range_tail(&self, j: usize, found: &Found) -> Option<(f64, usize)> {
        let dash = matches!(self.sym(j), Some('-' | '–'));
        let to = self.word(j).is_some_and(|w| w.eq_ignore_ascii_case("to"));
        if !dash && !to {
            return None;
        }
        let h = self.num(j + 1)?;
        let again = self.unit(j + 2, false)?;
        (again.base == found.base).then_some((h * again.factor / found.factor, again.end))
    }

    /// The unit at `j`, after an amount (an optional glued hyphen between:
    /// `20-node`): a table unit, a counted noun, or a model name in the plural.
    fn unit(&self, j: usize, letter_scale: bool) -> Option<Found> {
        let hyphen = self.sym(j) == Some('-') && self.glued(j) && self.glued(j + 1);
        let j = if hyphen { j + 1 } else { j };
        if j >= self.toks.len() {
            return None;
        }
        let glued = !hyphen && self.glued(j);
        if !letter_scale {
            for (pat, unit) in unit_patterns() {
                if unit.glued && !glued {
                    continue;
                }
                if let Some(end) = self.matches(j, pat, unit.case) {
                    if unit.dimension == Dimension::Ratio {
                        // `8x H100` or `4x nodes` counts things.
                        if let Some(c) = self.counted(end) {
                            return Some(c);
                        }
                    }
                    return Some(Found {
                        base: unit.base.to_string(),
                        dimension: unit.dimension,
                        factor: unit.factor,
                        end,
                    });
                }
            }
        } else if let Some(end) = self.matches(j, &pattern("IOPS"), Case::Fold) {
            return Some(Found {
                base: "IOPS".into(),
                dimension: Dimension::Iops,
                factor: 1.0,
                end,
            });
        }
        self.counted(j)
    }

    /// A counted noun (`GPUs`, `data centers`) or a model name (`H100s`, `8 H100 nodes`).
    fn counted(&self, j: usize) -> Option<Found> {
        for (pat, name) in count_patterns() {
            if let Some(end) = self.matches(j, pat, Case::Fold) {
                return Some(Found {
                    base: (*name).to_string(),
                    dimension: Dimension::Count,
                    factor: 1.0,
                    end,
                });
            }
        }
        let w = self.word(j)?;
        let Some(model) = model_name(w) else {
            // One word may stand between: `24 NVMe drives`, `3 more nodes`; not one glued to
            // the number, which makes a name (`2U box`).
            let apart = !self.glued(j) && !self.glued(j + 1);
            return self.counted_noun(j + 1).filter(|_| apart);
        };
        // `8 H100 nodes` counts nodes.
        if let Some(mut f) = self.counted_noun(j + 1) {
            f.end = f.end.max(j + 1);
            return Some(f);
        }
        Some(Found {
            base: model.to_string(),
            dimension: Dimension::Count,
            factor: 1.0,
            end: j + 1,
        })
    }

    fn counted_noun(&self, j: usize) -> Option<Found> {
        count_patterns().iter().find_map(|(pat, name)| {
            self.matches(j, pat, Case::Fold).map(|end| Found {
                base: (*name).to_string(),
                dimension: Dimension::Count,
                factor: 1.0,
                end,
            })
        })
    }

    /// After a money amount at `j`: `per GB-month`, `/GPU-hr`, `per TB per month`, `per
    /// million tokens` make a unit price; else it is money.
    fn money(&self, j: usize, currency: &str) -> Found {
        let plain = Found {
            base: currency.to_string(),
            dimension: Dimension::Money,
            factor: 1.0,
            end: j,
        };
        let per = self.word(j).is_some_and(|w| w.eq_ignore_ascii_case("per"))
            || (self.sym(j) == Some('/') && self.glued(j + 1));
        let a = self
            .word(j)
            .is_some_and(|w| w.eq_ignore_ascii_case("a") || w.eq_ignore_ascii_case("an"));
        if !per && !a {
            return plain;
        }
        let mut k = j + 1;
        let mut factor = 1.0;
        // `per million tokens`, `per 1M tokens`.
        if let Some(n) = self.num(k) {
            factor /= n;
            k += 1;
        }
        if let Some((f, _, next)) = self.scale(k).or_else(|| {
            // A spelled scale may stand apart here.
            let w = self.word(k)?;
            units::SCALES
                .iter()
                .find(|(s, _, letter)| !letter && *s == w)
                .map(|(_, f, _)| (*f, false, k + 1))
        }) {
            factor /= f;
            k = next;
        }
        let Some((noun, noun_factor, next)) = self.denominator(k) else {
            return plain;
        };
        if a && noun_factor.is_none() && time_word(&noun).is_none() {
            // `a` only reads as "per" before a time (`$2,000 a month`).
            return plain;
        }
        k = next;
        let mut base = noun.clone();
        let mut factor = factor * noun_factor.map_or(1.0, |f| 1e-3 / f);
        if time_word(&noun).is_none() {
            // `-month`, `/mo`, `per month`, `a month` after the noun.
            let sep = matches!(self.sym(k), Some('-' | '/')) && self.glued(k) && self.glued(k + 1)
                || self
                    .word(k)
                    .is_some_and(|w| w.eq_ignore_ascii_case("per") || w.eq_ignore_ascii_case("a"));
            if sep {
                if let Some((t, f)) = self.word(k + 1).and_then(time_word) {
                    base = format!("{noun}-{t}");
                    factor /= f;
                    k += 2;
                }
            }
        } else if let Some((t, f)) = time_word(&noun) {
            base = t.to_string();
            factor /= f;
        }
        Found {
            base: format!("{currency}/{base}"),
            dimension: Dimension::UnitPrice,
            factor,
            end: k,
        }
    }

    /// What a price is per, at `k`: a capacity unit (with its factor to TB), a counted noun,
    /// `GPU-hour`, or a time word. Returns (name, capacity factor, next).
    fn denominator(&self, k: usize) -> Option<(String, Option<f64>, usize)> {
        for (pat, unit) in unit_patterns() {
            if unit.dimension != Dimension::Capacity {
                continue;
            }
            if let Some(end) = self.matches(k, pat, unit.case) {
                return Some(("GB".to_string(), Some(unit.factor), end));
            }
        }
        if let Some(f) = self.counted_noun(k) {
            return Some((f.base, None, f.end));
        }
        let w = self.word(k)?;
        if let Some(m) = model_name(w) {
            return Some((m.to_string(), None, k + 1));
        }
        time_word(w).map(|_| (w.to_lowercase(), None, k + 1))
    }

    /// `per node`, `/rack`, `per month` after a unit: (noun, next).
    fn per_noun(&self, j: usize) -> Option<(String, usize)> {
        let per = self.word(j).is_some_and(|w| w.eq_ignore_ascii_case("per"))
            || (self.sym(j) == Some('/') && self.glued(j) && self.glued(j + 1));
        if !per {
            return None;
        }
        if let Some(f) = self.counted_noun(j + 1) {
            return Some((f.base, f.end));
        }
        let (t, _) = time_word(self.word(j + 1)?)?;
        Some((t.to_string(), j + 2))
    }

    /// `2025 customers`: a year, not a count.
    fn year_like(&self, i: usize, dimension: Dimension, scale: f64) -> bool {
        let t = self.toks[i];
        dimension == Dimension::Count
            && scale == 1.0
            && t.end - t.start == 4
            && self.num(i).is_some_and(|v| (1900.0..=2199.0).contains(&v))
    }

    /// `A100 80GB`: the capacity names a model variant.
    fn model_variant(&self, start: usize, dimension: Dimension) -> bool {
        dimension == Dimension::Capacity
            && start > 0
            && self.word(start - 1).and_then(model_name).is_some()
    }
}

/// A model name (`H100`, `H100s`, `MI300X`, `AI400X3`): starts with a letter, has letters
/// and digits. The name without a plural `s`.
pub(super) fn model_name(w: &str) -> Option<&str> {
    let first = w.chars().next()?;
    if !first.is_ascii_uppercase() || !w.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    if !w.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some(match w.strip_suffix('s') {
        Some(s) if s.chars().any(|c| c.is_ascii_digit()) => s,
        _ => w,
    })
}

/// A time a price or rate is per: (name, factor to that name's base: a year is 12 months).
fn time_word(w: &str) -> Option<(&'static str, f64)> {
    Some(match w.to_lowercase().as_str() {
        "hour" | "hr" | "h" | "hours" => ("hour", 1.0),
        "day" | "days" => ("day", 1.0),
        "month" | "mo" | "months" => ("month", 1.0),
        "year" | "yr" | "years" => ("month", 12.0),
        _ => return None,
    })
}
