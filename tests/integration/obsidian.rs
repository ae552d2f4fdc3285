//! Issue 13: real Obsidian vaults. Obsidian's own Markdown (callouts, embeds, block ids, wiki
//! links, comments, highlights, footnotes, inline HTML, math, Dataview fields, front matter
//! keys), Chinese, Japanese and Korean words inside sentences, and links back into Obsidian or
//! an editor. The fixture (`tests/fixtures/obsidian-vault`, with a `.obsidian/` folder) is
//! copied into a folder named `My Vault`, so the vault's name holds a space.

use crate::util::{copy_dir, repo_root, search_json, JsonHit, TestEnv};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

const SYNC: &str = "Meetings/2025-03-04 - Storage sync.md";
const LINKS: &str = "Guides/Internal links.md";
const CALLOUTS: &str = "Guides/Callouts.md";
const DANA: &str = "People/Dana Kim.md";
const JA: &str = "日本語/ファイルの埋め込み.md";
const ZH: &str = "中文/自动嵌入.md";
const KO: &str = "한국어/노트 연결.md";

fn vault(env: &TestEnv) -> PathBuf {
    env.notes().join("My Vault")
}

/// The fixture vault indexed once, lexical only (`embed: false`) or with the real model.
fn indexed(embed: bool) -> &'static TestEnv {
    static LEXICAL: OnceLock<TestEnv> = OnceLock::new();
    static EMBEDDED: OnceLock<TestEnv> = OnceLock::new();
    let cell = if embed { &EMBEDDED } else { &LEXICAL };
    cell.get_or_init(|| {
        let env = TestEnv::new();
        copy_dir(
            &repo_root().join("tests/fixtures/obsidian-vault"),
            &vault(&env),
        );
        let root = vault(&env);
        let mut args = vec!["index", root.to_str().unwrap(), "--json"];
        if !embed {
            args.push("--no-embed");
        }
        let out = env.ok(&args, 0);
        // Obsidian's own front matter keys, nested maps and odd syntax are no problem.
        assert!(
            !out.stderr.contains("warning"),
            "indexing the vault warned: {}",
            out.stderr
        );
        let s: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
        assert_eq!(s["notes"], 8, "{}", out.stdout);
        if embed {
            assert!(
                s["embedded"].as_u64().unwrap_or(0) > 40,
                "the embedding model must be installed (run `quarry model install`): {}\n{}",
                out.stdout,
                out.stderr
            );
        }
        env
    })
}

/// Every passage of the vault, by (path, line).
fn all_passages(env: &TestEnv) -> BTreeMap<(String, u64), JsonHit> {
    search_json(env, &["--path", "**", "-n", "1000"])
        .into_iter()
        .map(|h| ((h.path.clone(), h.line), h))
        .collect()
}

fn places(hits: &[JsonHit]) -> Vec<(&str, u64)> {
    let mut p: Vec<(&str, u64)> = hits.iter().map(|h| (h.path.as_str(), h.line)).collect();
    p.sort();
    p
}

/// Whether text ends with an Obsidian block id (` ^id`, or is one).
fn ends_with_block_id(text: &str) -> bool {
    text.rsplit(' ')
        .next()
        .unwrap_or("")
        .strip_prefix('^')
        .is_some_and(|id| {
            !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[test]
fn obsidian_markdown_becomes_the_text_obsidian_shows() {
    let env = indexed(false);
    let all = all_passages(env);
    assert_eq!(all.len(), 58, "{:#?}", all.keys().collect::<Vec<_>>());
    let expected: &[(&str, u64, &str)] = &[
        // Callouts: the marker and title are gone from the body; a title-only callout is
        // its title; the innermost of three nested callouts has only a title.
        (CALLOUTS, 9, "An embed that embeds its own note loops forever; Obsidian stops after a few levels."),
        (CALLOUTS, 12, "Callouts without a title show their type as the title."),
        (CALLOUTS, 18, "Several layers of nesting are allowed."),
        (CALLOUTS, 22, "Pin the firmware version on every node"),
        (CALLOUTS, 25, "Title only, nothing below it"),
        (CALLOUTS, 29, "This is an ordinary quotation, not a callout."),
        // Wiki links as their shown text; block ids off the end.
        (LINKS, 15, "Link notes with double brackets: Callouts points at another note, the callout guide shows other text, and nested callouts points at a heading."),
        (LINKS, 19, "Linking to a single paragraph keeps a network of knowledge small enough to follow."),
        // Embeds leave nothing behind, images not even their alt text.
        (LINKS, 36, "View menu for the storage diagram"),
        (LINKS, 40, "See Callouts > Nesting and Callouts for the details; is embedded here."),
        // Comments, highlights, footnote references, inline HTML; math as written.
        (SYNC, 24, "Northwind's training cluster stalls for up to four minutes on every checkpoint write, and the cutover to the new namespace is fixed for 10:30 on Saturday. The team wants the fix before the quarter closes."),
        (SYNC, 36, "Checkpoints are written by every rank at once, which saturates the metadata service. [severity:: high]"),
        (SYNC, 38, "The write amplification follows $w = r \\cdot (1 + p_1 * p_2)$ in their model."),
        (SYNC, 39, "Their old array peaked at 40 GB/s measured by Northwind, not by us during the last run."),
        // A footnote definition is a passage without its marker.
        (SYNC, 46, "The cutover window was moved twice already; Saturday is final."),
        (JA, 8, "保管庫内のファイルを埋め込むには、リンクの前に感嘆符を付けます。"),
        (JA, 13, "見出しへのリンクは入れ子のコールアウトのように書きます。"),
        (ZH, 11, "存储集群的吞吐量目标是每秒一点二太字节。"),
        (KO, 11, "자기 자신을 삽입하는 노트는 끝없이 반복됩니다."),
        // Broken syntax: a callout without spaces still counts; an unclosed embed is text.
        ("Broken/odd syntax.md", 6, "Its body line is a passage."),
        ("Broken/odd syntax.md", 8, "An unclosed embed [[Never closed stays as text, and a stray marker goes."),
        ("Broken/odd syntax.md", 10, "A caret in math x^2 and a price of $5 ^ stay."),
    ];
    for &(path, line, text) in expected {
        let hit = all
            .get(&(path.to_string(), line))
            .unwrap_or_else(|| panic!("no passage at {path}:{line}"));
        assert_eq!(hit.text, text, "{path}:{line}");
    }
    assert_eq!(all[&(LINKS.to_string(), 44)].section, "Headings with ids");
    for ((path, line), h) in &all {
        let t = &h.text;
        for marker in ["[!", "![[", "%%", "[^", "^[", "<b>", "</b>", "==up"] {
            assert!(!t.contains(marker), "{marker} in {path}:{line}: {t}");
        }
        assert!(
            !ends_with_block_id(t),
            "block id left in {path}:{line}: {t}"
        );
        for hidden in [
            "Private prep",
            "internal: do not share",
            "secret bullet",
            "このコメント",
            "Rack layout sketch",
            "Avoid circular references",
        ] {
            assert!(
                !t.contains(hidden),
                "{hidden:?} shown in {path}:{line}: {t}"
            );
        }
    }
    // Lines that hold only an embed, an image or a block id are no passages.
    for line in [26, 30, 34, 38] {
        assert!(
            !all.contains_key(&(LINKS.to_string(), line)),
            "{LINKS}:{line}"
        );
    }
}

#[test]
fn block_ids_are_anchors_and_obsidian_links_find_their_passages() {
    let env = indexed(false);
    let all = all_passages(env);
    let anchors: Vec<(&str, u64, &str)> = all
        .values()
        .filter_map(|h| h.anchor.as_deref().map(|a| (h.path.as_str(), h.line, a)))
        .collect();
    assert_eq!(
        anchors,
        vec![
            (CALLOUTS, 9, "warn-title"),
            (LINKS, 15, "intro-para"),
            (LINKS, 19, "b15695"),
            (LINKS, 23, "bench-list"),
            (LINKS, 24, "bench-list"),
            (LINKS, 28, "quote-id"),
            (DANA, 13, "dana-summaries"),
            (ZH, 8, "embed-zh"),
            (JA, 8, "embed-ja"),
            (KO, 8, "embed-ko"),
        ]
    );
    let cases: &[(&str, &[(&str, u64)])] = &[
        ("[[Internal links#^b15695]]", &[(LINKS, 19)]),
        (
            "[[internal LINKS#^BENCH-LIST]]",
            &[(LINKS, 23), (LINKS, 24)],
        ),
        ("[[Guides/Internal links#^quote-id]]", &[(LINKS, 28)]),
        (
            "[[Internal links.md#^intro-para|the intro]]",
            &[(LINKS, 15)],
        ),
        ("[[ファイルの埋め込み#^embed-ja]]", &[(JA, 8)]),
        (
            "[[Callouts#Nesting]]",
            &[
                (CALLOUTS, 18),
                (CALLOUTS, 21),
                (CALLOUTS, 22),
                (CALLOUTS, 23),
                (CALLOUTS, 25),
                (CALLOUTS, 27),
                (CALLOUTS, 29),
            ],
        ),
        ("[[Dana Kim]]", &[(DANA, 9), (DANA, 12), (DANA, 13)]),
    ];
    for &(query, want) in cases {
        let hits = search_json(env, &[query, "-n", "50"]);
        assert_eq!(places(&hits), want, "{query}");
    }
    env.ok(&["search", "[[Nope#^b15695]]"], 1);
    let out = env.ok(&["search", "[[Internal links#^not an id]]"], 2);
    assert!(out.stderr.contains("is not a block id"), "{}", out.stderr);
}

#[test]
fn callout_titles_aliases_and_tags_are_searchable() {
    let env = indexed(false);
    // A callout's title is its passages' context: a word only in the title finds the body.
    let hits = search_json(env, &["circular"]);
    assert_eq!(places(&hits), [(CALLOUTS, 9)]);
    let hits = search_json(env, &["checklist"]);
    assert_eq!(
        places(&hits),
        [(CALLOUTS, 21), (CALLOUTS, 22), (CALLOUTS, 23)]
    );
    // Aliases are part of the title field.
    for (query, path) in [
        ("title:wikilinks", LINKS),
        ("title:DK", DANA),
        ("\"linking notes\"", LINKS),
    ] {
        let hits = search_json(env, &[query, "-n", "50"]);
        assert!(!hits.is_empty(), "{query}");
        assert!(hits.iter().all(|h| h.path == path), "{query}: {hits:#?}");
        assert!(
            hits.iter()
                .all(|h| h.title != "Wikilinks" && h.title != "DK"),
            "the title shown stays the title"
        );
    }
    // Tags as a space-separated string, a comma-separated string, a list.
    for (tag, path) in [
        ("obsidian/links", LINKS),
        ("account/northwind", SYNC),
        ("person", DANA),
    ] {
        let hits = search_json(env, &["--tag", tag, "-n", "50"]);
        assert!(!hits.is_empty(), "{tag}");
        assert!(hits.iter().all(|h| h.path == path), "{tag}: {hits:#?}");
    }
}

#[test]
fn dataview_fields_are_searchable_with_meta_and_stay_in_the_text() {
    let env = indexed(false);
    let sync_all: Vec<(&str, u64)> = vec![
        (SYNC, 24),
        (SYNC, 31),
        (SYNC, 36),
        (SYNC, 37),
        (SYNC, 38),
        (SYNC, 39),
        (SYNC, 43),
        (SYNC, 44),
        (SYNC, 46),
    ];
    let links_all = search_json(env, &["--path", LINKS, "-n", "50"]);
    let cases: Vec<(&str, Vec<(&str, u64)>)> = vec![
        ("meta:severity=high", vec![(SYNC, 36)]),
        ("meta:Severity=HIGH", vec![(SYNC, 36)]),
        (
            "meta:\"throughput target=1.2 TB/s sustained\"",
            vec![(SYNC, 31)],
        ),
        ("meta:throughput-target", vec![(SYNC, 31)]),
        ("meta:\"owner=Ravi Patel\"", vec![(SYNC, 31)]),
        ("meta:priority=1", vec![(SYNC, 37)]),
        ("meta:due=2025-03-10", vec![(SYNC, 44)]),
        ("meta:role", vec![(DANA, 9)]),
        ("meta:\"team=field engineering\"", vec![(DANA, 9)]),
        // Front matter keys count for every passage of their note.
        ("meta:\"status=in progress\"", sync_all.clone()),
        ("meta:budget=120000", sync_all),
        ("meta:publish=true", places(&links_all)),
    ];
    for (query, want) in cases {
        let hits = search_json(env, &[query, "-n", "50"]);
        assert_eq!(places(&hits), want, "{query}");
    }
    // The field stays in the passage text, so its words are searchable as words too.
    let hits = search_json(env, &["severity high"]);
    assert_eq!((hits[0].path.as_str(), hits[0].line), (SYNC, 36));
    assert!(hits[0].text.ends_with("[severity:: high]"));
    // A nested map is no field; plain `10:30` is still text; `meta:` needs a name.
    env.ok(&["search", "meta:review"], 1);
    let hits = search_json(env, &["10:30 sizing"]);
    assert_eq!((hits[0].path.as_str(), hits[0].line), (SYNC, 43));
    let out = env.ok(&["search", "meta:=x"], 2);
    assert!(out.stderr.contains("needs a field name"), "{}", out.stderr);
}

/// Chinese, Japanese and Korean words inside longer sentences, each with the note and line it
/// is in (the first hit) — every hit must come from that note.
const CJK_CASES: &[(&str, &str, u64)] = &[
    ("ファイルを埋め込む", JA, 8),
    ("停止する", JA, 14),
    ("自动嵌入", ZH, 8),
    ("吞吐量", ZH, 11),
    ("检查点", ZH, 13),
    ("파일", KO, 8),
    ("클러스터가", KO, 13),
];

#[test]
fn cjk_words_inside_sentences_are_found_in_the_right_note() {
    let env = indexed(false);
    for &(query, path, line) in CJK_CASES {
        let hits = search_json(env, &[query, "-n", "20"]);
        assert!(!hits.is_empty(), "{query} found nothing");
        assert_eq!(
            (hits[0].path.as_str(), hits[0].line),
            (path, line),
            "{query}"
        );
        assert!(
            hits.iter().all(|h| h.path == path),
            "{query} matched other notes: {:?}",
            places(&hits)
        );
    }
    // A query is a phrase of its bigrams: the same characters in another order, or a word
    // the notes do not hold, find nothing.
    for query in ["埋め込まない", "嵌入自动", "파일은"] {
        env.ok(&["search", query], 1);
    }
}

#[test]
fn cjk_queries_in_hybrid_mode_rank_their_lexical_matches_first() {
    // The model is English-only: for CJK text its cosines are high and meaningless (0.66
    // between unrelated Korean sentences here). At the default lexical share of 0.3, the
    // second, longer passage holding 체크포인트 ranked 5th, under three passages that do not
    // hold it; a mostly-CJK query now leans on the lexical side.
    let env = indexed(true);
    let queries = CJK_CASES.iter().map(|c| c.0).chain([
        "체크포인트",
        "チェックポイント",
        "检查点",
        "예산",
        "容量",
        "読み取り性能",
    ]);
    for query in queries {
        let lexical = search_json(env, &[query, "--mode", "lexical", "-n", "10"]);
        let hybrid = search_json(env, &[query, "--mode", "hybrid", "-n", "10", "--explain"]);
        let shown = || {
            hybrid
                .iter()
                .map(|h| (&h.path, h.line, &h.text, &h.explain))
                .collect::<Vec<_>>()
        };
        assert!(!lexical.is_empty(), "{query}");
        assert_eq!(
            places(&hybrid[..lexical.len()]),
            places(&lexical),
            "hybrid {query}: every passage holding the words comes first: {:#?}",
            shown()
        );
        assert_eq!(
            (hybrid[0].path.as_str(), hybrid[0].line),
            (lexical[0].path.as_str(), lexical[0].line),
            "{query}"
        );
        assert!(hybrid[lexical.len()..]
            .iter()
            .all(|h| h.explain.as_ref().unwrap()["lexical_rank"].is_null()));
    }
}

/// Percent-encodes as a URI component (an independent implementation for the checks).
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Percent-encodes a path, keeping its slashes.
fn enc_path(p: &std::path::Path) -> String {
    p.to_str()
        .unwrap()
        .split('/')
        .map(enc)
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn hits_link_back_into_obsidian_and_editors() {
    let env = indexed(false);
    let uri_of = |args: &[&str], path: &str, line: u64| -> Option<String> {
        let hits = search_json(env, args);
        hits.into_iter()
            .find(|h| h.path == path && h.line == line)
            .unwrap_or_else(|| panic!("{args:?} did not find {path}:{line}"))
            .uri
    };
    let block = "obsidian://open?vault=My%20Vault&file=Guides%2FInternal%20links%23%5Eb15695";
    assert_eq!(
        uri_of(&["[[Internal links#^b15695]]"], LINKS, 19).as_deref(),
        Some(block)
    );
    assert_eq!(
        uri_of(&["ファイルを埋め込む"], JA, 8).unwrap(),
        format!(
            "obsidian://open?vault=My%20Vault&file={}",
            enc("日本語/ファイルの埋め込み#^embed-ja")
        )
    );
    assert_eq!(
        uri_of(&["meta:severity=high"], SYNC, 36).unwrap(),
        "obsidian://open?vault=My%20Vault&file=Meetings%2F2025-03-04%20-%20Storage%20sync%23Key%20Information"
    );
    // On a terminal (here: --color always) path:line is an OSC 8 hyperlink; into a pipe, not.
    let out = env.ok(
        &["search", "[[Internal links#^b15695]]", "--color", "always"],
        0,
    );
    let osc = format!("\x1b]8;;{block}\x1b\\");
    assert!(out.stdout.contains(&osc), "{:?}", out.stdout);
    assert!(
        out.stdout.contains("\x1b]8;;\x1b\\\n"),
        "the link is closed: {:?}",
        out.stdout
    );
    let out = env.ok(&["search", "[[Internal links#^b15695]]"], 0);
    assert!(!out.stdout.contains("\x1b]8"), "{:?}", out.stdout);
    assert!(out.stdout.contains("Guides/Internal links.md:19"));
    // The claims timeline links its path:line the same way.
    let out = env.ok(&["claims", "Northwind", "--color", "always"], 0);
    let sync = "\x1b]8;;obsidian://open?vault=My%20Vault&file=Meetings%2F2025-03-04%20-%20Storage%20sync%23";
    assert!(out.stdout.contains(sync), "{:?}", out.stdout);
    let plain = env.ok(&["claims", "Northwind"], 0).stdout;
    assert!(!plain.contains("\x1b]8"), "{plain:?}");
    let out = env.ok(
        &[
            "search",
            "circular",
            "--color",
            "always",
            "--hyperlink-format",
            "none",
        ],
        0,
    );
    assert!(!out.stdout.contains("\x1b]8"), "{:?}", out.stdout);
    assert_eq!(
        uri_of(&["circular", "--hyperlink-format", "none"], CALLOUTS, 9),
        None
    );

    // Editors: ripgrep-style names and templates, with the absolute path encoded.
    let abs = enc_path(&vault(env).canonicalize().unwrap());
    assert_eq!(
        uri_of(&["circular", "--hyperlink-format", "vscode"], CALLOUTS, 9).unwrap(),
        format!("vscode://file{abs}/Guides/Callouts.md:9:1")
    );
    assert_eq!(
        uri_of(
            &[
                "circular",
                "--hyperlink-format",
                "vscode://file/{path}:{line}"
            ],
            CALLOUTS,
            9
        )
        .unwrap(),
        format!("vscode://file/{abs}/Guides/Callouts.md:9")
    );
    // The config file's `hyperlink_format` (its own file: the vault is shared by tests).
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "hyperlink_format = \"file\"\n").unwrap();
    let out = env
        .cmd()
        .env("QUARRY_CONFIG", &config)
        .args(["search", "ファイルを埋め込む", "--json"])
        .output()
        .unwrap();
    let hit: JsonHit = serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap())
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(
        hit.uri.unwrap(),
        format!(
            "file://{abs}/{}/{}",
            enc("日本語"),
            enc("ファイルの埋め込み.md")
        )
    );
    let out = env.ok(&["search", "x", "--hyperlink-format", "vscode//{path}"], 2);
    assert!(
        out.stderr
            .contains("hyperlink format 'vscode//{path}' has no URI scheme"),
        "{}",
        out.stderr
    );
}

#[test]
fn notes_outside_a_vault_link_to_the_file() {
    let env = TestEnv::new();
    env.write("Team notes/Plan #2 für Q3.md", "- ship the storage plan\n");
    env.index_notes();
    let hits = search_json(&env, &["storage"]);
    let abs = enc_path(&env.notes().canonicalize().unwrap());
    assert_eq!(
        hits[0].uri.as_deref(),
        Some(format!("file://{abs}/Team%20notes/Plan%20%232%20f%C3%BCr%20Q3.md").as_str())
    );
}

#[test]
fn each_root_links_its_own_notes() {
    // Two roots: a vault first (root 0), then a plain folder (root 1). A hit must link into
    // its own root, which the index keeps per passage.
    let env = TestEnv::new();
    env.write("Field Vault/.obsidian/app.json", "{}\n");
    env.write("Field Vault/Rack plan.md", "- rack the storage nodes\n");
    env.write("Loose notes/Storage call.md", "- storage call with Dana\n");
    let (vault, loose) = (
        env.notes().join("Field Vault"),
        env.notes().join("Loose notes"),
    );
    let args = [
        "index",
        "--no-embed",
        vault.to_str().unwrap(),
        loose.to_str().unwrap(),
    ];
    env.ok(&args, 0);
    let mut uris: Vec<String> = search_json(&env, &["storage"])
        .into_iter()
        .filter_map(|h| h.uri)
        .collect();
    uris.sort();
    let abs = enc_path(&loose.canonicalize().unwrap());
    assert_eq!(
        uris,
        vec![
            format!("file://{abs}/Storage%20call.md"),
            "obsidian://open?vault=Field%20Vault&file=Rack%20plan".to_string(),
        ]
    );
}
