//! The anonymous participant profile (D89): for a participant reference, what a program asks
//! once rather than at every contact — race (several may be chosen), ethnicity, and area of
//! residence, each from the program's own list, or "declined". A profile is a record of its
//! own in the encounters stream, sealed to the managers with the encounters (D67); the phone
//! that writes it keeps it only until the hub has it and the retention period has passed.
//!
//! Answers are never exported per person. Reports count persons under the newest answer given
//! for each question by the end of a row's days: an answer left "not asked" in a newer record
//! does not erase an older one, so a worker who skips the questions never undoes a colleague's.

use std::collections::BTreeSet;

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{invalid, Error, Result};
use crate::settings::{ListKind, ProgramSettings};
use crate::zone::Zone;

/// Report columns of the profile's breakdowns that are not list entries: a program's list may
/// not use these ids.
pub const MULTIPLE: &str = "multiple";
pub const DECLINED: &str = "declined";
pub const RESERVED_IDS: [&str; 3] = [MULTIPLE, DECLINED, crate::tally::NOT_RECORDED];

/// The most races one person may be recorded under.
pub const MAX_RACES: usize = 10;

/// One question's answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// The question was not asked this time ("ask later"): an earlier answer stands.
    #[default]
    NotAsked,
    /// The person chose not to answer.
    Declined,
    /// Ids of the program's list: one for ethnicity and residence, one or more for race.
    Chosen(Vec<String>),
}

impl Answer {
    pub fn is_asked(&self) -> bool {
        !matches!(self, Answer::NotAsked)
    }

    /// The report column this answer counts a person in: the id, [`MULTIPLE`] for more than
    /// one race, [`DECLINED`]; `None` when not asked.
    pub fn column(&self) -> Option<&str> {
        match self {
            Answer::NotAsked => None,
            Answer::Declined => Some(DECLINED),
            Answer::Chosen(ids) if ids.len() == 1 => Some(ids[0].as_str()),
            Answer::Chosen(_) => Some(MULTIPLE),
        }
    }

    fn to_sql(&self) -> Option<String> {
        self.is_asked().then(|| serde_json::to_string(self).expect("answers serialize"))
    }

    fn from_sql(text: Option<String>) -> Answer {
        text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
    }
}

/// What the worker enters: each question answered, declined, or not asked.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileAnswers {
    pub race: Answer,
    pub ethnicity: Answer,
    pub residence: Answer,
}

/// `Debug` shows which questions were answered, never the answers.
impl std::fmt::Debug for ProfileAnswers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileAnswers")
            .field("race", &self.race.is_asked())
            .field("ethnicity", &self.ethnicity.is_asked())
            .field("residence", &self.residence.is_asked())
            .finish()
    }
}

impl ProfileAnswers {
    fn questions(&self) -> [(&'static str, ListKind, &Answer); 3] {
        [("race", ListKind::Race, &self.race), ("ethnicity", ListKind::Ethnicity, &self.ethnicity), ("residence", ListKind::Residence, &self.residence)]
    }

    /// Whether any question was answered (or declined): a profile that asks nothing is not
    /// written.
    pub fn is_empty(&self) -> bool {
        !self.questions().iter().any(|(_, _, a)| a.is_asked())
    }
}

/// Checks answers against the program's lists: every id an active entry of its list, no id
/// twice, one id for ethnicity and residence, at most [`MAX_RACES`] races, something answered.
pub fn validate(answers: &ProfileAnswers, settings: &ProgramSettings) -> Result<()> {
    if answers.is_empty() {
        return Err(invalid("profile", "answers no question; leave the profile out instead"));
    }
    for (field, kind, answer) in answers.questions() {
        if let Answer::Chosen(ids) = answer {
            let most = if kind == ListKind::Race { MAX_RACES } else { 1 };
            if ids.is_empty() || ids.len() > most {
                return Err(invalid(field, format!("choose 1 to {most}, or declined")));
            }
            if ids.iter().collect::<BTreeSet<_>>().len() != ids.len() {
                return Err(invalid(field, "an entry is listed twice"));
            }
            if ids.iter().any(|id| !settings.has_active(kind, id)) {
                return Err(invalid(field, "is not an active entry of the program's list"));
            }
        }
    }
    Ok(())
}

/// A profile as it travels: who answered, for which reference, when.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileRecord {
    /// Id of this record.
    pub id: Uuid,
    pub author: Uuid,
    /// The participant reference (hex), never the code.
    #[serde(with = "crate::encounter::hex16")]
    pub participant: [u8; 16],
    /// Unix seconds, whole minutes.
    pub answered_at: i64,
    #[serde(default, skip_serializing_if = "is_not_asked")]
    pub race: Answer,
    #[serde(default, skip_serializing_if = "is_not_asked")]
    pub ethnicity: Answer,
    #[serde(default, skip_serializing_if = "is_not_asked")]
    pub residence: Answer,
}

fn is_not_asked(a: &Answer) -> bool {
    !a.is_asked()
}

impl std::fmt::Debug for ProfileRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileRecord").field("id", &self.id).field("author", &self.author).finish_non_exhaustive()
    }
}

impl ProfileRecord {
    pub fn answers(&self) -> ProfileAnswers {
        ProfileAnswers { race: self.race.clone(), ethnicity: self.ethnicity.clone(), residence: self.residence.clone() }
    }

    /// Shape checks for a record from another device (its lists may differ from this one's).
    pub fn check(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::BadRecord(format!("profile: {m}")));
        if self.answered_at % 60 != 0 {
            return bad("time is not whole minutes");
        }
        let answers = self.answers();
        if answers.is_empty() {
            return bad("answers nothing");
        }
        for (_, kind, answer) in answers.questions() {
            if let Answer::Chosen(ids) = answer {
                let most = if kind == ListKind::Race { MAX_RACES } else { 1 };
                if ids.is_empty() || ids.len() > most || ids.iter().collect::<BTreeSet<_>>().len() != ids.len() {
                    return bad("wrong number of entries");
                }
                if ids.iter().any(|id| crate::validate::check_id("profile", id).is_err()) {
                    return bad("an entry is not an id");
                }
            }
        }
        Ok(())
    }
}

/// Stores a profile record (once: a repeat is ignored). `participant` is the reference's row.
pub(crate) fn store(conn: &Connection, r: &ProfileRecord, participant: i64, tz: &Zone) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO participant_profile
           (record_id, participant, author, answered_at, local_day, race, ethnicity, residence)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        r.id.as_bytes().as_slice(),
        participant,
        r.author.as_bytes().as_slice(),
        r.answered_at,
        crate::encounter::local_day(r.answered_at, tz),
        r.race.to_sql(),
        r.ethnicity.to_sql(),
        r.residence.to_sql(),
    ])?;
    Ok(())
}

/// Moves the profiles' local days to a new time zone.
pub(crate) fn recompute_local_days(conn: &Connection, tz: &Zone) -> Result<()> {
    let rows: Vec<(Vec<u8>, i64)> = {
        let mut stmt = conn.prepare("SELECT record_id, answered_at FROM participant_profile")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (id, at) in rows {
        conn.prepare_cached("UPDATE participant_profile SET local_day = ?2 WHERE record_id = ?1")?
            .execute(params![id, crate::encounter::local_day(at, tz)])?;
    }
    Ok(())
}

/// One stored answer set: (participant row, local day answered, answers), oldest first.
pub(crate) type Answered = (i64, i64, ProfileAnswers);

/// Every profile answered up to day `hi`, oldest first (ties by record id, which grows with
/// time on one device).
pub(crate) fn answered_until(conn: &Connection, hi: i64) -> Result<Vec<Answered>> {
    let mut stmt = conn.prepare_cached(
        "SELECT participant, local_day, race, ethnicity, residence FROM participant_profile
         WHERE local_day <= ?1 ORDER BY answered_at, record_id",
    )?;
    let rows = stmt.query_map([hi], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            ProfileAnswers {
                race: Answer::from_sql(r.get(2)?),
                ethnicity: Answer::from_sql(r.get(3)?),
                residence: Answer::from_sql(r.get(4)?),
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The newest answer to each question among `answered` (oldest first) up to day `end`.
pub(crate) fn as_of(answered: &[(i64, ProfileAnswers)], end: i64) -> [Option<&Answer>; 3] {
    let mut out = [None, None, None];
    for (_, a) in answered.iter().take_while(|(day, _)| *day <= end) {
        for (slot, answer) in out.iter_mut().zip([&a.race, &a.ethnicity, &a.residence]) {
            if answer.is_asked() {
                *slot = Some(answer);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::starter;

    fn settings() -> ProgramSettings {
        let mut s = ProgramSettings::default();
        for x in starter() {
            s.insert(x);
        }
        s
    }

    fn chosen(ids: &[&str]) -> Answer {
        Answer::Chosen(ids.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn answers_are_checked_against_the_lists() {
        let s = settings();
        let ok = ProfileAnswers { race: chosen(&["asian", "white"]), ethnicity: Answer::Declined, residence: Answer::NotAsked };
        validate(&ok, &s).unwrap();
        for (bad, field) in [
            (ProfileAnswers::default(), "profile"),
            (ProfileAnswers { race: chosen(&[]), ..Default::default() }, "race"),
            (ProfileAnswers { race: chosen(&["white", "white"]), ..Default::default() }, "race"),
            (ProfileAnswers { race: chosen(&["martian"]), ..Default::default() }, "race"),
            (ProfileAnswers { ethnicity: chosen(&["hispanic-latino", "not-hispanic-latino"]), ..Default::default() }, "ethnicity"),
            (ProfileAnswers { residence: chosen(&["asian"]), ..Default::default() }, "residence"),
        ] {
            match validate(&bad, &s) {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn columns_and_records() {
        assert_eq!(chosen(&["white"]).column(), Some("white"));
        assert_eq!(chosen(&["white", "asian"]).column(), Some(MULTIPLE));
        assert_eq!(Answer::Declined.column(), Some(DECLINED));
        assert_eq!(Answer::NotAsked.column(), None);
        let r = ProfileRecord {
            id: Uuid::now_v7(),
            author: Uuid::now_v7(),
            participant: [7; 16],
            answered_at: 1_800_000_000,
            race: chosen(&["black"]),
            ethnicity: Answer::Declined,
            residence: Answer::NotAsked,
        };
        r.check().unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains("\"race\":{\"chosen\":[\"black\"]}") && json.contains("\"ethnicity\":\"declined\""), "{json}");
        assert!(!json.contains("residence"), "a question not asked is left out: {json}");
        assert!(!format!("{r:?}").contains("black"), "Debug never shows answers");
        assert_eq!(serde_json::from_str::<ProfileRecord>(&json).unwrap(), r);
        assert!(ProfileRecord { race: Answer::NotAsked, ethnicity: Answer::NotAsked, ..r.clone() }.check().is_err());
        assert!(ProfileRecord { race: chosen(&["a b"]), ..r.clone() }.check().is_err());
        assert!(ProfileRecord { answered_at: r.answered_at + 1, ..r }.check().is_err());
    }

    #[test]
    fn the_newest_answer_to_each_question_stands_until_the_end_of_the_row() {
        let a = |race: Answer, residence: Answer| ProfileAnswers { race, residence, ..Default::default() };
        let answered = vec![
            (10, a(chosen(&["white"]), chosen(&["this-county"]))),
            (20, a(Answer::NotAsked, chosen(&["out-of-state"]))),
            (30, a(Answer::Declined, Answer::NotAsked)),
        ];
        assert_eq!(as_of(&answered, 9), [None, None, None]);
        assert_eq!(as_of(&answered, 25), [Some(&chosen(&["white"])), None, Some(&chosen(&["out-of-state"]))]);
        assert_eq!(as_of(&answered, 30), [Some(&Answer::Declined), None, Some(&chosen(&["out-of-state"]))]);
    }
}
