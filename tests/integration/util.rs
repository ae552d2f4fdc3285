//! Test environment: a temp vault and index, and the real `quarry` binary run with a
//! scrubbed environment.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// quarry's subcommands in `--help` order (completions, the man page and `--help` must each
/// name all of them).
pub const SUBCOMMANDS: [&str; 13] = [
    "index",
    "roots",
    "search",
    "claims",
    "stats",
    "model",
    "eval",
    "export",
    "config",
    "watch",
    "mcp",
    "completions",
    "man",
];

pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Decodes JSON Lines stdout.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Vec<T> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
            .collect()
    }
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("notes")).unwrap();
        TestEnv { dir }
    }

    pub fn notes(&self) -> PathBuf {
        self.dir.path().join("notes")
    }

    pub fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.notes().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.notes().join(rel)).unwrap();
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("quarry").unwrap();
        cmd.current_dir(self.dir.path());
        for (k, _) in std::env::vars() {
            if k.starts_with("QUARRY_") && k != "QUARRY_MODEL_DIR" {
                cmd.env_remove(k);
            }
        }
        cmd.env("NO_COLOR", "1").env("QUARRY_INDEX", self.index());
        // A developer's own ~/.config/quarry/config.toml must never reach a test: the config
        // folder is one inside the temp dir (absent unless a test writes it).
        cmd.env("XDG_CONFIG_HOME", self.config_home());
        cmd
    }

    /// The `XDG_CONFIG_HOME` the binary runs with; `quarry/config.toml` below it is read.
    pub fn config_home(&self) -> PathBuf {
        self.dir.path().join("xdg-config")
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.cmd().args(args).output().expect("run quarry");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and asserts the exit code, showing stderr on failure.
    pub fn ok(&self, args: &[&str], code: i32) -> Output {
        let out = self.run(args);
        assert_eq!(
            out.code, code,
            "quarry {args:?} exited {}\nstdout:\n{}\nstderr:\n{}",
            out.code, out.stdout, out.stderr
        );
        out
    }

    pub fn index_notes(&self) -> Output {
        let notes = self.notes();
        self.ok(&["index", notes.to_str().unwrap(), "--no-embed"], 0)
    }
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Hash of every file under a folder (path + bytes), to prove it was not written.
pub fn tree_hash(dir: &Path) -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
    let mut out = Vec::new();
    for entry in walk(dir) {
        let meta = std::fs::symlink_metadata(&entry).unwrap();
        let bytes = if meta.is_file() {
            std::fs::read(&entry).unwrap()
        } else {
            Vec::new()
        };
        out.push((entry.display().to_string(), bytes, meta.modified().unwrap()));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The JSON object per hit, as documented in the README (decoded independently of the
/// library's own types, so a renamed field fails here).
#[derive(Debug, Clone, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct JsonHit {
    pub path: String,
    pub line: u64,
    pub line_end: u64,
    pub title: String,
    pub date: Option<String>,
    pub account: Option<String>,
    pub tags: Vec<String>,
    pub section: String,
    pub kind: String,
    pub task: Option<String>,
    pub status: Option<String>,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub scheduled: Option<String>,
    pub start: Option<String>,
    pub done: Option<String>,
    pub priority: Option<String>,
    pub passage_tags: Vec<String>,
    pub root: String,
    pub abs_path: String,
    pub text: String,
    pub score: f64,
    pub anchor: Option<String>,
    pub uri: Option<String>,
    #[serde(default)]
    pub explain: Option<serde_json::Value>,
}

/// Searches with --json and decodes.
pub fn search_json(env: &TestEnv, args: &[&str]) -> Vec<JsonHit> {
    let mut all = vec!["search", "--json"];
    all.extend_from_slice(args);
    let out = env.run(&all);
    assert!(
        out.code == 0 || out.code == 1,
        "quarry {all:?} exited {}: {}",
        out.code,
        out.stderr
    );
    out.json()
}
