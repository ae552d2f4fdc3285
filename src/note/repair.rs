//! Text repair before parsing: byte-order marks, line endings, encodings and mojibake.
//!
//! Notes exported from other tools often hold UTF-8 that was once decoded as Mac Roman or
//! Windows-1252 and saved again (`Microsoft‚Äôs`, `üìÖ`, `â€œ`). Such text is restored by
//! re-encoding each run of non-ASCII characters with the wrong code page and decoding the
//! bytes as UTF-8 again. Only sequences that are valid UTF-8 *and* decode to a plausible
//! character are taken, so legitimate accented text (`café`, `“Éclair”`) is left alone.
//! The repair runs until nothing changes, so it is idempotent: every fix shortens the text.

use std::borrow::Cow;
use std::sync::OnceLock;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// How the bytes of a file were turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded {
    /// Valid UTF-8 (with or without a BOM).
    Utf8,
    /// UTF-16 with a byte-order mark.
    Utf16,
    /// Not valid UTF-8; read as Windows-1252.
    Windows1252,
}

/// Why a file's bytes are not a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotText {
    /// A NUL byte or other binary content.
    Binary,
}

/// Decodes file bytes to text: strips a UTF-8 BOM, reads UTF-16 with a BOM, and falls back to
/// Windows-1252 for bytes that are not UTF-8. NUL bytes in the first 8 KiB mean binary.
pub fn decode(bytes: &[u8]) -> Result<(String, Decoded), NotText> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return decode_utf8(rest);
    }
    if bytes.len() >= 2 && (bytes[..2] == [0xFF, 0xFE] || bytes[..2] == [0xFE, 0xFF]) {
        let le = bytes[0] == 0xFF;
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        let text = String::from_utf16_lossy(&units);
        if text.contains('\0') {
            return Err(NotText::Binary);
        }
        return Ok((text, Decoded::Utf16));
    }
    decode_utf8(bytes)
}

fn decode_utf8(bytes: &[u8]) -> Result<(String, Decoded), NotText> {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err(NotText::Binary);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_owned(), Decoded::Utf8)),
        Err(_) => {
            if bytes.contains(&0) || looks_binary(head) {
                return Err(NotText::Binary);
            }
            let text = bytes
                .iter()
                .map(|&b| {
                    if b < 0x80 {
                        b as char
                    } else {
                        WINDOWS_1252[(b - 0x80) as usize]
                    }
                })
                .collect();
            Ok((text, Decoded::Windows1252))
        }
    }
}

/// Control characters other than tab, newline, carriage return and form feed are rare in
/// text and common in binary formats.
fn looks_binary(head: &[u8]) -> bool {
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    controls * 20 > head.len().max(1)
}

/// Normalises line endings (CRLF and lone CR become LF), drops leading BOMs, repairs
/// mojibake and applies Unicode NFC. Line count is preserved, so line numbers stay true.
///
/// The steps repeat until nothing changes, which makes `repair` idempotent: NFC can compose
/// a letter and a combining accent into a character that completes a mojibake sequence
/// (`a\u{301}€€` → `á€€` → `က`), and a repaired `ï»¿` is a BOM. Every round but the last
/// shortens the text, and a few rounds are the most real text needs; the bound only
/// guarantees termination.
pub fn repair(text: &str) -> Cow<'_, str> {
    let mut out: Cow<'_, str> = Cow::Borrowed(text);
    for _ in 0..16 {
        match repair_round(&out) {
            Some(fixed) => out = Cow::Owned(fixed),
            None => break,
        }
    }
    out
}

/// One round of [`repair`]; `None` when the text is already repaired.
fn repair_round(text: &str) -> Option<String> {
    let mut out: Cow<'_, str> = Cow::Borrowed(text.trim_start_matches('\u{FEFF}'));
    if out.contains('\r') {
        out = Cow::Owned(out.replace("\r\n", "\n").replace('\r', "\n"));
    }
    while let Some(fixed) = fix_mojibake(&out) {
        out = Cow::Owned(fixed);
    }
    if is_nfc_quick(out.chars()) != IsNormalized::Yes {
        let nfc: String = out.nfc().collect();
        if nfc != *out {
            out = Cow::Owned(nfc);
        }
    }
    match out {
        Cow::Borrowed(b) if b.len() == text.len() => None,
        other => Some(other.into_owned()),
    }
}

/// One pass of mojibake repair; `None` when nothing was fixed.
pub fn fix_mojibake(text: &str) -> Option<String> {
    if text.is_ascii() {
        return None;
    }
    let tables = tables();
    let mut out = String::with_capacity(text.len());
    let mut fixed = false;
    let mut run: Vec<char> = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        let c = chars.next();
        match c {
            Some(c) if !c.is_ascii() => run.push(c),
            _ => {
                if !run.is_empty() {
                    fixed |= fix_run(&run, tables, &mut out);
                    run.clear();
                }
                match c {
                    Some(c) => out.push(c),
                    None => break,
                }
            }
        }
    }
    fixed.then_some(out)
}

/// Repairs one run of non-ASCII characters with whichever code page fixes more of it.
fn fix_run(run: &[char], tables: &Tables, out: &mut String) -> bool {
    if run.len() < 2 {
        out.extend(run);
        return false;
    }
    let mut best: Option<(usize, String)> = None;
    for reverse in [&tables.mac_roman, &tables.windows_1252] {
        if let Some((count, text)) = decode_run(run, reverse) {
            if count > 0 && best.as_ref().is_none_or(|(c, _)| count > *c) {
                best = Some((count, text));
            }
        }
    }
    match best {
        Some((_, text)) => {
            out.push_str(&text);
            true
        }
        None => {
            out.extend(run);
            false
        }
    }
}

/// Re-encodes `run` with a code page and greedily decodes valid, plausible UTF-8 sequences;
/// characters that are not part of one stay as they were. Returns how many were repaired.
fn decode_run(run: &[char], reverse: &[(char, u8)]) -> Option<(usize, String)> {
    let bytes: Vec<Option<u8>> = run
        .iter()
        .map(|c| {
            reverse
                .binary_search_by_key(c, |&(k, _)| k)
                .ok()
                .map(|i| reverse[i].1)
        })
        .collect();
    let mut out = String::new();
    let mut count = 0;
    let mut i = 0;
    while i < run.len() {
        let len = match bytes[i] {
            Some(0xC2..=0xDF) => 2,
            Some(0xE0..=0xEF) => 3,
            Some(0xF0..=0xF4) => 4,
            _ => 0,
        };
        if len > 0 && i + len <= run.len() {
            let seq: Option<Vec<u8>> = bytes[i..i + len].iter().copied().collect();
            if let Some(c) = seq
                .as_deref()
                .and_then(|s| std::str::from_utf8(s).ok())
                .and_then(|s| s.chars().next())
            {
                if plausible(c, len) {
                    out.push(c);
                    count += 1;
                    i += len;
                    continue;
                }
            }
        }
        out.push(run[i]);
        i += 1;
    }
    Some((count, out))
}

/// Characters that mojibake plausibly came from. Two-byte sequences must be Latin, Greek or
/// Cyrillic letters or Latin-1 symbols; this keeps `“É` (Mac Roman D2 83 → U+0483) intact.
fn plausible(c: char, len: usize) -> bool {
    let u = c as u32;
    match len {
        2 => {
            (0xA0..=0x24F).contains(&u)
                || (0x386..=0x3CE).contains(&u)
                || (0x400..=0x45F).contains(&u)
        }
        _ => !c.is_control() && !(0xE000..=0xF8FF).contains(&u),
    }
}

struct Tables {
    mac_roman: Vec<(char, u8)>,
    windows_1252: Vec<(char, u8)>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let reverse = |table: &[char; 128]| {
            let mut v: Vec<(char, u8)> = table
                .iter()
                .enumerate()
                .map(|(i, &c)| (c, 0x80 + i as u8))
                .collect();
            v.sort();
            v
        };
        Tables {
            mac_roman: reverse(&MAC_ROMAN),
            windows_1252: reverse(&WINDOWS_1252),
        }
    })
}

/// Mac Roman bytes 0x80..=0xFF (as Python's `mac_roman` codec decodes them).
const MAC_ROMAN: [char; 128] = [
    '\u{00C4}', '\u{00C5}', '\u{00C7}', '\u{00C9}', '\u{00D1}', '\u{00D6}', '\u{00DC}', '\u{00E1}',
    '\u{00E0}', '\u{00E2}', '\u{00E4}', '\u{00E3}', '\u{00E5}', '\u{00E7}', '\u{00E9}', '\u{00E8}',
    '\u{00EA}', '\u{00EB}', '\u{00ED}', '\u{00EC}', '\u{00EE}', '\u{00EF}', '\u{00F1}', '\u{00F3}',
    '\u{00F2}', '\u{00F4}', '\u{00F6}', '\u{00F5}', '\u{00FA}', '\u{00F9}', '\u{00FB}', '\u{00FC}',
    '\u{2020}', '\u{00B0}', '\u{00A2}', '\u{00A3}', '\u{00A7}', '\u{2022}', '\u{00B6}', '\u{00DF}',
    '\u{00AE}', '\u{00A9}', '\u{2122}', '\u{00B4}', '\u{00A8}', '\u{2260}', '\u{00C6}', '\u{00D8}',
    '\u{221E}', '\u{00B1}', '\u{2264}', '\u{2265}', '\u{00A5}', '\u{00B5}', '\u{2202}', '\u{2211}',
    '\u{220F}', '\u{03C0}', '\u{222B}', '\u{00AA}', '\u{00BA}', '\u{03A9}', '\u{00E6}', '\u{00F8}',
    '\u{00BF}', '\u{00A1}', '\u{00AC}', '\u{221A}', '\u{0192}', '\u{2248}', '\u{2206}', '\u{00AB}',
    '\u{00BB}', '\u{2026}', '\u{00A0}', '\u{00C0}', '\u{00C3}', '\u{00D5}', '\u{0152}', '\u{0153}',
    '\u{2013}', '\u{2014}', '\u{201C}', '\u{201D}', '\u{2018}', '\u{2019}', '\u{00F7}', '\u{25CA}',
    '\u{00FF}', '\u{0178}', '\u{2044}', '\u{20AC}', '\u{2039}', '\u{203A}', '\u{FB01}', '\u{FB02}',
    '\u{2021}', '\u{00B7}', '\u{201A}', '\u{201E}', '\u{2030}', '\u{00C2}', '\u{00CA}', '\u{00C1}',
    '\u{00CB}', '\u{00C8}', '\u{00CD}', '\u{00CE}', '\u{00CF}', '\u{00CC}', '\u{00D3}', '\u{00D4}',
    '\u{F8FF}', '\u{00D2}', '\u{00DA}', '\u{00DB}', '\u{00D9}', '\u{0131}', '\u{02C6}', '\u{02DC}',
    '\u{00AF}', '\u{02D8}', '\u{02D9}', '\u{02DA}', '\u{00B8}', '\u{02DD}', '\u{02DB}', '\u{02C7}',
];
/// Windows-1252 bytes 0x80..=0xFF; the five undefined bytes map to the C1 controls, as Latin-1 does.
const WINDOWS_1252: [char; 128] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
    '\u{00A0}', '\u{00A1}', '\u{00A2}', '\u{00A3}', '\u{00A4}', '\u{00A5}', '\u{00A6}', '\u{00A7}',
    '\u{00A8}', '\u{00A9}', '\u{00AA}', '\u{00AB}', '\u{00AC}', '\u{00AD}', '\u{00AE}', '\u{00AF}',
    '\u{00B0}', '\u{00B1}', '\u{00B2}', '\u{00B3}', '\u{00B4}', '\u{00B5}', '\u{00B6}', '\u{00B7}',
    '\u{00B8}', '\u{00B9}', '\u{00BA}', '\u{00BB}', '\u{00BC}', '\u{00BD}', '\u{00BE}', '\u{00BF}',
    '\u{00C0}', '\u{00C1}', '\u{00C2}', '\u{00C3}', '\u{00C4}', '\u{00C5}', '\u{00C6}', '\u{00C7}',
    '\u{00C8}', '\u{00C9}', '\u{00CA}', '\u{00CB}', '\u{00CC}', '\u{00CD}', '\u{00CE}', '\u{00CF}',
    '\u{00D0}', '\u{00D1}', '\u{00D2}', '\u{00D3}', '\u{00D4}', '\u{00D5}', '\u{00D6}', '\u{00D7}',
    '\u{00D8}', '\u{00D9}', '\u{00DA}', '\u{00DB}', '\u{00DC}', '\u{00DD}', '\u{00DE}', '\u{00DF}',
    '\u{00E0}', '\u{00E1}', '\u{00E2}', '\u{00E3}', '\u{00E4}', '\u{00E5}', '\u{00E6}', '\u{00E7}',
    '\u{00E8}', '\u{00E9}', '\u{00EA}', '\u{00EB}', '\u{00EC}', '\u{00ED}', '\u{00EE}', '\u{00EF}',
    '\u{00F0}', '\u{00F1}', '\u{00F2}', '\u{00F3}', '\u{00F4}', '\u{00F5}', '\u{00F6}', '\u{00F7}',
    '\u{00F8}', '\u{00F9}', '\u{00FA}', '\u{00FB}', '\u{00FC}', '\u{00FD}', '\u{00FE}', '\u{00FF}',
];

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(s: &str) -> String {
        repair(s).into_owned()
    }

    #[test]
    fn repairs_mac_roman_from_the_seed_note() {
        assert_eq!(fixed("Microsoft‚Äôs fleet"), "Microsoft’s fleet");
        assert_eq!(
            fixed("@Myself \u{F8FF}üìÖ TBD ‚è´ #task"),
            "@Myself 📅 TBD ⏫ #task"
        );
        assert_eq!(fixed("‚ÄúBig Pause‚Äù"), "“Big Pause”");
    }

    #[test]
    fn repairs_windows_1252() {
        assert_eq!(fixed("Microsoftâ€™s"), "Microsoft’s");
        assert_eq!(fixed("â€œquotedâ€\u{9D}"), "“quoted”");
        assert_eq!(fixed("cafÃ© crÃ¨me"), "café crème");
    }

    #[test]
    fn leaves_real_text_alone() {
        for s in [
            "café “Éclair” naïve – déjà vu",
            "Ωmega ≥ 3 µs",
            "日本語のテキスト",
            "emoji 📅 ⏫ ✅",
            "Ä Ö Ü ß",
        ] {
            assert_eq!(fixed(s), s, "{s}");
        }
    }

    #[test]
    fn is_idempotent_and_repairs_double_encoding() {
        let once = "Microsoftâ€™s";
        let twice: String = once
            .bytes()
            .map(|b| {
                if b < 0x80 {
                    b as char
                } else {
                    WINDOWS_1252[(b - 0x80) as usize]
                }
            })
            .collect();
        assert_eq!(fixed(&twice), "Microsoft’s");
        let r = fixed(&twice);
        assert_eq!(fixed(&r), r);
    }

    #[test]
    fn proptest_regression_nfc_completes_mojibake() {
        // Found by src/note/proptests.rs: NFC made `á` out of `a` + U+0301, and `á€€` is
        // the Windows-1252 reading of E1 80 80 (`က`), so a second repair changed the text.
        let once = fixed("a\u{301}€€");
        assert_eq!(once, "က");
        assert_eq!(fixed(&once), once);
        // A repaired UTF-8 BOM, and several BOMs, are dropped in one repair.
        assert_eq!(fixed("ï»¿x"), "x");
        assert_eq!(fixed("\u{FEFF}\u{FEFF}x"), "x");
    }

    #[test]
    fn line_endings_and_bom() {
        assert_eq!(fixed("\u{FEFF}a\r\nb\rc\n"), "a\nb\nc\n");
        assert_eq!(fixed("e\u{301}"), "é");
    }

    #[test]
    fn decodes_bytes() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFhi").unwrap(),
            ("hi".to_string(), Decoded::Utf8)
        );
        assert_eq!(
            decode(b"caf\xE9").unwrap(),
            ("café".to_string(), Decoded::Windows1252)
        );
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Err(NotText::Binary)
        );
        assert_eq!(
            decode(b"\xFF\xFEh\0i\0").unwrap(),
            ("hi".to_string(), Decoded::Utf16)
        );
    }
}
