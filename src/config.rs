//! Settings: defaults < config file < environment < flags, resolved once into a [`Config`]
//! before any work starts, so no other module reads the environment (the one exception is
//! `main.rs`'s `MIMALLOC_LARGE_OS_PAGES`, the allocator's own variable, read before anything).
//!
//! The file is TOML: `$QUARRY_CONFIG` (which must exist), else
//! `$XDG_CONFIG_HOME/quarry/config.toml`, else `~/.config/quarry/config.toml` (each used
//! only when it exists; `--no-config` reads none). Relative paths in it are relative to the
//! file's folder and `~/` is the home folder; relative paths from the environment or flags
//! are relative to the working folder. An unknown key or a value of the wrong type is an error
//! naming the file, line and key.
//!
//! One exception to the order, from the NO_COLOR convention (no-color.org): `NO_COLOR` and
//! `TERM=dumb` only decide what `color = auto` means, so an explicit `color` in the file
//! still wins over them.

use crate::cli::{Cli, ColorChoice, Command, ModeArg};
use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The environment variables quarry reads (besides the allocator's own).
pub const ENV_VARS: &[&str] = &[
    "QUARRY_CONFIG",
    "XDG_CONFIG_HOME",
    "HOME",
    "QUARRY_INDEX",
    "QUARRY_MODEL_DIR",
    "QUARRY_TIMING",
    "HF_ENDPOINT",
    "NO_COLOR",
    "TERM",
];

/// Default `limit` of `quarry search`.
pub const DEFAULT_LIMIT: usize = 10;
/// Default `max_file_size`, in MB.
pub const DEFAULT_MAX_FILE_MB: u64 = 20;
/// Default model download host.
pub const DEFAULT_HUB: &str = "https://huggingface.co";

/// A snapshot of the environment variables in [`ENV_VARS`]; empty values count as unset.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, OsString>,
}

impl Env {
    /// Reads [`ENV_VARS`] from this process.
    pub fn from_process() -> Env {
        Env {
            vars: ENV_VARS
                .iter()
                .filter_map(|k| std::env::var_os(k).map(|v| (k.to_string(), v)))
                .collect(),
        }
    }

    /// An environment made of these pairs (for tests).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Env {
        Env {
            vars: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), OsString::from(v)))
                .collect(),
        }
    }

    /// The value of `key` when set and not empty.
    pub fn get(&self, key: &str) -> Option<&OsString> {
        self.vars.get(key).filter(|v| !v.is_empty())
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// quarry's built-in default.
    Default,
    /// The config file (its path).
    File(PathBuf),
    /// An environment variable (its name).
    Env(&'static str),
    /// A command-line flag (its name, with dashes).
    Flag(&'static str),
}

impl Source {
    /// `default`, `file`, `environment` or `flag`.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::File(_) => "file",
            Source::Env(_) => "environment",
            Source::Flag(_) => "flag",
        }
    }

    /// The file path, variable name or flag; empty for the default.
    pub fn name(&self) -> String {
        match self {
            Source::Default => String::new(),
            Source::File(p) => p.display().to_string(),
            Source::Env(v) => v.to_string(),
            Source::Flag(f) => f.to_string(),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => write!(f, "default"),
            Source::File(p) => write!(f, "file {}", p.display()),
            Source::Env(v) => write!(f, "environment {v}"),
            Source::Flag(flag) => write!(f, "flag {flag}"),
        }
    }
}

/// One resolved setting, for `quarry config`.
#[derive(Debug, Clone)]
pub struct Setting {
    /// The config file key (or a name for settings only the environment sets).
    pub key: &'static str,
    /// The value, as JSON.
    pub value: serde_json::Value,
    /// Where it came from.
    pub source: Source,
}

/// Resolved settings, the only place the rest of the program gets them from.
#[derive(Debug, Clone)]
pub struct Config {
    /// Index folder (absolute).
    pub index_dir: PathBuf,
    /// Colour stdout.
    pub color: bool,
    /// Ranking mode; `None` means hybrid when the index has embeddings, else lexical.
    pub mode: Option<ModeArg>,
    /// `quarry search -n` (at least 1).
    pub limit: usize,
    /// Semantic similarity floor, in -1..=1.
    pub min_similarity: f32,
    /// Largest note file to index, in MB (at least 1).
    pub max_file_size: u64,
    /// Notes folders for an index that has none yet (absolute); see `quarry index --help`.
    pub roots: Vec<PathBuf>,
    /// Where the embedding model is installed.
    pub model_dir: PathBuf,
    /// Base address the model installer downloads from when no Python package is at hand.
    pub hub_endpoint: String,
    /// Print search timings on stderr (`QUARRY_TIMING`).
    pub timing: bool,
    /// Arithmetic of batch embedding (`index`, `eval`): `--precision` > file > auto.
    pub precision: crate::embed::Precision,
    /// Where hits link to (`--hyperlink-format`); printed as hyperlinks when `color` is on.
    pub hyperlink: crate::render::hyperlink::Format,
    /// The config file that was read, if any.
    pub file: Option<PathBuf>,
    /// Every setting with its source, in a fixed order.
    pub settings: Vec<Setting>,
}

/// The config file's contents.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    index: Option<PathBuf>,
    mode: Option<ModeArg>,
    limit: Option<Spanned<usize>>,
    color: Option<ColorChoice>,
    min_similarity: Option<Spanned<f32>>,
    max_file_size: Option<Spanned<u64>>,
    roots: Option<Vec<PathBuf>>,
    model_dir: Option<PathBuf>,
    precision: Option<crate::embed::Precision>,
    hyperlink_format: Option<Spanned<String>>,
}

/// The keys a config file may hold.
pub const FILE_KEYS: &[&str] = &[
    "index",
    "mode",
    "limit",
    "color",
    "min_similarity",
    "max_file_size",
    "roots",
    "model_dir",
    "precision",
    "hyperlink_format",
];

/// The config file to read: `Ok(None)` when there is none.
pub fn config_path(env: &Env) -> Result<Option<PathBuf>> {
    if let Some(p) = env.get("QUARRY_CONFIG") {
        let p = std::path::absolute(PathBuf::from(p))?;
        if !p.is_file() {
            bail!(
                "QUARRY_CONFIG names {}, which is not a file; create it or unset QUARRY_CONFIG",
                p.display()
            );
        }
        return Ok(Some(p));
    }
    let base = match env.get("XDG_CONFIG_HOME").map(PathBuf::from) {
        // The XDG spec ignores a relative value.
        Some(x) if x.is_absolute() => x,
        _ => match home(env) {
            Some(h) => h.join(".config"),
            None => return Ok(None),
        },
    };
    let p = base.join("quarry").join("config.toml");
    Ok(p.is_file().then_some(p))
}

fn home(env: &Env) -> Option<PathBuf> {
    env.get("HOME").map(PathBuf::from).or_else(dirs::home_dir)
}

/// Where the model lives when no config file was read: `$QUARRY_MODEL_DIR`, else the user
/// cache folder. For library callers (tests, benches) that never resolve a [`Config`].
pub fn default_model_dir() -> PathBuf {
    Env::from_process()
        .get("QUARRY_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(cache_model_dir)
}

/// The user cache folder's model folder (`~/.cache/quarry/models/all-MiniLM-L6-v2` on Linux).
pub fn cache_model_dir() -> PathBuf {
    dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("quarry")
        .join("models")
        .join("all-MiniLM-L6-v2")
}

/// Line (1-based) of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// Parses a config file's text; errors name `path`, the line and the key.
fn parse_file(path: &Path, text: &str) -> Result<FileConfig> {
    let file = toml::from_str::<FileConfig>(text).map_err(|e| {
        let message = e.message().trim().replace("unknown field", "unknown key");
        match e.span() {
            Some(span) => {
                let line = line_of(text, span.start);
                let line_text = text.lines().nth(line - 1).unwrap_or("");
                let key = line_text
                    .split_once('=')
                    .map(|(k, _)| k.trim().trim_matches('"'))
                    .filter(|k| !k.is_empty() && !message.contains(&format!("`{k}`")));
                match key {
                    Some(k) => anyhow::anyhow!("{}:{line}: {k}: {message}", path.display()),
                    None => anyhow::anyhow!("{}:{line}: {message}", path.display()),
                }
            }
            None => anyhow::anyhow!("{}: {message}", path.display()),
        }
    })?;
    let at = |key: &str, span: std::ops::Range<usize>, what: &str| {
        anyhow::anyhow!(
            "{}:{}: {key}: {what}",
            path.display(),
            line_of(text, span.start)
        )
    };
    if let Some(l) = &file.limit {
        if *l.get_ref() == 0 {
            return Err(at("limit", l.span(), "must be at least 1"));
        }
    }
    if let Some(m) = &file.min_similarity {
        if !(-1.0..=1.0).contains(m.get_ref()) {
            return Err(at("min_similarity", m.span(), "must be between -1 and 1"));
        }
    }
    if let Some(m) = &file.max_file_size {
        if *m.get_ref() == 0 || m.get_ref().checked_mul(1024 * 1024).is_none() {
            return Err(at(
                "max_file_size",
                m.span(),
                "must be at least 1 (MB) and at most 17592186044415",
            ));
        }
    }
    if let Some(h) = &file.hyperlink_format {
        if let Err(e) = crate::render::hyperlink::Format::parse(h.get_ref()) {
            return Err(at("hyperlink_format", h.span(), &e));
        }
    }
    Ok(file)
}

/// A path from the config file: `~/` is the home folder, relative is relative to `dir`.
fn file_path(p: &Path, dir: &Path, env: &Env) -> PathBuf {
    let p = match (p.strip_prefix("~"), home(env)) {
        (Ok(rest), Some(h)) => h.join(rest),
        _ => p.to_path_buf(),
    };
    if p.is_absolute() {
        p
    } else {
        dir.join(p)
    }
}

fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).with_context(|| format!("could not resolve {}", p.display()))
}

fn json_path(p: &Path) -> serde_json::Value {
    serde_json::Value::String(p.display().to_string())
}

/// The layers of settings being resolved, and what each setting resolved to so far.
struct Layers<'a> {
    cli: &'a Cli,
    env: &'a Env,
    file: FileConfig,
    /// The config file read, if any.
    path: Option<PathBuf>,
    /// Its folder: relative paths in the file are relative to it.
    dir: PathBuf,
    settings: Vec<Setting>,
}

impl Layers<'_> {
    fn file_src(&self) -> Source {
        Source::File(self.path.clone().unwrap_or_default())
    }

    fn record(&mut self, key: &'static str, value: serde_json::Value, source: Source) {
        self.settings.push(Setting { key, value, source });
    }

    /// The search and index flags that have config-file counterparts.
    fn command_flags(&self) -> (Option<usize>, Option<ModeArg>, Option<f32>, Option<u64>) {
        match &self.cli.command {
            Command::Search(a) => (a.limit, a.mode, a.min_similarity, None),
            Command::Index(a) => (None, None, None, a.max_file_size),
            Command::Watch(a) => (None, None, None, a.max_file_size),
            _ => (None, None, None, None),
        }
    }

    /// `--index` > `QUARRY_INDEX` > file > `./index`.
    fn index(&mut self) -> Result<PathBuf> {
        let (index, src) =
            if let Some(p) = self.cli.index.clone().filter(|p| !p.as_os_str().is_empty()) {
                (absolute(&p)?, Source::Flag("--index"))
            } else if let Some(p) = self.env.get("QUARRY_INDEX") {
                (absolute(Path::new(p))?, Source::Env("QUARRY_INDEX"))
            } else if let Some(p) = &self.file.index {
                (
                    absolute(&file_path(p, &self.dir, self.env))?,
                    self.file_src(),
                )
            } else {
                (absolute(Path::new("index"))?, Source::Default)
            };
        self.record("index", json_path(&index), src);
        Ok(index)
    }

    fn mode(&mut self) -> Option<ModeArg> {
        let (mode, src) = match (self.command_flags().1, self.file.mode) {
            (Some(m), _) => (Some(m), Source::Flag("--mode")),
            (None, Some(m)) => (Some(m), self.file_src()),
            (None, None) => (None, Source::Default),
        };
        let name = match mode {
            Some(ModeArg::Lexical) => "lexical",
            Some(ModeArg::Semantic) => "semantic",
            Some(ModeArg::Hybrid) => "hybrid",
            None => "auto",
        };
        self.record("mode", name.into(), src);
        mode
    }

    fn limit(&mut self) -> Result<usize> {
        let (limit, src) = match (self.command_flags().0, &self.file.limit) {
            (Some(0), _) => bail!("--limit must be at least 1"),
            (Some(n), _) => (n, Source::Flag("--limit")),
            (None, Some(n)) => (*n.get_ref(), self.file_src()),
            (None, None) => (DEFAULT_LIMIT, Source::Default),
        };
        self.record("limit", limit.into(), src);
        Ok(limit)
    }

    /// `--color` > file > auto: on a terminal, unless `NO_COLOR` is set or `TERM` is dumb.
    fn color(&mut self, stdout_tty: bool) -> bool {
        let (choice, src) = match (self.cli.color, self.file.color) {
            (Some(c), _) => (c, Source::Flag("--color")),
            (None, Some(c)) => (c, self.file_src()),
            (None, None) => (ColorChoice::Auto, Source::Default),
        };
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stdout_tty
                    && self.env.get("NO_COLOR").is_none()
                    && self.env.get("TERM").is_none_or(|t| t != "dumb")
            }
        };
        let shown = match choice {
            ColorChoice::Always => "always".into(),
            ColorChoice::Never => "never".into(),
            ColorChoice::Auto => format!("auto ({})", if color { "on" } else { "off" }),
        };
        self.record("color", shown.into(), src);
        color
    }

    fn min_similarity(&mut self) -> Result<f32> {
        let (min_similarity, src) = match (self.command_flags().2, &self.file.min_similarity) {
            (Some(f), _) if !(-1.0..=1.0).contains(&f) => {
                bail!("--min-similarity must be between -1 and 1")
            }
            (Some(f), _) => (f, Source::Flag("--min-similarity")),
            (None, Some(f)) => (*f.get_ref(), self.file_src()),
            (None, None) => (crate::search::SIMILARITY_FLOOR, Source::Default),
        };
        // Through the shortest decimal, so 0.3f32 shows as 0.3, not 0.30000001192092896.
        let shown = serde_json::Number::from_f64(min_similarity.to_string().parse().unwrap_or(0.0))
            .map_or(serde_json::Value::Null, serde_json::Value::Number);
        self.record("min_similarity", shown, src);
        Ok(min_similarity)
    }

    fn max_file_size(&mut self) -> Result<u64> {
        let (max_file_size, src) = match (self.command_flags().3, &self.file.max_file_size) {
            (Some(0), _) => bail!("--max-file-size must be at least 1 (MB)"),
            (Some(n), _) if n.checked_mul(1024 * 1024).is_none() => {
                bail!("--max-file-size {n} is too large")
            }
            (Some(n), _) => (n, Source::Flag("--max-file-size")),
            (None, Some(n)) => (*n.get_ref(), self.file_src()),
            (None, None) => (DEFAULT_MAX_FILE_MB, Source::Default),
        };
        self.record("max_file_size", max_file_size.into(), src);
        Ok(max_file_size)
    }

    fn roots(&mut self) -> Result<Vec<PathBuf>> {
        let (roots, src) = match &self.file.roots {
            Some(r) => (
                r.iter()
                    .map(|p| absolute(&file_path(p, &self.dir, self.env)))
                    .collect::<Result<Vec<_>>>()?,
                self.file_src(),
            ),
            None => (Vec::new(), Source::Default),
        };
        self.record("roots", roots.iter().map(|p| json_path(p)).collect(), src);
        Ok(roots)
    }

    /// `--precision` (index, eval) > file > auto.
    fn precision(&mut self) -> crate::embed::Precision {
        let flag = match &self.cli.command {
            Command::Index(a) => a.precision,
            Command::Eval(a) => a.precision,
            _ => None,
        };
        let (precision, src) = match (flag, self.file.precision) {
            (Some(p), _) => (p, Source::Flag("--precision")),
            (None, Some(p)) => (p, self.file_src()),
            (None, None) => (crate::embed::Precision::Auto, Source::Default),
        };
        self.record("precision", precision.name().into(), src);
        precision
    }

    /// `QUARRY_MODEL_DIR` > file > the user cache.
    fn model_dir(&mut self) -> Result<PathBuf> {
        let (model_dir, src) = if let Some(p) = self.env.get("QUARRY_MODEL_DIR") {
            (absolute(Path::new(p))?, Source::Env("QUARRY_MODEL_DIR"))
        } else if let Some(p) = &self.file.model_dir {
            (
                absolute(&file_path(p, &self.dir, self.env))?,
                self.file_src(),
            )
        } else {
            (cache_model_dir(), Source::Default)
        };
        self.record("model_dir", json_path(&model_dir), src);
        Ok(model_dir)
    }

    fn hub_endpoint(&mut self) -> String {
        let (hub_endpoint, src) = match self.env.get("HF_ENDPOINT") {
            Some(e) => (
                e.to_string_lossy().trim_end_matches('/').to_string(),
                Source::Env("HF_ENDPOINT"),
            ),
            None => (DEFAULT_HUB.to_string(), Source::Default),
        };
        self.record("hub_endpoint", hub_endpoint.clone().into(), src);
        hub_endpoint
    }

    /// `--hyperlink-format` > file > `default`.
    fn hyperlink(&mut self) -> Result<crate::render::hyperlink::Format> {
        use crate::render::hyperlink::Format;
        let (raw, src) = match (&self.cli.hyperlink_format, &self.file.hyperlink_format) {
            (Some(f), _) => (f.clone(), Source::Flag("--hyperlink-format")),
            (None, Some(f)) => (f.get_ref().clone(), self.file_src()),
            (None, None) => ("default".to_string(), Source::Default),
        };
        let format = Format::parse(&raw).map_err(|e| anyhow::anyhow!("--hyperlink-format: {e}"))?;
        self.record("hyperlink_format", raw.into(), src);
        Ok(format)
    }

    fn timing(&mut self) -> bool {
        let (timing, src) = match self.env.get("QUARRY_TIMING") {
            Some(v) => (v != "0", Source::Env("QUARRY_TIMING")),
            None => (false, Source::Default),
        };
        self.record("timing", timing.into(), src);
        timing
    }
}

impl Config {
    /// Resolves `cli`, the environment and the config file into one `Config`.
    /// `stdout_tty` says whether stdout is a terminal (for `--color auto`).
    pub fn resolve(cli: &Cli, env: &Env, stdout_tty: bool) -> Result<Config> {
        let path = if cli.no_config {
            None
        } else {
            config_path(env)?
        };
        let file = match &path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("could not read the config file {}", p.display()))?;
                parse_file(p, &text)?
            }
            None => FileConfig::default(),
        };
        let dir = path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut l = Layers {
            cli,
            env,
            file,
            path,
            dir,
            settings: Vec::new(),
        };
        let index_dir = l.index()?;
        let mode = l.mode();
        let limit = l.limit()?;
        let color = l.color(stdout_tty);
        let min_similarity = l.min_similarity()?;
        let max_file_size = l.max_file_size()?;
        let roots = l.roots()?;
        let model_dir = l.model_dir()?;
        let hub_endpoint = l.hub_endpoint();
        let timing = l.timing();
        let precision = l.precision();
        let hyperlink = l.hyperlink()?;
        Ok(Config {
            index_dir,
            color,
            mode,
            limit,
            min_similarity,
            max_file_size,
            roots,
            model_dir,
            hub_endpoint,
            timing,
            precision,
            hyperlink,
            file: l.path,
            settings: l.settings,
        })
    }

    /// Where `key`'s value came from.
    pub fn source_of(&self, key: &str) -> Source {
        self.settings
            .iter()
            .find(|s| s.key == key)
            .map_or(Source::Default, |s| s.source.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn cli(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("quarry").chain(args.iter().copied())).unwrap()
    }

    /// A temp folder with `config.toml` holding `text`; the env points QUARRY_CONFIG at it.
    fn with_file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    fn resolve(args: &[&str], env: &[(&str, &str)]) -> Result<Config> {
        Config::resolve(&cli(args), &Env::from_pairs(env), false)
    }

    #[test]
    fn defaults_when_nothing_is_set() {
        let c = resolve(&["search", "x"], &[("HOME", "/nonexistent-home")]).unwrap();
        assert_eq!(c.limit, DEFAULT_LIMIT);
        assert_eq!(c.mode, None);
        assert_eq!(c.max_file_size, DEFAULT_MAX_FILE_MB);
        assert!(c.roots.is_empty());
        assert!(c.file.is_none());
        assert!(c.index_dir.is_absolute() && c.index_dir.ends_with("index"));
        assert!(!c.color && !c.timing);
        assert_eq!(c.hub_endpoint, DEFAULT_HUB);
        assert!(c.settings.iter().all(|s| s.source == Source::Default));
    }

    #[test]
    fn file_then_environment_then_flag() {
        let (_d, path) = with_file(
            "index = \"from-file\"\nlimit = 7\nmode = \"lexical\"\nmin_similarity = 0.5\n\
             model_dir = \"~/models\"\nroots = [\"notes\"]\ncolor = \"always\"\nmax_file_size = 3\n",
        );
        let p = path.to_str().unwrap();
        let dir = path.parent().unwrap();
        let base = [("QUARRY_CONFIG", p), ("HOME", "/home/u")];

        let c = resolve(&["search", "x"], &base).unwrap();
        assert_eq!(c.index_dir, dir.join("from-file"));
        assert_eq!(c.source_of("index"), Source::File(path.clone()));
        assert_eq!(
            (c.limit, c.mode, c.min_similarity),
            (7, Some(ModeArg::Lexical), 0.5)
        );
        assert_eq!(c.model_dir, PathBuf::from("/home/u/models"));
        assert_eq!(c.roots, vec![dir.join("notes")]);
        assert!(c.color);
        assert_eq!(c.max_file_size, 3);

        let env = [
            base[0],
            base[1],
            ("QUARRY_INDEX", "/env/index"),
            ("QUARRY_MODEL_DIR", "/env/model"),
        ];
        let c = resolve(&["search", "x"], &env).unwrap();
        assert_eq!(c.index_dir, PathBuf::from("/env/index"));
        assert_eq!(c.source_of("index"), Source::Env("QUARRY_INDEX"));
        assert_eq!(c.model_dir, PathBuf::from("/env/model"));

        let c = resolve(
            &[
                "--index",
                "/flag/index",
                "--color",
                "never",
                "search",
                "x",
                "-n",
                "3",
                "--mode",
                "semantic",
                "--min-similarity",
                "0.1",
            ],
            &env,
        )
        .unwrap();
        assert_eq!(c.index_dir, PathBuf::from("/flag/index"));
        assert_eq!(c.source_of("index"), Source::Flag("--index"));
        assert_eq!(
            (c.limit, c.mode, c.min_similarity),
            (3, Some(ModeArg::Semantic), 0.1)
        );
        assert!(!c.color);
        assert_eq!(c.source_of("limit"), Source::Flag("--limit"));

        let c = resolve(&["index", "--max-file-size", "9"], &env).unwrap();
        assert_eq!(c.max_file_size, 9);

        let c = resolve(&["--no-config", "search", "x"], &env).unwrap();
        assert_eq!(c.limit, DEFAULT_LIMIT);
        assert!(c.file.is_none());
    }

    #[test]
    fn precision_from_file_then_flag_for_index_and_eval() {
        use crate::embed::Precision;
        let home = ("HOME", "/nonexistent-home");
        let c = resolve(&["index"], &[home]).unwrap();
        assert_eq!(c.precision, Precision::Auto);
        assert_eq!(c.source_of("precision"), Source::Default);

        let (_d, path) = with_file("precision = \"fp32\"\n");
        let env = [("QUARRY_CONFIG", path.to_str().unwrap()), home];
        let c = resolve(&["index"], &env).unwrap();
        assert_eq!(c.precision, Precision::Fp32);
        assert_eq!(c.source_of("precision"), Source::File(path.clone()));
        let c = resolve(&["index", "--precision", "int8"], &env).unwrap();
        assert_eq!(c.precision, Precision::Int8);
        assert_eq!(c.source_of("precision"), Source::Flag("--precision"));
        let c = resolve(&["eval", "data", "--precision", "auto"], &env).unwrap();
        assert_eq!(c.precision, Precision::Auto);
        // Search has no flag: the file's value stands (queries are fp32 whatever it says).
        assert_eq!(
            resolve(&["search", "x"], &env).unwrap().precision,
            Precision::Fp32
        );

        let (_d, path) = with_file("precision = \"bf8\"\n");
        let err = resolve(
            &["index"],
            &[("QUARRY_CONFIG", path.to_str().unwrap()), home],
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains(":1: precision: unknown variant `bf8`"),
            "{err}"
        );
        assert!(Cli::try_parse_from(["quarry", "index", "--precision", "fp16"]).is_err());
    }

    #[test]
    fn no_color_decides_auto_only() {
        let tty = |args: &[&str], env: &[(&str, &str)]| {
            Config::resolve(&cli(args), &Env::from_pairs(env), true)
                .unwrap()
                .color
        };
        let home = ("HOME", "/nonexistent-home");
        assert!(tty(&["stats"], &[home]));
        assert!(!tty(&["stats"], &[home, ("NO_COLOR", "1")]));
        assert!(tty(&["stats"], &[home, ("NO_COLOR", "")]));
        assert!(!tty(&["stats"], &[home, ("TERM", "dumb")]));
        assert!(tty(
            &["--color", "always", "stats"],
            &[home, ("NO_COLOR", "1")]
        ));
        let (_d, path) = with_file("color = \"always\"\n");
        let p = path.to_str().unwrap();
        assert!(tty(&["stats"], &[("QUARRY_CONFIG", p), ("NO_COLOR", "1")]));
    }

    #[test]
    fn the_file_is_found_by_xdg_then_home() {
        let dir = tempfile::tempdir().unwrap();
        let xdg = dir.path().join("xdg");
        let home = dir.path().join("home");
        for base in [xdg.join("quarry"), home.join(".config/quarry")] {
            std::fs::create_dir_all(&base).unwrap();
            std::fs::write(base.join("config.toml"), "limit = 5\n").unwrap();
        }
        let (x, h) = (xdg.to_str().unwrap(), home.to_str().unwrap());
        let env = Env::from_pairs(&[("XDG_CONFIG_HOME", x), ("HOME", h)]);
        assert_eq!(
            config_path(&env).unwrap(),
            Some(xdg.join("quarry/config.toml"))
        );
        let env = Env::from_pairs(&[("HOME", h)]);
        assert_eq!(
            config_path(&env).unwrap(),
            Some(home.join(".config/quarry/config.toml"))
        );
        // XDG_CONFIG_HOME replaces ~/.config: no fallback when its file is missing.
        let env = Env::from_pairs(&[("XDG_CONFIG_HOME", h), ("HOME", h)]);
        assert_eq!(config_path(&env).unwrap(), None);
        let missing = dir.path().join("missing.toml");
        let env = Env::from_pairs(&[("QUARRY_CONFIG", missing.to_str().unwrap())]);
        let err = config_path(&env).unwrap_err().to_string();
        assert!(
            err.contains("QUARRY_CONFIG") && err.contains("missing.toml"),
            "{err}"
        );
    }

    #[test]
    fn errors_name_the_file_line_and_key() {
        for (text, want) in [
            (
                "limit = 5\n\ncolour = \"never\"\n",
                ":3: unknown key `colour`",
            ),
            (
                "index = \"i\"\nlimit = \"ten\"\n",
                ":2: limit: invalid type: string",
            ),
            ("mode = \"fast\"\n", ":1: mode: unknown variant `fast`"),
            ("limit = 0\n", ":1: limit: must be at least 1"),
            (
                "\nmin_similarity = 2.0\n",
                ":2: min_similarity: must be between -1 and 1",
            ),
            ("max_file_size = -1\n", ":1: max_file_size: invalid value"),
            ("roots = \"notes\"\n", ":1: roots: invalid type: string"),
            ("index = [\n", ":1:"),
        ] {
            let (_d, path) = with_file(text);
            let err = resolve(&["stats"], &[("QUARRY_CONFIG", path.to_str().unwrap())])
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(path.to_str().unwrap()) && err.contains(want),
                "{text:?}: {err}"
            );
        }
    }

    #[test]
    fn bad_flags_are_errors() {
        let home = ("HOME", "/nonexistent-home");
        for (args, want) in [
            (
                &["search", "x", "-n", "0"][..],
                "--limit must be at least 1",
            ),
            (
                &["search", "x", "--min-similarity", "1.5"][..],
                "--min-similarity",
            ),
            (&["index", "--max-file-size", "0"][..], "--max-file-size"),
        ] {
            let err = resolve(args, &[home]).unwrap_err().to_string();
            assert!(err.contains(want), "{args:?}: {err}");
        }
    }
}
