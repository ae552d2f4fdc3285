//! `quarry eval`: retrieval quality on a BEIR-format collection.

use super::progress::Bar;
use super::Config;
use crate::cli::{EvalArgs, ModeArg};
use crate::eval::run::{self, EvalOptions};
use crate::render::eval as render;
use crate::search::{FusionMethod, FusionParams, Mode, SIMILARITY_FLOOR};
use anyhow::{Context, Result};
use std::io::{IsTerminal, Write};

/// Runs `quarry eval`.
pub fn run(config: &Config, args: &EvalArgs) -> Result<i32> {
    let embedder = crate::embed::load_installed_with(&config.model_dir, config.precision)
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
    // The work folder: the kept one, or a temporary one removed when the run ends.
    let temp = match &args.keep {
        Some(_) => None,
        None => Some(tempfile::Builder::new().prefix("quarry-eval-").tempdir()?),
    };
    let work_dir = match &temp {
        Some(t) => t.path().to_path_buf(),
        None => args.keep.clone().unwrap_or_default(),
    };
    let opts = EvalOptions {
        dataset: args.dataset.clone(),
        split: args.split.clone(),
        modes,
        work_dir,
        floor: args.min_similarity.unwrap_or(SIMILARITY_FLOOR),
        fusion: fusion_params(args),
        scan: super::scan(args.scan),
    };
    let bar = Bar::new(std::io::stderr().is_terminal());
    let progress = |what: &str, done: usize, total: usize| {
        let unit = match what {
            "parsing" => "notes",
            "embedding" => "passages",
            _ => "queries",
        };
        bar.set(what, unit, done, total)
    };
    let report = run::run(&opts, embedder.as_deref(), &progress)
        .with_context(|| format!("could not evaluate {}", args.dataset.display()))?;
    bar.finish();

    if let Some(path) = &args.per_query {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("could not write {}", path.display()))?,
        );
        render::write_per_query(&mut f, &report)?;
        f.flush()?;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string(&report)?)?;
    } else {
        render::write_report(&mut out, &report)?;
    }
    out.flush()?;
    Ok(0)
}

/// The fusion settings: the tuned defaults, changed by the experiment flags.
fn fusion_params(args: &EvalArgs) -> FusionParams {
    let defaults = FusionParams::default();
    FusionParams {
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
    }
}
