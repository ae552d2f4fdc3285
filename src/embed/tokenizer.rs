//! Loading the tokenizer without parsing `tokenizer.json` in every process.
//!
//! `tokenizers` builds a tokenizer from its JSON file: for all-MiniLM-L6-v2 that is 466 KB of
//! JSON (a 30,522-entry vocabulary as an object) parsed into a map, every time a `quarry
//! search` process embeds its query. The tokenizer itself is the standard uncased BERT one:
//! BERT normalizer (clean text, CJK spacing, lowercase, accents stripped with lowercasing),
//! BERT pre-tokenizer, WordPiece with `##` continuations, `[CLS] … [SEP]` around each text.
//! So the first load parses the JSON as before, checks that it describes exactly that
//! pipeline (every setting compared, not assumed), and writes the vocabulary beside the
//! model as [`CACHE_FILE`], one token per line in id order, with the size and modification
//! time of the `tokenizer.json` it came from. Later loads read those lines and build the
//! same pipeline from `tokenizers`' own parts, which skips the JSON parse (see the README's
//! query-path timings). A changed `tokenizer.json` (size or time) or a tokenizer of another
//! shape is simply loaded from its JSON, and a model folder that cannot be written keeps
//! working without the cache.
//!
//! Equivalence is a test: both loads encode a large sample of note text (the sample vault,
//! synthetic notes, hostile Unicode) to the same ids, token for token.

use crate::{Error, Result};
use serde_json::{json, Value};
use std::path::Path;
use tokenizers::decoders::wordpiece::WordPiece as WordPieceDecoder;
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::bert::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::processors::template::TemplateProcessing;
use tokenizers::{AddedToken, Tokenizer};

/// The vocabulary cache, written beside `tokenizer.json`.
pub const CACHE_FILE: &str = "quarry-tokenizer-vocab.txt";

const JSON_FILE: &str = "tokenizer.json";

/// First line of the cache: a marker and the version of its format.
const CACHE_MAGIC: &str = "quarry-tokenizer-vocab 1";

/// Loads the model folder's tokenizer (as shipped: padding and truncation still to be set by
/// the caller), from the vocabulary cache when it matches `tokenizer.json`, else from the
/// JSON, writing the cache when the tokenizer is the standard BERT one.
pub fn load(dir: &Path) -> Result<Tokenizer> {
    let stamp = stamp(&dir.join(JSON_FILE));
    if let Some(stamp) = &stamp {
        if let Some(tokenizer) = from_cache(&dir.join(CACHE_FILE), stamp) {
            return Ok(tokenizer);
        }
    }
    let tokenizer = super::files::load_tokenizer(dir)?;
    if let Some(stamp) = stamp {
        if let Some(vocab) = standard_bert_vocab(&dir.join(JSON_FILE)) {
            // Best effort: a read-only model folder just loads from JSON every time.
            let _ = write_cache(&dir.join(CACHE_FILE), &stamp, &vocab);
        }
    }
    Ok(tokenizer)
}

/// The `tokenizer.json` a cache was made from: its size and modification time.
fn stamp(json: &Path) -> Option<String> {
    let meta = std::fs::metadata(json).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(format!("{} {mtime}", meta.len()))
}

/// The tokenizer from a cache file written for `stamp`; `None` when there is none, it is
/// for another `tokenizer.json`, or it cannot be used.
fn from_cache(path: &Path, stamp: &str) -> Option<Tokenizer> {
    let bytes = std::fs::read(path).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let (magic, rest) = text.split_once('\n')?;
    let (stamp_line, vocab) = rest.split_once('\n')?;
    if magic != CACHE_MAGIC || stamp_line != stamp {
        return None;
    }
    build(vocab.as_bytes()).ok()
}

/// The standard uncased BERT pipeline over `vocab` (one token per line, in id order).
fn build(vocab: &[u8]) -> Result<Tokenizer> {
    let err = |e: &dyn std::fmt::Display| Error::Model(format!("tokenizer cache: {e}"));
    let vocab = WordPiece::read_bytes(vocab).map_err(|e| err(&e))?;
    let id = |t: &str| vocab.get(t).copied().ok_or_else(|| err(&format!("no {t}")));
    let (cls, sep) = (id("[CLS]")?, id("[SEP]")?);
    let specials: Vec<AddedToken> = SPECIALS
        .iter()
        .map(|t| AddedToken::from(*t, true))
        .collect();
    for t in SPECIALS {
        id(t)?;
    }
    let model = WordPiece::builder()
        .vocab(vocab)
        .unk_token("[UNK]".into())
        .continuing_subword_prefix("##".into())
        .max_input_chars_per_word(100)
        .build()
        .map_err(|e| err(&e))?;
    let post = TemplateProcessing::builder()
        .try_single("[CLS] $A [SEP]")
        .map_err(|e| err(&e))?
        .try_pair("[CLS] $A [SEP] $B:1 [SEP]:1")
        .map_err(|e| err(&e))?
        .special_tokens(vec![("[CLS]", cls), ("[SEP]", sep)])
        .build()
        .map_err(|e| err(&e))?;
    let mut tokenizer = Tokenizer::new(model);
    tokenizer
        .with_normalizer(Some(BertNormalizer::new(true, true, None, true)))
        .map_err(|e| err(&e))?
        .with_pre_tokenizer(Some(BertPreTokenizer))
        .with_post_processor(Some(post))
        .with_decoder(Some(WordPieceDecoder::new("##".into(), true)));
    tokenizer
        .add_special_tokens(specials)
        .map_err(|e| err(&e))?;
    Ok(tokenizer)
}

/// The added tokens, in id order as `tokenizer.json` lists them.
const SPECIALS: [&str; 5] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

/// The vocabulary in id order when `json` is exactly the pipeline [`build`] makes (every
/// setting but the vocabulary, padding and truncation compared), else `None`.
fn standard_bert_vocab(json: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(json).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    let model = v.get("model")?;
    let vocab = model.get("vocab")?.as_object()?;
    let mut by_id: Vec<Option<&str>> = vec![None; vocab.len()];
    for (token, id) in vocab {
        let slot = by_id.get_mut(usize::try_from(id.as_u64()?).ok()?)?;
        // A line per token: no line breaks, nothing the reader would trim.
        if slot.is_some() || token.contains(['\n', '\r']) || token.trim_end() != token {
            return None;
        }
        *slot = Some(token);
    }
    let tokens: Vec<String> = by_id
        .into_iter()
        .map(|t| t.map(str::to_string))
        .collect::<Option<_>>()?;
    let id = |t: &str| tokens.iter().position(|x| x == t);
    let added: Vec<Value> = SPECIALS
        .iter()
        .map(|t| {
            Some(
                json!({"id": id(t)?, "special": true, "content": t, "single_word": false,
                "lstrip": false, "rstrip": false, "normalized": false}),
            )
        })
        .collect::<Option<_>>()?;
    let (cls, sep) = (id("[CLS]")?, id("[SEP]")?);
    let expected = [
        ("added_tokens", Value::Array(added)),
        (
            "normalizer",
            json!({"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                "strip_accents": null, "lowercase": true}),
        ),
        ("pre_tokenizer", json!({"type": "BertPreTokenizer"})),
        (
            "post_processor",
            json!({"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                    {"Sequence": {"id": "A", "type_id": 0}},
                    {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                    {"Sequence": {"id": "A", "type_id": 0}},
                    {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                    {"Sequence": {"id": "B", "type_id": 1}},
                    {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                "special_tokens": {
                    "[CLS]": {"id": "[CLS]", "ids": [cls], "tokens": ["[CLS]"]},
                    "[SEP]": {"id": "[SEP]", "ids": [sep], "tokens": ["[SEP]"]}}}),
        ),
        (
            "decoder",
            json!({"type": "WordPiece", "prefix": "##", "cleanup": true}),
        ),
    ];
    if expected.iter().any(|(k, want)| v.get(*k) != Some(want)) {
        return None;
    }
    let model_ok = model.get("type")? == "WordPiece"
        && model.get("unk_token")? == "[UNK]"
        && model.get("continuing_subword_prefix")? == "##"
        && model.get("max_input_chars_per_word")? == 100;
    model_ok.then_some(tokens)
}

fn write_cache(path: &Path, stamp: &str, vocab: &[String]) -> Result<()> {
    let mut text = format!("{CACHE_MAGIC}\n{stamp}\n");
    for t in vocab {
        text.push_str(t);
        text.push('\n');
    }
    crate::fsio::write_bytes_atomic(path, text.as_bytes())
}

#[cfg(test)]
mod tests;
