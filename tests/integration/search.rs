//! Search: query syntax, filters inside the index, output formats, exit codes.

use crate::util::{search_json, TestEnv};

fn filter_vault() -> TestEnv {
    let env = TestEnv::new();
    env.write("Customers/2025-09-15 - CW sync.md", "---\naccount: CoreWeave\ntags: [type/customer, account/coreweave]\nparticipants: [Ana]\n---\n## Action Items\n\n- [ ] send storage sizing to CoreWeave\n- [x] booked storage lab\n\n## Key Information\n\n- storage cluster grows to 40 PB\n");
    env.write(
        "Customers/2025-08-31 - CW older.md",
        "---\naccount: coreweave\ntags: [type/customer]\n---\n- [ ] old storage follow-up\n",
    );
    env.write(
        "Competitors/2025-10-01 - DDN.md",
        "---\ntags: [type/competitor, competitor/ddn]\n---\n- DDN storage claims 1.1 TB/s\n",
    );
    env.write("Internal/undated.md", "- storage offsite agenda\n");
    env.index_notes();
    env
}

fn paths(hits: &[crate::util::JsonHit]) -> Vec<String> {
    let mut p: Vec<String> = hits
        .iter()
        .map(|h| format!("{}:{}", h.path, h.line))
        .collect();
    p.sort();
    p
}

#[test]
fn filters_each() {
    let env = filter_vault();
    let all = search_json(&env, &["storage", "-n", "100"]);
    assert_eq!(all.len(), 6);
    // Hierarchical tag: `type` matches type/customer and type/competitor.
    assert_eq!(search_json(&env, &["storage", "--tag", "type"]).len(), 5);
    assert_eq!(
        search_json(&env, &["storage", "--tag", "type/customer"]).len(),
        4
    );
    assert_eq!(
        search_json(
            &env,
            &[
                "storage",
                "--tag",
                "TYPE/Customer",
                "--tag",
                "account/coreweave"
            ]
        )
        .len(),
        3
    );
    assert_eq!(
        search_json(&env, &["storage", "--tag", "type/cust"]).len(),
        0
    );
    // Account is case-insensitive.
    assert_eq!(
        search_json(&env, &["storage", "--account", "COREWEAVE"]).len(),
        4
    );
    assert_eq!(
        search_json(&env, &["storage", "--participant", "ana"]).len(),
        3
    );
    // Dates are inclusive; undated notes never pass a date filter.
    assert_eq!(
        paths(&search_json(
            &env,
            &["storage", "--since", "2025-08-31", "--until", "2025-09-15"]
        )),
        vec![
            "Customers/2025-08-31 - CW older.md:5",
            "Customers/2025-09-15 - CW sync.md:13",
            "Customers/2025-09-15 - CW sync.md:8",
            "Customers/2025-09-15 - CW sync.md:9"
        ]
    );
    assert_eq!(
        search_json(&env, &["storage", "--since", "2025-09-16"]).len(),
        1
    );
    assert_eq!(
        search_json(&env, &["storage", "--until", "2025-08-31"]).len(),
        1
    );
    assert_eq!(search_json(&env, &["storage", "--since", "100y"]).len(), 5);
    assert_eq!(
        search_json(
            &env,
            &[
                "storage",
                "--kind",
                "action",
                "--account",
                "coreweave",
                "--since",
                "2025-09-01"
            ]
        )
        .len(),
        2
    );
    assert_eq!(
        search_json(&env, &["storage", "--path", "Customers"]).len(),
        4
    );
    assert_eq!(
        search_json(&env, &["storage", "--path", "*/2025-1*"]).len(),
        1
    );
    assert_eq!(
        search_json(&env, &["storage", "--path", "Nowhere/**"]).len(),
        0
    );
    assert_eq!(search_json(&env, &["storage", "-n", "2"]).len(), 2);
    // Filters alone, no query words.
    assert_eq!(search_json(&env, &["--kind", "action"]).len(), 3);
}

/// The one note of 500 that passes the filter is the least relevant to the query, so a
/// filter applied after taking the top hits (rather than inside the search) would miss it.
#[test]
fn a_filter_matching_one_of_500_notes_returns_that_hit() {
    let env = TestEnv::new();
    for i in 0..500 {
        let (account, text) = if i == 377 {
            (
                "Rare Account",
                "capacity mentioned once among many other words about lunch",
            )
        } else {
            ("Common", "capacity planning capacity capacity")
        };
        env.write(
            &format!("n{i:03}.md"),
            format!("---\naccount: {account}\n---\n- {text} (note {i})\n"),
        );
    }
    env.index_notes();
    let unfiltered = search_json(&env, &["capacity", "-n", "100"]);
    assert_eq!(unfiltered.len(), 100);
    assert!(unfiltered.iter().all(|h| h.path != "n377.md"));
    for n in ["1", "10"] {
        let hits = search_json(&env, &["capacity", "--account", "rare account", "-n", n]);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].path, "n377.md");
    }
}

#[test]
fn query_syntax() {
    let env = filter_vault();
    assert_eq!(search_json(&env, &["\"storage lab\""]).len(), 1);
    assert_eq!(
        search_json(&env, &["storage -cluster", "-n", "100"]).len(),
        5
    );
    assert_eq!(
        search_json(&env, &["+account:coreweave", "storage"]).len(),
        4
    );
    assert_eq!(search_json(&env, &["tag:competitor"]).len(), 1);
    assert_eq!(search_json(&env, &["title:ddn"]).len(), 1);
    assert_eq!(search_json(&env, &["section:\"key information\""]).len(), 1);
    assert_eq!(search_json(&env, &["offsi*"]).len(), 1);
    assert_eq!(search_json(&env, &["kind:decision"]).len(), 0);
    // Excluded phrases (tantivy's phrase scorer debug-asserted on them: every such query
    // panicked in test builds).
    assert_eq!(
        search_json(&env, &["storage -\"storage cluster\"", "-n", "100"]).len(),
        5
    );
    assert_eq!(
        search_json(
            &env,
            &["storage -\"lab storage\" -\"storage lab\"", "-n", "100"]
        )
        .len(),
        5
    );
    // Stemming and case folding.
    assert_eq!(search_json(&env, &["BOOKING"]).len(), 1);
}

#[test]
fn malformed_queries_and_arguments_exit_2() {
    let env = filter_vault();
    for (args, msg) in [
        (vec!["search", "\"unclosed"], "unclosed quote"),
        (vec!["search", "tag:"], "needs a value"),
        (
            vec!["search", "x", "--since", "2025-13-45"],
            "--since: invalid date '2025-13-45'",
        ),
        (
            vec!["search", "x", "--until", "yesterday"],
            "--until: invalid date",
        ),
        (
            vec!["search", "x", "--kind", "memo"],
            "'memo' is not a kind",
        ),
        (vec!["search", "x", "-n", "-3"], "-3"),
        (vec!["search", "x", "-n", "0"], "at least 1"),
        (vec!["search", "x", "--path", "a["], "not a valid glob"),
        (vec!["search"], "give a query"),
        (
            vec![
                "search",
                "x",
                "--since",
                "2025-02-01",
                "--until",
                "2025-01-01",
            ],
            "is after",
        ),
    ] {
        let out = env.run(&args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(msg),
            "{args:?}: stderr was {}",
            out.stderr
        );
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
}

#[test]
fn exit_codes_and_output_formats() {
    let env = filter_vault();
    env.ok(&["search", "storage"], 0);
    let none = env.ok(&["search", "xylophone"], 1);
    assert!(none.stdout.is_empty());
    let files = env.ok(&["search", "storage", "--files"], 0);
    let lines: Vec<&str> = files.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", files.stdout);
    assert!(lines.contains(&"notes/Customers/2025-09-15 - CW sync.md"));
    let human = env.ok(&["search", "\"storage cluster\""], 0);
    assert_eq!(
        human.stdout,
        "2025-09-15 - CW sync · Key Information\nnotes/Customers/2025-09-15 - CW sync.md:13\n    storage cluster grows to 40 PB\n"
    );
    assert!(!human.stdout.contains('\x1b'));
    let colored = env.ok(&["search", "cluster", "--color", "always"], 0);
    assert!(
        colored.stdout.contains("\x1b[1;31mcluster\x1b[0m"),
        "{}",
        colored.stdout
    );
    let by_date = search_json(&env, &["storage", "--sort", "date", "-n", "100"]);
    let dates: Vec<Option<String>> = by_date.iter().map(|h| h.date.clone()).collect();
    assert_eq!(dates.first().unwrap().as_deref(), Some("2025-10-01"));
    assert_eq!(dates.last().unwrap(), &None);
}

#[test]
fn regression_non_ascii_prefix_queries_work() {
    // Found by fuzzing: the prefix regex escaped non-ASCII characters, which tantivy rejects.
    let env = TestEnv::new();
    env.write("a.md", "- İstanbul office opens\n- café crème\n");
    env.index_notes();
    assert_eq!(search_json(&env, &["İst*"]).len(), 1);
    assert_eq!(search_json(&env, &["caf*"]).len(), 1);
}
