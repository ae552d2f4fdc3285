//! English function words, which must not decide a lexical ranking. BM25 gives a rare word
//! weight, and in a vault of meeting notes "who" is rare enough that "who is short on GPUs"
//! ranked a passage beginning "Who owns the sign-off" first. So a plain query word that is
//! a stop word is dropped from the lexical query ([`super::lexical`]), unless every free-text
//! word of the query is one (then nothing would be left to search for). Quoted phrases and
//! `+required` words keep every word, and the semantic side still embeds the whole query.
//!
//! The list: Lucene's English stop set, plus pronouns, auxiliaries, question words and common
//! prepositions (the same kind of list as `quarry claims` compares passages without). Its effect
//! on SciFact and Cranfield is in the README's Quality section.

/// The stop words, lowercase, sorted (checked by a test, searched by binary search).
const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "across", "after", "again", "against", "all", "also", "am", "an", "and",
    "any", "are", "as", "at", "be", "been", "before", "being", "below", "between", "both", "but",
    "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for",
    "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his",
    "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most",
    "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our",
    "ours", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that",
    "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through",
    "to", "too", "under", "until", "up", "us", "very", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "whom", "whose", "why", "will", "with", "would", "you",
    "your", "yours",
];

/// Whether a folded (lowercase, accent-free, unstemmed) word is a stop word.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// Whether every word of `text` is a stop word (and there is at least one word), as the
/// query analyzer splits it.
pub fn all_stop_words(text: &str) -> bool {
    let mut fold = crate::index::schema::fold_analyzer();
    let mut any = false;
    let mut all = true;
    fold.token_stream(text).process(&mut |t| {
        any = true;
        all &= is_stop_word(&t.text);
    });
    any && all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_lowercase() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP_WORDS.iter().all(|w| *w == w.to_lowercase()));
    }

    #[test]
    fn words_are_checked_as_the_analyzer_splits_them() {
        assert!(all_stop_words("Who"));
        assert!(all_stop_words("what's"));
        assert!(!all_stop_words("short"));
        assert!(!all_stop_words("who-short"));
        assert!(!all_stop_words("!!"));
    }
}
