//! `quarry man [SUBCOMMAND]`: the man page in roff, generated from the same clap types as the
//! parser.

use crate::cli::{Cli, ManArgs};
use anyhow::{bail, Result};
use clap::CommandFactory;
use std::io::Write;

/// Writes quarry's man page, or one subcommand's (`quarry-search(1)`), to stdout.
pub fn run(args: &ManArgs) -> Result<i32> {
    let mut cmd = Cli::command();
    cmd.build();
    let page = match &args.subcommand {
        None => cmd,
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name).cloned() else {
                let names: Vec<&str> = cmd
                    .get_subcommands()
                    .map(|s| s.get_name())
                    .filter(|n| *n != "help")
                    .collect();
                bail!("no subcommand '{name}'; one of: {}", names.join(", "));
            };
            // The page's title and synopsis read `quarry-search`, as man pages of subcommands do.
            // clap names are `&'static str`; the process prints one page and exits.
            let full: &'static str = Box::leak(format!("quarry-{}", sub.get_name()).into());
            sub.name(full).version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out)?;
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    lock.write_all(&out)?;
    lock.flush()?;
    Ok(0)
}
