//! Per-device tallies (and the check of the daily tables): every live encounter of the period,
//! row by row.

use rusqlite::{params, Connection};

use super::{Measures, Rollup, TallyParts, TallyQuery, NOT_RECORDED};
use crate::error::Result;

/// Counts every live encounter of the period row by row (all but participants).
pub(super) fn scan(
    conn: &Connection,
    q: &TallyQuery,
    lo: i64,
    hi: i64,
    rollup: &Rollup,
    parts: &mut TallyParts,
    add_item: &dyn Fn(&mut Measures, &str, u64),
) -> Result<()> {
    let device = q.device.map(|d| d.as_bytes().to_vec());
    let encounter_filter = "e.voided = 0 AND e.local_day BETWEEN ?1 AND ?2
        AND (?3 IS NULL OR e.zone = ?3) AND (?4 IS NULL OR e.author = ?4)";
    let sql = format!(
        "SELECT e.local_day, e.contact_type, e.zone, e.age_band, e.gender, count(*), sum(e.new_participant),
                sum(e.syringes_collected), sum(e.overdose_reversals), sum(e.naloxone_doses_used),
                sum(e.collecting_for)
         FROM encounter e WHERE {encounter_filter}
         GROUP BY e.local_day, e.contact_type, e.zone, e.age_band, e.gender"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![lo, hi, q.zone, device])?;
    while let Some(r) = rows.next()? {
        let day: i64 = r.get(0)?;
        let contact_type: String = r.get(1)?;
        let zone: String = r.get(2)?;
        let age: Option<String> = r.get(3)?;
        let gender: Option<String> = r.get(4)?;
        let n = r.get::<_, i64>(5)? as u64;
        let sums: [i64; 5] = [r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?];
        rollup.each(day, parts, |m| {
            m.encounters += n;
            *m.by_contact_type.entry(contact_type.clone()).or_default() += n;
            *m.by_zone.entry(zone.clone()).or_default() += n;
            *m.by_age_band.entry(age.clone().unwrap_or_else(|| NOT_RECORDED.into())).or_default() += n;
            *m.by_gender.entry(gender.clone().unwrap_or_else(|| NOT_RECORDED.into())).or_default() += n;
            m.new_participants += sums[0] as u64;
            m.syringes_collected += sums[1] as u64;
            m.overdose_reversals += sums[2] as u64;
            m.naloxone_doses_used += sums[3] as u64;
            m.collecting_for += sums[4] as u64;
        });
    }
    drop(rows);
    for (table, column, value) in [
        ("encounter_item", "item", "sum(c.quantity)"),
        ("encounter_referral", "referral", "count(*)"),
        ("encounter_substance", "substance", "count(*)"),
        ("encounter_service", "service", "count(*)"),
        ("encounter_delivered", "service || '/' || c.outcome", "count(*)"),
        ("encounter_naloxone", "reason", "count(*)"),
    ] {
        let sql = format!(
            "SELECT c.local_day, c.{column} AS k, {value} FROM {table} c JOIN encounter e ON e.id = c.encounter
             WHERE c.local_day BETWEEN ?1 AND ?2 AND {encounter_filter} GROUP BY c.local_day, k"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![lo, hi, q.zone, device])?;
        while let Some(r) = rows.next()? {
            let day: i64 = r.get(0)?;
            let key: String = r.get(1)?;
            let n = r.get::<_, i64>(2)? as u64;
            rollup.each(day, parts, |m| match table {
                "encounter_item" => add_item(m, &key, n),
                "encounter_referral" => *m.referrals.entry(key.clone()).or_default() += n,
                "encounter_service" => *m.by_service.entry(key.clone()).or_default() += n,
                "encounter_delivered" => *m.services_delivered.entry(key.clone()).or_default() += n,
                "encounter_naloxone" => *m.naloxone_kits.entry(key.clone()).or_default() += n,
                _ => *m.by_substance.entry(key.clone()).or_default() += n,
            });
        }
    }
    let sql = format!(
        "SELECT c.local_day, c.container, sum(c.count), sum(c.count * c.syringes_each)
         FROM encounter_container c JOIN encounter e ON e.id = c.encounter
         WHERE c.local_day BETWEEN ?1 AND ?2 AND {encounter_filter} GROUP BY c.local_day, c.container"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![lo, hi, q.zone, device])?;
    while let Some(r) = rows.next()? {
        let day: i64 = r.get(0)?;
        let container: String = r.get(1)?;
        let (count, syringes) = (r.get::<_, i64>(2)? as u64, r.get::<_, i64>(3)? as u64);
        rollup.each(day, parts, |m| {
            *m.containers.entry(container.clone()).or_default() += count;
            m.syringes_estimated += syringes;
        });
    }
    drop(rows);
    // Disposals belong to no zone: a zone's tally has none.
    if q.zone.is_none() {
        let mut stmt = conn.prepare_cached(
            "SELECT local_day, method, sum(syringes) FROM disposal
             WHERE voided_by IS NULL AND local_day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR author = ?3)
             GROUP BY local_day, method",
        )?;
        let mut rows = stmt.query(params![lo, hi, device])?;
        while let Some(r) = rows.next()? {
            let day: i64 = r.get(0)?;
            let counted = r.get::<_, String>(1)? == "counted";
            let n = r.get::<_, i64>(2)? as u64;
            rollup.each(day, parts, |m| {
                if counted {
                    m.syringes_disposed += n
                } else {
                    m.syringes_disposed_estimated += n
                }
            });
        }
    }
    Ok(())
}

