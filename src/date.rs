//! Calendar dates without a time zone: the `date` of a note and the `--since/--until` bounds.
//!
//! A note's date is a civil day (`2025-11-12`), never an instant, so it is stored as days since
//! 1970-01-01 and converted with Howard Hinnant's `days_from_civil` algorithm
//! (<https://howardhinnant.github.io/date_algorithms.html>). No time-zone crate is needed.
//!
//! A claim's own date may be coarser than a day: a running log says `2024-11 (trade show)` or
//! `### Q3 2025`. [`Period`] keeps that precision (a day, a month or a quarter) instead of
//! inventing a day, sorts among days by its first day (coarser first on a tie), and tests
//! filter bounds by overlap, so `--since 2025-03-10` keeps a claim dated `2025-03`.

use std::fmt;

/// A proleptic Gregorian calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    days: i32,
}

impl Date {
    /// The day `year-month-day`, or `None` when it does not exist (`2025-02-31`).
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        if !(1..=9999).contains(&year) {
            return None;
        }
        Some(Date {
            days: days_from_civil(year, month, day),
        })
    }

    /// The day that is `days` days after 1970-01-01.
    pub fn from_days(days: i32) -> Date {
        Date { days }
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i32 {
        self.days
    }

    /// Seconds since the Unix epoch at midnight UTC of this day.
    pub fn unix_seconds(self) -> i64 {
        i64::from(self.days) * 86_400
    }

    /// `(year, month, day)`.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.days)
    }

    /// Today in UTC.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Date {
            days: (secs.div_euclid(86_400)) as i32,
        }
    }

    /// Parses the `YYYY-MM-DD` at the start of `s` (the rest, such as `T10:00` or ` - Title`,
    /// is ignored). `None` when there is no valid date there.
    pub fn parse_prefix(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        if b.len() > 10 && b[10].is_ascii_digit() {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            // `get`, not indexing: byte 10 may fall inside a character (`2025-11-1é`).
            let part = s.get(r)?;
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        Date::from_ymd(num(0..4)? as i32, num(5..7)?, num(8..10)?)
    }

    /// Shifts by whole months, clamping the day to the month's end (`03-31` − 1 month = `02-28`).
    pub fn add_months(self, months: i32) -> Date {
        let (y, m, d) = self.ymd();
        let total = y * 12 + (m as i32 - 1) + months;
        let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
        let nd = d.min(days_in_month(ny, nm));
        Date {
            days: days_from_civil(ny, nm, nd),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// Parses a `--since`/`--until`/`--due-*` value: `YYYY-MM-DD`, `today`, a span back from
/// `today` such as `30d`, `2w`, `6m`, `1y`, or a span ahead such as `+7d`.
pub fn parse_bound(s: &str, today: Date) -> Result<Date, String> {
    let s = s.trim();
    if s.len() == 10 {
        if let Some(d) = Date::parse_prefix(s) {
            return Ok(d);
        }
    }
    let bad = || {
        format!(
            "invalid date '{s}': expected YYYY-MM-DD (a real day), today, or a span like 30d, 2w, 6m, 1y ago (+7d ahead)"
        )
    };
    if s.eq_ignore_ascii_case("today") {
        return Ok(today);
    }
    // `+7d` is a span ahead (for due dates), `7d` one back.
    let (sign, s) = match s.strip_prefix('+') {
        Some(rest) => (-1, rest),
        None => (1, s),
    };
    // Split off the last character, not the last byte: it may be `é`.
    let unit_len = s.chars().next_back().map_or(0, char::len_utf8);
    let (num, unit) = s.split_at(s.len() - unit_len);
    if num.starts_with(['+', '-']) {
        return Err(bad());
    }
    let n: i32 = num.parse().map_err(|_| bad())?;
    if !(0..=100_000).contains(&n) {
        return Err(bad());
    }
    let n = sign * n;
    match unit {
        "d" => Ok(Date::from_days(today.days() - n)),
        "w" => Ok(Date::from_days(today.days() - 7 * n)),
        "m" => Ok(today.add_months(-n)),
        "y" => Ok(today.add_months(-12 * n)),
        _ => Err(bad()),
    }
}

/// How precise a [`Period`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    /// A calendar quarter (`2025-Q3`).
    Quarter,
    /// A calendar month (`2025-03`).
    Month,
    /// One day (`2025-03-21`).
    Day,
}

/// A day, a month or a quarter: the date a claim was made, as precisely as the note says it.
///
/// Ordered by first day, then coarser before finer (`2025-Q1` < `2025-01` < `2025-01-01` <
/// `2025-01-02`), so a month sorts at its start among the days of the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    start: Date,
    precision: Precision,
}

/// English month names and their usual abbreviations, lowercase (`sept` too).
const MONTHS: [&[&str]; 12] = [
    &["january", "jan"],
    &["february", "feb"],
    &["march", "mar"],
    &["april", "apr"],
    &["may"],
    &["june", "jun"],
    &["july", "jul"],
    &["august", "aug"],
    &["september", "sep", "sept"],
    &["october", "oct"],
    &["november", "nov"],
    &["december", "dec"],
];

impl Period {
    /// One day.
    pub fn day(d: Date) -> Period {
        Period {
            start: d,
            precision: Precision::Day,
        }
    }

    /// The month `year-month`, or `None` when it does not exist.
    pub fn month(year: i32, month: u32) -> Option<Period> {
        Some(Period {
            start: Date::from_ymd(year, month, 1)?,
            precision: Precision::Month,
        })
    }

    /// The quarter `year-Qq` (`q` in 1..=4), or `None`.
    pub fn quarter(year: i32, q: u32) -> Option<Period> {
        if !(1..=4).contains(&q) {
            return None;
        }
        Some(Period {
            start: Date::from_ymd(year, 3 * q - 2, 1)?,
            precision: Precision::Quarter,
        })
    }

    /// Its first day.
    pub fn start(self) -> Date {
        self.start
    }

    /// Its last day.
    pub fn end(self) -> Date {
        let months = match self.precision {
            Precision::Day => return self.start,
            Precision::Month => 1,
            Precision::Quarter => 3,
        };
        Date::from_days(self.start.add_months(months).days() - 1)
    }

    /// Day, month or quarter.
    pub fn precision(self) -> Precision {
        self.precision
    }

    /// Whether any day of the period lies within the inclusive bounds (a missing bound is
    /// open), so a filter never hides a claim that may have been made inside it.
    pub fn overlaps(self, since: Option<Date>, until: Option<Date>) -> bool {
        since.is_none_or(|s| self.end() >= s) && until.is_none_or(|u| self.start <= u)
    }

    /// Whole calendar months from `self`'s start to `later`'s start (negative when earlier).
    pub fn months_until(self, later: Period) -> i32 {
        let (y1, m1, _) = self.start.ymd();
        let (y2, m2, _) = later.start.ymd();
        (y2 - y1) * 12 + m2 as i32 - m1 as i32
    }

    /// Parses a whole string as a period ([`Period::parse_prefix`] with nothing left over).
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        match Period::parse_prefix(s) {
            Some((p, n)) if n == s.len() => Some(p),
            _ => None,
        }
    }

    /// Parses the date at the start of `s` and returns it with the number of bytes it took.
    /// Forms: `2025-03-21`, `2025/03/21`, `2025-03`, `2025-Q3`, `2025 Q3`, `Q3 2025`,
    /// `Q3-2025`, `Mar 2025`, `March 2025`, `Mar. 2025`, `Mar 21, 2025`, `21 Mar 2025`.
    /// The date must end at a word boundary (`2025-03-211` and `Q3 20255` are no dates).
    pub fn parse_prefix(s: &str) -> Option<(Period, usize)> {
        let found = iso(s)
            .or_else(|| quarter_first(s))
            .or_else(|| month_name_first(s))
            .or_else(|| day_first(s))?;
        let rest = &s[found.1..];
        let boundary = rest
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_');
        // `2025-03-21-4` or `2025-03/` followed by digits: part of something else.
        let glued_digit = rest.len() > 1
            && (rest.starts_with('-') || rest.starts_with('/'))
            && rest.as_bytes()[1].is_ascii_digit();
        (boundary && !glued_digit).then_some(found)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, _) = self.start.ymd();
        match self.precision {
            Precision::Day => write!(f, "{}", self.start),
            Precision::Month => write!(f, "{y:04}-{m:02}"),
            Precision::Quarter => write!(f, "{y:04}-Q{}", (m - 1) / 3 + 1),
        }
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let s = String::deserialize(d)?;
        Period::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "'{s}' is not a date (YYYY-MM-DD, YYYY-MM or YYYY-Qn)"
            ))
        })
    }
}

/// Leading ASCII digits of `s`: their count and value (at most 4 digits are read).
fn digits(s: &str) -> (usize, u32) {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || n > 4 {
        return (n, 0);
    }
    (n, s[..n].parse().unwrap_or(0))
}

/// A plausible year: four digits, 1900..=2199 (a claim from another era is a typo).
fn year(s: &str) -> Option<(i32, usize)> {
    let (n, y) = digits(s);
    (n == 4 && (1900..=2199).contains(&y)).then_some((y as i32, 4))
}

/// `2025-03-21`, `2025/03/21`, `2025-03`, `2025-Q3`, `2025 Q3`.
fn iso(s: &str) -> Option<(Period, usize)> {
    let (y, _) = year(s)?;
    let rest = &s[4..];
    let sep = rest.chars().next()?;
    if sep == '-' || sep == ' ' {
        let r = &rest[1..];
        if let Some(q) = r.strip_prefix(['Q', 'q']) {
            let (n, q) = digits(q);
            return (n == 1)
                .then(|| Period::quarter(y, q))
                .flatten()
                .map(|p| (p, 7));
        }
    }
    if sep != '-' && sep != '/' {
        return None;
    }
    let (n, m) = digits(&rest[1..]);
    if n != 2 {
        return None;
    }
    let after = &rest[3..];
    if after.starts_with(sep) {
        let (n, d) = digits(&after[1..]);
        if n == 2 {
            return Date::from_ymd(y, m, d).map(|d| (Period::day(d), 10));
        }
        return None;
    }
    Period::month(y, m).map(|p| (p, 7))
}

/// `Q3 2025`, `Q3-2025`, `Q3/2025`.
fn quarter_first(s: &str) -> Option<(Period, usize)> {
    let r = s.strip_prefix(['Q', 'q'])?;
    let (n, q) = digits(r);
    if n != 1 {
        return None;
    }
    let sep = r[1..].chars().next()?;
    if !matches!(sep, ' ' | '-' | '/') {
        return None;
    }
    let (y, len) = year(&r[2..])?;
    Period::quarter(y, q).map(|p| (p, 3 + len))
}

/// The month a word names (`Mar`, `March`, `Sept`; any case), and the word's length.
fn month_word(s: &str) -> Option<(u32, usize)> {
    let len = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    let word = s[..len].to_ascii_lowercase();
    let m = MONTHS
        .iter()
        .position(|names| names.contains(&word.as_str()))?;
    Some((m as u32 + 1, len))
}

/// `Mar 2025`, `March 2025`, `Mar. 2025`, `Mar 21, 2025`, `March 21 2025`.
fn month_name_first(s: &str) -> Option<(Period, usize)> {
    let (m, mut i) = month_word(s)?;
    if s[i..].starts_with('.') {
        i += 1;
    }
    let spaces = |at: usize| s[at..].bytes().take_while(|b| *b == b' ').count();
    let sp = spaces(i);
    if sp == 0 {
        return None;
    }
    i += sp;
    if let Some((y, len)) = year(&s[i..]) {
        return Period::month(y, m).map(|p| (p, i + len));
    }
    let (n, d) = digits(&s[i..]);
    if !(1..=2).contains(&n) {
        return None;
    }
    i += n;
    if s[i..].starts_with(',') {
        i += 1;
    }
    let sp = spaces(i);
    if sp == 0 {
        return None;
    }
    i += sp;
    let (y, len) = year(&s[i..])?;
    Date::from_ymd(y, m, d).map(|d| (Period::day(d), i + len))
}

/// `21 Mar 2025`, `21 March 2025`.
fn day_first(s: &str) -> Option<(Period, usize)> {
    let (n, d) = digits(s);
    if !(1..=2).contains(&n) || !s[n..].starts_with(' ') {
        return None;
    }
    let (m, len) = month_word(&s[n + 1..])?;
    let mut i = n + 1 + len;
    if s[i..].starts_with('.') {
        i += 1;
    }
    if !s[i..].starts_with(' ') {
        return None;
    }
    let (y, ylen) = year(&s[i + 1..])?;
    Date::from_ymd(y, m, d).map(|d| (Period::day(d), i + 1 + ylen))
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_validates() {
        let d = Date::from_ymd(2025, 11, 12).unwrap();
        assert_eq!(d.to_string(), "2025-11-12");
        assert_eq!(Date::from_ymd(1970, 1, 1).unwrap().days(), 0);
        assert_eq!(Date::from_ymd(2024, 2, 29).unwrap().ymd(), (2024, 2, 29));
        assert!(Date::from_ymd(2025, 2, 29).is_none());
        assert!(Date::from_ymd(2025, 13, 1).is_none());
        for days in -700_000..2_900_000 {
            if days % 997 == 0 {
                let (y, m, dd) = Date::from_days(days).ymd();
                assert_eq!(Date::from_ymd(y, m, dd).map(Date::days), Some(days));
            }
        }
    }

    #[test]
    fn parses_prefixes() {
        assert_eq!(
            Date::parse_prefix("2025-11-12 - Announcements")
                .unwrap()
                .to_string(),
            "2025-11-12"
        );
        assert_eq!(
            Date::parse_prefix("2025-11-12T10:00:00Z")
                .unwrap()
                .to_string(),
            "2025-11-12"
        );
        assert!(Date::parse_prefix("2025-11-123").is_none());
        assert!(Date::parse_prefix("31/02/2025").is_none());
        assert!(Date::parse_prefix("2025-02-31").is_none());
        assert!(Date::parse_prefix("Notes").is_none());
        assert!(Date::parse_prefix("2025-1é-12").is_none());
    }

    #[test]
    fn fuzz_regression_multibyte_characters_at_cut_points() {
        // Both used to panic on a byte index inside a character: a note named
        // `2025-11-1é.md` crashed `quarry index`, `--since 3é` crashed `quarry search`.
        assert!(Date::parse_prefix("2025-11-1é").is_none());
        assert!(Date::parse_prefix("2025-11-1é - Title").is_none());
        let today = Date::from_ymd(2025, 3, 31).unwrap();
        assert!(parse_bound("3é", today).is_err());
        assert!(parse_bound("é", today).is_err());
        assert!(parse_bound("2025-11-1é", today).is_err());
    }

    #[test]
    fn parses_bounds() {
        let today = Date::from_ymd(2025, 3, 31).unwrap();
        let p = |s| parse_bound(s, today).map(|d| d.to_string());
        assert_eq!(p("2025-01-02").unwrap(), "2025-01-02");
        assert_eq!(p("30d").unwrap(), "2025-03-01");
        assert_eq!(p("2w").unwrap(), "2025-03-17");
        assert_eq!(p("1m").unwrap(), "2025-02-28");
        assert_eq!(p("1y").unwrap(), "2024-03-31");
        assert_eq!(p("today").unwrap(), "2025-03-31");
        assert_eq!(p("+1d").unwrap(), "2025-04-01");
        assert_eq!(p("+2w").unwrap(), "2025-04-14");
        assert!(p("++1d").is_err() && p("+-1d").is_err() && p("+").is_err());
        assert!(p("2025-13-45").is_err());
        assert!(p("-3d").is_err());
        assert!(p("3x").is_err());
        assert!(p("").is_err());
    }

    #[test]
    fn periods_parse_print_and_sort() {
        let p = |s: &str| Period::parse(s).map(|p| p.to_string());
        assert_eq!(p("2025-03-21").as_deref(), Some("2025-03-21"));
        assert_eq!(p("2025/03/21").as_deref(), Some("2025-03-21"));
        assert_eq!(p("2025-03").as_deref(), Some("2025-03"));
        assert_eq!(p("Mar 2025").as_deref(), Some("2025-03"));
        assert_eq!(p("march 2025").as_deref(), Some("2025-03"));
        assert_eq!(p("Sept. 2025").as_deref(), Some("2025-09"));
        assert_eq!(p("Mar 21, 2025").as_deref(), Some("2025-03-21"));
        assert_eq!(p("21 Mar 2025").as_deref(), Some("2025-03-21"));
        assert_eq!(p("2025-Q3").as_deref(), Some("2025-Q3"));
        assert_eq!(p("2025 Q3").as_deref(), Some("2025-Q3"));
        assert_eq!(p("Q3 2025").as_deref(), Some("2025-Q3"));
        for bad in [
            "2025-13",
            "2025-02-30",
            "2025-Q5",
            "Q0 2025",
            "Mar",
            "2025",
            "Mayday 2025",
            "1750-01",
            "25-03",
            "2025-3",
            "é",
            "2025-0é",
            "Q3 20255",
            "",
        ] {
            assert_eq!(p(bad), None, "{bad}");
        }
        // Prefixes stop at a word boundary.
        assert_eq!(
            Period::parse_prefix("2024-11 (trade show): Acme").map(|(p, n)| (p.to_string(), n)),
            Some(("2024-11".into(), 7))
        );
        assert!(Period::parse_prefix("2025-03-211").is_none());
        assert!(Period::parse_prefix("2025-03-21-4").is_none());
        assert!(Period::parse_prefix("2025-03x").is_none());
        let mut v: Vec<Period> = [
            "2025-01-02",
            "2025-01",
            "2024-12-31",
            "2025-Q1",
            "2025-01-01",
        ]
        .iter()
        .map(|s| Period::parse(s).unwrap())
        .collect();
        v.sort();
        let shown: Vec<String> = v.iter().map(Period::to_string).collect();
        assert_eq!(
            shown,
            [
                "2024-12-31",
                "2025-Q1",
                "2025-01",
                "2025-01-01",
                "2025-01-02"
            ]
        );
    }

    #[test]
    fn periods_overlap_bounds_and_count_months() {
        let d = |s: &str| Date::parse_prefix(s).unwrap();
        let march = Period::parse("2025-03").unwrap();
        assert_eq!(march.end().to_string(), "2025-03-31");
        assert_eq!(
            Period::parse("2024-Q1").unwrap().end().to_string(),
            "2024-03-31"
        );
        assert!(march.overlaps(Some(d("2025-03-10")), None));
        assert!(march.overlaps(None, Some(d("2025-03-01"))));
        assert!(!march.overlaps(Some(d("2025-04-01")), None));
        assert!(!march.overlaps(None, Some(d("2025-02-28"))));
        assert!(march.overlaps(None, None));
        let june = Period::parse("2025-06-15").unwrap();
        assert_eq!(march.months_until(june), 3);
        assert_eq!(june.months_until(march), -3);
        let json = serde_json::to_string(&march).unwrap();
        assert_eq!(json, "\"2025-03\"");
        assert_eq!(serde_json::from_str::<Period>(&json).unwrap(), march);
        assert!(serde_json::from_str::<Period>("\"soon\"").is_err());
    }
}
