//! Compact vectors (issue 16): the compact scan's ranking against the exact one on real
//! embeddings, with and without filters; segments written before compact codes are searched
//! and upgraded; a run killed before compaction leaves codes and vectors in step.

use crate::util::{search_json, JsonHit, TestEnv};
use std::collections::HashSet;
use std::sync::OnceLock;

/// 200 synthetic notes (about 4,600 passages: several times the re-scored shortlist, so the
/// compact scan really chooses) indexed once with the real model.
fn embedded_synth() -> &'static TestEnv {
    static ENV: OnceLock<TestEnv> = OnceLock::new();
    ENV.get_or_init(|| {
        let env = TestEnv::new();
        for i in 0..200 {
            let (path, content) = quarry_synth::note(i, 16);
            env.write(&path, content);
        }
        let out = env.ok(&["index", env.notes().to_str().unwrap(), "--json"], 0);
        let s: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
        assert!(
            s["embedded"].as_u64().unwrap_or(0) > 4000,
            "the embedding model must be installed for these tests (run `quarry model install`): {}\n{}",
            out.stdout,
            out.stderr
        );
        env
    })
}

fn keys(hits: &[JsonHit]) -> Vec<(String, u64)> {
    hits.iter().map(|h| (h.path.clone(), h.line)).collect()
}

/// Queries in the vocabulary of the synthetic notes, and paraphrases of it.
const QUERIES: [&str; 24] = [
    "GPU capacity shortage",
    "the customer cannot get enough compute",
    "storage throughput during checkpoints",
    "pricing discussion and discounts",
    "follow up with the account team",
    "power constraints at the data center",
    "network fabric latency problems",
    "contract renewal timeline",
    "competitor benchmark claims",
    "migration off the public cloud",
    "training cluster utilisation",
    "inference serving costs",
    "security review and compliance",
    "sovereign cloud requirements",
    "who owns the next steps",
    "budget freeze",
    "small files slow down listing",
    "expansion into a second region",
    "executive sponsor is leaving",
    "delivery dates for the hardware",
    "object storage versus parallel file system",
    "quarterly business review",
    "support escalation",
    "proof of concept results",
];

/// Mean recall@10 of `--scan compact` against `--scan exact`, semantic mode, with `extra`
/// arguments (filters) on every query.
fn recall_at_10(env: &TestEnv, extra: &[&str]) -> f64 {
    let mut total = 0.0;
    let mut counted = 0;
    for q in QUERIES {
        let run = |scan: &str| {
            let mut args = vec![q, "--mode", "semantic", "-n", "10", "--scan", scan];
            args.extend_from_slice(extra);
            keys(&search_json(env, &args))
        };
        let exact = run("exact");
        if exact.is_empty() {
            continue;
        }
        let compact: HashSet<(String, u64)> = run("compact").into_iter().collect();
        let found = exact.iter().filter(|k| compact.contains(*k)).count();
        total += found as f64 / exact.len() as f64;
        counted += 1;
    }
    assert!(
        counted >= QUERIES.len() / 2,
        "{extra:?}: only {counted} queries found anything"
    );
    total / counted as f64
}

#[test]
fn compact_scan_recall_at_10_is_at_least_0_99_with_and_without_filters() {
    let env = embedded_synth();
    let stats: serde_json::Value =
        serde_json::from_str(&env.ok(&["stats", "--json"], 0).stdout).unwrap();
    let account = stats["top_accounts"][0][0].as_str().unwrap().to_string();
    let tag = stats["top_tags"][2][0].as_str().unwrap().to_string();
    for extra in [
        vec![],
        vec!["--account", account.as_str()],
        vec!["--tag", tag.as_str(), "--kind", "fact,action"],
        vec!["--since", "2025-01-01"],
    ] {
        let recall = recall_at_10(env, &extra);
        eprintln!("recall@10 {extra:?}: {recall:.4}");
        assert!(recall >= 0.99, "recall@10 {recall:.4} with {extra:?}");
    }
}

#[test]
fn compact_hybrid_ranks_as_the_exact_scan_does() {
    let env = embedded_synth();
    let mut same = 0;
    for q in QUERIES {
        let run = |scan: &str| keys(&search_json(env, &[q, "-n", "10", "--scan", scan]));
        if run("compact") == run("exact") {
            same += 1;
        }
    }
    assert!(
        same >= QUERIES.len() - 1,
        "{same} of {} identical",
        QUERIES.len()
    );
}

/// Rewrites every vector segment of an index as quarry wrote them before compact codes
/// (`QVEC0002`: header, pids, vectors), keeping the names the commit lists.
fn downgrade_segments(index: &std::path::Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(index).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.starts_with("vectors-") && name.ends_with(".bin")) {
            continue;
        }
        let b = std::fs::read(entry.path()).unwrap();
        assert_eq!(&b[..8], b"QVEC0003", "{name}");
        let dims = u32::from_le_bytes(b[8..12].try_into().unwrap()) as usize;
        let count = u32::from_le_bytes(b[12..16].try_into().unwrap()) as usize;
        let pids_at = (24 + dims * 4).div_ceil(8) * 8;
        let vectors_at = pids_at + 8 * count;
        let mut old = b"QVEC0002".to_vec();
        old.extend_from_slice(&b[8..24]);
        old.extend_from_slice(&b[pids_at..vectors_at + 4 * dims * count]);
        std::fs::write(entry.path(), old).unwrap();
        n += 1;
    }
    n
}

/// The vector segment files the last commit names.
pub(crate) fn committed_vector_files(index: &std::path::Path) -> Vec<String> {
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(index.join("meta.json")).unwrap()).unwrap();
    let payload: serde_json::Value =
        serde_json::from_str(meta["payload"].as_str().unwrap()).unwrap();
    payload["vector_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn vector_files(index: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(index)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("vectors-") && n.ends_with(".bin"))
        .collect();
    v.sort();
    v
}

#[test]
fn segments_without_codes_are_searched_exactly_and_the_next_run_gives_them_codes() {
    let env = TestEnv::new();
    crate::util::copy_dir(&crate::util::repo_root().join("sample-vault"), &env.notes());
    let notes = env.notes();
    env.ok(&["index", notes.to_str().unwrap()], 0);
    let query = ["GPU capacity shortage", "--mode", "semantic", "-n", "10"];
    let before = keys(&search_json(&env, &query));
    assert!(!before.is_empty());
    assert!(downgrade_segments(&env.index()) >= 1);
    let old_files = vector_files(&env.index());
    // Old segments: every scan falls back to the exact one, with the same result.
    for scan in ["auto", "compact", "exact"] {
        let mut args = query.to_vec();
        args.extend(["--scan", scan]);
        assert_eq!(keys(&search_json(&env, &args)), before, "--scan {scan}");
    }
    // A run with nothing to do still rewrites them, with codes, and embeds nothing.
    let out = env.ok(&["index", "--json"], 0);
    let summary: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(summary["embedded"], 0, "{summary}");
    let new_files = committed_vector_files(&env.index());
    assert!(
        new_files.iter().all(|f| !old_files.contains(f)),
        "{new_files:?}"
    );
    for f in &new_files {
        let bytes = std::fs::read(env.index().join(f)).unwrap();
        assert_eq!(&bytes[..8], b"QVEC0003", "{f}");
    }
    let meta = std::fs::read_to_string(env.index().join("meta.json")).unwrap();
    assert!(
        meta.contains(r#"\"format\":2"#),
        "the rewrite commits format 2: {meta}"
    );
    let mut compact = query.to_vec();
    compact.extend(["--scan", "compact"]);
    assert_eq!(keys(&search_json(&env, &compact)), before);
}
