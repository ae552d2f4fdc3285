//! The analyzer of people's names (`participant`): the whole name, lowercased, and each of
//! its words. A note lists "Priya Raman"; a user asks for `--participant Priya`. Indexing the
//! words beside the whole name keeps both exact (`"priya raman"` matches only the full name)
//! and makes a first or last name enough, with one term lookup either way.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Emits the lowercased, whitespace-collapsed name, then each word of it (split at anything
/// that is not a letter or digit) when the name has more than one.
#[derive(Clone, Copy, Debug, Default)]
pub struct NameTokenizer;

/// The tokens of one name.
pub struct NameTokens {
    tokens: Vec<Token>,
    next: usize,
}

/// The terms a name is indexed (and looked up) under.
pub fn name_terms(name: &str) -> Vec<String> {
    let whole = name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if whole.is_empty() {
        return Vec::new();
    }
    let mut out = vec![whole.clone()];
    let words: Vec<&str> = whole
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() > 1 {
        for w in words {
            if !out.iter().any(|o| o == w) {
                out.push(w.to_string());
            }
        }
    }
    out
}

impl Tokenizer for NameTokenizer {
    type TokenStream<'a> = NameTokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> NameTokens {
        let tokens = name_terms(text)
            .into_iter()
            .enumerate()
            .map(|(position, text)| Token {
                offset_from: 0,
                offset_to: 0,
                position,
                text,
                position_length: 1,
            })
            .collect();
        NameTokens { tokens, next: 0 }
    }
}

impl TokenStream for NameTokens {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_name_then_words() {
        assert_eq!(
            name_terms("  Priya   Raman "),
            vec!["priya raman", "priya", "raman"]
        );
        assert_eq!(name_terms("Ana"), vec!["ana"]);
        assert_eq!(
            name_terms("Jean-Luc Picard"),
            vec!["jean-luc picard", "jean", "luc", "picard"]
        );
        assert!(name_terms(" ").is_empty());
        let mut tokens = Vec::new();
        tantivy::tokenizer::TextAnalyzer::from(NameTokenizer)
            .token_stream("Priya Raman")
            .process(&mut |t| tokens.push(t.text.clone()));
        assert_eq!(tokens, vec!["priya raman", "priya", "raman"]);
    }
}
