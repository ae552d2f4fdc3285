//! Reading and parsing one note file into the writer: the parallel step of indexing.
//! Every problem with a file is an [`Outcome::Skipped`] naming the reason (reported through
//! the run's `warn`), never an error for the run.

use super::documents;
use super::manifest::NoteEntry;
use super::schema::Fields;
use super::vectors::VectorStore;
use crate::note::{self, repair, Found};
use std::path::Path;
use std::sync::Mutex;
use tantivy::{IndexWriter, TantivyDocument, Term};

/// The unit of `--max-file-size`.
const MB: u64 = 1024 * 1024;

/// What became of one file.
pub(super) enum Outcome {
    /// Parsed and added.
    Indexed { key: String, entry: NoteEntry },
    /// Its mtime changed but its content did not: only the manifest entry is new.
    Touched { key: String, entry: NoteEntry },
    /// Not indexed, for the reason given (already reported), with the file's size and mtime.
    Skipped {
        key: String,
        reason: String,
        size: u64,
        mtime_ns: i128,
    },
}

/// Where [`Parser::process`] reports passages that still need a vector: the store to check
/// first and the list to add to.
pub(super) type Wanted<'a> = Option<(&'a VectorStore, &'a Mutex<Vec<(u64, String)>>)>;

/// What parsing one file needs; shared by the rayon threads (the writer is `Sync`).
pub(super) struct Parser<'a> {
    /// Largest file to read.
    pub(super) max_bytes: u64,
    pub(super) writer: &'a IndexWriter<TantivyDocument>,
    pub(super) fields: &'a Fields,
    pub(super) want: Wanted<'a>,
    pub(super) warn: &'a (dyn Fn(&str, &str) + Sync),
}

impl Parser<'_> {
    /// Reads one file (unless its content hash is unchanged since `old`), parses it and adds
    /// its passages to the writer, replacing the note's old documents.
    pub(super) fn process(&self, f: &Found, key: &str, old: Option<&NoteEntry>) -> Outcome {
        let (bytes, hash) = match self.read(f, key) {
            Ok(read) => read,
            Err(skipped) => return skipped,
        };
        let entry = |passages: u32| NoteEntry {
            size: bytes.len() as u64,
            mtime_ns: f.mtime_ns,
            hash,
            passages,
        };
        if let Some(old) = old.filter(|o| o.hash == hash) {
            return Outcome::Touched {
                key: key.to_string(),
                entry: entry(old.passages),
            };
        }
        match self.add(f, key, &bytes) {
            Ok(passages) => Outcome::Indexed {
                key: key.to_string(),
                entry: entry(passages),
            },
            Err(skipped) => skipped,
        }
    }

    /// A skip outcome, reported.
    fn skip(&self, f: &Found, key: &str, reason: String) -> Outcome {
        (self.warn)(&f.abs.display().to_string(), &reason);
        Outcome::Skipped {
            key: key.to_string(),
            reason,
            size: f.size,
            mtime_ns: f.mtime_ns,
        }
    }

    /// The file's bytes and their hash, within the size limit.
    fn read(&self, f: &Found, key: &str) -> std::result::Result<(Vec<u8>, u64), Outcome> {
        let max_bytes = self.max_bytes;
        if f.size > max_bytes {
            // `--max-file-size` counts MB of 1024 × 1024 bytes; say sizes in the same unit (a
            // 1.5 MB file used to be reported as "1 MB, over the 1 MB limit").
            return Err(self.skip(
                f,
                key,
                format!(
                    "file is {:.1} MB, over the {} MB limit (--max-file-size); skipped",
                    f.size as f64 / MB as f64,
                    max_bytes / MB
                ),
            ));
        }
        let bytes = match read_limited(&f.abs, max_bytes) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(self.skip(
                    f,
                    key,
                    "file vanished before it could be read; skipped".into(),
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
                let reason = format!(
                    "file grew over the {} MB limit while being read; skipped",
                    max_bytes / MB
                );
                return Err(self.skip(f, key, reason));
            }
            Err(e) => return Err(self.skip(f, key, format!("cannot read: {e}; skipped"))),
        };
        let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
        Ok((bytes, hash))
    }

    /// Decodes and parses the note and adds its documents; returns its passage count.
    fn add(&self, f: &Found, key: &str, bytes: &[u8]) -> std::result::Result<u32, Outcome> {
        let display = f.abs.display().to_string();
        let warn = self.warn;
        let (text, decoded) = match repair::decode(bytes) {
            Ok(t) => t,
            Err(repair::NotText::Binary) => {
                return Err(self.skip(
                    f,
                    key,
                    "binary file (NUL or control bytes), not a note; skipped".into(),
                ))
            }
        };
        if decoded == repair::Decoded::Windows1252 {
            warn(&display, "not valid UTF-8; read as Windows-1252");
        }
        let note = note::parse(&f.rel, &text);
        for w in &note.warnings {
            warn(&display, w);
        }
        if text.trim().is_empty() {
            warn(&display, "empty file; nothing to index");
        }
        self.writer
            .delete_term(Term::from_field_text(self.fields.key, key));
        let passages = note.passages.len() as u32;
        let mut missing = Vec::new();
        let root = root_of(f);
        for (doc, pid, input) in documents(&note, key, &root, self.fields) {
            if let Some((store, _)) = self.want {
                if !store.contains(pid) {
                    missing.push((pid, input));
                }
            }
            if let Err(e) = self.writer.add_document(doc) {
                return Err(self.skip(f, key, format!("index writer failed: {e}")));
            }
            crate::testpoint::reached("index-after-first-document");
        }
        if let Some((_, wanted)) = self.want {
            wanted
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(missing);
        }
        Ok(passages)
    }
}

/// The folder `f.rel` is relative to: its absolute path less the relative one (for a single
/// file given as a root, the file's folder).
fn root_of(f: &Found) -> String {
    let mut root = f.abs.clone();
    for _ in f.rel.split('/') {
        root.pop();
    }
    root.to_string_lossy().into_owned()
}

fn read_limited(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut buf = Vec::new();
    file.take(max + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            "too large",
        ));
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::super::schema;
    use super::super::DEFAULT_MAX_FILE_BYTES;
    use super::*;
    use std::path::PathBuf;

    fn ram_writer() -> (IndexWriter<TantivyDocument>, Fields) {
        let (schema, fields) = schema::build();
        let index = tantivy::Index::create_in_ram(schema);
        schema::register(&index);
        (
            index.writer_with_num_threads(1, 15_000_000).unwrap(),
            fields,
        )
    }

    fn parser<'a>(
        max_bytes: u64,
        writer: &'a IndexWriter<TantivyDocument>,
        fields: &'a Fields,
        warn: &'a (dyn Fn(&str, &str) + Sync),
    ) -> Parser<'a> {
        Parser {
            max_bytes,
            writer,
            fields,
            want: None,
            warn,
        }
    }

    fn found(abs: PathBuf, size: u64) -> Found {
        Found {
            root: 0,
            abs,
            rel: "gone.md".into(),
            size,
            mtime_ns: 0,
        }
    }

    fn skipped_reason(outcome: Outcome) -> String {
        match outcome {
            Outcome::Skipped { reason, .. } => reason,
            _ => panic!("expected the file to be skipped"),
        }
    }

    /// A file listed by the walk but deleted before it is read (a race no integration test
    /// can time) is a warning naming the file, not an error for the run.
    #[test]
    fn a_file_that_vanishes_after_listing_is_skipped_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let (writer, fields) = ram_writer();
        let warnings = Mutex::new(Vec::new());
        let warn = |p: &str, r: &str| warnings.lock().unwrap().push(format!("{p}: {r}"));
        let abs = dir.path().join("gone.md");
        let parser = parser(DEFAULT_MAX_FILE_BYTES, &writer, &fields, &warn);
        let out = parser.process(&found(abs.clone(), 10), "0:gone.md", None);
        assert!(skipped_reason(out).contains("vanished"));
        let w = warnings.into_inner().unwrap();
        assert_eq!(w.len(), 1);
        assert!(w[0].starts_with(&abs.display().to_string()), "{w:?}");
    }

    /// A file that grows past the limit between listing and reading is cut off at the limit
    /// (never read whole) and skipped.
    #[test]
    fn a_file_that_grows_past_the_limit_while_listed_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let abs = dir.path().join("grows.md");
        std::fs::write(&abs, vec![b'a'; 2 * MB as usize]).unwrap();
        let (writer, fields) = ram_writer();
        let parser = parser(MB, &writer, &fields, &|_, _| {});
        let out = parser.process(&found(abs, 10), "0:grows.md", None);
        assert!(skipped_reason(out).contains("grew over the 1 MB limit"));
    }

    #[test]
    fn size_messages_use_the_flag_unit() {
        let (writer, fields) = ram_writer();
        let parser = parser(MB, &writer, &fields, &|_, _| {});
        let out = parser.process(
            &found(PathBuf::from("/nonexistent/big.md"), 3 * MB / 2),
            "0:big.md",
            None,
        );
        assert_eq!(
            skipped_reason(out),
            "file is 1.5 MB, over the 1 MB limit (--max-file-size); skipped"
        );
    }
}
