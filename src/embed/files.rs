//! The model's files on disk: which ones, how to tell a good set from a broken one, and the
//! weights hash that index manifests record.
//!
//! Verification reads only `config.json`, `tokenizer.json` and the safetensors *header*
//! (11 KB), never the 90 MB of weights. A truncated `model.safetensors` is still caught: the
//! tensors' data must fill the file exactly. Install verifies everything; a load checks the
//! files and config here and leaves the header to the encoder's own parser (one check each).
//!
//! The weights hash (xxh3-128 of `model.safetensors`) is computed once, at install, and kept
//! in [`HASH_FILE`] next to the weights together with their size and modification time; a
//! load trusts it while size and time still match, and rehashes (≈20 ms from the page cache)
//! otherwise.

use crate::{Error, Result};
use std::path::Path;

/// Files the model needs, all at the top of the model folder.
pub const MODEL_FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];
/// Files copied when the source has them; `sentence_bert_config.json` holds
/// `max_seq_length`, the rest make the folder loadable by sentence-transformers as is
/// (`scripts/st_throughput.py` uses that).
pub const OPTIONAL_FILES: [&str; 7] = [
    "sentence_bert_config.json",
    "modules.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
];
/// Cached weights hash, written at install (JSON: `xxh3_128`, `len`, `modified_ns`).
pub const HASH_FILE: &str = "quarry-weights-hash.json";

/// The weights file.
pub(crate) const WEIGHTS: &str = "model.safetensors";

/// What `config.json` must say; anything else is another model.
const EXPECTED_CONFIG: [(&str, u64); 6] = [
    ("hidden_size", 384),
    ("num_hidden_layers", 6),
    ("num_attention_heads", 12),
    ("intermediate_size", 1536),
    ("vocab_size", 30522),
    ("max_position_embeddings", 512),
];

/// Checks that `dir` holds a complete, uncorrupted all-MiniLM-L6-v2 (what `model install`
/// does before it puts a model in place): the config is the right architecture, the
/// tokenizer loads, and the safetensors header has every tensor with the right shape and
/// covers the whole file. Errors name the file and what is wrong.
pub fn verify_model_dir(dir: &Path) -> Result<()> {
    verify_files_and_config(dir)?;
    verify_safetensors(&dir.join(WEIGHTS))?;
    load_tokenizer(dir).map(|_| ())
}

/// What loading checks before it reads anything else: every file is there and the config is
/// all-MiniLM-L6-v2's. The weights' header is checked once, by the encoder that maps them,
/// and the tokenizer by loading it.
pub(crate) fn verify_files_and_config(dir: &Path) -> Result<()> {
    let missing: Vec<&str> = MODEL_FILES
        .iter()
        .copied()
        .filter(|f| !dir.join(f).is_file())
        .collect();
    if !missing.is_empty() {
        return Err(Error::Model(format!(
            "{} is missing {}",
            dir.display(),
            missing.join(", ")
        )));
    }
    verify_config(&dir.join("config.json"))
}

/// Loads `dir/tokenizer.json` as shipped (its padding and truncation still to be replaced).
pub(crate) fn load_tokenizer(dir: &Path) -> Result<tokenizers::Tokenizer> {
    let tok = dir.join("tokenizer.json");
    tokenizers::Tokenizer::from_file(&tok)
        .map_err(|e| Error::Model(format!("{}: not a usable tokenizer: {e}", tok.display())))
}

fn verify_config(path: &Path) -> Result<()> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::Model(format!("{}: not valid JSON: {e}", path.display())))?;
    for (key, want) in EXPECTED_CONFIG {
        match json.get(key).and_then(|v| v.as_u64()) {
            Some(got) if got == want => {}
            got => {
                return Err(Error::Model(format!(
                    "{}: {key} is {}, all-MiniLM-L6-v2 has {want}; this is another model",
                    path.display(),
                    got.map_or("absent".to_string(), |g| g.to_string())
                )))
            }
        }
    }
    match json.get("hidden_act").and_then(|v| v.as_str()) {
        Some("gelu") => Ok(()),
        other => Err(Error::Model(format!(
            "{}: hidden_act is {other:?}, all-MiniLM-L6-v2 has \"gelu\"",
            path.display()
        ))),
    }
}

/// Every tensor BertModel reads, with its shape.
fn expected_tensors() -> Vec<(String, Vec<usize>)> {
    let (h, i) = (384, 1536);
    let mut t = vec![
        (
            "embeddings.word_embeddings.weight".to_string(),
            vec![30522, h],
        ),
        (
            "embeddings.position_embeddings.weight".to_string(),
            vec![512, h],
        ),
        (
            "embeddings.token_type_embeddings.weight".to_string(),
            vec![2, h],
        ),
        ("embeddings.LayerNorm.weight".to_string(), vec![h]),
        ("embeddings.LayerNorm.bias".to_string(), vec![h]),
    ];
    for l in 0..6 {
        let p = format!("encoder.layer.{l}");
        for (name, shape) in [
            ("attention.self.query.weight", vec![h, h]),
            ("attention.self.query.bias", vec![h]),
            ("attention.self.key.weight", vec![h, h]),
            ("attention.self.key.bias", vec![h]),
            ("attention.self.value.weight", vec![h, h]),
            ("attention.self.value.bias", vec![h]),
            ("attention.output.dense.weight", vec![h, h]),
            ("attention.output.dense.bias", vec![h]),
            ("attention.output.LayerNorm.weight", vec![h]),
            ("attention.output.LayerNorm.bias", vec![h]),
            ("intermediate.dense.weight", vec![i, h]),
            ("intermediate.dense.bias", vec![i]),
            ("output.dense.weight", vec![h, i]),
            ("output.dense.bias", vec![h]),
            ("output.LayerNorm.weight", vec![h]),
            ("output.LayerNorm.bias", vec![h]),
        ] {
            t.push((format!("{p}.{name}"), shape));
        }
    }
    t
}

/// Checks the safetensors header through the `safetensors` crate (the parser the encoder
/// loads with), on a map of the file, so the weights themselves are not read: every tensor's
/// data must fit and fill the file exactly (a cut-short download fails here), and every tensor
/// of all-MiniLM-L6-v2 must be there as F32 of the right shape.
fn verify_safetensors(path: &Path) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    // SAFETY: read-only map of a file being verified before it is installed; nothing else
    // writes it meanwhile, and only the header pages are touched.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
    let (_, meta) = safetensors::SafeTensors::read_metadata(&map).map_err(|e| {
        Error::Model(format!(
            "{}: not a complete safetensors file ({e:?}); the download was probably cut short",
            path.display()
        ))
    })?;
    for (name, shape) in expected_tensors() {
        let info = meta.info(&name).ok_or_else(|| {
            Error::Model(format!(
                "{}: has no tensor {name}; not all-MiniLM-L6-v2",
                path.display()
            ))
        })?;
        if info.dtype != safetensors::Dtype::F32 || info.shape != shape {
            return Err(Error::Model(format!(
                "{}: tensor {name} is {:?} {:?}, expected F32 {shape:?}; not all-MiniLM-L6-v2",
                path.display(),
                info.dtype,
                info.shape
            )));
        }
    }
    Ok(())
}

#[derive(serde::Serialize, serde::Deserialize, PartialEq)]
struct HashCache {
    xxh3_128: String,
    len: u64,
    modified_ns: u128,
}

fn stamp(path: &Path) -> Result<(u64, u128)> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Ok((meta.len(), modified))
}

/// xxh3-128 of `dir/model.safetensors` as 32 lowercase hex digits.
///
/// Read from [`HASH_FILE`] when its recorded size and modification time still match the
/// weights; otherwise computed over a memory map and, when the folder is writable, cached.
pub fn weights_hash(dir: &Path) -> Result<String> {
    let weights = dir.join(WEIGHTS);
    let (len, modified_ns) = stamp(&weights)?;
    if let Ok(text) = std::fs::read_to_string(dir.join(HASH_FILE)) {
        if let Ok(c) = serde_json::from_str::<HashCache>(&text) {
            if c.len == len && c.modified_ns == modified_ns && c.xxh3_128.len() == 32 {
                return Ok(c.xxh3_128);
            }
        }
    }
    let hash = hash_file(&weights)?;
    // A read-only install still works, it just rehashes each time.
    let _ = write_hash_cache(dir, &hash);
    Ok(hash)
}

/// Hashes a file's bytes with xxh3-128.
pub(crate) fn hash_file(path: &Path) -> Result<String> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    // SAFETY: the map is read once, here; quarry never writes an installed model, and an
    // outside writer would at worst give a wrong hash, which the next load corrects.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
    Ok(format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&map)))
}

/// Records `hash` for the weights in `dir` as they are now, atomically.
pub(crate) fn write_hash_cache(dir: &Path, hash: &str) -> Result<()> {
    let (len, modified_ns) = stamp(&dir.join(WEIGHTS))?;
    let cache = HashCache {
        xxh3_128: hash.to_string(),
        len,
        modified_ns,
    };
    let json = serde_json::to_string(&cache).expect("plain struct serialises");
    crate::fsio::write_bytes_atomic(&dir.join(HASH_FILE), json.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("quarry-embed-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn missing_files_are_named() {
        let dir = scratch("missing");
        std::fs::write(dir.join("config.json"), "{}").unwrap();
        let err = verify_model_dir(&dir).unwrap_err().to_string();
        assert!(err.contains("tokenizer.json, model.safetensors"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn another_models_config_is_refused() {
        let dir = scratch("config");
        let path = dir.join("config.json");
        std::fs::write(&path, r#"{"hidden_size": 768, "num_hidden_layers": 12}"#).unwrap();
        let err = verify_config(&path).unwrap_err().to_string();
        assert!(err.contains("hidden_size is 768"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn truncated_safetensors_is_refused() {
        let dir = scratch("trunc");
        let path = dir.join(WEIGHTS);
        let header = br#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#;
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header);
        bytes.extend_from_slice(&[0u8; 10]); // 6 bytes short
        std::fs::write(&path, &bytes).unwrap();
        let err = verify_safetensors(&path).unwrap_err().to_string();
        assert!(err.contains("cut short"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn hash_is_cached_and_refreshed_when_weights_change() {
        let dir = scratch("hash");
        std::fs::write(dir.join(WEIGHTS), b"one").unwrap();
        let first = weights_hash(&dir).unwrap();
        assert_eq!(first.len(), 32);
        assert!(dir.join(HASH_FILE).is_file());
        assert_eq!(weights_hash(&dir).unwrap(), first);
        std::fs::write(dir.join(WEIGHTS), b"other bytes").unwrap();
        assert_ne!(weights_hash(&dir).unwrap(), first);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
