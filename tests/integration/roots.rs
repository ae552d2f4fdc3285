//! Several roots (issue 12, item 4): a second folder is added, not swapped in; two roots may
//! hold the same relative path; `quarry roots` lists and drops them; `--files` and `--path`
//! work from the current folder.

use crate::util::{search_json, TestEnv};

const SYNC: &str =
    "---\naccount: CoreWeave\n---\n## Key Information\n\n- storage capacity {} grows\n";

fn two_roots() -> (TestEnv, String, String) {
    let env = TestEnv::new();
    env.write(
        "Customers/2025-09-15 - sync.md",
        SYNC.replace("{}", "alpha"),
    );
    let work = env.dir.path().join("work");
    std::fs::create_dir_all(work.join("Customers")).unwrap();
    std::fs::write(
        work.join("Customers/2025-09-15 - sync.md"),
        SYNC.replace("{}", "beta"),
    )
    .unwrap();
    let notes = env.notes().canonicalize().unwrap();
    let work = work.canonicalize().unwrap();
    (env, notes.display().to_string(), work.display().to_string())
}

#[test]
fn a_second_folder_is_added_and_both_are_told_apart() {
    let (env, notes, work) = two_roots();
    env.ok(&["index", &notes, "--no-embed"], 0);
    let out = env.ok(&["index", &work, "--no-embed"], 0);
    assert!(
        out.stderr.contains(&format!(
            "added root {work}; 1 root already indexed: {notes}"
        )),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("0 removed"), "{}", out.stderr);
    let hits = search_json(&env, &["storage"]);
    assert_eq!(hits.len(), 2, "{hits:?}");
    let mut roots: Vec<(String, String)> = hits
        .iter()
        .map(|h| (h.root.clone(), h.abs_path.clone()))
        .collect();
    roots.sort();
    assert_eq!(
        roots,
        vec![
            (
                notes.clone(),
                format!("{notes}/Customers/2025-09-15 - sync.md")
            ),
            (
                work.clone(),
                format!("{work}/Customers/2025-09-15 - sync.md")
            ),
        ]
    );
    assert!(hits
        .iter()
        .all(|h| h.path == "Customers/2025-09-15 - sync.md"));
    // --files: one line per note, usable from the current folder (the temp dir).
    let files = env.ok(&["search", "storage", "--files"], 0);
    let mut lines: Vec<&str> = files.stdout.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        vec![
            "notes/Customers/2025-09-15 - sync.md",
            "work/Customers/2025-09-15 - sync.md"
        ]
    );
    let abs = env.ok(&["search", "storage", "--files", "--absolute"], 0);
    assert!(
        abs.stdout.lines().all(|l| l.starts_with('/')),
        "{}",
        abs.stdout
    );
    // `quarry index` alone and `--rebuild` keep both roots.
    env.ok(&["index", "--no-embed"], 0);
    env.ok(&["index", "--rebuild", "--no-embed"], 0);
    assert_eq!(search_json(&env, &["storage"]).len(), 2);
    let list = env.ok(&["roots"], 0);
    assert_eq!(
        list.stdout,
        format!("{notes}\t1 note\n{work}\t1 note\n"),
        "{}",
        list.stdout
    );
}

#[test]
fn path_filters_read_folders_from_here_absolute_paths_and_exclusions() {
    let (env, notes, work) = two_roots();
    env.ok(&["index", &notes, "--no-embed"], 0);
    env.ok(&["index", &work, "--no-embed"], 0);
    let roots_of = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["storage"];
        all.extend_from_slice(args);
        let mut r: Vec<String> = search_json(&env, &all)
            .into_iter()
            .map(|h| h.root)
            .collect();
        r.sort();
        r
    };
    // Relative to the root (both), relative to the current folder (one), absolute (one).
    assert_eq!(roots_of(&["--path", "Customers"]).len(), 2);
    assert_eq!(
        roots_of(&["--path", "notes/Customers"]),
        vec![notes.clone()]
    );
    assert_eq!(roots_of(&["--path", "./work"]), vec![work.clone()]);
    let abs = format!("{work}/Customers");
    assert_eq!(roots_of(&["--path", &abs]), vec![work.clone()]);
    assert_eq!(roots_of(&["--path", "work/**/*.md"]), vec![work.clone()]);
    // Exclusions.
    assert_eq!(roots_of(&["--path", "!work/**"]), vec![notes.clone()]);
    assert_eq!(
        roots_of(&["--path", "Customers", "--path", "!notes"]),
        vec![work.clone()]
    );
    assert!(roots_of(&["--path", "/elsewhere"]).is_empty());
}

#[test]
fn roots_remove_drops_a_folder_and_its_notes() {
    let (env, notes, work) = two_roots();
    env.ok(&["index", &notes, "--no-embed"], 0);
    env.ok(&["index", &work, "--no-embed"], 0);
    let before = crate::util::tree_hash(env.dir.path().join("work").as_path());
    // Given as it was typed relative to the current folder.
    let out = env.ok(&["roots", "remove", "work"], 0);
    assert!(
        out.stderr
            .contains(&format!("removed root {work} (1 note); roots now: {notes}")),
        "{}",
        out.stderr
    );
    let hits = search_json(&env, &["storage"]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].root, notes);
    assert_eq!(env.ok(&["roots"], 0).stdout, format!("{notes}\t1 note\n"));
    // The folder's files are untouched; removing it again, or the last root, is an error.
    assert_eq!(
        crate::util::tree_hash(env.dir.path().join("work").as_path()),
        before
    );
    let again = env.ok(&["roots", "remove", &work], 2);
    assert!(again.stderr.contains("is not a root"), "{}", again.stderr);
    let last = env.ok(&["roots", "remove", &notes], 2);
    assert!(last.stderr.contains("last root"), "{}", last.stderr);
}

#[test]
fn a_missing_root_stops_the_run_instead_of_dropping_its_notes() {
    let (env, notes, work) = two_roots();
    env.ok(&["index", &notes, "--no-embed"], 0);
    env.ok(&["index", &work, "--no-embed"], 0);
    std::fs::rename(env.dir.path().join("work"), env.dir.path().join("moved")).unwrap();
    let out = env.ok(&["index", "--no-embed"], 2);
    assert!(
        out.stderr.contains("is missing") && out.stderr.contains("quarry roots remove"),
        "{}",
        out.stderr
    );
    assert_eq!(
        search_json(&env, &["storage"]).len(),
        2,
        "nothing was dropped"
    );
    let list = env.ok(&["roots"], 0);
    assert!(list.stdout.contains("(missing)"), "{}", list.stdout);
}

#[test]
fn regression_issue_12_index_without_a_root_leaves_no_folder_behind() {
    let env = TestEnv::new();
    let dir = env.dir.path().join("fresh-index");
    let out = env.ok(&["index", "--index", dir.to_str().unwrap()], 2);
    assert!(
        out.stderr.contains("no notes folder given"),
        "{}",
        out.stderr
    );
    assert!(!dir.exists(), "quarry index left {} behind", dir.display());
}
