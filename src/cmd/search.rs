//! `quarry search`: arguments to a [`Request`], the engine's answer to the printer.

use super::Config;
use crate::cli::{ModeArg, SearchArgs, SearchFormat, SortArg};
use crate::date::Date;
use crate::render::hyperlink::Linker;
use crate::render::{highlight, write_json_line, Human, Style};
use crate::search::{self, Engine, Mode, Request, SortBy};
use anyhow::{bail, Result};
use std::io::{IsTerminal, Write};

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
    let mut engine = Engine::open(&config.index_dir, &config.model_dir)?;
    engine.set_scan(super::scan(args.scan));
    let mode = match config.mode {
        Some(ModeArg::Lexical) => Mode::Lexical,
        Some(ModeArg::Semantic) => Mode::Semantic,
        Some(ModeArg::Hybrid) => Mode::Hybrid,
        None => {
            if !engine.has_vectors() {
                eprintln!(
                    "quarry: note: lexical search only; for semantic search, {}",
                    crate::embed::enable_semantic_hint(&config.model_dir)
                );
            }
            engine.default_mode()
        }
    };
    let req = Request {
        query: query.clone(),
        filters,
        limit: config.limit,
        mode,
        // Filters alone rank nothing, so their matches come newest first.
        sort: match args.sort {
            Some(SortArg::Score) => SortBy::Score,
            Some(SortArg::Date) => SortBy::Date,
            None if query.trim().is_empty() => SortBy::Date,
            None => SortBy::Score,
        },
        floor,
        fusion: search::FusionParams::default(),
    };
    let stdout = std::io::stdout();
    let tty = stdout.is_terminal();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let cwd = req.filters.cwd.clone();
    let found = if args.count {
        let counts = engine.counts(&req)?;
        for (path, n) in &counts {
            let shown = crate::render::shown_path(path, cwd.as_deref(), args.absolute);
            writeln!(out, "{shown}:{n}")?;
        }
        !counts.is_empty()
    } else if format == SearchFormat::Files {
        let paths = engine.files(&req)?;
        // Note names hold spaces; -0 makes the list safe for `xargs -0`.
        let end: &[u8] = if args.null { b"\0" } else { b"\n" };
        for p in &paths {
            let shown = crate::render::shown_path(p, cwd.as_deref(), args.absolute);
            out.write_all(shown.as_bytes())?;
            out.write_all(end)?;
        }
        !paths.is_empty()
    } else {
        let mut hits = match args.max_per_note {
            Some(0) => bail!("--max-per-note must be at least 1"),
            Some(cap) => engine.search_per_note(&req, args.explain, cap)?,
            None => engine.search(&req, args.explain)?,
        };
        Linker::for_hits(config.hyperlink.clone(), &hits).fill(&mut hits);
        if format == SearchFormat::Json {
            for h in &hits {
                write_json_line(&mut out, h)?;
            }
        } else {
            let (terms, prefixes) = highlight::highlight_terms(&req.query);
            let context = args.context.unwrap_or(0);
            let printer = Human {
                style: Style {
                    color: config.color,
                },
                terms,
                prefixes,
                explain: args.explain,
                width: match args.width {
                    Some(0) => None,
                    Some(w) => Some(w),
                    None if tty => terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)),
                    None => None,
                },
                group: if args.heading || args.no_heading {
                    args.heading
                } else {
                    tty
                },
                before: args.before_context.unwrap_or(context),
                after: args.after_context.unwrap_or(context),
                cwd,
                absolute: args.absolute,
                hyperlinks: config.color,
            };
            printer.write(&mut out, &hits)?;
        }
        !hits.is_empty()
    };
    out.flush()?;
    // A filter value that matches nothing in the whole index is named, with what exists.
    for message in search::suggest::unknown_filter_values(engine.store(), &req.filters)? {
        eprintln!("quarry: {message}");
    }
    engine.lap("printed");
    if timing {
        for (what, at) in engine.laps() {
            eprintln!("timing: {what} at {:.1} ms", at.as_secs_f64() * 1000.0);
        }
    }
    Ok(if found { 0 } else { 1 })
}
