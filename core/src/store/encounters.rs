//! Encounters: logged, corrected and voided by their author, listed for the worker, purged
//! after the retention period once the server has them.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;
use uuid::Uuid;

use super::{Unlocked, Store};
use crate::encounter::{self, ContainerCount, ContainerReturn, EncounterRecord, EncounterSummary, NewEncounter};
use crate::error::{invalid, Error, Result};
use crate::stock::{self, MovementKind, MovementRecord};
use crate::outbox::{self, Record};
use crate::participant;
use crate::profile::{self, ProfileAnswers, ProfileRecord};
use crate::settings::{ItemQuantity, Role};

impl Store {
    /// Logs an encounter, with the stock it handed out, in one durable transaction. Returns the
    /// encounter's id.
    pub fn log_encounter(&self, new: &NewEncounter) -> Result<Uuid> {
        let now = self.now();
        self.write(|ctx, tx| {
            encounter::validate(new, &ctx.settings, now)?;
            let id = Uuid::now_v7();
            let record = EncounterRecord {
                id,
                encounter_id: id,
                version: 1,
                author: ctx.device,
                location: ctx.location.clone(),
                voided: false,
                ..record_fields(ctx, new, None, now)?
            };
            write_version(ctx, tx, &record, None, now)?;
            write_profile(ctx, tx, new, record.participant, record.occurred_at, now)?;
            Ok(id)
        })
    }

    /// Logs an encounter from a kit: the kit's items with `adjustments` applied (a quantity
    /// replaces the kit's, 0 removes the item). Other fields come from `base`.
    pub fn log_from_kit(&self, kit_id: &str, adjustments: &[ItemQuantity], base: &NewEncounter) -> Result<Uuid> {
        let items = self.read(|ctx, _| encounter::kit_items(&ctx.settings, kit_id, adjustments))?;
        self.log_encounter(&NewEncounter { items, ..base.clone() })
    }

    /// Corrects an encounter this device wrote. The participant reference is kept unless a new
    /// code is given.
    pub fn correct_encounter(&self, encounter_id: Uuid, new: &NewEncounter) -> Result<()> {
        let now = self.now();
        self.write(|ctx, tx| {
            let old = own_live_version(ctx, tx, encounter_id)?;
            encounter::validate(new, &ctx.settings, now)?;
            let record = EncounterRecord {
                id: Uuid::now_v7(),
                encounter_id,
                version: old.version + 1,
                author: ctx.device,
                location: old.location.clone(),
                voided: false,
                ..record_fields(ctx, new, old.participant, now)?
            };
            write_version(ctx, tx, &record, Some(&old), now)?;
            write_profile(ctx, tx, new, record.participant, record.occurred_at, now)
        })
    }

    /// Voids an encounter this device wrote; it then counts nowhere and its supplies go back.
    pub fn void_encounter(&self, encounter_id: Uuid) -> Result<()> {
        let now = self.now();
        self.write(|ctx, tx| {
            let old = own_live_version(ctx, tx, encounter_id)?;
            let record = EncounterRecord {
                id: Uuid::now_v7(),
                version: old.version + 1,
                voided: true,
                recorded_at: encounter::to_minute(now).timestamp(),
                ..old.clone()
            };
            write_version(ctx, tx, &record, Some(&old), now)
        })
    }

    /// This device's most recent encounters, newest first.
    pub fn recent_encounters(&self, limit: u32) -> Result<Vec<EncounterSummary>> {
        self.read(|ctx, conn| encounter::recent(conn, ctx.device, limit.min(1000)))
    }

    /// One encounter as the worker's list shows it (any author), or `None`.
    pub fn get_encounter(&self, encounter_id: Uuid) -> Result<Option<EncounterSummary>> {
        self.read(|_, conn| Ok(encounter::load(conn, encounter_id)?.map(|v| encounter::summary(v.record, v.acked))))
    }

    /// What the worker entered for one of this device's live encounters, to prefill the sheet
    /// that corrects it. The participant code is never stored, so it comes back empty (a
    /// correction without a new code keeps the reference).
    pub fn encounter_for_correction(&self, encounter_id: Uuid) -> Result<NewEncounter> {
        self.read(|ctx, conn| {
            let r = own_live_version(ctx, conn, encounter_id)?;
            Ok(NewEncounter {
                occurred_at: chrono::DateTime::from_timestamp(r.occurred_at, 0).unwrap_or_default(),
                contact_type: r.contact_type,
                zone: r.zone,
                geohash: r.geohash,
                participant_code: None,
                new_participant: r.new_participant,
                age_band: r.age_band,
                gender: r.gender,
                items: r.items,
                syringes_collected: r.syringes_collected,
                sharps_containers: r
                    .sharps_containers
                    .iter()
                    .map(|c| ContainerCount { container: c.container.clone(), count: c.count })
                    .collect(),
                referrals: r.referrals,
                suggested_services: r.suggested_services,
                substances: r.substances,
                overdose_reversals: r.overdose_reversals,
                naloxone_doses_used: r.naloxone_doses_used,
                collecting_for: r.collecting_for,
                services_delivered: r.services_delivered,
                naloxone_kit: r.naloxone_kit,
                profile: None,
            })
        })
    }

    /// Records a participant's profile answers (D89) apart from any encounter: a worker
    /// completing or changing what was asked before. Each question's newest answer counts.
    pub fn record_profile(&self, code: &str, answers: &ProfileAnswers) -> Result<()> {
        let now = self.now();
        self.write(|ctx, tx| {
            profile::validate(answers, &ctx.settings)?;
            let reference = participant::reference(&ctx.participant_key, code, ctx.participant_references())?;
            let at = encounter::to_minute(now).timestamp();
            let row = participant::upsert(tx, &reference, at)?;
            store_profile(ctx, tx, answers, reference, row, at, now)
        })
    }

    /// Whether a participant code was seen on this device before. Nothing is written.
    pub fn participant_seen(&self, code: &str) -> Result<bool> {
        self.read(|ctx, conn| {
            participant::seen(conn, &participant::reference(&ctx.participant_key, code, ctx.participant_references())?)
        })
    }

    /// Deletes encounters the server acknowledged that are older than the program's retention
    /// period (with the sent records of every version of them), sent records older than that,
    /// and participant references not seen since. Managers' stores keep everything.
    /// Returns how many encounters were deleted.
    pub fn purge_expired(&self) -> Result<u64> {
        let now = self.now();
        let n = self.write(|ctx, tx| {
            if ctx.role == Role::Manager {
                return Ok(0);
            }
            let cutoff = (now - Duration::days(ctx.settings.program.retention_days as i64)).timestamp();
            outbox::trim(tx, cutoff)?;
            let n = tx.execute("DELETE FROM encounter WHERE acked = 1 AND occurred_at < ?1", [cutoff])?;
            tx.execute("DELETE FROM participant_profile WHERE acked = 1 AND answered_at < ?1", [cutoff])?;
            tx.execute(
                "DELETE FROM disposal WHERE occurred_at < ?1 AND NOT EXISTS
                   (SELECT 1 FROM outbox WHERE acked = 0 AND record_id IN (disposal.entry, disposal.voided_by))",
                [cutoff],
            )?;
            tx.execute(
                "DELETE FROM participant WHERE last_seen < ?1
                   AND id NOT IN (SELECT participant FROM encounter WHERE participant IS NOT NULL)
                   AND id NOT IN (SELECT participant FROM participant_profile)",
                [cutoff],
            )?;
            Ok(n as u64)
        })?;
        // Move the deleted pages out of the WAL too.
        self.read(|_, conn| Ok(conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?))?;
        Ok(n)
    }
}

/// The fields of a record that come from what the worker entered.
fn record_fields(
    ctx: &Unlocked,
    new: &NewEncounter,
    keep_participant: Option<[u8; 16]>,
    now: DateTime<Utc>,
) -> Result<EncounterRecord> {
    let participant = match &new.participant_code {
        Some(code) => Some(participant::reference(&ctx.participant_key, code, ctx.participant_references())?),
        None => keep_participant,
    };
    let mut items = new.items.clone();
    items.sort();
    let mut referrals = new.referrals.clone();
    referrals.sort();
    let mut substances = new.substances.clone();
    substances.sort();
    // Validated before: every container type is the program's. The estimate is taken now.
    let mut sharps_containers: Vec<ContainerReturn> = new
        .sharps_containers
        .iter()
        .map(|c| ContainerReturn {
            container: c.container.clone(),
            count: c.count,
            syringes_each: ctx.settings.container(&c.container).map_or(1, |t| t.syringes_estimate),
        })
        .collect();
    sharps_containers.sort();
    Ok(EncounterRecord {
        id: Uuid::nil(),
        encounter_id: Uuid::nil(),
        version: 0,
        author: ctx.device,
        occurred_at: encounter::to_minute(new.occurred_at).timestamp(),
        contact_type: new.contact_type,
        zone: new.zone.clone(),
        geohash: new.geohash.clone(),
        participant,
        new_participant: new.new_participant,
        age_band: new.age_band.clone(),
        gender: new.gender.clone(),
        items,
        syringes_collected: new.syringes_collected,
        sharps_containers,
        referrals,
        suggested_services: {
            let mut s = new.suggested_services.clone();
            s.sort();
            s
        },
        substances,
        overdose_reversals: new.overdose_reversals,
        naloxone_doses_used: new.naloxone_doses_used,
        collecting_for: new.collecting_for,
        services_delivered: {
            let mut d = new.services_delivered.clone();
            d.sort();
            d
        },
        naloxone_kit: new.naloxone_kit,
        location: None,
        voided: false,
        recorded_at: encounter::to_minute(now).timestamp(),
    })
}

/// The profile given with an encounter, for its participant reference: checked, stored and
/// queued in the encounter's transaction, so the two land together or not at all.
fn write_profile(
    ctx: &Unlocked,
    tx: &Connection,
    new: &NewEncounter,
    reference: Option<[u8; 16]>,
    answered_at: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(answers) = &new.profile else { return Ok(()) };
    profile::validate(answers, &ctx.settings)?;
    let reference = reference.ok_or_else(|| invalid("profile", "needs the participant's code: a profile belongs to a person"))?;
    let row = participant::upsert(tx, &reference, answered_at)?;
    store_profile(ctx, tx, answers, reference, row, answered_at, now)
}

fn store_profile(
    ctx: &Unlocked,
    tx: &Connection,
    answers: &ProfileAnswers,
    reference: [u8; 16],
    row: i64,
    answered_at: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    let record = ProfileRecord {
        id: Uuid::now_v7(),
        author: ctx.device,
        participant: reference,
        answered_at,
        race: answers.race.clone(),
        ethnicity: answers.ethnicity.clone(),
        residence: answers.residence.clone(),
    };
    profile::store(tx, &record, row, &ctx.settings.time_zone())?;
    outbox::enqueue(tx, &Record::Profile(record), now.timestamp())?;
    Ok(())
}

fn own_live_version(ctx: &Unlocked, tx: &Connection, encounter_id: Uuid) -> Result<EncounterRecord> {
    let old = encounter::load(tx, encounter_id)?
        .ok_or_else(|| Error::NotFound { kind: "encounter", id: encounter_id.to_string() })?
        .record;
    if old.author != ctx.device {
        return Err(Error::NotPermitted("only the device that logged an encounter may change it".into()));
    }
    if old.voided {
        return Err(Error::NotPermitted("this encounter is already voided".into()));
    }
    Ok(old)
}

/// Stores a new version of one of this device's encounters, writes the stock movements that
/// take its supplies from the location (net of what the previous version took), and queues
/// everything for sync.
fn write_version(
    ctx: &Unlocked,
    tx: &Connection,
    record: &EncounterRecord,
    previous: Option<&EncounterRecord>,
    now: DateTime<Utc>,
) -> Result<()> {
    let participant = match &record.participant {
        Some(r) => Some(participant::upsert(tx, r, record.occurred_at)?),
        None => None,
    };
    encounter::store_version(tx, record, participant, &ctx.settings.time_zone())?;
    if let Some(location) = &record.location {
        // (item, time) -> delta. When the time is unchanged the old and new quantities net out;
        // when it moved, the old supplies come back at the old time and the new ones leave at
        // the new time, so a physical count between the two stays right.
        let mut deltas: BTreeMap<(&str, i64), i64> = BTreeMap::new();
        if let Some(old) = previous {
            for iq in &old.items {
                *deltas.entry((iq.item.as_str(), old.occurred_at)).or_default() += iq.quantity as i64;
            }
        }
        if !record.voided {
            for iq in &record.items {
                *deltas.entry((iq.item.as_str(), record.occurred_at)).or_default() -= iq.quantity as i64;
            }
        }
        for ((item, at), delta) in deltas.into_iter().filter(|(_, d)| *d != 0) {
            let m = MovementRecord {
                id: Uuid::now_v7(),
                author: ctx.device,
                kind: MovementKind::Distributed,
                location: location.clone(),
                item: item.into(),
                quantity: delta,
                occurred_at: at,
                reason: None,
                counterpart: None,
            };
            stock::insert(tx, &m)?;
            outbox::enqueue(tx, &Record::Movement(m), now.timestamp())?;
        }
    }
    outbox::enqueue(tx, &Record::Encounter(record.clone()), now.timestamp())?;
    Ok(())
}
