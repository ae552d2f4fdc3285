//! Word wrapping for the human printers: a passage of 1,000 characters is printed as lines
//! that fit the terminal, each continuation indented under the first (a hanging indent).
//! Widths are display columns (`unicode-width`), so emoji and CJK count double; lines break
//! at whitespace, and a word longer than the line is cut at a character boundary.

use unicode_width::UnicodeWidthChar;

/// The byte ranges of `text`'s lines when wrapped to `columns` (at least 1). Whitespace
/// at a break belongs to no line.
pub fn wrap_ranges(text: &str, columns: usize) -> Vec<std::ops::Range<usize>> {
    let columns = columns.max(1);
    let mut lines = Vec::new();
    let mut start: Option<usize> = None; // start of the current line
    let mut end = 0; // end of the last word on the current line
    let mut cols = 0; // columns used by the current line
    for (ws, word) in words(text) {
        let w = width(word);
        if let Some(s) = start {
            // The whitespace between words stays as written inside a line.
            let gap = width(&text[end..ws]).max(1);
            if cols + gap + w <= columns {
                cols += gap + w;
                end = ws + word.len();
                continue;
            }
            lines.push(s..end);
        }
        // The word starts a line; cut it while it is wider than a line.
        let mut from = ws;
        let mut used = 0;
        for (i, c) in word.char_indices() {
            let cw = c.width().unwrap_or(0);
            if used + cw > columns && used > 0 {
                lines.push(from..ws + i);
                from = ws + i;
                used = 0;
            }
            used += cw;
        }
        start = Some(from);
        end = ws + word.len();
        cols = used;
    }
    if let Some(s) = start {
        lines.push(s..end);
    }
    lines
}

/// Each word of `text` with its byte offset.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace()
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

/// The display width of `s` in columns.
pub fn width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lines(text: &str, w: usize) -> Vec<&str> {
        wrap_ranges(text, w).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(
            lines("the quick brown fox jumps", 10),
            vec!["the quick", "brown fox", "jumps"]
        );
        assert_eq!(
            lines("abcdefghij klm", 4),
            vec!["abcd", "efgh", "ij", "klm"]
        );
        assert_eq!(lines("  spaced   out  ", 80), vec!["spaced   out"]);
        assert!(lines("", 10).is_empty());
        // Emoji are two columns wide.
        assert_eq!(
            lines("due 📅 2025-05-30", 6),
            vec!["due 📅", "2025-0", "5-30"]
        );
    }

    proptest! {
        /// Every line fits (unless a single character is wider), lines keep the words in
        /// order, and no non-space character is lost.
        #[test]
        fn lines_fit_and_keep_every_word(text in "[a-zé📅 ]{0,60}", w in 1usize..20) {
            let ranges = wrap_ranges(&text, w);
            let mut joined = String::new();
            let mut last = 0;
            for r in &ranges {
                prop_assert!(r.start >= last);
                last = r.end;
                let line = &text[r.clone()];
                prop_assert!(width(line) <= w.max(2), "{:?} wider than {}", line, w);
                joined.push_str(line);
            }
            let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            prop_assert_eq!(squeeze(&joined), squeeze(&text));
        }
    }
}
