//! Search: a query and filters in, ranked passages out.
//!
//! Filters become tantivy queries that score nothing (`ConstScoreQuery` with 0) and are
//! intersected with the text query inside the index, so a narrow filter never starves the
//! top-k. The folder holds one step each:
//!
//! * [`query`] parses the query language into clauses; [`filter`] turns filters into queries;
//! * [`lexical`] ranks by BM25; [`semantic`] by cosine over the filtered passages (exact,
//!   or compact codes with an exact re-score);
//!   [`fusion`] fuses the two lists for hybrid mode; [`modes`] runs a request in its mode;
//!   [`order`] decides the cut and the order (ties by path and line, `--sort date` over
//!   every match); [`stopwords`] keeps function words out of the lexical query;
//! * [`suggest`] names a filter value that matches nothing, with the closest known ones;
//! * [`hit`] is the ranked passage every printer and the JSON contract share;
//! * [`engine`] owns an opened index, its vectors and the lazily loaded model: the one
//!   entry point of the commands (and of later front ends).

pub mod engine;
pub mod filter;
pub mod fusion;
pub mod hit;
pub mod lexical;
pub mod modes;
pub mod order;
pub mod query;
pub mod request;
pub mod semantic;
pub mod stopwords;
pub mod suggest;

pub use engine::Engine;
pub use filter::{FilterInput, Filters};
pub use hit::{load_hit, Explain, Hit};
pub use lexical::{build_query, filter_query, lexical};
pub use modes::run;
pub use request::SIMILARITY_FLOOR;
pub use request::{FusionMethod, FusionParams, Mode, Request, SortBy, FUSION_DEPTH};
pub use semantic::{
    embed_query, embedder_fn, semantic, semantic_text, Ranked, Scan, SemanticParts,
};

pub(crate) use hit::pid_of;

use crate::index::Store;
