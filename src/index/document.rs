//! A note's passages as tantivy documents: the one place that maps passage and note fields
//! onto the schema ([`super::schema`]).

use super::schema::{self, Fields};
use crate::note::obsidian;
use crate::note::Note;
use std::collections::BTreeMap;
use tantivy::TantivyDocument;

/// tantivy documents for a note's passages, each with its passage id and embedding input.
/// `root` is the absolute folder the note's path is relative to.
pub fn documents(
    note: &Note,
    key: &str,
    root: &str,
    fields: &Fields,
) -> Vec<(TantivyDocument, u64, String)> {
    let meta = &note.meta;
    // `note::parse` keeps dates inside what tantivy can store; clamp anyway, never overflow.
    let date = meta.date.map(schema::indexable);
    // The front matter's fields hold for every passage: their terms are made once per note.
    let note_meta = obsidian::meta_terms(&meta.fields);
    let mut levels: BTreeMap<&str, ()> = BTreeMap::new();
    for tag in &meta.tags {
        for level in schema::tag_levels(tag) {
            levels.insert(level, ());
        }
    }
    note.passages
        .iter()
        .map(|p| {
            let prepared = p.prepare(&meta.title);
            let section = &prepared.section;
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.key, key);
            doc.add_text(fields.path, &note.path);
            doc.add_text(fields.title, &meta.title);
            // Aliases are other names of the note: searchable as part of its title (the
            // stored title a hit shows is the first value).
            for alias in &meta.aliases {
                doc.add_text(fields.title, alias);
            }
            doc.add_text(fields.section, section);
            doc.add_text(fields.text, &p.text);
            if !p.context.is_empty() {
                doc.add_text(fields.context, &p.context);
            }
            for level in levels.keys() {
                doc.add_text(fields.tag, level);
            }
            for tag in &meta.tags {
                doc.add_text(fields.tags, tag);
            }
            if let Some(a) = &meta.account {
                doc.add_text(fields.account, a);
            }
            for x in &meta.participants {
                doc.add_text(fields.participant, x);
            }
            for x in &meta.aliases {
                doc.add_text(fields.alias, x);
            }
            for x in &p.links {
                doc.add_text(fields.link, x);
            }
            if let Some(d) = date {
                doc.add_date(fields.date, d);
            }
            doc.add_text(fields.kind, p.kind.as_str());
            if let Some(t) = p.task {
                doc.add_text(fields.task, t.to_string());
            }
            doc.add_u64(fields.line, u64::from(p.line_start));
            doc.add_u64(fields.line_end, u64::from(p.line_end));
            doc.add_u64(fields.pid, prepared.pid);
            if let Some(source) = &meta.source {
                doc.add_text(fields.source, source);
            }
            doc.add_text(fields.root, root);
            add_task_fields(&mut doc, fields, p);
            if let Some(a) = &p.anchor {
                doc.add_text(fields.anchor, a);
            }
            for term in &note_meta {
                doc.add_text(fields.meta, term);
            }
            for term in obsidian::meta_terms(&p.fields) {
                doc.add_text(fields.meta, term);
            }
            (doc, prepared.pid, prepared.embed_text)
        })
        .collect()
}

/// A passage's own tags and, for actions, its task metadata.
fn add_task_fields(doc: &mut TantivyDocument, fields: &Fields, p: &crate::note::Passage) {
    let mut levels: BTreeMap<&str, ()> = BTreeMap::new();
    for tag in &p.tags {
        doc.add_text(fields.passage_tags, tag);
        for level in schema::tag_levels(tag) {
            levels.insert(level, ());
        }
    }
    for level in levels.keys() {
        doc.add_text(fields.passage_tag, level);
    }
    let t = &p.task_info;
    if let Some(s) = &t.status {
        doc.add_text(fields.status, s);
    }
    if let Some(o) = &t.owner {
        doc.add_text(fields.owner, o);
    }
    for (field, date) in [
        (fields.due, t.due),
        (fields.scheduled, t.scheduled),
        (fields.start, t.start),
        (fields.done, t.done),
    ] {
        if let Some(d) = date {
            doc.add_date(field, schema::indexable(d));
        }
    }
    if let Some(p) = t.priority {
        doc.add_text(fields.priority, p);
    }
}
