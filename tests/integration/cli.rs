//! Command-line behaviour: help, missing or foreign index folders, index location.

use crate::util::TestEnv;

#[test]
fn help_explains() {
    let env = TestEnv::new();
    let out = env.ok(&["--help"], 0);
    for cmd in ["index", "search", "claims", "stats", "model"] {
        assert!(out.stdout.contains(cmd), "{}", out.stdout);
    }
    let out = env.ok(&["search", "--help"], 0);
    for flag in [
        "--tag",
        "--account",
        "--since",
        "--until",
        "--kind",
        "--path",
        "--limit",
        "--json",
        "--files",
        "--mode",
        "--explain",
    ] {
        assert!(
            out.stdout.contains(flag),
            "{flag} missing from search --help"
        );
    }
}

#[test]
fn search_without_an_index_says_to_index_first() {
    let env = TestEnv::new();
    let out = env.ok(&["search", "anything"], 2);
    assert!(
        out.stderr
            .contains("run `quarry index <notes folder>` first"),
        "{}",
        out.stderr
    );
    let out = env.ok(&["stats"], 2);
    assert!(out.stderr.contains("quarry index"), "{}", out.stderr);
}

#[test]
fn refuses_a_folder_that_is_not_a_quarry_index() {
    let env = TestEnv::new();
    env.write("a.md", "- x\n");
    let foreign = env.dir.path().join("foreign");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("thesis.docx"), "precious").unwrap();
    let notes = env.notes();
    let out = env.ok(
        &[
            "index",
            notes.to_str().unwrap(),
            "--index",
            foreign.to_str().unwrap(),
        ],
        2,
    );
    assert!(out.stderr.contains("not a quarry index"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(foreign.join("thesis.docx")).unwrap(),
        "precious"
    );
    let out = env.ok(
        &["index", env.dir.path().join("missing").to_str().unwrap()],
        2,
    );
    assert!(out.stderr.contains("no such folder"), "{}", out.stderr);
}

#[test]
fn index_location_flag_beats_env_beats_default() {
    let env = TestEnv::new();
    env.write("a.md", "- located fact\n");
    let notes = env.notes();
    // Default ./index (relative to the working directory).
    env.cmd()
        .env_remove("QUARRY_INDEX")
        .args(["index", notes.to_str().unwrap(), "--no-embed"])
        .assert()
        .success();
    assert!(env.dir.path().join("index/meta.json").is_file());
    // --index wins over QUARRY_INDEX.
    let flag = env.dir.path().join("flag-index");
    env.cmd()
        .env("QUARRY_INDEX", env.dir.path().join("env-index"))
        .args([
            "index",
            notes.to_str().unwrap(),
            "--no-embed",
            "--index",
            flag.to_str().unwrap(),
        ])
        .assert()
        .success();
    assert!(flag.join("meta.json").is_file());
    assert!(!env.dir.path().join("env-index").exists());
}

#[test]
fn eval_scores_a_tiny_beir_collection() {
    let env = TestEnv::new();
    let data = crate::util::repo_root().join("tests/fixtures/beir-tiny");
    let out = env.ok(
        &[
            "eval",
            data.to_str().unwrap(),
            "--modes",
            "lexical",
            "--json",
        ],
        0,
    );
    let r: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(
        (r["docs"].as_u64(), r["queries"].as_u64()),
        (Some(5), Some(3))
    );
    let lexical = &r["modes"][0];
    assert_eq!(lexical["mode"], "lexical");
    // q1 and q2 find their only relevant document first (nDCG 1); q3 finds d3 first but d5
    // (no shared word) only if at all: nDCG@10 = 1/(1 + 1/log2(3)) = 0.6131 when d5 is missing.
    let ndcg = lexical["ndcg10"].as_f64().unwrap();
    assert!(
        (ndcg - (2.0 + 1.0 / (1.0 + 1.0 / 3f64.log2())) / 3.0).abs() < 1e-3,
        "{ndcg}"
    );
    assert!((lexical["mrr10"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    let human = env
        .ok(&["eval", data.to_str().unwrap(), "--modes", "lexical"], 0)
        .stdout;
    assert!(
        human.contains("nDCG@10") && human.contains("lexical"),
        "{human}"
    );
}

#[test]
fn eval_rejects_a_malformed_collection_with_the_line() {
    let env = TestEnv::new();
    let dir = env.dir.path().join("bad");
    std::fs::create_dir_all(dir.join("qrels")).unwrap();
    std::fs::write(
        dir.join("corpus.jsonl"),
        "{\"_id\": \"d1\", \"title\": \"t\", \"text\": \"x\"}\n{not json\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("queries.jsonl"),
        "{\"_id\": \"q1\", \"text\": \"x\"}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("qrels/test.tsv"),
        "query-id\tcorpus-id\tscore\nq1\td1\t1\n",
    )
    .unwrap();
    let out = env.ok(&["eval", dir.to_str().unwrap(), "--modes", "lexical"], 2);
    assert!(out.stderr.contains("corpus.jsonl:2"), "{}", out.stderr);
}
