//! Deterministic synthetic vaults for benchmarks.
