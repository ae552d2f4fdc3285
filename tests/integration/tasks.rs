//! Issue 12 on a vault of its own (`tests/fixtures/tasks-vault`): tasks as tasks (status,
//! owner, dates, priority, passage tags), table rows, participants by first name, tag-only
//! lines, stop words in questions, and the order of hits.

use crate::util::{copy_dir, repo_root, search_json, JsonHit, TestEnv};

const SYNC: &str = "Customers/2025-09-15 - CoreWeave weekly sync.md";

fn vault() -> TestEnv {
    let env = TestEnv::new();
    copy_dir(
        &repo_root().join("tests/fixtures/tasks-vault"),
        &env.notes(),
    );
    env.index_notes();
    env
}

fn places(hits: &[JsonHit]) -> Vec<String> {
    hits.iter()
        .map(|h| format!("{}:{}", h.path, h.line))
        .collect()
}

fn texts(hits: &[JsonHit]) -> Vec<&str> {
    hits.iter().map(|h| h.text.as_str()).collect()
}

#[test]
fn task_status_owner_dates_and_priority_are_fields_and_filters() {
    let env = vault();
    let count = |args: &[&str]| search_json(&env, args).len();
    let open = search_json(&env, &["--status", "open", "-n", "100"]);
    assert_eq!(open.len(), 4, "{:?}", places(&open));
    assert!(open.iter().all(|h| h.status.as_deref() == Some("open")));
    let send = open.iter().find(|h| h.line == 28).unwrap();
    assert_eq!(
        (
            send.path.as_str(),
            send.task.as_deref(),
            send.owner.as_deref(),
            send.due.as_deref(),
            send.priority.as_deref(),
            send.passage_tags.clone()
        ),
        (
            SYNC,
            Some(" "),
            Some("Dana"),
            Some("2025-09-30"),
            Some("high"),
            vec!["task".to_string()]
        )
    );
    let done = search_json(&env, &["--status", "done"]);
    let mut done_dates: Vec<_> = done.iter().map(|h| h.done.clone()).collect();
    done_dates.sort();
    assert_eq!(
        done_dates,
        vec![Some("2025-09-17".into()), Some("2025-10-03".into())]
    );
    let proposed = search_json(&env, &["--status", "proposed"]);
    assert_eq!(proposed.len(), 1);
    assert_eq!(
        (proposed[0].owner.as_deref(), proposed[0].due.as_deref()),
        (Some("Myself"), None),
        "📅 TBD is no date"
    );
    assert_eq!(count(&["--status", "cancelled"]), 1);
    let doing = search_json(&env, &["--status", "/"]);
    assert_eq!(doing.len(), 1);
    assert_eq!(
        (doing[0].scheduled.as_deref(), doing[0].priority.as_deref()),
        (Some("2025-09-20"), Some("medium"))
    );
    assert_eq!(count(&["--status", "open,done", "-n", "100"]), 6);
    // Owner: case-insensitive, with or without the @.
    assert_eq!(count(&["--owner", "dana"]), 3);
    assert_eq!(count(&["--owner", "@DANA", "--status", "open"]), 2);
    // Due dates: strictly before / after; --overdue is open and due before today.
    assert_eq!(count(&["--due-before", "2025-10-01"]), 3);
    assert_eq!(
        count(&["--due-after", "2025-09-30", "--due-before", "2025-10-16"]),
        2
    );
    assert_eq!(count(&["--overdue", "-n", "100"]), 4);
    assert_eq!(count(&["--due-after", "+1d"]), 0, "every due date is past");
    // The first example of PRODUCT.md: open action items for CoreWeave since September,
    // including the one in a daily note.
    let cw = search_json(
        &env,
        &["CoreWeave", "--status", "open", "--since", "2025-09-01"],
    );
    assert!(
        places(&cw).contains(&"Daily/2025-10-03.md:10".to_string()),
        "{:?}",
        places(&cw)
    );
    assert!(cw.iter().all(|h| h.status.as_deref() == Some("open")));
    let bad = env.ok(&["search", "--status", "someday"], 2);
    assert!(
        bad.stderr.contains("'someday' is not a status"),
        "{}",
        bad.stderr
    );
}

#[test]
fn tag_keeps_note_semantics_and_passage_tag_looks_at_the_passage() {
    let env = vault();
    // `#proposed` is on one task line, so the note has the tag...
    let note_level = search_json(&env, &["--tag", "proposed", "-n", "100"]);
    assert!(note_level.len() > 5, "{}", note_level.len());
    assert!(note_level.iter().all(|h| h.path == SYNC));
    // ...and only that passage carries it.
    let own = search_json(&env, &["--passage-tag", "proposed"]);
    assert_eq!(places(&own), vec![format!("{SYNC}:30")]);
    assert_eq!(own[0].passage_tags, vec!["auto", "proposed", "task"]);
}

#[test]
fn table_rows_are_passages_with_their_headers() {
    let env = vault();
    let rows = search_json(&env, &["competitor bidding", "--kind", "row"]);
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(
        (
            r.path.as_str(),
            r.line,
            r.line_end,
            r.section.as_str(),
            r.kind.as_str()
        ),
        (
            "Internal/Renewals tracker.md",
            12,
            12,
            "FY26 renewals",
            "row"
        )
    );
    assert_eq!(
        r.text,
        "Account: Acme Bank · Now (PB): 4 · Next (PB): 9 · Renewal: 2026-06-30 · Risk: High · Notes: competitor bidding on price"
    );
    assert_eq!(search_json(&env, &["--kind", "row"]).len(), 3);
    let cw = search_json(&env, &["\"q4 cluster\"", "--kind", "row"]);
    assert_eq!(
        texts(&cw),
        vec!["Account: CoreWeave · Now (PB): 40 · Next (PB): 120 · Renewal: 2026-03-01 · Risk: Medium · Notes: Q4 cluster sizing pending"]
    );
    // A table in a code fence is code.
    env.ok(&["search", "fence"], 1);
}

#[test]
fn tag_only_lines_are_not_passages() {
    let env = vault();
    let all = search_json(&env, &["--path", SYNC, "-n", "100"]);
    assert!(!all.is_empty());
    assert!(
        all.iter().all(|h| !h.text.starts_with('#')),
        "{:?}",
        texts(&all)
    );
    // Their tags still count for the note.
    assert!(all[0].tags.contains(&"meeting".to_string()));
}

#[test]
fn participant_matches_a_whole_word_of_the_name() {
    let env = vault();
    let notes = |p: &str| -> Vec<String> {
        let mut n: Vec<String> = search_json(&env, &["--participant", p, "-n", "100"])
            .into_iter()
            .map(|h| h.path)
            .collect();
        n.sort();
        n.dedup();
        n
    };
    let both = vec![
        "Customers/2025-08-20 - Acme Bank QBR.md".to_string(),
        SYNC.to_string(),
    ];
    assert_eq!(notes("Priya"), both);
    assert_eq!(notes("raman"), both);
    assert_eq!(notes("Priya Raman"), both);
    assert_eq!(notes("Dana"), vec![SYNC.to_string()]);
    assert!(notes("Pri").is_empty(), "a word, not a prefix");
    assert_eq!(search_json(&env, &["participant:marcus"]).len(), 4);
}

#[test]
fn stop_words_do_not_decide_a_question() {
    // "who" is rare in this vault; as a query word it ranked "Who owns the storage sign-off"
    // above the passage that answers the question.
    let env = vault();
    let hits = search_json(
        &env,
        &["who is short on storage", "--mode", "lexical", "-n", "2"],
    );
    assert_eq!(
        places(&hits)[0],
        "Daily/2025-10-03.md:5",
        "{:?}",
        texts(&hits)
    );
    // Quoted, a stop word counts.
    let quoted = search_json(&env, &["\"who owns\""]);
    assert_eq!(places(&quoted), vec![format!("{SYNC}:40")]);
}

#[test]
fn sort_date_and_ties_give_one_order() {
    let env = vault();
    // Filters only: newest first, then path and line.
    let actions = search_json(&env, &["--kind", "action", "-n", "100"]);
    let keys: Vec<(String, String, u64)> = actions
        .iter()
        .map(|h| (h.date.clone().unwrap_or_default(), h.path.clone(), h.line))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    assert_eq!(keys, sorted);
    assert_eq!(actions[0].path, "Daily/2025-10-03.md");
    // A keyword clause scores every match the same: ties by path, then line, so `-n 3` is
    // always the same three.
    let tied = search_json(&env, &["tag:type/customer", "-n", "3"]);
    assert_eq!(
        places(&tied),
        vec![
            "Customers/2025-08-20 - Acme Bank QBR.md:14",
            "Customers/2025-08-20 - Acme Bank QBR.md:15",
            "Customers/2025-08-20 - Acme Bank QBR.md:16",
        ]
    );
    let newest = search_json(&env, &["storage", "--sort", "date", "-n", "3"]);
    assert_eq!(
        places(&newest),
        vec![
            "Daily/2025-10-03.md:5",
            "Daily/2025-10-03.md:10",
            &format!("{SYNC}:24")
        ]
    );
}

#[test]
fn a_filter_value_the_index_lacks_is_named_with_the_closest_known_ones() {
    let env = vault();
    for (args, message) in [
        (
            vec!["--account", "acme-bank"],
            "quarry: no note has account \"acme-bank\"; did you mean \"Acme Bank\"?",
        ),
        (
            vec!["--participant", "Pria"],
            "quarry: no note has participant \"Pria\"; did you mean \"Priya Raman\"?",
        ),
        (
            vec!["--tag", "custmer"],
            "quarry: no note has tag \"custmer\"; did you mean \"customer\"?",
        ),
        (
            vec!["--owner", "@dan"],
            "quarry: no task has owner \"@dan\"; did you mean \"Dana\"?",
        ),
        (
            vec!["--path", "Custmers"],
            "quarry: no indexed note matches --path \"Custmers\"; did you mean \"Customers\"?",
        ),
        (
            vec!["--account", "Initech"],
            "quarry: no note has account \"Initech\"\n",
        ),
    ] {
        let mut all = vec!["search", "storage"];
        all.extend(args.iter());
        let out = env.ok(&all, 1);
        assert!(out.stderr.contains(message), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty());
    }
    // A value that exists says nothing, even when the combination finds nothing.
    let out = env.ok(&["search", "xylophone", "--account", "Acme Bank"], 1);
    assert!(!out.stderr.contains("no note has"), "{}", out.stderr);
}

#[test]
fn max_per_note_caps_each_note_and_still_fills_the_limit() {
    let env = vault();
    let capped = search_json(&env, &["storage", "--max-per-note", "1", "-n", "5"]);
    let mut paths: Vec<&str> = capped.iter().map(|h| h.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        vec![SYNC, "Daily/2025-10-03.md"],
        "two notes say storage"
    );
    let two = search_json(&env, &["storage", "--max-per-note", "2", "-n", "3"]);
    assert_eq!(two.len(), 3);
    assert!(two.iter().filter(|h| h.path == SYNC).count() <= 2);
    env.ok(&["search", "storage", "--max-per-note", "0"], 2);
}
