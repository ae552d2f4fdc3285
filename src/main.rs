//! The `quarry` binary: parse the command line, run, print any error once, exit.

use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = quarry::cli::Cli::parse();
    let code = match quarry::cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                0
            } else {
                eprintln!("quarry: error: {err:#}");
                2
            }
        }
    };
    std::process::exit(code);
}
