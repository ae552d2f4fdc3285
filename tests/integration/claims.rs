//! `quarry claims` on `tests/fixtures/claims-vault/` (entity Hammerspace) and on
//! `sample-vault/` (entity DDN): which passages belong to an entity, folding, filters,
//! order, output. See tests/fixtures/SAMPLE-VAULT.md §4 and §5 for what each passage is
//! for. Dates, threads and changes on the log-style vault: `claims_threads.rs`.

use crate::util::{copy_dir, repo_root, TestEnv};

/// The JSON object per entry, as documented in the README (decoded independently of the
/// library's types, so a renamed or added field fails here).
#[derive(Debug, Clone, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub date: Option<String>,
    pub note_date: Option<String>,
    pub path: String,
    pub line: u64,
    pub title: String,
    pub participants: Vec<String>,
    pub source: Option<String>,
    pub section: String,
    pub kind: String,
    pub text: String,
    pub quantities: Vec<Quantity>,
    pub thread: String,
    pub latest: bool,
    pub change: Option<Change>,
    pub also: Vec<Seen>,
    #[serde(default)]
    pub explain: Option<Vec<String>>,
}

#[derive(Debug, Clone, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Quantity {
    pub text: String,
    pub value: f64,
    pub high: Option<f64>,
    pub unit: String,
    pub dimension: String,
    pub qualifier: Option<String>,
    pub span: [usize; 2],
}

#[derive(Debug, Clone, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub from: String,
    pub from_date: Option<String>,
    pub direction: String,
}

#[derive(Debug, Clone, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Seen {
    pub date: Option<String>,
    pub note_date: Option<String>,
    pub path: String,
    pub line: u64,
    pub title: String,
}

#[derive(Debug, Clone, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Known {
    pub name: String,
    pub passages: u64,
    pub sources: Vec<String>,
}

const A: &str = "Calls/2025-02-04 - Acme Robotics storage call.md:15";
const B: &str = "Competitors/Hammerspace.md:20";
const C: &str = "Calls/2025-04-15 - Acme Robotics QBR recap.md:15";
const D: &str = "Calls/2025-06-02 - Acme Robotics retest results.md:15";
const E: &str = "Calls/2025-07-08 - Deal desk.md:15";
const PARTNER: &str = "Calls/2025-05-20 - Partner sync.md:15";
const PAGE_24: &str = "Competitors/Hammerspace.md:24";
const LOOSE_NAME: &str = "Notes/Loose thoughts.md:10";
const LOOSE_ALIAS: &str = "Notes/Loose thoughts.md:11";
const LAB: &str = "Notes/2025-05-01 - Lab standup.md";

fn claims_vault() -> TestEnv {
    let env = TestEnv::new();
    copy_dir(
        &repo_root().join("tests/fixtures/claims-vault"),
        &env.notes(),
    );
    env.index_notes();
    env
}

/// Runs `quarry claims … --json` and decodes it; exit status must be 0 or 1.
pub fn claims(env: &TestEnv, args: &[&str]) -> Vec<Entry> {
    let mut all = vec!["claims", "--json"];
    all.extend_from_slice(args);
    let out = env.run(&all);
    assert!(
        out.code == 0 || out.code == 1,
        "quarry {all:?} exited {}: {}",
        out.code,
        out.stderr
    );
    assert_eq!(
        out.code == 0,
        !out.stdout.is_empty(),
        "exit status vs output"
    );
    out.json()
}

pub fn loc(path: &str, line: u64) -> String {
    format!("{path}:{line}")
}

pub fn heads(entries: &[Entry]) -> Vec<String> {
    entries.iter().map(|e| loc(&e.path, e.line)).collect()
}

pub fn also(e: &Entry) -> Vec<String> {
    e.also.iter().map(|s| loc(&s.path, s.line)).collect()
}

/// Every passage location of the answer, headlines and folded ones.
pub fn everywhere(entries: &[Entry]) -> Vec<String> {
    entries
        .iter()
        .flat_map(|e| std::iter::once(loc(&e.path, e.line)).chain(also(e)))
        .collect()
}

/// The entries of each thread, in order.
pub fn by_thread(entries: &[Entry]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for e in entries {
        match out.last_mut() {
            Some((t, v)) if *t == e.thread => v.push(loc(&e.path, e.line)),
            _ => out.push((e.thread.clone(), vec![loc(&e.path, e.line)])),
        }
    }
    out
}

#[test]
fn threads_in_date_order_with_statements_and_undated_last() {
    let env = claims_vault();
    let entries = claims(&env, &["Hammerspace"]);
    // (a) "400 GB/s … read … Tier 0" names fewer aspects than (d) "310 GB/s sustained read
    // … Tier 0", so it joins (d)'s thread; the price is its own thread; passages without a
    // quantity are statements, oldest first, undated last. The page's own passages (line 16
    // paragraph, line 24) come with the page's date.
    let throughput = "Hammerspace · throughput · sustained read tier 0";
    let price = "Hammerspace · unit price per GB-month · tier 0";
    let statements = "Hammerspace · statements";
    let threads = by_thread(&entries);
    let names: Vec<&str> = threads.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(names, [throughput, price, statements], "{threads:#?}");
    assert_eq!(threads[0].1, [A, D]);
    assert_eq!(threads[1].1, [E]);
    assert_eq!(
        threads[2].1,
        [
            "Competitors/Hammerspace.md:16",
            PAGE_24,
            PARTNER,
            LOOSE_NAME,
            LOOSE_ALIAS
        ]
    );
    for (_, locs) in &threads {
        let dates: Vec<Option<String>> = entries
            .iter()
            .filter(|e| locs.contains(&loc(&e.path, e.line)))
            .map(|e| e.date.clone())
            .collect();
        let undated = dates
            .iter()
            .position(Option::is_none)
            .unwrap_or(dates.len());
        assert!(dates[undated..].iter().all(Option::is_none), "{dates:?}");
        assert!(
            dates[..undated].windows(2).all(|w| w[0] <= w[1]),
            "{dates:?}"
        );
    }
    // (b) and (c) are folded under (a), so they are no headlines.
    let h = heads(&entries);
    assert!(!h.contains(&C.to_string()) && !h.contains(&B.to_string()));
    assert!(!everywhere(&entries).iter().any(|p| p.starts_with(LAB)));
}

#[test]
fn copy_and_recap_fold_under_the_original() {
    let env = claims_vault();
    let entries = claims(&env, &["Hammerspace", "--about", "read throughput"]);
    assert_eq!(heads(&entries), [A, D], "{entries:#?}");
    let first = &entries[0];
    assert_eq!(first.date.as_deref(), Some("2025-02-04"));
    assert_eq!(also(first), [B, C]);
    let also_dates: Vec<Option<&str>> = first.also.iter().map(|s| s.date.as_deref()).collect();
    assert_eq!(also_dates, [Some("2025-03-10"), Some("2025-04-15")]);
    assert!(first.text.starts_with("Hammerspace claimed 400 GB/s"));
    assert_eq!(first.title, "Acme Robotics storage call");
    assert_eq!(first.kind, "fact");
}

#[test]
fn revised_number_stays_separate_as_the_latest_with_its_change() {
    let env = claims_vault();
    for args in [
        &["Hammerspace"][..],
        &["Hammerspace", "--about", "read throughput"],
    ] {
        let entries = claims(&env, args);
        let d = entries
            .iter()
            .find(|e| loc(&e.path, e.line) == D)
            .unwrap_or_else(|| panic!("{args:?}: (d) is not a headline: {entries:#?}"));
        assert!(d.also.is_empty(), "{d:?}");
        assert!(d.text.contains("310 GB/s"));
        assert_eq!(d.date.as_deref(), Some("2025-06-02"));
        assert!(d.latest);
        let change = d.change.as_ref().expect("a change from (a)");
        assert_eq!(change.from, "400 GB/s");
        assert_eq!(change.from_date.as_deref(), Some("2025-02-04"));
        assert_eq!(change.direction, "down");
        let a = entries.iter().find(|e| loc(&e.path, e.line) == A).unwrap();
        assert!(!a.latest && a.change.is_none() && a.thread == d.thread);
    }
}

#[test]
fn about_excludes_the_pricing_claim_and_other_entities() {
    let env = claims_vault();
    let all = everywhere(&claims(
        &env,
        &["Hammerspace", "--about", "read throughput"],
    ));
    assert!(!all.contains(&E.to_string()), "{all:?}");
    assert!(!all.iter().any(|p| p.starts_with(LAB)), "{all:?}");
    // Without --about the pricing claim is there.
    assert!(everywhere(&claims(&env, &["Hammerspace"])).contains(&E.to_string()));
    // The topic uses the query language: -word excludes.
    let no_pool = everywhere(&claims(
        &env,
        &["Hammerspace", "--about", "throughput -sustained"],
    ));
    assert!(no_pool.contains(&A.to_string()) && !no_pool.contains(&D.to_string()));
}

#[test]
fn filters_narrow_the_timeline() {
    let env = claims_vault();
    let since = claims(
        &env,
        &[
            "Hammerspace",
            "--about",
            "read throughput",
            "--since",
            "2025-04-01",
        ],
    );
    assert_eq!(heads(&since), [C, D], "{since:#?}");
    assert!(since[0].also.is_empty());
    // Any date filter drops undated passages.
    let all_since = claims(&env, &["Hammerspace", "--since", "2025-01-01"]);
    assert!(all_since.iter().all(|e| e.date.is_some()));
    assert!(!all_since.is_empty());
    let until = claims(&env, &["Hammerspace", "--until", "2025-03-31"]);
    assert!(until
        .iter()
        .all(|e| e.date.as_deref().is_some_and(|d| d <= "2025-03-31")));
    // --path: the copy on the competitor page is outside, the recap inside.
    let calls = claims(&env, &["Hammerspace", "--path", "Calls"]);
    assert!(calls.iter().all(|e| e.path.starts_with("Calls/")));
    assert_eq!(calls[0].path, A.split(':').next().unwrap());
    assert_eq!(also(&calls[0]), [C]);
    // Filters that leave nothing: exit 1.
    let out = env.run(&["claims", "Hammerspace", "--path", "Nowhere"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    // --account, --kind and --tag work too.
    let partner = claims(&env, &["Hammerspace", "--account", "hammerspace"]);
    assert_eq!(heads(&partner), [PARTNER]);
    let paragraphs = claims(&env, &["Hammerspace", "--kind", "paragraph"]);
    assert_eq!(heads(&paragraphs), ["Competitors/Hammerspace.md:16"]);
    let pricing = claims(&env, &["Hammerspace", "--tag", "pricing"]);
    assert_eq!(heads(&pricing), [E]);
}

#[test]
fn alias_and_account_passages_are_included() {
    let env = claims_vault();
    let all = everywhere(&claims(&env, &["Hammerspace", "-n", "100"]));
    // "They say …" in a note whose account is Hammerspace.
    assert!(all.contains(&PARTNER.to_string()), "{all:?}");
    // Only the alias "Global Data Environment" names it.
    assert!(all.contains(&LOOSE_ALIAS.to_string()), "{all:?}");
    // The entity page's other passages belong to it (title equals the entity).
    assert!(all.contains(&PAGE_24.to_string()), "{all:?}");
    // Asking by alias is the same entity; case does not matter.
    assert_eq!(
        claims(&env, &["Global Data Environment"]),
        claims(&env, &["HAMMERSPACE"])
    );
}

#[test]
fn reverse_is_newest_first_with_undated_still_last() {
    let env = claims_vault();
    let fwd = claims(&env, &["Hammerspace"]);
    let rev = claims(&env, &["Hammerspace", "--reverse"]);
    assert_eq!(fwd.len(), rev.len());
    // Threads by their newest claim; inside each, newest first, undated still last;
    // statements stay last.
    let threads = by_thread(&rev);
    assert_eq!(threads[0].1, [E]);
    assert_eq!(threads[1].1, [D, A]);
    assert_eq!(
        threads[2].1,
        [
            PARTNER,
            PAGE_24,
            "Competitors/Hammerspace.md:16",
            LOOSE_NAME,
            LOOSE_ALIAS
        ]
    );
    // -n cuts after ordering.
    assert_eq!(
        heads(&claims(&env, &["Hammerspace", "--reverse", "-n", "1"])),
        [E]
    );
    assert_eq!(heads(&claims(&env, &["Hammerspace", "-n", "1"])), [A]);
}

#[test]
fn human_output_is_a_block_per_thread() {
    let env = claims_vault();
    let out = env.ok(&["claims", "Hammerspace", "--about", "read throughput"], 0);
    let s = &out.stdout;
    assert!(
        s.starts_with("Hammerspace · throughput · sustained read tier 0\n  2025-02-04  Hammerspace claimed 400 GB/s"),
        "{s}"
    );
    assert!(
        s.contains(&format!("Acme Robotics storage call · {A}")),
        "{s}"
    );
    assert!(
        s.contains(&format!("also in 2 notes: 2025-03-10  {B}")),
        "{s}"
    );
    assert!(s.contains(&format!("2025-04-15  {C}")), "{s}");
    assert!(
        s.contains("2025-06-02  Hammerspace now says 310 GB/s"),
        "{s}"
    );
    assert!(
        s.contains("latest · 400 GB/s → 310 GB/s, down, 4 months later"),
        "{s}"
    );
    assert!(!s.contains('\x1b'), "NO_COLOR is set");
    let all = env.ok(&["claims", "Hammerspace"], 0).stdout;
    assert!(all.contains("\nHammerspace · statements\n"), "{all}");
    assert!(
        all.contains("undated     Hammerspace keeps positioning"),
        "{all}"
    );
}

#[test]
fn exit_status_and_errors() {
    let env = claims_vault();
    let none = env.run(&["claims", "Nutanix"]);
    assert_eq!(none.code, 1, "{}", none.stderr);
    assert!(none.stdout.is_empty());
    let bad = env.run(&["claims", "Hammerspace", "--about", "\"open"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("unclosed quote"), "{}", bad.stderr);
    let bad = env.run(&["claims", "Hammerspace", "--since", "yesterday"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--since"), "{}", bad.stderr);
    let bad = env.run(&["claims", "--about", "throughput"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("need an ENTITY"), "{}", bad.stderr);
    let bad = env.run(&["claims", "--", "!!"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("not an entity name"), "{}", bad.stderr);
    let fresh = TestEnv::new();
    let bad = fresh.run(&["claims", "Hammerspace"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("quarry index"), "{}", bad.stderr);
}

#[test]
fn lists_known_entities_most_passages_first() {
    let env = claims_vault();
    let out = env.ok(&["claims", "--json"], 0);
    let known: Vec<Known> = out.json();
    let get = |name: &str| {
        known
            .iter()
            .find(|k| k.name == name)
            .unwrap_or_else(|| panic!("{name} missing from {known:?}"))
    };
    // Three Acme Robotics notes, two passages each (account and account/ tag).
    let acme = get("Acme Robotics");
    assert_eq!(acme.passages, 6);
    assert_eq!(acme.sources, ["account", "tag"]);
    // Hammerspace: its page (3 passages) and the partner-sync note's account (1).
    let hs = get("Hammerspace");
    assert_eq!(hs.passages, 4);
    assert!(hs.sources.contains(&"page".to_string()));
    assert_eq!(known.len(), 2, "{known:?}");
    assert!(known.windows(2).all(|w| w[0].passages >= w[1].passages));
    let human = env.ok(&["claims"], 0).stdout;
    assert!(
        human.starts_with("6  Acme Robotics  (account, tag)\n"),
        "{human}"
    );
}

#[test]
fn sample_vault_ddn_claims() {
    let env = TestEnv::new();
    copy_dir(&repo_root().join("sample-vault"), &env.notes());
    let out = env.run(&["index", env.notes().to_str().unwrap(), "--no-embed"]);
    assert!(out.code == 0 || out.code == 2, "{}", out.stderr);
    let a = "Customers/2025-03-18 - CoreWeave storage bake-off debrief.md:42";
    let b = "Competitors/DDN.md:18";
    let c = "Meetings/2025-06-26 - CoreWeave Q2 QBR recap.md:42";
    let d = "Competitors/2025-09-30 - DDN revised performance numbers.md:32";
    let e = "Meetings/2025-08-12 - Deal desk review.md:27";
    let entries = claims(&env, &["DDN", "--about", "read throughput"]);
    // (a), (b), (c) fold into A; (d) is B; (e) is off-topic.
    assert_eq!(heads(&entries), [a, d], "{entries:#?}");
    assert_eq!(also(&entries[0]), [b, c]);
    assert!(entries[1].also.is_empty());
    let all = everywhere(&entries);
    assert!(!all.contains(&e.to_string()));
    // Never DDN claims: WEKA's own number, VAST's number in the same note as (a).
    let everything = everywhere(&claims(&env, &["DDN", "-n", "1000"]));
    for never in [
        "Competitors/WEKA.md:21",
        "Customers/2025-03-18 - CoreWeave storage bake-off debrief.md:43",
    ] {
        assert!(!everything.contains(&never.to_string()), "{never}");
    }
    // Mention forms: alias, hyphenated, possessive; and the pricing claim without --about.
    for must in [
        "Meetings/2025-07-15 - Competitive roundtable.md:24",
        "Customers/2025-09-09 - CoreWeave capacity planning.md:43",
        "Customers/2025-10-02 - CoreWeave weekly sync.md:41",
        "Competitors/2025-09-30 - DDN revised performance numbers.md:33",
        e,
    ] {
        assert!(
            everything.contains(&must.to_string()),
            "{must} missing: {everything:?}"
        );
    }
}

/// The README's example: WEKA's read throughput on the sample vault is one thread with a
/// change and a latest claim; the log's copy of the page's claim folds under it.
#[test]
fn sample_vault_weka_thread_has_a_change_and_a_latest() {
    let env = TestEnv::new();
    copy_dir(&repo_root().join("sample-vault"), &env.notes());
    let out = env.run(&["index", env.notes().to_str().unwrap(), "--no-embed"]);
    assert!(out.code == 0 || out.code == 2, "{}", out.stderr);
    let log = "Competitors/WEKA field log.md";
    let entries = claims(&env, &["WEKA", "--about", "throughput"]);
    assert_eq!(
        by_thread(&entries),
        [(
            "WEKA · throughput · sustained read".to_string(),
            vec![loc(log, 21), loc(log, 26)]
        )]
    );
    assert_eq!(entries[0].date.as_deref(), Some("2025-07"));
    assert_eq!(entries[0].note_date.as_deref(), Some("2025-10-28"));
    assert_eq!(also(&entries[0]), ["Competitors/WEKA.md:21"]);
    let latest = &entries[1];
    assert!(latest.latest && !entries[0].latest);
    assert_eq!(latest.date.as_deref(), Some("2025-10"));
    let change = latest.change.as_ref().unwrap();
    assert_eq!(
        (
            change.from.as_str(),
            change.from_date.as_deref(),
            change.direction.as_str()
        ),
        ("720 GB/s", Some("2025-07"), "down")
    );
    let human = env
        .ok(&["claims", "WEKA", "--about", "throughput"], 0)
        .stdout;
    assert!(
        human.contains("latest · 720 GB/s → 610 GB/s, down, 3 months later"),
        "{human}"
    );
}
