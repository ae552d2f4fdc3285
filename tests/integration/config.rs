//! Settings from a config file, the environment and flags; completions and the man page;
//! output formats; the `quarry:` prefix on warnings. The real binary, a config file in the
//! test's own XDG_CONFIG_HOME (see `TestEnv::cmd`).

use crate::util::{Output, TestEnv};
use std::path::PathBuf;

/// Writes `$XDG_CONFIG_HOME/quarry/config.toml`.
fn write_config(env: &TestEnv, text: &str) -> PathBuf {
    let path = env.config_home().join("quarry/config.toml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// `quarry config --json`, decoded.
fn settings(env: &TestEnv, args: &[&str], unset_index: bool) -> serde_json::Value {
    let mut cmd = env.cmd();
    if unset_index {
        cmd.env_remove("QUARRY_INDEX");
    }
    let out = cmd.args(args).args(["config", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn three_passages(env: &TestEnv) {
    env.write(
        "my note.md",
        "- storage one\n- storage two\n\nstorage three paragraph\n",
    );
    env.write("other note.md", "- storage elsewhere\n");
}

#[test]
fn precedence_is_default_file_environment_flag() {
    let env = TestEnv::new();
    let s = settings(&env, &[], true);
    assert_eq!(s["file"], serde_json::Value::Null);
    assert_eq!(s["settings"]["index"]["source"], "default");
    assert_eq!(s["settings"]["limit"]["value"], 10);

    let file = write_config(&env, "index = \"file-index\"\ncolor = \"never\"\n");
    let s = settings(&env, &[], true);
    assert_eq!(s["file"], file.to_str().unwrap());
    let index = &s["settings"]["index"];
    assert_eq!(index["source"], "file");
    assert_eq!(index["from"], file.to_str().unwrap());
    // Relative paths in the file are relative to the file's folder.
    assert_eq!(
        index["value"],
        file.parent().unwrap().join("file-index").to_str().unwrap()
    );
    assert_eq!(s["settings"]["color"]["value"], "never");

    let s = settings(&env, &[], false);
    assert_eq!(s["settings"]["index"]["source"], "environment");
    assert_eq!(s["settings"]["index"]["from"], "QUARRY_INDEX");

    let s = settings(&env, &["--index", "flag-index", "--color", "always"], false);
    assert_eq!(s["settings"]["index"]["source"], "flag");
    assert_eq!(
        s["settings"]["index"]["value"],
        env.dir.path().join("flag-index").to_str().unwrap()
    );
    assert_eq!(s["settings"]["color"]["from"], "--color");

    let s = settings(&env, &["--no-config"], true);
    assert_eq!(s["file"], serde_json::Value::Null);
    assert_eq!(s["settings"]["index"]["source"], "default");

    // QUARRY_CONFIG names the file instead.
    let other = env.dir.path().join("elsewhere.toml");
    std::fs::write(&other, "limit = 4\n").unwrap();
    let out = env
        .cmd()
        .env("QUARRY_CONFIG", &other)
        .args(["config"])
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.lines().any(|l| l.starts_with("limit ")
            && l.contains(" 4 ")
            && l.ends_with(&format!("file {}", other.display()))),
        "{human}"
    );
    let out = env
        .cmd()
        .env("QUARRY_CONFIG", env.dir.path().join("missing.toml"))
        .args(["config"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("QUARRY_CONFIG names"));
}

#[test]
fn a_wrong_key_or_type_names_the_file_line_and_key() {
    let env = TestEnv::new();
    env.write("a.md", "- x\n");
    let file = write_config(&env, "limit = 5\n# a comment\nlimt = 4\n");
    let out = env.ok(&["search", "x"], 2);
    let want = format!("quarry: error: {}:3: unknown key `limt`", file.display());
    assert!(out.stderr.starts_with(&want), "{}", out.stderr);
    write_config(&env, "\nmode = 3\n");
    let out = env.ok(&["stats"], 2);
    assert!(
        out.stderr
            .contains(&format!("{}:2: mode: ", file.display())),
        "{}",
        out.stderr
    );
    // Completions and the man page need no settings, so a broken file does not stop them.
    assert!(!env.ok(&["completions", "bash"], 0).stdout.is_empty());
    assert!(!env.ok(&["man"], 0).stdout.is_empty());
}

#[test]
fn search_takes_limit_mode_and_floor_from_the_file_and_flags_win() {
    let env = TestEnv::new();
    three_passages(&env);
    env.index_notes();
    write_config(&env, "limit = 2\nmode = \"lexical\"\n");
    assert_eq!(
        env.ok(&["search", "--json", "storage"], 0)
            .json::<serde_json::Value>()
            .len(),
        2
    );
    assert_eq!(
        env.ok(&["search", "--json", "storage", "-n", "3"], 0)
            .json::<serde_json::Value>()
            .len(),
        3
    );
    // mode = "lexical" from the file: no hint about semantic search is needed.
    let out = env.ok(&["search", "storage"], 0);
    assert!(
        !out.stderr.contains("lexical search only"),
        "{}",
        out.stderr
    );
    write_config(&env, "mode = \"semantic\"\n");
    let out = env.ok(&["search", "storage"], 2);
    assert!(out.stderr.contains("embeddings"), "{}", out.stderr);
    env.ok(&["search", "storage", "--mode", "lexical"], 0);
}

#[test]
fn index_roots_come_from_args_then_the_index_then_the_file() {
    let env = TestEnv::new();
    env.write("a.md", "- alpha fact\n");
    let second = env.dir.path().join("second");
    std::fs::create_dir_all(&second).unwrap();
    std::fs::write(second.join("b.md"), "- beta fact\n").unwrap();
    let notes = env.notes();
    // No index yet: the config's roots (relative to the file's folder is fine too).
    write_config(
        &env,
        &format!(
            "roots = [{:?}]\nmax_file_size = 1\n",
            notes.to_str().unwrap()
        ),
    );
    env.ok(&["index", "--no-embed"], 0);
    env.ok(&["search", "alpha"], 0);
    // The config now names another vault, but the index remembers its own: it wins, and a
    // warning says so.
    write_config(&env, &format!("roots = [{:?}]\n", second.to_str().unwrap()));
    let out = env.ok(&["index", "--no-embed"], 0);
    assert!(
        out.stderr.contains("quarry: warning: ") && out.stderr.contains("config's roots"),
        "{}",
        out.stderr
    );
    env.ok(&["search", "alpha"], 0);
    env.ok(&["search", "beta"], 1);
    // PATH arguments switch.
    env.ok(&["index", "--no-embed", second.to_str().unwrap()], 0);
    env.ok(&["search", "beta"], 0);
    env.ok(&["search", "alpha"], 1);
}

#[test]
fn max_file_size_from_the_file_skips_with_a_prefixed_warning_and_exit_0() {
    let env = TestEnv::new();
    env.write("small.md", "- small fact\n");
    env.write("big.md", format!("- big {}\n", "word ".repeat(300_000)));
    write_config(&env, "max_file_size = 1\n");
    let out = env.index_notes();
    assert!(
        out.stderr
            .lines()
            .any(|l| l.starts_with("quarry: warning: big.md")
                || l.starts_with("quarry: warning: ") && l.contains("big.md")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("1 skipped"), "{}", out.stderr);
}

fn subcommands() -> &'static [&'static str] {
    &crate::util::SUBCOMMANDS
}

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = env.ok(&["completions", shell], 0);
        assert!(!out.stdout.trim().is_empty(), "{shell}");
        for cmd in subcommands() {
            assert!(out.stdout.contains(cmd), "{shell} completions lack {cmd}");
        }
        assert!(out.stdout.contains("min-similarity"), "{shell}");
    }
    env.ok(&["completions", "tcsh"], 2);
}

#[test]
fn man_is_roff_naming_the_subcommands() {
    let env = TestEnv::new();
    let page = env.ok(&["man"], 0).stdout;
    assert!(page.starts_with(".TH") || page.starts_with(".ie"), "{page}");
    assert!(page.contains(".TH quarry 1"), "{page}");
    for cmd in subcommands() {
        assert!(
            page.contains(&format!("quarry\\-{cmd}(1)")) || page.contains(cmd),
            "{cmd}"
        );
    }
    let search = env.ok(&["man", "search"], 0).stdout;
    assert!(search.contains(".TH quarry-search 1"), "{search}");
    assert!(search.contains("min\\-similarity"), "{search}");
    let out = env.ok(&["man", "nope"], 2);
    assert!(
        out.stderr.contains("no subcommand 'nope'"),
        "{}",
        out.stderr
    );
}

fn paths_of(out: &Output, sep: char) -> Vec<String> {
    out.stdout
        .split_terminator(sep)
        .map(str::to_string)
        .collect()
}

#[test]
fn search_format_switch_and_its_aliases() {
    let env = TestEnv::new();
    three_passages(&env);
    env.index_notes();
    let json = env.ok(&["search", "storage", "--format", "json"], 0);
    let alias = env.ok(&["search", "storage", "--json"], 0);
    assert_eq!(json.stdout, alias.stdout);
    assert_eq!(json.json::<crate::util::JsonHit>().len(), 4);
    let files = env.ok(&["search", "storage", "--format", "files"], 0);
    assert_eq!(files.stdout, env.ok(&["search", "storage", "-l"], 0).stdout);
    let mut got = paths_of(&files, '\n');
    got.sort();
    assert_eq!(got, ["my note.md", "other note.md"]);
    let human = env.ok(&["search", "storage", "--format", "human"], 0);
    assert!(human.stdout.contains("my note.md:1"), "{}", human.stdout);

    // -0: NUL-terminated paths, spaces intact.
    let null = env.ok(&["search", "storage", "--files", "-0"], 0);
    assert!(!null.stdout.contains('\n'));
    assert!(null.stdout.ends_with('\0'));
    let mut got = paths_of(&null, '\0');
    got.sort();
    assert_eq!(got, ["my note.md", "other note.md"]);
    assert_eq!(
        env.ok(&["search", "storage", "--format", "files", "--null"], 0)
            .stdout,
        null.stdout
    );
    let out = env.ok(&["search", "storage", "-0"], 2);
    assert!(out.stderr.contains("--files"), "{}", out.stderr);

    // Conflicting switches are usage errors.
    for bad in [
        &["--json", "--files"][..],
        &["--format", "json", "--json"][..],
        &["--format", "human", "--files"][..],
        &["--format", "xml"][..],
    ] {
        let mut args = vec!["search", "storage"];
        args.extend_from_slice(bad);
        let out = env.ok(&args, 2);
        assert!(out.stderr.starts_with("error:"), "{bad:?}: {}", out.stderr);
    }
}

#[test]
fn claims_format_switch_and_its_alias() {
    let env = TestEnv::new();
    env.write(
        "2025-10-01 - DDN.md",
        "- DDN claims 1.1 TB/s peak read\n- DDN ships in Q3\n",
    );
    env.index_notes();
    let json = env.ok(&["claims", "DDN", "--format", "json"], 0);
    assert_eq!(json.stdout, env.ok(&["claims", "DDN", "--json"], 0).stdout);
    let entries = json.json::<serde_json::Value>();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e["path"] == "2025-10-01 - DDN.md"));
    let human = env.ok(&["claims", "DDN", "--format", "human"], 0);
    assert!(human.stdout.contains("1.1 TB/s"), "{}", human.stdout);
    assert!(
        serde_json::from_str::<serde_json::Value>(human.stdout.lines().next().unwrap()).is_err()
    );
    env.ok(&["claims", "DDN", "--format", "json", "--json"], 2);
}
