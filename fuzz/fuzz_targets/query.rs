//! Fuzzes the query side: the query language, every filter flag value, and a real search
//! over a small index (built once per process with the deterministic fake embedder, so
//! lexical, semantic and hybrid modes all run).
//!
//! The input is text, one field per line (missing lines are absent flags):
//!
//! ```text
//! 0 query           4 --tag values, tab-separated
//! 1 --since         5 --account values, tab-separated
//! 2 --until         6 --path values, tab-separated
//! 3 --kind (a,b)    7 options: mode (l/s/h), sort (d), explain (e), limit digit
//! ```
//!
//! Promises checked: nothing panics; `parse_bound` either fails or gives a date that prints;
//! `query::plain` output always parses into plain words; a query that parses, with filters
//! that are accepted, fails only with a query error (a message for the user), never with an
//! index or internal error; hits render.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quarry::cli::FilterArgs;
use quarry::date::{parse_bound, Date};
use quarry::embed::{Embedder, FakeEmbedder};
use quarry::index::{self, Store, UpdateOptions};
use quarry::render::{write_json_line, Human, Style};
use quarry::search::{self, query, Mode, Request, SortBy};
use std::sync::OnceLock;

struct Fixture {
    store: Store,
    embedder: FakeEmbedder,
    vectors: index::vectors::VectorStore,
}

const NOTES: &[(&str, &str)] = &[
    (
        "Customers/2025-09-15 - CW sync.md",
        "---\naccount: CoreWeave\ntags: [type/customer, account/coreweave]\nparticipants: [Ana, Bo]\n---\n# CW sync\n\n## Action Items\n\n- [ ] send storage sizing to CoreWeave\n- [x] booked storage lab\n\n## Decisions\n\n- go with the 40 PB plan\n  - because GPUs are scarce\n\n## Key Information\n\n- storage cluster grows to 40 PB #capacity\n\nMicrosoft’s capacity scramble café naïve.\n",
    ),
    (
        "Competitors/DDN.md",
        "---\ntitle: DDN\ndate: 2024-02-29\ntags: competitor/ddn\naliases: [DataDirect Networks]\n---\n- DDN claims 1 TB/s throughput\n- checkpoint stalls at [[Lambda]]\n",
    ),
    ("undated.txt", "plain paragraph about İstanbul and ⑴ numbers\n"),
];

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let base = std::env::temp_dir().join(format!("quarry-fuzz-query-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let notes = base.join("notes");
        for (rel, text) in NOTES {
            let path = notes.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        let embedder = FakeEmbedder::new();
        let opts = UpdateOptions {
            index_dir: base.join("index"),
            roots: vec![notes],
            remove_roots: Vec::new(),
            rebuild: false,
            max_file_bytes: index::DEFAULT_MAX_FILE_BYTES,
            threads: 1,
        };
        index::update(
            &opts,
            Some(&embedder as &dyn Embedder),
            &|_, _| {},
            &|_, _, _| {},
        )
        .expect("build the fuzz index");
        let store = Store::open(&base.join("index")).expect("open the fuzz index");
        let vectors = store.vectors().expect("vectors");
        Fixture {
            store,
            embedder,
            vectors,
        }
    })
}

fn list(line: Option<&str>) -> Vec<String> {
    line.filter(|l| !l.is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let lines: Vec<&str> = input.split('\n').collect();
    let line = |i: usize| lines.get(i).copied();
    let q = line(0).unwrap_or("");
    let today = Date::from_ymd(2025, 11, 15).unwrap();

    // Dates: any text either fails or is a printable day.
    for s in [Some(q), line(1), line(2)].into_iter().flatten() {
        if let Ok(d) = parse_bound(s, today) {
            let _ = d.to_string();
        }
        if let Some(d) = Date::parse_prefix(s) {
            assert!(d.to_string().len() >= 10);
        }
    }

    // `plain` strips all syntax, so its output always parses into plain words.
    let plain = query::plain(q);
    let clauses = query::parse(&plain).expect("plain text must parse");
    assert!(clauses
        .iter()
        .all(|c| c.occur == query::Occur::Should && !c.prefix));

    let parsed = query::parse(q);
    let _ = quarry::render::highlight::highlight_terms(q);

    let args = FilterArgs {
        tag: list(line(4)),
        account: list(line(5)),
        participant: Vec::new(),
        since: line(1).filter(|l| !l.is_empty()).map(str::to_string),
        until: line(2).filter(|l| !l.is_empty()).map(str::to_string),
        kind: line(3)
            .filter(|l| !l.is_empty())
            .map(|l| l.split(',').map(str::to_string).collect())
            .unwrap_or_default(),
        path: list(line(6)),
    };
    let Ok(filters) = quarry::cmd::filters(&args, today) else {
        return;
    };
    let opts = line(7).unwrap_or("");
    let mode = if opts.contains('s') {
        Mode::Semantic
    } else if opts.contains('h') {
        Mode::Hybrid
    } else {
        Mode::Lexical
    };
    let limit = opts
        .chars()
        .find_map(|c| c.to_digit(10))
        .map_or(10, |d| d as usize + 1);
    let f = fixture();
    let req = Request {
        query: q.to_string(),
        filters,
        limit,
        mode,
        sort: if opts.contains('d') {
            SortBy::Date
        } else {
            SortBy::Score
        },
        floor: if opts.contains('0') { -1.0 } else { 0.3 },
        fusion: search::FusionParams::default(),
    };
    let embed = search::embedder_fn(&f.embedder);
    let parts = search::SemanticParts::embedding_with(&embed, &f.vectors);
    match search::run(&f.store, &req, Some(&parts), opts.contains('e')) {
        Ok(hits) => {
            assert!(parsed.is_ok(), "a query that does not parse found hits");
            assert!(hits.len() <= limit);
            let (terms, prefixes) = quarry::render::highlight::highlight_terms(q);
            // Grouped or in blocks, wrapped narrow, with context lines from the note files.
            let printer = Human {
                style: Style { color: true },
                terms,
                prefixes,
                explain: true,
                width: Some(24),
                group: opts.contains('d'),
                before: 1,
                after: 1,
                hyperlinks: true,
                ..Human::default()
            };
            let mut out = Vec::new();
            printer.write(&mut out, &hits).unwrap();
            for h in &hits {
                write_json_line(&mut out, h).unwrap();
            }
        }
        Err(quarry::Error::Query(_)) => {}
        Err(e) => panic!("query {q:?} with {args:?} failed with a non-query error: {e}"),
    }
});
