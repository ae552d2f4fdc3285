//! The sample vault shipped in the repo: the README's main job works on it.

use crate::util::{repo_root, search_json, TestEnv};

fn sample() -> TestEnv {
    let env = TestEnv::new();
    crate::util::copy_dir(&repo_root().join("sample-vault"), &env.notes());
    env
}

#[test]
fn indexes_the_sample_vault_and_reports_broken_files() {
    let env = sample();
    let out = env.ok(
        &[
            "index",
            env.notes().to_str().unwrap(),
            "--no-embed",
            "--json",
        ],
        0,
    );
    let s: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(s["files"], 37, "{}", out.stdout);
    assert_eq!(s["skipped"], 1);
    assert_eq!(s["notes"], 36);
    assert!(
        out.stderr.contains("binary-png.md: binary file"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("HIDDENFOLDERCANARY"));
    assert!(search_json(&env, &["HIDDENFOLDERCANARY"]).is_empty());

    let hits = search_json(&env, &["Microsoft's GPU capacity", "-n", "3"]);
    assert!(
        hits.iter().any(|h| h
            .text
            .contains("Microsoft is scrambling for near-term GPU capacity")),
        "{hits:?}"
    );

    // The phrase also matches the note title, so every passage of that note is a hit; the
    // bullet that holds it ranks first.
    let mac = search_json(&env, &["\"Lambda's burst pool\""]);
    assert!(
        mac[0].text.contains("Lambda’s “burst pool”"),
        "{}",
        mac[0].text
    );

    let open = search_json(
        &env,
        &[
            "--account",
            "coreweave",
            "--kind",
            "action",
            "--since",
            "2025-09-01",
            "-n",
            "100",
        ],
    );
    assert_eq!(open.len(), 10, "{open:?}");
    assert_eq!(
        open.iter()
            .filter(|h| h.task.as_deref() == Some(" "))
            .count(),
        5
    );
}
