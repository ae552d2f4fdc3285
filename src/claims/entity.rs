//! Who an entity is, and which passages are about it.
//!
//! A passage belongs to an entity when it names the entity or one of its aliases (a phrase
//! query on the stemmed `text` field, so `DDN's` and `DDN-based` match), links to it
//! (`[[DDN]]`, `[[Competitors/DDN|…]]`), or when its note's `account`, `aliases`, an
//! `account/<name>` tag, or its title or file stem *equals* one of the names. A title that
//! merely contains the name does not bring in the note's other passages.
//!
//! Aliases come from the entity's own page: a note whose title or file stem is the entity
//! (`Competitors/DDN.md` with `aliases: [DataDirect Networks]`). Asking for an alias finds
//! the page too, so `quarry claims "DataDirect Networks"` is the same entity as `DDN`.

use super::aliases::Aliases;
use crate::index::{schema, Fields, Store};
use crate::{Error, Result};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery, TermSetQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, DocSet, Searcher, TantivyDocument, Term, TERMINATED};

/// An entity resolved against the index.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// The name as asked.
    pub name: String,
    /// The name to show: its `entities.toml` name, else its page's title, else as asked, so
    /// every name of one entity gives the same timeline.
    pub display: String,
    /// Every name it goes by: the one asked, its `entities.toml` names, its page's title and
    /// file stem, its aliases (deduplicated case-insensitively, the asked name first).
    pub names: Vec<String>,
    /// Paths of its own pages (notes whose title or stem is one of the names, or whose
    /// aliases hold one).
    pub pages: Vec<String>,
}

impl Entity {
    /// Resolves `name` with its page's names only (no `entities.toml`).
    pub fn resolve(store: &Store, searcher: &Searcher, name: &str) -> Result<Entity> {
        Entity::resolve_with(store, searcher, name, &Aliases::default())
    }

    /// Resolves `name`: its `entities.toml` names, then the pages of every name found
    /// (notes whose title or file stem is the name, or that list it in `aliases`), their
    /// titles, stems and aliases, then `entities.toml` once more for names the pages added.
    pub fn resolve_with(
        store: &Store,
        searcher: &Searcher,
        name: &str,
        aliases: &Aliases,
    ) -> Result<Entity> {
        let name = name.trim();
        if schema_tokens(name).is_empty() {
            return Err(Error::Query(format!(
                "'{name}' is not an entity name; give a word, as in `quarry claims DDN`"
            )));
        }
        let mut entity = Entity {
            name: name.to_string(),
            display: String::new(),
            names: vec![name.to_string()],
            pages: Vec::new(),
        };
        let mut listed = entity.add_listed(aliases);
        let f = &store.fields;
        let mut page_title = None;
        for (path, doc) in find_pages(store, searcher, &entity.names)? {
            let title = stored(&doc, f.title);
            if !title.trim().is_empty() {
                page_title.get_or_insert(title.clone());
            }
            entity.add_name(&title);
            entity.add_name(stem(&path));
            for alias in doc.get_all(f.alias).filter_map(|v| v.as_str()) {
                entity.add_name(alias);
            }
            entity.pages.push(path);
        }
        if listed.is_none() {
            listed = entity.add_listed(aliases);
        }
        entity.display = listed.or(page_title).unwrap_or_else(|| name.to_string());
        Ok(entity)
    }

    /// Adds the names of the `entities.toml` entries that know any of the entity's names;
    /// returns the first entry's name.
    fn add_listed(&mut self, aliases: &Aliases) -> Option<String> {
        let found: Vec<(String, Vec<String>)> = aliases
            .matching(&self.names)
            .into_iter()
            .map(|(n, all)| (n.to_string(), all.into_iter().map(str::to_string).collect()))
            .collect();
        for (_, all) in &found {
            for n in all {
                self.add_name(n);
            }
        }
        found.into_iter().next().map(|(n, _)| n)
    }

    fn add_name(&mut self, name: &str) {
        let name = name.trim();
        if name.is_empty() || schema_tokens(name).is_empty() {
            return;
        }
        if !self.names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            self.names.push(name.to_string());
        }
    }

    /// The query for the entity's passages (any of the ways in the module doc).
    pub fn query(&self, fields: &Fields, searcher: &Searcher) -> Result<Box<dyn Query>> {
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let lower: BTreeSet<String> = self.names.iter().map(|n| n.to_lowercase()).collect();
        for name in &self.names {
            if let Some(q) = phrase(fields.text, name) {
                any.push((Occur::Should, q));
            }
        }
        let mut keywords: Vec<Term> = Vec::new();
        for name in &lower {
            keywords.push(Term::from_field_text(fields.account, name));
            keywords.push(Term::from_field_text(fields.alias, name));
            if let Some(tag) = crate::note::normalise_tag(name) {
                keywords.push(Term::from_field_text(fields.tag, &format!("account/{tag}")));
            }
        }
        for link in terms_where(searcher, fields.link, |t| lower.contains(link_name(t)))? {
            keywords.push(Term::from_field_text(fields.link, &link));
        }
        for path in &self.pages {
            keywords.push(Term::from_field_text(fields.path, path));
        }
        any.push((Occur::Should, Box::new(TermSetQuery::new(keywords))));
        Ok(Box::new(BooleanQuery::new(any)))
    }
}

/// The pages of an entity with these names: notes that list one of them in `aliases`, whose
/// title is one (a phrase query finds titles containing it, the stored title decides), or
/// whose file stem is one (one term per note in the path dictionary, scanned once).
fn find_pages(
    store: &Store,
    searcher: &Searcher,
    names: &[String],
) -> Result<BTreeMap<String, TantivyDocument>> {
    let f = &store.fields;
    let lower: BTreeSet<String> = names.iter().map(|n| n.trim().to_lowercase()).collect();
    let mut pages: BTreeMap<String, TantivyDocument> = BTreeMap::new();
    for name in names {
        let name = name.trim();
        let lower = name.to_lowercase();
        for addr in searcher.search(&keyword(f.alias, &lower), &DocSetCollector)? {
            let doc: TantivyDocument = searcher.doc(addr)?;
            pages.entry(stored(&doc, f.path)).or_insert(doc);
        }
        if let Some(by_title) = phrase(f.title, name) {
            let mut seen = HashSet::new();
            for addr in searcher.search(&by_title, &DocSetCollector)? {
                let doc: TantivyDocument = searcher.doc(addr)?;
                let path = stored(&doc, f.path);
                if seen.insert(path.clone()) && stored(&doc, f.title).trim().to_lowercase() == lower
                {
                    pages.entry(path).or_insert(doc);
                }
            }
        }
    }
    for path in terms_where(searcher, f.path, |p| {
        lower.contains(&stem(p).to_lowercase())
    })? {
        let q = TermQuery::new(
            Term::from_field_text(f.path, &path),
            IndexRecordOption::Basic,
        );
        if let Some(addr) = searcher.search(&q, &DocSetCollector)?.into_iter().next() {
            let doc: TantivyDocument = searcher.doc(addr)?;
            pages.entry(path).or_insert(doc);
        }
    }
    Ok(pages)
}

/// The `quarry_en` tokens of a name.
fn schema_tokens(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    schema::en_analyzer()
        .token_stream(text)
        .process(&mut |t| out.push((t.position, t.text.clone())));
    out
}

/// A term query for one word, a phrase query for several; `None` when nothing is left.
fn phrase(field: tantivy::schema::Field, text: &str) -> Option<Box<dyn Query>> {
    let toks = schema_tokens(text);
    match toks.len() {
        0 => None,
        1 => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, &toks[0].1),
            IndexRecordOption::Basic,
        ))),
        _ => Some(Box::new(PhraseQuery::new_with_offset(
            toks.into_iter()
                .map(|(pos, t)| (pos, Term::from_field_text(field, &t)))
                .collect(),
        ))),
    }
}

fn keyword(field: tantivy::schema::Field, value: &str) -> TermQuery {
    TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    )
}

fn stored(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string()
}

/// File name without folder and extension.
fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// The entity a link target names: `competitors/ddn.md` → `ddn` (links are lowercased).
fn link_name(target: &str) -> &str {
    let last = target.rsplit('/').next().unwrap_or(target);
    last.strip_suffix(".md").unwrap_or(last).trim()
}

/// Terms of `field` (over all segments, deduplicated) for which `keep` holds.
fn terms_where(
    searcher: &Searcher,
    field: tantivy::schema::Field,
    keep: impl Fn(&str) -> bool,
) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted
            .terms()
            .stream()
            .map_err(|e| Error::Index(format!("reading terms: {e}")))?;
        while stream.advance() {
            if let Ok(t) = std::str::from_utf8(stream.key()) {
                if keep(t) {
                    out.insert(t.to_string());
                }
            }
        }
    }
    Ok(out)
}

/// One entity in `quarry claims` without an ENTITY.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct Known {
    /// The name, as written in the notes.
    pub name: String,
    /// Passages tied to it by account, link, `account/` tag or its own page (mentions in
    /// the text are not counted: those need a search per entity).
    pub passages: u64,
    /// Where the name was found: `account`, `link`, `tag`, `page`.
    pub sources: Vec<String>,
}

/// The entities the index knows: accounts, wiki-link targets (except links to dated notes),
/// `account/*` tags and entity pages (notes with aliases), with their passage counts, most passages first. One pass over
/// the term dictionaries and posting lists of those fields (no per-entity search); deleted
/// passages not yet merged away are skipped.
pub fn known(store: &Store, searcher: &Searcher) -> Result<Vec<Known>> {
    known_with(store, searcher, &Aliases::default())
}

/// [`known`], with the names of `entities.toml` merged: every name of an entry counts for
/// the entry, shown by the entry's name.
pub fn known_with(store: &Store, searcher: &Searcher, aliases: &Aliases) -> Result<Vec<Known>> {
    #[derive(Default)]
    struct Acc {
        display: Option<(u8, String)>,
        docs: HashSet<DocAddress>,
        sources: BTreeSet<&'static str>,
    }
    let f = &store.fields;
    let mut acc: HashMap<String, Acc> = HashMap::new();
    // Aliases point at their page's title, so `[[DataDirect Networks]]` counts for DDN.
    let mut redirect: HashMap<String, String> = HashMap::new();
    let mut pages: Vec<(String, String, Vec<DocAddress>)> = Vec::new();
    for (term, docs) in postings(searcher, f.alias, |_| true)? {
        let doc: TantivyDocument = searcher.doc(docs[0])?;
        let title = stored(&doc, f.title);
        if entity_key(&title).is_empty() {
            continue;
        }
        redirect.insert(entity_key(&term), entity_key(&title));
        redirect.insert(entity_key(stem(&stored(&doc, f.path))), entity_key(&title));
        pages.push((title, term, docs));
    }
    // `entities.toml` names point at the entry's name, which is shown before any other.
    let mut listed: HashMap<String, String> = HashMap::new();
    for (name, all) in aliases.entries() {
        let target = redirect
            .get(&entity_key(name))
            .cloned()
            .unwrap_or_else(|| entity_key(name));
        for n in all {
            redirect
                .entry(entity_key(n))
                .or_insert_with(|| target.clone());
        }
        listed.entry(target).or_insert_with(|| name.to_string());
    }
    let mut add = |name: &str, rank: u8, source: &'static str, docs: Vec<DocAddress>| {
        let mut key = entity_key(name);
        if key.is_empty() {
            return;
        }
        if let Some(k) = redirect.get(&key) {
            key = k.clone();
        }
        let (name, rank) = match listed.get(&key) {
            Some(n) => (n.as_str(), 0),
            None => (name, rank),
        };
        let a = acc.entry(key).or_default();
        // Prefer the spelling of a page title, then an account, then a link, then a tag.
        if a.display.as_ref().is_none_or(|(r, _)| rank < *r) {
            a.display = Some((rank, name.to_string()));
        }
        a.docs.extend(docs);
        a.sources.insert(source);
    };
    for (title, _, docs) in pages {
        add(&title, 0, "page", docs);
    }
    for (term, docs) in postings(searcher, f.account, |_| true)? {
        let name = original(searcher, f.account, &term, docs[0], |s| s.to_string())?;
        add(&name, 1, "account", docs);
    }
    for (term, docs) in postings(searcher, f.link, |_| true)? {
        let name = original(searcher, f.link, &term, docs[0], |s| {
            link_name(s).to_string()
        })?;
        // `[[2025-03-18 - CoreWeave debrief]]` links a meeting note, not an entity.
        if crate::date::Date::parse_prefix(&name).is_some() {
            continue;
        }
        add(&name, 2, "link", docs);
    }
    for (term, docs) in postings(searcher, f.tag, |t| t.starts_with("account/"))? {
        let tail = &term["account/".len()..];
        if tail.contains('/') {
            continue;
        }
        add(tail, 3, "tag", docs);
    }
    let mut out: Vec<Known> = acc
        .into_values()
        .filter(|a| !a.docs.is_empty())
        .map(|a| Known {
            name: a.display.map(|(_, n)| n).unwrap_or_default(),
            passages: a.docs.len() as u64,
            sources: a.sources.iter().map(|s| s.to_string()).collect(),
        })
        .collect();
    out.sort_by(|a, b| {
        b.passages
            .cmp(&a.passages)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(out)
}

/// Merge key of an entity name: lowercase, words joined by one space (`Acme-Robotics`,
/// `acme robotics` and `account/acme-robotics`'s tail are one entity).
fn entity_key(name: &str) -> String {
    super::aliases::key(name)
}

/// The stored value of `field` in the passage `addr` whose lowercase is `term` (keyword
/// fields are lowercased in the index; the stored value keeps the note's spelling).
fn original(
    searcher: &Searcher,
    field: tantivy::schema::Field,
    term: &str,
    addr: DocAddress,
    shape: impl Fn(&str) -> String,
) -> Result<String> {
    let doc: TantivyDocument = searcher.doc(addr)?;
    let name = doc
        .get_all(field)
        .filter_map(|v| v.as_str())
        .find(|v| v.to_lowercase() == term)
        .map_or_else(|| shape(term), &shape);
    Ok(name)
}

/// Every term of `field` that `keep` accepts, with the live passages holding it.
fn postings(
    searcher: &Searcher,
    field: tantivy::schema::Field,
    keep: impl Fn(&str) -> bool,
) -> Result<BTreeMap<String, Vec<DocAddress>>> {
    let mut out: BTreeMap<String, Vec<DocAddress>> = BTreeMap::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let inverted = segment.inverted_index(field)?;
        let alive = segment.alive_bitset();
        let mut stream = inverted
            .terms()
            .stream()
            .map_err(|e| Error::Index(format!("reading terms: {e}")))?;
        while stream.advance() {
            let Ok(term) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if !keep(term) {
                continue;
            }
            let mut docs = inverted
                .read_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)
                .map_err(|e| Error::Index(format!("reading postings: {e}")))?;
            let mut live = Vec::new();
            let mut doc = docs.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    live.push(DocAddress::new(ord as u32, doc));
                }
                doc = docs.advance();
            }
            if !live.is_empty() {
                out.entry(term.to_string()).or_default().extend(live);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_paths_and_links() {
        assert_eq!(stem("Competitors/DDN.md"), "DDN");
        assert_eq!(stem("a/2025-01-01 - x.y.md"), "2025-01-01 - x.y");
        assert_eq!(link_name("competitors/ddn"), "ddn");
        assert_eq!(link_name("ddn.md"), "ddn");
        assert_eq!(entity_key("Acme-Robotics"), "acme robotics");
        assert_eq!(entity_key(" Acme   robotics "), "acme robotics");
    }
}
