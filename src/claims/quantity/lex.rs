//! Tokens of the quantity grammar, the tables tokenised the same way, and the cursor the
//! grammar reads them with.

use super::Qualifier;
use crate::claims::units::{self, Case, Unit};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
    /// A number; digits with `,` thousands separators and one `.`.
    Num(f64),
    /// A run of letters and digits starting with a letter (`H100`, `GB`), or a version.
    Word,
    /// Any other character.
    Sym(char),
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    pub(super) kind: Kind,
    pub(super) start: usize,
    pub(super) end: usize,
    /// Whitespace before it.
    pub(super) space: bool,
}

pub(super) fn tokenize(text: &str) -> Vec<Tok> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut space = true;
    let mut i = 0;
    while i < b.len() {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if c.is_whitespace() {
            space = true;
            i += c.len_utf8();
            continue;
        }
        let (kind, end) = if c.is_ascii_digit() {
            number(text, i)
        } else if c.is_alphanumeric() {
            let len: usize = text[i..]
                .chars()
                .take_while(|c| c.is_alphanumeric())
                .map(char::len_utf8)
                .sum();
            (Kind::Word, i + len)
        } else {
            (Kind::Sym(c), i + c.len_utf8())
        };
        out.push(Tok {
            kind,
            start: i,
            end,
            space,
        });
        space = false;
        i = end;
    }
    out
}

/// The number starting at `i`: digits, `,` before exactly three digits, one `.` before a
/// digit. A second `.` makes it a version (`1.2.3`), which is a word, not a number.
fn number(text: &str, i: usize) -> (Kind, usize) {
    let b = text.as_bytes();
    let digit = |j: usize| j < b.len() && b[j].is_ascii_digit();
    let mut j = i;
    while digit(j) {
        j += 1;
    }
    while j < b.len() && b[j] == b',' && (1..=3).all(|k| digit(j + k)) && !digit(j + 4) {
        j += 4;
    }
    if j < b.len() && b[j] == b'.' && digit(j + 1) {
        j += 1;
        while digit(j) {
            j += 1;
        }
        if j < b.len() && b[j] == b'.' && digit(j + 1) {
            while digit(j) || (j < b.len() && b[j] == b'.' && digit(j + 1)) {
                j += 1;
            }
            return (Kind::Word, j);
        }
    }
    let value = text[i..j].replace(',', "").parse().unwrap_or(0.0);
    (Kind::Num(value), j)
}

/// A spelling from the tables, tokenised like the text.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Pat {
    W(String),
    S(char),
}

pub(super) fn pattern(s: &str) -> Vec<Pat> {
    tokenize(s)
        .into_iter()
        .map(|t| match t.kind {
            Kind::Sym(c) => Pat::S(c),
            _ => Pat::W(s[t.start..t.end].to_string()),
        })
        .collect()
}

/// The unit table, tokenised, longest spellings first and exact before folded.
pub(super) fn unit_patterns() -> &'static [(Vec<Pat>, &'static Unit)] {
    static CELL: OnceLock<Vec<(Vec<Pat>, &'static Unit)>> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut v: Vec<(Vec<Pat>, &'static Unit)> = units::UNITS
            .iter()
            .map(|u| (pattern(u.pattern), u))
            .collect();
        v.sort_by_key(|(p, u)| (std::cmp::Reverse(p.len()), u.case != Case::Exact));
        v
    })
}

/// A lowercase phrase table, tokenised, longest first.
fn phrases<T: Copy + Send + Sync + 'static>(
    cell: &'static OnceLock<Vec<(Vec<Pat>, T)>>,
    table: &[(&'static str, T)],
) -> &'static [(Vec<Pat>, T)] {
    cell.get_or_init(|| {
        let mut v: Vec<(Vec<Pat>, T)> = table.iter().map(|(s, t)| (pattern(s), *t)).collect();
        v.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        v
    })
}

pub(super) fn qualifier_patterns() -> &'static [(Vec<Pat>, Qualifier)] {
    static CELL: OnceLock<Vec<(Vec<Pat>, Qualifier)>> = OnceLock::new();
    phrases(&CELL, units::QUALIFIERS)
}

/// A tokenised phrase table.
type Phrases<T> = OnceLock<Vec<(Vec<Pat>, T)>>;

pub(super) fn vague_patterns() -> &'static [(Vec<Pat>, (f64, f64))] {
    static CELL: Phrases<(f64, f64)> = OnceLock::new();
    let table: Vec<(&'static str, (f64, f64))> = units::VAGUE_AMOUNTS
        .iter()
        .map(|&(s, lo, hi)| (s, (lo, hi)))
        .collect();
    phrases(&CELL, &table)
}

pub(super) fn count_patterns() -> &'static [(Vec<Pat>, &'static str)] {
    static CELL: OnceLock<Vec<(Vec<Pat>, &'static str)>> = OnceLock::new();
    let table: Vec<(&'static str, &'static str)> = units::COUNT_NOUNS
        .iter()
        .flat_map(|(forms, name)| forms.iter().map(move |f| (*f, *name)))
        .collect();
    phrases(&CELL, &table)
}

/// The grammar's cursor over a passage's tokens.
pub(super) struct Parser<'a> {
    pub(super) text: &'a str,
    pub(super) toks: &'a [Tok],
}

impl Parser<'_> {
    pub(super) fn s(&self, i: usize) -> &str {
        let t = self.toks[i];
        &self.text[t.start..t.end]
    }

    pub(super) fn word(&self, i: usize) -> Option<&str> {
        (i < self.toks.len() && self.toks[i].kind == Kind::Word).then(|| self.s(i))
    }

    pub(super) fn sym(&self, i: usize) -> Option<char> {
        match self.toks.get(i)?.kind {
            Kind::Sym(c) => Some(c),
            _ => None,
        }
    }

    pub(super) fn num(&self, i: usize) -> Option<f64> {
        match self.toks.get(i)?.kind {
            Kind::Num(v) => Some(v),
            _ => None,
        }
    }

    pub(super) fn glued(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.space)
    }

    /// Does `pat` match at token `i`? Returns the index after it.
    pub(super) fn matches(&self, i: usize, pat: &[Pat], case: Case) -> Option<usize> {
        for (k, p) in pat.iter().enumerate() {
            let j = i + k;
            let t = self.toks.get(j)?;
            let ok = match (p, t.kind) {
                (Pat::S(c), Kind::Sym(d)) => *c == d,
                (Pat::W(w), Kind::Word) => match case {
                    Case::Exact => self.s(j) == w,
                    Case::Fold => fold_eq(self.s(j), w),
                },
                _ => false,
            };
            if !ok {
                return None;
            }
        }
        Some(i + pat.len())
    }

    /// A phrase of the lowercase tables ending right before token `end`.
    pub(super) fn phrase_before<T: Copy>(
        &self,
        end: usize,
        table: &[(Vec<Pat>, T)],
    ) -> Option<(T, usize)> {
        table.iter().find_map(|(pat, t)| {
            let start = end.checked_sub(pat.len())?;
            self.matches(start, pat, Case::Fold).map(|_| (*t, start))
        })
    }
}

/// Case-insensitive equality without allocating for ASCII (nearly every unit and word).
fn fold_eq(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}
