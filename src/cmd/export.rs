//! `quarry export`: the index's passages as JSON Lines, for bulk-loading into a shared search
//! engine (`docs/opensearch.md` has the OpenSearch mapping and how quarry's filters map onto
//! its queries).
//!
//! One [`Record`] per passage that passes the filters: the `--json` hit of `quarry search`
//! (the same [`Hit`] type, so a field added there is exported too), the note's participants,
//! its front matter as written, and with `--vectors` the stored embedding. Records are
//! written as they are read, in index order, so memory stays flat at any vault size.

use super::Config;
use crate::cli::ExportArgs;
use crate::date::Date;
use crate::index::{vectors::VectorStore, Store};
use crate::note::{frontmatter, repair};
use crate::render::hyperlink::{Format, Linker};
use crate::search::{filter_query, load_hit, Filters, Hit};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use tantivy::schema::Value;
use tantivy::{DocAddress, TantivyDocument};

/// One exported passage.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Record {
    /// The passage as `quarry search --json` prints it (`score` is 0: no query ranked it).
    #[serde(flatten)]
    pub hit: Hit,
    /// The note's participants (front matter `participants`), as written.
    pub participants: Vec<String>,
    /// The note's front matter as a JSON object (YAML values converted), or null when the
    /// note has none or its file cannot be read now.
    pub front_matter: Option<serde_json::Value>,
    /// The passage's embedding (with `--vectors`, when the index has vectors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<Vec<f32>>,
}

/// Runs `quarry export`.
pub fn run(config: &Config, args: &ExportArgs) -> Result<i32> {
    let filters = super::filters(&args.filters, Date::today())?;
    let store = Store::open(&config.index_dir)?;
    let vectors = if args.vectors {
        if store.payload.model.is_none() {
            anyhow::bail!(
                "--vectors: this index has no embeddings; run `quarry model install`, then `quarry index`"
            );
        }
        Some(store.vectors()?)
    } else {
        None
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let warn = |path: &str, why: &str| eprintln!("quarry: warning: {path}: {why}");
    let n = export(
        &store,
        &filters,
        vectors.as_ref(),
        &config.hyperlink,
        &mut out,
        &warn,
    )?;
    out.flush()?;
    Ok(if n > 0 { 0 } else { 1 })
}

/// Writes every passage that passes `filters` as a JSON line; returns how many. `warn` gets
/// `(path, reason)` for a note whose front matter cannot be read now.
pub fn export(
    store: &Store,
    filters: &Filters,
    vectors: Option<&VectorStore>,
    hyperlink: &Format,
    out: &mut dyn Write,
    warn: &dyn Fn(&str, &str),
) -> Result<usize> {
    let searcher = store.searcher();
    let query = filter_query(store, &searcher, filters)?;
    let weight = query.weight(tantivy::query::EnableScoring::disabled_from_searcher(
        &searcher,
    ))?;
    let root_names = store.manifest()?.roots;
    let linker = Linker::new(hyperlink.clone(), &root_names);
    let roots: Vec<PathBuf> = root_names.iter().map(PathBuf::from).collect();
    let mut notes = FrontMatters::new(&roots);
    let mut count = 0;
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        let mut docs = Vec::new();
        let alive = seg.alive_bitset();
        weight.for_each_no_score(seg, &mut |block| {
            docs.extend(
                block
                    .iter()
                    .filter(|d| alive.is_none_or(|a| a.is_alive(**d))),
            )
        })?;
        for doc in docs {
            let addr = DocAddress::new(ord as u32, doc);
            let mut hit = load_hit(&searcher, &store.fields, addr, 0.0)?;
            hit.uri = linker.uri(&hit);
            let stored: TantivyDocument = searcher.doc(addr)?;
            let participants = stored
                .get_all(store.fields.participant)
                .filter_map(|v| v.as_str())
                .map(str::to_string)
                .collect();
            let front_matter = notes.get(&hit.path, warn);
            let vector = match vectors {
                Some(v) => Some(v.get(hit.pid).with_context(|| {
                    format!(
                        "the passage at {}:{} has no stored vector; run `quarry index`",
                        hit.path, hit.line
                    )
                })?),
                None => None,
            };
            let record = Record {
                hit,
                participants,
                front_matter,
                vector,
            };
            serde_json::to_writer(&mut *out, &record)?;
            out.write_all(b"\n")?;
            count += 1;
        }
    }
    Ok(count)
}

/// The front matter of the note last asked for (a note's passages come together, so one is
/// enough to read each file once).
struct FrontMatters<'a> {
    roots: &'a [PathBuf],
    last: Option<(String, Option<serde_json::Value>)>,
}

impl<'a> FrontMatters<'a> {
    fn new(roots: &'a [PathBuf]) -> Self {
        FrontMatters { roots, last: None }
    }

    fn get(&mut self, rel: &str, warn: &dyn Fn(&str, &str)) -> Option<serde_json::Value> {
        if let Some((path, fm)) = &self.last {
            if path == rel {
                return fm.clone();
            }
        }
        let fm = self.read(rel, warn);
        self.last = Some((rel.to_string(), fm.clone()));
        fm
    }

    fn read(&self, rel: &str, warn: &dyn Fn(&str, &str)) -> Option<serde_json::Value> {
        let Some(file) = self
            .roots
            .iter()
            .filter_map(|r| note_file(r, rel))
            .find(|p| p.is_file())
        else {
            warn(
                rel,
                "the note file is gone; exported without its front matter",
            );
            return None;
        };
        let shown = file.display().to_string();
        let bytes = match std::fs::read(&file) {
            Ok(b) => b,
            Err(e) => {
                warn(
                    &shown,
                    &format!("cannot read: {e}; exported without its front matter"),
                );
                return None;
            }
        };
        let (text, _) = repair::decode(&bytes).ok()?;
        let text = repair::repair(&text);
        match frontmatter::split(&text) {
            Ok(Some(block)) => frontmatter::to_json(block.yaml),
            _ => None,
        }
    }
}

/// A note's file: its root joined with its relative path (a root that is a single file is
/// the note itself, whose relative path is its file name).
fn note_file(root: &Path, rel: &str) -> Option<PathBuf> {
    if root.is_file() {
        (root.file_name()? == rel).then(|| root.to_path_buf())
    } else {
        Some(root.join(rel))
    }
}
