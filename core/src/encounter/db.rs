//! Encounters in the database: the latest version of each, with its items, referrals and
//! substances, and the local day it counts on.

use super::*;

/// The tables that hold the parts of an encounter's live version, each with its local day and
/// zone copied for the tallies.
const LIVE_PARTS: [&str; 7] = [
    "encounter_item",
    "encounter_referral",
    "encounter_substance",
    "encounter_container",
    "encounter_service",
    "encounter_delivered",
    "encounter_naloxone",
];

/// The stored latest version of an encounter, if any.
pub struct StoredVersion {
    pub row: i64,
    pub record: EncounterRecord,
    /// The server acknowledged this version.
    pub acked: bool,
}

/// Loads the latest version of an encounter.
pub fn load(conn: &Connection, encounter_id: Uuid) -> Result<Option<StoredVersion>> {
    let row = conn
        .prepare_cached(
            "SELECT e.id, e.version_id, e.version, e.author, e.occurred_at, e.contact_type, e.zone, e.geohash,
                    p.reference, e.new_participant, e.age_band, e.gender, e.syringes_collected,
                    e.overdose_reversals, e.naloxone_doses_used, e.collecting_for, e.location, e.voided,
                    e.recorded_at, e.acked
             FROM encounter e LEFT JOIN participant p ON p.id = e.participant
             WHERE e.encounter_id = ?1",
        )?
        .query_row([encounter_id.as_bytes().as_slice()], |r| {
            let uuid = |i: usize| -> rusqlite::Result<Uuid> {
                Ok(Uuid::from_slice(&r.get::<_, Vec<u8>>(i)?).unwrap_or_default())
            };
            let participant: Option<Vec<u8>> = r.get(8)?;
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, bool>(19)?,
                EncounterRecord {
                    id: uuid(1)?,
                    encounter_id,
                    version: r.get(2)?,
                    author: uuid(3)?,
                    occurred_at: r.get(4)?,
                    contact_type: ContactType::parse(&r.get::<_, String>(5)?).unwrap_or(ContactType::Street),
                    zone: r.get(6)?,
                    geohash: r.get(7)?,
                    participant: participant.and_then(|p| p.try_into().ok()),
                    new_participant: r.get(9)?,
                    age_band: r.get(10)?,
                    gender: r.get(11)?,
                    items: Vec::new(),
                    syringes_collected: r.get(12)?,
                    sharps_containers: Vec::new(),
                    referrals: Vec::new(),
                    suggested_services: Vec::new(),
                    substances: Vec::new(),
                    overdose_reversals: r.get(13)?,
                    naloxone_doses_used: r.get(14)?,
                    collecting_for: r.get(15)?,
                    services_delivered: Vec::new(),
                    naloxone_kit: None,
                    location: r.get(16)?,
                    voided: r.get(17)?,
                    recorded_at: r.get(18)?,
                },
            ))
        })
        .optional()?;
    let Some((row, acked, mut record)) = row else { return Ok(None) };
    record.items = {
        let mut stmt = conn.prepare_cached("SELECT item, quantity FROM encounter_item WHERE encounter = ?1 ORDER BY item")?;
        let rows = stmt.query_map([row], |r| Ok(ItemQuantity { item: r.get(0)?, quantity: r.get(1)? }))?;
        rows.collect::<Result<_, _>>()?
    };
    record.sharps_containers = {
        let mut stmt = conn.prepare_cached(
            "SELECT container, count, syringes_each FROM encounter_container WHERE encounter = ?1 ORDER BY container",
        )?;
        let rows = stmt.query_map([row], |r| Ok(ContainerReturn { container: r.get(0)?, count: r.get(1)?, syringes_each: r.get(2)? }))?;
        rows.collect::<Result<_, _>>()?
    };
    record.referrals = strings(conn, "SELECT referral FROM encounter_referral WHERE encounter = ?1 ORDER BY referral", row)?;
    record.substances =
        strings(conn, "SELECT substance FROM encounter_substance WHERE encounter = ?1 ORDER BY substance", row)?;
    record.suggested_services =
        strings(conn, "SELECT service FROM encounter_service WHERE encounter = ?1 ORDER BY service", row)?;
    record.services_delivered = {
        let mut stmt = conn.prepare_cached("SELECT service, outcome FROM encounter_delivered WHERE encounter = ?1 ORDER BY service")?;
        let rows = stmt.query_map([row], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .map(|(service, outcome)| DeliveredService { service, outcome: Outcome::parse(&outcome).unwrap_or(Outcome::Done) })
            .collect()
    };
    record.naloxone_kit = strings(conn, "SELECT reason FROM encounter_naloxone WHERE encounter = ?1", row)?
        .first()
        .and_then(|k| NaloxoneKit::parse(k));
    Ok(Some(StoredVersion { row, record, acked }))
}

fn strings(conn: &Connection, sql: &str, row: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([row], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Stores a version if it is newer than the stored one. Returns false when it is not (an old
/// or repeated version), which changes nothing.
pub fn store_version(conn: &Connection, rec: &EncounterRecord, participant: Option<i64>, tz: &Zone) -> Result<bool> {
    let existing: Option<(i64, u32, Vec<u8>)> = conn
        .prepare_cached("SELECT id, version, author FROM encounter WHERE encounter_id = ?1")?
        .query_row([rec.encounter_id.as_bytes().as_slice()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    if let Some((_, version, author)) = &existing {
        // Only the author device may supersede its own encounter.
        if author.as_slice() != rec.author.as_bytes() {
            return Err(Error::BadRecord("encounter: a version from another device than its author".into()));
        }
        if *version >= rec.version {
            return Ok(false);
        }
    }
    let existing = existing.map(|(row, version, _)| (row, version));
    let day = local_day(rec.occurred_at, tz);
    let values = params![
        rec.encounter_id.as_bytes().as_slice(),
        rec.id.as_bytes().as_slice(),
        rec.version,
        rec.author.as_bytes().as_slice(),
        rec.occurred_at,
        day,
        rec.contact_type.as_str(),
        rec.zone,
        rec.geohash,
        participant,
        rec.new_participant,
        rec.age_band,
        rec.gender,
        rec.syringes_collected,
        rec.overdose_reversals,
        rec.naloxone_doses_used,
        rec.collecting_for,
        rec.location,
        rec.voided,
        rec.recorded_at,
    ];
    let row = match existing {
        None => {
            conn.prepare_cached(
                "INSERT INTO encounter (encounter_id, version_id, version, author, occurred_at, local_day,
                   contact_type, zone, geohash, participant, new_participant, age_band, gender,
                   syringes_collected, overdose_reversals, naloxone_doses_used, collecting_for, location,
                   voided, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
            )?
            .execute(values)?;
            conn.last_insert_rowid()
        }
        Some((row, _)) => {
            conn.prepare_cached(
                "UPDATE encounter SET version_id = ?2, version = ?3, author = ?4, occurred_at = ?5,
                   local_day = ?6, contact_type = ?7, zone = ?8, geohash = ?9, participant = ?10,
                   new_participant = ?11, age_band = ?12, gender = ?13, syringes_collected = ?14,
                   overdose_reversals = ?15, naloxone_doses_used = ?16, collecting_for = ?17,
                   location = ?18, voided = ?19, recorded_at = ?20, acked = 0
                 WHERE encounter_id = ?1",
            )?
            .execute(values)?;
            for table in LIVE_PARTS {
                conn.prepare_cached(&format!("DELETE FROM {table} WHERE encounter = ?1"))?.execute([row])?;
            }
            row
        }
    };
    if !rec.voided {
        let mut stmt =
            conn.prepare_cached("INSERT INTO encounter_item (encounter, item, quantity, local_day, zone) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        for iq in &rec.items {
            stmt.execute(params![row, iq.item, iq.quantity, day, rec.zone])?;
        }
        let mut stmt = conn.prepare_cached(
            "INSERT INTO encounter_referral (encounter, referral, local_day, zone) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for r in &rec.referrals {
            stmt.execute(params![row, r, day, rec.zone])?;
        }
        let mut stmt = conn.prepare_cached(
            "INSERT INTO encounter_substance (encounter, substance, local_day, zone) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for s in &rec.substances {
            stmt.execute(params![row, s, day, rec.zone])?;
        }
        let mut stmt = conn.prepare_cached(
            "INSERT INTO encounter_container (encounter, container, count, syringes_each, local_day, zone)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for c in &rec.sharps_containers {
            stmt.execute(params![row, c.container, c.count, c.syringes_each, day, rec.zone])?;
        }
        let mut stmt =
            conn.prepare_cached("INSERT INTO encounter_service (encounter, service, local_day, zone) VALUES (?1, ?2, ?3, ?4)")?;
        for s in &rec.suggested_services {
            stmt.execute(params![row, s, day, rec.zone])?;
        }
        let mut stmt = conn.prepare_cached(
            "INSERT INTO encounter_delivered (encounter, service, outcome, local_day, zone) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for d in &rec.services_delivered {
            stmt.execute(params![row, d.service, d.outcome.as_str(), day, rec.zone])?;
        }
        if let Some(k) = rec.naloxone_kit {
            conn.prepare_cached("INSERT INTO encounter_naloxone (encounter, reason, local_day, zone) VALUES (?1, ?2, ?3, ?4)")?
                .execute(params![row, k.as_str(), day, rec.zone])?;
        }
    }
    Ok(true)
}

/// Recomputes every stored local day, after the program's time zone or its rules changed. Only
/// encounters whose day moves are written (with their parts, which carry the same day), so a
/// rules update that moves a few encounters costs one read of the table.
/// This device's encounters whose newest version (a correction or a void included) the server
/// has not acknowledged yet: the contacts waiting to be sent.
pub fn contacts_waiting(conn: &Connection, device: uuid::Uuid) -> Result<u64> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM encounter WHERE author = ?1 AND acked = 0")?
        .query_row([device.as_bytes().as_slice()], |r| r.get(0))?;
    Ok(n as u64)
}

pub fn recompute_local_days(conn: &Connection, tz: &Zone) -> Result<()> {
    let rows: Vec<(i64, i64, i64)> = {
        let mut stmt = conn.prepare("SELECT id, occurred_at, local_day FROM encounter")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (row, at, stored) in rows {
        let day = local_day(at, tz);
        if day == stored {
            continue;
        }
        conn.prepare_cached("UPDATE encounter SET local_day = ?2 WHERE id = ?1")?.execute(params![row, day])?;
        for table in LIVE_PARTS {
            conn.prepare_cached(&format!("UPDATE {table} SET local_day = ?2 WHERE encounter = ?1"))?
                .execute(params![row, day])?;
        }
    }
    Ok(())
}

/// An encounter as the worker's list of recent entries shows it. It says whether a participant
/// code was given, never which.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncounterSummary {
    pub encounter_id: Uuid,
    pub version: u32,
    pub occurred_at: DateTime<Utc>,
    pub contact_type: ContactType,
    pub zone: String,
    pub has_participant: bool,
    pub items: Vec<ItemQuantity>,
    pub voided: bool,
    /// The server has acknowledged this version.
    pub synced: bool,
}

/// The most recent encounters written by `author`, newest first.
pub fn recent(conn: &Connection, author: Uuid, limit: u32) -> Result<Vec<EncounterSummary>> {
    let ids: Vec<Vec<u8>> = {
        let mut stmt = conn.prepare_cached(
            "SELECT encounter_id FROM encounter WHERE author = ?1 ORDER BY occurred_at DESC, id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![author.as_bytes().as_slice(), limit], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(v) = load(conn, Uuid::from_slice(&id).unwrap_or_default())? {
            out.push(summary(v.record, v.acked));
        }
    }
    Ok(out)
}

/// The worker-facing view of a stored version.
pub fn summary(r: EncounterRecord, synced: bool) -> EncounterSummary {
    EncounterSummary {
        encounter_id: r.encounter_id,
        version: r.version,
        occurred_at: Utc.timestamp_opt(r.occurred_at, 0).single().unwrap_or_default(),
        contact_type: r.contact_type,
        zone: r.zone,
        has_participant: r.participant.is_some(),
        items: r.items,
        voided: r.voided,
        synced,
    }
}
