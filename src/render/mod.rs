//! Printers over `io::Write`, so tests render into a `Vec<u8>`: the human printer for
//! search hits ([`Human`]), the claims timeline and entity list ([`claims`]), the evaluation
//! table ([`eval`]), index statistics ([`stats`]), JSON Lines, and the one highlighter they share ([`highlight`]). Nothing outside this folder
//! formats a result.

pub mod claims;
pub mod eval;
pub mod highlight;
mod human;
pub mod hyperlink;
mod json;
pub mod stats;

pub use human::Human;
pub use json::write_json_line;

use crate::search::Hit;

/// ANSI styles used by the human printers.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Whether to emit escape codes at all.
    pub color: bool,
}

impl Style {
    /// Wraps `s` in an SGR code when colour is on.
    pub fn paint(&self, code: &str, s: &str) -> String {
        if self.color && !s.is_empty() {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// What a passage's text is prefixed with: its task box, or `decision:`.
fn marker(hit: &Hit) -> String {
    match (&hit.task, hit.kind.as_str()) {
        (Some(t), _) => format!("[{t}] "),
        (None, "decision") => "decision: ".to_string(),
        _ => String::new(),
    }
}
