//! Writes a deterministic synthetic vault for benchmarks.
//!
//! ```text
//! cargo run --release -p quarry-synth --bin gen_vault -- DIR N [--seed S]
//! ```
//!
//! The same `N` and `S` (default 42) give the same bytes on any machine. See the
//! `quarry_synth` crate doc for what the notes look like and which one is planted for tests.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use quarry_synth::{self as synth, SynthOptions};

const USAGE: &str = "usage: gen_vault DIR N [--seed S]

Writes N deterministic synthetic notes (Markdown with YAML frontmatter) under DIR.
  DIR         output folder (created if missing; existing notes with the same names are overwritten)
  N           number of notes, e.g. 10000 (underscores allowed: 100_000)
  --seed S    seed (default 42); the same N and S always give the same bytes";

fn parse_count(s: &str, what: &str) -> Result<u64, String> {
    s.replace('_', "")
        .parse::<u64>()
        .map_err(|_| format!("{what} must be a non-negative integer, got {s:?}"))
}

fn parse_args() -> Result<(PathBuf, usize, u64), String> {
    let mut positional = Vec::new();
    let mut seed = 42u64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "-h" | "--help" => return Err(String::new()),
            "--seed" => {
                let v = args.next().ok_or("--seed needs a value")?;
                seed = parse_count(&v, "--seed")?;
            }
            s if s.starts_with("--seed=") => seed = parse_count(&s["--seed=".len()..], "--seed")?,
            s if s.starts_with('-') && s.len() > 1 => return Err(format!("unknown option {s:?}")),
            _ => positional.push(a),
        }
    }
    match positional.as_slice() {
        [dir, n] => {
            let n = parse_count(n, "N")? as usize;
            Ok((PathBuf::from(dir), n, seed))
        }
        [] => Err("missing DIR and N".into()),
        [_] => Err("missing N (the number of notes)".into()),
        _ => Err(format!(
            "expected 2 arguments (DIR N), got {}",
            positional.len()
        )),
    }
}

fn main() -> ExitCode {
    let (dir, notes, seed) = match parse_args() {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("gen_vault: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    match synth::generate(&dir, &SynthOptions { notes, seed }) {
        Ok(stats) => {
            let secs = start.elapsed().as_secs_f64();
            // Write errors (a closed pipe, as in `gen_vault … | head -1`) are not our problem.
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "wrote {} notes to {} in {:.2}s ({:.1} MB, {:.0} notes/s, ~{} passages, avg {} bytes/note, seed {})",
                stats.notes,
                dir.display(),
                secs,
                stats.bytes as f64 / 1e6,
                stats.notes as f64 / secs.max(1e-9),
                stats.passages_estimate,
                stats.bytes / (stats.notes.max(1) as u64),
                seed
            );
            if notes > synth::PLANTED_INDEX {
                let _ = writeln!(
                    out,
                    "planted note (account {:?}, word {:?}): {}",
                    synth::PLANTED_ACCOUNT,
                    synth::PLANTED_WORD,
                    synth::planted_path(seed)
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_vault: {e}");
            ExitCode::from(2)
        }
    }
}
