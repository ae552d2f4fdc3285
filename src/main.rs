//! The `quarry` binary: parse the command line, run, print any error once, exit.

use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Loading the embedding model allocates ~90 MB; on 4 KiB pages the kernel spends most of
    // the load zeroing pages (perf: 77 % in clear_page_erms). Large OS pages (transparent
    // huge pages via madvise) cut a hybrid search's model load from ~65 ms to ~43 ms here.
    // MIMALLOC_LARGE_OS_PAGES in the environment still decides when it is set.
    if std::env::var_os("MIMALLOC_LARGE_OS_PAGES").is_none() {
        // SAFETY: sets a global mimalloc option before any large allocation; no other thread
        // exists yet.
        unsafe { libmimalloc_sys::mi_option_set(libmimalloc_sys::mi_option_large_os_pages, 1) };
    }
    let argv = quarry::args::prepare(std::env::args_os().collect());
    let cli = match quarry::cli::Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(err) => match quarry::args::search_tip(&err, &argv) {
            Some(tip) => {
                eprint!("{}", err.render());
                eprintln!("{tip}");
                std::process::exit(2);
            }
            None => err.exit(),
        },
    };
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
