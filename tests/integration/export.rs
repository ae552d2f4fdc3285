//! `quarry export` (issue 16): JSON Lines records of the documented type, one per passage,
//! the same passages `quarry search` selects with the same filters, the stored vectors, and
//! the OpenSearch mapping in `docs/` naming exactly the fields written.

use crate::util::{repo_root, search_json, Output, TestEnv};
use std::collections::{BTreeMap, BTreeSet};

/// An export record as `docs/opensearch.md` and the README document it, decoded
/// independently of the library's types (a renamed or added field fails here).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // every field is decoded; not every one is looked at
struct Record {
    path: String,
    line: u64,
    line_end: u64,
    title: String,
    date: Option<String>,
    account: Option<String>,
    tags: Vec<String>,
    section: String,
    kind: String,
    task: Option<String>,
    anchor: Option<String>,
    uri: Option<String>,
    status: Option<String>,
    owner: Option<String>,
    due: Option<String>,
    scheduled: Option<String>,
    start: Option<String>,
    done: Option<String>,
    priority: Option<String>,
    passage_tags: Vec<String>,
    root: String,
    abs_path: String,
    text: String,
    score: f64,
    participants: Vec<String>,
    front_matter: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    vector: Option<Vec<f32>>,
}

fn records(out: &Output) -> Vec<Record> {
    out.json()
}

fn export(env: &TestEnv, args: &[&str]) -> Vec<Record> {
    let mut all = vec!["export"];
    all.extend_from_slice(args);
    let out = env.run(&all);
    assert!(out.code == 0 || out.code == 1, "{all:?}: {}", out.stderr);
    records(&out)
}

fn stats(env: &TestEnv) -> serde_json::Value {
    serde_json::from_str(&env.ok(&["stats", "--json"], 0).stdout).unwrap()
}

#[test]
fn every_passage_is_exported_once_and_counts_equal_stats() {
    let env = TestEnv::new();
    crate::util::copy_dir(&repo_root().join("sample-vault"), &env.notes());
    env.index_notes();
    let all = export(&env, &[]);
    let s = stats(&env);
    assert_eq!(all.len() as u64, s["passages"].as_u64().unwrap());
    // Notes with no passage (front matter only, empty) are counted by stats, not exported.
    let notes: BTreeSet<&str> = all.iter().map(|r| r.path.as_str()).collect();
    let empty = ["Broken/empty.md", "Broken/frontmatter-only.md"];
    for e in empty {
        assert!(env.notes().join(e).is_file(), "{e} is in the sample vault");
        assert!(!notes.contains(e), "{e} has no passage");
    }
    assert_eq!(
        notes.len() as u64 + empty.len() as u64,
        s["notes"].as_u64().unwrap()
    );
    let unique: BTreeSet<(&str, u64)> = all.iter().map(|r| (r.path.as_str(), r.line)).collect();
    assert_eq!(unique.len(), all.len(), "path:line identifies a passage");
    assert!(all.iter().all(|r| r.score == 0.0 && r.vector.is_none()));
    assert!(all.iter().all(|r| r.line <= r.line_end));
    // Front matter as written: a note with `participants:` exports them, and its front
    // matter's own keys.
    let with_people = all
        .iter()
        .find(|r| !r.participants.is_empty())
        .expect("the sample vault has notes with participants");
    let fm = with_people.front_matter.as_ref().expect("front matter");
    assert!(fm.contains_key("participants"), "{fm:?}");
    // Kinds as `stats` counts them.
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    for r in &all {
        *kinds.entry(r.kind.clone()).or_default() += 1;
    }
    let stat_kinds: BTreeMap<String, u64> = serde_json::from_value(s["kinds"].clone()).unwrap();
    assert_eq!(kinds, stat_kinds);
}

#[test]
fn filters_select_the_passages_search_selects() {
    let env = TestEnv::new();
    crate::util::copy_dir(&repo_root().join("sample-vault"), &env.notes());
    env.index_notes();
    let cases: [&[&str]; 6] = [
        &["--account", "coreweave"],
        &["--tag", "type"],
        &["--kind", "action,decision"],
        &["--since", "2025-09-01", "--until", "2025-11-30"],
        &["--path", "Competitors"],
        &["--participant", "nobody-at-all"],
    ];
    for filters in cases {
        let exported: BTreeSet<(String, u64)> = export(&env, filters)
            .into_iter()
            .map(|r| (r.path, r.line))
            .collect();
        let mut args = filters.to_vec();
        args.extend(["-n", "100000"]);
        let searched: BTreeSet<(String, u64)> = search_json(&env, &args)
            .into_iter()
            .map(|h| (h.path, h.line))
            .collect();
        assert_eq!(exported, searched, "{filters:?}");
    }
    let out = env.run(&["export", "--participant", "nobody-at-all"]);
    assert_eq!(out.code, 1, "nothing exported exits 1, like grep");
    let out = env.run(&["export", "--kind", "nonsense"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.starts_with("quarry: "), "{}", out.stderr);
    let out = env.run(&["export", "--vectors"]);
    assert_eq!(out.code, 2, "no embeddings: {}", out.stderr);
    assert!(
        out.stderr.contains("quarry model install"),
        "{}",
        out.stderr
    );
}

#[test]
fn exported_vectors_equal_the_stored_ones_and_the_mapping_names_every_field() {
    let env = crate::semantic::embedded_sample();
    let all = export(env, &["--vectors"]);
    assert_eq!(all.len() as u64, stats(env)["passages"].as_u64().unwrap());
    // The stored vectors, read through the library from the index the binary wrote.
    let store = quarry::index::Store::open(&env.index()).unwrap();
    let vectors = store.vectors().unwrap();
    let searcher = store.searcher();
    let mut stored: BTreeMap<(String, u64), Vec<f32>> = BTreeMap::new();
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        for doc in seg.doc_ids_alive() {
            let addr = tantivy::DocAddress::new(ord as u32, doc);
            let hit = quarry::search::load_hit(&searcher, &store.fields, addr, 0.0).unwrap();
            stored.insert((hit.path, hit.line), vectors.get(hit.pid).unwrap());
        }
    }
    for r in &all {
        let v = r.vector.as_ref().expect("--vectors writes every vector");
        assert_eq!(v.len(), 384);
        assert_eq!(
            Some(v),
            stored.get(&(r.path.clone(), r.line)),
            "{}:{}",
            r.path,
            r.line
        );
    }

    // The keys the export writes, with every optional one present somewhere.
    let out = env.ok(&["export", "--vectors"], 0);
    let mut written = BTreeSet::new();
    for line in out.stdout.lines() {
        let v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line).unwrap();
        written.extend(v.keys().cloned());
    }
    let mapping: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("docs/opensearch-mapping.json")).unwrap(),
    )
    .unwrap();
    let mapped: BTreeSet<String> = mapping["mappings"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        mapped, written,
        "docs/opensearch-mapping.json vs the export's fields"
    );
    assert_eq!(
        mapping["mappings"]["properties"]["vector"]["dimension"], 384,
        "the knn_vector has the model's dimensions"
    );
}
