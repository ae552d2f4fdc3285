//! `quarry claims`.

use super::Config;
use crate::claims::{self, Aliases, Request};
use crate::cli::{ClaimsArgs, ClaimsFormat};
use crate::date::Date;
use crate::render::hyperlink::Linker;
use crate::render::{claims as render, highlight, Style};
use crate::search::Engine;
use anyhow::{bail, Context, Result};
use std::io::Write;

/// Runs `quarry claims`: the entity's timeline, or with no ENTITY the entities known.
pub fn run(config: &Config, args: &ClaimsArgs) -> Result<i32> {
    let filters = super::filters(&args.filters, Date::today())?;
    let format = args.output();
    if args.limit == 0 {
        bail!("--limit must be at least 1");
    }
    let style = Style {
        color: config.color,
    };
    let entity = args.entity.as_deref().map(str::trim).unwrap_or("");
    if entity.is_empty() {
        if args.about.is_some() || !filters.is_empty() || args.latest {
            bail!("--about, --latest and filters need an ENTITY, as in `quarry claims DDN --since 6m`; `quarry claims` alone lists the entities");
        }
        return list_entities(config, args, &style);
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
        latest: args.latest,
        limit: args.limit,
        aliases: aliases(config, &engine)?,
    };
    let mut timeline = claims::timeline(&engine, &req)?;
    let linker = Linker::for_hits(
        config.hyperlink.clone(),
        timeline.entries().map(|(_, e)| &e.claim.hit),
    );
    for t in &mut timeline.threads {
        for e in &mut t.entries {
            e.claim.hit.uri = linker.uri(&e.claim.hit);
            for seen in &mut e.also {
                seen.claim.hit.uri = linker.uri(&seen.claim.hit);
            }
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        ClaimsFormat::Json => render::write_json(&mut out, &timeline, args.explain)?,
        ClaimsFormat::Md => render::write_markdown(&mut out, &timeline, args.about.as_deref())?,
        ClaimsFormat::Human => {
            let terms = highlight::name_terms(&timeline.entity.names, args.about.as_deref());
            let printer = render::Threads {
                style,
                terms,
                explain: args.explain,
                hyperlinks: config.color,
            };
            printer.write(&mut out, &timeline)?;
        }
    }
    out.flush()?;
    if format != ClaimsFormat::Json && timeline.len() < timeline.total {
        eprintln!(
            "quarry: note: showing {} of {} claims; raise -n to see more",
            timeline.len(),
            timeline.total
        );
    }
    Ok(if timeline.is_empty() { 1 } else { 0 })
}

/// `quarry claims` with no ENTITY: the entities the index knows.
fn list_entities(config: &Config, args: &ClaimsArgs, style: &Style) -> Result<i32> {
    let engine = Engine::open(&config.index_dir, &config.model_dir)?;
    let aliases = aliases(config, &engine)?;
    let mut known = claims::known_with(engine.store(), &engine.store().searcher(), &aliases)?;
    known.truncate(args.limit);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.output() {
        ClaimsFormat::Json => {
            for k in &known {
                serde_json::to_writer(&mut out, k)?;
                out.write_all(b"\n")?;
            }
        }
        ClaimsFormat::Human | ClaimsFormat::Md => render::write_known(&mut out, style, &known)?,
    }
    out.flush()?;
    Ok(if known.is_empty() { 1 } else { 0 })
}

/// `entities.toml` from the indexed folders and the config file's folder.
fn aliases(config: &Config, engine: &Engine) -> Result<Aliases> {
    let beside_config = config.file.as_deref().and_then(|f| f.parent());
    Aliases::for_index(engine.store(), beside_config).context("reading entities.toml")
}
