//! `quarry watch`: the real binary watching a temp vault while the test edits it the way
//! editors and tools do. Every wait polls `quarry search` (or `stats`) against a deadline;
//! nothing sleeps a fixed time and hopes.

use crate::util::{search_json, TestEnv};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a change may take to show. Far above the ~1 s the watcher needs; the slack is
/// for a loaded CI machine.
const DEADLINE: Duration = Duration::from_secs(90);

/// A running `quarry watch`, its stderr collected.
struct Watcher {
    child: Child,
    stderr: Arc<Mutex<String>>,
    points: Receiver<String>,
}

impl Watcher {
    fn start(env: &TestEnv, extra: &[&str], hooks: Option<&str>) -> Watcher {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_quarry"));
        cmd.current_dir(env.dir.path());
        for (k, _) in std::env::vars() {
            if k.starts_with("QUARRY_") && k != "QUARRY_MODEL_DIR" {
                cmd.env_remove(k);
            }
        }
        cmd.env("NO_COLOR", "1")
            .env("QUARRY_INDEX", env.index())
            .env("XDG_CONFIG_HOME", env.config_home())
            .arg("watch")
            .arg(env.notes())
            .arg("-v")
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(points) = hooks {
            cmd.env(quarry::testpoint::ENV, points);
        }
        let mut child = cmd.spawn().expect("spawn quarry watch");
        let pipe = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, points) = channel();
        let collected = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if let Some(p) = line.strip_prefix(quarry::testpoint::PREFIX) {
                    let _ = tx.send(p.to_string());
                }
                let mut s = collected.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Watcher {
            child,
            stderr,
            points,
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until the watcher has made its start-up pass (its `-v` line says so).
    fn wait_ready(&mut self) {
        self.wait_for(
            |w| w.stderr().contains("watching for changes"),
            "the start-up pass",
        );
    }

    fn wait_for(&mut self, mut done: impl FnMut(&mut Self) -> bool, what: &str) {
        let started = Instant::now();
        while !done(self) {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "quarry watch exited ({status}) before {what}; stderr:\n{}",
                    self.stderr()
                );
            }
            assert!(
                started.elapsed() < DEADLINE,
                "timed out waiting for {what}; watcher stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Sends SIGTERM and returns the exit code.
    fn terminate(mut self) -> (i32, String) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let started = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(started.elapsed() < DEADLINE, "quarry watch ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        };
        // Let the reader thread take the last lines.
        std::thread::sleep(Duration::from_millis(50));
        (status.code().unwrap_or(-1), self.stderr())
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn paths(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let mut hits: Vec<String> = search_json(env, args).into_iter().map(|h| h.path).collect();
    hits.dedup();
    hits
}

fn lexical(env: &TestEnv, word: &str) -> Vec<String> {
    paths(env, &["--mode", "lexical", word])
}

/// A note the way the seed note is written.
fn note(title: &str, bullet: &str) -> String {
    format!(
        "---\ntitle: {title}\ndate: 2025-10-02\naccount: Fabrikam\ntags: [type/customer]\n---\n# {title}\n\n## Key Information\n\n- {bullet}\n"
    )
}

/// Create, edit, atomic save, rename, folder move and delete, each searchable (or gone)
/// soon after; editor leftovers are never indexed; SIGTERM exits 0 and leaves an index that
/// `quarry index` finds up to date.
#[test]
fn edits_show_up_and_sigterm_leaves_an_index_that_is_up_to_date() {
    let env = TestEnv::new();
    env.write(
        "Calls/start.md",
        note("Start", "Kickoff with the procurement team."),
    );
    env.index_notes();
    let mut w = Watcher::start(&env, &["--no-embed"], None);
    w.wait_ready();

    // Create.
    env.write(
        "Calls/2025-10-02 - Fabrikam.md",
        note("Fabrikam call", "Fabrikam wants a pelican-class cluster."),
    );
    w.wait_for(
        |_| lexical(&env, "pelican") == ["Calls/2025-10-02 - Fabrikam.md"],
        "a new note",
    );
    // Edit in place.
    env.write(
        "Calls/2025-10-02 - Fabrikam.md",
        note("Fabrikam call", "Fabrikam wants a heron-class cluster."),
    );
    w.wait_for(
        |_| lexical(&env, "heron").len() == 1 && lexical(&env, "pelican").is_empty(),
        "an edit",
    );
    // Atomic save: a temp file written beside the note, renamed over it.
    let tmp = env.notes().join("Calls/.2025-10-02 - Fabrikam.md.tmp.4211");
    std::fs::write(
        &tmp,
        note("Fabrikam call", "Fabrikam wants an osprey-class cluster."),
    )
    .unwrap();
    std::fs::rename(&tmp, env.notes().join("Calls/2025-10-02 - Fabrikam.md")).unwrap();
    w.wait_for(
        |_| lexical(&env, "osprey").len() == 1 && lexical(&env, "heron").is_empty(),
        "an atomic save",
    );
    // Editor leftovers: a swap file, a backup, a temp file, a hidden folder.
    env.write("Calls/.fabrikam.md.swp", "- kestrel in a swap file\n");
    env.write("Calls/fabrikam.md~", "- kestrel in a backup\n");
    env.write("Calls/fabrikam.md.tmp", "- kestrel in a temp file\n");
    env.write(".obsidian/kestrel.md", "- kestrel in a hidden folder\n");
    // Rename: the note is found under its new name only. (Batches are applied in order, so
    // once this shows, the leftovers above were seen and passed over.)
    std::fs::rename(
        env.notes().join("Calls/2025-10-02 - Fabrikam.md"),
        env.notes().join("Calls/2025-10-02 - Fabrikam renewal.md"),
    )
    .unwrap();
    w.wait_for(
        |_| lexical(&env, "osprey") == ["Calls/2025-10-02 - Fabrikam renewal.md"],
        "a rename",
    );
    assert!(
        lexical(&env, "kestrel").is_empty(),
        "an editor leftover was indexed"
    );
    // Folder move: every note below it is found under the new folder.
    std::fs::rename(env.notes().join("Calls"), env.notes().join("Customers")).unwrap();
    w.wait_for(
        |_| {
            lexical(&env, "osprey") == ["Customers/2025-10-02 - Fabrikam renewal.md"]
                && lexical(&env, "procurement") == ["Customers/start.md"]
        },
        "a folder move",
    );
    // Delete.
    std::fs::remove_file(
        env.notes()
            .join("Customers/2025-10-02 - Fabrikam renewal.md"),
    )
    .unwrap();
    w.wait_for(|_| lexical(&env, "osprey").is_empty(), "a delete");

    let (code, stderr) = w.terminate();
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("notes,") && stderr.contains("passages,"),
        "-v prints batches: {stderr}"
    );
    let out = env.ok(&["index", "--no-embed", "--json"], 0);
    let summary: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(summary["indexed"], 0, "{summary}");
    assert_eq!(summary["removed"], 0, "{summary}");
    assert_eq!(summary["notes"], 1, "{summary}");
}

/// A second writer is refused at once with a message naming the watcher, not "wait".
#[test]
fn a_second_writer_is_told_which_watcher_holds_the_lock() {
    let env = TestEnv::new();
    env.write("a.md", note("A", "Alpha."));
    env.index_notes();
    let mut w = Watcher::start(&env, &["--no-embed"], None);
    w.wait_ready();
    let out = env.ok(&["index", "--no-embed"], 2);
    let pid = w.child.id().to_string();
    assert!(
        out.stderr.contains("`quarry watch`") && out.stderr.contains(&pid),
        "{}",
        out.stderr
    );
    let (code, _) = w.terminate();
    assert_eq!(code, 0);
    env.index_notes();
}

/// A thousand files written at once (as a `git checkout` does) are a handful of batches, not
/// a thousand commits; a file over the size limit is skipped with a warning.
#[test]
fn a_checkout_of_a_thousand_files_is_a_few_batches() {
    let env = TestEnv::new();
    env.write("seed.md", note("Seed", "Seed."));
    env.index_notes();
    let mut w = Watcher::start(&env, &["--no-embed", "--max-file-size", "1"], None);
    w.wait_ready();
    let before = w.stderr().lines().count();
    for i in 0..1000 {
        env.write(
            &format!("Checkout/n{i:04}.md"),
            format!("# N{i}\n\n- checkout note {i} about lorikeet\n"),
        );
    }
    env.write("Checkout/big.md", vec![b'a'; 1024 * 1024 + 10]);
    let stats = |env: &TestEnv| -> serde_json::Value {
        serde_json::from_str(env.ok(&["stats", "--json"], 0).stdout.trim()).unwrap()
    };
    w.wait_for(|_| stats(&env)["notes"] == 1001, "a thousand new notes");
    w.wait_for(
        |w| w.stderr().contains("big.md"),
        "the warning about the large file",
    );
    let stderr = w.stderr();
    let batches = stderr
        .lines()
        .skip(before)
        .filter(|l| l.contains(" notes, "))
        .count();
    assert!(
        batches <= 20,
        "{batches} batches for one checkout:\n{stderr}"
    );
    assert!(stderr.contains("over the 1 MB limit"), "{stderr}");
    assert_eq!(w.terminate().0, 0);
}

/// With the index folder inside the vault (not hidden), notes beside it show as usual and
/// nothing of the index is taken for a note. (That the index's own writes never make a
/// batch is the filter's unit test: a batch of them would change nothing, so it has no
/// outside sign.)
#[test]
fn an_index_folder_inside_the_vault_is_not_watched() {
    let env = TestEnv::new();
    env.write("a.md", note("A", "Alpha."));
    // Not hidden: the folder is skipped because it is the index, not because of its name.
    let index = env.notes().join("search-index");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_quarry"));
    let status = cmd
        .current_dir(env.dir.path())
        .env("XDG_CONFIG_HOME", env.config_home())
        .args([
            "--index",
            index.to_str().unwrap(),
            "index",
            "--no-embed",
            "-q",
        ])
        .arg(env.notes())
        .status()
        .unwrap();
    assert!(status.success());
    let mut w = Watcher::start(
        &env,
        &["--no-embed", "--index", index.to_str().unwrap()],
        None,
    );
    w.wait_ready();
    let search = |word: &str| -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_quarry"))
            .current_dir(env.dir.path())
            .env("XDG_CONFIG_HOME", env.config_home())
            .args([
                "--index",
                index.to_str().unwrap(),
                "search",
                "--files",
                word,
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    for word in ["puffin", "gannet"] {
        env.write(
            &format!("{word}.md"),
            note(word, &format!("A {word} note.")),
        );
        w.wait_for(
            // Paths print from the working folder, the notes folder's parent.
            |_| search(word) == format!("notes/{word}.md"),
            "a note beside the index",
        );
    }
    // Two notes, two batches: the commits written into the vault woke nothing. A batch's
    // line is printed after its commit, so a search can see the note before the line is out.
    let batches = |w: &Watcher| {
        w.stderr()
            .lines()
            .filter(|l| l.starts_with("quarry: +"))
            .count()
    };
    w.wait_for(|w| batches(w) >= 2, "the second batch's line");
    assert_eq!(batches(&w), 2, "{}", w.stderr());
    assert_eq!(w.terminate().0, 0);
}

/// A vault of one note, indexed with the real model (the semantic watch tests need it).
fn embedded_env() -> TestEnv {
    let env = TestEnv::new();
    env.write(
        "a.md",
        note("A", "The storage array was delivered on time."),
    );
    let out = env.ok(&["index", env.notes().to_str().unwrap(), "--json"], 0);
    assert!(
        out.stdout.contains("\"embedded\":1"),
        "the embedding model must be installed for this test (run `quarry model install`): {}",
        out.stderr
    );
    env
}

/// With the model: a new note is found by meaning soon after its words.
#[test]
fn a_new_note_is_found_semantically_soon_after() {
    let env = embedded_env();
    let mut w = Watcher::start(&env, &[], None);
    w.wait_ready();
    env.write(
        "2025-10-02 - Power.md",
        note(
            "Power",
            "The Memphis site cannot get more electricity from the utility.",
        ),
    );
    w.wait_for(
        |_| {
            paths(
                &env,
                &["--mode", "semantic", "datacenter is short of power"],
            )
            .first()
            .map(String::as_str)
                == Some("2025-10-02 - Power.md")
        },
        "the new note by meaning",
    );
    assert_eq!(w.terminate().0, 0);
}

/// SIGKILL right after a batch's lexical commit, before its vectors: the passage is
/// searchable by its words, and the next `quarry index` embeds it (without this it would
/// never get a vector).
#[test]
fn a_watcher_killed_before_its_vectors_loses_nothing() {
    let env = embedded_env();
    let mut w = Watcher::start(&env, &[], Some("watch-after-lexical-commit"));
    w.wait_ready();
    env.write(
        "b.md",
        note("B", "The cormorant cluster lost power twice in September."),
    );
    let point = w.points.recv_timeout(DEADLINE).unwrap_or_else(|_| {
        panic!(
            "the watcher never reached its test point; stderr:\n{}",
            w.stderr()
        )
    });
    assert_eq!(point, "watch-after-lexical-commit");
    w.child.kill().unwrap(); // SIGKILL
    w.child.wait().unwrap();
    // Committed lexically: found by its words.
    assert_eq!(lexical(&env, "cormorant"), ["b.md"]);
    // The next run embeds what the watcher could not.
    let out = env.ok(&["index", "--json"], 0);
    let summary: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert!(summary["embedded"].as_u64() >= Some(1), "{summary}");
    let hits = paths(
        &env,
        &[
            "--mode",
            "semantic",
            "the cluster had outages",
            "--min-similarity",
            "0.2",
        ],
    );
    assert_eq!(hits.first().map(String::as_str), Some("b.md"), "{hits:?}");
    // And the index says nothing is pending any more: another run does nothing.
    let out = env.ok(&["index", "--json"], 0);
    let summary: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(
        (summary["indexed"].as_u64(), summary["embedded"].as_u64()),
        (Some(0), Some(0)),
        "{summary}"
    );
}
