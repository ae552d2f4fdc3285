//! Hardening: hostile files, kills at any moment, concurrent runs, and damaged or foreign
//! indexes, each against the real binary. Each test backs a line of the README's
//! "Guarantees" section.

use crate::util::{search_json, Output, TestEnv};
use std::io::{BufRead, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary as a plain `std` command (so it can be spawned, watched and killed), with the
/// same scrubbed environment as [`TestEnv::cmd`].
fn command(env: &TestEnv, args: &[&str]) -> Command {
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
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Peak resident memory of a running process so far (`VmHWM`, a high-water mark).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs to completion, watching peak memory.
fn run_measured(env: &TestEnv, args: &[&str]) -> (Output, u64) {
    let mut child = command(env, args).spawn().expect("spawn quarry");
    let (out, err) = (
        drain(child.stdout.take().unwrap()),
        drain(child.stderr.take().unwrap()),
    );
    let mut peak = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if let Some(kib) = peak_rss_kib(child.id()) {
            peak = peak.max(kib);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let out = Output {
        code: status.code().unwrap_or(-1),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (out, peak)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(out.stdout.trim())
        .unwrap_or_else(|e| panic!("{e}: stdout {:?}, stderr {}", out.stdout, out.stderr))
}

fn stats(env: &TestEnv) -> serde_json::Value {
    json(&env.ok(&["stats", "--json"], 0))
}

fn no_panic(out: &Output) {
    assert!(
        !out.stderr.contains("panicked") && !out.stderr.contains("RUST_BACKTRACE"),
        "{}",
        out.stderr
    );
}

/// Every kind of file that is not a well-formed note, in one vault, indexed in one run:
/// each is named on stderr with the reason, the good notes around them are all indexed,
/// nothing panics, and memory stays bounded.
#[test]
fn hostile_files_are_reported_and_the_rest_indexed() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new();
    let notes = env.notes();
    env.write("good.md", "- good note survives\n");
    env.write(
        "elf.md",
        b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0".repeat(64),
    );
    // One 5 MB line: a single paragraph passage, found by its first word.
    let mut long = String::from("needle survives ");
    while long.len() < 5 * 1024 * 1024 {
        long.push_str("lorem ipsum dolor sit amet ");
    }
    env.write("long-line.md", &long);
    // Nesting 5,000 deep.
    env.write(
        "deep-list.md",
        format!("{}deep list survives\n", "- ".repeat(5000)),
    );
    env.write(
        "deep-quote.md",
        format!("{}deep quote survives\n", "> ".repeat(5000)),
    );
    env.write(
        "deep-mixed.md",
        format!("{}deep mixed survives\n", "> 1. ".repeat(2500)),
    );
    env.write(
        "brackets.md",
        format!(
            "{}\n\nbrackets survive\n",
            "[".repeat(50_000) + &"*a ".repeat(20_000)
        ),
    );
    // A YAML alias bomb ("billion laughs"): 9^9 nodes if expanded.
    let mut bomb = String::from("---\na0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    bomb.push_str("tags: *a9\n---\n- alias bomb body survives\n");
    env.write("alias-bomb.md", &bomb);
    env.write(
        "huge-front-matter.md",
        format!(
            "---\ntitle: big\nfiller: \"{}\"\n---\n- huge front matter body survives\n",
            "x".repeat(300 * 1024)
        ),
    );
    env.write(
        "never-closes.md",
        "---\ntitle: never closes\n- never closed body survives\n",
    );
    env.write(
        "wrong-types.md",
        "---\ntags: 7\naccount: [1, 2]\ndate: 31/02/2025\ntitle: {a: b}\n---\n- wrong types survive\n",
    );
    env.write("empty.md", "");
    env.write(
        "only-front-matter.md",
        "---\ntitle: Only front matter\ntags: [x]\n---\n",
    );
    env.write(
        "2025-11-1é multibyte date prefix.md",
        "- multibyte date prefix survives\n",
    );
    // A file name that is not UTF-8 (Latin-1 é).
    let latin1 = notes.join(std::ffi::OsStr::from_bytes(b"caf\xe9 latin1 name.md"));
    std::fs::write(&latin1, "- latin1 name survives\n").unwrap();
    // A symlink loop, a dangling link, and a FIFO named like a note.
    std::os::unix::fs::symlink(&notes, notes.join("loop")).unwrap();
    std::os::unix::fs::symlink(notes.join("nowhere.md"), notes.join("dangling.md")).unwrap();
    let fifo = Command::new("mkfifo")
        .arg(notes.join("pipe.md"))
        .status()
        .is_ok_and(|s| s.success());

    let (out, peak_kib) = run_measured(
        &env,
        &[
            "index",
            notes.to_str().unwrap(),
            "--no-embed",
            "--json",
            "--threads",
            "2",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    no_panic(&out);
    let err = &out.stderr;
    for (file, reason) in [
        ("elf.md", "binary file"),
        ("alias-bomb.md", "front matter is not valid YAML"),
        (
            "huge-front-matter.md",
            "front matter is larger than 256 KiB",
        ),
        ("never-closes.md", "front matter never closes"),
        (
            "wrong-types.md",
            "tags: expected a list of text, found the number 7",
        ),
        (
            "wrong-types.md",
            "account: expected one text value, found a list",
        ),
        (
            "wrong-types.md",
            "date: '31/02/2025' is not a YYYY-MM-DD date",
        ),
        ("wrong-types.md", "title: expected text, found a mapping"),
        ("empty.md", "empty file"),
        ("latin1 name.md", "file name is not valid UTF-8"),
        ("loop", "symlink loop"),
        ("dangling.md", "dangling symlink"),
    ] {
        assert!(
            err.lines().any(|l| l.starts_with("quarry: warning: ")
                && l.contains(file)
                && l.contains(reason)),
            "no warning naming {file} with {reason:?}:\n{err}"
        );
    }
    if fifo {
        assert!(err.contains("pipe.md: not a regular file"), "{err}");
    }
    let summary = json(&out);
    assert_eq!(summary["skipped"], 1, "only the binary file is skipped");
    let expected_notes = 14;
    assert_eq!(summary["notes"], expected_notes);
    assert_eq!(stats(&env)["notes"], expected_notes);

    let found: Vec<String> = search_json(&env, &["survives", "survive", "-n", "100"])
        .into_iter()
        .map(|h| h.path)
        .collect();
    for path in [
        "good.md",
        "deep-list.md",
        "deep-quote.md",
        "deep-mixed.md",
        "brackets.md",
        "alias-bomb.md",
        "huge-front-matter.md",
        "never-closes.md",
        "wrong-types.md",
        "2025-11-1é multibyte date prefix.md",
        "caf\u{FFFD} latin1 name.md",
    ] {
        assert!(
            found.iter().any(|p| p == path),
            "{path} not found in {found:?}"
        );
    }
    let long_hit = env.ok(&["search", "needle", "--files"], 0);
    assert_eq!(long_hit.stdout, "notes/long-line.md\n");
    // Issue 12: a run with nothing changed repeats none of those warnings.
    let again = env.ok(&["index", "--no-embed"], 0);
    assert!(
        !again.stderr.contains("quarry: warning"),
        "{}",
        again.stderr
    );
    // Bounded memory: the writer's budget (48 MB a thread) plus a few times the largest
    // file, not a function of nesting depth or alias expansion. Measured ~150 MB with two
    // threads; the bound leaves room for allocator differences.
    assert!(
        peak_kib < 1024 * 1024,
        "peak memory {} MB while indexing the hostile vault",
        peak_kib / 1024
    );
}

/// `--max-file-size` is honoured before a file is read: a 2 MB file against a 1 MB limit is
/// named, with both sizes, skipped and counted; the rest is indexed.
#[test]
fn a_file_over_the_size_limit_is_reported_and_skipped() {
    let env = TestEnv::new();
    env.write("small.md", "- small note survives\n");
    env.write("big.md", "- big line\n".repeat(2 * 1024 * 1024 / 11 + 1));
    let notes = env.notes();
    let out = env.ok(
        &[
            "index",
            notes.to_str().unwrap(),
            "--no-embed",
            "--json",
            "--max-file-size",
            "1",
        ],
        0,
    );
    assert!(
        out.stderr
            .contains("big.md: file is 2.0 MB, over the 1 MB limit (--max-file-size); skipped"),
        "{}",
        out.stderr
    );
    let s = json(&out);
    assert_eq!(
        (s["notes"].as_u64(), s["skipped"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(stats(&env)["skipped"], 1);
    assert_eq!(search_json(&env, &["survives"]).len(), 1);
    // A limit too large to count in bytes is an argument error, not an overflow.
    let out = env.ok(
        &[
            "index",
            notes.to_str().unwrap(),
            "--no-embed",
            "--max-file-size",
            "18446744073709551615",
        ],
        2,
    );
    assert!(out.stderr.contains("--max-file-size"), "{}", out.stderr);
    no_panic(&out);
}

/// Writes notes `range` of the synthetic vault with seed 7; returns their paths.
fn write_synth(env: &TestEnv, range: std::ops::Range<usize>) -> Vec<String> {
    range
        .map(|i| {
            let (path, content) = quarry_synth::note(i, 7);
            env.write(&path, content);
            path
        })
        .collect()
}

/// Starts `quarry index` with the test point `point` armed (see `quarry::testpoint`), waits
/// until the process says on stderr that it has reached it (it then blocks there), and kills
/// it with SIGKILL. A run that ends, or takes over two minutes, before reaching the point
/// fails the test: the kill always lands at exactly that state, whatever the machine's speed.
fn kill_at(env: &TestEnv, args: &[&str], point: &str) {
    let mut child: Child = command(env, args)
        .env(quarry::testpoint::ENV, point)
        .spawn()
        .expect("spawn quarry index");
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let want = format!("{}{point}", quarry::testpoint::PREFIX);
    let reader = std::thread::spawn(move || {
        let mut seen = String::new();
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if line == want {
                let _ = tx.send(());
            }
            seen.push_str(&line);
            seen.push('\n');
        }
        seen
    });
    let started = Instant::now();
    let reached = rx.recv_timeout(Duration::from_secs(120)).is_ok();
    let exited = child.try_wait().unwrap();
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let stderr = reader.join().unwrap();
    let _ = stdout.join();
    assert!(
        reached && exited.is_none(),
        "`quarry {args:?}` never reached test point {point} (exit {exited:?} after {:?}); stderr:\n{stderr}",
        started.elapsed()
    );
    eprintln!("killed at {point} after {:?}", started.elapsed());
}

/// SIGKILL at several moments of a 2,000-note run (while parsing, between the manifest and
/// the commit, just after the commit): every time the last committed index is
/// searchable and complete, and the next run finishes the job.
#[test]
fn sigkill_during_index_keeps_the_last_commit_and_the_next_run_finishes() {
    const FIRST: usize = 1000;
    const ALL: usize = 3000;
    let env = TestEnv::new();
    let notes = env.notes();
    let args = ["index", notes.to_str().unwrap(), "--no-embed"];
    write_synth(&env, 0..FIRST);
    env.ok(&args, 0);
    let committed = stats(&env);
    assert_eq!(committed["notes"], FIRST);
    let planted = quarry_synth::planted_path(7);
    let files = write_synth(&env, FIRST..ALL).len() + FIRST;

    // Each interrupted run has 2,000 new notes to index; it is killed mid-parse, between
    // writing the note manifest and committing (the last commit must be all there is), and
    // right after committing (the new commit must be whole).
    for (point, committed_now) in [
        ("index-after-first-document", false),
        ("index-before-commit", false),
        ("index-after-commit", true),
    ] {
        kill_at(&env, &args, point);
        let s = stats(&env);
        if committed_now {
            assert_eq!(
                s["notes"], ALL,
                "killed at {point}: the commit is not whole"
            );
        } else {
            assert_eq!(s["notes"], FIRST, "killed at {point}");
            assert_eq!(s["passages"], committed["passages"], "killed at {point}");
        }
        let out = env.ok(
            &["search", quarry_synth::PLANTED_WORD, "--files", "-n", "1"],
            0,
        );
        assert_eq!(
            out.stdout.trim(),
            format!("notes/{planted}"),
            "killed at {point}"
        );
    }

    let out = env.ok(&["index", "--no-embed", "--json"], 0);
    no_panic(&out);
    let s = stats(&env);
    assert_eq!(s["notes"].as_u64(), Some(files as u64));
    assert!(s["passages"].as_u64() > committed["passages"].as_u64());
    // Nothing a killed run left behind lingers: no temp files, at most two manifests.
    let names: Vec<String> = std::fs::read_dir(env.index())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains(".tmp")), "{names:?}");
    assert!(
        names.iter().filter(|n| n.starts_with("notes-")).count() <= 2,
        "{names:?}"
    );
}

/// Whether process `pid` holds a `flock` on `file` (tantivy's lock files stay on disk after
/// a run, so their existence says nothing; `/proc/locks` says who holds one).
fn holds_lock(pid: u32, file: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(ino) = std::fs::metadata(file).map(|m| m.ino()) else {
        return false;
    };
    let locks = std::fs::read_to_string("/proc/locks").unwrap_or_default();
    locks.lines().any(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        // `1: FLOCK ADVISORY WRITE <pid> <maj>:<min>:<inode> 0 EOF`
        f.len() > 5 && f[4] == pid.to_string() && f[5].rsplit(':').next() == Some(&ino.to_string())
    })
}

/// While `quarry index` runs: a second writer exits 2 at once naming the lock, and
/// `quarry search` and `quarry stats` answer from the last commit.
#[test]
fn while_an_index_run_is_in_progress_readers_work_and_a_second_writer_is_refused() {
    let env = TestEnv::new();
    let notes = env.notes();
    let args = ["index", notes.to_str().unwrap(), "--no-embed"];
    write_synth(&env, 0..200);
    env.ok(&args, 0);
    let before = stats(&env);
    write_synth(&env, 200..2200);

    let mut writer = command(&env, &args).spawn().unwrap();
    let (_, writer_err) = (
        drain(writer.stdout.take().unwrap()),
        drain(writer.stderr.take().unwrap()),
    );
    let lock = env.index().join(".tantivy-writer.lock");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !holds_lock(writer.id(), &lock) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    let started = Instant::now();
    let second = env.run(&args);
    let second_took = started.elapsed();
    let during = stats(&env);
    let hits = search_json(&env, &[quarry_synth::PLANTED_WORD]);
    let still_running = writer.try_wait().unwrap().is_none();
    let status = writer.wait().unwrap();
    assert!(status.success(), "{}", writer_err.join().unwrap());
    assert!(
        still_running,
        "the first run ended before the checks; make it longer"
    );

    assert_eq!(second.code, 2, "{}", second.stderr);
    assert!(
        second.stderr.contains("another `quarry index` is writing")
            && second.stderr.contains(".tantivy-writer.lock"),
        "{}",
        second.stderr
    );
    assert!(second_took < Duration::from_secs(10), "{second_took:?}");
    assert_eq!(during["notes"], before["notes"]);
    assert_eq!(during["passages"], before["passages"]);
    assert!(!hits.is_empty());
    assert_eq!(stats(&env)["notes"], 2200);
}

/// Readers opened while commits land (each adding a note and changing one, so tantivy
/// writes new segments and `.del` files and collects old ones) always answer, from one
/// whole commit: the note count (from the commit's manifest) and the passage count (from its
/// documents, one per note here) always agree.
#[test]
fn readers_always_work_while_commits_land() {
    let env = TestEnv::new();
    for i in 0..40 {
        env.write(&format!("n{i:02}.md"), format!("- steady fact {i}\n"));
    }
    env.index_notes();
    let notes = env.notes();
    let done = std::sync::atomic::AtomicBool::new(false);
    let reads = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            for round in 0..10 {
                env.write(&format!("new{round:02}.md"), "- steady new fact\n");
                env.write(
                    &format!("n{:02}.md", round % 40),
                    format!("- steady fact changed in round {round}\n"),
                );
                env.ok(&["index", notes.to_str().unwrap(), "--no-embed"], 0);
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        let mut reads = 0;
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            let out = env.run(&["stats", "--json"]);
            assert_eq!(out.code, 0, "stats failed during a commit: {}", out.stderr);
            let s = json(&out);
            assert_eq!(s["notes"], s["passages"], "stats mixed two commits");
            let out = env.run(&["search", "steady", "--files", "-n", "100"]);
            assert_eq!(out.code, 0, "search failed during a commit: {}", out.stderr);
            assert!(out.stdout.lines().count() >= 40);
            reads += 1;
        }
        writer.join().unwrap();
        reads
    });
    assert!(reads > 0);
    assert_eq!(stats(&env)["notes"], 50);
}

/// Kill a run that embeds, then recover: the committed state always has a vector for every
/// passage, and so does the index after the next run.
#[test]
fn sigkill_while_embedding_keeps_every_passage_with_a_vector() {
    let env = TestEnv::new();
    let notes = env.notes();
    let note = |i: usize| {
        format!(
            "# Note {i}\n\n- fact number {i} about storage cluster {}\n- follow up item {i} on GPU capacity\n",
            i % 13
        )
    };
    for i in 0..60 {
        env.write(&format!("n{i:04}.md"), note(i));
    }
    let args = ["index", notes.to_str().unwrap()];
    let out = env.run(&args);
    assert_eq!(
        out.code, 0,
        "the embedding model must be installed for this test (run `quarry model install`): {}",
        out.stderr
    );
    let check = |when: &str| {
        let s = stats(&env);
        assert!(s["model"].is_string(), "{when}: {s}");
        assert_eq!(s["vectors"], s["passages"], "{when}");
        s
    };
    check("after the first run");
    for i in 60..300 {
        env.write(&format!("n{i:04}.md"), note(i));
    }
    // Killed once a vector segment is on disk, and again between the note manifest and the
    // commit: the last commit (60 notes) stays whole, vectors and all.
    for point in ["index-after-vector-segment", "index-before-commit"] {
        kill_at(&env, &args, point);
        let s = check(&format!("after a kill at {point}"));
        assert_eq!(s["notes"], 60, "{s}");
    }
    // The next run finishes the job and embeds nothing: the killed runs wrote every vector.
    let out = env.ok(&["index", notes.to_str().unwrap(), "--json"], 0);
    let summary = json(&out);
    assert_eq!(summary["indexed"], 240, "{summary}");
    assert_eq!(summary["embedded"], 0, "{summary}");
    let s = check("after recovery");
    assert_eq!(s["notes"], 300);
    assert_eq!(s["passages"], 600);
    let hits = search_json(
        &env,
        &["--mode", "semantic", "fact number 299 about storage"],
    );
    assert!(!hits.is_empty());
}

/// Vector segments pile up over small runs until one run compacts them. Killed right after
/// the commit that names them all (before the compaction), the index is consistent: every
/// passage has its vector, and the compact scan ranks as the exact one. The next run that
/// changes something compacts them into one segment, with codes.
#[test]
fn sigkill_before_compaction_keeps_codes_and_vectors_in_step() {
    let env = TestEnv::new();
    let notes = env.notes();
    let note = |i: usize| {
        format!("# Run {i}\n\n- storage cluster {i} reported checkpoint stalls\n- GPU capacity item {i}\n")
    };
    env.write("n00.md", note(0));
    let args = ["index", notes.to_str().unwrap()];
    let out = env.run(&args);
    assert_eq!(
        out.code, 0,
        "the embedding model must be installed for this test (run `quarry model install`): {}",
        out.stderr
    );
    // Each run embeds one note into a segment of its own: 8 segments after 7 more runs.
    for i in 1..8 {
        env.write(&format!("n{i:02}.md"), note(i));
        env.ok(&args, 0);
    }
    assert_eq!(
        crate::vectors::committed_vector_files(&env.index()).len(),
        8
    );
    let query = ["checkpoint stalls", "--mode", "semantic", "-n", "5"];
    let ranked = |scan: &str| {
        let mut a = query.to_vec();
        a.extend(["--scan", scan]);
        search_json(&env, &a)
            .into_iter()
            .map(|h| (h.path, h.line))
            .collect::<Vec<_>>()
    };
    // The ninth segment makes the commit name 9: killed before it compacts them.
    env.write("n08.md", note(8));
    kill_at(&env, &args, "index-after-commit");
    let s = stats(&env);
    assert_eq!(s["notes"], 9, "{s}");
    assert_eq!(s["vectors"], s["passages"], "{s}");
    assert!(crate::vectors::committed_vector_files(&env.index()).len() >= 9);
    assert_eq!(ranked("compact"), ranked("exact"));
    assert!(!ranked("exact").is_empty());
    // The next run compacts: one segment, the same ranking.
    env.write("n09.md", note(9));
    env.ok(&args, 0);
    let s = stats(&env);
    assert_eq!(s["vectors"], s["passages"], "{s}");
    assert_eq!(
        crate::vectors::committed_vector_files(&env.index()).len(),
        1
    );
    assert_eq!(ranked("compact"), ranked("exact"));
}

fn indexed(env: &TestEnv) {
    env.write("a.md", "- damaged index fact\n");
    env.write("b.md", "# B\n\nA paragraph about capacity.\n");
    env.index_notes();
}

fn rebuild(env: &TestEnv) -> Output {
    let notes = env.notes();
    env.ok(
        &["index", notes.to_str().unwrap(), "--rebuild", "--no-embed"],
        0,
    )
}

/// Every command refuses a damaged index with exit 2 and the fix; the fix works.
fn assert_says_rebuild(env: &TestEnv, commands: &[&[&str]]) {
    for args in commands {
        let out = env.ok(args, 2);
        no_panic(&out);
        assert!(
            out.stderr.contains("run `quarry index --rebuild`"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn a_truncated_meta_json_says_rebuild_and_rebuild_mends_it() {
    let env = TestEnv::new();
    indexed(&env);
    let meta = env.index().join("meta.json");
    let bytes = std::fs::read(&meta).unwrap();
    std::fs::write(&meta, &bytes[..bytes.len() / 2]).unwrap();
    let notes = env.notes();
    assert_says_rebuild(
        &env,
        &[
            &["search", "damaged"],
            &["stats"],
            &["index", notes.to_str().unwrap(), "--no-embed"],
        ],
    );
    rebuild(&env);
    assert_eq!(search_json(&env, &["damaged"]).len(), 1);
    assert_eq!(stats(&env)["notes"], 2);
}

#[test]
fn a_truncated_segment_file_says_rebuild_and_rebuild_mends_it() {
    let env = TestEnv::new();
    indexed(&env);
    let mut segment_files: Vec<PathBuf> = std::fs::read_dir(env.index())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.len() > 33 && name.as_bytes()[32] == b'.'
        })
        .collect();
    segment_files.sort();
    assert!(!segment_files.is_empty());
    for path in &segment_files {
        let bytes = std::fs::read(path).unwrap();
        std::fs::write(path, &bytes[..bytes.len() / 2]).unwrap();
    }
    assert_says_rebuild(&env, &[&["search", "damaged"], &["stats"]]);
    rebuild(&env);
    assert_eq!(search_json(&env, &["damaged"]).len(), 1);
}

#[test]
fn a_corrupt_notes_manifest_says_rebuild_and_rebuild_mends_it() {
    let env = TestEnv::new();
    indexed(&env);
    let manifest = env.index().join("notes-1.json");
    std::fs::write(
        &manifest,
        b"{\"roots\": [\"/x\"], \"notes\": {\"0:a.md\": 17",
    )
    .unwrap();
    let notes = env.notes();
    assert_says_rebuild(
        &env,
        &[
            &["stats"],
            &["index", notes.to_str().unwrap(), "--no-embed"],
        ],
    );
    // Search needs only the tantivy index, so it still answers.
    assert_eq!(search_json(&env, &["damaged"]).len(), 1);
    rebuild(&env);
    assert_eq!(stats(&env)["notes"], 2);
}

#[test]
fn an_index_of_another_format_version_says_rebuild_and_rebuild_mends_it() {
    let env = TestEnv::new();
    indexed(&env);
    let meta_path = env.index().join("meta.json");
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    let mut payload: serde_json::Value =
        serde_json::from_str(meta["payload"].as_str().unwrap()).unwrap();
    payload["format"] = 99.into();
    meta["payload"] = payload.to_string().into();
    std::fs::write(&meta_path, meta.to_string()).unwrap();
    let notes = env.notes();
    assert_says_rebuild(
        &env,
        &[
            &["search", "damaged"],
            &["stats"],
            &["index", notes.to_str().unwrap(), "--no-embed"],
        ],
    );
    let out = env.ok(&["search", "damaged"], 2);
    assert!(out.stderr.contains("format 99"), "{}", out.stderr);
    rebuild(&env);
    assert_eq!(search_json(&env, &["damaged"]).len(), 1);
}

/// `--index` pointing at something that is not an index: a notes folder, a file, or a
/// folder whose `meta.json` is someone else's. Exit 2 with what to do; nothing is deleted.
#[test]
fn an_index_path_that_is_not_a_quarry_index_is_refused() {
    let env = TestEnv::new();
    env.write("a.md", "- x\n");
    let notes = env.notes();
    let out = env.ok(&["search", "x", "--index", notes.to_str().unwrap()], 2);
    assert!(
        out.stderr.contains("no index at") && out.stderr.contains("quarry index"),
        "{}",
        out.stderr
    );
    let file = env.dir.path().join("plain-file");
    std::fs::write(&file, "not a folder").unwrap();
    for args in [
        vec!["search", "x", "--index", file.to_str().unwrap()],
        vec![
            "index",
            notes.to_str().unwrap(),
            "--no-embed",
            "--index",
            file.to_str().unwrap(),
        ],
    ] {
        let out = env.ok(&args, 2);
        no_panic(&out);
        assert!(out.stderr.contains("plain-file"), "{}", out.stderr);
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
    // A folder with someone else's meta.json and files: even --rebuild leaves it alone.
    let foreign = env.dir.path().join("foreign");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("meta.json"), "{\"not\": \"tantivy\"}").unwrap();
    std::fs::write(foreign.join("thesis.docx"), "precious").unwrap();
    let fa = foreign.to_str().unwrap();
    let out = env.ok(&["search", "x", "--index", fa], 2);
    assert!(out.stderr.contains("rebuild"), "{}", out.stderr);
    let out = env.ok(
        &[
            "index",
            notes.to_str().unwrap(),
            "--no-embed",
            "--rebuild",
            "--index",
            fa,
        ],
        2,
    );
    assert!(out.stderr.contains("thesis.docx"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(foreign.join("thesis.docx")).unwrap(),
        "precious"
    );
    assert!(foreign.join("meta.json").exists());
}

/// Argument values that are wrong in ways `search.rs` does not already cover.
#[test]
fn odd_flag_values_exit_2_with_a_message() {
    let env = TestEnv::new();
    indexed(&env);
    for (args, msg) in [
        (
            vec!["search", "x", "--since", "3é"],
            "--since: invalid date '3é'",
        ),
        (
            vec!["search", "x", "--until", "2025-11-1é"],
            "--until: invalid date",
        ),
        (
            vec!["search", "x", "--since", "99999999d"],
            "--since: invalid date",
        ),
        (vec!["search", "x", "--limit", "-1"], "-1"),
        (vec!["search", "x", "--tag", " "], "--tag needs a value"),
        (
            vec!["search", "x", "--min-similarity", "7"],
            "between -1 and 1",
        ),
    ] {
        let out = env.run(&args);
        no_panic(&out);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(msg), "{args:?}: {}", out.stderr);
    }
    // `--kind ,` names no kind: an error, like `--tag ""`, never a silent "any kind".
    for kinds in [",", "", " , "] {
        let out = env.ok(&["search", "capacity", "--kind", kinds], 2);
        no_panic(&out);
        assert!(out.stdout.is_empty(), "{}", out.stdout);
        assert!(
            out.stderr.contains("--kind needs a value"),
            "--kind {kinds:?}: {}",
            out.stderr
        );
    }
    // A trailing comma after a real kind is forgiven.
    let out = env.ok(&["search", "capacity", "--kind", "paragraph,"], 0);
    assert!(out.stdout.contains("b.md"), "{}", out.stdout);
}

/// Inputs that once crashed a fuzz target, kept under `tests/fixtures/fuzz/<target>/` and
/// replayed here: note inputs through the library's parser with the fuzz target's checks,
/// query inputs (one field per line, as `fuzz/fuzz_targets/query.rs` reads them) as a real
/// `quarry search` over a small index.
#[test]
fn fuzz_crashers_stay_fixed() {
    let dir = crate::util::repo_root().join("tests/fixtures/fuzz");
    // A missing or empty folder would make this test pass without replaying anything.
    let files = |target: &str| -> Vec<PathBuf> {
        let folder = dir.join(target);
        let mut v: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
            .flatten()
            .map(|e| e.path())
            .collect();
        v.sort();
        assert!(!v.is_empty(), "no fuzz inputs in {}", folder.display());
        v
    };
    // The note target's checks (`fuzz/fuzz_targets/note.rs`), on each input.
    let mut parsed = 0;
    for path in files("note") {
        let bytes = std::fs::read(&path).unwrap();
        let Ok((text, _)) = quarry::note::repair::decode(&bytes) else {
            continue;
        };
        parsed += 1;
        let at = path.display();
        let repaired = quarry::note::repair::repair(&text);
        let breaks = |s: &str| s.replace("\r\n", "\n").matches(['\n', '\r']).count();
        assert_eq!(repaired.matches('\n').count(), breaks(&text), "{at}: lines");
        assert!(!repaired.contains('\r'), "{at}");
        let again = quarry::note::repair::repair(&repaired);
        assert_eq!(
            again.as_ref(),
            repaired.as_ref(),
            "{at}: repair not idempotent"
        );
        let name: String = text.lines().next().unwrap_or("").chars().take(80).collect();
        let note = quarry::note::parse(&format!("dir/{name}.md"), &text);
        let lines = repaired.lines().count().max(1) as u32;
        let mut prev = (0, 0);
        for p in &note.passages {
            assert!(
                1 <= p.line_start && p.line_start <= p.line_end && p.line_end <= lines,
                "{at}: {p:?}"
            );
            assert!(
                (p.line_start, p.line_end) >= prev,
                "{at}: passages out of order"
            );
            prev = (p.line_start, p.line_end);
            assert!(!p.text.is_empty(), "{at}");
            assert_eq!(
                p.text,
                p.text.split_whitespace().collect::<Vec<_>>().join(" "),
                "{at}"
            );
        }
        for w in note.meta.tags.windows(2) {
            assert!(w[0] < w[1], "{at}: tags {:?}", note.meta.tags);
        }
        for t in &note.meta.tags {
            assert!(
                !t.is_empty() && !t.starts_with('#') && !t.starts_with('/') && !t.ends_with('/'),
                "{at}: tag {t:?}"
            );
            assert_eq!(*t, t.to_lowercase(), "{at}");
        }
        if let Some(date) = note.meta.date {
            let _ = date.to_string();
        }
    }
    assert!(parsed > 0, "every note input was binary");
    let queries = files("query");
    let env = TestEnv::new();
    env.write(
        "Customers/2025-09-15 - CW sync.md",
        "---\naccount: CoreWeave\ntags: [type/customer]\n---\n## Action Items\n\n- [ ] send storage sizing\n",
    );
    env.write(
        "Competitors/DDN.md",
        "---\ndate: 2024-02-29\n---\n- DDN claims 1 TB/s\n",
    );
    env.index_notes();
    for path in queries {
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        let lines: Vec<&str> = text.split('\n').collect();
        let line = |i: usize| lines.get(i).copied().unwrap_or("");
        let mut args: Vec<String> = vec!["search".into(), "--mode".into(), "lexical".into()];
        for (flag, i) in [("--since", 1), ("--until", 2), ("--kind", 3)] {
            if !line(i).is_empty() {
                args.extend([flag.to_string(), line(i).to_string()]);
            }
        }
        for (flag, i) in [("--tag", 4), ("--account", 5), ("--path", 6)] {
            for v in line(i).split('\t').filter(|_| !line(i).is_empty()) {
                args.extend([flag.to_string(), v.to_string()]);
            }
        }
        args.extend(["--".to_string(), line(0).to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = env.run(&args);
        no_panic(&out);
        assert!(
            (0..=2).contains(&out.code),
            "{}: exit {}: {}",
            path.display(),
            out.code,
            out.stderr
        );
    }
}
