//! The tantivy schema and the analyzers behind it.
//!
//! One tantivy document per passage. Free-text fields (`text`, `title`, `section`, `context`)
//! use the `en` analyzer: split on non-alphanumerics, Chinese, Japanese and Korean runs as
//! overlapping bigrams ([`super::cjk`]), lowercase, fold accents to ASCII, English
//! (Porter-style Snowball) stemming. Metadata fields are exact-match keywords;
//! `tag` is indexed once per hierarchy level (`type/customer` also as `type`), so a
//! hierarchical filter is one term lookup.

use super::cjk::CjkBigrams;
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer,
};
use tantivy::Index;

/// Name of the stemming analyzer.
pub const EN: &str = "quarry_en";
/// Name of the case-insensitive keyword analyzer.
pub const KEYWORD: &str = "quarry_kw";
/// Name of the analyzer for people's names: the whole name and each of its words
/// ([`super::names`]), so `--participant Priya` finds "Priya Raman".
pub const NAME: &str = "quarry_name";

/// Handles to every field.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `root:path`, unique per note; used to delete a note's passages.
    pub key: Field,
    /// Path relative to the root (exact, stored).
    pub path: Field,
    /// Note title (stemmed, stored).
    pub title: Field,
    /// Heading path joined with ` > ` (stemmed, stored).
    pub section: Field,
    /// Passage text (stemmed, stored).
    pub text: Field,
    /// Parent list items' text (stemmed, not stored).
    pub context: Field,
    /// Tags, one term per hierarchy level.
    pub tag: Field,
    /// The note's tags as written (stored only).
    pub tags: Field,
    /// Account (case-insensitive keyword, stored).
    pub account: Field,
    /// Participants (case-insensitive keyword, stored).
    pub participant: Field,
    /// Note aliases (case-insensitive keyword, stored).
    pub alias: Field,
    /// Wiki link targets in the passage (case-insensitive keyword, stored).
    pub link: Field,
    /// Note date (indexed, fast, stored; day precision at midnight UTC).
    pub date: Field,
    /// Passage kind.
    pub kind: Field,
    /// Task status character, for task lines.
    pub task: Field,
    /// First line, 1-based.
    pub line: Field,
    /// Last line, 1-based.
    pub line_end: Field,
    /// Hash of the embedding input, the key into the vector store.
    pub pid: Field,
    /// Front matter `source` (stored only; claims attribute passages with it).
    pub source: Field,
    /// Task status name: `open`, `done`, `proposed`, `cancelled` or the checkbox character.
    pub status: Field,
    /// Task owner (case-insensitive keyword, stored).
    pub owner: Field,
    /// Task due date (indexed, stored; encoded like `date`).
    pub due: Field,
    /// Task scheduled date.
    pub scheduled: Field,
    /// Task start date.
    pub start: Field,
    /// Task done date.
    pub done: Field,
    /// Task priority: `highest`, `high`, `medium`, `low`, `lowest`.
    pub priority: Field,
    /// The passage's own inline tags, one term per hierarchy level.
    pub passage_tag: Field,
    /// The passage's own inline tags (stored only).
    pub passage_tags: Field,
    /// The folder the note was indexed from, absolute (exact, stored).
    pub root: Field,
    /// The passage's Obsidian block id (case-insensitive keyword, stored).
    pub anchor: Field,
    /// Dataview fields of the passage and its note's front matter: `key` and `key=value`
    /// (case-insensitive keywords).
    pub meta: Field,
}

/// Builds the schema.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let en = |stored: bool| {
        let idx = TextFieldIndexing::default()
            .set_tokenizer(EN)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let opts = TextOptions::default().set_indexing_options(idx);
        if stored {
            opts.set_stored()
        } else {
            opts
        }
    };
    let day = || {
        DateOptions::default()
            .set_indexed()
            .set_stored()
            .set_precision(DateTimePrecision::Seconds)
    };
    let name = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(NAME)
                .set_index_option(IndexRecordOption::Basic),
        )
        .set_stored();
    let kw = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(KEYWORD)
                .set_index_option(IndexRecordOption::Basic),
        )
        .set_stored();
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        path: b.add_text_field("path", STRING | STORED),
        title: b.add_text_field("title", en(true)),
        section: b.add_text_field("section", en(true)),
        text: b.add_text_field("text", en(true)),
        context: b.add_text_field("context", en(false)),
        tag: b.add_text_field("tag", STRING),
        tags: b.add_text_field("tags", STORED),
        account: b.add_text_field("account", kw.clone()),
        participant: b.add_text_field("participant", name),
        alias: b.add_text_field("alias", kw.clone()),
        link: b.add_text_field("link", kw.clone()),
        date: b.add_date_field(
            "date",
            DateOptions::default()
                .set_indexed()
                .set_fast()
                .set_stored()
                .set_precision(DateTimePrecision::Seconds),
        ),
        kind: b.add_text_field("kind", STRING | STORED),
        task: b.add_text_field("task", STORED),
        line: b.add_u64_field("line", NumericOptions::default().set_stored()),
        line_end: b.add_u64_field("line_end", NumericOptions::default().set_stored()),
        pid: b.add_u64_field("pid", NumericOptions::default().set_fast()),
        source: b.add_text_field("source", STORED),
        status: b.add_text_field("status", STRING | STORED),
        owner: b.add_text_field("owner", kw.clone()),
        due: b.add_date_field("due", day()),
        scheduled: b.add_date_field("scheduled", day()),
        start: b.add_date_field("start", day()),
        done: b.add_date_field("done", day()),
        priority: b.add_text_field("priority", STRING | STORED),
        passage_tag: b.add_text_field("passage_tag", STRING),
        passage_tags: b.add_text_field("passage_tags", STORED),
        root: b.add_text_field("root", STRING | STORED),
        // Filters only, never scored by length: no field norms (a byte per passage each).
        anchor: b.add_text_field(
            "anchor",
            TextOptions::default()
                .set_indexing_options(
                    TextFieldIndexing::default()
                        .set_tokenizer(KEYWORD)
                        .set_index_option(IndexRecordOption::Basic)
                        .set_fieldnorms(false),
                )
                .set_stored(),
        ),
        meta: b.add_text_field(
            "meta",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(KEYWORD)
                    .set_index_option(IndexRecordOption::Basic)
                    .set_fieldnorms(false),
            ),
        ),
    };
    (b.build(), fields)
}

/// Looks the fields up in an opened index's schema.
pub fn fields_of(schema: &Schema) -> Option<Fields> {
    let f = |name: &str| schema.get_field(name).ok();
    Some(Fields {
        key: f("key")?,
        path: f("path")?,
        title: f("title")?,
        section: f("section")?,
        text: f("text")?,
        context: f("context")?,
        tag: f("tag")?,
        tags: f("tags")?,
        account: f("account")?,
        participant: f("participant")?,
        alias: f("alias")?,
        link: f("link")?,
        date: f("date")?,
        kind: f("kind")?,
        task: f("task")?,
        line: f("line")?,
        line_end: f("line_end")?,
        pid: f("pid")?,
        source: f("source")?,
        status: f("status")?,
        owner: f("owner")?,
        due: f("due")?,
        scheduled: f("scheduled")?,
        start: f("start")?,
        done: f("done")?,
        priority: f("priority")?,
        passage_tag: f("passage_tag")?,
        passage_tags: f("passage_tags")?,
        root: f("root")?,
        anchor: f("anchor")?,
        meta: f("meta")?,
    })
}

/// The stemming analyzer used for text fields and free-text queries.
pub fn en_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(CjkBigrams)
        .filter(RemoveLongFilter::limit(48))
        .filter(Possessives)
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The analyzer for prefixes: like [`en_analyzer`] but without stemming.
pub fn fold_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(CjkBigrams)
        .filter(Possessives)
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Registers quarry's analyzers on an index (needed after every open).
pub fn register(index: &Index) {
    index.tokenizers().register(EN, en_analyzer());
    index.tokenizers().register(
        KEYWORD,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
    index
        .tokenizers()
        .register(NAME, TextAnalyzer::from(super::names::NameTokenizer));
}

/// Every hierarchy level of a tag: `a/b/c` → `a`, `a/b`, `a/b/c`.
pub fn tag_levels(tag: &str) -> impl Iterator<Item = &str> {
    tag.match_indices('/')
        .map(move |(i, _)| &tag[..i])
        .chain(std::iter::once(tag))
}

/// Token filter for two things the Snowball stemmer gets wrong in our notes: plural
/// acronyms (`GPUs` → `GPU`, since Snowball keeps `gpus`) and the stray `s` that splitting
/// `Microsoft’s` leaves behind (dropped; positions keep their gap, so phrases still match).
#[derive(Clone, Copy)]
pub struct Possessives;

impl tantivy::tokenizer::TokenFilter for Possessives {
    type Tokenizer<T: tantivy::tokenizer::Tokenizer> = PossessivesFilter<T>;
    fn transform<T: tantivy::tokenizer::Tokenizer>(self, tokenizer: T) -> PossessivesFilter<T> {
        PossessivesFilter(tokenizer)
    }
}

/// The tokenizer [`Possessives`] wraps.
#[derive(Clone)]
pub struct PossessivesFilter<T>(T);

impl<T: tantivy::tokenizer::Tokenizer> tantivy::tokenizer::Tokenizer for PossessivesFilter<T> {
    type TokenStream<'a> = PossessivesStream<T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        PossessivesStream(self.0.token_stream(text))
    }
}

/// The token stream of [`Possessives`].
pub struct PossessivesStream<S>(S);

impl<S: tantivy::tokenizer::TokenStream> tantivy::tokenizer::TokenStream for PossessivesStream<S> {
    fn advance(&mut self) -> bool {
        loop {
            if !self.0.advance() {
                return false;
            }
            let text = &mut self.0.token_mut().text;
            if text == "s" || text == "S" {
                continue;
            }
            let b = text.as_bytes();
            if b.len() >= 3
                && b[b.len() - 1] == b's'
                && b[..b.len() - 1]
                    .iter()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && b[0].is_ascii_uppercase()
            {
                text.pop();
            }
            return true;
        }
    }
    fn token(&self) -> &tantivy::tokenizer::Token {
        self.0.token()
    }
    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        self.0.token_mut()
    }
}

/// A date as tantivy stores it (the schema's encoding of the `date` field, used by the
/// writer and by date filters alike). tantivy counts `i64` nanoseconds, so days before 1677
/// or after 2262 are clamped to the ends (no note date lies beyond them, see
/// [`crate::note::DATE_YEARS`]; `--since 1012-01-01` means "from the start"). Unclamped,
/// the conversion overflowed: a panic in debug builds, a wrong bound in release builds.
pub fn indexable(d: crate::date::Date) -> tantivy::DateTime {
    const LIMIT: i64 = i64::MAX / 1_000_000_000;
    tantivy::DateTime::from_timestamp_secs(d.unix_seconds().clamp(-LIMIT, LIMIT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_levels_are_prefixes() {
        assert_eq!(
            tag_levels("type/customer/big").collect::<Vec<_>>(),
            vec!["type", "type/customer", "type/customer/big"]
        );
        assert_eq!(tag_levels("x").collect::<Vec<_>>(), vec!["x"]);
    }

    #[test]
    fn analyzer_folds_and_stems() {
        let mut a = en_analyzer();
        let mut toks = Vec::new();
        a.token_stream("Microsoft’s Café scrambling GPUs")
            .process(&mut |t| toks.push(t.text.clone()));
        assert_eq!(toks, vec!["microsoft", "cafe", "scrambl", "gpu"]);
        toks.clear();
        a.token_stream("GPU plus bus Microsoft's")
            .process(&mut |t| toks.push(t.text.clone()));
        assert_eq!(toks, vec!["gpu", "plus", "bus", "microsoft"]);
    }
}
