//! `quarry mcp`: the search engine as a Model Context Protocol server over stdio.
//!
//! Built on the official Rust SDK (`rmcp`): a tool router over typed argument structs whose
//! JSON Schemas are the tools' `inputSchema`, and an `outputSchema` per tool from its typed
//! result ([`tools`], [`get`]). Each result carries the value as `structuredContent` and a
//! short text rendering for clients that show only text. What is shaped here and why:
//!
//! * **One engine per process.** The index and the model open on the first call and stay
//!   open; before each call the engine checks `meta.json` and reopens on a new commit
//!   ([`Engine::refresh`]), so a watcher's (or a `quarry index` run's) commits show at once.
//!   Calls run on tokio's blocking pool, one at a time (the engine sits behind a mutex), so
//!   the protocol loop stays responsive.
//! * **Errors never kill the server.** A problem with what was asked is a tool result with
//!   `isError: true` naming it; malformed messages get the JSON-RPC errors the spec names
//!   ([`transport`]); the server only ends at end of input (exit 0).
//! * **Protocol revision 2025-06-18**, and the older 2025-03-26 and 2024-11-05 when a client
//!   asks for them (rmcp negotiates; newer revisions are answered with 2025-06-18).
//! * **stdout is the protocol's**: nothing else writes there; rmcp logs through `tracing`,
//!   which has no subscriber here, and quarry's own messages go to stderr.

pub mod get;
pub mod tools;
pub mod transport;

pub use get::{GetArgs, GetOutput};
pub use tools::{ClaimsArgs, ClaimsOutput, Defaults, SearchArgs, SearchOutput, StatusOutput};

use crate::search::Engine;
use crate::watch::Watch;
use rmcp::handler::server::common::schema_for_output;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    JsonObject, ProtocolVersion, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{tool, tool_handler, tool_router, ErrorData, RoleServer, ServerHandler, ServiceExt};
use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufRead, AsyncWrite};
use tools::{Outcome, ToolError};

/// The newest protocol revision quarry speaks; older ones are negotiated down to.
pub const PROTOCOL: ProtocolVersion = ProtocolVersion::V_2025_06_18;

/// What the server needs to open and search the index.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The index folder.
    pub index_dir: PathBuf,
    /// The embedding model folder.
    pub model_dir: PathBuf,
    /// Search defaults from the config.
    pub defaults: Defaults,
    /// Largest note `get` reads.
    pub max_file_bytes: u64,
}

/// What the tools share: the options, the engine (opened on first use) and the watcher
/// running in this process, if any.
struct Shared {
    opts: ServerOptions,
    engine: Mutex<Option<Engine>>,
    watch: Option<Watch>,
}

impl Shared {
    /// Runs `f` on the engine, opened (or brought up to the newest commit) first.
    fn with_engine<T>(&self, f: impl FnOnce(&Engine) -> Outcome<T>) -> Outcome<T> {
        let mut slot = self.engine.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = match slot.as_mut() {
            Some(engine) => engine.refresh().map(|_| ()),
            None => Engine::open(&self.opts.index_dir, &self.opts.model_dir)
                .map(|engine| *slot = Some(engine)),
        };
        if let Err(e) = fresh {
            // Open it again next time: the index may be rebuilt or created meanwhile.
            *slot = None;
            return Err(ToolError(e.to_string()));
        }
        f(slot.as_ref().expect("opened above"))
    }

    /// Who keeps the index current: this process's watcher, or another process holding the
    /// writer lock as a watcher.
    fn watcher(&self) -> Option<String> {
        if self.watch.as_ref().is_some_and(Watch::is_active) {
            return Some(format!("this server (--watch, pid {})", std::process::id()));
        }
        crate::index::owner::live(&self.opts.index_dir)
            .filter(|o| o.pid != std::process::id())
            .map(|o| format!("`{}` (pid {})", o.command, o.pid))
    }
}

/// The MCP server.
#[derive(Clone)]
pub struct Server {
    shared: Arc<Shared>,
    tool_router: ToolRouter<Self>,
}

/// A tool's outcome as an MCP result: structured content plus its text rendering, or an
/// error result naming the problem.
fn result<T: serde::Serialize>(outcome: Outcome<T>) -> CallToolResult {
    match outcome {
        Ok((value, text)) => {
            let mut r = CallToolResult::success(vec![ContentBlock::text(text)]);
            // Through JSON text, so numbers print as `--json` prints them: `to_value` widens
            // an f32 score to f64 (0.63352215 would become 0.6335221529006958).
            let encoded = serde_json::to_string(&value)
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text));
            match encoded {
                Ok(v) => r.structured_content = Some(v),
                Err(e) => return error_result(format!("could not encode the result: {e}")),
            }
            r
        }
        Err(ToolError(message)) => error_result(message),
    }
}

fn error_result(message: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}

impl Server {
    /// A server over the index in `opts`; `watch` is the watcher running in this process.
    pub fn new(opts: ServerOptions, watch: Option<Watch>) -> Server {
        Server {
            shared: Arc::new(Shared {
                opts,
                engine: Mutex::new(None),
                watch,
            }),
            tool_router: Self::tool_router(),
        }
    }

    /// Runs `work` on the blocking pool (searches take milliseconds to seconds of CPU).
    async fn blocking<T: serde::Serialize + Send + 'static>(
        &self,
        work: impl FnOnce(&Shared) -> Outcome<T> + Send + 'static,
    ) -> Result<CallToolResult, ErrorData> {
        let shared = Arc::clone(&self.shared);
        let outcome = tokio::task::spawn_blocking(move || work(&shared))
            .await
            .unwrap_or_else(|e| Err(ToolError(format!("the tool failed: {e}"))));
        Ok(result(outcome))
    }
}

#[tool_router]
impl Server {
    /// Search the user's Markdown notes (meeting notes, customer calls, competitive intel)
    /// for passages: each hit is one bullet or paragraph with its note's path, line, title,
    /// date, account, tags and section. Use it to answer questions from the notes, then
    /// `get` to read around a hit.
    ///
    /// `query` syntax: plain words (ranked; any may match); "exact phrase"; -word excludes;
    /// +word requires; prefix*; field:value for title, section, text, tag, account,
    /// participant, kind. Modes: hybrid (default when the index has embeddings: words and
    /// meaning), lexical (words only: names, numbers, exact terms), semantic (meaning only:
    /// paraphrases, "who is short of GPUs"). Filters (tag, account, participant, since,
    /// until, kind, path) are applied inside the index BEFORE ranking, so `limit` always
    /// returns the best passages that pass them; a filter takes one string or a list.
    /// Dates: YYYY-MM-DD or relative (30d, 2w, 6m, 1y). Example: {"query": "gpu capacity",
    /// "account": "microsoft", "since": "6m", "kind": "fact"}.
    #[tool(
        output_schema = schema_for_output::<SearchOutput>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn search(
        &self,
        Parameters(args): Parameters<SearchArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        self.blocking(move |s| {
            let defaults = s.opts.defaults.clone();
            s.with_engine(|e| tools::search(e, &args, &defaults))
        })
        .await
    }

    /// What the notes said about one company, product or person, as a timeline (oldest
    /// first; `latest: true` for newest first), with repeats across notes folded into one
    /// entry ("also" lists where else it was said). A passage counts when it names the
    /// entity, links to it ([[Entity]]), or sits in a note whose account is the entity.
    /// `about` narrows to a topic (query syntax, also matched by meaning). The same filters
    /// as `search` apply (dates YYYY-MM-DD or 30d/2w/6m/1y), inside the index. Example:
    /// {"entity": "DDN", "about": "read throughput", "since": "2025-01-01"}.
    #[tool(
        output_schema = schema_for_output::<ClaimsOutput>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn claims(
        &self,
        Parameters(args): Parameters<ClaimsArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        self.blocking(move |s| s.with_engine(|e| tools::claims(e, &args)))
            .await
    }

    /// Read a note (or the lines around a search hit) with its metadata (title, date,
    /// account, tags, participants) and the section the lines are in. `path` is a hit's
    /// `path` (relative to the indexed folder); `line`/`line_end` a hit's lines; `context`
    /// adds lines around them (default 5). Without `line`, the note from its start (up to
    /// 400 lines; `truncated` says when there is more). Only notes the index holds, inside
    /// the indexed folders, can be read.
    #[tool(
        output_schema = schema_for_output::<GetOutput>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn get(
        &self,
        Parameters(args): Parameters<GetArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        self.blocking(move |s| {
            let max = s.opts.max_file_bytes;
            s.with_engine(|e| get::get(e, &args, max))
        })
        .await
    }

    /// What the index holds: notes, passages, date range, top tags and accounts, the
    /// embedding model (semantic search works only with one), the indexed folders, and
    /// whether a watcher keeps the index current (if not, notes changed since the last
    /// `quarry index` are not searchable yet).
    #[tool(
        output_schema = schema_for_output::<StatusOutput>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn status(
        &self,
        Parameters(_): Parameters<tools::StatusArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        self.blocking(|s| s.with_engine(|e| tools::status(e, s.watcher())))
            .await
    }
}

/// Refuses arguments that do not fit the tool's schema with JSON-RPC `-32602 Invalid params`
/// (MCP 2025-06-18, "Error Handling": invalid arguments are a protocol error). rmcp would
/// turn them into a tool error result, as the 2025-11-25 revision prefers; quarry speaks
/// 2025-06-18. Unknown tools get `-32602` too, naming the tools there are.
fn check_arguments(name: &str, arguments: Option<&JsonObject>) -> Result<(), ErrorData> {
    let value = serde_json::Value::Object(arguments.cloned().unwrap_or_default());
    let checked = match name {
        "search" => serde_json::from_value::<SearchArgs>(value).map(drop),
        "claims" => serde_json::from_value::<ClaimsArgs>(value).map(drop),
        "get" => serde_json::from_value::<GetArgs>(value).map(drop),
        "status" => serde_json::from_value::<tools::StatusArgs>(value).map(drop),
        _ => {
            return Err(ErrorData::invalid_params(
                format!("unknown tool `{name}`; the tools are search, claims, get and status"),
                None,
            ))
        }
    };
    checked
        .map_err(|e| ErrorData::invalid_params(format!("invalid arguments for {name}: {e}"), None))
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        check_arguments(&request.name, request.arguments.as_ref())?;
        let call = ToolCallContext::new(self, request, context);
        self.tool_router.call(call).await
    }

    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_protocol_version(PROTOCOL)
            .with_server_info(
                Implementation::new("quarry", env!("CARGO_PKG_VERSION"))
                    .with_title("quarry notes search"),
            )
            .with_instructions(
                "quarry searches the user's local Markdown notes (meeting notes, customer calls, \
                 competitive intel). Use `search` for passages that answer a question (filters \
                 for account, tag, date, kind apply before ranking), `claims` for what was said \
                 about a company over time, `get` to read a note around a hit, `status` for what \
                 the index holds and whether it is kept current.",
            )
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(ProtocolVersion::known_up_to(&PROTOCOL))
    }
}

/// Serves MCP on `reader`/`writer` until end of input, on a single-threaded runtime (tool
/// work runs on its blocking pool).
pub fn serve<R, W>(server: Server, reader: R, writer: W) -> crate::Result<()>
where
    R: AsyncBufRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| crate::Error::Index(format!("cannot start the MCP runtime: {e}")))?;
    runtime.block_on(async move {
        let transport = transport::LineTransport::new(reader, writer);
        match server.serve(transport).await {
            Ok(running) => {
                let _ = running.waiting().await;
            }
            // The client went away or never initialised: nothing to serve, not an error.
            Err(e) => tracing_free_note(&e.to_string()),
        }
    });
    Ok(())
}

/// A failed handshake is reported on stderr only when the client sent something: a closed
/// input before `initialize` is a normal end.
fn tracing_free_note(error: &str) {
    if !error.contains("connection closed") {
        eprintln!("quarry: note: MCP session ended before it started: {error}");
    }
}
