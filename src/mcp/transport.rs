//! The stdio transport: newline-delimited JSON-RPC 2.0, one message per line.
//!
//! rmcp's own stdio transport silently drops a line that is not JSON (its authors chose
//! that to avoid error storms between two peers), and answers JSON that is not a message
//! with an id-less "Invalid request". quarry answers what JSON-RPC 2.0 (section 5.1) and
//! MCP name instead, so a client, a person typing into the server, or a test can see what
//! went wrong:
//!
//! * not JSON: `-32700 Parse error`, `id: null`;
//! * JSON that is not a request, notification or response (or a batch, which MCP
//!   2025-06-18 removed): `-32600 Invalid Request`, with the id when one can be read;
//! * a request of a known method whose params do not fit it: `-32602 Invalid params`;
//! * unknown methods reach the server, which answers `-32601 Method not found`.
//!
//! A line longer than [`MAX_LINE`] is refused (and skipped) without being buffered whole.
//! End of input ends the session; the server then exits 0.

use rmcp::model::{ClientRequest, JsonRpcMessage};
use rmcp::service::{RoleServer, RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::Mutex;

/// The client requests of MCP 2025-06-18 (a request of one of these that rmcp cannot read has
/// params that do not fit it).
const KNOWN_METHODS: &[&str] = &[
    "initialize",
    "ping",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "resources/subscribe",
    "resources/unsubscribe",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "logging/setLevel",
];

/// The longest message accepted (a tool call with a long query is a few KB).
pub const MAX_LINE: usize = 4 * 1024 * 1024;

/// JSON-RPC error codes (JSON-RPC 2.0 section 5.1).
pub mod code {
    /// Invalid JSON was received.
    pub const PARSE_ERROR: i64 = -32700;
    /// The JSON sent is not a valid Request object.
    pub const INVALID_REQUEST: i64 = -32600;
    /// The method does not exist.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// Invalid method parameters.
    pub const INVALID_PARAMS: i64 = -32602;
}

/// Newline-delimited JSON-RPC over an async reader and writer (stdin and stdout).
pub struct LineTransport<R, W> {
    reader: R,
    writer: Arc<Mutex<W>>,
    line: Vec<u8>,
}

impl<R, W> LineTransport<R, W>
where
    R: AsyncBufRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    /// A transport reading messages from `reader` and writing them to `writer`.
    pub fn new(reader: R, writer: W) -> Self {
        LineTransport {
            reader,
            writer: Arc::new(Mutex::new(writer)),
            line: Vec::new(),
        }
    }

    /// Reads one line into `self.line` (without its newline). `Ok(false)` at end of input;
    /// `Err(())` for a line over [`MAX_LINE`], which is skipped up to its end.
    async fn read_line(&mut self) -> std::io::Result<Result<bool, ()>> {
        self.line.clear();
        let mut too_long = false;
        loop {
            let available = self.reader.fill_buf().await?;
            if available.is_empty() {
                return Ok(if too_long {
                    Err(())
                } else {
                    Ok(!self.line.is_empty())
                });
            }
            let newline = available.iter().position(|&b| b == b'\n');
            let take = newline.map_or(available.len(), |i| i + 1);
            if !too_long {
                if self.line.len() + take > MAX_LINE {
                    too_long = true;
                    self.line.clear();
                } else {
                    self.line.extend_from_slice(&available[..take]);
                }
            }
            self.reader.consume(take);
            if newline.is_some() {
                if too_long {
                    return Ok(Err(()));
                }
                while matches!(self.line.last(), Some(b'\n' | b'\r')) {
                    self.line.pop();
                }
                return Ok(Ok(true));
            }
        }
    }

    fn reply_error(
        &self,
        id: Value,
        code: i64,
        message: String,
    ) -> impl std::future::Future<Output = std::io::Result<()>> + Send + 'static {
        let writer = Arc::clone(&self.writer);
        let body = json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": { "code": code, "message": message },
        });
        async move { write_line(&writer, &body).await }
    }
}

/// What an unreadable message should get in reply.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    /// Nothing (a notification or response we cannot use: JSON-RPC never answers those).
    Ignore,
    /// An error reply.
    Reply {
        /// The request's id, or null.
        id: Value,
        /// JSON-RPC error code.
        code: i64,
        /// What was wrong.
        message: String,
    },
}

/// Reads one line as a message, or says what to answer instead.
pub fn parse(line: &[u8]) -> Result<RxJsonRpcMessage<RoleServer>, Refusal> {
    let value: Value = serde_json::from_slice(line).map_err(|e| Refusal::Reply {
        id: Value::Null,
        code: code::PARSE_ERROR,
        message: format!("Parse error: {e}"),
    })?;
    let invalid = |id: Value, why: &str| Refusal::Reply {
        id,
        code: code::INVALID_REQUEST,
        message: format!("Invalid Request: {why}"),
    };
    let Value::Object(object) = &value else {
        let why = if value.is_array() {
            "batches are not supported (MCP 2025-06-18 removed JSON-RPC batching); send one message per line"
        } else {
            "a message must be a JSON object"
        };
        return Err(invalid(Value::Null, why));
    };
    let id = match object.get("id") {
        None => None,
        Some(id @ Value::String(_)) => Some(id.clone()),
        Some(id @ Value::Number(n)) if n.is_i64() || n.is_u64() => Some(id.clone()),
        Some(_) => return Err(invalid(Value::Null, "id must be a string or an integer")),
    };
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(invalid(
            id.unwrap_or(Value::Null),
            "\"jsonrpc\" must be \"2.0\"",
        ));
    }
    let method = object.get("method");
    if method.is_some_and(|m| !m.is_string()) {
        return Err(invalid(
            id.unwrap_or(Value::Null),
            "method must be a string",
        ));
    }
    match serde_json::from_value::<RxJsonRpcMessage<RoleServer>>(value.clone()) {
        // rmcp reads a request of a method it knows but whose params do not fit as a
        // "custom" request (and would answer that the method does not exist).
        Ok(JsonRpcMessage::Request(r)) if matches!(&r.request, ClientRequest::CustomRequest(c) if KNOWN_METHODS.contains(&c.method.as_str())) => {
            Err(Refusal::Reply {
                id: id.unwrap_or(Value::Null),
                code: code::INVALID_PARAMS,
                message: format!("Invalid params for {}", r.request.method()),
            })
        }
        Ok(message) => Ok(message),
        // A request whose params do not fit its method.
        Err(e) if method.is_some() && id.is_some() => Err(Refusal::Reply {
            id: id.unwrap_or(Value::Null),
            code: code::INVALID_PARAMS,
            message: format!("Invalid params: {e}"),
        }),
        // Notifications and responses get no reply, even when wrong.
        Err(_)
            if method.is_some()
                || object.contains_key("result")
                || object.contains_key("error") =>
        {
            Err(Refusal::Ignore)
        }
        Err(_) => Err(invalid(
            id.unwrap_or(Value::Null),
            "not a request, notification or response",
        )),
    }
}

async fn write_line<W: AsyncWrite + Unpin>(
    writer: &Mutex<W>,
    body: &impl serde::Serialize,
) -> std::io::Result<()> {
    let mut bytes = serde_json::to_vec(body).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    let mut w = writer.lock().await;
    w.write_all(&bytes).await?;
    w.flush().await
}

impl<R, W> Transport<RoleServer> for LineTransport<R, W>
where
    R: AsyncBufRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl std::future::Future<Output = Result<(), Self::Error>> + Send + 'static {
        let writer = Arc::clone(&self.writer);
        async move { write_line(&writer, &item).await }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            match self.read_line().await {
                Err(_) | Ok(Ok(false)) => return None,
                Ok(Err(())) => {
                    let message = format!("Invalid Request: message longer than {MAX_LINE} bytes");
                    self.reply_error(Value::Null, code::INVALID_REQUEST, message)
                        .await
                        .ok()?;
                    continue;
                }
                Ok(Ok(true)) => {}
            }
            if self.line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match parse(&self.line) {
                Ok(message) => return Some(message),
                Err(Refusal::Ignore) => {}
                Err(Refusal::Reply { id, code, message }) => {
                    self.reply_error(id, code, message).await.ok()?;
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.writer.lock().await.flush().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(line: &str) -> (Value, i64) {
        match parse(line.as_bytes()) {
            Err(Refusal::Reply { id, code, .. }) => (id, code),
            other => panic!("{line}: expected an error reply, got {other:?}"),
        }
    }

    #[test]
    fn unreadable_messages_get_the_errors_json_rpc_names() {
        assert_eq!(refusal("{not json"), (Value::Null, code::PARSE_ERROR));
        assert_eq!(
            refusal("\"just a string\""),
            (Value::Null, code::INVALID_REQUEST)
        );
        assert_eq!(refusal("[]"), (Value::Null, code::INVALID_REQUEST));
        assert_eq!(
            refusal(r#"{"jsonrpc":"1.0","id":4,"method":"ping"}"#),
            (json!(4), code::INVALID_REQUEST)
        );
        assert_eq!(
            refusal(r#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#),
            (Value::Null, code::INVALID_REQUEST)
        );
        assert_eq!(
            refusal(r#"{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":7}}"#),
            (json!("x"), code::INVALID_PARAMS)
        );
        assert_eq!(
            refusal(r#"{"jsonrpc":"2.0","id":5}"#),
            (json!(5), code::INVALID_REQUEST)
        );
    }

    #[test]
    fn good_messages_parse_and_bad_notifications_are_ignored() {
        assert!(parse(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).is_ok());
        assert!(parse(br#"{"jsonrpc":"2.0","id":1,"method":"no/such/method"}"#).is_ok());
        assert!(parse(br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).is_ok());
        assert_eq!(
            parse(br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":7}"#)
                .unwrap_err(),
            Refusal::Ignore
        );
    }

    #[test]
    fn long_lines_are_refused_and_the_next_line_still_read() {
        let mut input = vec![b'x'; MAX_LINE + 10];
        input.push(b'\n');
        input.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let out = rt.block_on(async {
            let mut t = LineTransport::new(&input[..], Vec::new());
            assert!(t.receive().await.is_some());
            assert!(t.receive().await.is_none());
            let out = t.writer.lock().await.clone();
            out
        });
        let first = out.split(|&b| b == b'\n').next().unwrap();
        let reply: Value = serde_json::from_slice(first).unwrap();
        assert_eq!(reply["error"]["code"], code::INVALID_REQUEST);
        assert_eq!(reply["id"], Value::Null);
    }
}
