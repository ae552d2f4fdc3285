//! The repository itself: nothing lands at its top level by accident.
//!
//! Issue 10: a shell loop that split a note's path at its spaces committed `-`, `at`,
//! `CoreWeave.md` and friends at the root, and an empty `err.txt` came with them. This pins
//! the set of top-level entries that git tracks, so a stray file fails `cargo test` (and
//! `.ci/run` also refuses a tree that the tests left dirty). Adding a top-level entry on
//! purpose means adding it here.

use std::collections::BTreeSet;
use std::process::Command;

/// Every top-level file or folder that git may track.
const TOP_LEVEL: [&str; 17] = [
    ".ci",
    ".gitattributes",
    ".gitignore",
    "Cargo.lock",
    "Cargo.toml",
    "README.md",
    "benches",
    "crates",
    "docs",
    "examples",
    "fuzz",
    "index",
    "proptest-regressions",
    "sample-vault",
    "scripts",
    "src",
    "tests",
];

#[test]
fn issue_10_only_known_entries_are_tracked_at_the_top_level() {
    let root = env!("CARGO_MANIFEST_DIR");
    // CI always runs in a git clone; a copy without `.git` cannot check this, so say so.
    let out = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root)
        .output()
        .unwrap_or_else(|e| {
            panic!("could not run `git ls-files` in {root} ({e}); this test needs git and a clone")
        });
    assert!(
        out.status.success(),
        "`git ls-files` failed in {root} ({}): {}; this test needs a git clone, not a copy",
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    );
    let tracked = String::from_utf8(out.stdout).expect("tracked paths are UTF-8");
    let top: BTreeSet<&str> = tracked
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(|p| p.split('/').next().unwrap_or(p))
        .collect();
    let want: BTreeSet<&str> = TOP_LEVEL.into_iter().collect();
    let unexpected: Vec<&&str> = top.difference(&want).collect();
    let gone: Vec<&&str> = want.difference(&top).collect();
    assert!(
        unexpected.is_empty() && gone.is_empty(),
        "top-level entries tracked by git changed: unexpected {unexpected:?}, missing {gone:?}; \
         remove stray files with `git rm`, or update TOP_LEVEL in tests/integration/repo.rs"
    );
}
