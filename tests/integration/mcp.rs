//! `quarry mcp`: the server driven by the official MCP Python SDK (the client assistants
//! use), and protocol edge cases driven line by line from Rust.
//!
//! The Python client runs from the virtual environment `.ci/run` creates, named by
//! `QUARRY_MCP_PYTHON`; without it these tests fail with the command that makes one.

use crate::util::{search_json, JsonHit, TestEnv};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// The Python with the MCP SDK installed.
fn python() -> PathBuf {
    match std::env::var_os("QUARRY_MCP_PYTHON") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => panic!(
            "QUARRY_MCP_PYTHON is not set: these tests drive `quarry mcp` with the official MCP \
             Python SDK. Run `bash .ci/run`, or: python3 -m venv /tmp/mcp-venv && \
             /tmp/mcp-venv/bin/pip install -r tests/mcp_client/requirements.txt && \
             export QUARRY_MCP_PYTHON=/tmp/mcp-venv/bin/python"
        ),
    }
}

/// A small vault in the style of the seed note: customer calls with front matter, tasks,
/// decisions, plus a file outside the vault and a symlink in the vault pointing at it.
fn vault() -> TestEnv {
    let env = TestEnv::new();
    env.write(
        "Customers/2025-09-12 - Northwind capacity call.md",
        "---\ntitle: Northwind capacity call\ndate: 2025-09-12\naccount: Northwind\nparticipants: [Dana Ruiz, Myself]\ntags: [type/customer, gpu]\n---\n# Northwind capacity call\n\n## Key Information\n\n- Northwind is short on GPU capacity for the Q4 training run and is leasing from two neoclouds.\n- Their checkpoint writes stall the cluster for ninety seconds at a time.\n\n## Action Items\n\n- [ ] Send Dana the checkpoint sizing worksheet @Myself 📅 2025-09-19\n\n## Decisions\n\n- Northwind will pilot the shared namespace in October.\n",
    );
    env.write(
        "Customers/2025-06-03 - Northwind kickoff.md",
        "---\ntitle: Northwind kickoff\ndate: 2025-06-03\naccount: Northwind\ntags: [type/customer]\n---\n# Northwind kickoff\n\n- Northwind runs 4,000 GPUs across two regions today.\n- DDN claimed 1.1 TB/s peak read on Northwind's last bake-off.\n",
    );
    env.write(
        "Competitors/DDN.md",
        "---\ntitle: DDN\naliases: [DataDirect Networks]\ntags: [competitor]\n---\n# DDN\n\n- DDN claimed 1.1 TB/s peak read at a lab test in March.\n- Their metadata service is the usual bottleneck with small files.\n",
    );
    env.write(
        "Notes/2025-10-01 - Internal sync.md",
        "# Internal sync\n\nWe agreed to stop quoting list prices before the architecture review.\n\n- [x] Book the architecture review room\n",
    );
    std::fs::write(
        env.dir.path().join("outside.md"),
        "# Secret\n\n- not for assistants\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        env.dir.path().join("outside.md"),
        env.notes().join("link-out.md"),
    )
    .unwrap();
    env
}

/// Indexes the vault with embeddings (the model is installed by CI).
fn index_embedded(env: &TestEnv) {
    let out = env.ok(&["index", env.notes().to_str().unwrap(), "--json"], 0);
    let s: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert!(
        s["embedded"].as_u64().unwrap_or(0) > 5,
        "the embedding model must be installed for this test (run `quarry model install`): {}",
        out.stderr
    );
}

/// Runs the Python driver with `calls` against `quarry mcp` on `env`'s index.
fn drive(env: &TestEnv, server_args: &[&str], calls: Value) -> Value {
    let mut server_env = serde_json::Map::new();
    for (k, v) in std::env::vars() {
        if !k.starts_with("QUARRY_") || k == "QUARRY_MODEL_DIR" {
            server_env.insert(k, json!(v));
        }
    }
    server_env.insert("QUARRY_INDEX".into(), json!(env.index()));
    server_env.insert("NO_COLOR".into(), json!("1"));
    server_env.insert("XDG_CONFIG_HOME".into(), json!(env.config_home()));
    let plan = json!({
        "command": env!("CARGO_BIN_EXE_quarry"),
        "args": server_args,
        "env": server_env,
        "cwd": env.dir.path(),
        "calls": calls,
    });
    let driver = crate::util::repo_root().join("tests/mcp_client/drive.py");
    let mut child = Command::new(python())
        .arg(&driver)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the MCP Python client");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(plan.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the MCP Python client failed ({}):\n{stderr}",
        out.status
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout)))
}

fn hits_of(call: &Value) -> Vec<JsonHit> {
    assert_eq!(call["is_error"], false, "{call}");
    serde_json::from_value(call["structured"]["hits"].clone()).unwrap()
}

fn error_text(call: &Value) -> String {
    assert_eq!(call["is_error"], true, "expected a tool error: {call}");
    call["text"].as_str().unwrap_or("").to_string()
}

/// The whole surface through the SDK, on one session: every tool, filters holding in the
/// results, the same hits as `quarry search --json`, `get` refusing paths out of the vault,
/// errors as tool errors or JSON-RPC errors, and the session going on after each.
#[test]
fn the_python_sdk_calls_every_tool_and_the_session_survives_errors() {
    let env = vault();
    index_embedded(&env);
    let outside = env.dir.path().join("outside.md");
    let calls = json!([
        {"tool": "search", "arguments": {"query": "short of GPUs", "account": "northwind"}},
        {"tool": "search", "arguments": {"query": "checkpoint", "tag": ["type", "gpu"], "since": "2025-09-01", "mode": "lexical"}},
        {"tool": "search", "arguments": {"kind": "action", "sort": "date"}},
        {"tool": "claims", "arguments": {"entity": "DDN", "about": "read throughput"}},
        {"tool": "get", "arguments": {"path": "Customers/2025-09-12 - Northwind capacity call.md", "line": 12, "context": 1}},
        {"tool": "get", "arguments": {"path": "../outside.md"}},
        {"tool": "get", "arguments": {"path": outside}},
        {"tool": "get", "arguments": {"path": "link-out.md"}},
        {"tool": "search", "arguments": {"query": "\"unclosed"}},
        {"tool": "search", "arguments": {"query": "gpu", "since": "2025-13-45"}},
        {"tool": "nonexistent", "arguments": {}},
        {"tool": "search", "arguments": {"query": "gpu", "limit": "ten"}},
        {"tool": "search", "arguments": {"query": "gpu", "tags": "type"}},
        {"tool": "status", "arguments": {}},
        {"tool": "search", "arguments": {"query": "architecture review", "limit": 1}},
    ]);
    let out = drive(&env, &["mcp"], calls);
    assert_eq!(out["protocol_version"], "2025-06-18");
    assert_eq!(out["server"]["name"], "quarry");

    // Four tools, each with input and output schemas and a description for a model.
    let tools = out["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["claims", "get", "search", "status"]);
    for t in tools {
        assert_eq!(t["inputSchema"]["type"], "object", "{t}");
        assert_eq!(t["outputSchema"]["type"], "object", "{t}");
    }
    let search_tool = &tools[2];
    let about = search_tool["description"].as_str().unwrap();
    assert!(
        about.contains("BEFORE ranking") && about.contains("30d"),
        "{about}"
    );
    let props = &search_tool["inputSchema"]["properties"];
    for p in [
        "query",
        "mode",
        "limit",
        "sort",
        "tag",
        "account",
        "participant",
        "since",
        "until",
        "kind",
        "path",
    ] {
        assert!(props.get(p).is_some(), "search has no {p}: {props}");
    }

    let c = out["calls"].as_array().unwrap();
    // Hybrid search with an account filter: every hit passes it, and the hits are exactly
    // what `quarry search --json` prints for the same request.
    let hits = hits_of(&c[0]);
    assert!(!hits.is_empty());
    assert!(hits
        .iter()
        .all(|h| h.account.as_deref() == Some("Northwind")));
    assert_eq!(hits[0].text, "Northwind is short on GPU capacity for the Q4 training run and is leasing from two neoclouds.");
    let cli = search_json(&env, &["short of GPUs", "--account", "northwind"]);
    assert_eq!(hits, cli, "MCP and CLI hits differ");
    assert!(c[0]["text"]
        .as_str()
        .unwrap()
        .contains("Customers/2025-09-12 - Northwind capacity call.md:12"));
    // A list of tags (all must hold) and a date bound.
    let hits = hits_of(&c[1]);
    assert_eq!(hits.len(), 2, "{}", c[1]);
    assert!(hits
        .iter()
        .all(|h| h.tags.contains(&"gpu".to_string()) && h.date.as_deref() >= Some("2025-09-01")));
    // Filters only, newest first.
    let hits = hits_of(&c[2]);
    assert_eq!(hits.len(), 2);
    assert!(hits.iter().all(|h| h.kind == "action"));
    assert_eq!(hits[0].date.as_deref(), Some("2025-10-01"));
    // Claims as `quarry claims --json` prints them.
    let entries = c[3]["structured"]["entries"].as_array().unwrap();
    let cli: Vec<Value> = env
        .ok(
            &["claims", "DDN", "--about", "read throughput", "--json"],
            0,
        )
        .json();
    assert_eq!(entries, &cli);
    assert!(entries
        .iter()
        .any(|e| e["text"].as_str().unwrap().contains("1.1 TB/s")));
    // get: the lines around a hit, with metadata and section.
    let got = &c[4]["structured"];
    assert_eq!(c[4]["is_error"], false, "{}", c[4]);
    assert_eq!(
        (got["line"].as_u64(), got["line_end"].as_u64()),
        (Some(11), Some(13))
    );
    assert!(got["text"]
        .as_str()
        .unwrap()
        .contains("short on GPU capacity"));
    assert_eq!(got["section"], "Key Information");
    assert_eq!(got["account"], "Northwind");
    assert_eq!(got["date"], "2025-09-12");
    assert_eq!(got["participants"], json!(["Dana Ruiz", "Myself"]));
    // Out of the vault: `..`, an absolute path elsewhere, a symlink pointing out.
    assert!(error_text(&c[5]).contains("`..` is not allowed"));
    assert!(error_text(&c[6]).contains("not inside the indexed folders"));
    assert!(error_text(&c[7]).contains("not inside the indexed folders"));
    for call in &c[5..8] {
        assert!(!call["text"]
            .as_str()
            .unwrap()
            .contains("not for assistants"));
    }
    // A malformed query and a bad date are tool errors naming the problem.
    assert!(error_text(&c[8]).contains("unclosed quote"), "{}", c[8]);
    assert!(
        error_text(&c[9]).contains("--since: invalid date '2025-13-45'"),
        "{}",
        c[9]
    );
    // An unknown tool, arguments of the wrong type and an unknown argument: JSON-RPC -32602.
    for (call, says) in [
        (&c[10], "unknown tool"),
        (&c[11], "invalid type"),
        (&c[12], "unknown field `tags`"),
    ] {
        assert_eq!(call["protocol_error"]["code"], -32602, "{call}");
        assert!(
            call["protocol_error"]["message"]
                .as_str()
                .unwrap()
                .contains(says),
            "{call}"
        );
    }
    // status: what `quarry stats --json` says, and that nothing watches this index.
    let status = &c[13]["structured"];
    // Five notes: the walk follows the symlink (as `quarry index` always has); only `get`
    // refuses to read through it.
    assert_eq!(status["notes"], 5);
    assert_eq!(status["watching"], false);
    assert!(status["model"].as_str().unwrap().contains("MiniLM"));
    // And the session is still there.
    assert_eq!(hits_of(&c[14]).len(), 1);
}

/// A raw line-by-line session with `quarry mcp`, for what an SDK would never send.
struct Raw {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    next_id: u64,
}

impl Raw {
    fn start(env: &TestEnv, args: &[&str]) -> Raw {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_quarry"));
        cmd.current_dir(env.dir.path());
        for (k, _) in std::env::vars() {
            if k.starts_with("QUARRY_") && k != "QUARRY_MODEL_DIR" {
                cmd.env_remove(k);
            }
        }
        let mut child = cmd
            .env("NO_COLOR", "1")
            .env("QUARRY_INDEX", env.index())
            .env("XDG_CONFIG_HOME", env.config_home())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Raw {
            stdin: child.stdin.take(),
            child,
            lines,
            next_id: 100,
        }
    }

    fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// The next line on stdout, which must be one JSON-RPC message.
    fn recv(&self) -> Value {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(120))
            .expect("no reply from quarry mcp");
        serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"))
    }

    /// Sends a request and returns its reply (skipping none: replies come in order here).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send_line(
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string(),
        );
        let reply = self.recv();
        assert_eq!(reply["id"], id, "{reply}");
        reply
    }

    fn initialize(&mut self, version: &str) -> Value {
        let reply = self.request(
            "initialize",
            json!({"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}),
        );
        self.send_line(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        reply
    }

    fn call(&mut self, tool: &str, arguments: Value) -> Value {
        self.request("tools/call", json!({"name": tool, "arguments": arguments}))
    }

    /// Closes stdin and returns the exit status and any further stdout lines.
    fn finish(mut self) -> (i32, Vec<String>) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(
                Instant::now() < deadline,
                "quarry mcp did not exit at end of input"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        (status.code().unwrap_or(-1), self.lines.try_iter().collect())
    }
}

fn search_paths(raw: &mut Raw, query: &str) -> Vec<String> {
    let reply = raw.call("search", json!({"query": query, "mode": "lexical"}));
    assert_eq!(reply["result"]["isError"], false, "{reply}");
    let mut paths: Vec<String> = reply["result"]["structuredContent"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["path"].as_str().unwrap().to_string())
        .collect();
    paths.dedup();
    paths
}

/// Unparsable JSON, a batch, a non-message and an unknown method get the JSON-RPC errors
/// the spec names, and the server keeps answering; end of input exits 0, and stdout holds
/// nothing but protocol messages.
#[test]
fn protocol_errors_are_json_rpc_errors_and_end_of_input_exits_0() {
    let env = vault();
    env.index_notes();
    let mut raw = Raw::start(&env, &["mcp"]);
    raw.send_line("{this is not json");
    let reply = raw.recv();
    assert_eq!(
        (reply["error"]["code"].as_i64(), &reply["id"]),
        (Some(-32700), &Value::Null),
        "{reply}"
    );
    raw.initialize("2025-06-18");
    for (line, code) in [
        ("[]", -32600),
        (
            "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]",
            -32600,
        ),
        ("42", -32600),
        (r#"{"jsonrpc":"2.0","id":7}"#, -32600),
        (
            r#"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":5}}"#,
            -32602,
        ),
    ] {
        raw.send_line(line);
        let reply = raw.recv();
        assert_eq!(reply["error"]["code"], code, "{line} → {reply}");
    }
    let reply = raw.request("resources/unknown-method", json!({}));
    assert_eq!(reply["error"]["code"], -32601, "{reply}");
    // A notification the server does not know gets no reply; the next request does.
    raw.send_line(r#"{"jsonrpc":"2.0","method":"notifications/whatever"}"#);
    let reply = raw.request("ping", json!({}));
    assert!(reply["result"].is_object(), "{reply}");
    assert_eq!(
        search_paths(&mut raw, "architecture"),
        ["Notes/2025-10-01 - Internal sync.md"]
    );
    let (code, rest) = raw.finish();
    assert_eq!(code, 0);
    assert!(rest.is_empty(), "{rest:?}");
}

/// Clients that speak an older revision get it; a newer or unknown one gets 2025-06-18.
#[test]
fn older_protocol_revisions_are_negotiated() {
    let env = vault();
    env.index_notes();
    for (asked, agreed) in [
        ("2024-11-05", "2024-11-05"),
        ("2025-03-26", "2025-03-26"),
        ("2025-06-18", "2025-06-18"),
        ("2025-11-25", "2025-06-18"),
        ("1999-01-01", "2025-06-18"),
    ] {
        let mut raw = Raw::start(&env, &["mcp"]);
        let reply = raw.initialize(asked);
        assert_eq!(
            reply["result"]["protocolVersion"], agreed,
            "{asked}: {reply}"
        );
        let listed = raw.request("tools/list", json!({}));
        assert_eq!(listed["result"]["tools"].as_array().map(Vec::len), Some(4));
        assert_eq!(raw.finish().0, 0);
    }
}

/// The engine opens once and picks up a commit made after it opened (here by `quarry
/// index`), before the next call, without a restart.
#[test]
fn a_new_commit_is_searched_without_restarting_the_server() {
    let env = vault();
    env.index_notes();
    let mut raw = Raw::start(&env, &["mcp"]);
    raw.initialize("2025-06-18");
    assert!(search_paths(&mut raw, "zeppelin").is_empty());
    env.write(
        "Notes/zeppelin.md",
        "# Airships\n\n- The zeppelin hangar lease ends in May.\n",
    );
    env.index_notes();
    assert_eq!(search_paths(&mut raw, "zeppelin"), ["Notes/zeppelin.md"]);
    let status = raw.call("status", json!({}));
    assert_eq!(
        status["result"]["structuredContent"]["notes"], 6,
        "{status}"
    );
    assert_eq!(raw.finish().0, 0);
}

/// `quarry mcp --watch`: the watcher runs in the server's process, `status` says so, a new
/// note becomes searchable on the same session, and end of input releases the lock.
#[test]
fn mcp_with_watch_keeps_the_index_current() {
    let env = vault();
    env.index_notes();
    let notes = env.notes();
    let mut raw = Raw::start(&env, &["mcp", "--watch", notes.to_str().unwrap()]);
    raw.initialize("2025-06-18");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = raw.call("status", json!({}));
        if status["result"]["structuredContent"]["watching"] == true {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "status never said watching: {status}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    env.write(
        "Notes/2025-11-20 - Hangar.md",
        "# Hangar\n\n- The dirigible hangar lease ends in May.\n",
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while search_paths(&mut raw, "dirigible").is_empty() {
        assert!(
            Instant::now() < deadline,
            "the new note never became searchable"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(raw.finish().0, 0);
    // The watcher released the writer lock at end of input (and embedded the lexical index
    // it found, since the model is installed).
    env.ok(&["index", "--json"], 0);
}
