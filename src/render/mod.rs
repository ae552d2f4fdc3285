//! Printers over `io::Write`: a human printer (optionally coloured) and a JSON Lines printer.
//! Tests render into a `Vec<u8>`.

mod human;
mod json;

pub use human::Human;
pub use json::{write_json_line, JsonHit};

/// ANSI styles used by the human printer.
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
