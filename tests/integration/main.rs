//! Integration tests: the real `quarry` binary on fixture vaults.

mod util;

mod claims;
mod claims_threads;
mod cli;
mod config;
mod export;
mod hardening;
mod indexing;
mod mcp;
mod notes;
mod obsidian;
mod repo;
mod roots;
mod sample_vault;
mod search;
mod semantic;
mod snapshots;
mod tasks;
mod vectors;
mod watch;
