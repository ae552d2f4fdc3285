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
    match &cli.command {
        Command::Completions(args) => return completions::run(args),
        Command::Man(args) => return man::run(args),
        _ => {}
    }
    let config = Config::resolve(&cli, &Env::from_process(), std::io::stdout().is_terminal())?;
    match cli.command {
        Command::Index(args) => index::run(&config, &args),
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
            None => bail!("--kind: '{k}' is not a kind; use fact, action, decision or paragraph"),
        }
    }
    // `--kind ,` or `--kind ""` names no kind at all: an error like `--tag ""`, not a silent
    // "any kind" (a stray trailing comma, as in `fact,`, is forgiven).
    if !args.kind.is_empty() && kinds.is_empty() {
        bail!("--kind needs a value: fact, action, decision or paragraph");
    }
    for (flag, values) in [
        ("--tag", &args.tag),
        ("--account", &args.account),
        ("--participant", &args.participant),
        ("--path", &args.path),
    ] {
        if values.iter().any(|v| v.trim().is_empty()) {
            bail!("{flag} needs a value");
        }
    }
    Ok(Filters {
        tags: args.tag.clone(),
        accounts: args.account.clone(),
        participants: args.participant.clone(),
        since,
        until,
        kinds,
        paths: args.path.clone(),
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
