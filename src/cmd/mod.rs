//! One module per subcommand; each has a `run` that returns the exit status.

pub mod claims;
pub mod completions;
pub mod config;
pub mod eval;
pub mod export;
pub mod index;
pub mod man;
pub mod model;
mod progress;
pub mod roots;
pub mod search;
pub mod stats;

pub use crate::config::Config;

use crate::cli::{Cli, Command, FilterArgs};
use crate::config::Env;
use crate::date::{parse_bound, Date};
use crate::note::Kind;
use crate::search::{Filters, Scan};
use anyhow::{bail, Result};
use std::io::IsTerminal;

/// Runs the command; returns the exit status (0 found / done, 1 nothing found).
///
/// Settings are resolved first (defaults < config file < environment < flags), except for
/// `completions` and `man`, which need none and so work even with a broken config file.
pub fn run(cli: Cli) -> Result<i32> {
    // `--index` is global (it goes anywhere on the line), but these commands use no index:
    // accepting it silently would let `quarry eval --index DIR` look like it wrote there.
    let no_index = match &cli.command {
        Command::Model(_) => Some(("model", "")),
        Command::Eval(_) => Some((
            "eval",
            " (it indexes into --keep DIR or a temporary folder)",
        )),
        Command::Completions(_) => Some(("completions", "")),
        Command::Man(_) => Some(("man", "")),
        _ => None,
    };
    if let (Some((command, why)), Some(_)) = (no_index, &cli.index) {
        bail!("`quarry {command}` uses no index{why}; drop --index");
    }
    match &cli.command {
        Command::Completions(args) => return completions::run(args),
        Command::Man(args) => return man::run(args),
        _ => {}
    }
    let config = Config::resolve(&cli, &Env::from_process(), std::io::stdout().is_terminal())?;
    match cli.command {
        Command::Index(args) => index::run(&config, &args),
        Command::Roots(args) => roots::run(&config, &args),
        Command::Search(args) => search::run(&config, &args),
        Command::Stats(args) => stats::run(&config, &args),
        Command::Claims(args) => claims::run(&config, &args),
        Command::Model(cmd) => model::run(&config, &cmd),
        Command::Eval(args) => eval::run(&config, &args),
        Command::Export(args) => export::run(&config, &args),
        Command::Config(args) => config::run(&config, &args),
        Command::Completions(_) | Command::Man(_) => unreachable!("handled above"),
    }
}

/// Turns filter flags into [`Filters`], checking every value.
pub fn filters(args: &FilterArgs, today: Date) -> Result<Filters> {
    let since = args
        .since
        .as_deref()
        .map(|s| parse_bound(s, today))
        .transpose()
        .map_err(|e| anyhow::anyhow!("--since: {e}"))?;
    let until = args
        .until
        .as_deref()
        .map(|s| parse_bound(s, today))
        .transpose()
        .map_err(|e| anyhow::anyhow!("--until: {e}"))?;
    let mut kinds = Vec::new();
    for k in args.kind.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
        match Kind::parse(k) {
            Some(kind) => kinds.push(kind),
            None => {
                bail!("--kind: '{k}' is not a kind; use fact, action, decision, paragraph or row")
            }
        }
    }
    // `--kind ,` or `--kind ""` names no kind at all: an error like `--tag ""`, not a silent
    // "any kind" (a stray trailing comma, as in `fact,`, is forgiven).
    if !args.kind.is_empty() && kinds.is_empty() {
        bail!("--kind needs a value: fact, action, decision, paragraph or row");
    }
    for (flag, values) in [
        ("--tag", &args.tag),
        ("--account", &args.account),
        ("--participant", &args.participant),
        ("--path", &args.path),
        ("--passage-tag", &args.passage_tag),
        ("--owner", &args.owner),
    ] {
        if values.iter().any(|v| v.trim().is_empty()) {
            bail!("{flag} needs a value");
        }
    }
    let mut statuses = Vec::new();
    for s in args.status.iter().filter(|s| !s.trim().is_empty()) {
        match crate::note::task::parse_status(s) {
            Some(status) => statuses.push(status),
            None => bail!(
                "--status: '{s}' is not a status; use open, done, proposed, cancelled, or a checkbox character such as /"
            ),
        }
    }
    if !args.status.is_empty() && statuses.is_empty() {
        bail!("--status needs a value: open, done, proposed, cancelled");
    }
    let day = |flag: &str, value: &Option<String>| {
        value
            .as_deref()
            .map(|s| parse_bound(s, today))
            .transpose()
            .map_err(|e| anyhow::anyhow!("{flag}: {e}"))
    };
    Ok(Filters {
        tags: args.tag.clone(),
        accounts: args.account.clone(),
        participants: args.participant.clone(),
        since,
        until,
        kinds,
        paths: args.path.clone(),
        passage_tags: args.passage_tag.clone(),
        statuses,
        owners: args.owner.clone(),
        due_before: day("--due-before", &args.due_before)?,
        due_after: day("--due-after", &args.due_after)?,
        overdue: args.overdue.then_some(today),
        cwd: std::env::current_dir().ok(),
    })
}

/// The hidden `--scan` flag as the library's [`Scan`].
pub fn scan(arg: crate::cli::ScanArg) -> Scan {
    match arg {
        crate::cli::ScanArg::Auto => Scan::Auto,
        crate::cli::ScanArg::Exact => Scan::Exact,
        crate::cli::ScanArg::Compact => Scan::Compact,
    }
}
