//! Integration tests: the real `quarry` binary on fixture vaults.

mod util;

mod claims;
mod cli;
mod config;
mod hardening;
mod indexing;
mod notes;
mod obsidian;
mod repo;
mod sample_vault;
mod search;
mod semantic;
mod snapshots;
