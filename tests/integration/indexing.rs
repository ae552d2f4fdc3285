//! Indexing: incremental runs, rebuild, read-only notes, locking, stats.

use crate::util::{search_json, tree_hash, TestEnv};

fn summary(out: &crate::util::Output) -> serde_json::Value {
    serde_json::from_str(out.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

fn index_json(env: &TestEnv, extra: &[&str]) -> serde_json::Value {
    let notes = env.notes();
    let mut args = vec!["index", notes.to_str().unwrap(), "--no-embed", "--json"];
    args.extend_from_slice(extra);
    summary(&env.ok(&args, 0))
}

#[test]
fn incremental_add_modify_delete() {
    let env = TestEnv::new();
    env.write("a.md", "- apple one\n");
    env.write("b.md", "- banana one\n");
    let s = index_json(&env, &[]);
    assert_eq!(
        (
            s["indexed"].as_u64(),
            s["notes"].as_u64(),
            s["passages_added"].as_u64()
        ),
        (Some(2), Some(2), Some(2))
    );

    // No change: nothing parsed, no commit.
    let s = index_json(&env, &[]);
    assert_eq!(
        (
            s["indexed"].as_u64(),
            s["unchanged"].as_u64(),
            s["committed"].as_bool()
        ),
        (Some(0), Some(2), Some(false))
    );

    // Modify one, add one, delete one.
    std::thread::sleep(std::time::Duration::from_millis(20));
    env.write("a.md", "- apple two\n- apple three\n");
    env.write("c.md", "- cherry one\n");
    env.remove("b.md");
    let s = index_json(&env, &[]);
    assert_eq!(
        (
            s["indexed"].as_u64(),
            s["removed"].as_u64(),
            s["notes"].as_u64()
        ),
        (Some(2), Some(1), Some(2))
    );
    assert_eq!(search_json(&env, &["apple"]).len(), 2);
    assert!(search_json(&env, &["\"apple one\""]).is_empty());
    assert!(search_json(&env, &["banana"]).is_empty());
    assert_eq!(search_json(&env, &["cherry"]).len(), 1);

    // Same content rewritten (mtime changes): read, hash equal, not re-parsed.
    std::thread::sleep(std::time::Duration::from_millis(20));
    env.write("c.md", "- cherry one\n");
    let s = index_json(&env, &[]);
    assert_eq!(
        (s["indexed"].as_u64(), s["unchanged"].as_u64()),
        (Some(0), Some(2))
    );

    // Rebuild starts over and ends in the same place.
    let s = index_json(&env, &["--rebuild"]);
    assert_eq!(
        (s["indexed"].as_u64(), s["notes"].as_u64()),
        (Some(2), Some(2))
    );
    let stats: serde_json::Value =
        serde_json::from_str(env.ok(&["stats", "--json"], 0).stdout.trim()).unwrap();
    assert_eq!(
        (stats["notes"].as_u64(), stats["passages"].as_u64()),
        (Some(2), Some(3))
    );

    // A re-run with no PATH re-indexes the same folder.
    env.write("d.md", "- date one\n");
    let out = env.ok(&["index", "--json", "--no-embed"], 0);
    assert_eq!(summary(&out)["indexed"].as_u64(), Some(1));
}

#[test]
fn notes_folder_is_never_written() {
    let env = TestEnv::new();
    crate::util::copy_dir(&crate::util::repo_root().join("sample-vault"), &env.notes());
    let before = tree_hash(&env.notes());
    env.index_notes();
    env.index_notes();
    env.ok(
        &[
            "index",
            env.notes().to_str().unwrap(),
            "--rebuild",
            "--no-embed",
        ],
        0,
    );
    env.ok(&["search", "capacity"], 0);
    env.ok(&["stats"], 0);
    assert_eq!(before, tree_hash(&env.notes()));
}

#[test]
fn index_inside_the_notes_folder_is_skipped() {
    let env = TestEnv::new();
    env.write("a.md", "- kiwi fact\n");
    let inner = env.notes().join("index");
    let notes = env.notes();
    env.ok(
        &[
            "index",
            notes.to_str().unwrap(),
            "--index",
            inner.to_str().unwrap(),
            "--no-embed",
        ],
        0,
    );
    env.write("b.md", "- kiwi two\n");
    // Index files are never `.md`, so a note-shaped file inside the index folder is what
    // shows that the walk skips that folder.
    env.write("index/stray.md", "- kiwi inside the index folder\n");
    let out = env.ok(
        &[
            "index",
            notes.to_str().unwrap(),
            "--index",
            inner.to_str().unwrap(),
            "--no-embed",
            "--json",
        ],
        0,
    );
    assert_eq!(summary(&out)["notes"].as_u64(), Some(2));
}

#[test]
fn a_second_writer_fails_at_once_naming_the_lock() {
    let env = TestEnv::new();
    env.write("a.md", "- lock fact\n");
    env.index_notes();
    let index = tantivy::Index::open_in_dir(env.index()).unwrap();
    let _writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
    let notes = env.notes();
    let started = std::time::Instant::now();
    let out = env.run(&["index", notes.to_str().unwrap(), "--no-embed"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("another `quarry index` is writing"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(".tantivy-writer.lock"),
        "{}",
        out.stderr
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // Readers still work while the lock is held.
    assert_eq!(search_json(&env, &["lock"]).len(), 1);
    env.ok(&["stats"], 0);
}

#[test]
fn stats_reports_counts_and_dates() {
    let env = TestEnv::new();
    env.write(
        "2024-01-02 a.md",
        "---\naccount: Acme\ntags: [x/y]\n---\n- one\n- two\n",
    );
    env.write("2025-03-04 b.md", "text para\n");
    env.write("bin.md", b"\0\0\0binary");
    env.index_notes();
    let out = env.ok(&["stats", "--json"], 0);
    let s: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(s["notes"], 2);
    assert_eq!(s["passages"], 3);
    assert_eq!(s["skipped"], 1);
    assert_eq!(s["first_date"], "2024-01-02");
    assert_eq!(s["last_date"], "2025-03-04");
    assert!(s["index_bytes"].as_u64().unwrap() > 0);
    let human = env.ok(&["stats"], 0).stdout;
    assert!(human.contains("notes      2 (1 skipped)"), "{human}");
}
