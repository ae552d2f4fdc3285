use super::*;
use tokenizers::{TruncationDirection, TruncationParams, TruncationStrategy};

/// A temp folder holding a copy of the installed model's `tokenizer.json` (the real model
/// must be installed: `quarry model install`).
fn model_copy() -> tempfile::TempDir {
    let installed = crate::embed::model_dir().join(JSON_FILE);
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&installed, dir.path().join(JSON_FILE)).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; the tokenizer tests need the model (run `quarry model install`)",
            installed.display()
        )
    });
    dir
}

/// As `MiniLm::load_with` sets them.
fn as_used(mut t: Tokenizer) -> Tokenizer {
    t.with_truncation(Some(TruncationParams {
        direction: TruncationDirection::Right,
        max_length: crate::embed::MAX_TOKENS,
        strategy: TruncationStrategy::LongestFirst,
        stride: 0,
    }))
    .unwrap();
    t.with_padding(None);
    t
}

/// Text of every kind the notes hold: the sample vault, 300 synthetic notes (a tenth with
/// mojibake), and hostile strings.
fn sample() -> Vec<String> {
    let mut texts = Vec::new();
    let vault = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-vault");
    for entry in walkdir::WalkDir::new(&vault).into_iter().flatten() {
        if let Ok(text) = std::fs::read_to_string(entry.path()) {
            texts.extend(text.lines().map(str::to_string));
            texts.push(text);
        }
    }
    for i in 0..300 {
        let (_, note) = quarry_synth::note(i, 3);
        texts.extend(note.lines().map(str::to_string));
    }
    for s in [
        "",
        " ",
        "[CLS] literal [SEP] markers [MASK] and [PAD]",
        "Microsoft‚Äôs GPU capacity üìÖ 2025-11-05",
        "Ünïcödé àccents, Straße, İstanbul, ﬁ ligature, ½ ⅔",
        "中文字符和日本語のテキスト 한국어",
        "tab\tcontrol\u{0}\u{7}chars\u{200b}zero width\u{feff}bom",
        "emoji 👩‍💻🚀 and flags 🇫🇷",
        &"supercalifragilistic".repeat(8),
        &"word ".repeat(400),
        "e-mail: a.b@c.de, url https://x.y/z?q=1&r=2#frag, $1,234.56 (≈ 7%)",
    ] {
        texts.push(s.to_string());
    }
    texts
}

#[test]
fn the_cached_tokenizer_encodes_every_text_as_tokenizer_json_does() {
    let dir = model_copy();
    let reference = as_used(Tokenizer::from_file(dir.path().join(JSON_FILE)).unwrap());
    // The first load parses the JSON and writes the cache; the cache then builds the same.
    let first = as_used(load(dir.path()).unwrap());
    let stamp = stamp(&dir.path().join(JSON_FILE)).unwrap();
    let cached = from_cache(&dir.path().join(CACHE_FILE), &stamp)
        .expect("the first load writes a usable cache");
    let cached = as_used(cached);
    let texts = sample();
    assert!(texts.len() > 5000, "{} texts", texts.len());
    let mut tokens = 0;
    for t in &texts {
        let want = reference.encode_fast(t.as_str(), true).unwrap();
        for (name, tok) in [("first load", &first), ("cache", &cached)] {
            let got = tok.encode_fast(t.as_str(), true).unwrap();
            assert_eq!(got.get_ids(), want.get_ids(), "{name}: {t:?}");
            assert_eq!(got.get_offsets(), want.get_offsets(), "{name}: {t:?}");
        }
        tokens += want.get_ids().len();
    }
    assert!(tokens > 100_000, "{tokens} tokens compared");
    let batch: Vec<&str> = texts.iter().take(64).map(String::as_str).collect();
    let a = reference.encode_batch_fast(batch.clone(), true).unwrap();
    let b = cached.encode_batch_fast(batch, true).unwrap();
    assert!(a.iter().zip(&b).all(|(x, y)| x.get_ids() == y.get_ids()));
}

#[test]
fn a_stale_or_foreign_cache_is_not_used_and_another_tokenizer_gets_none() {
    let dir = model_copy();
    load(dir.path()).unwrap();
    let cache = dir.path().join(CACHE_FILE);
    assert!(cache.is_file());
    // Another tokenizer.json (a different size): the cache is stale.
    let json = dir.path().join(JSON_FILE);
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    v["normalizer"]["lowercase"] = false.into();
    std::fs::write(&json, serde_json::to_string(&v).unwrap()).unwrap();
    let now = stamp(&json).unwrap();
    assert!(from_cache(&cache, &now).is_none(), "stale cache used");
    // A cased tokenizer is not the pipeline the cache builds: no cache for it.
    assert!(standard_bert_vocab(&json).is_none());
    std::fs::remove_file(&cache).unwrap();
    let cased = load(dir.path()).unwrap();
    assert!(!cache.exists(), "a cache was written for another tokenizer");
    let from_json = Tokenizer::from_file(dir.path().join(JSON_FILE)).unwrap();
    assert_eq!(
        cased.encode_fast("GPU Capacity", false).unwrap().get_ids(),
        from_json
            .encode_fast("GPU Capacity", false)
            .unwrap()
            .get_ids(),
        "the cased tokenizer.json is the one loaded"
    );
    // A damaged cache falls back to the JSON.
    std::fs::write(&cache, format!("{CACHE_MAGIC}\n{now}\nonly\ntwo\n")).unwrap();
    assert!(from_cache(&cache, &now).is_none());
}
