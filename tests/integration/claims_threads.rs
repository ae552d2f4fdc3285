//! `quarry claims` v2 on `tests/fixtures/claims-v2-vault/`: five timelines (Acme Storage,
//! Kestrel Cloud, Orca Systems, Nimbus AI, Zenith Power), each with a running log note
//! (dated bullets, dated headings), restatements that carry extra numbers, a revised
//! number, an unrelated dimension and a claim stated with units only.
//!
//! Claim dates, threads, `latest`, `change`, folding, `--about` by dimension, `--latest`,
//! `--format md` citations, `--explain`, attribution and entity names.

use crate::claims::{also, by_thread, claims, everywhere, heads, loc, Entry, Known};
use crate::util::{copy_dir, repo_root, TestEnv};
use std::sync::OnceLock;

const ACME: &str = "Competitors/Acme Storage.md";
const KESTREL: &str = "Competitors/Kestrel Cloud.md";
const ORCA: &str = "Competitors/Orca Systems.md";
const NIMBUS: &str = "Accounts/Nimbus AI.md";
const ZENITH: &str = "Competitors/Zenith Power.md";

/// The vault indexed once without embeddings (read-only tests share it).
fn vault() -> &'static TestEnv {
    static ENV: OnceLock<TestEnv> = OnceLock::new();
    ENV.get_or_init(|| {
        let env = TestEnv::new();
        copy_dir(
            &repo_root().join("tests/fixtures/claims-v2-vault"),
            &env.notes(),
        );
        env.index_notes();
        env
    })
}

fn at<'a>(entries: &'a [Entry], path: &str, line: u64) -> &'a Entry {
    entries
        .iter()
        .find(|e| e.path == path && e.line == line)
        .unwrap_or_else(|| panic!("{path}:{line} is no headline: {:#?}", heads(entries)))
}

#[test]
fn log_bullets_and_dated_headings_date_their_claims() {
    let env = vault();
    let acme = claims(env, &["Acme"]);
    // (entry, claim date, note date): a leading date, a dated heading, a month name.
    for (line, date) in [
        (21, "2024-11"),    // - 2024-11 (SC24 trade show): …
        (22, "2025-01-15"), // - 2025-01-15: …
        (23, "2025-03"),    // - Mar 2025 - …
        (27, "2025-06"),    // under ### 2025-06 - Relaunch
        (32, "2025-09"),    // under ### 2025-09 - Lambda long run
    ] {
        let e = at(&acme, ACME, line);
        assert_eq!(e.date.as_deref(), Some(date), "{ACME}:{line}");
        assert_eq!(e.note_date.as_deref(), Some("2025-12-01"), "{ACME}:{line}");
    }
    // A passage with no date of its own keeps its note's.
    let deal = at(&acme, "Deals/2025-02-03 - Lambda renewal deal desk.md", 20);
    assert_eq!(deal.date.as_deref(), Some("2025-02-03"));
    // Quarter headings, `Q1 2025` headings, `Jun 2025` bullets.
    let kestrel = claims(env, &["Kestrel"]);
    assert_eq!(at(&kestrel, KESTREL, 19).date.as_deref(), Some("2025-Q1"));
    assert_eq!(at(&kestrel, KESTREL, 24).date.as_deref(), Some("2025-Q3"));
    let nimbus = claims(env, &["Nimbus AI"]);
    assert_eq!(at(&nimbus, NIMBUS, 21).date.as_deref(), Some("2025-Q1"));
    let orca = claims(env, &["Orca"]);
    assert_eq!(at(&orca, ORCA, 20).date.as_deref(), Some("2025-06"));
    // Month precision sorts among days at its start: the log's "2024-11" heads the call of
    // 2024-11-19 that restates it.
    let per_node = at(&acme, ACME, 21);
    assert_eq!(
        also(per_node)[0],
        "Calls/2024-11-19 - Lambda storage sync.md:22"
    );
}

#[test]
fn since_and_until_apply_to_the_claim_date() {
    let env = vault();
    // Every log bullet's note is dated 2025-12-01, so a note-date filter would keep them
    // all for --since and drop them all for --until.
    let since = everywhere(&claims(env, &["Acme", "--since", "2025-06-01"]));
    assert!(
        since.contains(&loc(ACME, 27)) && since.contains(&loc(ACME, 32)),
        "{since:?}"
    );
    for gone in [21, 22, 23] {
        assert!(!since.contains(&loc(ACME, gone)), "{gone}: {since:?}");
    }
    let until = everywhere(&claims(env, &["Acme", "--until", "2025-03-31"]));
    for kept in [21, 22, 23] {
        assert!(until.contains(&loc(ACME, kept)), "{kept}: {until:?}");
    }
    assert!(!until.contains(&loc(ACME, 27)), "{until:?}");
    // A month passes when any of its days does.
    let mid_march = everywhere(&claims(env, &["Acme", "--since", "2025-03-15"]));
    assert!(mid_march.contains(&loc(ACME, 23)), "{mid_march:?}");
    let out = env.run(&[
        "claims",
        "Acme",
        "--since",
        "2025-06-01",
        "--until",
        "2025-01-01",
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("is after --until"), "{}", out.stderr);
}

/// An entry as compared below: `path:line`, latest, (change from, from date, direction).
type Shown = (String, bool, Option<(String, String, String)>);

/// (entity, thread, [(headline, latest, change from, direction)]) for the thread with the
/// revised number of each timeline.
#[test]
fn each_timeline_has_a_thread_with_its_changes_and_latest() {
    type Row = (
        &'static str,
        u64,
        bool,
        Option<(&'static str, &'static str, &'static str)>,
    );
    let cases: [(&str, &str, &str, Vec<Row>); 5] = [
        (
            "Acme",
            "Acme Storage · throughput · sustained read",
            ACME,
            vec![
                (ACME, 23, false, None),
                (ACME, 27, false, Some(("over 2 TB/s", "2025-03", "down"))),
                (ACME, 32, true, Some(("1.2 TB/s", "2025-06", "down"))),
            ],
        ),
        (
            "Kestrel",
            "Kestrel Cloud · unit price per GPU-hour",
            KESTREL,
            vec![
                (KESTREL, 20, false, None),
                (
                    KESTREL,
                    26,
                    true,
                    Some(("$2.10 per GPU-hour", "2025-Q1", "down")),
                ),
            ],
        ),
        (
            "Orca",
            "Orca · capacity",
            ORCA,
            vec![
                (ORCA, 19, false, None),
                (
                    ORCA,
                    20,
                    true,
                    Some(("several hundred PB", "2025-05-19", "up")),
                ),
            ],
        ),
        (
            "Nimbus AI",
            "Nimbus AI · latency",
            NIMBUS,
            vec![
                (NIMBUS, 21, false, None),
                (NIMBUS, 25, true, Some(("0.7 s", "2025-Q1", "down"))),
            ],
        ),
        (
            "Zenith",
            "Zenith · power",
            ZENITH,
            vec![
                (ZENITH, 18, false, None),
                (ZENITH, 22, true, Some(("1.6 GW", "2025-02-10", "down"))),
            ],
        ),
    ];
    for (entity, thread, _, rows) in cases {
        let entries = claims(vault(), &[entity]);
        let members: Vec<&Entry> = entries.iter().filter(|e| e.thread == thread).collect();
        let got: Vec<Shown> = members
            .iter()
            .map(|e| {
                (
                    loc(&e.path, e.line),
                    e.latest,
                    e.change.as_ref().map(|c| {
                        (
                            c.from.clone(),
                            c.from_date.clone().unwrap_or_default(),
                            c.direction.clone(),
                        )
                    }),
                )
            })
            .collect();
        let want: Vec<Shown> = rows
            .iter()
            .map(|(p, l, latest, ch)| {
                (
                    loc(p, *l),
                    *latest,
                    ch.map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())),
                )
            })
            .collect();
        assert_eq!(got, want, "{entity}: {:#?}", by_thread(&entries));
        // Exactly one latest per thread; statements have none.
        for (name, locs) in by_thread(&entries) {
            let latest = entries
                .iter()
                .filter(|e| e.thread == name && e.latest)
                .count();
            let want = usize::from(!name.ends_with("· statements"));
            assert_eq!(latest, want, "{name}: {locs:?}");
        }
    }
}

#[test]
fn restatements_with_extra_numbers_fold_and_changed_values_do_not() {
    let env = vault();
    let acme = claims(env, &["Acme"]);
    // The call adds "2U", the mangled note (broken YAML, mojibake) says it again, the debrief
    // adds "20-node", "2U" and "Q3", the QBR adds "20-node" and "2-rack".
    assert_eq!(
        also(at(&acme, ACME, 21)),
        [
            "Calls/2024-11-19 - Lambda storage sync.md:22",
            "Broken/2025-05-05 - mangled export.md:8"
        ]
    );
    assert_eq!(
        also(at(&acme, ACME, 23)),
        ["Meetings/2025-03-20 - GTC booth debrief.md:23"]
    );
    assert_eq!(
        also(at(&acme, ACME, 27)),
        ["Meetings/2025-07-10 - Lambda Q2 QBR recap.md:20"]
    );
    assert!(at(&acme, ACME, 32).also.is_empty());
    for (entity, head, restated) in [
        (
            "Kestrel",
            loc(KESTREL, 24),
            "Calls/2025-08-05 - Kestrel QBR.md:20",
        ),
        (
            "Orca",
            loc(ORCA, 18),
            "Meetings/2025-03-11 - Nimbus bake-off readout.md:19",
        ),
        (
            "Nimbus AI",
            loc(NIMBUS, 25),
            "Calls/2025-08-21 - Nimbus inference review.md:19",
        ),
        (
            "Zenith",
            loc(ZENITH, 18),
            "Meetings/2025-03-04 - Power procurement sync.md:18",
        ),
    ] {
        let entries = claims(env, &[entity]);
        let e = entries
            .iter()
            .find(|e| loc(&e.path, e.line) == head)
            .unwrap_or_else(|| panic!("{head}: {:#?}", heads(&entries)));
        assert_eq!(also(e), [restated], "{entity}");
    }
}

#[test]
fn explain_says_why_passages_folded_or_not() {
    let env = vault();
    let acme = claims(env, &["Acme", "--explain"]);
    let relaunch = at(&acme, ACME, 27).explain.clone().expect("--explain");
    let want = [
        "dated 2025-06 by its heading \"2025-06 - Relaunch\"",
        "not folded into Competitors/Acme Storage.md:23: over 2 TB/s (2,000 GB/s) there, 1.2 TB/s (1,200 GB/s) here",
        "folded: Meetings/2025-07-10 - Lambda Q2 QBR recap.md:20 states 1.2 TB/s (1,200 GB/s), the same as Competitors/Acme Storage.md:27",
    ];
    for w in want {
        assert!(
            relaunch.iter().any(|x| x == w),
            "{w:?} missing from {relaunch:#?}"
        );
    }
    let booth = at(&acme, ACME, 23).explain.clone().unwrap();
    assert!(
        booth
            .iter()
            .any(|x| x.contains("one thread names that and more: sustained read")),
        "{booth:#?}"
    );
    // Without --explain there is no explain field.
    assert!(claims(env, &["Acme"]).iter().all(|e| e.explain.is_none()));
    let human = env.ok(&["claims", "Acme", "--explain"], 0).stdout;
    assert!(
        human.contains("why: dated 2024-11 by the date that starts it"),
        "{human}"
    );
}

#[test]
fn about_matches_a_claim_stated_with_units_only() {
    let env = vault();
    let entries = claims(env, &["Acme", "--about", "read throughput"]);
    let booth = at(&entries, ACME, 23);
    // Neither "read" nor "throughput" is in it: the unit says it is a throughput.
    assert!(!booth.text.contains("read") && !booth.text.contains("throughput"));
    assert_eq!(booth.thread, "Acme Storage · throughput · sustained read");
    let all = everywhere(&entries);
    for kept in [21, 27, 32] {
        assert!(all.contains(&loc(ACME, kept)), "{kept}: {all:?}");
    }
    // Prices, the discount and the capacity claim are about other things.
    for gone in [22, 28, 33] {
        assert!(!all.contains(&loc(ACME, gone)), "{gone}: {all:?}");
    }
    assert!(!all.iter().any(|p| p.starts_with("Deals/")), "{all:?}");
}

#[test]
fn a_pricing_topic_takes_prices_and_discounts_not_capacity() {
    let env = vault();
    for topic in ["pricing", "cost"] {
        let entries = claims(env, &["Acme", "--about", topic]);
        let all = everywhere(&entries);
        for kept in [loc(ACME, 22), loc(ACME, 33)] {
            assert!(all.contains(&kept), "{topic}: {kept} missing from {all:?}");
        }
        assert!(
            all.contains(&"Deals/2025-02-03 - Lambda renewal deal desk.md:20".to_string()),
            "{topic}: the discount is pricing: {all:?}"
        );
        // "Their cost-optimised archive tier now holds 650 PB": capacity, not pricing.
        assert!(!all.contains(&loc(ACME, 28)), "{topic}: {all:?}");
        assert!(entries
            .iter()
            .all(|e| !e.thread.contains("capacity") && !e.thread.contains("throughput")));
    }
    let zenith = claims(env, &["Zenith", "--about", "price"]);
    let threads: Vec<String> = by_thread(&zenith).into_iter().map(|(t, _)| t).collect();
    assert_eq!(threads, ["Zenith · money", "Zenith · percent · discount"]);
}

#[test]
fn latest_prints_the_newest_claim_of_each_thread() {
    let env = vault();
    let all = claims(env, &["Acme"]);
    let latest = claims(env, &["Acme", "--latest"]);
    let threads: Vec<String> = by_thread(&all)
        .into_iter()
        .map(|(t, _)| t)
        .filter(|t| !t.ends_with("statements"))
        .collect();
    assert_eq!(latest.len(), threads.len());
    assert!(latest.iter().all(|e| e.latest));
    let got: Vec<&str> = latest.iter().map(|e| e.thread.as_str()).collect();
    assert_eq!(got, threads);
    let sustained = latest
        .iter()
        .find(|e| e.thread == "Acme Storage · throughput · sustained read")
        .unwrap();
    assert_eq!(loc(&sustained.path, sustained.line), loc(ACME, 32));
    assert_eq!(sustained.change.as_ref().unwrap().from, "1.2 TB/s");
    let human = env.ok(&["claims", "Acme", "--latest"], 0).stdout;
    assert!(
        human.contains("latest · 1.2 TB/s → 900 GB/s, down, 3 months later"),
        "{human}"
    );
}

#[test]
fn markdown_brief_cites_every_claim() {
    let env = vault();
    let md = env
        .ok(
            &[
                "claims",
                "Acme",
                "--about",
                "read throughput",
                "--format",
                "md",
            ],
            0,
        )
        .stdout;
    let want = [
        "# Acme Storage: claims about read throughput\n",
        "\n## Acme Storage · throughput · sustained read\n\n**Latest: 900 GB/s, 2025-09** (down from 1.2 TB/s (2025-06)) `Competitors/Acme Storage.md:32`\n",
        "\n- 2025-03: Mar 2025 - booth slide at GTC claimed over 2 TB/s for a 20-node cluster. `Competitors/Acme Storage.md:23`; also `Meetings/2025-03-20 - GTC booth debrief.md:23`\n",
        "\n- 2025-06: AcmeFS 5 relaunch deck: 1.2 TB/s sustained read on the same 20 nodes. `Competitors/Acme Storage.md:27`; also `Meetings/2025-07-10 - Lambda Q2 QBR recap.md:20`\n",
        "\n- **2025-09 (latest)**: After Lambda's 24-hour soak test, Acme conceded 900 GB/s sustained read throughput on 20 nodes. `Competitors/Acme Storage.md:32`\n",
        "\n## Acme Storage · throughput per node\n",
    ];
    for w in want {
        assert!(md.contains(w), "{w:?} missing from\n{md}");
    }
    // Every headline of the JSON answer is cited in the brief.
    for h in heads(&claims(env, &["Acme", "--about", "read throughput"])) {
        assert!(md.contains(&format!("`{h}`")), "{h} not cited:\n{md}");
    }
}

#[test]
fn every_entry_says_who_and_where() {
    let env = vault();
    let acme = claims(env, &["Acme"]);
    let deal = at(&acme, "Deals/2025-02-03 - Lambda renewal deal desk.md", 20);
    assert_eq!(deal.title, "Lambda renewal deal desk");
    assert_eq!(deal.participants, ["Dana Ruiz", "Myself"]);
    assert_eq!(deal.source.as_deref(), Some("manual"));
    assert_eq!(deal.section, "Key Information");
    assert_eq!(deal.thread, "Acme Storage · percent · discount");
    let q = &deal.quantities[0];
    assert_eq!((q.value, q.high), (35.0, Some(40.0)));
    assert_eq!((q.unit.as_str(), q.dimension.as_str()), ("%", "percent"));
    assert_eq!(&deal.text[q.span[0]..q.span[1]], q.text);
    let booth = at(&acme, ACME, 23);
    let shown: Vec<(&str, f64, &str, &str, Option<&str>)> = booth
        .quantities
        .iter()
        .map(|q| {
            (
                q.text.as_str(),
                q.value,
                q.unit.as_str(),
                q.dimension.as_str(),
                q.qualifier.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("over 2 TB/s", 2000.0, "GB/s", "throughput", Some("over")),
            ("20-node", 20.0, "node", "count", None)
        ]
    );
    for e in &acme {
        assert!(
            !e.title.is_empty() && e.line > 0 && !e.path.is_empty(),
            "{e:?}"
        );
    }
    let human = env.ok(&["claims", "Acme"], 0).stdout;
    assert!(
        human.contains("Lambda renewal deal desk · with Dana Ruiz, Myself · manual · Deals/2025-02-03 - Lambda renewal deal desk.md:20"),
        "{human}"
    );
}

#[test]
fn every_name_of_an_entity_gives_one_timeline() {
    let env = vault();
    // The asked name, entities.toml's names (ticker too), the page's alias, another spelling.
    let acme = claims(env, &["Acme Storage"]);
    assert!(acme.iter().all(|e| e.thread.starts_with("Acme Storage · ")));
    for name in ["Acme", "ACMS", "AcmeFS", "acme-storage"] {
        assert_eq!(claims(env, &[name]), acme, "{name}");
    }
    let kestrel = claims(env, &["Kestrel Cloud"]);
    assert_eq!(claims(env, &["KSTL"]), kestrel);
    // The QBR only says "KSTL": the ticker from entities.toml brings it in.
    assert!(everywhere(&kestrel).contains(&"Calls/2025-08-05 - Kestrel QBR.md:20".to_string()));
}

#[test]
fn entities_toml_beside_the_config_file_and_bad_files() {
    let env = TestEnv::new();
    copy_dir(
        &repo_root().join("tests/fixtures/claims-v2-vault/Competitors"),
        &env.notes().join("Competitors"),
    );
    env.index_notes();
    // No entities.toml in this vault: the ticker is unknown.
    assert_eq!(env.run(&["claims", "ZPWR"]).code, 1);
    let conf = env.config_home().join("quarry");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(conf.join("config.toml"), "limit = 5\n").unwrap();
    std::fs::write(
        conf.join("entities.toml"),
        "\"Zenith Power\" = [\"ZPWR\", \"Zenith\"]\n",
    )
    .unwrap();
    let z = claims(&env, &["ZPWR"]);
    assert!(everywhere(&z).contains(&loc(ZENITH, 22)), "{z:#?}");
    assert!(z.iter().all(|e| e.thread.starts_with("Zenith Power · ")));
    // A broken file is an error naming the file and line.
    std::fs::write(
        env.notes().join("entities.toml"),
        "DDN = [\"DataDirect\"]\nAcme = \"Acme Storage\"\n",
    )
    .unwrap();
    let out = env.run(&["claims", "Acme"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("entities.toml:2"), "{}", out.stderr);
    assert!(out.stderr.starts_with("quarry: "), "{}", out.stderr);
}

#[test]
fn the_entity_list_merges_the_names_of_entities_toml() {
    let env = TestEnv::new();
    copy_dir(
        &repo_root().join("tests/fixtures/claims-v2-vault"),
        &env.notes(),
    );
    env.write(
        "Notes/2025-09-01 - Pipeline.md",
        "- Ask [[KSTL]] and [[Acme]] for their renewal pricing.\n",
    );
    env.index_notes();
    let known: Vec<Known> = env.ok(&["claims", "--json"], 0).json();
    let names: Vec<&str> = known.iter().map(|k| k.name.as_str()).collect();
    assert!(
        !names.contains(&"KSTL") && !names.contains(&"Acme"),
        "{names:?}"
    );
    let kestrel = known.iter().find(|k| k.name == "Kestrel Cloud").unwrap();
    assert_eq!(kestrel.sources, ["account", "link", "tag"]);
    let acme = known.iter().find(|k| k.name == "Acme Storage").unwrap();
    assert_eq!(acme.sources, ["link", "page"]);
}

#[test]
fn human_threads_snapshot() {
    let env = vault();
    let out = env.ok(&["claims", "Acme", "--color", "never"], 0);
    insta::assert_snapshot!("claims_v2_acme_threads", out.stdout);
}

/// With the real model: meaning widens `--about`, and the topic's dimensions keep the
/// pricing topic off the capacity claim whatever its embedding says.
#[test]
fn semantic_about_keeps_its_precision() {
    let env = TestEnv::new();
    copy_dir(
        &repo_root().join("tests/fixtures/claims-v2-vault"),
        &env.notes(),
    );
    let out = env.ok(&["index", env.notes().to_str().unwrap(), "--json"], 0);
    let s: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert!(
        s["embedded"].as_u64().unwrap_or(0) > 40,
        "the embedding model must be installed (run `quarry model install`): {}",
        out.stdout
    );
    // "cost" also matches "cost-optimised" by its words: the dimension keeps it out.
    for topic in ["pricing", "cost"] {
        let pricing = claims(&env, &["Acme", "--about", topic]);
        let all = everywhere(&pricing);
        assert!(
            all.contains(&loc(ACME, 22)) && all.contains(&loc(ACME, 33)),
            "{topic}: {all:?}"
        );
        assert!(!all.contains(&loc(ACME, 28)), "{topic}: {all:?}");
        assert!(pricing
            .iter()
            .all(|e| !e.thread.contains("capacity") && !e.thread.contains("throughput")));
    }
    let throughput = everywhere(&claims(&env, &["Acme", "--about", "read throughput"]));
    assert!(throughput.contains(&loc(ACME, 23)), "{throughput:?}");
    assert!(!throughput.contains(&loc(ACME, 28)), "{throughput:?}");
}
