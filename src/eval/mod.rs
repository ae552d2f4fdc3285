//! Retrieval evaluation on BEIR-format collections (issue 4): [`beir`] loads a collection and
//! its judgments strictly, [`metrics`] scores ranked runs exactly as trec_eval (`-c`) does, so
//! quarry's numbers sit beside published BEIR / Anserini / MTEB baselines.
pub mod beir;
pub mod metrics;
pub mod run;

pub use beir::{load, Dataset, Doc, Qrels, Query};
pub use metrics::{evaluate, per_query, QueryScores, Scores};
