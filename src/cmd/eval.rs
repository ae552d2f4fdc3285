//! `quarry eval`: retrieval quality on a BEIR-format collection.

use super::Config;
use crate::cli::{EvalArgs, ModeArg};
use crate::eval::run::{self, mode_name, EvalOptions};
use crate::search::{FusionMethod, FusionParams, Mode, SIMILARITY_FLOOR};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};

/// Runs `quarry eval`.
pub fn run(config: &Config, args: &EvalArgs) -> Result<i32> {
    let embedder = crate::embed::load_installed(&config.model_dir)
        .context("could not load the embedding model")?;
    let mut modes: Vec<Mode> = args
        .modes
        .iter()
        .map(|m| match m {
            ModeArg::Lexical => Mode::Lexical,
            ModeArg::Semantic => Mode::Semantic,
            ModeArg::Hybrid => Mode::Hybrid,
        })
        .collect();
    if modes.is_empty() {
        modes.push(Mode::Lexical);
        if embedder.is_some() {
            modes.extend([Mode::Semantic, Mode::Hybrid]);
        } else {
            eprintln!("quarry: note: the embedding model is not installed, so only lexical mode runs; run `quarry model install`");
        }
    }
    let temp;
    let work_dir = match &args.keep {
        Some(dir) => dir.clone(),
        None => {
            temp = tempfile_dir()?;
            temp.0.clone()
        }
    };
    let defaults = FusionParams::default();
    let opts = EvalOptions {
        dataset: args.dataset.clone(),
        split: args.split.clone(),
        modes,
        work_dir,
        floor: args.min_similarity.unwrap_or(SIMILARITY_FLOOR),
        fusion: FusionParams {
            k: args.rrf_k.unwrap_or(defaults.k),
            lexical_weight: args.lexical_weight.unwrap_or(defaults.lexical_weight),
            semantic_weight: args.semantic_weight.unwrap_or(defaults.semantic_weight),
            depth: defaults.depth,
            method: if args.rrf {
                FusionMethod::Rrf
            } else {
                defaults.method
            },
            alpha: args.alpha.unwrap_or(defaults.alpha),
        },
    };
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let current = std::sync::Mutex::new(String::new());
    let progress = |what: &str, done: usize, total: usize| {
        let mut c = current.lock().unwrap_or_else(|e| e.into_inner());
        if *c != what {
            *c = what.to_string();
            bar.reset();
            bar.set_prefix(what.to_string());
            bar.set_length(total as u64);
        }
        bar.set_position(done as u64);
    };
    let report = run::run(&opts, embedder.as_deref(), &progress)
        .with_context(|| format!("could not evaluate {}", args.dataset.display()))?;
    bar.finish_and_clear();

    if let Some(path) = &args.per_query {
        let mut f = std::fs::File::create(path)
            .with_context(|| format!("could not write {}", path.display()))?;
        writeln!(f, "query\tmode\tndcg10\trecall100\tmrr10")?;
        for m in &report.modes {
            for q in &m.per_query {
                writeln!(
                    f,
                    "{}\t{}\t{:.4}\t{:.4}\t{:.4}",
                    q.query_id,
                    mode_name(m.mode),
                    q.scores.ndcg10,
                    q.scores.recall100,
                    q.scores.mrr10
                )?;
            }
        }
    }
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(0);
    }
    println!(
        "{} ({} split): {} documents, {} queries; indexed in {:.1} s ({} passages embedded)",
        report.dataset,
        report.split,
        report.docs,
        report.queries,
        report.index_seconds,
        report.embedded
    );
    println!(
        "{:<9} {:>8} {:>8} {:>8} {:>12} {:>11}",
        "mode", "nDCG@10", "R@100", "MRR@10", "ms/query", "p50 ms"
    );
    for m in &report.modes {
        println!(
            "{:<9} {:>8.4} {:>8.4} {:>8.4} {:>12.1} {:>11.1}",
            mode_name(m.mode),
            m.ndcg10,
            m.recall100,
            m.mrr10,
            m.query_ms_mean,
            m.query_ms_p50
        );
    }
    Ok(0)
}

/// A temporary folder removed on drop.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempfile_dir() -> Result<TempDir> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("quarry-eval-{}-{nanos:x}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("could not create {}", dir.display()))?;
    Ok(TempDir(dir))
}
