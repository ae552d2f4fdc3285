//! Deterministic synthetic vaults for quarry's benchmarks and tests.
//!
//! A dev-only crate (`quarry-synth`): the benches, the examples and the integration tests
//! depend on it, the `quarry` binary and library do not. `gen_vault DIR N` (its binary)
//! writes a vault from the command line.
//!
//! [`generate`] writes `n` notes in the style of our users' real notes (see
//! `shared/seed-notes/`): YAML frontmatter with `type`, `title`, `date`, `account`,
//! `participants`, `source`, `tags`; a `# Title`; sections such as *Summary*, *Action Items*
//! (task lines `- [?]`, `- [ ]`, `- [x]`, `- [/]` with `@owner 📅 date` and `#task` tags),
//! *Decisions*, *Key Information*, *Claims*, *Discussion*; nested bullets, `[[wikilinks]]`,
//! inline `#tags`, now and then a table or a fenced code block. Every note has 15–40
//! passages and is 3–4 KB on average. Text is drawn from a hand-written vocabulary of a few
//! thousand words (nouns, verbs with their inflections, adjectives, adverbs, technical
//! terms, account, competitor and people names, numbers with units) through ~150 sentence
//! templates; content words are picked with Zipf–Mandelbrot weights and each note has a few
//! "focus" words it repeats, so term and document frequencies look like real text to BM25.
//!
//! Like real vaults, a minority of notes are damaged in the ways `note` must repair: about one
//! in ten is UTF-8 decoded as Mac Roman ("Microsoft‚Äôs", "üìÖ"), one in forty as
//! Windows-1252 ("â€™"), 3 % use CRLF line endings, 2 % start with a BOM; some use curly
//! apostrophes, some give `tags` as a string or flow list, `date` as a timestamp or no date
//! at all (then only the file name has it), some have an empty `account` and `account/` tag.
//!
//! # Layout
//!
//! Note `i` of seed `s` is always the same bytes at the same path, whatever the size of the
//! vault (a vault of `n` notes is the first `n` notes of every larger one), on any machine:
//! the only randomness is a SplitMix64 generator seeded from `(s, i)`, and no floating point
//! is used. Paths are `Folder/YYYY/MM/YYYY-MM-DD - Title.md` with `Folder` one of
//! `Customers/` (40 %), `Meetings/` (30 %), `Internal/` (18 %), `Competitors/` (12 %), so a
//! vault of 100 000 notes has at most ~700 notes in one folder. Dates spread evenly over
//! 2021-01-01..=2025-12-31 (note `i` falls on day `(997 i + c(s)) mod 1826`). File stems are
//! unique: the k-th note with the same title on the same day gets a ` (k)` suffix (k ≥ 2).
//!
//! # The planted note
//!
//! Exactly one note, index [`PLANTED_INDEX`] (= 0, so every vault of at least one note has
//! it), is the only note whose `account` is [`PLANTED_ACCOUNT`] (`"Zyxwv Labs"`, tag
//! `account/zyxwv-labs`) and the only note containing the word [`PLANTED_WORD`]
//! (`quuxplorer`, in one *Key Information* bullet and one action item). It lives under
//! `Customers/`; [`planted_path`] gives its relative path for a seed. Tests use it to check
//! that a filter matching one note in `n` finds it.
//!
//! ```no_run
//! use quarry_synth::{generate, SynthOptions};
//! let stats = generate(std::path::Path::new("/tmp/vault"), &SynthOptions { notes: 10_000, seed: 42 })?;
//! println!("{} notes, {} bytes", stats.notes, stats.bytes);
//! # Ok::<(), std::io::Error>(())
//! ```

#![warn(missing_docs)]

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use rayon::prelude::*;

/// I/O results; errors name the path they happened on.
pub type Result<T> = std::io::Result<T>;

/// `e` with `path` in its message, as quarry's own errors name the path.
fn io_error(path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthOptions {
    /// How many notes.
    pub notes: usize,
    /// The seed; the same `(notes, seed)` always gives the same bytes.
    pub seed: u64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            notes: 1000,
            seed: 42,
        }
    }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SynthStats {
    /// Notes written.
    pub notes: usize,
    /// Bytes written, all notes together.
    pub bytes: u64,
    /// Passages the notes should split into: list items (nested ones too), task lines and
    /// prose paragraphs, counted while writing them; the `**Date**` header block, the
    /// `*Source*` footer, tables and code blocks are not counted.
    pub passages_estimate: u64,
}

/// Index of the one note with account [`PLANTED_ACCOUNT`] and the word [`PLANTED_WORD`].
pub const PLANTED_INDEX: usize = 0;
/// The planted note's account (no other note mentions it).
pub const PLANTED_ACCOUNT: &str = "Zyxwv Labs";
/// A word that occurs in the planted note and nowhere else.
pub const PLANTED_WORD: &str = "quuxplorer";

/// Writes `opts.notes` notes into `dir` (created if missing; existing files with the same
/// names are overwritten, others are left alone) and says what it wrote.
pub fn generate(dir: &Path, opts: &SynthOptions) -> Result<SynthStats> {
    let seed = opts.seed;
    let n = opts.notes;
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    // Create the folders first (cheap: only the title stream is needed), then write the notes
    // in parallel without touching directories.
    let mut folders = BTreeSet::new();
    for i in 0..n {
        let h = head(i, seed);
        let (y, m, _) = civil_from_days(h.day);
        folders.insert((h.kind as u8, y, m));
    }
    for &(k, y, m) in &folders {
        let sub = dir
            .join(KINDS[k as usize].folder())
            .join(format!("{y:04}"))
            .join(format!("{m:02}"));
        std::fs::create_dir_all(&sub).map_err(|e| io_error(&sub, e))?;
    }
    let (bytes, passages) = (0..n)
        .into_par_iter()
        .with_min_len(32)
        .map(|i| -> Result<(u64, u64)> {
            let r = render(i, seed);
            let path = dir.join(&r.path);
            std::fs::write(&path, r.content.as_bytes()).map_err(|e| io_error(&path, e))?;
            Ok((r.content.len() as u64, r.passages))
        })
        .try_reduce(|| (0, 0), |a, b| Ok((a.0 + b.0, a.1 + b.1)))?;
    Ok(SynthStats {
        notes: n,
        bytes,
        passages_estimate: passages,
    })
}

/// Note `i` of the vault with `seed`: its path relative to the vault root (with `/`
/// separators) and its content. `generate` writes exactly this at exactly this path.
pub fn note(i: usize, seed: u64) -> (String, String) {
    let r = render(i, seed);
    (r.path, r.content)
}

/// The relative path of note `i` of the vault with `seed`, without making its body.
pub fn note_path(i: usize, seed: u64) -> String {
    let h = head(i, seed);
    path_of(&h, &stem(i, seed, &h))
}

/// The relative path of the planted note (see the module docs) for `seed`.
pub fn planted_path(seed: u64) -> String {
    note_path(PLANTED_INDEX, seed)
}

// ---------------------------------------------------------------------------------------
// Randomness: SplitMix64, integer-only, so output is the same on every platform.

const STREAM_HEAD: u64 = 0x4845_4144;
const STREAM_BODY: u64 = 0x424f_4459;

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64, i: usize) -> Rng {
        Rng(mix(seed
            ^ mix(
                stream.wrapping_mul(0xD6E8_FEB8_6659_FD93) ^ mix(i as u64)
            )))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((self.next() as u128 * n as u128) >> 64) as usize
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    /// True with probability `pct`/100.
    fn pct(&mut self, pct: usize) -> bool {
        self.below(100) < pct
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Zipf–Mandelbrot weights `1/(rank+3)` as a cumulative table.
struct Zipf {
    cum: Vec<u32>,
}

impl Zipf {
    fn new(len: usize) -> Zipf {
        let mut acc = 0u32;
        let cum = (0..len)
            .map(|r| {
                acc += (1u32 << 20) / (r as u32 + 3);
                acc
            })
            .collect();
        Zipf { cum }
    }
    fn sample(&self, rng: &mut Rng) -> usize {
        let total = *self.cum.last().expect("non-empty list");
        let x = rng.below(total as usize) as u32;
        self.cum.partition_point(|&c| c <= x)
    }
}

/// A word list sampled with Zipf weights in the order written.
struct List {
    items: Vec<&'static str>,
    zipf: Zipf,
}

impl List {
    fn new(items: Vec<&'static str>) -> List {
        let mut seen = std::collections::HashSet::new();
        let items: Vec<_> = items.into_iter().filter(|w| seen.insert(*w)).collect();
        assert!(!items.is_empty());
        let zipf = Zipf::new(items.len());
        List { items, zipf }
    }
    fn words(s: &'static str) -> List {
        List::new(s.split_whitespace().collect())
    }
    fn phrases(s: &'static str) -> List {
        List::new(
            s.split(['|', '\n'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect(),
        )
    }
    fn z(&self, rng: &mut Rng) -> &'static str {
        self.items[self.zipf.sample(rng)]
    }
    fn zi(&self, rng: &mut Rng) -> usize {
        self.zipf.sample(rng)
    }
    fn len(&self) -> usize {
        self.items.len()
    }
}

// ---------------------------------------------------------------------------------------
// Dates (days since 1970-01-01, proleptic Gregorian; H. Hinnant's algorithms).

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn push_date(out: &mut String, day: i64) {
    let (y, m, d) = civil_from_days(day);
    push_num(out, y as u64, 4);
    out.push('-');
    push_num(out, m as u64, 2);
    out.push('-');
    push_num(out, d as u64, 2);
}

fn date_string(day: i64) -> String {
    let mut s = String::with_capacity(10);
    push_date(&mut s, day);
    s
}

/// Appends `v` in decimal, zero-padded to `width`.
fn push_num(out: &mut String, v: u64, width: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for _ in (buf.len() - i)..width {
        out.push('0');
    }
    out.push_str(std::str::from_utf8(&buf[i..]).expect("digits"));
}

/// Days covered: 2021-01-01..=2025-12-31.
const DAYS: usize = 1826;

fn first_day() -> i64 {
    days_from_civil(2021, 1, 1)
}

fn day_of(i: usize, seed: u64) -> i64 {
    let off = (mix(seed ^ 0xDA7E) % DAYS as u64) as usize;
    first_day() + ((i % DAYS) * 997 % DAYS + off) as i64 % DAYS as i64
}

// ---------------------------------------------------------------------------------------
// Note heads: folder, date, title (cheap; used for paths and links).

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Customer,
    Meeting,
    Competitor,
    Internal,
}

const KINDS: [Kind; 4] = [
    Kind::Customer,
    Kind::Meeting,
    Kind::Competitor,
    Kind::Internal,
];

impl Kind {
    fn folder(self) -> &'static str {
        match self {
            Kind::Customer => "Customers",
            Kind::Meeting => "Meetings",
            Kind::Competitor => "Competitors",
            Kind::Internal => "Internal",
        }
    }
    fn type_name(self) -> &'static str {
        match self {
            Kind::Customer => "customer",
            Kind::Meeting => "meeting",
            Kind::Competitor => "competitive",
            Kind::Internal => "internal",
        }
    }
}

/// Everything about a note that its path depends on.
struct Head {
    kind: Kind,
    day: i64,
    /// Title template index within the kind's templates.
    tmpl: usize,
    /// The account (index into ACCOUNTS; `usize::MAX` = planted), if any.
    account: Option<usize>,
    competitor: usize,
    person: usize,
    team: usize,
    topics: [usize; 3],
}

const PLANTED: usize = usize::MAX;

fn head(i: usize, seed: u64) -> Head {
    let v = vocab();
    let mut r = Rng::new(seed, STREAM_HEAD, i);
    let kind = match r.below(100) {
        0..=39 => Kind::Customer,
        40..=69 => Kind::Meeting,
        70..=87 => Kind::Internal,
        _ => Kind::Competitor,
    };
    let kind = if i == PLANTED_INDEX {
        Kind::Customer
    } else {
        kind
    };
    let ntmpl = v.titles[kind as usize].len();
    let tmpl = if i == PLANTED_INDEX {
        0
    } else {
        r.below(ntmpl)
    };
    let account = v.accounts.zi(&mut r);
    let competitor = v.competitors.zi(&mut r);
    let person = v.people.zi(&mut r);
    let team = v.teams.zi(&mut r);
    let tl = &v.title_topics[kind as usize];
    let mut topics = [tl.zi(&mut r), tl.zi(&mut r), tl.zi(&mut r)];
    if topics[1] == topics[0] {
        topics[1] = (topics[0] + 1) % tl.len();
    }
    if topics[2] == topics[0] || topics[2] == topics[1] {
        topics[2] = (topics[0].max(topics[1]) + 1) % tl.len();
    }
    let account = match kind {
        _ if i == PLANTED_INDEX => Some(PLANTED),
        Kind::Customer | Kind::Meeting => Some(account),
        Kind::Competitor if r.pct(50) => Some(account),
        _ => None,
    };
    Head {
        kind,
        day: day_of(i, seed),
        tmpl,
        account,
        competitor,
        person,
        team,
        topics,
    }
}

fn account_name(a: usize) -> &'static str {
    if a == PLANTED {
        PLANTED_ACCOUNT
    } else {
        vocab().accounts.items[a]
    }
}

/// The name a title starts with; titles of notes with different leads never collide.
fn lead(h: &Head) -> &'static str {
    let v = vocab();
    match h.kind {
        Kind::Customer | Kind::Meeting => account_name(h.account.unwrap_or(0)),
        Kind::Competitor => v.competitors.items[h.competitor],
        Kind::Internal => v.teams.items[h.team],
    }
}

fn title(h: &Head) -> String {
    let v = vocab();
    let tmpl = &v.titles[h.kind as usize][h.tmpl];
    let tl = &v.title_topics[h.kind as usize];
    let mut out = String::with_capacity(96);
    for piece in tmpl {
        match piece {
            TitlePiece::Lit(s) => out.push_str(s),
            TitlePiece::Account => out.push_str(account_name(h.account.unwrap_or(0))),
            TitlePiece::Competitor => out.push_str(v.competitors.items[h.competitor]),
            TitlePiece::Person => out.push_str(v.people.items[h.person]),
            TitlePiece::Team => out.push_str(v.teams.items[h.team]),
            TitlePiece::Topic(k) => out.push_str(tl.items[h.topics[*k]]),
        }
    }
    // Titles start with a capital letter.
    if let Some(c) = out.get(0..1) {
        if c.as_bytes()[0].is_ascii_lowercase() {
            out[0..1].make_ascii_uppercase();
        }
    }
    out
}

/// `YYYY-MM-DD - Title`, with ` (k)` added when `k - 1` earlier notes on the same day have
/// the same title (those are exactly the notes `i - DAYS`, `i - 2 DAYS`, ...), so stems are
/// unique: the k-th note with a title on a day is the only one with that `k`.
fn stem(i: usize, seed: u64, h: &Head) -> String {
    let t = title(h);
    let my_lead = lead(h);
    let mut clashes = 0u64;
    let mut e = i;
    while e >= DAYS {
        e -= DAYS;
        let eh = head(e, seed);
        if lead(&eh) == my_lead && title(&eh) == t {
            clashes += 1;
        }
    }
    let mut s = String::with_capacity(t.len() + 20);
    push_date(&mut s, h.day);
    s.push_str(" - ");
    s.push_str(&t);
    if clashes > 0 {
        s.push_str(" (");
        push_num(&mut s, clashes + 1, 1);
        s.push(')');
    }
    s
}

fn path_of(h: &Head, stem: &str) -> String {
    let (y, m, _) = civil_from_days(h.day);
    let mut p = String::with_capacity(stem.len() + 32);
    p.push_str(h.kind.folder());
    p.push('/');
    push_num(&mut p, y as u64, 4);
    p.push('/');
    push_num(&mut p, m as u64, 2);
    p.push('/');
    p.push_str(stem);
    p.push_str(".md");
    p
}

fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

// ---------------------------------------------------------------------------------------
// Vocabulary and templates, parsed once.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// The note's account (mostly), or another account.
    Account,
    /// Some other account.
    OtherAccount,
    /// The note's competitor (mostly), or another one.
    Competitor,
    Person,
    Us,
    Product,
    Noun,
    Nouns,
    Adj,
    Adv,
    Verb,
    Verbs,
    Verbed,
    VerbPp,
    Verbing,
    Tech,
    Np,
    Nps,
    ANp,
    Qty,
    Capacity,
    Perf,
    Money,
    Pct,
    Power,
    AAdj,
    Quarter,
    Date,
    Link,
    Team,
    Topic,
    Span,
    Period,
}

enum Piece {
    Lit(&'static str),
    Slot(Slot),
}

enum TitlePiece {
    Lit(&'static str),
    Account,
    Competitor,
    Person,
    Team,
    Topic(usize),
}

type Template = Vec<Piece>;

struct Verb {
    base: &'static str,
    s: String,
    past: String,
    pp: String,
    ing: String,
}

struct Vocab {
    nouns: List,
    plurals: Vec<String>,
    verbs: Vec<Verb>,
    verb_zipf: Zipf,
    adjs: List,
    advs: List,
    techs: List,
    topics: List,
    accounts: List,
    competitors: List,
    people: List,
    teams: List,
    products: List,
    title_topics: [List; 4],
    titles: [Vec<Vec<TitlePiece>>; 4],
    facts: Vec<Template>,
    summaries: Vec<Template>,
    actions: Vec<Template>,
    decisions: Vec<Template>,
    claims: Vec<Template>,
    questions: Vec<Template>,
    risks: Vec<Template>,
    subs: Vec<Template>,
    internal: Vec<Template>,
}

fn vocab() -> &'static Vocab {
    static V: OnceLock<Vocab> = OnceLock::new();
    V.get_or_init(Vocab::build)
}

fn parse_template(t: &'static str) -> Template {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            out.push(Piece::Lit(&rest[..open]));
        }
        let close = rest[open..].find('}').expect("closed slot") + open;
        let slot = match &rest[open + 1..close] {
            "A" => Slot::Account,
            "A2" => Slot::OtherAccount,
            "C" => Slot::Competitor,
            "P" => Slot::Person,
            "U" => Slot::Us,
            "PR" => Slot::Product,
            "N" => Slot::Noun,
            "Ns" => Slot::Nouns,
            "J" => Slot::Adj,
            "R" => Slot::Adv,
            "V" => Slot::Verb,
            "Vs" => Slot::Verbs,
            "Vd" => Slot::Verbed,
            "Vn" => Slot::VerbPp,
            "Vg" => Slot::Verbing,
            "T" => Slot::Tech,
            "NP" => Slot::Np,
            "NPs" => Slot::Nps,
            "aNP" => Slot::ANp,
            "Q" => Slot::Qty,
            "CAP" => Slot::Capacity,
            "PERF" => Slot::Perf,
            "MONEY" => Slot::Money,
            "PCT" => Slot::Pct,
            "MW" => Slot::Power,
            "aJ" => Slot::AAdj,
            "QT" => Slot::Quarter,
            "D" => Slot::Date,
            "L" => Slot::Link,
            "M" => Slot::Team,
            "TOP" => Slot::Topic,
            "W" => Slot::Span,
            "PER" => Slot::Period,
            other => panic!("unknown slot {{{other}}} in template {t:?}"),
        };
        out.push(Piece::Slot(slot));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Lit(rest));
    }
    out
}

fn parse_title(t: &'static str) -> Vec<TitlePiece> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            out.push(TitlePiece::Lit(&rest[..open]));
        }
        let close = rest[open..].find('}').expect("closed slot") + open;
        out.push(match &rest[open + 1..close] {
            "A" => TitlePiece::Account,
            "C" => TitlePiece::Competitor,
            "P" => TitlePiece::Person,
            "M" => TitlePiece::Team,
            "U" => TitlePiece::Lit("VAST"),
            "T1" => TitlePiece::Topic(0),
            "T2" => TitlePiece::Topic(1),
            "T3" => TitlePiece::Topic(2),
            other => panic!("unknown title slot {{{other}}} in {t:?}"),
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(TitlePiece::Lit(rest));
    }
    out
}

fn templates(s: &'static str) -> Vec<Template> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(parse_template)
        .collect()
}

fn title_templates(s: &'static str) -> Vec<Vec<TitlePiece>> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(parse_title)
        .collect()
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

fn plural(n: &str) -> String {
    if let Some(base) = n.strip_suffix('*') {
        return base.to_string();
    }
    if let Some((_, p)) = n.split_once('>') {
        return p.to_string();
    }
    let b = n.as_bytes();
    if n.ends_with('s')
        || n.ends_with('x')
        || n.ends_with('z')
        || n.ends_with("ch")
        || n.ends_with("sh")
    {
        format!("{n}es")
    } else if n.ends_with('y') && b.len() > 1 && !is_vowel(b[b.len() - 2]) {
        format!("{}ies", &n[..n.len() - 1])
    } else {
        format!("{n}s")
    }
}

fn noun_base(n: &'static str) -> &'static str {
    let n = n.strip_suffix('*').unwrap_or(n);
    n.split_once('>').map_or(n, |(s, _)| s)
}

/// Parses `base`, `base+` (doubles its last consonant) or `base[+]/past/pp`.
fn verb(spec: &'static str) -> Verb {
    let mut parts = spec.split('/');
    let b = parts.next().expect("verb");
    let (base, dbl) = match b.strip_suffix('+') {
        Some(b) => (b, true),
        None => (b, false),
    };
    let bytes = base.as_bytes();
    let last = *bytes.last().expect("non-empty verb");
    let cons_y = last == b'y' && bytes.len() > 1 && !is_vowel(bytes[bytes.len() - 2]);
    let s = if base.ends_with('s')
        || base.ends_with('x')
        || base.ends_with('z')
        || base.ends_with("ch")
        || base.ends_with("sh")
    {
        format!("{base}es")
    } else if cons_y {
        format!("{}ies", &base[..base.len() - 1])
    } else {
        format!("{base}s")
    };
    let regular_past = if dbl {
        format!("{base}{}ed", last as char)
    } else if last == b'e' {
        format!("{base}d")
    } else if cons_y {
        format!("{}ied", &base[..base.len() - 1])
    } else {
        format!("{base}ed")
    };
    let ing = if let Some(stem) = base.strip_suffix("ie") {
        format!("{stem}ying")
    } else if last == b'e'
        && !base.ends_with("ee")
        && !base.ends_with("ye")
        && !base.ends_with("oe")
    {
        format!("{}ing", &base[..base.len() - 1])
    } else if dbl {
        format!("{base}{}ing", last as char)
    } else {
        format!("{base}ing")
    };
    let past = parts.next().map_or(regular_past.clone(), str::to_string);
    let pp = parts.next().map_or(past.clone(), str::to_string);
    Verb {
        base,
        s,
        past,
        pp,
        ing,
    }
}

impl Vocab {
    fn build() -> Vocab {
        let nouns = List::new(NOUNS.split_whitespace().collect());
        let plurals = nouns.items.iter().map(|n| plural(n)).collect();
        let verbs: Vec<Verb> = {
            let mut seen = std::collections::HashSet::new();
            VERBS
                .split_whitespace()
                .filter(|v| seen.insert(*v))
                .map(verb)
                .collect()
        };
        let verb_zipf = Zipf::new(verbs.len());
        Vocab {
            nouns,
            plurals,
            verbs,
            verb_zipf,
            adjs: List::words(ADJECTIVES),
            advs: List::words(ADVERBS),
            techs: List::phrases(TECH),
            topics: List::phrases(TOPICS),
            accounts: List::phrases(ACCOUNTS),
            competitors: List::phrases(COMPETITORS),
            people: List::phrases(PEOPLE),
            teams: List::phrases(TEAMS),
            products: List::phrases(PRODUCTS),
            title_topics: [
                List::phrases(CUSTOMER_TOPICS),
                List::phrases(MEETING_TOPICS),
                List::phrases(COMPETITOR_TOPICS),
                List::phrases(INTERNAL_TOPICS),
            ],
            titles: [
                title_templates(CUSTOMER_TITLES),
                title_templates(MEETING_TITLES),
                title_templates(COMPETITOR_TITLES),
                title_templates(INTERNAL_TITLES),
            ],
            facts: templates(FACTS),
            summaries: templates(SUMMARIES),
            actions: templates(ACTIONS),
            decisions: templates(DECISIONS),
            claims: templates(CLAIMS),
            questions: templates(QUESTIONS),
            risks: templates(RISKS),
            subs: templates(SUBS),
            internal: templates(INTERNAL),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Rendering a note.

struct Rendered {
    path: String,
    content: String,
    passages: u64,
}

/// How a note's text is damaged, like real vaults.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Damage {
    None,
    MacRoman,
    Cp1252,
}

struct Writer<'a> {
    v: &'static Vocab,
    r: Rng,
    out: String,
    passages: u64,
    h: &'a Head,
    /// Words the note keeps coming back to.
    focus_nouns: [usize; 6],
    focus_techs: [usize; 3],
    focus_topic: usize,
    attendees: Vec<usize>,
    curly_pct: usize,
    /// Blank lines between items, like generated transcript notes.
    airy: bool,
    /// The template used last (not used twice in a row).
    last_template: usize,
}

impl Writer<'_> {
    fn account(&mut self) -> &'static str {
        match self.h.account {
            Some(a) if self.r.pct(75) => account_name(a),
            _ => self.v.accounts.z(&mut self.r),
        }
    }

    fn competitor(&mut self) -> &'static str {
        if self.h.kind == Kind::Competitor && self.r.pct(75) || self.r.pct(30) {
            self.v.competitors.items[self.h.competitor]
        } else {
            self.v.competitors.z(&mut self.r)
        }
    }

    fn person(&mut self) -> &'static str {
        if !self.attendees.is_empty() && self.r.pct(60) {
            let k = *self.r.pick(&self.attendees);
            self.v.people.items[k]
        } else {
            self.v.people.z(&mut self.r)
        }
    }

    fn noun_index(&mut self) -> usize {
        if self.r.pct(30) {
            *self.r.pick(&self.focus_nouns)
        } else {
            self.v.nouns.zi(&mut self.r)
        }
    }

    fn noun(&mut self) {
        let k = self.noun_index();
        self.out.push_str(noun_base(self.v.nouns.items[k]));
    }

    fn nouns(&mut self) {
        let k = self.noun_index();
        self.out.push_str(&self.v.plurals[k]);
    }

    fn tech(&mut self) {
        let t = if self.r.pct(40) {
            self.v.techs.items[*self.r.pick(&self.focus_techs)]
        } else {
            self.v.techs.z(&mut self.r)
        };
        self.out.push_str(t);
    }

    fn verb(&mut self) -> &'static Verb {
        &self.v.verbs[self.v.verb_zipf.sample(&mut self.r)]
    }

    /// A noun phrase: noun, adjective noun, noun noun, tech noun, or a topic.
    fn np(&mut self, plural: bool) {
        match self.r.below(10) {
            0..=2 => {}
            3..=5 => {
                self.out.push_str(self.v.adjs.z(&mut self.r));
                self.out.push(' ');
            }
            6 => {
                self.noun();
                self.out.push(' ');
            }
            7 | 8 => {
                self.tech();
                self.out.push(' ');
            }
            _ if !plural => {
                let t = if self.r.pct(25) {
                    self.v.topics.items[self.focus_topic]
                } else {
                    self.v.topics.z(&mut self.r)
                };
                self.out.push_str(t);
                return;
            }
            _ => {
                self.out.push_str(self.v.adjs.z(&mut self.r));
                self.out.push(' ');
            }
        }
        if plural {
            self.nouns()
        } else {
            self.noun()
        }
    }

    /// A quantity of kind `k` (0..16): capacity, throughput, money, percent, power...
    fn qty(&mut self, k: usize) {
        let r = &mut self.r;
        let o = &mut self.out;
        match k {
            0 => {
                push_num(o, r.range(1, 120) as u64, 1);
                o.push_str(" PB");
            }
            1 => {
                push_num(o, r.range(1, 9) as u64, 1);
                o.push('.');
                push_num(o, r.below(10) as u64, 1);
                o.push_str(" EB");
            }
            2 => {
                push_num(o, r.range(2, 99) as u64 * 10, 1);
                o.push_str(" GB/s");
            }
            3 => {
                push_num(o, r.range(1, 40) as u64, 1);
                o.push('.');
                push_num(o, r.below(10) as u64, 1);
                o.push_str(" TB/s");
            }
            4 => {
                push_num(o, r.range(1, 64) as u64 * 512, 1);
                o.push_str(" GPUs");
            }
            5 => {
                push_num(o, r.range(2, 200) as u64, 1);
                o.push_str("k GPUs");
            }
            6 => {
                o.push('$');
                push_num(o, r.range(1, 95) as u64, 1);
                o.push('.');
                push_num(o, r.below(10) as u64, 1);
                o.push('M');
            }
            7 => {
                o.push('$');
                push_num(o, r.range(1, 300) as u64, 1);
                o.push('B');
            }
            8 => {
                push_num(o, r.range(2, 95) as u64, 1);
                o.push('%');
            }
            9 => {
                push_num(o, r.range(5, 900) as u64, 1);
                o.push_str(" MW");
            }
            10 => {
                push_num(o, r.range(2, 400) as u64, 1);
                o.push_str(" racks");
            }
            11 => {
                push_num(o, r.range(8, 4000) as u64, 1);
                o.push_str(" nodes");
            }
            12 => {
                push_num(o, r.range(1, 250) as u64, 1);
                o.push_str(" ms");
            }
            13 => {
                push_num(o, r.range(2, 20) as u64, 1);
                o.push('x');
            }
            14 => {
                push_num(o, r.range(1, 60) as u64, 1);
                o.push_str("M IOPS");
            }
            _ => {
                push_num(o, r.range(20, 900) as u64, 1);
                o.push_str(" TB");
            }
        }
    }

    fn quarter(&mut self) {
        let (y, _, _) = civil_from_days(self.h.day);
        match self.r.below(5) {
            0 | 1 => {
                self.out.push('Q');
                push_num(&mut self.out, self.r.range(1, 4) as u64, 1);
            }
            2 => {
                self.out.push('Q');
                push_num(&mut self.out, self.r.range(1, 4) as u64, 1);
                self.out.push(' ');
                push_num(&mut self.out, (y + self.r.below(2) as i64) as u64, 4);
            }
            3 => {
                self.out.push_str("year-end ");
                push_num(&mut self.out, (y + self.r.below(2) as i64) as u64, 4);
            }
            _ => {
                let m = *self.r.pick(&MONTHS);
                self.out.push_str(m);
            }
        }
    }

    fn link(&mut self) {
        self.out.push_str("[[");
        match self.r.below(3) {
            0 => {
                let a = self.account();
                self.out.push_str(a)
            }
            1 => {
                let p = self.person();
                self.out.push_str(p)
            }
            _ => {
                let t = self.v.topics.z(&mut self.r);
                self.out.push_str(t)
            }
        }
        self.out.push_str("]]");
    }

    fn slot(&mut self, s: Slot) {
        match s {
            Slot::Account => {
                let a = self.account();
                self.out.push_str(a)
            }
            Slot::OtherAccount => {
                let a = self.v.accounts.z(&mut self.r);
                self.out.push_str(a)
            }
            Slot::Competitor => {
                let c = self.competitor();
                self.out.push_str(c)
            }
            Slot::Person => {
                let p = self.person();
                self.out.push_str(p)
            }
            Slot::Us => self.out.push_str("VAST"),
            Slot::Product => {
                let p = self.v.products.z(&mut self.r);
                self.out.push_str(p)
            }
            Slot::Noun => self.noun(),
            Slot::Nouns => self.nouns(),
            Slot::Adj => {
                let a = self.v.adjs.z(&mut self.r);
                self.out.push_str(a)
            }
            Slot::Adv => {
                let a = self.v.advs.z(&mut self.r);
                self.out.push_str(a)
            }
            Slot::Verb => {
                let v = self.verb();
                self.out.push_str(v.base)
            }
            Slot::Verbs => {
                let v = self.verb();
                self.out.push_str(&v.s)
            }
            Slot::Verbed => {
                let v = self.verb();
                self.out.push_str(&v.past)
            }
            Slot::VerbPp => {
                let v = self.verb();
                self.out.push_str(&v.pp)
            }
            Slot::Verbing => {
                let v = self.verb();
                self.out.push_str(&v.ing)
            }
            Slot::Tech => self.tech(),
            Slot::Np => self.np(false),
            Slot::Nps => self.np(true),
            Slot::ANp => {
                let at = self.out.len();
                self.np(false);
                let first = self.out.as_bytes().get(at).copied().unwrap_or(b'x');
                let art = if self.r.pct(25) {
                    "the "
                } else if is_vowel(first.to_ascii_lowercase()) {
                    "an "
                } else {
                    "a "
                };
                self.out.insert_str(at, art);
            }
            Slot::Qty => {
                let k = self.r.below(16);
                self.qty(k)
            }
            Slot::Capacity => {
                let k = *self.r.pick(&[0, 0, 0, 1, 4, 5, 10, 11, 15]);
                self.qty(k)
            }
            Slot::Perf => {
                let k = *self.r.pick(&[2, 2, 3, 12, 13, 14]);
                self.qty(k)
            }
            Slot::Money => {
                let k = *self.r.pick(&[6, 6, 7]);
                self.qty(k)
            }
            Slot::Pct => self.qty(8),
            Slot::Power => self.qty(9),
            Slot::AAdj => {
                let a = self.v.adjs.z(&mut self.r);
                self.out.push_str(if is_vowel(a.as_bytes()[0]) {
                    "an "
                } else {
                    "a "
                });
                self.out.push_str(a);
            }
            Slot::Quarter => self.quarter(),
            Slot::Date => {
                let d = self.h.day + self.r.range(1, 60) as i64;
                push_date(&mut self.out, d)
            }
            Slot::Link => self.link(),
            Slot::Team => {
                let t = self.v.teams.z(&mut self.r);
                self.out.push_str(t)
            }
            Slot::Topic => {
                let t = if self.r.pct(30) {
                    self.v.topics.items[self.focus_topic]
                } else {
                    self.v.topics.z(&mut self.r)
                };
                self.out.push_str(t)
            }
            Slot::Span => {
                let k = self.r.range(2, 12);
                push_num(&mut self.out, k as u64, 1);
                self.out
                    .push_str(if self.r.pct(50) { " weeks" } else { " months" });
            }
            Slot::Period => {
                let p = *self
                    .r
                    .pick(&["quarter", "year", "month", "half", "fiscal year", "cycle"]);
                self.out.push_str(p)
            }
        }
    }

    /// Appends one sentence from `pool`, capitalised, with curly apostrophes now and then.
    fn sentence(&mut self, pool: &'static [Template]) {
        let mut k = self.r.below(pool.len());
        if k == self.last_template && pool.len() > 1 {
            k = (k + 1 + self.r.below(pool.len() - 1)) % pool.len();
        }
        self.last_template = k;
        let t = &pool[k];
        let start = self.out.len();
        // Names keep their case ("xAI's ..."); words and phrases are capitalised.
        let capitalise = !matches!(
            t.first(),
            Some(Piece::Slot(
                Slot::Account
                    | Slot::OtherAccount
                    | Slot::Competitor
                    | Slot::Person
                    | Slot::Tech
                    | Slot::Link
            ))
        );
        for piece in t {
            match piece {
                Piece::Lit(s) => self.out.push_str(s),
                Piece::Slot(s) => self.slot(*s),
            }
        }
        if capitalise
            && self
                .out
                .as_bytes()
                .get(start)
                .is_some_and(u8::is_ascii_lowercase)
        {
            self.out[start..start + 1].make_ascii_uppercase();
        }
        if self.curly_pct > 0 && self.out[start..].contains('\'') && self.r.pct(self.curly_pct) {
            let s = self.out[start..].replace('\'', "\u{2019}");
            self.out.truncate(start);
            self.out.push_str(&s);
        }
    }

    fn sentences(&mut self, pool: &'static [Template], n: usize) {
        for k in 0..n {
            if k > 0 {
                self.out.push(' ');
            }
            self.sentence(pool);
        }
    }

    fn blank(&mut self) {
        self.out.push('\n');
    }

    fn item_gap(&mut self) {
        if self.airy {
            self.out.push('\n');
        }
    }

    fn section_gap(&mut self) {
        self.out.push_str(if self.airy { "\n\n\n" } else { "\n" });
    }

    fn heading(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.out.push('#');
        }
        self.out.push(' ');
        self.out.push_str(text);
        self.out.push('\n');
        self.blank();
        if self.airy && level == 2 {
            self.blank();
        }
    }

    fn paragraph(&mut self, pool: &'static [Template], lo: usize, hi: usize) {
        let n = self.r.range(lo, hi);
        self.sentences(pool, n);
        self.out.push('\n');
        self.blank();
        self.passages += 1;
    }

    fn inline_tag(&mut self) {
        if self.r.pct(12) {
            let t = *self.r.pick(&INLINE_TAGS);
            self.out.push_str(" #");
            self.out.push_str(t);
        }
    }

    /// A bullet of one or two sentences, sometimes with nested sub-bullets.
    fn bullet(&mut self, pool: &'static [Template], nested_pct: usize) {
        self.out.push_str("- ");
        let n = if self.r.pct(25) { 2 } else { 1 };
        self.sentences(pool, n);
        self.inline_tag();
        self.out.push('\n');
        self.passages += 1;
        if self.r.pct(nested_pct) {
            for _ in 0..self.r.range(1, 2) {
                self.out.push_str("  - ");
                self.sentence(&self.v.subs);
                self.out.push('\n');
                self.passages += 1;
            }
        }
        self.item_gap();
    }

    fn bullets(&mut self, pool: &'static [Template], lo: usize, hi: usize, nested_pct: usize) {
        for _ in 0..self.r.range(lo, hi) {
            self.bullet(pool, nested_pct);
        }
        if !self.airy {
            self.blank();
        }
    }

    fn decisions(&mut self) {
        if self.airy && self.r.pct(12) {
            self.out.push_str("- No explicit decisions were recorded in the provided transcript notes; the content is guidance and implications rather than meeting decisions.\n");
            self.passages += 1;
            self.item_gap();
        } else {
            self.bullets(&self.v.decisions, 1, 3, 0);
        }
    }

    fn task(&mut self) {
        let status = match self.r.below(10) {
            0..=3 => '?',
            4..=6 => ' ',
            7 | 8 => 'x',
            _ => '/',
        };
        self.out.push_str("- [");
        self.out.push(status);
        self.out.push_str("] ");
        self.sentence(&self.v.actions);
        self.out.push_str(" @");
        if status == '?' || self.r.pct(30) {
            self.out.push_str("Myself");
        } else {
            let p = self.person();
            self.out.push_str(p.split(' ').next().unwrap_or(p));
        }
        match status {
            'x' => {
                self.out.push_str(" \u{2705} ");
                let d = self.h.day + self.r.range(1, 30) as i64;
                push_date(&mut self.out, d);
                self.out.push_str(" #task");
            }
            '?' => {
                self.out.push_str(" \u{1F4C5} TBD");
                if self.r.pct(40) {
                    self.out.push_str(" \u{23EB}");
                }
                self.out.push_str(" #task #proposed #auto");
            }
            _ => {
                self.out.push_str(" \u{1F4C5} ");
                let d = self.h.day + self.r.range(2, 45) as i64;
                push_date(&mut self.out, d);
                if self.r.pct(30) {
                    self.out.push_str(if self.r.pct(50) {
                        " \u{23EB}"
                    } else {
                        " \u{1F53C}"
                    });
                }
                self.out.push_str(" #task");
            }
        }
        self.out.push('\n');
        self.passages += 1;
        self.item_gap();
    }

    fn tasks(&mut self, lo: usize, hi: usize) {
        for _ in 0..self.r.range(lo, hi) {
            self.task();
        }
        if !self.airy {
            self.blank();
        }
    }

    fn table(&mut self) {
        let c = self.v.competitors.items[self.h.competitor];
        self.out.push_str("| Capability | VAST | ");
        self.out.push_str(c);
        self.out.push_str(" |\n|---|---|---|\n");
        for _ in 0..self.r.range(3, 6) {
            self.out.push_str("| ");
            let t = self.v.topics.z(&mut self.r);
            self.out.push_str(t);
            let k = *self.r.pick(&[0, 2, 3, 12, 14]);
            self.out.push_str(" | ");
            self.qty(k);
            self.out.push_str(" | ");
            if self.r.pct(30) {
                self.out.push_str("not disclosed");
            } else {
                self.qty(k);
            }
            self.out.push_str(" |\n");
        }
        self.blank();
    }

    fn code_block(&mut self) {
        let block = *self.r.pick(&CODE_BLOCKS);
        self.out.push_str(block);
        self.blank();
    }
}

fn render(i: usize, seed: u64) -> Rendered {
    let v = vocab();
    let h = head(i, seed);
    let stem = stem(i, seed, &h);
    let path = path_of(&h, &stem);
    let title = title(&h);
    let mut r = Rng::new(seed, STREAM_BODY, i);

    let focus_nouns = std::array::from_fn(|_| v.nouns.zi(&mut r));
    let focus_techs = std::array::from_fn(|_| v.techs.zi(&mut r));
    let focus_topic = v.topics.zi(&mut r);
    let mut attendees = Vec::new();
    if r.pct(85) {
        for _ in 0..r.range(1, 5) {
            let p = v.people.zi(&mut r);
            if !attendees.contains(&p) {
                attendees.push(p);
            }
        }
    }
    let source = match (h.kind, r.below(10)) {
        (Kind::Internal, 0..=5) | (_, 0..=2) => "manual",
        (_, 3..=8) => "transcript",
        _ => "email",
    };
    let generated = source == "transcript";
    let damage = match r.below(40) {
        0..=6 if generated => Damage::MacRoman,
        7 => Damage::Cp1252,
        _ => Damage::None,
    };
    let curly_pct = match r.below(4) {
        0 => 100,
        1 => 20,
        _ => 0,
    };
    let crlf = r.pct(3);
    let bom = r.pct(2);

    let mut w = Writer {
        v,
        r,
        out: String::with_capacity(5000),
        passages: 0,
        h: &h,
        focus_nouns,
        focus_techs,
        focus_topic,
        attendees,
        curly_pct,
        airy: generated,
        last_template: usize::MAX,
    };

    front_matter(&mut w, &title, source, i);
    body(&mut w, &title, &stem, i, seed);

    let Writer { out, passages, .. } = w;
    let mut content = match damage {
        Damage::None => out,
        Damage::MacRoman => mojibake(&out, MAC_ROMAN),
        Damage::Cp1252 => mojibake(&out, CP1252),
    };
    if crlf {
        content = content.replace('\n', "\r\n");
    }
    if bom {
        content.insert(0, '\u{FEFF}');
    }
    Rendered {
        path,
        content,
        passages,
    }
}

fn front_matter(w: &mut Writer, title: &str, source: &str, i: usize) {
    let v = w.v;
    let h = w.h;
    let quoted = source == "transcript" || w.r.pct(30);
    let q = |w: &mut Writer, s: &str| {
        if quoted {
            w.out.push('"');
            w.out.push_str(s);
            w.out.push('"');
        } else {
            w.out.push_str(s);
        }
    };
    let date = date_string(h.day);
    w.out.push_str("---\ntype: ");
    q(w, h.kind.type_name());
    w.out.push_str("\ntitle: ");
    q(w, title);
    match w.r.below(20) {
        0 => {}
        1 | 2 => {
            w.out.push_str("\ndate: ");
            w.out.push_str(&date);
            w.out.push('T');
            push_num(&mut w.out, w.r.range(8, 18) as u64, 2);
            w.out.push(':');
            push_num(&mut w.out, w.r.below(4) as u64 * 15, 2);
            w.out.push_str(":00");
        }
        _ => {
            w.out.push_str("\ndate: ");
            q(w, &date);
        }
    }
    let account = h.account.map(account_name);
    let empty_account =
        account.is_none() || (i != PLANTED_INDEX && h.kind == Kind::Customer && w.r.pct(4));
    w.out.push_str("\naccount: ");
    if empty_account {
        w.out.push_str("\"\"");
    } else if w.r.pct(20) {
        w.out.push_str("\"[[");
        w.out.push_str(account.unwrap_or_default());
        w.out.push_str("]]\"");
    } else {
        q(w, account.unwrap_or_default());
    }
    if w.attendees.is_empty() {
        w.out.push_str("\nparticipants: []");
    } else {
        w.out.push_str("\nparticipants:");
        let wiki = w.r.pct(40);
        for k in 0..w.attendees.len() {
            let p = v.people.items[w.attendees[k]];
            w.out.push_str("\n  - \"");
            if wiki {
                w.out.push_str("[[");
            }
            w.out.push_str(p);
            if wiki {
                w.out.push_str("]]");
            }
            w.out.push('"');
        }
    }
    w.out.push_str("\nsource: ");
    q(w, source);
    if source == "transcript" {
        let (y, _, _) = civil_from_days(h.day);
        w.out
            .push_str("\nsource_ref: \"/Users/jason.vallery/Documents/Notes/Sources/Transcripts/");
        push_num(&mut w.out, y as u64, 4);
        w.out.push('/');
        w.out.push_str(&date);
        w.out.push_str(" - ");
        let name = *w.r.pick(&TRANSCRIPT_NAMES);
        w.out.push_str(name);
        w.out.push_str(".md\"");
    }
    if w.r.pct(5) {
        w.out.push_str("\naliases: [\"");
        w.out.push_str(v.topics.items[w.focus_topic]);
        w.out.push_str("\"]");
    }
    // Tags.
    let mut tags: Vec<String> = vec![format!("type/{}", h.kind.type_name())];
    if h.account.is_some() || h.kind == Kind::Customer {
        match account {
            Some(a) if !empty_account => tags.push(format!("account/{}", slug(a))),
            _ => tags.push("account/".to_string()),
        }
    }
    if h.kind == Kind::Competitor || w.r.pct(15) {
        tags.push(format!(
            "competitor/{}",
            slug(v.competitors.items[h.competitor])
        ));
    }
    if source == "transcript" {
        tags.push("generated".to_string());
    }
    if w.r.pct(40) {
        tags.push(format!("topic/{}", slug(v.topics.items[w.focus_topic])));
    }
    if h.kind == Kind::Internal {
        tags.push(format!("team/{}", slug(v.teams.items[h.team])));
    }
    match w.r.below(20) {
        0 => {
            w.out.push_str("\ntags: ");
            w.out.push_str(&tags.join(", "));
        }
        1 | 2 => {
            w.out.push_str("\ntags: [");
            w.out.push_str(&tags.join(", "));
            w.out.push(']');
        }
        _ => {
            w.out.push_str("\ntags:");
            for t in &tags {
                w.out.push_str("\n  - ");
                q(w, t);
            }
        }
    }
    w.out
        .push_str(if quoted { "\n\n---\n\n" } else { "\n---\n\n" });
}

fn body(w: &mut Writer, title: &str, own_stem: &str, i: usize, seed: u64) {
    let v = w.v;
    let h = w.h;
    w.out.push_str("# ");
    w.out.push_str(title);
    w.out.push_str("\n\n");
    // The header block, one paragraph.
    if h.kind != Kind::Internal || w.r.pct(50) {
        w.out.push_str("**Date**: ");
        push_date(&mut w.out, h.day);
        if let Some(a) = h.account {
            w.out.push_str("\n**Account**: [[");
            w.out.push_str(account_name(a));
            w.out.push_str("]]");
        }
        w.out.push_str("\n**Attendees**: ");
        for k in 0..w.attendees.len() {
            if k > 0 {
                w.out.push_str(", ");
            }
            w.out.push_str("[[");
            w.out.push_str(v.people.items[w.attendees[k]]);
            w.out.push_str("]]");
        }
        w.out.push_str("\n\n");
    }

    let planted = i == PLANTED_INDEX;
    match h.kind {
        Kind::Customer => {
            w.heading(2, "Summary");
            w.paragraph(&v.summaries, 3, 5);
            w.section_gap();
            w.heading(2, "Action Items");
            if planted {
                w.out.push_str("- [ ] Send Zyxwv Labs the quuxplorer sizing worksheet and confirm the pilot scope with their platform team. @Myself \u{1F4C5} TBD #task\n");
                w.passages += 1;
                w.item_gap();
            }
            w.tasks(3, 6);
            w.section_gap();
            w.heading(2, "Decisions");
            w.decisions();
            w.section_gap();
            w.heading(2, "Key Information");
            if planted {
                w.out.push_str("- Zyxwv Labs runs its feature store on an internal tool called quuxplorer and wants VAST to serve its training shards without a copy step.\n");
                w.passages += 1;
                w.item_gap();
            }
            w.bullets(&v.facts, 8, 15, 15);
            if w.r.pct(35) {
                w.section_gap();
                let h2 = if w.r.pct(50) {
                    "Open Questions"
                } else {
                    "Risks"
                };
                w.heading(2, h2);
                let pool = if w.r.pct(50) { &v.questions } else { &v.risks };
                w.bullets(pool, 2, 4, 0);
            }
            if w.r.pct(5) {
                w.section_gap();
                w.heading(2, "Sizing");
                w.table();
            }
        }
        Kind::Meeting => {
            w.heading(2, "Summary");
            w.paragraph(&v.summaries, 2, 4);
            if w.r.pct(50) {
                w.heading(2, "Agenda");
                for k in 0..w.r.range(2, 4) {
                    push_num(&mut w.out, k as u64 + 1, 1);
                    w.out.push_str(". ");
                    let t = v.topics.z(&mut w.r);
                    w.out.push_str(&t[..1].to_ascii_uppercase());
                    w.out.push_str(&t[1..]);
                    w.out.push('\n');
                    w.passages += 1;
                }
                w.blank();
            }
            w.heading(2, "Discussion");
            for _ in 0..w.r.range(2, 3) {
                let t = v.topics.z(&mut w.r);
                let mut t = t.to_string();
                if t.is_char_boundary(1) {
                    t[0..1].make_ascii_uppercase();
                }
                w.heading(3, &t);
                w.paragraph(&v.summaries, 2, 4);
                w.bullets(&v.facts, 3, 4, 15);
            }
            w.section_gap();
            w.heading(2, "Action Items");
            w.tasks(3, 5);
            w.section_gap();
            w.heading(2, "Decisions");
            w.decisions();
            if w.r.pct(4) {
                w.heading(2, "Config");
                w.code_block();
            }
        }
        Kind::Competitor => {
            w.heading(2, "Summary");
            w.paragraph(&v.claims, 2, 4);
            w.section_gap();
            w.heading(2, "Claims");
            w.bullets(&v.claims, 5, 9, 15);
            if w.r.pct(35) {
                w.section_gap();
                w.heading(2, "Comparison");
                w.table();
            }
            w.section_gap();
            w.heading(2, "Key Information");
            w.bullets(&v.facts, 5, 9, 15);
            w.section_gap();
            w.heading(2, "Positioning");
            w.bullets(&v.risks, 1, 3, 0);
            w.section_gap();
            w.heading(2, "Action Items");
            w.tasks(2, 4);
        }
        Kind::Internal => {
            w.heading(2, "Context");
            w.paragraph(&v.internal, 2, 5);
            if w.r.pct(70) {
                w.paragraph(&v.summaries, 2, 4);
            }
            w.heading(2, "Notes");
            w.bullets(&v.internal, 9, 16, 25);
            if w.r.pct(20) {
                w.heading(2, "Snippet");
                w.code_block();
            }
            w.heading(2, "Action Items");
            w.tasks(3, 5);
            if w.r.pct(50) {
                w.heading(2, "Decisions");
                w.bullets(&v.decisions, 1, 3, 0);
            }
        }
    }
    // A link to an earlier note now and then.
    // (Never to the planted note: no other note may mention its account.)
    if i > 0 && w.r.pct(30) {
        let e = i - 1 - w.r.below(i.min(200));
        let e = if e == PLANTED_INDEX { e + 1 } else { e };
        if e == i {
            return footer(w, own_stem);
        }
        let eh = head(e, seed);
        let es = stem(e, seed, &eh);
        w.heading(2, "Related");
        w.out.push_str("- See [[");
        w.out.push_str(&es);
        w.out.push_str("]] for background on ");
        w.np(false);
        w.out.push_str(".\n\n");
        w.passages += 1;
    }
    footer(w, own_stem);
}

fn footer(w: &mut Writer, own_stem: &str) {
    w.out.push_str("\n---\n\n*Source: [[");
    w.out.push_str(own_stem);
    w.out.push_str("]]*\n");
}

/// Re-decodes `s`'s UTF-8 bytes through a single-byte code page (high half given as 128
/// chars), the way a note gets damaged when read with the wrong encoding.
fn mojibake(s: &str, high: &str) -> String {
    let table: Vec<char> = high.chars().collect();
    debug_assert_eq!(table.len(), 128);
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let mut buf = [0u8; 4];
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            for &b in c.encode_utf8(&mut buf).as_bytes() {
                out.push(table[b as usize - 0x80]);
            }
        }
    }
    out
}

const MAC_ROMAN: &str = "ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø¿¡¬√ƒ≈∆«»…\u{a0}ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄€‹›ﬁﬂ‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\u{f8ff}ÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇ";
const CP1252: &str = "€\u{81}‚ƒ„…†‡ˆ‰Š‹Œ\u{8d}Ž\u{8f}\u{90}‘’“”•–—˜™š›œ\u{9d}žŸ\u{a0}¡¢£¤¥¦§¨©ª«¬\u{ad}®¯°±²³´µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ";

// ---------------------------------------------------------------------------------------
// Word lists, most frequent first (sampled with Zipf weights in this order).

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const INLINE_TAGS: [&str; 14] = [
    "followup",
    "risk",
    "pricing",
    "competitive",
    "exec",
    "blocker",
    "topic/gpu-capacity",
    "topic/pricing",
    "idea",
    "escalation",
    "partner/nvidia",
    "renewal",
    "roadmap",
    "important",
];

const TRANSCRIPT_NAMES: [&str; 10] = [
    "Announcements",
    "Weekly sync",
    "Customer call",
    "Working session",
    "Exec briefing",
    "Standup",
    "Field call",
    "Partner sync",
    "Debrief",
    "Recording",
];

const CODE_BLOCKS: [&str; 6] = [
    "```bash\nvastcli view create --path /training/checkpoints --policy default --protocols NFS,S3\nvastcli quota create --path /training/checkpoints --hard-limit 2PB\n```\n",
    "```yaml\nstorageClass:\n  name: vast-rwx\n  provisioner: csi.vastdata.com\n  parameters:\n    vip_pool_name: gpu-pool\n    view_policy: default\n```\n",
    "```python\nimport boto3\ns3 = boto3.client(\"s3\", endpoint_url=\"https://s3.vast.local\")\nfor page in s3.get_paginator(\"list_objects_v2\").paginate(Bucket=\"datasets\"):\n    print(len(page.get(\"Contents\", [])))\n```\n",
    "```bash\nfio --name=ckpt --rw=write --bs=1m --size=64g --numjobs=32 --direct=1 --directory=/mnt/vast\n```\n",
    "```sql\nSELECT account, sum(capacity_pb) AS pb\nFROM pipeline\nWHERE stage IN ('commit', 'best case')\nGROUP BY account\nORDER BY pb DESC;\n```\n",
    "```text\nelbencho -w -t 64 -s 20g -b 4m --direct /mnt/vast/bench\nWRITE  throughput: 182 GB/s  latency p99: 9 ms\n```\n",
];

const ACCOUNTS: &str = "CoreWeave|Microsoft|OpenAI|Oracle|xAI|Meta|Lambda|Crusoe|Nebius|Google|Amazon|Anthropic|Together AI|Nscale|Fluidstack|Voltage Park|Core42|Humain|Mistral AI|Cohere|Tesla|Pixar|Databricks|Snowflake|Yotta|Scaleway|Firmus|Cerebras|Perplexity|Runway|Character.AI|Jump Trading|Citadel|Two Sigma|Lawrence Livermore|TACC|NERSC|Siemens|Bloomberg|Recursion|Zoox|ServiceNow";

const COMPETITORS: &str = "DDN|Weka|NetApp|Pure Storage|Dell PowerScale|IBM Storage Scale|Hammerspace|Qumulo|MinIO|HPE|Cloudian|Nutanix";

const PEOPLE: &str = "Jason Vallery|Maya Chen|Raj Patel|Sofia Alvarez|Tom Becker|Priya Nair|Lukas Schmidt|Aiko Tanaka|Daniel Okafor|Emma Larsen|Marco Rossi|Hannah Kim|Omar Haddad|Grace Liu|José Martínez|Ben Carter";

const TEAMS: &str = "Field engineering|Product management|Customer success|Alliances|Sales engineering|Support|Marketing|Deal desk|Solutions architecture|Performance engineering|Finance|Platform engineering|Partner sales|Leadership team";

const PRODUCTS: &str = "VAST DataStore|VAST DataBase|VAST DataSpace|VAST InsightEngine|VAST AgentEngine|VAST DataEngine|the VAST AI OS|EBox|CNode|DBox|VAST Catalog|the VAST CSI driver";

const CUSTOMER_TOPICS: &str = "
GPU capacity planning|checkpoint performance|renewal pricing|AI data platform roadmap|capacity expansion|POC results|training cluster buildout|inference rollout|multi-tenant isolation|data migration plan
neocloud co-sell motion|sovereign AI cloud|Azure overflow capacity|token monetization|RAG pipeline design|support escalation|security review|disaster recovery design|global namespace rollout|procurement timeline
power and cooling constraints|rack layout review|S3 performance|NFS over RDMA tuning|data reduction results|archive tier strategy|Kubernetes integration|KV cache offload|vector search pilot|agent telemetry retention
exabyte archive plan|Lustre replacement|quota and chargeback|upgrade planning|fabric design|supply chain update|expansion forecast|executive alignment|contract restructuring|reference architecture
";

const MEETING_TOPICS: &str = "
capacity|pricing|roadmap|deployment status|performance testing|pipeline|escalations|renewal|architecture|migration
benchmark results|support cases|rollout|forecast|POC|integration|upgrade window|site readiness|security questionnaire|expansion
";

const COMPETITOR_TOPICS: &str = "
throughput claims|pricing intel|win-loss review|roadmap rumors|benchmark dispute|displacement plan|field feedback|reference check|architecture teardown|support complaints
discounting pattern|partner strategy|new release analysis|GPUDirect claims|data reduction claims|metadata performance claims|object storage pitch|parallel file system pitch|TCO model|sovereign cloud pitch
";

const INTERNAL_TOPICS: &str = "
enablement|pipeline review|quarterly planning|territory planning|hiring plan|demo lab refresh|pricing guidance|competitive playbook|account mapping|partner program
forecast call|tooling backlog|benchmark methodology|launch readiness|onboarding|offsite notes|process retro|compensation questions|event planning|knowledge base cleanup
";

const CUSTOMER_TITLES: &str = "
{A} {T1}
{A} {T1} follow-up
{T1} with {A}
{A} {T1} and {T2}
{A} {T1} and {T2}, implications for {U} {T3}
{A} executive briefing on {T1}
{A} {T1} review
{A} {T1} working session
";

const MEETING_TITLES: &str = "
{A} weekly sync on {T1}
{A} {T1} call
{A} and {U} {T1} workshop
{A} QBR - {T1} and {T2}
{A} {T1} standup
{A} {T1} check-in with {P}
";

const COMPETITOR_TITLES: &str = "
{C} {T1}
{C} {T1} at {A}
{C} vs {U} {T1}
{C} {T1} and {T2}
{C} competitive update - {T1}
";

const INTERNAL_TITLES: &str = "
{M} {T1}
{M} 1-1 with {P} on {T1}
{M} {T1} planning
{M} {T1} retro
{M} {T1} and {T2}
";

const TOPICS: &str = "
GPU capacity|checkpoint and restore|AI data platform|training data pipeline|inference caching|global namespace|multi-tenant isolation|power and cooling|data reduction|disaster recovery
token monetization|neocloud co-sell|RAG corpora|vector search|KV cache offload|agent telemetry|GPUDirect Storage|S3 compatibility|NFS over RDMA|Kubernetes CSI
exabyte-scale archive|hot-to-warm lifecycle|cross-cloud data mobility|dataset ingestion|snapshot policy|replication across sites|quota management|chargeback model|capacity forecast|rack density
post-training compute|reinforcement learning workloads|evaluation pipelines|model serving|embedding generation|feature store|data lakehouse|Iceberg tables|Spark jobs|Slurm scheduling
sovereign AI|Fairwater-scale training|AI WAN|overflow clusters|tenant migration|support model|security hardening|zero trust access|encryption at rest|audit logging
procurement process|pricing model|renewal terms|reference architecture|proof of concept|site survey|rack layout|network fabric|InfiniBand fabric|Ethernet fabric
metadata performance|small file performance|random read performance|write throughput|rebuild times|firmware upgrades|non-disruptive upgrades|observability stack|capacity planning|cost per petabyte
";

const TECH: &str = "
GPU|NVMe|RDMA|InfiniBand|RoCE|Kubernetes|S3|NFS|H100|H200|B200|GB200|GB300|NVL72|MI300X|MI355X|TPU|Trainium|MAIA|Spectrum-X|BlueField|DPU|ConnectX-7|NVLink|PyTorch|Slurm|Lustre|GPFS|Ceph|Iceberg|Parquet|Kafka|Spark|Trino|Postgres|Milvus|pgvector|Ray|vLLM|TensorRT|Triton|NIM|CUDA|QLC|SCM|erasure coding|SMB|CSI|GPUDirect|Ethernet|400GbE|800GbE|NDR|XDR|DGX SuperPOD|HGX|Grace Hopper|Vera Rubin|ARM|x86|Azure|AWS|GCP|OCI|OpenShift|Terraform|Ansible|Prometheus|Grafana|Splunk|Active Directory|LDAP|Kerberos|SAML|NVIDIA AI Enterprise|Dynamo|Megatron|DeepSpeed|JAX|Hugging Face|Llama|Mixtral|Delta Lake|Hive|Presto|Airflow|MLflow|Weaviate|Elasticsearch|Redis|Kafka Connect|Flink
";

const NOUNS: &str = "
team customer capacity storage* data* cluster deal plan timeline workload performance* pricing* roadmap model training* inference* cost budget
requirement project platform environment deployment architecture solution strategy infrastructure* partner vendor contract renewal proposal
opportunity pipeline forecast quarter meeting call review decision question concern risk issue update feedback* demo pilot evaluation benchmark
test result metric goal target milestone deadline schedule priority dependency blocker support* service product feature release version
integration migration expansion rollout upgrade refresh network fabric switch node server rack site region datacenter facility power* cooling*
footprint density throughput* latency bandwidth* scale growth* demand* supply shortage allocation reservation commitment discount margin price
quote invoice license subscription term agreement negotiation procurement approval stakeholder sponsor champion executive engineer architect
manager director leadership* organization group division business application tenant account namespace volume snapshot replica copy backup
archive tier cache buffer queue stream event log dashboard alert telemetry* security* encryption* compliance* audit policy governance* access*
identity permission quota chargeback namespace checkpoint dataset corpus embedding vector index query prompt token agent pipeline job task
workflow process step phase stage handoff gap limit threshold ceiling baseline estimate assumption constraint tradeoff option alternative
approach method design layout topology configuration setting parameter default profile template baseline outcome impact benefit value
advantage differentiation message narrative story pitch deck slide document spreadsheet diagram email thread channel summary note recap
agenda action owner follow-up escalation incident outage failure recovery restore rebuild drive disk controller enclosure chassis* shelf>shelves
controller firmware* software* hardware* appliance system component module interface endpoint protocol client gateway proxy load traffic*
request response transaction operation write read file object bucket directory path folder share mount export quota user group role
admin operator developer researcher scientist analyst buyer seller rep partner reseller distributor integrator consultant advisor board
investor competitor incumbent alternative market segment vertical industry sector region country geography customer base install base
footprint campaign event conference summit keynote announcement launch press analyst report article blog post webinar workshop training*
certification enablement playbook runbook guide checklist criterion>criteria scorecard matrix>matrices comparison teardown analysis>analyses assessment study
survey interview sample measurement number figure percentage ratio rate speed efficiency utilization occupancy saturation contention
bottleneck hotspot regression improvement optimization fix patch workaround mitigation remediation root cause trend signal pattern anomaly
spike dip peak average median percentile distribution variance range window interval period cycle cadence frequency rhythm sprint
iteration backlog ticket case bug defect request feature gap wishlist ask need pain point challenge problem opportunity win loss
renewal upsell cross-sell attach expansion consumption* usage* spend* revenue* bookings* quota commission territory patch account plan
relationship trust* credibility* reputation visibility* alignment* consensus* disagreement pushback* objection rebuttal concession tradeoff
priority focus attention bandwidth* headcount* hire role position org chart reorg transition successor predecessor sponsor mandate
charter vision mission principle guideline standard requirement specification contract clause term warranty indemnity liability
penalty credit refund rebate incentive program fund grant subsidy tax tariff export control regulation residency* sovereignty* jurisdiction
border law rule exception waiver approval signature review board committee council panel forum community ecosystem marketplace catalog
listing offer bundle package edition tier plan option add-on module plugin extension connector adapter driver library framework
runtime container image registry repository branch commit build artifact binary script tool utility command flag argument output
input format schema table column row partition shard segment block chunk extent stripe page record entry field key value pair
map list set graph tree hierarchy structure layer abstraction boundary domain zone cell pod rack row hall building campus
substation grid utility generator transformer feed breaker circuit load envelope budget allocation draw consumption* heat* airflow*
liquid loop chiller tower containment aisle  floor cabling* optic transceiver cable port link lane uplink spine leaf>leaves
router firewall VLAN subnet address hostname certificate key secret credential token session login password vault
laptop workstation desktop phone tablet screen monitor keyboard printer badge desk office room floor lab testbed sandbox
staging* production* preview beta alpha candidate milestone roadmap horizon quarter half>halves year month week day morning afternoon
evening weekend holiday travel trip visit flight hotel dinner lunch breakfast coffee* drink gift swag* booth banner
";

const VERBS: &str = "
support deploy evaluate expand reduce improve deliver enable scale replace migrate build/built/built review validate test
confirm share schedule prioritize optimize simplify consolidate standardize accelerate benchmark provision allocate reserve
secure protect replicate restore ingest serve cache tier archive compress protect monitor measure track report escalate
resolve unblock fix patch upgrade refresh retire decommission onboard train/trained enable document publish present pitch
position sell/sold/sold buy/bought/bought negotiate price discount quote close/closed win+/won/won lose/lost/lost renew extend
commit+/committed/committed approve sign require request ask answer clarify explore investigate analyze assess compare size
forecast plan+/planned/planned design architect integrate connect expose isolate separate combine unify align coordinate
drive/drove/driven lead/led/led own manage handle run+/ran/run operate maintain sustain stabilize harden audit certify qualify
meet/met/met exceed/exceeded miss hit+/hit/hit target shift move/moved push pull accept reject defer delay postpone cancel
launch ship+/shipped/shipped release announce preview demo/demoed/demoed prototype pilot trial stage stretch squeeze
limit constrain block gate throttle slow/slowed speed/sped/sped boost increase decrease double triple halve cut+/cut/cut
add remove drop+/dropped/dropped keep/kept/kept hold/held/held lock unlock open close move reshape rethink revisit reuse
automate script configure tune/tuned profile debug+/debugged/debugged trace log+/logged alert page/paged notify inform brief
update/updated summarize capture record note flag+/flagged highlight emphasize stress underscore frame reframe
challenge question doubt dispute counter match beat/beat/beaten undercut+/undercut/undercut outperform trail lag+/lagged
absorb handle offload overflow burst spill distribute balance rebalance shard partition index query search retrieve embed
label curate clean filter dedupe/deduped transform load export import sync/synced mirror snapshot clone fork back/backed
fund invest spend/spent/spent save earn bill/billed invoice charge chargeback meter cap+/capped bundle unbundle
hire onboard staff reorganize assign delegate mentor coach recruit interview promote transfer
expect anticipate estimate project/projected model/modeled simulate predict assume believe think/thought/thought
see/saw/seen hear/heard/heard learn/learned/learned find/found/found discover notice observe realize recognize understand/understood/understood
";

const ADJECTIVES: &str = "
new current key critical large significant strong clear main major primary high low fast slow big small early late
existing additional initial final full open available ready specific potential possible likely unlikely important urgent
strategic technical commercial financial operational competitive aggressive conservative cautious optimistic skeptical
positive negative neutral mixed good bad better best worse worst great poor solid weak firm flexible rigid simple complex
complicated straightforward difficult easy hard heavy light dense sparse hot warm cold cool fresh stale old recent
previous next upcoming pending overdue blocked stalled active inactive dormant healthy unhealthy stable unstable reliable
resilient redundant durable consistent inconsistent predictable unpredictable scalable elastic portable interoperable
compatible incompatible native hybrid multi-cloud on-prem cloud-native containerized virtualized bare-metal dedicated shared
multi-tenant single-tenant sovereign regional global local remote distributed centralized parallel sequential random
synchronous asynchronous real-time batch streaming interactive latency-sensitive throughput-bound GPU-dense power-constrained
cost-optimized accelerator-agnostic Foundry-ready enterprise-grade production-ready mission-critical best-effort
end-to-end near-term long-term short-term mid-term quarterly annual monthly weekly daily internal external public private
formal informal official unofficial verbal written detailed rough preliminary draft final revised updated outdated
accurate inaccurate realistic unrealistic reasonable unreasonable fair expensive cheap affordable premium discounted
standard custom proprietary open-source commodity specialized general-purpose purpose-built unified fragmented siloed
integrated disjoint seamless manual automated self-service managed unmanaged supported unsupported certified validated
unvalidated proven unproven experimental mature immature emerging established dominant incumbent alternative viable
attractive compelling convincing weak persuasive vague ambiguous explicit implicit direct indirect upstream downstream
frontend backend northbound southbound east-west north-south horizontal vertical linear exponential modest massive huge
tiny enormous substantial marginal incremental transformative disruptive fundamental basic advanced sophisticated
naive elegant clumsy efficient inefficient wasteful lean bloated noisy quiet busy idle saturated underutilized
overprovisioned underprovisioned constrained unconstrained bounded unbounded finite infinite measurable observable
secure insecure encrypted compliant noncompliant auditable traceable transparent opaque visible invisible hidden
";

const ADVERBS: &str = "
currently already quickly significantly likely still also now soon recently mostly mainly largely fully partially
clearly strongly heavily slightly roughly approximately nearly almost actively aggressively carefully explicitly
implicitly directly indirectly formally informally internally externally publicly privately consistently reliably
predictably efficiently effectively rapidly gradually steadily slowly immediately eventually initially finally
previously originally historically traditionally typically usually generally frequently occasionally rarely never
always sometimes often repeatedly continuously periodically quarterly annually jointly independently separately
together globally locally regionally remotely manually automatically dynamically statically natively transparently
seamlessly reasonably realistically conservatively optimistically cautiously tentatively firmly loosely broadly
narrowly specifically particularly especially notably primarily essentially basically practically effectively
";

// ---------------------------------------------------------------------------------------
// Sentence templates. Slots: {A} account, {A2} another account, {C} competitor, {P} person,
// {U} us, {PR} product, {N}/{Ns} noun, {J} adjective, {R} adverb, {V}/{Vs}/{Vd}/{Vn}/{Vg}
// verb forms, {T} technical term, {NP}/{NPs}/{aNP} noun phrases, {Q} quantity, {QT} quarter,
// {D} date, {L} wikilink, {M} team, {TOP} topic, {W} span of weeks or months, {PER} period.

const FACTS: &str = "
{A} is {Vg} {aNP} to support {NPs} across {CAP} of {T} capacity.
{P} noted that {A}'s {NP} is {J} and {Vs} {NP} {R}.
{A} expects to deploy {CAP} of {T} by {QT}, with {TOP} as the main {N}.
The current {NP} at {A} {Vs} {Q}, which is {J} for {NPs}.
{A} described {NP} as {J}; {P} thinks {U} can {V} {NP} with {PR}.
{C} was mentioned as the incumbent for {NP}, but {A} is unhappy with {NP} and {NP}.
{A} reported {PERF} on {T} during the {N} {N}, compared with {PERF} last {PER}.
There is {J} interest in {TOP}, especially for {NPs} that need {J} {N}.
{A}'s {M} team owns {NP}; {P} is the {J} contact for {TOP}.
Budget for {NP} is {MONEY}, and procurement {Vs} a decision before {QT}.
{A} plans to {V} {NP} and {V} {NP} over the next {W}.
On {D}, {A} {Vd} {aNP} that {Vs} {NP} for {NPs}.
{A} claims {TOP} is the biggest {N} for {NPs}, ahead of {NP}.
The {N} {Vs} {R} when {NPs} {V} {NP} at {PERF}.
{A} wants one {N} for {NPs}, {NPs}, and {NPs} rather than separate {NPs}.
Per {P}, {A} already has {CAP} in {T} and is looking at {T} for {TOP}.
Without {NP}, the {N} would {V} {NP} and delay {NP} by {W}.
{U} positioning recommended for {A}: {PR} as the {J} {N} for {NPs}, emphasizing {NP} and {TOP}.
{A} is comparing {U} with {C} on {NP}, {NP}, and total cost of ownership.
{L} mentioned that {NPs} are {J} and that {NP} {Vs} {R}.
{A} runs {CAP} of {J} {N} on {T} today and expects {PCT} growth this {PER}.
{A}'s {NP} is {R} {J}, so {NPs} have to {V} {NP} by hand.
The {J} {N} for {A} is {TOP}; everything else is {J}.
{A} has {Vn} {NP} with {C} before and does not want to {V} {NP} again.
{P} heard that {A} signed {aNP} with {A2} for {CAP} of {T} capacity.
{A} is {R} {Vg} {TOP} because {NPs} keep {Vg} {NP}.
{A} confirmed that {NP} must {V} {NP} within {W}.
The {N} with {A} {Vd} {R}, and {P} will {V} {NP} next {PER}.
{A} said {T} is the default for {NPs}, but {T} is under evaluation for {TOP}.
{A}'s {N} {N} {Vs} {PERF} per {N}, roughly {PCT} above plan.
Most of {A}'s {NPs} sit on {T}, with {NP} on {T} for {TOP}.
{A} is {J} about {TOP} and wants {aJ} answer on {NP} by {QT}.
{A} wants {NP} that works across {T}, {T}, and {T} without {Vg} data.
SemiAnalysis claims {TOP} is ramping quickly and is {J}, enabling {NPs} in {J} sites.
{A} is moving {PCT} of {NPs} from {T} to {T} to free up {NP}.
{A} will need {CAP} more once {TOP} goes into production.
The {N} at {A} is limited by {NP}, not by {NP}.
{A} currently {Vs} {NPs} {R} and wants {PR} to {V} {NP} instead.
{P} thinks {A} is {W} away from {Vg} {NP} at scale.
{A} asked for {aNP} covering {TOP}, {TOP}, and {NP}.
{A}'s {N} cycle runs through {QT}, so {NP} needs to land before then.
{A} mentioned {aJ} {N} with {A2} around {TOP}.
";

const SUMMARIES: &str = "
The discussion focused on {TOP} and how {A} could {V} {NP} without {Vg} {NP}.
Overall, the {N} was {J}, and {A} seemed {J} about {TOP}.
We walked through {NP}, {NP}, and the {J} {N} for {TOP}.
{P} asked whether {PR} can {V} {NP} when {NP} is {J}.
Most of the {N} was spent on {TOP}; the {N} around {NP} is still {J}.
{A} needs {CAP} of {J} {N} for {NPs}, and the {N} is {Vg} {R}.
It is {J} that {A} will {V} {NP} before {QT} unless {NP} {Vs}.
The team {Vd} the {N} and {Vd} {aNP} for {TOP}.
{A} is {R} {Vg} {NP}, with {TOP} as the deciding {N}.
{A}'s internal {N} on {TOP} is described as over, and {A} is scrambling for {J} {N}.
The notes recommend {U} lean into {TOP} and package {aNP} spanning {T} and {T}.
{A} is positioning {NP} as {aNP}, while {NP} remains {J}.
The call covered {TOP}, the {J} {N}, and next steps for {NP}.
{P} and {P} {Vd} {NP} with {A}, who is {J} on {TOP}.
{A} wants to {V} {NP} in {QT}; timing depends on {NP}.
This was {aJ} {N} with {A} about {TOP} and {NP}.
{A} {Vd} {NP} {R}, which changes the {N} for {TOP}.
We agreed that {TOP} is the {J} path, though {NP} is still {J}.
";

const ACTIONS: &str = "
{V} {aNP} for {A} covering {NP} and {TOP}.
Schedule a follow-up with {P} to review {NP} and {TOP}.
Send {A} the {NP} and a summary of {NP}.
Draft {aNP} for {A} that covers {NP}, {NP}, and {TOP}.
Confirm {NP} with {A}'s {M} team before {D}.
Work with {P} to {V} {NP} ahead of the {N} {N}.
Share {NP} results with {L} and {V} {NP}.
Identify {J} {NPs} at {A} and propose {PR} for {TOP}.
Pull together {C} comparison data on {TOP} for {A}.
Ask {A} for {NP} and {NP} so we can {V} the {N}.
Update the {N} {N} with {A}'s {NP} and {CAP} target.
Create a {U} sales play focused on {TOP} for {NPs}.
Review {NP} with {P} and {V} {NP} by {D}.
Develop {aNP} pitch for {A} emphasizing {NP}, {TOP}, and {NP}.
Get deal desk approval for {A} pricing at {MONEY} per petabyte.
Define and package {aNP} offer for {TOP}, including {NPs} and {NPs}.
Book {aNP} session with {A} on {TOP} for {QT}.
Check whether {PR} can {V} {NP} on {T} for {A}.
Loop in {P} on {A}'s {NP} and {TOP}.
Prepare {CAP} sizing for {A} assuming {T} and {NP}.
Write up the {TOP} discussion and send it to {L}.
Validate {NP} on {T} in the lab before the {A} {N}.
Escalate {A}'s {NP} to {M} if it is not resolved by {D}.
";

const DECISIONS: &str = "
{A} will standardize on {PR} for {TOP}.
Agreed to {V} {NP} before {Vg} {NP}.
Decided to run {aNP} pilot on {CAP} with {A} starting {D}.
The team will not {V} {NP} until {NP} is {J}.
{A} selected {U} over {C} for {TOP}.
Deferred {TOP} to {QT} pending {NP}.
We will use {T} for {NP} and revisit {TOP} in {W}.
Pricing for {NP} stays at {MONEY} through {QT}.
{A} approved {aNP} for {CAP} of {T}.
{P} owns {TOP} going forward; {P} backs up.
Keep {C} out of the {N} by {Vg} {NP} first.
Move {TOP} to the {J} {N} and retire the {J} {N}.
";

const CLAIMS: &str = "
{C} claims {PERF} of throughput per {N} on {T}, which {A} has not {Vn}.
{C} is pitching {NP} to {A} at {PCT} below our {N}.
According to {P}, {C} told {A} that {NP} {Vs} {Q}.
{C} marketing says {NP} is {J}, but {A} saw {J} {N} during the {N}.
{C}'s {NP} requires {NP}, which adds {PCT} to the {N} for {A}.
{C} positioned {T} support as {J}; field feedback says it is {J}.
{A} heard from {C} that {TOP} will be {J} by {QT}.
{C} offered {A} a {PCT} discount on {NP} to block {U}.
{C} claims {PERF} on {TOP}, measured on {CAP} with {T}.
{C} says its {N} {Vs} {NP} {R}, but only with {T}.
{C} published {aJ} benchmark on {TOP} showing {PERF} at {CAP}.
{C} lost {A}'s {TOP} deal to {U} after {NP} {Vd} {R}.
{C} is bundling {NP} with {T} to {V} {NP} at {A}.
Field reports say {C} {NPs} {V} {R} once {NP} passes {CAP}.
{C} now claims {J} {TOP}; {P} thinks this is {J}.
{C}'s roadmap shows {NP} in {QT}, which would {V} our {N} on {TOP}.
";

const QUESTIONS: &str = "
Does {A} need {NP} for {NPs}, or is {NP} enough?
Who owns {TOP} at {A} after the {N} {N}?
What is the {J} {N} for {NP} if {NP} {Vs}?
How will {A} {V} {NP} when {NP} moves to {T}?
Can {PR} {V} {NP} at {PERF} without {NP}?
Is {C} still in the running for {TOP} at {A}?
When does {A} expect to {V} {TOP}?
";

const RISKS: &str = "
{TOP} could slip to {QT} if {A} cannot {V} {NP}.
{C} is {Vg} {A}'s {M} team aggressively on {TOP}.
Power and cooling at {A}'s {N} limit expansion to {MW}.
{A} may {V} {NP} instead of {Vg} {PR} if pricing stays at {MONEY}.
The {J} {N} on {NP} is a risk for {TOP}.
{A}'s dependence on {T} for {NP} makes {TOP} {J}.
Lead with {PR} for {TOP} and position {NP} as the {J} {N} against {C}.
Emphasize {NP} and {TOP} when {C} raises {NP}.
";

const SUBS: &str = "
{NP}: {Q}
{T} for {NPs}
{P} to {V} {NP}
{J} {N}, {J} {N}
{A} {N}: {Q} by {QT}
{TOP} ({Q})
{NPs} on {T}
Owner: {P}
{C} quoted {MONEY}
Needs {NP} before {QT}
";

const INTERNAL: &str = "
{M} is {Vg} {NP} for the {QT} {N}.
{P} will {V} {TOP} guidance and share it with {M}.
The {N} for {TOP} needs {aNP} and {aJ} {N}.
We keep {Vg} {NP} {R}; {P} suggested we {V} {NP} instead.
{PCT} of the {NPs} in the {N} are tied to {TOP}.
The {J} {N} for {A2} and {A2} should {V} {NP} by {QT}.
{P} raised that {NPs} are {J} and hard to {V}.
Next {PER} we should {V} {NP} and {V} {TOP}.
{M} asked for {aNP} on {TOP} for {A2}.
The lab has {CAP} of {T} for {TOP} demos.
{P} and {P} will pair on {NP} for {A2}.
Hiring for {M} is {J}; {P} is covering {TOP} until then.
The {C} playbook needs an update on {TOP} and {NP}.
Reminder that {NPs} go through {M} before {D}.
";

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// FNV-1a, to pin the output without depending on a hashing crate's API.
    fn fnv(h: &mut u64, bytes: &[u8]) {
        for &b in bytes {
            *h ^= b as u64;
            *h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn strip(content: &str) -> String {
        content.trim_start_matches('\u{FEFF}').replace("\r\n", "\n")
    }

    fn front_matter_of(content: &str) -> Option<String> {
        let c = strip(content);
        let rest = c.strip_prefix("---\n")?;
        let end = rest.find("\n---\n")?;
        Some(rest[..end].to_string())
    }

    #[test]
    fn same_seed_same_bytes() {
        for i in 0..60 {
            assert_eq!(note(i, 7), note(i, 7), "note {i}");
        }
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let opts = SynthOptions {
            notes: 120,
            seed: 7,
        };
        let sa = generate(a.path(), &opts).unwrap();
        let sb = generate(b.path(), &opts).unwrap();
        assert_eq!(sa, sb);
        for i in 0..120 {
            let (rel, content) = note(i, 7);
            assert_eq!(
                std::fs::read(a.path().join(&rel)).unwrap(),
                content.as_bytes()
            );
            assert_eq!(
                std::fs::read(b.path().join(&rel)).unwrap(),
                content.as_bytes()
            );
        }
    }

    /// Pins the generator's output: benchmark numbers are only comparable on the same vault.
    /// If you change the generator on purpose, update the constant (and say so in the change).
    #[test]
    fn output_is_pinned() {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for i in 0..300 {
            let (p, c) = note(i, 42);
            fnv(&mut h, p.as_bytes());
            fnv(&mut h, c.as_bytes());
        }
        assert_eq!(
            h, PINNED_HASH,
            "synthetic vault output changed: got {h:#018x}"
        );
    }

    const PINNED_HASH: u64 = 0xc5c2_5b21_798a_0658;

    #[test]
    fn different_seeds_differ() {
        let same = (0..50).filter(|&i| note(i, 1).1 == note(i, 2).1).count();
        assert_eq!(same, 0);
        assert_ne!(note_path(5, 1), note_path(5, 2));
    }

    #[test]
    fn every_note_has_front_matter() {
        for i in 0..400 {
            let (rel, content) = note(i, 42);
            let fm = front_matter_of(&content).unwrap_or_else(|| panic!("{rel}: no front matter"));
            for key in [
                "type:",
                "title:",
                "account:",
                "participants:",
                "source:",
                "tags:",
            ] {
                assert!(fm.contains(key), "{rel}: no {key}");
            }
            assert!(strip(&content).contains("\n# "), "{rel}: no title heading");
        }
    }

    #[test]
    fn paths_are_well_formed_and_unique() {
        let mut seen = HashSet::new();
        let mut suffixed = 0;
        for i in 0..20_000 {
            let p = note_path(i, 3);
            let parts: Vec<&str> = p.split('/').collect();
            assert_eq!(parts.len(), 4, "{p}");
            assert!(
                ["Customers", "Meetings", "Competitors", "Internal"].contains(&parts[0]),
                "{p}"
            );
            let name = parts[3];
            assert!(name.ends_with(".md") && name.len() < 200, "{p}");
            assert_eq!(&name[..4], parts[1], "{p}");
            assert_eq!(&name[5..7], parts[2], "{p}");
            assert_eq!(&name[10..13], " - ", "{p}");
            let year: i32 = parts[1].parse().unwrap();
            assert!((2021..=2025).contains(&year), "{p}");
            assert!(
                !name.contains([':', '\\', '*', '?', '"', '<', '>', '|', '#']),
                "{p}"
            );
            if name.ends_with(").md") {
                suffixed += 1;
            }
            assert!(seen.insert(p.to_lowercase()), "duplicate path {p}");
        }
        assert!(
            suffixed > 0,
            "expected some same-day title clashes in 20k notes"
        );
        assert_eq!(note(123, 3).0, note_path(123, 3));
    }

    #[test]
    fn generates_200_notes() {
        let dir = tempfile::tempdir().unwrap();
        let stats = generate(
            dir.path(),
            &SynthOptions {
                notes: 200,
                seed: 42,
            },
        )
        .unwrap();
        assert_eq!(stats.notes, 200);
        let mut files = Vec::new();
        let mut stack = vec![dir.path().to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() {
                    stack.push(e.path());
                } else {
                    files.push(e.path());
                }
            }
        }
        assert_eq!(files.len(), 200);
        let total: u64 = files
            .iter()
            .map(|f| std::fs::metadata(f).unwrap().len())
            .sum();
        assert_eq!(total, stats.bytes);
        let avg = stats.bytes / 200;
        assert!((2500..=4500).contains(&avg), "average note size {avg}");
        let per_note = stats.passages_estimate / 200;
        assert!(
            (15..=40).contains(&per_note),
            "passages per note {per_note}"
        );

        // Exactly one note has the planted account and word, and it is where we say.
        let planted = dir.path().join(planted_path(42));
        let mut hits = Vec::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            if text.contains(PLANTED_WORD) || text.contains(PLANTED_ACCOUNT) {
                hits.push(f.clone());
            }
        }
        assert_eq!(hits, vec![planted.clone()]);
        let text = std::fs::read_to_string(&planted).unwrap();
        assert!(text.contains("account: \"Zyxwv Labs\"") && text.contains("account/zyxwv-labs"));

        // All four folders and several years are used.
        for folder in ["Customers", "Meetings", "Competitors", "Internal"] {
            assert!(dir.path().join(folder).is_dir(), "{folder}");
        }
    }

    #[test]
    fn notes_look_like_the_seed() {
        let mut tasks = 0;
        let mut statuses = HashSet::new();
        let mut kinds = HashSet::new();
        let mut words = HashSet::new();
        for i in 0..300 {
            let r = render(i, 11);
            assert!(
                (12..=50).contains(&r.passages),
                "note {i}: {} passages",
                r.passages
            );
            let c = strip(&r.content);
            for line in c.lines() {
                if let Some(rest) = line.strip_prefix("- [").filter(|r| !r.starts_with('[')) {
                    tasks += 1;
                    statuses.insert(rest.chars().next().unwrap());
                }
            }
            kinds.insert(r.path.split('/').next().unwrap().to_string());
            for w in c.split(|ch: char| !ch.is_alphanumeric()) {
                if !w.is_empty() {
                    words.insert(w.to_lowercase());
                }
            }
            assert!(c.contains("[["), "note {i}: no wikilinks");
        }
        assert!(tasks > 300);
        assert_eq!(statuses, HashSet::from(['?', ' ', 'x', '/']));
        assert_eq!(kinds.len(), 4);
        assert!(
            words.len() > 2500,
            "vocabulary of 300 notes: {}",
            words.len()
        );
    }

    #[test]
    fn dates_round_trip() {
        for day in first_day() - 400..first_day() + DAYS as i64 + 400 {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(civil_from_days(first_day()), (2021, 1, 1));
        assert_eq!(
            civil_from_days(first_day() + DAYS as i64 - 1),
            (2025, 12, 31)
        );
        assert_eq!(date_string(days_from_civil(2024, 2, 29)), "2024-02-29");
        // Note i falls on a day determined by i mod DAYS, and all days are used.
        let days: HashSet<i64> = (0..DAYS).map(|i| day_of(i, 9)).collect();
        assert_eq!(days.len(), DAYS);
    }

    #[test]
    fn mojibake_matches_the_seed_note() {
        assert_eq!(
            mojibake("Microsoft\u{2019}s", MAC_ROMAN),
            "Microsoft\u{201a}\u{c4}\u{f4}s"
        );
        assert_eq!(
            mojibake("\u{1F4C5} TBD \u{23EB}", MAC_ROMAN),
            "\u{f8ff}\u{fc}\u{ec}\u{d6} TBD \u{201a}\u{e8}\u{b4}"
        );
        assert_eq!(mojibake("it\u{2019}s", CP1252), "it\u{e2}\u{20ac}\u{2122}s");
        assert_eq!(MAC_ROMAN.chars().count(), 128);
        assert_eq!(CP1252.chars().count(), 128);
    }

    #[test]
    fn inflections() {
        let v = |s| {
            let v = verb(s);
            (v.s, v.past, v.pp, v.ing)
        };
        let o = |a: &str, b: &str, c: &str, d: &str| {
            (a.to_string(), b.to_string(), c.to_string(), d.to_string())
        };
        assert_eq!(
            v("deploy"),
            o("deploys", "deployed", "deployed", "deploying")
        );
        assert_eq!(
            v("plan+/planned/planned"),
            o("plans", "planned", "planned", "planning")
        );
        assert_eq!(
            v("prioritize"),
            o("prioritizes", "prioritized", "prioritized", "prioritizing")
        );
        assert_eq!(
            v("build/built/built"),
            o("builds", "built", "built", "building")
        );
        assert_eq!(
            v("qualify"),
            o("qualifies", "qualified", "qualified", "qualifying")
        );
        assert_eq!(v("push"), o("pushes", "pushed", "pushed", "pushing"));
        assert_eq!(v("see/saw/seen"), o("sees", "saw", "seen", "seeing"));
        assert_eq!(plural("policy"), "policies");
        assert_eq!(plural("switch"), "switches");
        assert_eq!(plural("data*"), "data");
        assert_eq!(plural("analysis>analyses"), "analyses");
        assert_eq!(noun_base("analysis>analyses"), "analysis");
        for t in vocab().verbs.iter() {
            assert!(!t.ing.contains("ee") || t.base.contains("ee"), "{}", t.ing);
        }
    }

    #[test]
    fn vocabulary_is_clean() {
        let v = vocab();
        assert!(v.accounts.len() >= 40 && v.people.len() >= 15);
        for list in [&v.topics, &v.accounts, &v.competitors, &v.teams] {
            for w in &list.items {
                assert!(!w.contains([':', '/', '#', '"', ')']), "{w}");
            }
        }
        for tl in &v.title_topics {
            for w in &tl.items {
                assert!(!w.contains([':', '/', '#', '"', ')', '?']), "{w}");
            }
        }
        let all = [
            NOUNS, VERBS, ADJECTIVES, ADVERBS, TECH, TOPICS, ACCOUNTS, PEOPLE,
        ];
        for s in all {
            assert!(!s.to_lowercase().contains(PLANTED_WORD) && !s.contains("Zyxwv"));
        }
    }
}
