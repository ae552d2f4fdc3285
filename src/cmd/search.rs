//! `quarry search`: arguments to a [`Request`], the engine's answer to the printer.

use super::Config;
use crate::cli::{ModeArg, SearchArgs, SearchFormat, SortArg};
use crate::date::Date;
use crate::render::hyperlink::Linker;
use crate::render::{highlight, write_json_line, Human, Style};
use crate::search::{self, Engine, Mode, Request, SortBy};
use anyhow::{bail, Result};
use std::io::Write;

/// Runs `quarry search`.
pub fn run(config: &Config, args: &SearchArgs) -> Result<i32> {
    let query = args.query.join(" ");
    let filters = super::filters(&args.filters, Date::today())?;
    if query.trim().is_empty() && filters.is_empty() {
        bail!("give a query, or at least one filter (e.g. quarry search --tag todo)");
    }
    // Limit, floor and mode come resolved (flag > config file > default) and checked.
    let floor = config.min_similarity;
    let format = args.output();
    if args.null && format != SearchFormat::Files {
        bail!("-0/--null ends paths with NUL, so it needs --files (or --format files)");
    }
    // QUARRY_TIMING=1 prints where a search spends its time (stderr), for the README's
    // performance notes and for users who want to know.
    let timing = config.timing;
    let engine = Engine::open(&config.index_dir, &config.model_dir)?;
    let mode = match config.mode {
        Some(ModeArg::Lexical) => Mode::Lexical,
        Some(ModeArg::Semantic) => Mode::Semantic,
        Some(ModeArg::Hybrid) => Mode::Hybrid,
        None => {
            if !engine.has_vectors() {
                eprintln!("quarry: note: lexical search only; for semantic search run `quarry model install`, then `quarry index`");
            }
            engine.default_mode()
        }
    };
    let req = Request {
        query,
        filters,
        limit: config.limit,
        mode,
        sort: match args.sort {
            SortArg::Score => SortBy::Score,
            SortArg::Date => SortBy::Date,
        },
        floor,
        fusion: search::FusionParams::default(),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let found = if format == SearchFormat::Files {
        let paths = engine.files(&req)?;
        // Note names hold spaces; -0 makes the list safe for `xargs -0`.
        let end: &[u8] = if args.null { b"\0" } else { b"\n" };
        for p in &paths {
            out.write_all(p.as_bytes())?;
            out.write_all(end)?;
        }
        !paths.is_empty()
    } else {
        let mut hits = engine.search(&req, args.explain)?;
        let roots = &engine.store().payload.roots;
        Linker::new(config.hyperlink.clone(), roots).fill(&mut hits);
        if format == SearchFormat::Json {
            for h in &hits {
                write_json_line(&mut out, h)?;
            }
        } else {
            let (terms, prefixes) = highlight::highlight_terms(&req.query);
            let printer = Human {
                style: Style {
                    color: config.color,
                },
                terms,
                prefixes,
                explain: args.explain,
                hyperlinks: config.color,
            };
            for (i, h) in hits.iter().enumerate() {
                printer.write_hit(&mut out, h, i == 0)?;
            }
        }
        !hits.is_empty()
    };
    out.flush()?;
    engine.lap("printed");
    if timing {
        for (what, at) in engine.laps() {
            eprintln!("timing: {what} at {:.1} ms", at.as_secs_f64() * 1000.0);
        }
    }
    Ok(if found { 0 } else { 1 })
}
