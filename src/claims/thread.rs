//! Threads: an entity's claims about one thing, oldest first, with the newest marked
//! `latest`, every later claim's change from the one before, and restatements folded.
//!
//! **Which thread.** A claim is about its *primary* quantity: the first it states now (not an
//! earlier value it cites, as in `down from 1.2 TB/s`) whose dimension the `--about` topic
//! names, else its first that is neither a count nor a hyphenated modifier (`2 TB/s for a
//! 20-node cluster` is a throughput claim, and so is `after a 24-hour soak, 900 GB/s`),
//! else its first that is no modifier. A passage whose only quantities are modifiers is a
//! statement. Claims whose primary quantities share dimension, unit (`GB/s`,
//! `GB/s/node`, `USD/GB-month`, `GPU`) and aspects (`peak`/`sustained`, `read`/`write`,
//! `raw`/`usable`, a `phase 2` subject, a discount) form a thread. A claim that names fewer
//! aspects than others joins the one thread that names all of its aspects and more, when
//! there is exactly one such (so "400 GB/s read" and a later "310 GB/s sustained read" are
//! one thread; with both a peak and a sustained thread it stays apart, being neither).
//! Claims without any quantity form one group of statements, folded by wording only.
//!
//! **Folding.** Inside a thread a claim folds under the thread's current entry when its
//! primary quantity equals the entry's after normalisation and rounding to three significant
//! digits (`1.1 TB/s` = `1,100 GB/s`), whatever other numbers either carries (a date, `2U`,
//! a node count). A changed value never folds; a value that comes back after a change is a
//! new entry (a change back), because `latest` must be what was said last. Statements fold
//! by [`super::fold`]'s rule (same numbers, mostly the same words).
//!
//! **Cost.** Sorting is `O(n log n)`; grouping is one hash lookup per claim; the aspect merge
//! compares the distinct aspect sets of one dimension and unit (a handful, bounded by the
//! aspect vocabulary, not by the vault); folding looks at one entry per claim. Statements go
//! through [`super::fold::fold`], which buckets by number set and prefix-filters by rare words.
//! Nothing is quadratic in the number of passages.

use super::about::Why;
use super::dates::ClaimDate;
use super::fold::{self, KeyMaker};
use super::quantity::{show_value, Axis, Dimension, Quantity};
use super::topics::Named;
use crate::date::Period;
use crate::search::Hit;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// One passage, with what `claims` reads from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// The passage.
    pub hit: Hit,
    /// Its own date.
    pub date: ClaimDate,
    /// Its quantities, in order.
    pub quantities: Vec<Quantity>,
    /// Index of its primary quantity (see the module doc).
    pub primary: Option<usize>,
    /// Why it is about `--about`'s topic, when one was given.
    pub about: Option<Why>,
    /// Why that quantity, for `--explain`.
    primary_why: &'static str,
}

impl Claim {
    /// Reads a passage: its date and quantities, and its primary quantity given the topic.
    pub fn new(hit: Hit, quantities: Vec<Quantity>, topic: Option<&Named>) -> Claim {
        let date = ClaimDate::of(&hit.text, &hit.section, hit.date.as_deref());
        let now: Vec<usize> = (0..quantities.len())
            .filter(|&i| !quantities[i].prior)
            .collect();
        let pool = if now.is_empty() {
            (0..quantities.len()).collect()
        } else {
            now
        };
        let by_topic = topic.and_then(|t| pool.iter().copied().find(|&i| t.covers(&quantities[i])));
        let plain = |i: &usize| !quantities[*i].modifier;
        let measure = |i: &usize| plain(i) && quantities[*i].dimension != Dimension::Count;
        let (primary, primary_why) = match by_topic {
            Some(i) => (Some(i), "its first quantity of a dimension the topic names"),
            None => match pool.iter().copied().find(measure) {
                Some(i) if i == pool[0] => (Some(i), "its first quantity"),
                Some(i) => (
                    Some(i),
                    "its first quantity that is not a count or a modifier (24-hour, 20-node)",
                ),
                // Only modifiers (`a 24-hour run`): they set the scene of a statement.
                None => (pool.iter().copied().find(plain), "its first quantity"),
            },
        };
        Claim {
            hit,
            date,
            quantities,
            primary,
            about: None,
            primary_why,
        }
    }

    /// The primary quantity.
    pub fn primary(&self) -> Option<&Quantity> {
        self.primary.map(|i| &self.quantities[i])
    }

    /// Timeline order: dated before undated, then by date, path and line.
    fn order(&self) -> (bool, Option<Period>, &str, u64) {
        (
            self.date.period.is_none(),
            self.date.period,
            self.hit.path.as_str(),
            self.hit.line,
        )
    }
}

/// What makes a thread: dimension, unit and aspects of the primary quantity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ThreadKey {
    /// Dimension.
    pub dimension: Dimension,
    /// Base unit, with what it is per (`GB/s/node`).
    pub unit: String,
    /// Aspects, sorted by axis.
    pub aspects: Vec<(Axis, String)>,
}

impl ThreadKey {
    fn of(q: &Quantity) -> ThreadKey {
        ThreadKey {
            dimension: q.dimension,
            unit: q.unit.clone(),
            aspects: q.aspects.clone(),
        }
    }

    /// For people: `throughput · sustained read`, `throughput per node`, `unit price per
    /// GB-month`, `GPU count`, `percent · discount`.
    pub fn label(&self) -> String {
        let mut s = match self.dimension {
            Dimension::Count => format!("{} count", self.unit.split('/').next().unwrap_or("")),
            Dimension::UnitPrice => {
                let (cur, per) = self.unit.split_once('/').unwrap_or((&self.unit, ""));
                let cur = if cur == "USD" {
                    String::new()
                } else {
                    format!(" ({cur})")
                };
                format!("unit price per {per}{cur}")
            }
            Dimension::Money if self.unit != "USD" => format!("money ({})", self.unit),
            d => d.label().to_string(),
        };
        if self.unit == "pp" {
            s.push_str(" points");
        }
        if let Some(per) = self.per() {
            s.push_str(&format!(" per {per}"));
        }
        let aspects = aspects_text(self);
        if !aspects.is_empty() {
            s.push_str(" · ");
            s.push_str(&aspects);
        }
        s
    }

    /// What a rate is per (`node` of `GB/s/node`); prices say it in their label already.
    fn per(&self) -> Option<&str> {
        /// Base units that hold no `/` of their own, and `GB/s`, which does.
        const BASES: &[&str] = &["GB/s", "IOPS", "TB", "MW", "ms", "s", "x", "%", "pp"];
        match self.dimension {
            Dimension::UnitPrice | Dimension::Money => None,
            Dimension::Count => self.unit.split_once('/').map(|(_, per)| per),
            _ => BASES.iter().find_map(|b| {
                self.unit
                    .strip_prefix(b)
                    .and_then(|rest| rest.strip_prefix('/'))
            }),
        }
    }

    /// Does `other` name every aspect this one names, and more?
    fn within(&self, other: &ThreadKey) -> bool {
        self.aspects.len() < other.aspects.len()
            && self.aspects.iter().all(|a| other.aspects.contains(a))
    }
}

/// Which way a value moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Higher than before.
    Up,
    /// Lower than before.
    Down,
    /// The same middle, another range.
    Changed,
}

/// How a claim differs from the one before it in its thread.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The earlier claim's primary quantity, as written.
    pub from: String,
    /// Its date.
    pub from_date: Option<Period>,
    /// Which way.
    pub direction: Direction,
    /// Whole months between the two dates, when both are dated.
    pub months: Option<i32>,
}

/// A restatement folded under an entry, and why it folded.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    /// The passage.
    pub claim: Claim,
    /// Why it folded.
    pub why: String,
}

/// One claim of a thread: the first passage stating it and its restatements.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The first passage stating it.
    pub claim: Claim,
    /// The newest claim of its thread.
    pub latest: bool,
    /// How it differs from the claim before it in its thread.
    pub change: Option<Change>,
    /// Restatements, oldest first.
    pub also: Vec<Seen>,
    /// Why it is dated, threaded and kept apart as it is (`--explain`).
    pub why: Vec<String>,
}

/// Claims about one thing, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Thread {
    /// Dimension, unit and aspects; `None` for the statements without a quantity.
    pub key: Option<ThreadKey>,
    /// For people: [`ThreadKey::label`], or `statements`.
    pub label: String,
    /// Entries, oldest first.
    pub entries: Vec<Entry>,
}

/// Groups claims into threads (see the module doc); `names` are the entity's names, which
/// statements' wording is compared without. Threads come in the order of their first
/// claim, statements last.
pub fn build(mut claims: Vec<Claim>, names: &[String]) -> Vec<Thread> {
    claims.sort_by(|a, b| a.order().cmp(&b.order()));
    let (with, without): (Vec<Claim>, Vec<Claim>) =
        claims.into_iter().partition(|c| c.primary.is_some());
    let mut out = quantity_threads(with);
    if !without.is_empty() {
        out.push(statements(without, names));
    }
    out
}

/// A claim of a thread, with how it joined a wider thread, if it did.
type Member = (Claim, Option<String>);

fn quantity_threads(claims: Vec<Claim>) -> Vec<Thread> {
    let keys: Vec<ThreadKey> = claims
        .iter()
        .map(|c| ThreadKey::of(c.primary().expect("partitioned")))
        .collect();
    let merged = merge_targets(&keys);
    let mut index: HashMap<ThreadKey, usize> = HashMap::new();
    let mut groups: Vec<(ThreadKey, Vec<Member>)> = Vec::new();
    for (claim, key) in claims.into_iter().zip(keys) {
        let (target, note) = match merged.get(&key) {
            Some(t) => (
                t.clone(),
                Some(format!(
                    "it names {}, and one thread names that and more: {}",
                    if key.aspects.is_empty() {
                        "no aspect".to_string()
                    } else {
                        aspects_text(&key)
                    },
                    aspects_text(t)
                )),
            ),
            None => (key, None),
        };
        let g = *index.entry(target.clone()).or_insert_with(|| {
            groups.push((target, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push((claim, note));
    }
    groups
        .into_iter()
        .map(|(key, members)| fold_thread(key, members))
        .collect()
}

fn aspects_text(k: &ThreadKey) -> String {
    let v: Vec<&str> = k.aspects.iter().map(|(_, v)| v.as_str()).collect();
    v.join(" ")
}

/// For each key that names fewer aspects than others of its dimension and unit, the one key
/// it joins: the only maximal key naming all of its aspects and more.
fn merge_targets(keys: &[ThreadKey]) -> HashMap<ThreadKey, ThreadKey> {
    let mut by_family: HashMap<(Dimension, &str), BTreeSet<&ThreadKey>> = HashMap::new();
    for k in keys {
        by_family
            .entry((k.dimension, k.unit.as_str()))
            .or_default()
            .insert(k);
    }
    let mut out = HashMap::new();
    for family in by_family.values() {
        for k in family {
            let wider: Vec<&&ThreadKey> = family.iter().filter(|o| k.within(o)).collect();
            let maximal: Vec<&&ThreadKey> = wider
                .iter()
                .copied()
                .filter(|o| !wider.iter().any(|w| o.within(w)))
                .collect();
            if let [only] = maximal[..] {
                out.insert((*k).clone(), (*only).clone());
            }
        }
    }
    out
}

/// Rounds a base-unit value to three significant digits, for equality.
fn rounded(v: f64) -> String {
    format!("{v:.2e}")
}

fn same_value(a: &Quantity, b: &Quantity) -> bool {
    rounded(a.value) == rounded(b.value) && a.high.map(rounded) == b.high.map(rounded)
}

/// A quantity for `--explain`: `1.2 TB/s (1,200 GB/s)`.
fn shown(q: &Quantity) -> String {
    let base = match q.high {
        Some(h) => format!("{}-{} {}", show_value(q.value), show_value(h), q.unit),
        None => format!("{} {}", show_value(q.value), q.unit),
    };
    if q.text.contains(&base) {
        q.text.clone()
    } else {
        format!("{} ({base})", q.text)
    }
}

fn where_(c: &Claim) -> String {
    format!("{}:{}", c.hit.path, c.hit.line)
}

/// Folds a thread's claims (in timeline order) and marks `latest` and changes.
fn fold_thread(key: ThreadKey, members: Vec<Member>) -> Thread {
    let label = key.label();
    let mut entries: Vec<Entry> = Vec::new();
    for (claim, merge_note) in members {
        let q = claim.primary().expect("threaded claims have one").clone();
        if let Some(last) = entries.last_mut() {
            let head = last.claim.primary().expect("threaded").clone();
            if same_value(&head, &q) {
                let why = format!(
                    "folded: {} states {}, the same as {}{}",
                    where_(&claim),
                    shown(&q),
                    where_(&last.claim),
                    if head.text == q.text {
                        String::new()
                    } else {
                        format!(" ({})", head.text)
                    }
                );
                last.also.push(Seen { claim, why });
                continue;
            }
        }
        let mut why = vec![claim.date.explain()];
        why.extend(
            claim
                .about
                .map(|w| format!("about the topic: {}", w.as_str())),
        );
        why.push(format!(
            "thread {label}: from {}, {}{}",
            q.text,
            claim.primary_why,
            merge_note.map(|n| format!("; {n}")).unwrap_or_default()
        ));
        let change = entries.last().map(|prev| {
            let p = prev.claim.primary().expect("threaded");
            why.push(format!(
                "not folded into {}: {} there, {} here",
                where_(&prev.claim),
                shown(p),
                shown(&q)
            ));
            Change {
                from: p.text.clone(),
                from_date: prev.claim.date.period,
                direction: if q.mid() > p.mid() {
                    Direction::Up
                } else if q.mid() < p.mid() {
                    Direction::Down
                } else {
                    Direction::Changed
                },
                months: prev
                    .claim
                    .date
                    .period
                    .zip(claim.date.period)
                    .map(|(a, b)| a.months_until(b)),
            }
        });
        entries.push(Entry {
            claim,
            latest: false,
            change,
            also: Vec::new(),
            why,
        });
    }
    // The newest dated entry is the latest; with none dated, the last.
    let latest = entries
        .iter()
        .rposition(|e| e.claim.date.period.is_some())
        .unwrap_or(entries.len().saturating_sub(1));
    if let Some(e) = entries.get_mut(latest) {
        e.latest = true;
    }
    Thread {
        key: Some(key),
        label,
        entries,
    }
}

/// The statements without a quantity, folded by wording ([`fold::fold`]).
fn statements(claims: Vec<Claim>, names: &[String]) -> Thread {
    let mut maker = KeyMaker::new(names.iter().map(String::as_str));
    let keys: Vec<fold::ClaimKey> = claims.iter().map(|c| maker.key(&c.hit.text)).collect();
    let notes: Vec<&str> = claims.iter().map(|c| c.hit.path.as_str()).collect();
    let groups = fold::fold(&keys, &notes);
    let mut slots: Vec<Option<Claim>> = claims.into_iter().map(Some).collect();
    let entries = groups
        .into_iter()
        .map(|g| {
            let head_key = &keys[g[0]];
            let mut members = g.iter().map(|&i| (i, slots[i].take().expect("one group each")));
            let (_, claim) = members.next().expect("groups are not empty");
            let also = members
                .map(|(i, c)| {
                    let shared = head_key.words.intersection(&keys[i].words).count();
                    let why = format!(
                        "folded: {} has the same numbers and shares {shared} of its content words with {} (overlap {:.2})",
                        where_(&c),
                        where_(&claim),
                        fold::overlap(&head_key.words, &keys[i].words),
                    );
                    Seen { claim: c, why }
                })
                .collect();
            let mut why = vec![claim.date.explain()];
            why.extend(claim.about.map(|w| format!("about the topic: {}", w.as_str())));
            why.push("no quantity: a statement, folded only with copies and recaps (same numbers, mostly the same words)".to_string());
            Entry {
                claim,
                latest: false,
                change: None,
                also,
                why,
            }
        })
        .collect();
    Thread {
        key: None,
        label: "statements".to_string(),
        entries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::quantity::parse;

    fn claim(text: &str, date: Option<&str>, path: &str, line: u64, section: &str) -> Claim {
        let hit = Hit {
            path: path.into(),
            line,
            line_end: line,
            title: "T".into(),
            date: date.map(str::to_string),
            account: None,
            tags: Vec::new(),
            section: section.into(),
            kind: "fact".into(),
            task: None,
            text: text.into(),
            score: 0.0,
            explain: None,
            pid: 0,
            participants: Vec::new(),
            source: None,
            ..Hit::default()
        };
        let qs = parse(text);
        Claim::new(hit, qs, None)
    }

    fn show(threads: &[Thread]) -> Vec<String> {
        threads
            .iter()
            .map(|t| {
                let entries: Vec<String> = t
                    .entries
                    .iter()
                    .map(|e| {
                        let mut s = format!("{}:{}", e.claim.hit.path, e.claim.hit.line);
                        if e.latest {
                            s.push('*');
                        }
                        if let Some(c) = &e.change {
                            s.push_str(&format!(" {:?} from {}", c.direction, c.from));
                        }
                        for a in &e.also {
                            s.push_str(&format!(" +{}:{}", a.claim.hit.path, a.claim.hit.line));
                        }
                        s
                    })
                    .collect();
                format!("{}: {}", t.label, entries.join(", "))
            })
            .collect()
    }

    #[test]
    fn threads_fold_and_change() {
        let claims = vec![
            claim(
                "Acme showed 80 GB/s per node at the trade show.",
                Some("2024-11-14"),
                "call.md",
                5,
                "",
            ),
            claim(
                "2024-11 (trade show): Acme showed 80 GB/s per node in a 2U box.",
                Some("2025-12-01"),
                "Acme.md",
                9,
                "Log",
            ),
            claim(
                "Booth slide claimed over 2 TB/s for a 20-node cluster.",
                Some("2025-03-04"),
                "booth.md",
                3,
                "",
            ),
            claim(
                "Acme now says 1.2 TB/s peak read.",
                Some("2025-12-01"),
                "Acme.md",
                14,
                "Log > 2025-06 - Relaunch",
            ),
            claim(
                "Acme quoted $0.017 per GB-month.",
                Some("2025-04-01"),
                "deal.md",
                7,
                "",
            ),
            claim(
                "Acme repeated 1,200 GB/s peak read to the board.",
                Some("2025-07-02"),
                "board.md",
                2,
                "",
            ),
            claim(
                "Acme is hiring in Austin.",
                Some("2025-02-01"),
                "misc.md",
                1,
                "",
            ),
            claim(
                "Acme now says 900 GB/s sustained read after the long run.",
                Some("2025-09-15"),
                "retest.md",
                4,
                "",
            ),
        ];
        let threads = build(claims, &["Acme".to_string()]);
        assert_eq!(
            show(&threads),
            [
                // The log's month-dated copy sorts first and heads; the call folds under it.
                "throughput per node: Acme.md:9* +call.md:5",
                // "over 2 TB/s" (no aspect) and "peak read" would join one thread if it were the
                // only wider one; here peak read and sustained read both exist, so it stays.
                "throughput: booth.md:3*",
                "unit price per GB-month: deal.md:7*",
                "throughput · peak read: Acme.md:14* +board.md:2",
                "throughput · sustained read: retest.md:4*",
                "statements: misc.md:1",
            ]
        );
    }

    #[test]
    fn an_unqualified_claim_joins_the_only_wider_thread() {
        let claims = vec![
            claim("Hammerspace claimed 400 GB/s aggregate read throughput across the Tier 0 NVMe pool.", Some("2025-02-04"), "a.md", 15, ""),
            claim("Hammerspace now says 310 GB/s sustained read throughput on the Tier 0 pool.", Some("2025-06-02"), "d.md", 15, ""),
            claim("Hammerspace is back to 400 GB/s read on Tier 0.", Some("2025-08-01"), "e.md", 3, ""),
        ];
        let threads = build(claims, &[]);
        assert_eq!(
            show(&threads),
            ["throughput · sustained read tier 0: a.md:15, d.md:15 Down from 400 GB/s, e.md:3* Up from 310 GB/s"]
        );
        let e = &threads[0].entries[1];
        assert_eq!(e.change.as_ref().unwrap().months, Some(4));
        assert!(
            e.why
                .iter()
                .any(|w| w.contains("not folded into a.md:15: 400 GB/s there, 310 GB/s here")),
            "{:?}",
            e.why
        );
        assert!(
            threads[0].entries[0].why[1]
                .contains("one thread names that and more: sustained read tier 0"),
            "{:?}",
            threads[0].entries[0].why
        );
    }

    #[test]
    fn latest_is_the_newest_dated_claim() {
        let claims = vec![
            claim(
                "Acme quoted $0.02 per GB-month.",
                Some("2025-01-01"),
                "a.md",
                1,
                "",
            ),
            claim("Acme quoted $0.03 per GB-month.", None, "b.md", 1, ""),
        ];
        let t = &build(claims, &[])[0];
        assert!(t.entries[0].latest && !t.entries[1].latest);
        assert_eq!(t.entries[1].change.as_ref().unwrap().months, None);
    }

    #[test]
    fn labels() {
        let k = |text: &str| ThreadKey::of(&parse(text)[0]).label();
        assert_eq!(k("80 GB/s per node"), "throughput per node");
        assert_eq!(k("900 GB/s sustained read"), "throughput · sustained read");
        assert_eq!(k("$45 per TB per month"), "unit price per GB-month");
        assert_eq!(k("€3 per GPU-hour"), "unit price per GPU-hour (EUR)");
        assert_eq!(k("512 GPUs"), "GPU count");
        assert_eq!(k("a 30% discount"), "percent · discount");
        assert_eq!(k("2M IOPS"), "IOPS");
        assert_eq!(k("40 MW for phase 2"), "power · phase 2");
    }
}
