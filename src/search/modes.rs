//! One request in its mode: lexical, semantic, or hybrid (both lists fused), then the
//! requested order. [`run`] is what every caller (the engine, `quarry eval`, benches) goes
//! through, so the three modes cannot drift apart between commands.

use super::fusion;
use super::semantic::{semantic, semantic_text, Ranked, SemanticParts};
use super::{build_query, lexical, load_hit, pid_of, Explain, FusionMethod, Hit, Mode, Request};
use super::{SortBy, Store};
use crate::{Error, Result};
use std::collections::HashMap;
use tantivy::collector::TopDocs;
use tantivy::{DocAddress, Searcher};

/// Runs a request in its mode and returns the hits, best first (or newest first).
///
/// Semantic and hybrid need `parts`; a query with no free text (only filters or field
/// clauses) is ranked lexically in every mode.
pub fn run(
    store: &Store,
    req: &Request,
    parts: Option<&SemanticParts<'_>>,
    explain: bool,
) -> Result<Vec<Hit>> {
    let searcher = store.searcher();
    let text = semantic_text(&req.query)?;
    let mode = if text.trim().is_empty() {
        Mode::Lexical
    } else {
        req.mode
    };
    let mut hits = match (mode, parts) {
        (Mode::Lexical, _) => return run_lexical(store, &searcher, req, explain),
        (_, None) => {
            return Err(Error::Index(
                "semantic search needs the embedding model and an index with vectors".into(),
            ))
        }
        (Mode::Semantic, Some(p)) => run_semantic(store, &searcher, req, p, &text, explain)?,
        (Mode::Hybrid, Some(p)) => run_hybrid(store, &searcher, req, p, &text, explain)?,
    };
    if req.sort == SortBy::Date {
        sort_by_date(&mut hits);
    }
    Ok(hits)
}

/// Newest note first, best score first within a date, undated last.
fn sort_by_date(hits: &mut [Hit]) {
    hits.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then_with(|| b.score.total_cmp(&a.score))
    });
    hits.sort_by_key(|h| h.date.is_none());
}

fn run_lexical(
    store: &Store,
    searcher: &Searcher,
    req: &Request,
    explain: bool,
) -> Result<Vec<Hit>> {
    let mut hits = lexical(store, searcher, req, req.limit)?;
    if explain {
        for (i, h) in hits.iter_mut().enumerate() {
            h.explain = Some(Explain {
                lexical_rank: Some(i + 1),
                lexical_score: Some(h.score),
                ..Explain::default()
            });
        }
    }
    Ok(hits)
}

fn run_semantic(
    store: &Store,
    searcher: &Searcher,
    req: &Request,
    parts: &SemanticParts<'_>,
    text: &str,
    explain: bool,
) -> Result<Vec<Hit>> {
    let (ranked, _) = semantic(store, searcher, req, parts, text, req.limit)?;
    let mut hits = Vec::with_capacity(ranked.len());
    for (i, (sim, addr)) in ranked.into_iter().enumerate() {
        let mut h = load_hit(searcher, &store.fields, addr, sim)?;
        if explain {
            h.explain = Some(Explain {
                semantic_rank: Some(i + 1),
                similarity: Some(sim),
                ..Explain::default()
            });
        }
        hits.push(h);
    }
    Ok(hits)
}

fn run_hybrid(
    store: &Store,
    searcher: &Searcher,
    req: &Request,
    parts: &SemanticParts<'_>,
    text: &str,
    explain: bool,
) -> Result<Vec<Hit>> {
    let depth = req.fusion.depth.max(req.limit);
    let lex: Ranked = {
        let query = build_query(store, searcher, &req.query, &req.filters)?;
        searcher.search(&query, &TopDocs::with_limit(depth).order_by_score())?
    };
    let (sem, qv) = semantic(store, searcher, req, parts, text, depth)?;
    let lex_keys: Vec<DocAddress> = lex.iter().map(|(_, a)| *a).collect();
    let sem_keys: Vec<DocAddress> = sem.iter().map(|(_, a)| *a).collect();
    // A mostly-CJK query leans on the lexical side: the model is English-only.
    let f = req.fusion.for_query(text);
    let fused = match f.method {
        FusionMethod::Rrf => fusion::rrf(
            &[
                (&lex_keys[..], f.lexical_weight),
                (&sem_keys[..], f.semantic_weight),
            ],
            f.k,
        ),
        FusionMethod::Convex => {
            // The convex combination needs the cosine of every lexical candidate too, not
            // only of those in the semantic top list.
            let mut cos: HashMap<DocAddress, f32> = sem.iter().map(|(s, a)| (*a, *s)).collect();
            for (_, addr) in &lex {
                cos.entry(*addr).or_insert_with(|| {
                    pid_of(searcher, *addr)
                        .and_then(|pid| parts.vectors.dot(pid, &qv))
                        .unwrap_or(0.0)
                });
            }
            let lex_scored: Vec<(DocAddress, f32)> = lex.iter().map(|(s, a)| (*a, *s)).collect();
            fusion::convex(&lex_scored, &cos, f.alpha)
        }
    };
    let mut hits = Vec::with_capacity(req.limit);
    for (addr, score) in fused.into_iter().take(req.limit) {
        let mut h = load_hit(searcher, &store.fields, addr, score)?;
        if explain {
            let lr = lex_keys.iter().position(|a| *a == addr);
            let sr = sem_keys.iter().position(|a| *a == addr);
            h.explain = Some(Explain {
                lexical_rank: lr.map(|r| r + 1),
                lexical_score: lr.map(|r| lex[r].0),
                semantic_rank: sr.map(|r| r + 1),
                similarity: sr
                    .map(|r| sem[r].0)
                    .or_else(|| parts.vectors.dot(h.pid, &qv)),
                fused: Some(score),
            });
        }
        hits.push(h);
    }
    Ok(hits)
}
