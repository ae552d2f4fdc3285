//! Quantities in a passage: `over 2 TB/s`, `650 PB`, `$0.017 per GB-month`, `35-40%`.
//!
//! A small grammar over a token list (numbers, words, symbols, each with its byte span),
//! driven by the tables in [`super::units`]:
//!
//! ```text
//! quantity  := [qualifier] [currency] amount [scale] [range] unit [per]
//!            | [qualifier] currency amount [scale] [range] [currency-word] [per denominator]
//! amount    := number | vague            (1,024  0.7  "several hundred")
//! range     := ("-" | "–" | "to") [currency] number [scale]      (35-40%, $1-2M)
//! unit      := a unit of UNITS | a counted noun | a model name in the plural (H100s)
//! per       := ("per" | "/") (counted noun | time word)          (80 GB/s per node)
//! ```
//!
//! Every quantity has a value in its dimension's base unit (`1.1 TB/s` is 1,100 GB/s), so
//! `1.1 TB/s` and `1,100 GB/s` compare equal. A quantity needs a unit, a currency or `%`:
//! bare numbers are left out, and so are dates (`2025-03-21`, `2024-11`), quarters and years
//! (`Q3`, `2025 customers`), model names (`H100`, `AI400X3`: a number glued after letters is
//! part of a name), versions (`1.2.3`), a capacity that follows a model name (`A100 80GB`
//! names a part), and form factors and port classes: `2U`, `4RU`, `400GbE` name the box or
//! the link, not a claim about it, so `U`, `RU` and `GbE` are no units.
//!
//! Once parsed, each quantity learns from its clause (the words up to the next comma,
//! semicolon, dash, bracket or `but`/`and`/`vs`) what it is about: its aspects (`peak` or
//! `sustained`, `read` or `write`, `raw` or `usable`, a `phase 2` or `Tier 0` subject),
//! whether a percentage is a discount, whether a time is a latency (`TTFT`, `p99`), and
//! whether it is an earlier value the passage cites (`down from 1.2 TB/s`).

mod clause;
mod grammar;
mod lex;
#[cfg(test)]
mod tests;

use lex::{tokenize, Parser};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// What a quantity measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Data rate (base GB/s).
    Throughput,
    /// Operations per second.
    Iops,
    /// Stored data (base TB).
    Capacity,
    /// Electrical power (base MW).
    Power,
    /// Money per something (`$0.017 per GB-month`; base `USD/GB-month` and the like).
    UnitPrice,
    /// An amount of money (base USD, EUR or GBP; no exchange rates).
    Money,
    /// A percentage (`%`, or `pp` for percentage points).
    Percent,
    /// A latency (base ms).
    Latency,
    /// A span of time (base s).
    Duration,
    /// A multiple (`2.4x`).
    Ratio,
    /// A count of things (`512 GPUs`, `20-node`).
    Count,
}

impl Dimension {
    /// Every dimension.
    pub const ALL: [Dimension; 11] = [
        Dimension::Throughput,
        Dimension::Iops,
        Dimension::Capacity,
        Dimension::Power,
        Dimension::UnitPrice,
        Dimension::Money,
        Dimension::Percent,
        Dimension::Latency,
        Dimension::Duration,
        Dimension::Ratio,
        Dimension::Count,
    ];

    /// The name used in JSON (`unit_price`).
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Throughput => "throughput",
            Dimension::Iops => "iops",
            Dimension::Capacity => "capacity",
            Dimension::Power => "power",
            Dimension::UnitPrice => "unit_price",
            Dimension::Money => "money",
            Dimension::Percent => "percent",
            Dimension::Latency => "latency",
            Dimension::Duration => "duration",
            Dimension::Ratio => "ratio",
            Dimension::Count => "count",
        }
    }

    /// The name shown to people (`unit price`).
    pub fn label(self) -> &'static str {
        match self {
            Dimension::UnitPrice => "unit price",
            Dimension::Iops => "IOPS",
            d => d.as_str(),
        }
    }
}

/// An approximation word: the value is not exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Qualifier {
    /// `about`, `roughly`, `~`.
    #[serde(rename = "about")]
    About,
    /// `over`, `more than`, `at least`, `2 TB/s+`.
    #[serde(rename = "over")]
    Over,
    /// `up to`, `as much as`.
    #[serde(rename = "up to")]
    UpTo,
    /// `under`, `less than`.
    #[serde(rename = "under")]
    Under,
    /// A vague amount: `several hundred`, `hundreds of`.
    #[serde(rename = "several")]
    Several,
}

impl Qualifier {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Qualifier::About => "about",
            Qualifier::Over => "over",
            Qualifier::UpTo => "up to",
            Qualifier::Under => "under",
            Qualifier::Several => "several",
        }
    }
}

/// Which way of measuring a dimension a word names (see [`units::ASPECTS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Axis {
    /// peak, sustained, average.
    Mode,
    /// read or write.
    Op,
    /// raw, usable, effective, list.
    Basis,
    /// A percentage stated as a discount or price cut.
    Discount,
    /// `phase 2`, `tier 0`.
    Subject,
}

/// One quantity found in a passage.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// The words it was read from (`over 2 TB/s`), approximation word included.
    pub text: String,
    /// Where `text` is in the passage, in bytes.
    pub span: Range<usize>,
    /// Value in the base unit; the low end of a range.
    pub value: f64,
    /// The high end of a range, in the base unit.
    pub high: Option<f64>,
    /// The base unit (`GB/s`, `TB`, `USD/GB-month`, `GB/s/node`, `GPU`).
    pub unit: String,
    /// What it measures.
    pub dimension: Dimension,
    /// Approximation word, if any.
    pub qualifier: Option<Qualifier>,
    /// Aspects named in its clause (or, when the passage names only one of an axis, in the
    /// passage), one per axis, sorted by axis.
    pub aspects: Vec<(Axis, String)>,
    /// An earlier value the passage cites (`down from 1.2 TB/s`), not what it claims now.
    pub prior: bool,
    /// Written as a modifier of a noun with a hyphen (`a 24-hour test`, `a 20-node
    /// cluster`): it describes the setting of a claim more often than the claim.
    pub modifier: bool,
}

impl Quantity {
    /// The middle of a range, else the value.
    pub fn mid(&self) -> f64 {
        self.high.map_or(self.value, |h| (self.value + h) / 2.0)
    }

    /// The aspect named for `axis`.
    pub fn aspect(&self, axis: Axis) -> Option<&str> {
        self.aspects
            .iter()
            .find(|(a, _)| *a == axis)
            .map(|(_, v)| v.as_str())
    }
}

/// A base-unit value for people: four significant digits, thousands separated
/// (`1,200`, `0.045`, `1.6e-5` stays readable as `0.000016`).
pub fn show_value(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let r: f64 = format!("{v:.3e}").parse().unwrap_or(v);
    if r.abs() >= 1000.0 && r.fract() == 0.0 && r.abs() < 1e15 {
        let digits = format!("{}", r.abs() as u64);
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        return if r < 0.0 { format!("-{out}") } else { out };
    }
    format!("{r}")
}

/// Every quantity in `text`, in order.
pub fn parse(text: &str) -> Vec<Quantity> {
    let toks = tokenize(text);
    let p = Parser { text, toks: &toks };
    let mut out: Vec<(Quantity, Range<usize>)> = Vec::new();
    let mut i = 0;
    let mut floor = 0;
    while i < toks.len() {
        if let Some(skip) = p.date_len(i) {
            i += skip;
            floor = i;
            continue;
        }
        match p.quantity_at(i, floor) {
            Some((q, toks_range)) => {
                i = toks_range.end;
                floor = i;
                out.push((q, toks_range));
            }
            None => i += 1,
        }
    }
    let clauses = clause::clauses(text, &toks);
    let all: Vec<Range<usize>> = out.iter().map(|(_, r)| r.clone()).collect();
    out.into_iter()
        .map(|(mut q, r)| {
            p.annotate(&mut q, &r, &clauses, &all);
            q
        })
        .collect()
}
