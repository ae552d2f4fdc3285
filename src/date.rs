//! Calendar dates without a time zone: the `date` of a note and the `--since/--until` bounds.
//!
//! A note's date is a civil day (`2025-11-12`), never an instant, so it is stored as days since
//! 1970-01-01 and converted with Howard Hinnant's `days_from_civil` algorithm
//! (<https://howardhinnant.github.io/date_algorithms.html>). No time-zone crate is needed.

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
}
