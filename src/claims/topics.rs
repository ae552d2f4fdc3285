//! Topics that name a dimension: `--about "read throughput"` is about every throughput
//! claim, including "booth slide claimed over 2 TB/s" which shares no word with the topic.
//!
//! The synonym table is data ([`TOPICS`]): a few words per dimension, matched against the
//! stems of the topic's own words (so `pricing`, `prices` and `price` are one), as whole
//! phrases (`read speed`). Precision is the point of keeping it small: `price` names unit
//! prices, money, and percentages stated as a discount, never capacity, so a pricing topic
//! cannot pull in "650 PB".

use super::quantity::{Axis, Dimension, Quantity};
use crate::index::schema;
use crate::search::query::{self, Occur, Target};
use std::collections::BTreeSet;

/// One row of the synonym table.
#[derive(Debug, Clone, Copy)]
pub struct Topic {
    /// Words and phrases that name it.
    pub names: &'static [&'static str],
    /// The dimensions they name.
    pub dimensions: &'static [Dimension],
    /// Percentages count when stated as a discount or price cut (see
    /// [`super::units::DISCOUNT_CUES`]).
    pub discounts: bool,
}

use Dimension::*;

/// The synonym table.
pub const TOPICS: &[Topic] = &[
    Topic {
        names: &[
            "throughput",
            "bandwidth",
            "read speed",
            "write speed",
            "speed",
            "read performance",
            "write performance",
            "GB/s",
        ],
        dimensions: &[Throughput],
        discounts: false,
    },
    Topic {
        names: &["iops", "operations per second"],
        dimensions: &[Iops],
        discounts: false,
    },
    Topic {
        names: &["price", "pricing", "cost", "costs", "discount", "licensing"],
        dimensions: &[UnitPrice, Money],
        discounts: true,
    },
    Topic {
        names: &["capacity", "size", "footprint"],
        dimensions: &[Capacity],
        discounts: false,
    },
    Topic {
        names: &["power", "megawatts", "energy"],
        dimensions: &[Power],
        discounts: false,
    },
    Topic {
        names: &["latency", "ttft", "time to first token", "response time"],
        dimensions: &[Latency],
        discounts: false,
    },
];

/// What a topic names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Named {
    /// Dimensions named.
    pub dimensions: BTreeSet<Dimension>,
    /// Discount percentages count.
    pub discounts: bool,
    /// The table names that matched, for `--explain`.
    pub by: Vec<&'static str>,
}

impl Named {
    /// Reads the topic's positive words (`+word` and plain words; `-word`s and fielded
    /// clauses name nothing) against [`TOPICS`].
    pub fn from_topic(topic: &str) -> Named {
        let Ok(clauses) = query::parse(topic) else {
            return Named::default();
        };
        let words: Vec<Vec<String>> = clauses
            .iter()
            .filter(|c| c.occur != Occur::MustNot && matches!(c.target, Target::All | Target::Text))
            .map(|c| stems(&c.value))
            .collect();
        let mut named = Named::default();
        for t in TOPICS {
            for name in t.names {
                let pat = stems(name);
                if !pat.is_empty() && words.iter().any(|w| w.windows(pat.len()).any(|x| x == pat)) {
                    named.dimensions.extend(t.dimensions);
                    named.discounts |= t.discounts;
                    named.by.push(name);
                }
            }
        }
        named
    }

    /// Nothing named.
    pub fn is_empty(&self) -> bool {
        self.dimensions.is_empty() && !self.discounts
    }

    /// Is this quantity one the topic names?
    pub fn covers(&self, q: &Quantity) -> bool {
        self.dimensions.contains(&q.dimension)
            || (self.discounts
                && q.dimension == Dimension::Percent
                && q.aspect(Axis::Discount).is_some())
    }
}

/// The `quarry_en` stems of a phrase (`Pricing` → `price`).
fn stems(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    schema::en_analyzer()
        .token_stream(text)
        .process(&mut |t| out.push(t.text.clone()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::quantity::parse;
    use rstest::rstest;

    #[rstest]
    #[case("read throughput", &[Throughput], false)]
    #[case("bandwidth", &[Throughput], false)]
    #[case("read speed", &[Throughput], false)]
    #[case("pricing", &[UnitPrice, Money], true)]
    #[case("Prices", &[UnitPrice, Money], true)]
    #[case("cost per TB", &[UnitPrice, Money], true)]
    #[case("capacity", &[Capacity], false)]
    #[case("power", &[Power], false)]
    #[case("TTFT", &[Latency], false)]
    #[case("latency", &[Latency], false)]
    #[case("metadata", &[], false)]
    #[case("-pricing metadata", &[], false)]
    #[case("title:pricing", &[], false)]
    #[case("\"open", &[], false)]
    fn topics_name_dimensions(
        #[case] topic: &str,
        #[case] dims: &[Dimension],
        #[case] discounts: bool,
    ) {
        let n = Named::from_topic(topic);
        assert_eq!(n.dimensions, dims.iter().copied().collect(), "{topic}");
        assert_eq!(n.discounts, discounts, "{topic}");
    }

    #[test]
    fn pricing_covers_prices_and_discounts_not_capacity() {
        let pricing = Named::from_topic("pricing");
        let covered = |text: &str| parse(text).iter().any(|q| pricing.covers(q));
        assert!(covered("Acme quoted $0.017 per GB-month"));
        assert!(covered("a $1.2M three-year deal"));
        assert!(covered("WEKA undercut our quote by about 40%"));
        assert!(!covered("Acme's archive tier holds 650 PB"));
        assert!(!covered("GPU utilisation sits at 22%"));
        assert!(!covered("over 2 TB/s for a 20-node cluster"));
    }
}
