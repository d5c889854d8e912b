//! Daily counts read from the encounters when a tally is made, not kept by the triggers:
//! **new persons** (participant references whose first contact with the program falls on the
//! day) and **contacts without a code** (live encounters with no participant reference).
//!
//! A person is new on the day of their first live encounter anywhere in the program, counted
//! in the zone of that contact (the first zone id of the day, where they were seen in two), so
//! new persons add up across days and zones as encounters do, and a period's new persons are
//! always among the persons it served (D85). The worker's "new" mark on an encounter is not
//! used here: it is the phone's hint for a code it never saw, and a person seen by another
//! phone first is not new to the program.

use rusqlite::{params, Connection};

use crate::error::Result;

/// The series of these counts, as a ledger names them (`tally_day`'s are beside them).
pub const NEW_PERSONS: &str = "new_persons";
pub const WITHOUT_CODE: &str = "contacts_without_code";

/// One derived count: day (days since 1970-01-01), zone, series, count.
pub(crate) type DerivedCount = (i64, String, &'static str, u64);

/// Where the counts are read from: the daily participant table, or (for one device's tally,
/// and to check that table) the encounters themselves. Both give the same counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReadFrom<'a> {
    Daily,
    Encounters { device: Option<&'a [u8]> },
}

/// New persons and contacts without a code from day `lo` to `hi`, every zone.
pub(crate) fn derived_daily(conn: &Connection, lo: i64, hi: i64, from: ReadFrom<'_>) -> Result<Vec<DerivedCount>> {
    let mut out = Vec::new();
    let (new_sql, device) = match from {
        ReadFrom::Daily => (
            "WITH first AS (SELECT participant, min(day) AS day FROM participant_day GROUP BY participant),
                  placed AS (SELECT f.day AS day,
                                    (SELECT min(d.zone) FROM participant_day d
                                     WHERE d.day = f.day AND d.participant = f.participant) AS zone
                             FROM first f WHERE f.day BETWEEN ?1 AND ?2)
             SELECT day, zone, count(*) FROM placed WHERE ?3 IS NULL GROUP BY day, zone",
            None,
        ),
        ReadFrom::Encounters { device } => (
            "WITH first AS (SELECT participant, min(local_day) AS day FROM encounter
                            WHERE voided = 0 AND participant IS NOT NULL GROUP BY participant),
                  placed AS (SELECT f.participant AS participant, f.day AS day,
                                    (SELECT min(e.zone) FROM encounter e WHERE e.voided = 0
                                     AND e.local_day = f.day AND e.participant = f.participant) AS zone
                             FROM first f WHERE f.day BETWEEN ?1 AND ?2)
             SELECT p.day, p.zone, count(*) FROM placed p
             WHERE ?3 IS NULL OR EXISTS (SELECT 1 FROM encounter e WHERE e.voided = 0 AND e.local_day = p.day
                 AND e.zone = p.zone AND e.participant = p.participant AND e.author = ?3)
             GROUP BY p.day, p.zone",
            device,
        ),
    };
    let mut stmt = conn.prepare_cached(new_sql)?;
    let mut rows = stmt.query(params![lo, hi, device])?;
    while let Some(r) = rows.next()? {
        out.push((r.get(0)?, r.get(1)?, NEW_PERSONS, r.get::<_, i64>(2)?.max(0) as u64));
    }
    drop(rows);
    let mut stmt = conn.prepare_cached(
        "SELECT local_day, zone, count(*) FROM encounter
         WHERE voided = 0 AND participant IS NULL AND local_day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR author = ?3)
         GROUP BY local_day, zone",
    )?;
    let mut rows = stmt.query(params![lo, hi, device])?;
    while let Some(r) = rows.next()? {
        out.push((r.get(0)?, r.get(1)?, WITHOUT_CODE, r.get::<_, i64>(2)?.max(0) as u64));
    }
    Ok(out)
}

/// One live encounter with a participant reference, for counting people by what was recorded
/// of them: (participant, day, age band, gender), oldest first.
pub(crate) type PersonRow = (i64, i64, Option<String>, Option<String>);

/// The live encounters with a reference from day `lo` to `hi` (one zone, one device, or all),
/// oldest first, so that the last answer recorded for a person in a stretch of days is the
/// one they are counted under (D86).
pub(crate) fn person_rows(conn: &Connection, lo: i64, hi: i64, zone: Option<&str>, device: Option<&[u8]>) -> Result<Vec<PersonRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT participant, local_day, age_band, gender FROM encounter
         WHERE voided = 0 AND participant IS NOT NULL AND local_day BETWEEN ?1 AND ?2
           AND (?3 IS NULL OR zone = ?3) AND (?4 IS NULL OR author = ?4)
         ORDER BY occurred_at, id",
    )?;
    let rows = stmt.query_map(params![lo, hi, zone, device], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Who received which item from day `lo` to `hi` (one zone, one device, or all): (participant,
/// day, item) for every item of a live encounter with a reference.
pub(crate) fn item_person_rows(conn: &Connection, lo: i64, hi: i64, zone: Option<&str>, device: Option<&[u8]>) -> Result<Vec<(i64, i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT e.participant, c.local_day, c.item FROM encounter_item c JOIN encounter e ON e.id = c.encounter
         WHERE e.voided = 0 AND e.participant IS NOT NULL AND c.quantity > 0 AND c.local_day BETWEEN ?1 AND ?2
           AND (?3 IS NULL OR e.zone = ?3) AND (?4 IS NULL OR e.author = ?4)",
    )?;
    let rows = stmt.query_map(params![lo, hi, zone, device], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// A supply category's id in reports (`syringes`, `naloxone`, `drug_checking`, …).
pub fn category_id(c: crate::settings::ItemCategory) -> &'static str {
    use crate::settings::ItemCategory::*;
    match c {
        Syringes => "syringes",
        Naloxone => "naloxone",
        DrugChecking => "drug_checking",
        SaferSmoking => "safer_smoking",
        WoundCare => "wound_care",
        Hygiene => "hygiene",
        SexualHealth => "sexual_health",
        Other => "other",
    }
}

/// The persons behind each count of persons of one stretch of days (`lo` to `hi`, one zone or
/// all), as the tally counts them: `participants:` (persons served), `participants:age_band/…`
/// and `participants:gender/…` (the last answer recorded in the stretch),
/// `participants:race/…`, `…ethnicity/…`, `…residence/…` (the profile as of the stretch's last
/// day, for the lists the program has) and `persons_receiving:<category>`. Each set holds local
/// participant rows, sorted; the audit of persons across rows and releases compares them
/// (`suppress::persons`). Nothing leaves the store.
pub(crate) fn person_sets(
    conn: &Connection,
    settings: &crate::settings::ProgramSettings,
    lo: i64,
    hi: i64,
    zone: Option<&str>,
) -> Result<std::collections::BTreeMap<String, Vec<i64>>> {
    use std::collections::{BTreeMap, BTreeSet, HashMap};
    let mut sets: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    let mut put = |key: String, p: i64| {
        sets.entry(key).or_default().insert(p);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT participant FROM participant_day WHERE day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR zone = ?3)",
    )?;
    let persons: BTreeSet<i64> = stmt.query_map(params![lo, hi, zone], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    for p in &persons {
        put("participants:".into(), *p);
    }
    // Age band and gender: the last answer recorded in the stretch.
    let mut last: HashMap<i64, (Option<String>, Option<String>)> = HashMap::new();
    for (p, _, age, gender) in person_rows(conn, lo, hi, zone, None)? {
        let e = last.entry(p).or_default();
        if age.is_some() {
            e.0 = age;
        }
        if gender.is_some() {
            e.1 = gender;
        }
    }
    let not_recorded = || super::NOT_RECORDED.to_owned();
    for (p, (age, gender)) in last {
        put(format!("participants:age_band/{}", age.unwrap_or_else(not_recorded)), p);
        put(format!("participants:gender/{}", gender.unwrap_or_else(not_recorded)), p);
    }
    // The profile as of the stretch's last day, for the questions the program asks.
    let asked = crate::settings::ListKind::PROFILE.map(|k| !settings.list(k).is_empty());
    if asked.iter().any(|a| *a) {
        let mut answered: HashMap<i64, Vec<(i64, crate::profile::ProfileAnswers)>> = HashMap::new();
        for (p, day, answers) in crate::profile::answered_until(conn, hi)? {
            if persons.contains(&p) {
                answered.entry(p).or_default().push((day, answers));
            }
        }
        for p in &persons {
            let now = answered.get(p).map_or([None, None, None], |a| crate::profile::as_of(a, hi));
            for ((name, answer), asked) in ["race", "ethnicity", "residence"].into_iter().zip(now).zip(asked) {
                if asked {
                    let column = answer.and_then(|a| a.column()).unwrap_or(super::NOT_RECORDED);
                    put(format!("participants:{name}/{column}"), *p);
                }
            }
        }
    }
    // Persons who received each kind of supply.
    for (p, _, item) in item_person_rows(conn, lo, hi, zone, None)? {
        let category = settings.item(&item).map_or(crate::settings::ItemCategory::Other, |i| i.category);
        put(format!("persons_receiving:{}", category_id(category)), p);
    }
    Ok(sets.into_iter().map(|(k, s)| (k, s.into_iter().collect())).collect())
}
