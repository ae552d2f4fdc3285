//! The human form of `quarry stats`: one `key  value` line per fact.

use crate::index::Stats;
use std::io::{self, Write};

/// Writes the statistics for people; `enable_hint` says how to add embeddings to an index
/// without them ([`crate::embed::enable_semantic_hint`]).
pub fn write_stats(out: &mut dyn Write, stats: &Stats, enable_hint: &str) -> io::Result<()> {
    writeln!(
        out,
        "index      {} ({:.1} MB)",
        stats.index,
        stats.index_bytes as f64 / 1e6
    )?;
    for r in &stats.roots {
        writeln!(out, "root       {r}")?;
    }
    writeln!(
        out,
        "notes      {} ({} skipped)",
        stats.notes, stats.skipped
    )?;
    let kinds: Vec<String> = stats
        .kinds
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    if kinds.is_empty() {
        writeln!(out, "passages   {}", stats.passages)?;
    } else {
        writeln!(out, "passages   {} ({})", stats.passages, kinds.join(", "))?;
    }
    match (&stats.first_date, &stats.last_date) {
        (Some(a), Some(b)) => writeln!(out, "dates      {a} … {b}")?,
        _ => writeln!(out, "dates      none")?,
    }
    let list = |v: &[(String, u64)]| {
        v.iter()
            .map(|(t, n)| format!("{t} ({n})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(out, "top tags   {}", list(&stats.top_tags))?;
    writeln!(out, "accounts   {}", list(&stats.top_accounts))?;
    match &stats.model {
        Some(m) => writeln!(out, "model      {m} ({} vectors)", stats.vectors)?,
        None => writeln!(out, "model      none: lexical search only ({enable_hint})")?,
    }
    Ok(())
}
