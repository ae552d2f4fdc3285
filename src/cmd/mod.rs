//! One module per subcommand; each has a `run` that returns the exit status.

pub mod claims;
pub mod completions;
pub mod config;
pub mod eval;
pub mod export;
pub mod index;
pub mod man;
pub mod mcp;
pub mod model;
mod progress;
pub mod roots;
pub mod search;
pub mod stats;
pub mod watch;

pub use crate::config::Config;

use crate::cli::{Cli, Command, FilterArgs};
use crate::config::Env;
use crate::date::Date;
use crate::search::{FilterInput, Filters, Scan};
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
        Command::Watch(args) => watch::run(&config, &args),
        Command::Mcp(args) => mcp::run(&config, &args),
        Command::Completions(_) | Command::Man(_) => unreachable!("handled above"),
    }
}

/// Turns filter flags into [`Filters`], checking every value (through the library's
/// [`FilterInput`], which the MCP tools share).
pub fn filters(args: &FilterArgs, today: Date) -> Result<Filters> {
    let input = FilterInput {
        tags: args.tag.clone(),
        accounts: args.account.clone(),
        participants: args.participant.clone(),
        since: args.since.clone(),
        until: args.until.clone(),
        kinds: args.kind.clone(),
        paths: args.path.clone(),
        passage_tags: args.passage_tag.clone(),
        statuses: args.status.clone(),
        owners: args.owner.clone(),
        due_before: args.due_before.clone(),
        due_after: args.due_after.clone(),
        overdue: args.overdue,
        cwd: std::env::current_dir().ok(),
    };
    Ok(input.check(today)?)
}

/// The hidden `--scan` flag as the library's [`Scan`].
pub fn scan(arg: crate::cli::ScanArg) -> Scan {
    match arg {
        crate::cli::ScanArg::Auto => Scan::Auto,
        crate::cli::ScanArg::Exact => Scan::Exact,
        crate::cli::ScanArg::Compact => Scan::Compact,
    }
}
