//! Instants as the sources write them (RFC 3339, Unix nanoseconds) and as people type them
//! (`--since 15m`, `--since 2026-11-28T04:00:00Z`), kept as microseconds since the Unix epoch.

use std::fmt;

/// Microseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

const MICROS_PER_SECOND: i64 = 1_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

impl Timestamp {
    /// From OTLP's `*UnixNano` fields.
    pub fn from_unix_nanos(nanos: u64) -> Timestamp {
        Timestamp((nanos / 1_000) as i64)
    }

    /// `2026-11-28T04:51:38.632624Z`, `...38Z`, `...38.6+01:00`; a space for the `T` too.
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        Timestamp::parse_rfc3339_bytes(text.as_bytes())
    }

    /// The same, from raw bytes: the hot path of dating every line.
    pub fn parse_rfc3339_bytes(bytes: &[u8]) -> Option<Timestamp> {
        if bytes.len() < 20 {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<i64> {
            let digits = bytes.get(range)?;
            digits.iter().try_fold(0i64, |value, &digit| {
                digit
                    .is_ascii_digit()
                    .then(|| value * 10 + i64::from(digit - b'0'))
            })
        };
        let separators_ok = bytes[4] == b'-'
            && bytes[7] == b'-'
            && matches!(bytes[10], b'T' | b't' | b' ')
            && bytes[13] == b':'
            && bytes[16] == b':';
        if !separators_ok {
            return None;
        }
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
            return None;
        }
        // 60: a leap second, as RFC 3339 allows.
        if second > 60 {
            return None;
        }
        let mut at = 19;
        let mut micros = 0i64;
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            let start = at;
            while bytes.get(at).is_some_and(u8::is_ascii_digit) {
                if at - start < 6 {
                    micros = micros * 10 + i64::from(bytes[at] - b'0');
                }
                at += 1;
            }
            if at == start {
                return None;
            }
            for _ in (at - start)..6 {
                micros *= 10;
            }
        }
        let offset_seconds = match bytes.get(at)? {
            b'Z' | b'z' if at + 1 == bytes.len() => 0,
            sign @ (b'+' | b'-') if at + 6 == bytes.len() && bytes[at + 3] == b':' => {
                let seconds = number(at + 1..at + 3)? * 3600 + number(at + 4..at + 6)? * 60;
                if *sign == b'+' {
                    seconds
                } else {
                    -seconds
                }
            }
            _ => return None,
        };
        let days = days_from_civil(year, month, day);
        let seconds = days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset_seconds;
        Some(Timestamp(seconds * MICROS_PER_SECOND + micros))
    }

    /// Now, from the system clock.
    pub fn now() -> Timestamp {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp(since_epoch.as_micros() as i64)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, to the second: for tables.
    pub fn to_seconds_string(self) -> String {
        let (date, hour, minute, second, _) = self.parts();
        format!("{date}T{hour:02}:{minute:02}:{second:02}Z")
    }

    fn parts(self) -> (String, i64, i64, i64, i64) {
        let seconds = self.0.div_euclid(MICROS_PER_SECOND);
        let micros = self.0.rem_euclid(MICROS_PER_SECOND);
        let days = seconds.div_euclid(SECONDS_PER_DAY);
        let of_day = seconds.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        (
            format!("{year:04}-{month:02}-{day:02}"),
            of_day / 3600,
            of_day % 3600 / 60,
            of_day % 60,
            micros,
        )
    }
}

/// RFC 3339 with microseconds, as `tracefault::init()` writes it.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (date, hour, minute, second, micros) = self.parts();
        write!(f, "{date}T{hour:02}:{minute:02}:{second:02}.{micros:06}Z")
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// `--since` and `--until`: an RFC 3339 instant, a date (`2026-11-28`, midnight UTC), or a
/// duration before `now` (`90s`, `15m`, `2h`, `7d`).
pub fn parse_instant(text: &str, now: Timestamp) -> anyhow::Result<Timestamp> {
    let text = text.trim();
    if let Some(instant) = Timestamp::parse_rfc3339(text) {
        return Ok(instant);
    }
    if text.len() == 10 {
        if let Some(midnight) = Timestamp::parse_rfc3339(&format!("{text}T00:00:00Z")) {
            return Ok(midnight);
        }
    }
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (amount, unit) = text.split_at(split);
    let amount: i64 = amount.parse().map_err(|_| expected_instant(text))?;
    let unit_seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => SECONDS_PER_DAY,
        _ => return Err(expected_instant(text)),
    };
    let micros = amount
        .checked_mul(unit_seconds * MICROS_PER_SECOND)
        .ok_or_else(|| expected_instant(text))?;
    Ok(Timestamp(now.0.saturating_sub(micros)))
}

fn expected_instant(text: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{text:?} is not a time: expected an RFC 3339 instant (2026-11-28T04:00:00Z), a date \
         (2026-11-28) or a duration before now (90s, 15m, 2h, 7d)"
    )
}

/// A duration in microseconds, readably: `850µs`, `12.3ms`, `1.52s`, `3m04s`.
pub fn format_duration(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let micros = micros.unsigned_abs();
    let text = if micros < 1_000 {
        format!("{micros}µs")
    } else if micros < 1_000_000 {
        format!("{:.1}ms", micros as f64 / 1e3)
    } else if micros < 60_000_000 {
        format!("{:.2}s", micros as f64 / 1e6)
    } else {
        let seconds = micros / 1_000_000;
        format!("{}m{:02}s", seconds / 60, seconds % 60)
    };
    format!("{sign}{text}")
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips_with_microseconds() {
        let text = "2026-11-28T04:51:38.632624Z";
        let instant = Timestamp::parse_rfc3339(text).unwrap();
        assert_eq!(instant.to_string(), text);
        assert_eq!(instant.to_seconds_string(), "2026-11-28T04:51:38Z");
        assert_eq!(
            Timestamp::parse_rfc3339("1970-01-01T00:00:01Z"),
            Some(Timestamp(1_000_000))
        );
    }

    #[test]
    fn offsets_and_nanoseconds_are_read() {
        let utc = Timestamp::parse_rfc3339("2026-11-28T04:51:38.5Z").unwrap();
        assert_eq!(
            Timestamp::parse_rfc3339("2026-11-28T05:51:38.500000999+01:00"),
            Some(utc)
        );
        assert_eq!(
            Timestamp::from_unix_nanos(1_700_000_000_123_456_789),
            Timestamp(1_700_000_000_123_456)
        );
    }

    #[test]
    fn junk_is_no_time() {
        for text in [
            "",
            "2026-11-28",
            "2026-13-28T04:51:38Z",
            "2026-11-28T04:51:38",
            "2026-11-28T04:51:38.Z",
            "2026-11-28T04:51:38Zjunk",
            "２026-11-28T04:51:38Z",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(text), None, "{text:?}");
        }
    }

    #[test]
    fn instants_people_type() {
        let now = Timestamp::parse_rfc3339("2026-11-28T04:00:00Z").unwrap();
        assert_eq!(
            parse_instant("15m", now).unwrap().to_string(),
            "2026-11-28T03:45:00.000000Z"
        );
        assert_eq!(
            parse_instant("2026-11-27", now).unwrap().to_string(),
            "2026-11-27T00:00:00.000000Z"
        );
        assert!(parse_instant("yesterday", now).is_err());
        assert!(parse_instant("99999999999999999d", now).is_err());
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(format_duration(850), "850µs");
        assert_eq!(format_duration(12_340), "12.3ms");
        assert_eq!(format_duration(1_520_000), "1.52s");
        assert_eq!(format_duration(184_000_000), "3m04s");
    }
}
