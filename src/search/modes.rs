//! One request in its mode: lexical, semantic, or hybrid (both lists fused), then the
//! requested order. [`run`] is what every caller (the engine, `quarry eval`, benches) goes
//! through, so the three modes cannot drift apart between commands.

use super::fusion;
use super::order::{self, Scored};
use super::semantic::{semantic, semantic_text, Ranked, SemanticParts};
use super::{build_query, pid_of, Explain, FusionMethod, Hit, Mode, Request};
use super::{SortBy, Store};
use crate::{Error, Result};
use std::collections::HashMap;
use tantivy::collector::{Count, TopDocs};
use tantivy::{DocAddress, Searcher};

/// Runs a request in its mode and returns the hits, best first (or newest first; see
/// [`order`] for ties and for why a date order ranks every match before the cut).
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
    let every = req.sort == SortBy::Date;
    let scored = match (mode, parts) {
        (Mode::Lexical, _) => lexical_scored(store, &searcher, req, explain, every)?,
        (_, None) => {
            return Err(Error::Index(
                "semantic search needs the embedding model and an index with vectors".into(),
            ))
        }
        (Mode::Semantic, Some(p)) => semantic_scored(store, &searcher, req, p, &text, every)?,
        (Mode::Hybrid, Some(p)) => hybrid_scored(store, &searcher, req, p, &text, every)?,
    };
    let scored = if explain {
        scored
    } else {
        scored
            .into_iter()
            .map(|s| Scored { explain: None, ..s })
            .collect()
    };
    if every {
        order::by_date(&searcher, &store.fields, scored, req.limit)
    } else {
        order::by_score(&searcher, &store.fields, scored, req.limit)
    }
}

/// BM25 matches, best first: every one when `every`, else the best `limit` and whatever ties
/// with the last of them.
fn lexical_scored(
    store: &Store,
    searcher: &Searcher,
    req: &Request,
    explain: bool,
    every: bool,
) -> Result<Vec<Scored>> {
    let query = build_query(store, searcher, &req.query, &req.filters)?;
    let ranked: Ranked = if every {
        let n = searcher.search(&query, &Count)?;
        searcher.search(&query, &TopDocs::with_limit(n.max(1)).order_by_score())?
    } else {
        let mut depth = req.limit.saturating_add(1);
        loop {
            let r: Ranked =
                searcher.search(&query, &TopDocs::with_limit(depth).order_by_score())?;
            let tied = r.len() == depth && r[depth - 1].0 == r[req.limit - 1].0;
            if !tied || depth >= searcher.num_docs() as usize {
                break r;
            }
            depth = depth.saturating_mul(4);
        }
    };
    Ok(ranked
        .into_iter()
        .enumerate()
        .map(|(i, (score, addr))| Scored {
            addr,
            score,
            explain: explain.then(|| Explain {
                lexical_rank: Some(i + 1),
                lexical_score: Some(score),
                ..Explain::default()
            }),
        })
        .collect())
}

fn semantic_scored(
    store: &Store,
    searcher: &Searcher,
    req: &Request,
    parts: &SemanticParts<'_>,
    text: &str,
    every: bool,
) -> Result<Vec<Scored>> {
    let depth = if every {
        searcher.num_docs() as usize
    } else {
        req.limit.saturating_add(1)
    };
    let (ranked, _) = semantic(store, searcher, req, parts, text, depth)?;
    Ok(ranked
        .into_iter()
        .enumerate()
        .map(|(i, (sim, addr))| Scored {
            addr,
            score: sim,
            explain: Some(Explain {
                semantic_rank: Some(i + 1),
                similarity: Some(sim),
                ..Explain::default()
            }),
        })
        .collect())
}

fn hybrid_scored(
    store: &Store,
    searcher: &Searcher,
    req: &Request,
    parts: &SemanticParts<'_>,
    text: &str,
    every: bool,
) -> Result<Vec<Scored>> {
    let (lex_depth, sem_depth) = if every {
        // Every lexical match, and every semantic one above the floor.
        let all = searcher.num_docs() as usize;
        (all, all)
    } else {
        let d = req.fusion.depth.max(req.limit);
        (d, d)
    };
    let lex: Ranked = {
        let query = build_query(store, searcher, &req.query, &req.filters)?;
        searcher.search(
            &query,
            &TopDocs::with_limit(lex_depth.max(1)).order_by_score(),
        )?
    };
    let (sem, qv) = semantic(store, searcher, req, parts, text, sem_depth)?;
    let lex_rank: HashMap<DocAddress, usize> =
        lex.iter().enumerate().map(|(i, (_, a))| (*a, i)).collect();
    let sem_rank: HashMap<DocAddress, usize> =
        sem.iter().enumerate().map(|(i, (_, a))| (*a, i)).collect();
    // A mostly-CJK query leans on the lexical side: the model is English-only.
    let f = req.fusion.for_query(text);
    // The cosine of every candidate: the convex combination needs it, and --explain shows it.
    let mut cos: HashMap<DocAddress, f32> = sem.iter().map(|(s, a)| (*a, *s)).collect();
    for (_, addr) in &lex {
        cos.entry(*addr).or_insert_with(|| {
            pid_of(searcher, *addr)
                .and_then(|pid| parts.vectors.dot(pid, &qv))
                .unwrap_or(0.0)
        });
    }
    let fused = match f.method {
        FusionMethod::Rrf => {
            let lex_keys: Vec<DocAddress> = lex.iter().map(|(_, a)| *a).collect();
            let sem_keys: Vec<DocAddress> = sem.iter().map(|(_, a)| *a).collect();
            fusion::rrf(
                &[
                    (&lex_keys[..], f.lexical_weight),
                    (&sem_keys[..], f.semantic_weight),
                ],
                f.k,
            )
        }
        FusionMethod::Convex => {
            let lex_scored: Vec<(DocAddress, f32)> = lex.iter().map(|(s, a)| (*a, *s)).collect();
            fusion::convex(&lex_scored, &cos, f.alpha)
        }
    };
    Ok(fused
        .into_iter()
        .map(|(addr, score)| {
            let lr = lex_rank.get(&addr).copied();
            let sr = sem_rank.get(&addr).copied();
            Scored {
                addr,
                score,
                explain: Some(Explain {
                    lexical_rank: lr.map(|r| r + 1),
                    lexical_score: lr.map(|r| lex[r].0),
                    semantic_rank: sr.map(|r| r + 1),
                    similarity: cos.get(&addr).copied(),
                    fused: Some(score),
                }),
            }
        })
        .collect())
}
