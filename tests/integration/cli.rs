//! Command-line behaviour: help, missing or foreign index folders, index location.

use crate::util::TestEnv;

/// The names listed under a help text's `Commands:` heading.
fn listed_commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// Every option under `Options:` with its explanation (the rest of its line, or the indented
/// lines below it in long help).
fn explained_options(help: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = help
        .lines()
        .skip_while(|l| l.trim() != "Options:")
        .skip(1)
        .collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        if !t.starts_with('-') || line.len() - t.len() > 6 {
            continue;
        }
        let long = t
            .split([',', ' ', '='])
            .map(str::trim)
            .find(|w| w.starts_with("--"))
            .unwrap_or(t.split_whitespace().next().unwrap_or(""))
            .to_string();
        // Same line: the text after the flag spec's run of two or more spaces.
        let mut text = t.split_once("  ").map_or("", |(_, r)| r.trim()).to_string();
        let mut j = i + 1;
        while j < lines.len() && lines[j].starts_with("          ") {
            text.push(' ');
            text.push_str(lines[j].trim());
            j += 1;
        }
        out.push((long, text.trim().to_string()));
    }
    out
}

#[test]
fn help_explains() {
    let env = TestEnv::new();
    let out = env.ok(&["--help"], 0);
    let mut expected = crate::util::SUBCOMMANDS.to_vec();
    expected.push("help");
    assert_eq!(listed_commands(&out.stdout), expected, "{}", out.stdout);
    let common = ["--index", "--color", "--no-config", "--help"];
    let flags: &[(&[&str], &[&str])] = &[
        (
            &["index"],
            &[
                "--rebuild",
                "--no-embed",
                "--max-file-size",
                "--threads",
                "--quiet",
                "--json",
            ],
        ),
        (
            &["search"],
            &[
                "--tag",
                "--account",
                "--participant",
                "--since",
                "--until",
                "--kind",
                "--path",
                "--limit",
                "--mode",
                "--sort",
                "--format",
                "--json",
                "--files",
                "--null",
                "--explain",
                "--min-similarity",
            ],
        ),
        (
            &["claims"],
            &[
                "--about",
                "--tag",
                "--since",
                "--limit",
                "--reverse",
                "--format",
                "--json",
            ],
        ),
        (&["stats"], &["--json"]),
        (&["model", "install"], &["--from"]),
        (&["model", "status"], &[]),
        (
            &["eval"],
            &[
                "--split",
                "--modes",
                "--json",
                "--per-query",
                "--keep",
                "--alpha",
                "--rrf",
            ],
        ),
        (&["config"], &["--json"]),
        (&["completions"], &[]),
        (&["man"], &[]),
    ];
    for (cmd, want) in flags {
        let mut args = cmd.to_vec();
        args.push("--help");
        let out = env.ok(&args, 0);
        let options = explained_options(&out.stdout);
        for (flag, text) in &options {
            assert!(
                text.chars().filter(|c| c.is_alphabetic()).count() >= 4,
                "{cmd:?}: {flag} is not explained\n{}",
                out.stdout
            );
        }
        for flag in want.iter().chain(&common) {
            assert!(
                options.iter().any(|(f, _)| f == flag),
                "{flag} missing from quarry {cmd:?} --help\n{}",
                out.stdout
            );
        }
    }
    let model = env.ok(&["model", "--help"], 0);
    assert_eq!(
        listed_commands(&model.stdout),
        ["install", "status", "help"]
    );
    // The exit-status rule of `index` is written down.
    let index = env.ok(&["index", "--help"], 0).stdout;
    assert!(
        index.contains("Exit status: 0 when the run completed, even with skipped files"),
        "{index}"
    );
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

/// Issue 12, item 9: the rough edges of the command line.
#[test]
fn regression_issue_12_rough_edges_of_the_command_line() {
    let env = TestEnv::new();
    env.write(
        "a.md",
        "- WEKA pricing is list minus 30\n- WEKA lambda deal\n- WEKA other\n",
    );
    env.index_notes();
    // An exclusion read as options: the error says what to do.
    let out = env.ok(&["search", "WEKA", "-pricing"], 2);
    assert!(
        out.stderr.contains("quote the whole query") && out.stderr.contains("--"),
        "{}",
        out.stderr
    );
    // Options written after `--` are options, the rest query words.
    let out = env.ok(&["search", "--json", "--", "WEKA", "-lambda", "-n", "1"], 0);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    assert!(!out.stdout.contains("lambda"), "{}", out.stdout);
    // Commands that use no index refuse --index instead of ignoring it.
    for args in [
        vec!["model", "status", "--index", "x"],
        vec!["eval", "x", "--index", "x"],
    ] {
        let out = env.ok(&args, 2);
        assert!(
            out.stderr.contains("uses no index") && out.stderr.contains("drop --index"),
            "{}",
            out.stderr
        );
    }
    // --threads shows one default.
    let help = env.ok(&["index", "--help"], 0);
    let threads = help.stdout.split("--threads").nth(1).unwrap_or("");
    let threads = threads.split("\n  -").next().unwrap_or("");
    assert_eq!(threads.matches("[default").count(), 1, "{threads}");
}

/// Issue 12, item 9: a re-index with nothing changed does not repeat the warning about a
/// broken file; a change of the file does; `-q` prints none.
#[test]
fn regression_issue_12_a_skipped_file_is_reported_once_per_change() {
    let env = TestEnv::new();
    env.write("good.md", "- fine\n");
    let bad = env.write("bad.md", b"\x00\x01\x02binary");
    let notes = env.notes();
    let notes = notes.to_str().unwrap();
    let first = env.ok(&["index", notes, "--no-embed"], 0);
    assert!(
        first.stderr.contains("bad.md: binary file"),
        "{}",
        first.stderr
    );
    let again = env.ok(&["index", "--no-embed"], 0);
    assert!(!again.stderr.contains("bad.md"), "{}", again.stderr);
    assert!(again.stderr.contains("1 skipped"), "{}", again.stderr);
    std::fs::write(&bad, b"\x00\x01\x02still binary").unwrap();
    let changed = env.ok(&["index", "--no-embed"], 0);
    assert!(
        changed.stderr.contains("bad.md: binary file"),
        "{}",
        changed.stderr
    );
    std::fs::write(&bad, b"\x00\x01\x02binary again").unwrap();
    let quiet = env.ok(&["index", "--no-embed", "-q"], 0);
    assert_eq!(quiet.stderr, "", "-q prints nothing");
}

/// Issue 12, item 9: with the model installed, a `--no-embed` index's hint is `quarry index`,
/// not `quarry model install`.
#[test]
fn regression_issue_12_the_no_embed_hint_names_the_right_fix() {
    let env = TestEnv::new();
    env.write("a.md", "- storage\n");
    env.index_notes();
    let out = env.ok(&["search", "storage"], 0);
    assert!(
        out.stderr
            .contains("built without embeddings (--no-embed); run `quarry index`"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("model install"), "{}", out.stderr);
}
