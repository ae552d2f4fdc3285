//! Snapshots (`insta`) of the human output of `search`, `claims` and `stats`, run through the
//! real binary on lexical-only indexes (`--no-embed`), so no model float noise reaches them.
//!
//! The expected output lives in `snapshots/*.snap` next to this file. On a mismatch the test
//! fails; with `CI=true` insta writes nothing, elsewhere it leaves a `.snap.new` beside the
//! snapshot for review. To accept a deliberate change: `INSTA_UPDATE=always cargo test --test
//! integration snapshots` (or `cargo insta review`), then read the diff of each `.snap` file.
//!
//! What varies between machines and runs is redacted: the temp dir (index and root paths) and
//! the index size. Only stdout is snapshotted (stderr holds the indexing summary's timing).
//! Tied hits come in path and line order (issue 12), so any query gives one output.

use crate::util::{copy_dir, repo_root, TestEnv};

fn vault(fixture: &str) -> TestEnv {
    let env = TestEnv::new();
    copy_dir(&repo_root().join(fixture), &env.notes());
    env.index_notes();
    env
}

/// `regex::escape` for the characters a temp path may hold.
fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Runs `quarry ARGS` (exit 0 required) and snapshots stdout under `name`, with the command
/// as the snapshot's description.
fn snapshot(env: &TestEnv, name: &str, args: &[&str]) {
    let out = env.ok(args, 0);
    assert_snapshot_of(env, name, args, &out.stdout);
}

fn assert_snapshot_of(env: &TestEnv, name: &str, args: &[&str], stdout: &str) {
    let tmp = env.dir.path();
    let mut filters = vec![(escape(&tmp.display().to_string()), "[TMP]".to_string())];
    if let Ok(canonical) = tmp.canonicalize() {
        if canonical != tmp {
            filters.insert(
                0,
                (escape(&canonical.display().to_string()), "[TMP]".into()),
            );
        }
    }
    filters.push((r"\(\d+\.\d MB\)".into(), "([SIZE] MB)".into()));
    let mut settings = insta::Settings::clone_current();
    settings.set_description(format!("quarry {}", args.join(" ")));
    settings.set_omit_expression(true);
    for (re, with) in &filters {
        settings.add_filter(re, with.as_str());
    }
    settings.bind(|| insta::assert_snapshot!(name, stdout));
}

#[test]
fn search_lexical_ranked() {
    let env = vault("sample-vault");
    snapshot(
        &env,
        "search_lexical_ranked",
        &[
            "search",
            "gpu capacity",
            "--mode",
            "lexical",
            "--color",
            "never",
            "-n",
            "5",
        ],
    );
}

#[test]
fn search_lexical_explain() {
    let env = vault("sample-vault");
    snapshot(
        &env,
        "search_lexical_explain",
        &[
            "search",
            "snapshot latency",
            "--mode",
            "lexical",
            "--color",
            "never",
            "-n",
            "4",
            "--explain",
        ],
    );
}

/// Filters only: every hit scores the same, so the order is the index's (see the module
/// doc); the blocks are sorted by their `path:line` before the compare. The set, and each
/// block's text, is what this snapshot holds.
#[test]
fn search_filters_only() {
    let env = vault("sample-vault");
    let args = [
        "search",
        "--kind",
        "action",
        "--account",
        "coreweave",
        "--since",
        "2025-10-01",
        "--mode",
        "lexical",
        "--color",
        "never",
        "-n",
        "100",
    ];
    let out = env.ok(&args, 0);
    let mut blocks: Vec<&str> = out.stdout.trim_end().split("\n\n").collect();
    let key = |b: &&str| b.lines().nth(1).unwrap_or_default().to_string();
    blocks.sort_by_key(|b| {
        let k = key(b);
        let (path, line) = k.rsplit_once(':').unwrap_or((&k, "0"));
        (path.to_string(), line.parse::<u64>().unwrap_or(0))
    });
    let sorted = blocks.join("\n\n") + "\n";
    assert_snapshot_of(&env, "search_filters_only", &args, &sorted);
}

#[test]
fn claims_entity_timeline() {
    let env = vault("tests/fixtures/claims-vault");
    snapshot(
        &env,
        "claims_entity_timeline",
        &["claims", "Hammerspace", "--color", "never"],
    );
}

#[test]
fn claims_entity_list() {
    let env = vault("tests/fixtures/claims-vault");
    snapshot(&env, "claims_entity_list", &["claims", "--color", "never"]);
}

#[test]
fn stats_sample_vault() {
    let env = vault("sample-vault");
    snapshot(&env, "stats_sample_vault", &["stats"]);
}

/// Issue 12: hits grouped by note (title, date and path once; `line: passage` rows under
/// their sections, in line order), wrapped at a fixed width with a hanging indent, and the
/// daily note's date shown once.
#[test]
fn search_grouped_and_wrapped() {
    let env = vault("tests/fixtures/tasks-vault");
    snapshot(
        &env,
        "search_grouped_and_wrapped",
        &[
            "search",
            "storage quote",
            "--mode",
            "lexical",
            "--heading",
            "--width",
            "60",
            "--color",
            "never",
            "-n",
            "6",
        ],
    );
}

/// Issue 12: `-C 1` shows the note's own lines around each hit (`29-`), `--` between runs
/// that do not touch, each line once.
#[test]
fn search_grouped_with_context() {
    let env = vault("tests/fixtures/tasks-vault");
    snapshot(
        &env,
        "search_grouped_with_context",
        &[
            "search",
            "checkpoint",
            "--mode",
            "lexical",
            "--heading",
            "--width",
            "72",
            "-C",
            "1",
            "--color",
            "never",
        ],
    );
}

/// Issue 12: one block per hit (the default off a terminal), wrapped; `--count` per note.
#[test]
fn search_blocks_wrapped_and_counted() {
    let env = vault("tests/fixtures/tasks-vault");
    snapshot(
        &env,
        "search_blocks_wrapped",
        &[
            "search", "renewal", "--mode", "lexical", "--width", "50", "--color", "never", "-n",
            "3",
        ],
    );
    snapshot(
        &env,
        "search_count",
        &["search", "storage", "--mode", "lexical", "--count"],
    );
}
