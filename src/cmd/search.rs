//! `quarry search`.

use super::Config;
use crate::cli::{ModeArg, SearchArgs, SortArg};
use crate::date::Date;
use crate::index::Store;
use crate::render::{write_json_line, Human, Style};
use crate::search::{self, Mode, Request, SortBy};
use anyhow::{bail, Result};
use std::io::Write;

/// Runs `quarry search`.
pub fn run(config: &Config, args: &SearchArgs) -> Result<i32> {
    let query = args.query.join(" ");
    let filters = super::filters(&args.filters, Date::today())?;
    if args.limit == 0 {
        bail!("--limit must be at least 1");
    }
    if query.trim().is_empty() && filters.is_empty() {
        bail!("give a query, or at least one filter (e.g. quarry search --tag todo)");
    }
    // QUARRY_TIMING=1 prints where a search spends its time (stderr), for the README's
    // performance notes and for users who want to know.
    let timing = std::env::var_os("QUARRY_TIMING").is_some_and(|v| !v.is_empty() && v != "0");
    let started = std::time::Instant::now();
    let lap = |what: &str| {
        if timing {
            eprintln!(
                "timing: {what} at {:.1} ms",
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
    };
    let store = Store::open(&config.index_dir)?;
    lap("index opened");
    let mode = match args.mode {
        Some(ModeArg::Lexical) => Mode::Lexical,
        Some(ModeArg::Semantic) => Mode::Semantic,
        Some(ModeArg::Hybrid) => Mode::Hybrid,
        None => {
            if store.payload.model.is_some() {
                Mode::Hybrid
            } else {
                eprintln!("note: lexical search only; for semantic search run `quarry model install`, then `quarry index`");
                Mode::Lexical
            }
        }
    };
    if mode != Mode::Lexical && store.payload.model.is_none() {
        bail!(
            "--mode {} needs embeddings, and this index has none; run `quarry model install`, then `quarry index`",
            if mode == Mode::Semantic { "semantic" } else { "hybrid" }
        );
    }
    let sort = match args.sort {
        SortArg::Score => SortBy::Score,
        SortArg::Date => SortBy::Date,
    };
    let semantic = mode != Mode::Lexical;
    let vectors = if semantic {
        Some(store.vectors()?)
    } else {
        None
    };
    let text = search::semantic_text(&query)?;
    std::thread::scope(|scope| -> Result<i32> {
        // Load the model and embed the query on the other core while this one runs the lexical
        // search and gathers the semantic candidates; `embed` joins it when the vector is due.
        let loader = semantic.then(|| {
            scope.spawn(|| -> crate::Result<Vec<f32>> {
                let embedder = store
                    .query_embedder()?
                    .ok_or_else(|| crate::Error::Model("this index has no embeddings".into()))?;
                search::embed_query(embedder.as_ref(), &text)
            })
        });
        let loader = std::sync::Mutex::new(loader);
        let vector: std::sync::OnceLock<Result<Vec<f32>, String>> = std::sync::OnceLock::new();
        let embed = |_: &str| -> crate::Result<Vec<f32>> {
            vector
                .get_or_init(
                    || match loader.lock().unwrap_or_else(|e| e.into_inner()).take() {
                        Some(handle) => match handle.join() {
                            Ok(result) => result.map_err(|e| e.to_string()),
                            Err(_) => Err("loading the embedding model failed".to_string()),
                        },
                        None => Err("no embedding model loaded".to_string()),
                    },
                )
                .clone()
                .map_err(crate::Error::Model)
        };
        let parts = vectors
            .as_ref()
            .map(|v| search::SemanticParts::embedding_with(&embed, v));
        let floor = args.min_similarity.unwrap_or(search::SIMILARITY_FLOOR);
        if !(-1.0..=1.0).contains(&floor) {
            bail!("--min-similarity must be between -1 and 1");
        }
        let req = Request {
            query: query.clone(),
            filters,
            limit: args.limit,
            mode,
            sort,
            floor,
            fusion: search::FusionParams::default(),
        };
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        if args.files {
            let mut fetch = args.limit * 20;
            loop {
                let req = Request {
                    limit: fetch.min(100_000),
                    ..req.clone()
                };
                let hits = search::run(&store, &req, parts.as_ref(), false)?;
                let mut seen = std::collections::HashSet::new();
                let paths: Vec<&str> = hits
                    .iter()
                    .map(|h| h.path.as_str())
                    .filter(|p| seen.insert(*p))
                    .take(args.limit)
                    .collect();
                if paths.len() >= args.limit || hits.len() < fetch || fetch >= 100_000 {
                    for p in &paths {
                        writeln!(out, "{p}")?;
                    }
                    out.flush()?;
                    return Ok(if paths.is_empty() { 1 } else { 0 });
                }
                fetch *= 4;
            }
        }
        lap("model loading started");
        let hits = search::run(&store, &req, parts.as_ref(), args.explain)?;
        lap("searched");
        if args.json {
            for h in &hits {
                write_json_line(&mut out, h)?;
            }
        } else {
            let (terms, prefixes) = search::highlight_terms(&query);
            let printer = Human {
                style: Style {
                    color: config.color,
                },
                terms,
                prefixes,
                explain: args.explain,
            };
            for (i, h) in hits.iter().enumerate() {
                printer.write_hit(&mut out, h, i == 0)?;
            }
        }
        out.flush()?;
        lap("printed");
        Ok(if hits.is_empty() { 1 } else { 0 })
    })
}
