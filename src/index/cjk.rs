//! Chinese, Japanese and Korean text as overlapping character bigrams.
//!
//! These scripts do not put spaces between words, so the word tokenizer keeps a whole run of
//! Han, Hiragana, Katakana or Hangul between punctuation as one token, and a word inside a
//! sentence (`ファイルを埋め込む` in `保管庫内のファイルを埋め込むには`) can never match. Like
//! Lucene's `CJKBigramFilter`, [`CjkBigrams`] splits every such run into overlapping
//! bigrams (`ファイ`, `イル`, `ルを`, …), and a run of one character into that character
//! (a unigram). The same analyzer runs on queries, where a run becomes several tokens and so a
//! phrase query of its bigrams ([`crate::search::lexical`]): a word is found wherever its
//! characters appear in that order, and BM25 ranks by how often.
//!
//! The filter sits right after the tokenizer (before the length limit, which would otherwise
//! drop a long CJK run outright). Latin text is untouched: an ASCII token is passed on after
//! one check, so English indexing pays little (README, Chinese, Japanese and Korean).

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Whether `c` is written without spaces between words: Han ideographs (with the iteration
/// marks), Hiragana, Katakana (with the prolonged sound mark and half-width forms) and Hangul.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF       // Hangul Jamo
        | 0x3005..=0x3007     // 々 〆 〇
        | 0x3040..=0x309F     // Hiragana
        | 0x30A0..=0x30FF     // Katakana (with ー)
        | 0x3130..=0x318F     // Hangul compatibility Jamo
        | 0x31F0..=0x31FF     // Katakana phonetic extensions
        | 0x3400..=0x4DBF     // CJK Extension A
        | 0x4E00..=0x9FFF     // CJK Unified Ideographs
        | 0xA960..=0xA97F     // Hangul Jamo Extended-A
        | 0xAC00..=0xD7AF     // Hangul syllables
        | 0xD7B0..=0xD7FF     // Hangul Jamo Extended-B
        | 0xF900..=0xFAFF     // CJK compatibility ideographs
        | 0xFF66..=0xFF9F     // half-width Katakana
        | 0x20000..=0x3134F   // CJK Extensions B–G
    )
}

/// The share of CJK characters among the letters and digits of `text` (0 when it has none).
pub fn cjk_share(text: &str) -> f32 {
    let (mut cjk, mut all) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphanumeric()) {
        all += 1;
        cjk += usize::from(is_cjk(c));
    }
    if all == 0 {
        0.0
    } else {
        cjk as f32 / all as f32
    }
}

/// Whether a query is mostly CJK (at least half its letters), so hybrid search should lean
/// on its lexical side: the embedding model is English-only.
pub fn mostly_cjk(text: &str) -> bool {
    cjk_share(text) >= 0.5
}

/// The token filter: CJK runs inside tokens become bigrams (a lone character, a unigram);
/// other text passes unchanged.
#[derive(Clone, Copy, Debug, Default)]
pub struct CjkBigrams;

impl TokenFilter for CjkBigrams {
    type Tokenizer<T: Tokenizer> = CjkBigramsTokenizer<T>;
    fn transform<T: Tokenizer>(self, tokenizer: T) -> CjkBigramsTokenizer<T> {
        CjkBigramsTokenizer(tokenizer)
    }
}

/// The tokenizer [`CjkBigrams`] wraps.
#[derive(Clone)]
pub struct CjkBigramsTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for CjkBigramsTokenizer<T> {
    type TokenStream<'a> = CjkBigramsStream<T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CjkBigramsStream {
            inner: self.0.token_stream(text),
            source: String::new(),
            base: 0,
            pending: Vec::new(),
            next: 0,
            shift: 0,
            token: Token::default(),
            own: false,
        }
    }
}

/// The token stream of [`CjkBigrams`].
pub struct CjkBigramsStream<S> {
    inner: S,
    /// The text of the token being split (its pieces are byte ranges of it) and its offset.
    source: String,
    base: usize,
    /// Byte ranges of `source` still to emit as pieces, last first, and the next one's
    /// position.
    pending: Vec<(usize, usize)>,
    next: usize,
    /// How many positions the tokens split so far added: later tokens move up by as many,
    /// so positions stay consecutive and phrases across a CJK run still match.
    shift: usize,
    /// The current piece of a split token (when `own`; else the inner stream's token is it).
    /// Its text buffer is reused from piece to piece: a bigram costs no allocation.
    token: Token,
    own: bool,
}

impl<S: TokenStream> TokenStream for CjkBigramsStream<S> {
    fn advance(&mut self) -> bool {
        if let Some((from, to)) = self.pending.pop() {
            let t = &mut self.token;
            t.text.clear();
            t.text.push_str(&self.source[from..to]);
            t.offset_from = self.base + from;
            t.offset_to = self.base + to;
            t.position = self.next;
            t.position_length = 1;
            self.next += 1;
            self.own = true;
            return true;
        }
        if !self.inner.advance() {
            return false;
        }
        let t = self.inner.token();
        // The common case, English: one check per token, and the token is not copied.
        if t.text.is_ascii() || !t.text.chars().any(is_cjk) {
            self.inner.token_mut().position += self.shift;
            self.own = false;
            return true;
        }
        self.source.clear();
        self.source.push_str(&t.text);
        self.base = t.offset_from;
        // The first piece takes the token's position (plus the shift so far), each next one
        // the position after it.
        self.next = t.position + self.shift;
        pieces(&self.source, &mut self.pending);
        self.pending.reverse();
        self.shift += self.pending.len().saturating_sub(1);
        self.advance()
    }

    fn token(&self) -> &Token {
        if self.own {
            &self.token
        } else {
            self.inner.token()
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        if self.own {
            &mut self.token
        } else {
            self.inner.token_mut()
        }
    }
}

/// The pieces of a token holding CJK characters, in order, as byte ranges: each non-CJK
/// stretch as it is, each CJK run as overlapping bigrams (one character alone as itself).
fn pieces(text: &str, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i + 1).map_or(text.len(), |&(b, _)| b);
    let mut i = 0;
    while i < chars.len() {
        let cjk = is_cjk(chars[i].1);
        let mut j = i;
        while j + 1 < chars.len() && is_cjk(chars[j + 1].1) == cjk {
            j += 1;
        }
        // chars[i..=j] is one run of the same kind.
        if !cjk || i == j {
            out.push((chars[i].0, end_of(j)));
        } else {
            for (k, &(from, _)) in chars.iter().enumerate().take(j).skip(i) {
                out.push((from, end_of(k + 1)));
            }
        }
        i = j + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{SimpleTokenizer, TextAnalyzer};

    fn tokens(text: &str) -> Vec<(String, usize, std::ops::Range<usize>)> {
        let mut a = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(CjkBigrams)
            .build();
        let mut out = Vec::new();
        a.token_stream(text)
            .process(&mut |t| out.push((t.text.clone(), t.position, t.offset_from..t.offset_to)));
        out
    }

    #[test]
    fn runs_become_overlapping_bigrams_with_consecutive_positions() {
        let toks = tokens("保管庫内の GPU容量 は 猫 です");
        let texts: Vec<&str> = toks.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(
            texts,
            vec!["保管", "管庫", "庫内", "内の", "GPU", "容量", "は", "猫", "です"]
        );
        let positions: Vec<usize> = toks.iter().map(|t| t.1).collect();
        assert_eq!(positions, (0..9).collect::<Vec<_>>());
        let text = "保管庫内の GPU容量 は 猫 です";
        for (tok, _, range) in &toks {
            assert_eq!(&text[range.clone()], tok, "offsets point at the characters");
        }
    }

    #[test]
    fn latin_text_is_untouched_and_korean_is_split_too() {
        assert_eq!(
            tokens("Café GPUs, fine"),
            vec![
                ("Café".to_string(), 0, 0..5),
                ("GPUs".to_string(), 1, 6..10),
                ("fine".to_string(), 2, 12..16)
            ]
        );
        let texts: Vec<String> = tokens("파일을 삽입하려면")
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(texts, vec!["파일", "일을", "삽입", "입하", "하려", "려면"]);
        let texts: Vec<String> = tokens("東京2025年").into_iter().map(|t| t.0).collect();
        assert_eq!(texts, vec!["東京", "2025", "年"]);
    }

    #[test]
    fn shares() {
        assert!(mostly_cjk("ファイルを埋め込む"));
        assert!(mostly_cjk("自动嵌入 API"));
        assert!(!mostly_cjk("embed a file 嵌"));
        assert!(!mostly_cjk("!!!"));
        assert_eq!(cjk_share(""), 0.0);
    }
}
