//! Links from results back into Obsidian or an editor: each hit's `uri` (JSON) and, on a
//! terminal, its `path:line` as an OSC 8 hyperlink.
//!
//! Where a link goes is decided per root, once per search: a root inside an Obsidian vault
//! (a folder holding `.obsidian/`, the root or one above it) links its Markdown notes with
//! `obsidian://open?vault=…&file=…`, jumping to the passage's block id or heading; anything
//! else links `file://…`. `--hyperlink-format` replaces both with a template in the manner of
//! ripgrep's (`vscode://file{path}:{line}:{column}`, or a name such as `vscode`). Values are
//! percent-encoded (UTF-8 bytes, `%20` for a space, `%23` for `#`); the Obsidian query values
//! encode `/` too, as Obsidian asks.
//!
//! Printing follows the colour decision ([`crate::config`]): hyperlinks are escape codes, so
//! they go to a terminal exactly when colours do, never into a pipe unless `--color always`.

use crate::search::Hit;
use std::path::Path;

/// What `--hyperlink-format` asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// Obsidian links for notes in a vault, `file://` links otherwise.
    Default,
    /// No links (and no `uri` in JSON).
    None,
    /// A template with `{path}`, `{line}`, `{column}`, `{host}`, `{vault}`, `{file}`.
    Template(String),
}

/// Named formats, as ripgrep names them (plus `obsidian`, which is the default).
const NAMED: &[(&str, &str)] = &[
    ("file", "file://{host}{path}"),
    ("vscode", "vscode://file{path}:{line}:{column}"),
    (
        "vscode-insiders",
        "vscode-insiders://file{path}:{line}:{column}",
    ),
    ("vscodium", "vscodium://file{path}:{line}:{column}"),
    ("cursor", "cursor://file{path}:{line}:{column}"),
    ("kitty", "file://{host}{path}#{line}"),
    (
        "macvim",
        "mvim://open?url=file://{path}&line={line}&column={column}",
    ),
    (
        "textmate",
        "txmt://open?url=file://{path}&line={line}&column={column}",
    ),
    ("grep+", "grep+://{path}:{line}"),
];

/// The variables a template may use.
const VARIABLES: &[&str] = &["path", "line", "column", "host", "vault", "file"];

/// The names `--hyperlink-format` accepts besides templates.
pub fn format_names() -> Vec<&'static str> {
    let mut names = vec!["default", "obsidian", "none"];
    names.extend(NAMED.iter().map(|(n, _)| *n));
    names
}

impl Format {
    /// Parses a format name or template. The error names the problem and what is accepted.
    pub fn parse(s: &str) -> Result<Format, String> {
        let s = s.trim();
        match s {
            "" | "default" | "obsidian" => return Ok(Format::Default),
            "none" => return Ok(Format::None),
            _ => {}
        }
        if let Some((_, t)) = NAMED.iter().find(|(n, _)| *n == s) {
            return Ok(Format::Template(t.to_string()));
        }
        check_template(s)?;
        Ok(Format::Template(s.to_string()))
    }
}

fn check_template(s: &str) -> Result<(), String> {
    let known = || {
        format!(
            "use a name ({}) or a template with a scheme and {{path}} or {{file}}, such as vscode://file{{path}}:{{line}}",
            format_names().join(", ")
        )
    };
    let scheme_end = s.find(':').unwrap_or(0);
    let scheme = &s[..scheme_end];
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return Err(format!(
            "hyperlink format '{s}' has no URI scheme; {}",
            known()
        ));
    }
    let mut rest = s;
    let mut has_target = false;
    while let Some(open) = rest.find(['{', '}']) {
        if rest.as_bytes()[open] == b'}' {
            return Err(format!("hyperlink format '{s}' has an unopened '}}'"));
        }
        let Some(close) = rest[open..].find('}') else {
            return Err(format!("hyperlink format '{s}' has an unclosed '{{'"));
        };
        let var = &rest[open + 1..open + close];
        if !VARIABLES.contains(&var) {
            return Err(format!(
                "hyperlink format '{s}' has an unknown variable {{{var}}}; known: {}",
                VARIABLES
                    .iter()
                    .map(|v| format!("{{{v}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        has_target |= var == "path" || var == "file";
        rest = &rest[open + close + 1..];
    }
    if !has_target {
        return Err(format!(
            "hyperlink format '{s}' names no file: add {{path}} or {{file}}"
        ));
    }
    Ok(())
}

/// The Obsidian vault a root lies in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vault {
    /// The vault's name: its folder's name, as Obsidian calls it.
    pub name: String,
    /// The root's path inside the vault, `/`-separated (empty when the root is the vault).
    pub prefix: String,
}

impl Vault {
    /// The vault holding `root`: the nearest folder at or above it with a `.obsidian/` folder.
    pub fn find(root: &Path) -> Option<Vault> {
        let dir = root.ancestors().find(|d| d.join(".obsidian").is_dir())?;
        let name = dir.file_name()?.to_string_lossy().into_owned();
        let prefix = root
            .strip_prefix(dir)
            .ok()?
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        Some(Vault { name, prefix })
    }
}

/// Makes each hit's link, knowing the roots its hits come from and the format.
#[derive(Debug, Clone)]
pub struct Linker {
    format: Format,
    /// Each root (absolute, as a hit's `root` names it), with the vault it lies in.
    roots: Vec<(String, Option<Vault>)>,
}

impl Linker {
    /// A linker for these roots (absolute paths); each is looked up once.
    pub fn new(format: Format, roots: &[String]) -> Linker {
        let roots = if format == Format::None {
            Vec::new()
        } else {
            roots
                .iter()
                .map(|r| (r.clone(), Vault::find(Path::new(r))))
                .collect()
        };
        Linker { format, roots }
    }

    /// A linker for the roots of these hits (a search's hits come from few roots).
    pub fn for_hits<'h>(format: Format, hits: impl IntoIterator<Item = &'h Hit>) -> Linker {
        let mut roots: Vec<String> = Vec::new();
        for h in hits {
            if !roots.contains(&h.root) {
                roots.push(h.root.clone());
            }
        }
        Linker::new(format, &roots)
    }

    /// Sets every hit's `uri`.
    pub fn fill(&self, hits: &mut [Hit]) {
        for h in hits {
            h.uri = self.uri(h);
        }
    }

    /// The link for a hit, or `None` with `--hyperlink-format none` or an unknown root.
    pub fn uri(&self, hit: &Hit) -> Option<String> {
        let (root, vault) = self.roots.iter().find(|(r, _)| *r == hit.root)?;
        let abs = Path::new(root).join(&hit.path);
        let in_vault = |v: &Vault| {
            if v.prefix.is_empty() {
                hit.path.clone()
            } else {
                format!("{}/{}", v.prefix, hit.path)
            }
        };
        match &self.format {
            Format::None => None,
            Format::Default => Some(match vault {
                Some(v) if is_markdown(&hit.path) => obsidian_uri(&v.name, &in_vault(v), hit),
                _ => format!("file://{}", encode_path(&abs)),
            }),
            Format::Template(t) => {
                let file = vault.as_ref().map_or_else(|| hit.path.clone(), in_vault);
                let vars = Vars {
                    path: &encode_path(&abs),
                    line: hit.line,
                    vault: &vault
                        .as_ref()
                        .map_or_else(String::new, |v| encode_component(&v.name)),
                    file: &encode_component(&file),
                };
                Some(expand(t, &vars))
            }
        }
    }
}

/// Values for a template.
struct Vars<'a> {
    path: &'a str,
    line: u64,
    vault: &'a str,
    file: &'a str,
}

fn expand(template: &str, v: &Vars<'_>) -> String {
    let mut out = String::with_capacity(template.len() + v.path.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        match &rest[open + 1..open + close] {
            "path" => out.push_str(v.path),
            "line" => out.push_str(&v.line.to_string()),
            "column" => out.push('1'),
            "vault" => out.push_str(v.vault),
            "file" => out.push_str(v.file),
            _ => {} // {host}: empty, a local file:/// link
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Whether Obsidian opens the file as a note.
fn is_markdown(path: &str) -> bool {
    path.rsplit_once('.')
        .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("md"))
}

/// `obsidian://open?vault=…&file=…`, the file without `.md`, and a jump to the passage:
/// its block id (`#^id`), else its innermost heading (`#Heading`).
fn obsidian_uri(vault: &str, file: &str, hit: &Hit) -> String {
    let note = file
        .strip_suffix(".md")
        .or_else(|| file.strip_suffix(".MD"))
        .unwrap_or(file);
    let mut target = note.to_string();
    if let Some(a) = &hit.anchor {
        target.push_str("#^");
        target.push_str(a);
    } else if let Some(h) = hit.section.rsplit(" > ").next().filter(|h| !h.is_empty()) {
        target.push('#');
        target.push_str(h);
    }
    format!(
        "obsidian://open?vault={}&file={}",
        encode_component(vault),
        encode_component(&target)
    )
}

/// Percent-encodes everything but the unreserved characters (RFC 3986: letters, digits,
/// `-`, `.`, `_`, `~`), as a URI query value or path segment needs.
pub fn encode_component(s: &str) -> String {
    encode(s, false)
}

/// Percent-encodes an absolute path for `file://`, keeping its `/` separators.
pub fn encode_path(path: &Path) -> String {
    let s = path.to_string_lossy();
    let s = s.replace('\\', "/");
    let encoded = encode(&s, true);
    if encoded.starts_with('/') {
        encoded
    } else {
        format!("/{encoded}")
    }
}

fn encode(s: &str, keep_slash: bool) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `text` as an OSC 8 hyperlink to `uri` when `on` (the terminal shows `text`; a click opens
/// `uri`); otherwise `text` unchanged.
pub fn wrap(on: bool, uri: Option<&str>, text: &str) -> String {
    match uri {
        Some(uri) if on => format!("\x1b]8;;{uri}\x1b\\{text}\x1b]8;;\x1b\\"),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn hit(path: &str, line: u64, section: &str, anchor: Option<&str>) -> Hit {
        Hit {
            path: path.into(),
            line,
            line_end: line,
            title: String::new(),
            date: None,
            account: None,
            tags: Vec::new(),
            section: section.into(),
            kind: "fact".into(),
            task: None,
            text: String::new(),
            score: 0.0,
            anchor: anchor.map(str::to_string),
            uri: None,
            explain: None,
            pid: 0,
            ..Hit::default()
        }
    }

    #[test]
    fn percent_encoding() {
        assert_eq!(encode_component("my vault/a b#c"), "my%20vault%2Fa%20b%23c");
        assert_eq!(encode_component("日本"), "%E6%97%A5%E6%9C%AC");
        assert_eq!(encode_component("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(
            encode_path(Path::new("/home/me/My Notes/Über #1.md")),
            "/home/me/My%20Notes/%C3%9Cber%20%231.md"
        );
    }

    #[test]
    fn vault_notes_link_to_obsidian_and_other_files_to_file_urls() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("My Vault");
        std::fs::create_dir_all(vault.join(".obsidian")).unwrap();
        std::fs::create_dir_all(vault.join("Sub dir")).unwrap();
        let plain = dir.path().join("plain");
        std::fs::create_dir_all(&plain).unwrap();
        let roots = [
            vault.to_string_lossy().into_owned(),
            vault.join("Sub dir").to_string_lossy().into_owned(),
            plain.to_string_lossy().into_owned(),
        ];
        let linker = Linker::new(Format::Default, &roots);
        let mut h = hit(
            "Guides/Internal links.md",
            7,
            "Links > Block ids",
            Some("b15695"),
        );
        h.root = roots[0].clone();
        assert_eq!(
            linker.uri(&h).unwrap(),
            "obsidian://open?vault=My%20Vault&file=Guides%2FInternal%20links%23%5Eb15695"
        );
        let mut h = hit("日本語.md", 3, "Setup > 埋め込み", None);
        h.root = roots[1].clone();
        assert_eq!(
            linker.uri(&h).unwrap(),
            format!(
                "obsidian://open?vault=My%20Vault&file=Sub%20dir%2F{}%23{}",
                encode_component("日本語"),
                encode_component("埋め込み")
            )
        );
        // Obsidian does not open .txt files: they link to the file.
        let mut h = hit("notes.txt", 1, "", None);
        h.root = roots[1].clone();
        assert!(
            linker.uri(&h).unwrap().starts_with("file:///"),
            "{:?}",
            linker.uri(&h)
        );
        let mut h = hit("a b#c.md", 2, "", None);
        h.root = roots[2].clone();
        assert_eq!(
            linker.uri(&h).unwrap(),
            format!("file://{}/a%20b%23c.md", encode_path(&plain))
        );
        h.root = "/nowhere".into();
        assert_eq!(linker.uri(&h), None, "an unknown root has no link");
        assert_eq!(Linker::new(Format::None, &roots).uri(&h), None);
    }

    #[test]
    fn templates_expand_encoded_values() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("V/.obsidian")).unwrap();
        let roots = [dir.path().join("V").to_string_lossy().into_owned()];
        let mut h = hit("My note.md", 12, "", None);
        h.root = roots[0].clone();
        let base = encode_path(&dir.path().join("V"));
        let uri = |f: &str| {
            Linker::new(Format::parse(f).unwrap(), &roots)
                .uri(&h)
                .unwrap()
        };
        assert_eq!(
            uri("vscode"),
            format!("vscode://file{base}/My%20note.md:12:1")
        );
        assert_eq!(
            uri("vscode://file/{path}:{line}"),
            format!("vscode://file/{base}/My%20note.md:12")
        );
        assert_eq!(uri("file"), format!("file://{base}/My%20note.md"));
        assert_eq!(
            uri("obsidian://advanced-uri?vault={vault}&filepath={file}&line={line}"),
            "obsidian://advanced-uri?vault=V&filepath=My%20note.md&line=12"
        );
    }

    #[rstest]
    #[case("vscode//file{path}", "no URI scheme")]
    #[case("x://{path", "unclosed")]
    #[case("x://path}", "unopened")]
    #[case("x://{nope}", "unknown variable {nope}")]
    #[case("x://{line}", "names no file")]
    fn bad_templates_say_what_is_wrong(#[case] format: &str, #[case] message: &str) {
        let err = Format::parse(format).unwrap_err();
        assert!(err.contains(message), "{err}");
    }

    #[test]
    fn osc8_only_when_on() {
        assert_eq!(
            wrap(true, Some("file:///a"), "a.md:1"),
            "\x1b]8;;file:///a\x1b\\a.md:1\x1b]8;;\x1b\\"
        );
        assert_eq!(wrap(false, Some("file:///a"), "a.md:1"), "a.md:1");
        assert_eq!(wrap(true, None, "a.md:1"), "a.md:1");
    }
}
