//! `quarry claims`.

use super::Config;
use crate::claims::{self, Request};
use crate::cli::{ClaimsArgs, ClaimsFormat};
use crate::date::Date;
use crate::render::hyperlink::Linker;
use crate::render::{claims as render, highlight, Style};
use crate::search::Engine;
use anyhow::{bail, Result};
use std::io::Write;

/// Runs `quarry claims`: the entity's timeline, or with no ENTITY the entities known.
pub fn run(config: &Config, args: &ClaimsArgs) -> Result<i32> {
    let filters = super::filters(&args.filters, Date::today())?;
    let json = args.output() == ClaimsFormat::Json;
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
        let engine = Engine::open(&config.index_dir, &config.model_dir)?;
        let mut known = claims::known(engine.store(), &engine.store().searcher())?;
        known.truncate(args.limit);
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        if json {
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
    let engine = Engine::open(&config.index_dir, &config.model_dir)?;
    let req = Request {
        entity: entity.to_string(),
        about: args.about.clone(),
        filters,
        reverse: args.reverse,
        limit: args.limit,
    };
    let mut timeline = claims::timeline(&engine, &req)?;
    let linker = Linker::new(config.hyperlink.clone(), &engine.store().payload.roots);
    for e in &mut timeline.entries {
        linker.fill(std::slice::from_mut(&mut e.head));
        linker.fill(&mut e.also);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if json {
        for e in &timeline.entries {
            render::write_json(&mut out, e)?;
        }
    } else {
        let terms = highlight::name_terms(&timeline.entity.names, args.about.as_deref());
        let printer = render::Timeline {
            style,
            terms,
            hyperlinks: config.color,
        };
        for (i, e) in timeline.entries.iter().enumerate() {
            printer.write_entry(&mut out, e, i == 0)?;
        }
    }
    out.flush()?;
    if !json && timeline.entries.len() < timeline.total {
        eprintln!(
            "quarry: note: showing {} of {} claims; raise -n to see more",
            timeline.entries.len(),
            timeline.total
        );
    }
    Ok(if timeline.entries.is_empty() { 1 } else { 0 })
}
