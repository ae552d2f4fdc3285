//! Printers for `quarry eval`: the score table for people and the per-query scores as TSV.

use crate::eval::run::{mode_name, EvalReport};
use std::io::{self, Write};

/// The collection line and one row per mode: nDCG@10, Recall@100, MRR@10, query times.
pub fn write_report(out: &mut dyn Write, report: &EvalReport) -> io::Result<()> {
    writeln!(
        out,
        "{} ({} split): {} documents, {} queries; indexed in {:.1} s ({} passages embedded)",
        report.dataset,
        report.split,
        report.docs,
        report.queries,
        report.index_seconds,
        report.embedded
    )?;
    writeln!(
        out,
        "{:<9} {:>8} {:>8} {:>8} {:>12} {:>11}",
        "mode", "nDCG@10", "R@100", "MRR@10", "ms/query", "p50 ms"
    )?;
    for m in &report.modes {
        writeln!(
            out,
            "{:<9} {:>8.4} {:>8.4} {:>8.4} {:>12.1} {:>11.1}",
            mode_name(m.mode),
            m.ndcg10,
            m.recall100,
            m.mrr10,
            m.query_ms_mean,
            m.query_ms_p50
        )?;
    }
    Ok(())
}

/// Every query's scores per mode, tab-separated with a header line, for failure analysis.
pub fn write_per_query(out: &mut dyn Write, report: &EvalReport) -> io::Result<()> {
    writeln!(out, "query\tmode\tndcg10\trecall100\tmrr10")?;
    for m in &report.modes {
        for q in &m.per_query {
            writeln!(
                out,
                "{}\t{}\t{:.4}\t{:.4}\t{:.4}",
                q.query_id,
                mode_name(m.mode),
                q.scores.ndcg10,
                q.scores.recall100,
                q.scores.mrr10
            )?;
        }
    }
    Ok(())
}
