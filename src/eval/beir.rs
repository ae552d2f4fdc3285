//! Loading a BEIR-format collection: `corpus.jsonl`, `queries.jsonl` and `qrels/<split>.tsv`.
//!
//! The layout is the one the BEIR benchmark (Thakur et al., 2021) ships and its
//! `GenericDataLoader` reads:
//!
//! ```text
//! <dir>/corpus.jsonl       {"_id": "d1", "title": "...", "text": "...", "metadata": {...}}
//! <dir>/queries.jsonl      {"_id": "q1", "text": "...", "metadata": {...}}
//! <dir>/qrels/<split>.tsv  query-id<TAB>corpus-id<TAB>score   (header line first)
//! ```
//!
//! Files are read line by line, so memory holds the parsed collection and one line, never a
//! whole file. The loader is strict where BEIR's is forgiving: BEIR silently lets a later
//! duplicate `_id` overwrite an earlier one and keeps qrels that point at documents that do not
//! exist, and both quietly change the scores. Here every malformed line is an
//! [`Error::Data`] that names the file, the 1-based line number and what is wrong, so a broken
//! download is caught before it turns into a wrong nDCG. Blank lines are skipped; `title` may be
//! missing or `null` (read as empty), `metadata` and other fields are ignored, and `_id` may be
//! a JSON string or number (some exports write numeric ids).

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde_json::Value;

use crate::{Error, Result};

/// One document of the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    /// The `_id` field, as text.
    pub id: String,
    /// The `title` field; empty when missing or `null`.
    pub title: String,
    /// The `text` field.
    pub text: String,
}

impl Doc {
    /// Title and text joined by one space (just the text when the title is empty): what BEIR's
    /// lexical baselines index when they index one field ("flat" BM25 in Anserini).
    pub fn full_text(&self) -> String {
        if self.title.is_empty() {
            self.text.clone()
        } else {
            format!("{} {}", self.title, self.text)
        }
    }
}

/// One query (topic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The `_id` field, as text.
    pub id: String,
    /// The `text` field.
    pub text: String,
}

/// Relevance judgments: query id → (document id → graded relevance).
///
/// A grade ≤ 0 means judged non-relevant, as in trec_eval; see [`super::metrics`].
pub type Qrels = HashMap<String, HashMap<String, i32>>;

/// A loaded collection for one split.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The collection's name: the directory's last component (`scifact`).
    pub name: String,
    /// Every document in `corpus.jsonl`, in file order.
    pub corpus: Vec<Doc>,
    /// The queries of `queries.jsonl` that have at least one judgment in the split, in file
    /// order (SciFact's `queries.jsonl` holds train and test queries together).
    pub queries: Vec<Query>,
    /// The split's judgments; every id in it exists in `corpus` and `queries`.
    pub qrels: Qrels,
}

/// Loads the BEIR collection in `dir` with the judgments of `split` (`test`, `dev`, `train`).
///
/// # Errors
///
/// [`Error::Data`] when a file is missing (naming it and the expected layout) or a line is
/// malformed (naming file, line and problem); [`Error::Io`] when a file cannot be read.
///
/// ```no_run
/// # fn main() -> quarry::Result<()> {
/// let data = quarry::eval::beir::load(std::path::Path::new("eval-data/scifact"), "test")?;
/// println!("{}: {} docs, {} queries", data.name, data.corpus.len(), data.queries.len());
/// # Ok(())
/// # }
/// ```
pub fn load(dir: &Path, split: &str) -> Result<Dataset> {
    if !dir.is_dir() {
        return Err(Error::Data(format!(
            "{}: not a directory; expected a BEIR-format collection directory \
             (corpus.jsonl, queries.jsonl, qrels/<split>.tsv)",
            dir.display()
        )));
    }
    let corpus_path = dir.join("corpus.jsonl");
    let queries_path = dir.join("queries.jsonl");
    let qrels_path = dir.join("qrels").join(format!("{split}.tsv"));
    for path in [&corpus_path, &queries_path] {
        require_file(dir, path, None)?;
    }
    require_file(dir, &qrels_path, Some(split))?;

    let corpus = load_corpus(&corpus_path)?;
    let all_queries = load_queries(&queries_path)?;
    let doc_ids: HashSet<&str> = corpus.iter().map(|d| d.id.as_str()).collect();
    let query_ids: HashSet<&str> = all_queries.iter().map(|q| q.id.as_str()).collect();
    let qrels = load_qrels(&qrels_path, Some(&query_ids), Some(&doc_ids))?;
    let queries = all_queries
        .into_iter()
        .filter(|q| qrels.contains_key(&q.id))
        .collect();

    let name = dir
        .canonicalize()
        .ok()
        .as_deref()
        .unwrap_or(dir)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Dataset {
        name,
        corpus,
        queries,
        qrels,
    })
}

/// Fails with a message naming the missing file, the expected layout and, for a missing split,
/// the splits that do exist.
fn require_file(dir: &Path, path: &Path, split: Option<&str>) -> Result<()> {
    if path.is_file() {
        return Ok(());
    }
    let mut msg = format!(
        "{}: file not found; {} should be a BEIR-format collection directory \
         (corpus.jsonl, queries.jsonl, qrels/<split>.tsv)",
        path.display(),
        dir.display()
    );
    if let Some(split) = split {
        let mut found: Vec<String> = std::fs::read_dir(dir.join("qrels"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".tsv").map(str::to_owned)
            })
            .collect();
        found.sort();
        if found.is_empty() {
            msg.push_str(&format!("; no qrels/*.tsv found for split `{split}`"));
        } else {
            msg.push_str(&format!(
                "; split `{split}` not found, available: {}",
                found.join(", ")
            ));
        }
    }
    Err(Error::Data(msg))
}

/// Reads `corpus.jsonl`: one JSON object per line with `_id`, `text` and optional `title`.
///
/// # Errors
///
/// As [`load`], for this one file; duplicate `_id`s are errors.
pub fn load_corpus(path: &Path) -> Result<Vec<Doc>> {
    let mut docs = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for_each_line(path, |line_no, line| {
        let obj = parse_object(path, line_no, line)?;
        let id = get_id(path, line_no, &obj)?;
        let title = get_text(path, line_no, &obj, "title", false)?;
        let text = get_text(path, line_no, &obj, "text", true)?;
        check_unique(path, line_no, &mut seen, &id)?;
        docs.push(Doc { id, title, text });
        Ok(())
    })?;
    Ok(docs)
}

/// Reads `queries.jsonl`: one JSON object per line with `_id` and `text`.
///
/// # Errors
///
/// As [`load`], for this one file; duplicate `_id`s are errors.
pub fn load_queries(path: &Path) -> Result<Vec<Query>> {
    let mut queries = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for_each_line(path, |line_no, line| {
        let obj = parse_object(path, line_no, line)?;
        let id = get_id(path, line_no, &obj)?;
        let text = get_text(path, line_no, &obj, "text", true)?;
        check_unique(path, line_no, &mut seen, &id)?;
        queries.push(Query { id, text });
        Ok(())
    })?;
    Ok(queries)
}

/// The header BEIR writes on the first line of every qrels file.
const QRELS_HEADER: [&str; 3] = ["query-id", "corpus-id", "score"];

/// Reads a qrels TSV (`query-id`, `corpus-id`, integer `score`, header line first).
///
/// When `queries` / `docs` are given, a row naming an id outside them is an error. The same
/// (query, document) pair twice is an error too, even with equal scores: BEIR would keep the
/// last one silently.
///
/// # Errors
///
/// As [`load`], for this one file.
pub fn load_qrels(
    path: &Path,
    queries: Option<&HashSet<&str>>,
    docs: Option<&HashSet<&str>>,
) -> Result<Qrels> {
    let mut qrels = Qrels::new();
    let mut first_seen: HashMap<(String, String), usize> = HashMap::new();
    let mut header_seen = false;
    for_each_line(path, |line_no, line| {
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        if !header_seen {
            header_seen = true;
            if cols.len() == 3
                && cols
                    .iter()
                    .zip(QRELS_HEADER)
                    .all(|(c, h)| c.eq_ignore_ascii_case(h))
            {
                return Ok(());
            }
            return Err(data_err(
                path,
                line_no,
                format!(
                    "expected the header `query-id<TAB>corpus-id<TAB>score`, found `{}`",
                    shorten(line)
                ),
            ));
        }
        let (qid, did, score) =
            judgment(&cols, queries, docs).map_err(|e| data_err(path, line_no, e))?;
        let key = (qid.to_owned(), did.to_owned());
        if let Some(first) = first_seen.get(&key) {
            return Err(data_err(
                path,
                line_no,
                format!("duplicate judgment for query `{qid}`, document `{did}` (first on line {first})"),
            ));
        }
        first_seen.insert(key, line_no);
        qrels
            .entry(qid.to_owned())
            .or_default()
            .insert(did.to_owned(), score);
        Ok(())
    })?;
    if !header_seen {
        return Err(Error::Data(format!(
            "{}: empty qrels file; expected the header `query-id<TAB>corpus-id<TAB>score`",
            path.display()
        )));
    }
    Ok(qrels)
}

/// One qrels row's query id, document id and score, checked against the known ids.
fn judgment<'a>(
    cols: &[&'a str],
    queries: Option<&HashSet<&str>>,
    docs: Option<&HashSet<&str>>,
) -> std::result::Result<(&'a str, &'a str, i32), String> {
    let &[qid, did, score] = cols else {
        return Err(format!(
            "expected 3 tab-separated columns (query-id, corpus-id, score), found {}",
            cols.len()
        ));
    };
    if qid.is_empty() || did.is_empty() {
        return Err("empty query-id or corpus-id".to_owned());
    }
    let score: i32 = score
        .parse()
        .map_err(|_| format!("score `{}` is not an integer", shorten(score)))?;
    if queries.is_some_and(|known| !known.contains(qid)) {
        return Err(format!("query-id `{qid}` is not in queries.jsonl"));
    }
    if docs.is_some_and(|known| !known.contains(did)) {
        return Err(format!("corpus-id `{did}` is not in corpus.jsonl"));
    }
    Ok((qid, did, score))
}

/// Calls `f(line_number, line)` for each non-blank line, streaming; line endings (`\n`,
/// `\r\n`) and a UTF-8 byte-order mark on the first line are removed.
fn for_each_line(path: &Path, mut f: impl FnMut(usize, &str) -> Result<()>) -> Result<()> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(path, e))?;
        if n == 0 {
            return Ok(());
        }
        line_no += 1;
        let mut line = std::str::from_utf8(&buf)
            .map_err(|e| data_err(path, line_no, format!("not valid UTF-8 ({e})")))?;
        line = line.strip_suffix('\n').unwrap_or(line);
        line = line.strip_suffix('\r').unwrap_or(line);
        if line_no == 1 {
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
        }
        if line.trim().is_empty() {
            continue;
        }
        f(line_no, line)?;
    }
}

fn data_err(path: &Path, line_no: usize, msg: String) -> Error {
    Error::Data(format!("{}:{line_no}: {msg}", path.display()))
}

fn parse_object(path: &Path, line_no: usize, line: &str) -> Result<serde_json::Map<String, Value>> {
    match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(data_err(
            path,
            line_no,
            format!("expected a JSON object, found {}", kind(&other)),
        )),
        Err(e) => Err(data_err(path, line_no, format!("bad JSON: {e}"))),
    }
}

/// `_id` as text: a string is taken as is, a number in its JSON spelling (`12` → `"12"`).
fn get_id(path: &Path, line_no: usize, obj: &serde_json::Map<String, Value>) -> Result<String> {
    let id = match obj.get("_id") {
        None => return Err(data_err(path, line_no, "missing `_id`".to_owned())),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => {
            return Err(data_err(
                path,
                line_no,
                format!("`_id` must be a string or number, found {}", kind(other)),
            ))
        }
    };
    if id.trim().is_empty() {
        return Err(data_err(path, line_no, "empty `_id`".to_owned()));
    }
    Ok(id)
}

fn get_text(
    path: &Path,
    line_no: usize,
    obj: &serde_json::Map<String, Value>,
    field: &str,
    required: bool,
) -> Result<String> {
    match obj.get(field) {
        Some(Value::String(s)) => Ok(s.clone()),
        None | Some(Value::Null) if !required => Ok(String::new()),
        None => Err(data_err(path, line_no, format!("missing `{field}`"))),
        Some(other) => Err(data_err(
            path,
            line_no,
            format!("`{field}` must be a string, found {}", kind(other)),
        )),
    }
}

fn check_unique(
    path: &Path,
    line_no: usize,
    seen: &mut HashMap<String, usize>,
    id: &str,
) -> Result<()> {
    if let Some(first) = seen.get(id) {
        return Err(data_err(
            path,
            line_no,
            format!("duplicate `_id` `{id}` (first on line {first})"),
        ));
    }
    seen.insert(id.to_owned(), line_no);
    Ok(())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The first 60 characters of `s`, for quoting a bad value without flooding the terminal.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// Writes a collection into a fresh temp dir and returns it.
    fn collection(corpus: &str, queries: &str, qrels: &str) -> tempfile::TempDir {
        let dir = tempfile::Builder::new()
            .prefix("scifact-mini")
            .tempdir()
            .unwrap();
        fs::write(dir.path().join("corpus.jsonl"), corpus).unwrap();
        fs::write(dir.path().join("queries.jsonl"), queries).unwrap();
        fs::create_dir(dir.path().join("qrels")).unwrap();
        fs::write(dir.path().join("qrels/test.tsv"), qrels).unwrap();
        dir
    }

    const CORPUS: &str = r#"{"_id": "d1", "title": "Alpha", "text": "first doc", "metadata": {}}
{"_id": 2, "title": null, "text": "second doc"}
{"_id": "d3", "text": "third doc"}
"#;
    const QUERIES: &str = "{\"_id\": \"q1\", \"text\": \"alpha?\"}\r\n{\"_id\": 7, \"text\": \"second\"}\r\n\r\n{\"_id\": \"q9\", \"text\": \"unjudged\"}\r\n";
    const QRELS: &str = "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\t2\t0\n7\td3\t2\n";

    fn err_of(r: Result<Dataset>) -> String {
        match r {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn loads_a_valid_collection() {
        let dir = collection(CORPUS, QUERIES, QRELS);
        let data = load(dir.path(), "test").unwrap();
        assert!(data.name.starts_with("scifact-mini"));
        let ids: Vec<&str> = data.corpus.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["d1", "2", "d3"]);
        assert_eq!(data.corpus[0].full_text(), "Alpha first doc");
        assert_eq!(data.corpus[1].title, "");
        assert_eq!(data.corpus[1].full_text(), "second doc");
        assert_eq!(data.corpus[2].title, "");
        // q9 has no judgments in the split, so it is dropped; file order is kept.
        let q: Vec<&str> = data.queries.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(q, ["q1", "7"]);
        assert_eq!(data.qrels["q1"]["d1"], 1);
        assert_eq!(data.qrels["q1"]["2"], 0);
        assert_eq!(data.qrels["7"]["d3"], 2);
    }

    #[test]
    fn bad_json_names_file_and_line() {
        let corpus = format!("{CORPUS}{{\"_id\": \"d4\", \"text\": \n");
        let dir = collection(&corpus, QUERIES, QRELS);
        let msg = err_of(load(dir.path(), "test"));
        assert!(msg.contains("corpus.jsonl:4: bad JSON"), "{msg}");
    }

    #[test]
    fn non_object_line_is_an_error() {
        let dir = collection("[1, 2]\n", QUERIES, QRELS);
        let msg = err_of(load(dir.path(), "test"));
        assert!(
            msg.contains("corpus.jsonl:1: expected a JSON object, found an array"),
            "{msg}"
        );
    }

    #[test]
    fn missing_id_is_an_error() {
        let queries = "{\"_id\": \"q1\", \"text\": \"a\"}\n{\"text\": \"no id\"}\n";
        let dir = collection(CORPUS, queries, QRELS);
        let msg = err_of(load(dir.path(), "test"));
        assert!(msg.contains("queries.jsonl:2: missing `_id`"), "{msg}");
    }

    #[test]
    fn id_of_wrong_type_is_an_error() {
        let dir = collection("{\"_id\": true, \"text\": \"x\"}\n", QUERIES, QRELS);
        let msg = err_of(load(dir.path(), "test"));
        assert!(
            msg.contains("corpus.jsonl:1: `_id` must be a string or number, found a boolean"),
            "{msg}"
        );
    }

    #[test]
    fn missing_text_is_an_error() {
        let dir = collection("{\"_id\": \"d1\", \"title\": \"t\"}\n", QUERIES, QRELS);
        let msg = err_of(load(dir.path(), "test"));
        assert!(msg.contains("corpus.jsonl:1: missing `text`"), "{msg}");
    }

    #[test]
    fn duplicate_doc_id_is_an_error() {
        // "2" as a string collides with the numeric id 2.
        let corpus = format!("{CORPUS}{{\"_id\": \"2\", \"text\": \"again\"}}\n");
        let dir = collection(&corpus, QUERIES, QRELS);
        let msg = err_of(load(dir.path(), "test"));
        assert!(
            msg.contains("corpus.jsonl:4: duplicate `_id` `2` (first on line 2)"),
            "{msg}"
        );
    }

    #[test]
    fn duplicate_query_id_is_an_error() {
        let queries = "{\"_id\": \"q1\", \"text\": \"a\"}\n{\"_id\": \"q1\", \"text\": \"b\"}\n";
        let dir = collection(CORPUS, queries, QRELS);
        let msg = err_of(load(dir.path(), "test"));
        assert!(
            msg.contains("queries.jsonl:2: duplicate `_id` `q1` (first on line 1)"),
            "{msg}"
        );
    }

    #[test]
    fn qrels_wrong_column_count_is_an_error() {
        let dir = collection(CORPUS, QUERIES, "query-id\tcorpus-id\tscore\nq1 d1 1\n");
        let msg = err_of(load(dir.path(), "test"));
        assert!(
            msg.contains("test.tsv:2: expected 3 tab-separated columns"),
            "{msg}"
        );
        assert!(msg.contains("found 1"), "{msg}");
    }

    #[test]
    fn qrels_non_integer_score_is_an_error() {
        let dir = collection(CORPUS, QUERIES, "query-id\tcorpus-id\tscore\nq1\td1\t0.5\n");
        let msg = err_of(load(dir.path(), "test"));
        assert!(
            msg.contains("test.tsv:2: score `0.5` is not an integer"),
            "{msg}"
        );
    }

    #[test]
    fn qrels_without_header_is_an_error() {
        let dir = collection(CORPUS, QUERIES, "q1\td1\t1\n");
        let msg = err_of(load(dir.path(), "test"));
        assert!(msg.contains("test.tsv:1: expected the header"), "{msg}");
    }

    #[test]
    fn qrels_unknown_doc_or_query_is_an_error() {
        let dir = collection(
            CORPUS,
            QUERIES,
            "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\tnope\t1\n",
        );
        let msg = err_of(load(dir.path(), "test"));
        assert!(
            msg.contains("test.tsv:3: corpus-id `nope` is not in corpus.jsonl"),
            "{msg}"
        );

        let dir = collection(CORPUS, QUERIES, "query-id\tcorpus-id\tscore\nq2\td1\t1\n");
        let msg = err_of(load(dir.path(), "test"));
        assert!(
            msg.contains("test.tsv:2: query-id `q2` is not in queries.jsonl"),
            "{msg}"
        );
    }

    #[test]
    fn qrels_duplicate_pair_is_an_error() {
        let dir = collection(
            CORPUS,
            QUERIES,
            "query-id\tcorpus-id\tscore\nq1\td1\t1\n\nq1\td1\t2\n",
        );
        let msg = err_of(load(dir.path(), "test"));
        assert!(
            msg.contains(
                "test.tsv:4: duplicate judgment for query `q1`, document `d1` (first on line 2)"
            ),
            "{msg}"
        );
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let dir = collection(CORPUS, QUERIES, QRELS);
        fs::write(
            dir.path().join("queries.jsonl"),
            b"{\"_id\": \"q1\", \"text\": \"a\"}\n\xff\xfe\n",
        )
        .unwrap();
        let msg = err_of(load(dir.path(), "test"));
        assert!(msg.contains("queries.jsonl:2: not valid UTF-8"), "{msg}");
    }

    #[test]
    fn missing_files_say_which_and_the_layout() {
        let dir = collection(CORPUS, QUERIES, QRELS);
        fs::remove_file(dir.path().join("corpus.jsonl")).unwrap();
        let msg = err_of(load(dir.path(), "test"));
        assert!(msg.contains("corpus.jsonl: file not found"), "{msg}");
        assert!(msg.contains("BEIR-format"), "{msg}");

        let dir = collection(CORPUS, QUERIES, QRELS);
        let msg = err_of(load(dir.path(), "dev"));
        assert!(msg.contains("dev.tsv: file not found"), "{msg}");
        assert!(
            msg.contains("split `dev` not found, available: test"),
            "{msg}"
        );

        let msg = err_of(load(&dir.path().join("nope"), "test"));
        assert!(msg.contains("not a directory"), "{msg}");
    }

    #[test]
    fn byte_order_mark_and_crlf_are_tolerated() {
        let qrels = "\u{feff}query-id\tcorpus-id\tscore\r\nq1\td1\t1\r\n";
        let dir = collection(&format!("\u{feff}{CORPUS}"), QUERIES, qrels);
        let data = load(dir.path(), "test").unwrap();
        assert_eq!(data.corpus[0].id, "d1");
        assert_eq!(data.queries.len(), 1);
    }
}
