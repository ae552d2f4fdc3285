//! `quarry claims`.

use super::Config;
use crate::claims::{self, render, Request};
use crate::cli::ClaimsArgs;
use crate::date::Date;
use crate::index::Store;
use crate::render::Style;
use anyhow::{bail, Result};
use std::io::Write;

/// Runs `quarry claims`: the entity's timeline, or with no ENTITY the entities known.
pub fn run(config: &Config, args: &ClaimsArgs) -> Result<i32> {
    let filters = super::filters(&args.filters, Date::today())?;
    if args.limit == 0 {
        bail!("--limit must be at least 1");
    }
    let style = Style {
        color: config.color,
    };
    let entity = args.entity.as_deref().map(str::trim).unwrap_or("");
    if entity.is_empty() {
        if args.about.is_some() || !filters.is_empty() {
            bail!("--about and filters need an ENTITY, as in `quarry claims DDN --since 6m`; `quarry claims` alone lists the entities");
        }
        let store = Store::open(&config.index_dir)?;
        let mut known = claims::known(&store, &store.searcher())?;
        known.truncate(args.limit);
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        if args.json {
            for k in &known {
                serde_json::to_writer(&mut out, k)?;
                out.write_all(b"\n")?;
            }
        } else {
            render::write_known(&mut out, &style, &known)?;
        }
        out.flush()?;
        return Ok(if known.is_empty() { 1 } else { 0 });
    }
    if args.about.as_deref().is_some_and(|a| a.trim().is_empty()) {
        bail!("--about needs a topic, as in --about \"read throughput\"");
    }
    let store = Store::open(&config.index_dir)?;
    let searcher = store.searcher();
    let req = Request {
        entity: entity.to_string(),
        about: args.about.clone(),
        filters,
        reverse: args.reverse,
        limit: args.limit,
    };
    // Topic relevance also uses meaning when the index has vectors.
    let embedder = if req.about.is_some() {
        store.query_embedder()?
    } else {
        None
    };
    let vectors = if embedder.is_some() {
        Some(store.vectors()?)
    } else {
        None
    };
    let embed_fn = embedder.as_deref().map(crate::search::embedder_fn);
    let parts = match (&embed_fn, &vectors) {
        (Some(e), Some(v)) => Some(crate::search::SemanticParts::embedding_with(e, v)),
        _ => None,
    };
    let timeline = claims::find(&store, &searcher, &req, parts.as_ref())?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        for e in &timeline.entries {
            render::write_json(&mut out, e)?;
        }
    } else {
        let mut terms = Vec::new();
        for name in &timeline.entity.names {
            terms.extend(
                crate::search::highlight_terms(&format!("\"{}\"", name.replace('"', " "))).0,
            );
        }
        if let Some(topic) = &args.about {
            terms.extend(crate::search::highlight_terms(topic).0);
        }
        let printer = render::Timeline { style, terms };
        for (i, e) in timeline.entries.iter().enumerate() {
            printer.write_entry(&mut out, e, i == 0)?;
        }
    }
    out.flush()?;
    if !args.json && timeline.entries.len() < timeline.total {
        eprintln!(
            "note: showing {} of {} claims; raise -n to see more",
            timeline.entries.len(),
            timeline.total
        );
    }
    Ok(if timeline.entries.is_empty() { 1 } else { 0 })
}
