//! One module per subcommand; each has a `run` that returns the exit status.

pub mod claims;
pub mod eval;
pub mod index;
pub mod model;
pub mod search;
pub mod stats;

use crate::cli::{Cli, ColorChoice, Command, FilterArgs};
use crate::date::{parse_bound, Date};
use crate::note::Kind;
use crate::search::Filters;
use anyhow::{bail, Result};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Resolved global settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Index folder (absolute).
    pub index_dir: PathBuf,
    /// Colour stdout.
    pub color: bool,
}

impl Config {
    /// Resolves flags and environment: `--index` > `QUARRY_INDEX` > `./index`; colour as
    /// `--color`, or on a terminal when `NO_COLOR` is unset or empty and `TERM` is not dumb.
    pub fn from_cli(cli: &Cli) -> Result<Config> {
        let index = cli
            .index
            .clone()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("index"));
        let index_dir = std::path::absolute(&index)?;
        let color = match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map_or(true, |t| t != "dumb")
            }
        };
        Ok(Config { index_dir, color })
    }
}

/// Runs the command; returns the exit status (0 found / done, 1 nothing found).
pub fn run(cli: Cli) -> Result<i32> {
    let config = Config::from_cli(&cli)?;
    match cli.command {
        Command::Index(args) => index::run(&config, &args),
        Command::Search(args) => search::run(&config, &args),
        Command::Stats(args) => stats::run(&config, &args),
        Command::Claims(args) => claims::run(&config, &args),
        Command::Model(cmd) => model::run(&config, &cmd),
        Command::Eval(args) => eval::run(&config, &args),
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
