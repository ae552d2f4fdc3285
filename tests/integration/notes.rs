//! The note model, observed through the binary: front matter, passages, text repair.

use crate::util::{search_json, TestEnv};

#[test]
fn frontmatter_variants() {
    let env = TestEnv::new();
    env.write("a.md", "---\ntitle: \"Front Title\"\ndate: 2025-03-04\naccount: \"[[CoreWeave]]\"\ntags: [\"Type/Customer\", \"account/\"]\nparticipants: [Ana, \"[[Ben]]\"]\n---\n- alpha fact\n");
    env.write(
        "2024-02-03 - b.md",
        "# Heading Title\n\n- bravo fact #Inline/Tag\n",
    );
    env.write(
        "c.md",
        "---\ndate: 2025-01-02T10:30:00Z\ntags: one, two\n---\ncharlie paragraph\n",
    );
    env.write(
        "2023-05-06 d.md",
        "---\ntitle: \"\"\naccount: \"\"\n---\n- delta fact\n",
    );
    env.write("e.txt", "echo plain text note\n");
    env.index_notes();

    let a = &search_json(&env, &["alpha"])[0];
    assert_eq!(a.title, "Front Title");
    assert_eq!(a.date.as_deref(), Some("2025-03-04"));
    assert_eq!(a.account.as_deref(), Some("CoreWeave"));
    assert_eq!(a.tags, vec!["type/customer"]);
    assert_eq!(
        search_json(&env, &["alpha", "--participant", "ben"]).len(),
        1
    );

    let b = &search_json(&env, &["bravo"])[0];
    assert_eq!(b.title, "Heading Title");
    assert_eq!(b.date.as_deref(), Some("2024-02-03"));
    assert_eq!(b.tags, vec!["inline/tag"]);
    assert_eq!(b.section, "");

    let c = &search_json(&env, &["charlie"])[0];
    assert_eq!(c.title, "c");
    assert_eq!(c.date.as_deref(), Some("2025-01-02"));
    assert_eq!(c.tags, vec!["one", "two"]);
    assert_eq!(c.kind, "paragraph");

    let d = &search_json(&env, &["delta"])[0];
    assert_eq!(d.title, "2023-05-06 d");
    assert_eq!(d.date.as_deref(), Some("2023-05-06"));
    assert_eq!(d.account, None);

    let e = &search_json(&env, &["echo"])[0];
    assert_eq!((e.path.as_str(), e.date.as_deref()), ("e.txt", None));
}

#[test]
fn passage_kinds_lines_and_sections() {
    let env = TestEnv::new();
    env.write(
        "2025-06-01 - Sync.md",
        "---\ntitle: Sync\n---\n# Sync\n\nOpening paragraph about zebra migration.\n\n## Action Items\n\n- [ ] zebra open task\n- [x] zebra done task\n- zebra plain item under actions\n\n## Decisions\n\n- zebra decision made\n\n## Key Information\n\n- zebra parent fact\n  - nested child about quokka\n\n| zebra | table |\n|---|---|\n| zebra | cell |\n\n```\n- zebra in code\n```\n",
    );
    env.index_notes();
    let hits = search_json(&env, &["zebra", "-n", "50", "--sort", "date"]);
    let mut got: Vec<(String, Option<String>, u64, String)> = hits
        .iter()
        .map(|h| (h.kind.clone(), h.task.clone(), h.line, h.section.clone()))
        .collect();
    got.sort_by_key(|g| g.2);
    assert_eq!(
        got,
        vec![
            ("paragraph".into(), None, 6, "".into()),
            ("action".into(), Some(" ".into()), 10, "Action Items".into()),
            ("action".into(), Some("x".into()), 11, "Action Items".into()),
            ("action".into(), None, 12, "Action Items".into()),
            ("decision".into(), None, 16, "Decisions".into()),
            ("fact".into(), None, 20, "Key Information".into()),
            // The nested child matches through its parent's text (context).
            ("fact".into(), None, 21, "Key Information".into()),
            // A table row is a passage (issue 12); the code block is not.
            ("row".into(), None, 25, "Key Information".into()),
        ]
    );
    let child = &search_json(&env, &["quokka"])[0];
    assert_eq!(child.text, "nested child about quokka");
    assert_eq!(search_json(&env, &["zebra", "--kind", "action"]).len(), 3);
    assert_eq!(
        search_json(&env, &["zebra", "--kind", "decision,paragraph"]).len(),
        2
    );
}

#[test]
fn text_repair_mojibake_bom_crlf() {
    let env = TestEnv::new();
    // Mac Roman mojibake as in real exported notes: ’ → ‚Äô, 📅 → U+F8FF üìÖ.
    env.write("mac.md", "- Microsoft\u{201A}\u{00C4}\u{00F4}s fleet is fungible @Me \u{F8FF}\u{00FC}\u{00EC}\u{00D6} TBD\n");
    // Windows-1252 mojibake: ’ → â€™
    env.write(
        "win.md",
        "- Oracle\u{00E2}\u{20AC}\u{2122}s cluster is ready\n",
    );
    env.write(
        "bom.md",
        "\u{FEFF}---\ntitle: BOM note\n---\n- bom body line\n",
    );
    env.write(
        "crlf.md",
        "---\r\ntitle: CRLF note\r\n---\r\n\r\n- first crlf item\r\n- second crlf item\r\n",
    );
    env.write("latin1.md", b"- caf\xE9 latin one\n");
    let out = env.index_notes();
    assert!(
        out.stderr
            .contains("latin1.md: not valid UTF-8; read as Windows-1252"),
        "{}",
        out.stderr
    );

    let mac = search_json(&env, &["\"Microsoft's fleet\""]);
    assert_eq!(mac.len(), 1);
    assert_eq!(mac[0].text, "Microsoft’s fleet is fungible @Me 📅 TBD");
    let win = search_json(&env, &["Oracle’s"]);
    assert_eq!(win[0].text, "Oracle’s cluster is ready");
    let bom = &search_json(&env, &["bom"])[0];
    assert_eq!((bom.title.as_str(), bom.line), ("BOM note", 4));
    let crlf = search_json(&env, &["crlf", "--sort", "date"]);
    let mut lines: Vec<u64> = crlf.iter().map(|h| h.line).collect();
    lines.sort();
    assert_eq!(lines, vec![5, 6]);
    assert!(crlf
        .iter()
        .all(|h| h.title == "CRLF note" && !h.text.contains('\r')));
    assert_eq!(search_json(&env, &["cafe"])[0].text, "café latin one");
}

#[test]
fn broken_files_are_reported_and_the_rest_indexed() {
    let env = TestEnv::new();
    env.write("good.md", "- good note survives\n");
    env.write("binary.md", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10");
    env.write(
        "badyaml.md",
        "---\ntitle: \"unclosed\ntags: [a\n---\n- body of bad yaml survives\n",
    );
    env.write(
        "never.md",
        "---\ntitle: never closes\n- never closed body survives\n",
    );
    env.write("empty.md", "");
    env.write(
        "wrong.md",
        "---\ntags: 7\naccount: [1, 2]\ndate: 31/02/2025\n---\n- wrong types survive\n",
    );
    let out = env.ok(
        &[
            "index",
            env.notes().to_str().unwrap(),
            "--json",
            "--no-embed",
        ],
        0,
    );
    let summary: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(summary["skipped"], 1);
    assert_eq!(summary["notes"], 5);
    let err = &out.stderr;
    assert!(err.contains("binary.md: binary file"), "{err}");
    assert!(
        err.contains("badyaml.md: front matter is not valid YAML"),
        "{err}"
    );
    assert!(err.contains("never.md: front matter never closes"), "{err}");
    assert!(err.contains("empty.md: empty file"), "{err}");
    assert!(
        err.contains("wrong.md: tags:")
            && err.contains("wrong.md: account:")
            && err.contains("wrong.md: date:"),
        "{err}"
    );
    assert_eq!(search_json(&env, &["survives"]).len(), 4);
    let wrong = &search_json(&env, &["wrong"])[0];
    assert_eq!(
        (wrong.date.clone(), wrong.account.clone(), wrong.tags.len()),
        (None, None, 0)
    );
}
