//! Encounters: what a worker logs in seconds. A correction or a void is a new version of the
//! encounter written by its author device; the table keeps the latest version, and the items,
//! referrals and substances of that version while it is not voided.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{invalid, Error, Result};
use crate::settings::{ItemQuantity, ListKind, ProgramSettings};
use crate::validate::check_range;

/// How the worker met the participant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactType {
    Street,
    MobileUnit,
    DropIn,
    PeerDelivery,
    PhoneText,
}

impl ContactType {
    pub const ALL: [ContactType; 5] =
        [Self::Street, Self::MobileUnit, Self::DropIn, Self::PeerDelivery, Self::PhoneText];
    pub fn as_str(self) -> &'static str {
        match self {
            ContactType::Street => "street",
            ContactType::MobileUnit => "mobile_unit",
            ContactType::DropIn => "drop_in",
            ContactType::PeerDelivery => "peer_delivery",
            ContactType::PhoneText => "phone_text",
        }
    }
    pub fn parse(s: &str) -> Option<ContactType> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// What the worker enters. The participant code is turned into a reference and never stored.
/// `Debug` prints only the shape, never the code or what was given.
#[derive(Clone, PartialEq, Eq)]
pub struct NewEncounter {
    pub occurred_at: DateTime<Utc>,
    pub contact_type: ContactType,
    pub zone: String,
    /// Optional coarse area, a geohash of at most 5 characters (about 5 km).
    pub geohash: Option<String>,
    /// The participant's self-generated code, if they gave one.
    pub participant_code: Option<String>,
    pub new_participant: bool,
    pub age_band: Option<String>,
    pub gender: Option<String>,
    pub items: Vec<ItemQuantity>,
    pub syringes_collected: u32,
    pub referrals: Vec<String>,
    pub substances: Vec<String>,
    /// Overdose reversals the participant reports.
    pub overdose_reversals: u32,
    /// Naloxone doses used in those reversals.
    pub naloxone_doses_used: u32,
    /// Secondary distribution: collecting for this many others.
    pub collecting_for: u32,
}

impl std::fmt::Debug for NewEncounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewEncounter")
            .field("has_participant_code", &self.participant_code.is_some())
            .field("items", &self.items.len())
            .finish_non_exhaustive()
    }
}

impl NewEncounter {
    /// A street encounter now, in `zone`, with nothing given yet.
    pub fn new(occurred_at: DateTime<Utc>, zone: &str) -> Self {
        NewEncounter {
            occurred_at,
            contact_type: ContactType::Street,
            zone: zone.into(),
            geohash: None,
            participant_code: None,
            new_participant: false,
            age_band: None,
            gender: None,
            items: Vec::new(),
            syringes_collected: 0,
            referrals: Vec::new(),
            substances: Vec::new(),
            overdose_reversals: 0,
            naloxone_doses_used: 0,
            collecting_for: 0,
        }
    }
}

/// Applies adjustments to a kit's items: an adjustment replaces the kit's quantity of that item,
/// adds an item the kit lacks, and a quantity of 0 removes it.
pub fn kit_items(settings: &ProgramSettings, kit_id: &str, adjustments: &[ItemQuantity]) -> Result<Vec<ItemQuantity>> {
    let kit = settings
        .kit(kit_id)
        .filter(|k| k.active)
        .ok_or_else(|| invalid("kit", format!("no active kit {kit_id}")))?;
    let mut items: BTreeMap<String, u32> = kit.items.iter().map(|iq| (iq.item.clone(), iq.quantity)).collect();
    for adj in adjustments {
        if adj.quantity == 0 {
            items.remove(&adj.item);
        } else {
            items.insert(adj.item.clone(), adj.quantity);
        }
    }
    Ok(items.into_iter().map(|(item, quantity)| ItemQuantity { item, quantity }).collect())
}

const GEOHASH_ALPHABET: &str = "0123456789bcdefghjkmnpqrstuvwxyz";

/// Checks an encounter against the program's settings. `now` bounds the time.
pub fn validate(e: &NewEncounter, settings: &ProgramSettings, now: DateTime<Utc>) -> Result<()> {
    if e.occurred_at > now + Duration::hours(1) {
        return Err(invalid("occurred_at", "is in the future; check the phone's clock"));
    }
    if e.occurred_at < now - Duration::days(366) {
        return Err(invalid("occurred_at", "is more than a year ago"));
    }
    if !settings.has_active(ListKind::Zone, &e.zone) {
        return Err(invalid("zone", "is not an active zone of the program"));
    }
    if let Some(g) = &e.geohash {
        if g.is_empty() || g.len() > 5 || !g.chars().all(|c| GEOHASH_ALPHABET.contains(c)) {
            return Err(invalid("geohash", "must be 1 to 5 geohash characters (about 5 km); never exact coordinates"));
        }
    }
    for (field, kind, value) in [("age_band", ListKind::AgeBand, &e.age_band), ("gender", ListKind::Gender, &e.gender)] {
        if let Some(v) = value {
            if !settings.has_active(kind, v) {
                return Err(invalid(field, "is not an active entry of the program's list"));
            }
        }
    }
    if e.items.len() > 30 {
        return Err(invalid("items", "at most 30 different items per encounter"));
    }
    let mut seen = BTreeSet::new();
    for iq in &e.items {
        if !seen.insert(iq.item.as_str()) {
            return Err(invalid("items", "an item is listed twice"));
        }
        if !settings.item(&iq.item).is_some_and(|i| i.active) {
            return Err(invalid("items", "holds an item that is not in the active catalog"));
        }
        check_range("items.quantity", iq.quantity as i64, 1, 1000)?;
    }
    for (field, kind, values) in [
        ("referrals", ListKind::Referral, &e.referrals),
        ("substances", ListKind::Substance, &e.substances),
    ] {
        if values.len() > 20 {
            return Err(invalid(field, "at most 20 entries"));
        }
        let mut seen = BTreeSet::new();
        for v in values {
            if !seen.insert(v) {
                return Err(invalid(field, "an entry is listed twice"));
            }
            if !settings.has_active(kind, v) {
                return Err(invalid(field, "holds an entry that is not in the program's list"));
            }
        }
    }
    check_range("syringes_collected", e.syringes_collected as i64, 0, 10_000)?;
    check_range("overdose_reversals", e.overdose_reversals as i64, 0, 20)?;
    check_range("naloxone_doses_used", e.naloxone_doses_used as i64, 0, 100)?;
    check_range("collecting_for", e.collecting_for as i64, 0, 50)?;
    Ok(())
}

/// One version of an encounter, as stored and as sent to managers. `Debug` prints only ids.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncounterRecord {
    /// Id of this version.
    pub id: Uuid,
    /// Id of the first version: the encounter's identity across corrections.
    pub encounter_id: Uuid,
    pub version: u32,
    pub author: Uuid,
    /// Unix seconds, whole minutes.
    pub occurred_at: i64,
    pub contact_type: ContactType,
    pub zone: String,
    pub geohash: Option<String>,
    /// HMAC of the normalised participant code, hex; never the code.
    #[serde(with = "opt_hex16")]
    pub participant: Option<[u8; 16]>,
    pub new_participant: bool,
    pub age_band: Option<String>,
    pub gender: Option<String>,
    pub items: Vec<ItemQuantity>,
    pub syringes_collected: u32,
    pub referrals: Vec<String>,
    pub substances: Vec<String>,
    pub overdose_reversals: u32,
    pub naloxone_doses_used: u32,
    pub collecting_for: u32,
    /// The stock location the supplies came from.
    pub location: Option<String>,
    pub voided: bool,
    /// Unix seconds when this version was written.
    pub recorded_at: i64,
}

impl std::fmt::Debug for EncounterRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncounterRecord")
            .field("id", &self.id)
            .field("encounter_id", &self.encounter_id)
            .field("version", &self.version)
            .field("voided", &self.voided)
            .finish_non_exhaustive()
    }
}

mod opt_hex16 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<[u8; 16]>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_some(&hex::encode(b)),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[u8; 16]>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| {
            let bytes = hex::decode(&s).map_err(serde::de::Error::custom)?;
            bytes.try_into().map_err(|_| serde::de::Error::custom("participant reference must be 16 bytes"))
        })
        .transpose()
    }
}

impl EncounterRecord {
    /// Shape checks for a record from another device (settings may differ, so ids are not
    /// checked against this device's lists).
    pub fn check(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::BadRecord(format!("encounter: {m}")));
        if self.version == 0 || (self.version == 1 && self.id != self.encounter_id) {
            return bad("version numbering");
        }
        if self.occurred_at % 60 != 0 {
            return bad("time is not whole minutes");
        }
        if self.geohash.as_ref().is_some_and(|g| g.is_empty() || g.len() > 5) {
            return bad("location finer than allowed");
        }
        let unique = |v: Vec<&str>| v.iter().collect::<BTreeSet<_>>().len() == v.len();
        if !unique(self.items.iter().map(|i| i.item.as_str()).collect())
            || !unique(self.referrals.iter().map(String::as_str).collect())
            || !unique(self.substances.iter().map(String::as_str).collect())
        {
            return bad("an entry is listed twice");
        }
        if self.items.len() > 30 || self.referrals.len() > 20 || self.substances.len() > 20 {
            return bad("too many entries");
        }
        if self.items.iter().any(|i| i.quantity == 0 || i.quantity > 1000) {
            return bad("item quantity out of range");
        }
        Ok(())
    }
}

/// Whole minutes, as the product stores time.
pub fn to_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(t)
}

/// Days since 1970-01-01 of the local date in `tz`.
pub fn local_day(unix_seconds: i64, tz: Tz) -> i64 {
    let utc = Utc.timestamp_opt(unix_seconds, 0).single().unwrap_or_default();
    let local = utc.with_timezone(&tz).date_naive();
    local.signed_duration_since(chrono::NaiveDate::default()).num_days()
}

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
                    referrals: Vec::new(),
                    substances: Vec::new(),
                    overdose_reversals: r.get(13)?,
                    naloxone_doses_used: r.get(14)?,
                    collecting_for: r.get(15)?,
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
    record.referrals = strings(conn, "SELECT referral FROM encounter_referral WHERE encounter = ?1 ORDER BY referral", row)?;
    record.substances =
        strings(conn, "SELECT substance FROM encounter_substance WHERE encounter = ?1 ORDER BY substance", row)?;
    Ok(Some(StoredVersion { row, record, acked }))
}

fn strings(conn: &Connection, sql: &str, row: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([row], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Stores a version if it is newer than the stored one. Returns false when it is not (an old
/// or repeated version), which changes nothing.
pub fn store_version(conn: &Connection, rec: &EncounterRecord, participant: Option<i64>, tz: Tz) -> Result<bool> {
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
            for table in ["encounter_item", "encounter_referral", "encounter_substance"] {
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
    }
    Ok(true)
}

/// Recomputes every stored local day, after the program's time zone changed.
pub fn recompute_local_days(conn: &Connection, tz: Tz) -> Result<()> {
    let rows: Vec<(i64, i64)> = {
        let mut stmt = conn.prepare("SELECT id, occurred_at FROM encounter")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (row, at) in rows {
        let day = local_day(at, tz);
        conn.prepare_cached("UPDATE encounter SET local_day = ?2 WHERE id = ?1")?.execute(params![row, day])?;
        for table in ["encounter_item", "encounter_referral", "encounter_substance"] {
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
