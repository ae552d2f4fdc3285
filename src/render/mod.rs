//! Printers over `io::Write`, so tests render into a `Vec<u8>`: the human printer for
//! search hits ([`Human`], grouped or in blocks, [`wrap`]ped, with [`context`] lines), the claims timeline and entity list ([`claims`]), the evaluation
//! table ([`eval`]), index statistics ([`stats`]), JSON Lines, and the one highlighter they share ([`highlight`]). Nothing outside this folder
//! formats a result.

pub mod claims;
pub mod context;
pub mod eval;
pub mod highlight;
mod human;
pub mod hyperlink;
mod json;
pub mod stats;
pub mod wrap;

pub use human::Human;
pub use json::write_json_line;

use crate::search::Hit;

/// ANSI styles used by the human printers.
#[derive(Debug, Clone, Copy, Default)]
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

/// A note's path for people: relative to the working folder `cwd` when the note lies below
/// it, else absolute (always absolute with `absolute`). Either way it opens from where the
/// command ran, whichever root the note came from.
pub fn shown_path(abs: &str, cwd: Option<&std::path::Path>, absolute: bool) -> String {
    let path = std::path::Path::new(abs);
    match cwd.and_then(|c| path.strip_prefix(c).ok()) {
        Some(rel) if !absolute && !rel.as_os_str().is_empty() => rel.to_string_lossy().into_owned(),
        _ => abs.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::shown_path;
    use std::path::Path;

    #[test]
    fn paths_are_shown_from_the_working_folder() {
        let cwd = Some(Path::new("/home/me"));
        assert_eq!(
            shown_path("/home/me/notes/a b.md", cwd, false),
            "notes/a b.md"
        );
        assert_eq!(
            shown_path("/home/me/notes/a b.md", cwd, true),
            "/home/me/notes/a b.md"
        );
        assert_eq!(shown_path("/srv/work/x.md", cwd, false), "/srv/work/x.md");
        assert_eq!(shown_path("/home/meow/x.md", cwd, false), "/home/meow/x.md");
        assert_eq!(shown_path("/x.md", None, false), "/x.md");
    }
}
