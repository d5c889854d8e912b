//! Whether a service is open at an instant, from its weekly hours on the program's local
//! clock, and the services that meet a referral type, open ones first.
//!
//! Hours are wall-clock times in the program's time zone: the instant is turned into local
//! time first, so a daylight-saving change moves nothing (a service open 09:00–17:00 is open
//! at 09:30 on either side of it). An opening that closes at or before it opens runs past
//! midnight, so Friday 22:00–02:00 is open at 01:00 on Saturday.

use chrono::{DateTime, Datelike, NaiveTime, Timelike, Utc, Weekday};

use super::Service;
use crate::settings::ProgramSettings;
use crate::zone::Zone;

/// Whether a service is open, and until or from when (local times of the program).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Open now; closes at this local time (`None` when it stays open past the next day).
    Open { closes: Option<NaiveTime> },
    /// Closed now; opens next on this weekday at this local time.
    Closed { opens: Option<(Weekday, NaiveTime)> },
    /// The program gave no hours: call or ask first.
    Unknown,
}

impl Status {
    pub fn is_open(&self) -> bool {
        matches!(self, Status::Open { .. })
    }
}

/// A service that meets a referral type, with its status now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceMatch {
    pub service: Service,
    pub status: Status,
}

const DAY: i64 = 24 * 60;

/// Each opening as a span of minutes from Monday 00:00 of a week (closing past midnight
/// carries into the next day; Sunday's into the next Monday, past the week's end).
fn spans(service: &Service) -> Vec<(i64, i64)> {
    service
        .hours
        .iter()
        .filter_map(|o| o.parse("service.hours").ok())
        .map(|(day, opens, closes)| {
            let start = day.num_days_from_monday() as i64 * DAY + opens as i64;
            let end = day.num_days_from_monday() as i64 * DAY + closes as i64 + if closes <= opens { DAY } else { 0 };
            (start, end)
        })
        .collect()
}

fn clock(minute_of_week: i64) -> (Weekday, NaiveTime) {
    let m = minute_of_week.rem_euclid(7 * DAY);
    let day = super::DAYS[(m / DAY) as usize].1;
    let t = NaiveTime::from_hms_opt(((m % DAY) / 60) as u32, (m % 60) as u32, 0).unwrap_or(NaiveTime::MIN);
    (day, t)
}

/// The service's status at `now`, on the clock of `tz`.
pub fn status(service: &Service, now: DateTime<Utc>, tz: &Zone) -> Status {
    let spans = spans(service);
    if spans.is_empty() {
        return Status::Unknown;
    }
    let local = tz.local(now);
    let minute = local.weekday().num_days_from_monday() as i64 * DAY + (local.hour() * 60 + local.minute()) as i64;
    let week = 7 * DAY;
    // This week's spans and last week's that run past its end (Sunday night into Monday).
    let open: Vec<(i64, i64)> = spans
        .iter()
        .flat_map(|&(s, e)| [(s, e), (s - week, e - week)])
        .filter(|&(s, e)| s <= minute && minute < e)
        .collect();
    if let Some(end) = open.iter().map(|&(_, e)| e).max() {
        // Back-to-back openings (09:00–12:00, 12:00–17:00) close at the last one's end.
        let mut end = end;
        while let Some(next) = spans.iter().flat_map(|&(s, e)| [(s, e), (s + week, e + week)]).filter(|&(s, e)| s <= end && end < e).map(|(_, e)| e).max() {
            if next - minute >= week {
                return Status::Open { closes: None };
            }
            end = next;
        }
        if end - minute >= DAY {
            return Status::Open { closes: None };
        }
        return Status::Open { closes: Some(clock(end).1) };
    }
    let next = spans.iter().flat_map(|&(s, _)| [s, s + week]).filter(|&s| s > minute).min();
    Status::Closed { opens: next.map(clock) }
}

/// The active services that meet any of `referral_types`, each once, open ones first, then by
/// name (English).
pub fn services_for<S: AsRef<str>>(settings: &ProgramSettings, referral_types: &[S], now: DateTime<Utc>) -> Vec<ServiceMatch> {
    let tz = settings.time_zone();
    let mut out: Vec<ServiceMatch> = settings
        .services
        .iter()
        .filter(|s| s.active && s.referral_types.iter().any(|r| referral_types.iter().any(|t| t.as_ref() == r)))
        .map(|s| ServiceMatch { status: status(s, now, &tz), service: s.clone() })
        .collect();
    out.sort_by(|a, b| (!a.status.is_open(), &a.service.name.en).cmp(&(!b.status.is_open(), &b.service.name.en)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::tests::clinic;
    use crate::directory::Opening;

    fn ny() -> Zone {
        Zone::parse("America/New_York").unwrap()
    }

    /// A local time in `tz` as an instant.
    fn at(tz: Zone, local: &str) -> DateTime<Utc> {
        let naive = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
        tz.earliest(naive).unwrap()
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn open_by_weekday_and_past_midnight() {
        let s = clinic(); // Mon 09:00–17:00, Fri 22:00–02:00
        // 2026-11-16 is a Monday.
        assert_eq!(status(&s, at(ny(), "2026-11-16 08:59"), &ny()), Status::Closed { opens: Some((Weekday::Mon, hm(9, 0))) });
        assert_eq!(status(&s, at(ny(), "2026-11-16 09:00"), &ny()), Status::Open { closes: Some(hm(17, 0)) });
        assert_eq!(status(&s, at(ny(), "2026-11-16 17:00"), &ny()), Status::Closed { opens: Some((Weekday::Fri, hm(22, 0))) });
        assert_eq!(status(&s, at(ny(), "2026-11-20 23:30"), &ny()), Status::Open { closes: Some(hm(2, 0)) });
        assert_eq!(status(&s, at(ny(), "2026-11-21 01:59"), &ny()), Status::Open { closes: Some(hm(2, 0)) }, "Saturday early is Friday night");
        assert_eq!(status(&s, at(ny(), "2026-11-21 02:00"), &ny()), Status::Closed { opens: Some((Weekday::Mon, hm(9, 0))) });
        // Sunday night into Monday wraps the week.
        let mut late = clinic();
        late.hours = vec![Opening { day: "sun".into(), opens: "20:00".into(), closes: "03:00".into() }];
        assert!(status(&late, at(ny(), "2026-11-16 02:30"), &ny()).is_open(), "Monday 02:30 is Sunday night");
        assert_eq!(status(&late, at(ny(), "2026-11-16 03:00"), &ny()), Status::Closed { opens: Some((Weekday::Sun, hm(20, 0))) });
        // No hours: unknown, never "closed".
        late.hours.clear();
        assert_eq!(status(&late, at(ny(), "2026-11-16 12:00"), &ny()), Status::Unknown);
    }

    #[test]
    fn back_to_back_and_round_the_clock() {
        let mut s = clinic();
        s.hours = vec![
            Opening { day: "tue".into(), opens: "09:00".into(), closes: "12:00".into() },
            Opening { day: "tue".into(), opens: "12:00".into(), closes: "24:00".into() },
        ];
        assert_eq!(status(&s, at(ny(), "2026-11-17 10:00"), &ny()), Status::Open { closes: Some(hm(0, 0)) });
        s.hours = super::super::DAYS.iter().map(|(d, _)| Opening { day: (*d).into(), opens: "00:00".into(), closes: "24:00".into() }).collect();
        assert_eq!(status(&s, at(ny(), "2026-11-17 10:00"), &ny()), Status::Open { closes: None });
    }

    #[test]
    fn daylight_saving_changes_move_nothing_on_the_local_clock() {
        let mut s = clinic();
        // Sundays 01:00–03:00 and 09:00–17:00, on the days the clocks change in New York.
        s.hours = vec![
            Opening { day: "sun".into(), opens: "01:00".into(), closes: "03:00".into() },
            Opening { day: "sun".into(), opens: "09:00".into(), closes: "17:00".into() },
        ];
        // 2026-03-08: 02:00 EST becomes 03:00 EDT. 06:30 UTC is 01:30 EST (open); 07:30 UTC
        // is 03:30 EDT (closed), although only an hour of real time passed.
        let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert!(status(&s, utc("2026-03-08T06:30:00Z"), &ny()).is_open());
        assert_eq!(status(&s, utc("2026-03-08T07:30:00Z"), &ny()), Status::Closed { opens: Some((Weekday::Sun, hm(9, 0))) });
        // 09:30 local on either side of the change.
        assert!(status(&s, utc("2026-03-01T14:30:00Z"), &ny()).is_open(), "09:30 EST");
        assert!(status(&s, utc("2026-03-08T13:30:00Z"), &ny()).is_open(), "09:30 EDT");
        // 2026-11-01: 02:00 EDT becomes 01:00 EST; 01:30 happens twice, open both times.
        assert!(status(&s, utc("2026-11-01T05:30:00Z"), &ny()).is_open(), "01:30 EDT");
        assert!(status(&s, utc("2026-11-01T06:30:00Z"), &ny()).is_open(), "01:30 EST");
        assert!(!status(&s, utc("2026-11-01T08:30:00Z"), &ny()).is_open(), "03:30 EST");
    }

    #[test]
    fn matching_services_come_open_first_and_only_for_their_referral_type() {
        let mut settings = ProgramSettings::default();
        let mut open = clinic();
        open.id = "night".into();
        open.name = crate::directory::ServiceText::new("Zeta night clinic", "Clínica nocturna Zeta");
        open.hours = vec![Opening { day: "mon".into(), opens: "00:00".into(), closes: "24:00".into() }];
        let mut retired = clinic();
        retired.id = "old".into();
        retired.active = false;
        let mut housing = clinic();
        housing.id = "shelter".into();
        housing.referral_types = vec!["housing".into()];
        settings.services = vec![clinic(), open, retired, housing];
        // Monday 18:00: the day clinic is closed, the night clinic open.
        let found = services_for(&settings, &["moud"], at(ny(), "2026-11-16 18:00"));
        let ids: Vec<&str> = found.iter().map(|m| m.service.id.as_str()).collect();
        assert_eq!(ids, ["night", "eastside-clinic"]);
        assert!(found[0].status.is_open() && !found[1].status.is_open());
        // Monday 10:00: both open; by name.
        let ids: Vec<String> = services_for(&settings, &["moud"], at(ny(), "2026-11-16 10:00")).into_iter().map(|m| m.service.id).collect();
        assert_eq!(ids, ["eastside-clinic", "night"]);
        assert!(services_for(&settings, &["legal-aid"], at(ny(), "2026-11-16 10:00")).is_empty());
        // A service that meets two of the chosen types shows once.
        settings.services[1].referral_types.push("housing".into());
        let ids: Vec<String> = services_for(&settings, &["moud", "housing"], at(ny(), "2026-11-16 10:00")).into_iter().map(|m| m.service.id).collect();
        assert_eq!(ids.len(), 3, "{ids:?}");
        assert_eq!(ids.iter().filter(|id| *id == "night").count(), 1);
    }
}
