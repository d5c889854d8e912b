//! The services directory: the health and social services a worker can send a participant to
//! (treatment and MOUD, testing, wound care, shelter, legal aid, food), written by managers and
//! published through sync like the catalog, so that it works on every phone with no signal.
//!
//! A service says which referral types it meets, where it is (an address or a coarse area —
//! never the participant's location), when it is open (by weekday, in the program's time zone),
//! how to get in (walk-in or appointment) and what it asks for at the door (ID, insurance,
//! sobriety), so that a worker never sends someone to a door that will turn them away. Its
//! texts are in English and, where the program gives them, Spanish.
//!
//! Nothing here holds anything about a participant; the hand-over card ([`card`]) is built
//! from the service alone.

use std::collections::BTreeSet;

use chrono::{NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::{invalid, Result};
use crate::validate::{check_id, check_label};

pub mod card;
mod hours;

pub use hours::{services_for, ServiceMatch, Status};

/// A language the directory and the hand-over card speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardLanguage {
    English,
    Spanish,
}

/// A text a participant may read: English, and Spanish where the program wrote it (English is
/// shown where it did not).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceText {
    pub en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub es: Option<String>,
}

impl ServiceText {
    pub fn new(en: &str, es: &str) -> ServiceText {
        ServiceText { en: en.into(), es: Some(es.into()) }
    }

    /// The text in `language`, and whether it is in that language (false: English stands in).
    pub fn read(&self, language: CardLanguage) -> (&str, bool) {
        match (language, &self.es) {
            (CardLanguage::Spanish, Some(es)) => (es, true),
            (CardLanguage::Spanish, None) => (&self.en, false),
            (CardLanguage::English, _) => (&self.en, true),
        }
    }

    fn check(&self, field: &str, max: usize) -> Result<()> {
        check_text(&format!("{field}.en"), &self.en, max)?;
        if let Some(es) = &self.es {
            check_text(&format!("{field}.es"), es, max)?;
        }
        Ok(())
    }
}

/// A text of 1 to `max` characters, not blank; line breaks allowed, other control characters not.
fn check_text(field: &str, text: &str, max: usize) -> Result<()> {
    if text.trim().is_empty() || text.chars().count() > max {
        return Err(invalid(field, format!("must be 1 to {max} characters and not blank")));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// How a participant gets in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceAccess {
    /// Come in during opening hours.
    WalkIn,
    /// Call first.
    Appointment,
    /// Either.
    WalkInOrAppointment,
}

/// One opening on a weekday, in the program's time zone. A closing time at or before the
/// opening time runs past midnight into the next day (22:00–02:00); `closes` "24:00" is the end
/// of the day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    /// "mon" … "sun".
    pub day: String,
    /// "HH:MM", 24-hour.
    pub opens: String,
    pub closes: String,
}

impl Opening {
    /// The weekday and the opening as minutes after midnight (`closes` may be 1440).
    pub fn parse(&self, field: &str) -> Result<(Weekday, u32, u32)> {
        let day = parse_day(&self.day).ok_or_else(|| invalid(format!("{field}.day"), "must be mon, tue, wed, thu, fri, sat or sun"))?;
        let opens = minutes(&self.opens, false).ok_or_else(|| invalid(format!("{field}.opens"), "must be a time HH:MM (00:00 to 23:59)"))?;
        let closes = minutes(&self.closes, true).ok_or_else(|| invalid(format!("{field}.closes"), "must be a time HH:MM (00:00 to 24:00)"))?;
        if opens == closes {
            return Err(invalid(format!("{field}.closes"), "must differ from the opening time"));
        }
        Ok((day, opens, closes))
    }
}

pub(crate) const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

fn parse_day(s: &str) -> Option<Weekday> {
    DAYS.iter().find(|(d, _)| *d == s).map(|(_, w)| *w)
}

/// "HH:MM" as minutes after midnight; "24:00" only where `end_of_day` allows it.
fn minutes(s: &str, end_of_day: bool) -> Option<u32> {
    if end_of_day && s == "24:00" {
        return Some(24 * 60);
    }
    let t = NaiveTime::parse_from_str(s, "%H:%M").ok()?;
    (s.len() == 5).then(|| chrono::Timelike::hour(&t) * 60 + chrono::Timelike::minute(&t))
}

/// A service a worker can send a participant to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub id: String,
    pub name: ServiceText,
    /// Referral type ids (from the program's list) this service meets.
    pub referral_types: Vec<String>,
    /// An address or a coarse area ("Main St & 5th, by the library"), never a participant's.
    pub area: ServiceText,
    /// Opening hours by weekday; none: hours unknown (call first).
    #[serde(default)]
    pub hours: Vec<Opening>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    pub access: ServiceAccess,
    /// What the door asks for: a worker never sends someone who would be turned away.
    #[serde(default)]
    pub requires_id: bool,
    #[serde(default)]
    pub requires_insurance: bool,
    #[serde(default)]
    pub requires_sobriety: bool,
    /// Languages spoken there, as the program names them ("English", "Spanish", "ASL").
    #[serde(default)]
    pub languages: Vec<String>,
    /// Short notes ("Bring a photo if you have one; no one is turned away for lacking it").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<ServiceText>,
    pub active: bool,
}

/// The most openings a service lists (several a day, every day).
pub const MAX_OPENINGS: usize = 28;

impl Service {
    /// Checks every field; the error names the field (`service.hours[2].closes`). With the
    /// program's referral types, also that each one it meets exists.
    pub fn validate(&self, referral_types: Option<&[String]>) -> Result<()> {
        check_id("service.id", &self.id)?;
        self.name.check("service.name", 80)?;
        self.area.check("service.area", 160)?;
        if let Some(notes) = &self.notes {
            notes.check("service.notes", 280)?;
        }
        if self.referral_types.is_empty() || self.referral_types.len() > 20 {
            return Err(invalid("service.referral_types", "a service meets 1 to 20 referral types"));
        }
        let mut seen = BTreeSet::new();
        for r in &self.referral_types {
            if !seen.insert(r) {
                return Err(invalid("service.referral_types", format!("{r} is listed twice")));
            }
            if referral_types.is_some_and(|known| !known.contains(r)) {
                return Err(invalid("service.referral_types", format!("{r} is not one of the program's referral types")));
            }
        }
        if self.hours.len() > MAX_OPENINGS {
            return Err(invalid("service.hours", format!("at most {MAX_OPENINGS} openings")));
        }
        for (i, o) in self.hours.iter().enumerate() {
            o.parse(&format!("service.hours[{i}]"))?;
        }
        if let Some(phone) = &self.phone {
            let digits = phone.chars().filter(char::is_ascii_digit).count();
            if !(3..=15).contains(&digits) || !phone.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
                return Err(invalid("service.phone", "must be a phone number: 3 to 15 digits, with + - ( ) . or spaces"));
            }
        }
        if self.languages.len() > 10 {
            return Err(invalid("service.languages", "at most 10 languages"));
        }
        for l in &self.languages {
            check_label("service.languages", l)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    pub(crate) fn clinic() -> Service {
        Service {
            id: "eastside-clinic".into(),
            name: ServiceText::new("Eastside Health Clinic", "Clínica de Salud Eastside"),
            referral_types: vec!["moud".into(), "hiv-hcv-testing".into()],
            area: ServiceText::new("412 E Main St, by the library", "412 E Main St, junto a la biblioteca"),
            hours: vec![
                Opening { day: "mon".into(), opens: "09:00".into(), closes: "17:00".into() },
                Opening { day: "fri".into(), opens: "22:00".into(), closes: "02:00".into() },
            ],
            phone: Some("(555) 010-2000".into()),
            access: ServiceAccess::WalkIn,
            requires_id: false,
            requires_insurance: false,
            requires_sobriety: false,
            languages: vec!["English".into(), "Spanish".into()],
            notes: Some(ServiceText::new("No ID needed.", "No hace falta identificación.")),
            active: true,
        }
    }

    fn field_of(s: &Service) -> String {
        match s.validate(Some(&["moud".to_string(), "hiv-hcv-testing".to_string()])) {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_good_service_passes_and_each_bad_field_is_named() {
        assert!(clinic().validate(Some(&["moud".into(), "hiv-hcv-testing".into()])).is_ok());
        let with = |f: &dyn Fn(&mut Service)| {
            let mut s = clinic();
            f(&mut s);
            field_of(&s)
        };
        assert_eq!(with(&|s| s.id = "Eastside Clinic".into()), "service.id");
        assert_eq!(with(&|s| s.name.es = Some(" ".into())), "service.name.es");
        assert_eq!(with(&|s| s.area.en = "x".repeat(161)), "service.area.en");
        assert_eq!(with(&|s| s.referral_types = vec![]), "service.referral_types");
        assert_eq!(with(&|s| s.referral_types.push("housing".into())), "service.referral_types");
        assert_eq!(with(&|s| s.hours[1].day = "friday".into()), "service.hours[1].day");
        assert_eq!(with(&|s| s.hours[0].opens = "9:00".into()), "service.hours[0].opens");
        assert_eq!(with(&|s| s.hours[0].closes = "25:00".into()), "service.hours[0].closes");
        assert_eq!(with(&|s| s.hours[0].closes = "09:00".into()), "service.hours[0].closes");
        assert_eq!(with(&|s| s.phone = Some("call us".into())), "service.phone");
        assert_eq!(with(&|s| s.notes = Some(ServiceText { en: "a\u{7}b".into(), es: None })), "service.notes.en");
        // Spanish may be left out: English stands in, and says so.
        let mut s = clinic();
        s.name.es = None;
        assert!(s.validate(None).is_ok());
        assert_eq!(s.name.read(CardLanguage::Spanish), ("Eastside Health Clinic", false));
        assert_eq!(clinic().name.read(CardLanguage::Spanish), ("Clínica de Salud Eastside", true));
    }
}
