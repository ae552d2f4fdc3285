//! The command line before and after clap: two mistakes people make with search queries that
//! start with `-` (the exclusion syntax), mended or explained.
//!
//! * `quarry search -- WEKA -lambda -n 1`: after `--` every word is a query word, so `-n 1`
//!   was searched for. Options of `search` written after `--` (exactly as clap knows them,
//!   `-n`, `--limit`, `--limit=1`, `--json`) are moved before it, with their values.
//! * `quarry search WEKA -pricing`: clap reads `-pricing` as the options `-p -r …` and fails
//!   on `-p`. The error now says to quote the query or put it after `--`.

use clap::CommandFactory;
use std::ffi::OsString;

/// Where the subcommand is in `argv` (after the global options), and its name.
fn subcommand(argv: &[OsString]) -> Option<(usize, String)> {
    let mut i = 1;
    while let Some(word) = argv.get(i).and_then(|w| w.to_str()) {
        match word {
            "--index" | "--color" => i += 2,
            w if w.starts_with("--index=") || w.starts_with("--color=") => i += 1,
            "--no-config" => i += 1,
            w if w.starts_with('-') => return None,
            w => return Some((i, w.to_string())),
        }
    }
    None
}

/// Moves the options of `quarry search` that follow `--` in front of it (see the module doc).
pub fn prepare(argv: Vec<OsString>) -> Vec<OsString> {
    let Some((at, name)) = subcommand(&argv) else {
        return argv;
    };
    if name != "search" {
        return argv;
    }
    let Some(dashes) = argv[at..].iter().position(|w| w == "--").map(|p| p + at) else {
        return argv;
    };
    let cmd = crate::cli::Cli::command();
    let Some(search) = cmd.find_subcommand("search") else {
        return argv;
    };
    // Each option: does it take a value?
    let option = |word: &str| -> Option<bool> {
        search.get_arguments().find_map(|a| {
            let takes = a.get_action().takes_values();
            let long = a.get_long().map(|l| format!("--{l}"));
            let short = a.get_short().map(|s| format!("-{s}"));
            if long.as_deref() == Some(word) || short.as_deref() == Some(word) {
                Some(takes)
            } else if long.is_some_and(|l| takes && word.starts_with(&format!("{l}="))) {
                Some(false)
            } else {
                None
            }
        })
    };
    let mut moved = Vec::new();
    let mut query = Vec::new();
    let mut rest = argv[dashes + 1..].iter();
    while let Some(word) = rest.next() {
        match word.to_str().and_then(option) {
            Some(takes_value) => {
                moved.push(word.clone());
                if takes_value {
                    moved.extend(rest.next().cloned());
                }
            }
            None => query.push(word.clone()),
        }
    }
    let mut out: Vec<OsString> = argv[..dashes].to_vec();
    out.extend(moved);
    out.push("--".into());
    out.extend(query);
    out
}

/// The tip added to clap's error for an unknown option of `quarry search`: a query word
/// that starts with `-` excludes, and must not look like an option.
pub fn search_tip(err: &clap::Error, argv: &[OsString]) -> Option<&'static str> {
    let search = subcommand(argv).is_some_and(|(_, n)| n == "search");
    (search && err.kind() == clap::error::ErrorKind::UnknownArgument).then_some(
        "quarry: a query word starting with '-' excludes that word; quote the whole query \
         (quarry search 'WEKA -pricing') or put it after -- (quarry search -- WEKA -pricing)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn words(s: &str) -> Vec<OsString> {
        s.split(' ').map(OsString::from).collect()
    }

    #[test]
    fn options_after_dashes_move_in_front() {
        assert_eq!(
            prepare(words("quarry search -- WEKA -lambda -n 1 --json")),
            words("quarry search -n 1 --json -- WEKA -lambda")
        );
        assert_eq!(
            prepare(words(
                "quarry --index x search --mode lexical -- a --limit=2 -b"
            )),
            words("quarry --index x search --mode lexical --limit=2 -- a -b")
        );
        // Nothing to move, or not a search.
        for same in [
            "quarry search -- WEKA -lambda",
            "quarry search WEKA -n 1",
            "quarry claims -- x -n 1",
        ] {
            assert_eq!(prepare(words(same)), words(same));
        }
        let cli =
            crate::cli::Cli::try_parse_from(prepare(words("quarry search -- WEKA -lambda -n 1")))
                .unwrap();
        match cli.command {
            crate::cli::Command::Search(a) => {
                assert_eq!(a.query, vec!["WEKA", "-lambda"]);
                assert_eq!(a.limit, Some(1));
            }
            _ => panic!("not a search"),
        }
    }

    #[test]
    fn an_exclusion_read_as_an_option_gets_a_tip() {
        let argv = words("quarry search WEKA -pricing");
        let err = crate::cli::Cli::try_parse_from(prepare(argv.clone())).unwrap_err();
        assert!(search_tip(&err, &argv)
            .unwrap()
            .contains("quote the whole query"));
        let other = words("quarry stats -x");
        let err = crate::cli::Cli::try_parse_from(other.clone()).unwrap_err();
        assert_eq!(search_tip(&err, &other), None);
    }
}
