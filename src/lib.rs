//! quarry: a local full-text and semantic search engine over Markdown notes.
//!
//! The pipeline is note → passages → index → search → render:
//!
//! * [`note`] reads a file, repairs its text and splits it into [`passage::Passage`]s;
//! * [`passage`] says what a passage is, the text it is embedded as and its vector key;
//! * [`index`] stores passages in an embedded tantivy index (plus a flat vector file);
//! * [`search`] turns a query and filters into ranked hits (lexical, semantic, hybrid);
//! * [`render`] prints hits for people or as JSON Lines.
//!
//! Long-lived front ends build on the same stages: [`watch`] keeps an index current as notes
//! change, and [`mcp`] serves the search engine to AI assistants.
//!
//! `src/main.rs` only parses the command line, calls [`cmd::run`] and maps errors to exit codes.
#![warn(missing_docs)]

pub mod args;
pub mod claims;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod date;
pub mod embed;
pub mod error;
pub mod eval;
pub mod fsio;
pub mod index;
pub mod mcp;
pub mod note;
pub mod passage;
pub mod render;
pub mod search;
pub mod testpoint;
pub mod watch;

pub use error::{Error, Result};
