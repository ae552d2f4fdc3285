//! Fuzzes `quarry mcp`'s server loop: the stdio transport, the protocol handling and the
//! four tools, over a small lexical index built once per process.
//!
//! The first input byte picks what the rest is:
//!
//! * even: raw bytes on the server's stdin after a valid `initialize` (lines of anything:
//!   broken JSON, batches, unknown methods, huge ids, stray responses);
//! * odd: arguments of a `tools/call`, the tool picked by the byte (`search`, `claims`,
//!   `get`, `status`, or a name that does not exist); the rest is used as the arguments
//!   when it is a JSON object, else as a search query string.
//!
//! Promises checked: serving never panics and ends at end of input; every line on stdout
//! is a JSON-RPC 2.0 response (an `id` and exactly one of `result` or `error`); every tool
//! call gets either a result or a -32602 error; a result that is not an error carries
//! structured content, and a search returns at most the limit it was given (200 at most).
#![no_main]

use libfuzzer_sys::fuzz_target;
use quarry::index::{self, UpdateOptions};
use quarry::mcp::{self, Defaults, Server, ServerOptions};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, OnceLock};

const NOTES: &[(&str, &str)] = &[
    (
        "Customers/2025-09-15 - CW sync.md",
        "---\naccount: CoreWeave\ntags: [type/customer, account/coreweave]\nparticipants: [Ana, Bo]\n---\n# CW sync\n\n## Action Items\n\n- [ ] send storage sizing to CoreWeave\n\n## Decisions\n\n- go with the 40 PB plan\n  - because GPUs are scarce\n\nMicrosoft’s capacity scramble café naïve.\n",
    ),
    (
        "Competitors/DDN.md",
        "---\ntitle: DDN\ndate: 2024-02-29\naliases: [DataDirect Networks]\n---\n- DDN claims 1 TB/s throughput\n- checkpoint stalls at [[Lambda]]\n",
    ),
    ("undated.txt", "plain paragraph about İstanbul\n"),
];

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let base = std::env::temp_dir().join(format!("quarry-fuzz-mcp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let notes = base.join("notes");
        for (rel, text) in NOTES {
            let path = notes.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        std::fs::write(base.join("outside.md"), "- secret\n").unwrap();
        let opts = UpdateOptions {
            index_dir: base.join("index"),
            roots: vec![notes],
            remove_roots: Vec::new(),
            rebuild: false,
            max_file_bytes: index::DEFAULT_MAX_FILE_BYTES,
            threads: 1,
        };
        index::update(&opts, None, &|_, _| {}, &|_, _, _| {}).expect("build the fuzz index");
        Server::new(
            ServerOptions {
                index_dir: base.join("index"),
                model_dir: base.join("no-model"),
                defaults: Defaults {
                    mode: None,
                    limit: 10,
                    floor: 0.3,
                    hyperlink: quarry::render::hyperlink::Format::Default,
                },
                max_file_bytes: 1024 * 1024,
            },
            None,
        )
    })
}

const INIT: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"fuzz","version":"0"}}}"#;

fn run(input: Vec<u8>) -> Vec<Value> {
    let sink = Sink::default();
    mcp::serve(server().clone(), std::io::Cursor::new(input), sink.clone()).expect("serve");
    let out = sink.0.lock().unwrap().clone();
    out.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            serde_json::from_slice(l).unwrap_or_else(|e| {
                panic!("stdout line is not JSON ({e}): {}", String::from_utf8_lossy(l))
            })
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let mut input = INIT.as_bytes().to_vec();
    input.push(b'\n');
    let mut limit = None;
    if pick % 2 == 0 {
        input.extend_from_slice(rest);
    } else {
        let tool = ["search", "claims", "get", "status", "no-such-tool"][(pick as usize / 2) % 5];
        let arguments = match serde_json::from_slice::<Value>(rest) {
            Ok(Value::Object(o)) => Value::Object(o),
            _ => json!({"query": String::from_utf8_lossy(rest)}),
        };
        if tool == "search" {
            limit = Some(arguments.get("limit").and_then(Value::as_u64).unwrap_or(10).min(200));
        }
        let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}});
        input.extend_from_slice(call.to_string().as_bytes());
    }
    input.push(b'\n');
    for reply in run(input) {
        assert_eq!(reply["jsonrpc"], "2.0", "{reply}");
        assert!(reply.get("id").is_some(), "a reply without an id: {reply}");
        assert!(
            reply.get("result").is_some() != reply.get("error").is_some(),
            "{reply}"
        );
        if reply["id"] != 1 || pick % 2 == 0 {
            continue;
        }
        if let Some(error) = reply.get("error") {
            assert_eq!(error["code"], -32602, "a tool call may only fail on its arguments: {reply}");
            continue;
        }
        let result = &reply["result"];
        if result["isError"] != true {
            let structured = &result["structuredContent"];
            assert!(structured.is_object(), "{reply}");
            if let (Some(limit), Some(hits)) = (limit, structured["hits"].as_array()) {
                assert!(hits.len() as u64 <= limit.max(1), "{} hits over limit {limit}", hits.len());
            }
        }
    }
});

/// The server's stdout, kept in memory.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl tokio::io::AsyncWrite for Sink {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.0.lock().unwrap().extend_from_slice(buf);
        std::task::Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}
