//! Retrieval evaluation on BEIR-format collections.
