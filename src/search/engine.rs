//! The search engine: one opened index with its vectors and its lazily loaded embedding
//! model, behind the calls `quarry search`, `quarry claims` and every later front end (an MCP
//! server, watch mode) share. Commands only turn arguments into a [`Request`] and print;
//! `claims` builds its timeline on the engine ([`crate::claims::timeline`]).
//!
//! The model loads on first use. In a one-shot process that first use is the only one, so
//! the load (and the query's embedding) runs on the other core while this one runs the
//! lexical search and gathers the semantic candidates; the vector is joined only when the
//! cosine scan needs it. A long-lived engine keeps the loaded model for later requests.

use super::semantic::{embed_query, semantic_text, Scan, SemanticParts};
use super::{Hit, Mode, Request};
use crate::embed::Embedder;
use crate::index::vectors::VectorStore;
use crate::index::Store;
use crate::{Error, Result};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// `--files` asks for this many passages per wanted path at first, then four times more
/// until enough distinct paths are found or the ranking runs dry.
const FILES_FETCH_FACTOR: usize = 20;

/// The most passages a `--files` search ranks.
const FILES_FETCH_MAX: usize = 100_000;

/// An opened index, ready to answer requests.
pub struct Engine {
    store: Store,
    model_dir: PathBuf,
    vectors: OnceLock<VectorStore>,
    embedder: OnceLock<Box<dyn Embedder>>,
    started: Instant,
    laps: Mutex<Vec<(String, Duration)>>,
    scan: Scan,
}

impl Engine {
    /// Opens the last commit of the index in `index_dir`; the model, when a request needs
    /// it, loads from `model_dir`.
    pub fn open(index_dir: &Path, model_dir: &Path) -> Result<Engine> {
        let started = Instant::now();
        let store = Store::open(index_dir)?;
        let engine = Engine {
            store,
            model_dir: model_dir.to_path_buf(),
            vectors: OnceLock::new(),
            embedder: OnceLock::new(),
            started,
            laps: Mutex::new(Vec::new()),
            scan: Scan::Auto,
        };
        engine.lap("index opened");
        Ok(engine)
    }

    /// Scores semantic candidates as `scan` says (the default, [`Scan::Auto`], picks per
    /// request; the others are for measurements and tests).
    pub fn set_scan(&mut self, scan: Scan) {
        self.scan = scan;
    }

    /// Opens the index's newest commit when one has landed since this engine opened its
    /// commit (for a long-lived engine such as the MCP server's, asked before each request).
    /// Returns whether it reloaded. Unchanged, this costs one read of `meta.json`; a reload
    /// opens the new commit's reader, note manifest and vector files, and keeps the loaded
    /// model when the new commit's vectors come from the same model.
    pub fn refresh(&mut self) -> Result<bool> {
        if self.store.is_current()? {
            return Ok(false);
        }
        let store = Store::open(&self.store.dir)?;
        if store.payload.model != self.store.payload.model {
            self.embedder = OnceLock::new();
        }
        self.store = store;
        self.vectors = OnceLock::new();
        Ok(true)
    }

    /// The opened index.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Whether the index holds embeddings (so semantic and hybrid modes work).
    pub fn has_vectors(&self) -> bool {
        self.store.payload.model.is_some()
    }

    /// Hybrid when the index has embeddings, else lexical.
    pub fn default_mode(&self) -> Mode {
        if self.has_vectors() {
            Mode::Hybrid
        } else {
            Mode::Lexical
        }
    }

    /// Refuses a mode the index cannot serve, naming the fix.
    pub fn check_mode(&self, mode: Mode) -> Result<()> {
        if mode != Mode::Lexical && !self.has_vectors() {
            return Err(Error::Query(format!(
                "--mode {} needs embeddings, and this index has none; {}",
                if mode == Mode::Semantic {
                    "semantic"
                } else {
                    "hybrid"
                },
                crate::embed::enable_semantic_hint(&self.model_dir)
            )));
        }
        Ok(())
    }

    /// Ranked passages for a request, best first (or newest first).
    pub fn search(&self, req: &Request, explain: bool) -> Result<Vec<Hit>> {
        let (semantic, text) = self.plan(req)?;
        let hits = self.with_semantic(semantic, &text, |parts| {
            super::run(&self.store, req, parts, explain)
        })?;
        self.lap("searched");
        Ok(hits)
    }

    /// The absolute paths of the best notes, best first, at most `req.limit` distinct ones:
    /// passages are ranked deeper and deeper until enough distinct notes turn up. (Absolute,
    /// because two roots may hold the same relative path.)
    pub fn files(&self, req: &Request) -> Result<Vec<String>> {
        let (semantic, text) = self.plan(req)?;
        let paths = self.with_semantic(semantic, &text, |parts| {
            let mut fetch = req.limit.saturating_mul(FILES_FETCH_FACTOR);
            loop {
                let deeper = Request {
                    limit: fetch.min(FILES_FETCH_MAX),
                    ..req.clone()
                };
                let hits = super::run(&self.store, &deeper, parts, false)?;
                let mut seen = std::collections::HashSet::new();
                let paths: Vec<String> = hits
                    .iter()
                    .map(|h| h.abs_path.as_str())
                    .filter(|p| seen.insert(*p))
                    .take(req.limit)
                    .map(str::to_string)
                    .collect();
                if paths.len() >= req.limit || hits.len() < fetch || fetch >= FILES_FETCH_MAX {
                    return Ok(paths);
                }
                fetch = fetch.saturating_mul(4);
            }
        })?;
        self.lap("searched");
        Ok(paths)
    }

    /// Like [`Engine::search`], with at most `per_note` passages from one note: passages are
    /// ranked deeper until `req.limit` pass the cap or the ranking runs dry.
    pub fn search_per_note(
        &self,
        req: &Request,
        explain: bool,
        per_note: usize,
    ) -> Result<Vec<Hit>> {
        let (semantic, text) = self.plan(req)?;
        let hits = self.with_semantic(semantic, &text, |parts| {
            let mut fetch = req.limit.saturating_mul(4).max(req.limit + 1);
            loop {
                let deeper = Request {
                    limit: fetch.min(FILES_FETCH_MAX),
                    ..req.clone()
                };
                let hits = super::run(&self.store, &deeper, parts, explain)?;
                let ranked = hits.len();
                let mut seen: std::collections::HashMap<String, usize> = Default::default();
                let kept: Vec<Hit> = hits
                    .into_iter()
                    .filter(|h| {
                        let n = seen.entry(h.abs_path.clone()).or_default();
                        *n += 1;
                        *n <= per_note
                    })
                    .take(req.limit)
                    .collect();
                if kept.len() >= req.limit || ranked < fetch || fetch >= FILES_FETCH_MAX {
                    return Ok(kept);
                }
                fetch = fetch.saturating_mul(4);
            }
        })?;
        self.lap("searched");
        Ok(hits)
    }

    /// Every note with matches and its number of matching passages (every match: lexical
    /// matches, semantic ones above the floor), most first, then by path.
    pub fn counts(&self, req: &Request) -> Result<Vec<(String, usize)>> {
        let (semantic, text) = self.plan(req)?;
        let all = Request {
            limit: (self.store.searcher().num_docs() as usize).max(1),
            sort: super::SortBy::Date,
            ..req.clone()
        };
        let hits = self.with_semantic(semantic, &text, |parts| {
            super::run(&self.store, &all, parts, false)
        })?;
        let mut counts: std::collections::HashMap<String, usize> = Default::default();
        for h in hits {
            *counts.entry(h.abs_path).or_default() += 1;
        }
        let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        self.lap("searched");
        Ok(counts)
    }

    /// Whether the request ranks by meaning (a semantic mode and some free text), and the
    /// text it embeds; refuses a mode the index cannot serve.
    fn plan(&self, req: &Request) -> Result<(bool, String)> {
        self.check_mode(req.mode)?;
        let text = semantic_text(&req.query)?;
        Ok((req.mode != Mode::Lexical && !text.trim().is_empty(), text))
    }

    /// Records that a step of the request finished now (for `QUARRY_TIMING`).
    pub fn lap(&self, what: &str) {
        self.laps
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((what.to_string(), self.started.elapsed()));
    }

    /// Each recorded step and when it finished, since the engine was opened.
    pub fn laps(&self) -> Vec<(String, Duration)> {
        self.laps.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn vectors(&self) -> Result<&VectorStore> {
        if let Some(v) = self.vectors.get() {
            return Ok(v);
        }
        let v = self.store.vectors()?;
        Ok(self.vectors.get_or_init(|| v))
    }

    /// Runs `f` with what semantic ranking needs when `needed`, else with `None`. `text` is
    /// the text that will be embedded first; with no model loaded yet, loading it and
    /// embedding `text` run on another thread while `f` starts. Later stages that rank by
    /// meaning (claims' `--about`) go through this too.
    pub fn with_semantic<T>(
        &self,
        needed: bool,
        text: &str,
        f: impl FnOnce(Option<&SemanticParts<'_>>) -> Result<T>,
    ) -> Result<T> {
        if !needed {
            return f(None);
        }
        let vectors = self.vectors()?;
        self.lap("vectors opened");
        let lap = |what: &str| self.lap(what);
        if let Some(embedder) = self.embedder.get() {
            let embed = |t: &str| embed_query(embedder.as_ref(), t);
            return f(Some(&self.parts(&embed, vectors, &lap)));
        }
        std::thread::scope(|scope| {
            let loading = scope.spawn(|| -> Loaded {
                let embedder = self
                    .store
                    .query_embedder(&self.model_dir)?
                    .ok_or_else(|| Error::Model("this index has no embeddings".into()))?;
                let vector = embed_query(embedder.as_ref(), text)?;
                Ok((embedder, vector))
            });
            self.lap("model loading started");
            let state = Mutex::new(Loading::Pending(loading));
            let embed = |t: &str| -> Result<Vec<f32>> {
                let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
                // The first call joins the loader; a failed load stays failed.
                if let Loading::Pending(handle) = std::mem::replace(&mut *state, Loading::Failed) {
                    let (embedder, vector) = handle.join().unwrap_or_else(|_| {
                        Err(Error::Model("loading the embedding model failed".into()))
                    })?;
                    let _ = self.embedder.set(embedder);
                    *state = Loading::Ready(vector);
                }
                match (&*state, self.embedder.get()) {
                    (Loading::Ready(v), _) if t == text => Ok(v.clone()),
                    (Loading::Ready(_), Some(e)) => embed_query(e.as_ref(), t),
                    _ => Err(Error::Model(
                        "the embedding model could not be loaded".into(),
                    )),
                }
            };
            f(Some(&self.parts(&embed, vectors, &lap)))
        })
    }
}

impl Engine {
    /// What semantic ranking needs, with this engine's scan and step timings.
    fn parts<'a>(
        &self,
        embed: &'a (dyn Fn(&str) -> Result<Vec<f32>> + Sync),
        vectors: &'a VectorStore,
        lap: &'a (dyn Fn(&str) + Sync),
    ) -> SemanticParts<'a> {
        SemanticParts {
            lap: Some(lap),
            ..SemanticParts::embedding_with(embed, vectors).with_scan(self.scan)
        }
    }
}

/// What the loading thread returns: the model and the first query's vector.
type Loaded = Result<(Box<dyn Embedder>, Vec<f32>)>;

/// The model load of a first semantic request.
enum Loading<'scope> {
    Pending(std::thread::ScopedJoinHandle<'scope, Loaded>),
    Ready(Vec<f32>),
    Failed,
}
