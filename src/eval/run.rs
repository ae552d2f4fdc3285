//! Running an evaluation: a BEIR collection is written out as a vault of notes (title → front
//! matter `title`, text → body), indexed by the same [`crate::index::update`] as any vault,
//! and every query of the split is searched in each mode through [`crate::search::run`].

use super::beir::{self, Dataset};
use super::metrics::{self, QueryScores, Scores};
use crate::embed::Embedder;
use crate::index::{self, Phase, Store, UpdateOptions};
use crate::search::{self, FusionParams, Mode, Request, SemanticParts, SortBy};
use crate::{Error, Result};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What to evaluate.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// BEIR folder.
    pub dataset: PathBuf,
    /// qrels split.
    pub split: String,
    /// Modes to run.
    pub modes: Vec<Mode>,
    /// Where the collection's vault and index live.
    pub work_dir: PathBuf,
    /// Semantic similarity floor.
    pub floor: f32,
    /// Fusion settings.
    pub fusion: FusionParams,
    /// How semantic scores are computed (the default picks per query).
    pub scan: search::Scan,
}

/// Scores of one mode.
#[derive(Debug, Clone, Serialize)]
pub struct ModeResult {
    /// Mode.
    pub mode: Mode,
    /// nDCG@10.
    pub ndcg10: f64,
    /// Recall@100.
    pub recall100: f64,
    /// MRR@10.
    pub mrr10: f64,
    /// Mean milliseconds per query (search only; the model is loaded once).
    pub query_ms_mean: f64,
    /// Median milliseconds per query.
    pub query_ms_p50: f64,
    /// Per-query scores.
    #[serde(skip)]
    pub per_query: Vec<QueryScores>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Collection name.
    pub dataset: String,
    /// Split.
    pub split: String,
    /// Documents.
    pub docs: usize,
    /// Queries with judgments.
    pub queries: usize,
    /// Seconds to index (parse + embed) in this run.
    pub index_seconds: f64,
    /// Passages embedded in this run (0 when the index was reused).
    pub embedded: usize,
    /// Results per mode.
    pub modes: Vec<ModeResult>,
}

/// File name of the note for document `i`.
fn doc_file(i: usize) -> String {
    format!("d{i:06}.md")
}

/// Writes the collection as notes, rewriting only files whose content differs (so a kept
/// work folder re-indexes nothing).
fn write_vault(data: &Dataset, vault: &Path) -> Result<()> {
    std::fs::create_dir_all(vault).map_err(|e| Error::io(vault, e))?;
    for (i, doc) in data.corpus.iter().enumerate() {
        let title =
            serde_json::to_string(doc.title.trim()).map_err(|e| Error::Data(e.to_string()))?;
        let content = format!("---\ntitle: {title}\n---\n\n{}\n", doc.text.trim());
        let path = vault.join(doc_file(i));
        if std::fs::read(&path).ok().as_deref() != Some(content.as_bytes()) {
            std::fs::write(&path, content).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// Builds (or updates) the index of a collection and runs its queries.
pub fn run(
    opts: &EvalOptions,
    embedder: Option<&dyn Embedder>,
    progress: &(dyn Fn(&str, usize, usize) + Sync),
) -> Result<EvalReport> {
    let data = beir::load(&opts.dataset, &opts.split)?;
    let vault = opts.work_dir.join("vault");
    let index_dir = opts.work_dir.join("index");
    write_vault(&data, &vault)?;
    let started = Instant::now();
    let update_opts = UpdateOptions {
        index_dir: index_dir.clone(),
        roots: vec![vault.clone()],
        remove_roots: Vec::new(),
        rebuild: false,
        max_file_bytes: index::DEFAULT_MAX_FILE_BYTES,
        threads: 0,
    };
    let summary = index::update(&update_opts, embedder, &|_, _| {}, &|phase, done, total| {
        let what = match phase {
            Phase::Parsing => "parsing",
            Phase::Embedding => "embedding",
        };
        progress(what, done, total)
    })?;
    let index_seconds = started.elapsed().as_secs_f64();

    let store = Store::open(&index_dir)?;
    let vectors = store.vectors()?;
    let doc_of: HashMap<String, &str> = data
        .corpus
        .iter()
        .enumerate()
        .map(|(i, d)| (doc_file(i), d.id.as_str()))
        .collect();
    let embed_fn = embedder.map(search::embedder_fn);
    let mut results = Vec::new();
    for &mode in &opts.modes {
        let parts = match (mode, &embed_fn) {
            (Mode::Lexical, _) => None,
            (_, Some(e)) => Some(SemanticParts::embedding_with(e, &vectors).with_scan(opts.scan)),
            (_, None) => {
                return Err(Error::Model(
                    "semantic and hybrid evaluation need the model; run `quarry model install`"
                        .into(),
                ))
            }
        };
        let collection = Collection {
            data: &data,
            store: &store,
            doc_of: &doc_of,
        };
        results.push(collection.run_mode(opts, mode, parts.as_ref(), progress)?);
    }
    Ok(EvalReport {
        dataset: data.name.clone(),
        split: opts.split.clone(),
        docs: data.corpus.len(),
        queries: data.queries.len(),
        index_seconds,
        embedded: summary.embedded,
        modes: results,
    })
}

/// What running a collection's queries needs.
struct Collection<'a> {
    data: &'a Dataset,
    store: &'a Store,
    /// Note file name → document id.
    doc_of: &'a HashMap<String, &'a str>,
}

impl Collection<'_> {
    /// Runs every query in one mode and scores the run.
    fn run_mode(
        &self,
        opts: &EvalOptions,
        mode: Mode,
        parts: Option<&SemanticParts<'_>>,
        progress: &(dyn Fn(&str, usize, usize) + Sync),
    ) -> Result<ModeResult> {
        let queries = &self.data.queries;
        let mut run: HashMap<String, Vec<String>> = HashMap::new();
        let mut times = Vec::with_capacity(queries.len());
        for (n, q) in queries.iter().enumerate() {
            let req = Request {
                query: search::query::plain(&q.text),
                filters: Default::default(),
                limit: 300,
                mode,
                sort: SortBy::Score,
                floor: opts.floor,
                fusion: opts.fusion,
            };
            let t = Instant::now();
            let hits = search::run(self.store, &req, parts, false)?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            run.insert(q.id.clone(), self.ranked_docs(&hits));
            progress(mode_name(mode), n + 1, queries.len());
        }
        let per_query = metrics::per_query(&run, &self.data.qrels);
        let Scores {
            ndcg10,
            recall100,
            mrr10,
        } = metrics::evaluate(&run, &self.data.qrels);
        times.sort_by(f64::total_cmp);
        Ok(ModeResult {
            mode,
            ndcg10,
            recall100,
            mrr10,
            query_ms_mean: times.iter().sum::<f64>() / times.len().max(1) as f64,
            query_ms_p50: times.get(times.len() / 2).copied().unwrap_or(0.0),
            per_query,
        })
    }

    /// The documents of the hits, best first, each once, at most 100.
    fn ranked_docs(&self, hits: &[search::Hit]) -> Vec<String> {
        let mut ranked: Vec<String> = Vec::new();
        for h in hits {
            if let Some(id) = self.doc_of.get(&h.path) {
                if !ranked.iter().any(|r| r == id) {
                    ranked.push(id.to_string());
                }
            }
            if ranked.len() == 100 {
                break;
            }
        }
        ranked
    }
}

/// Lowercase mode name.
pub fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Lexical => "lexical",
        Mode::Semantic => "semantic",
        Mode::Hybrid => "hybrid",
    }
}
