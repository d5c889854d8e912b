//! Records from other devices applied to this store: settings (by hybrid logical clock),
//! stock movements, and, on managers' devices, encounters; with the pull cursor, the segments
//! set aside and how far each other device's stream has arrived, in one transaction.

use rusqlite::Connection;
use satchel_protocol::{SealedSegment, SegmentHeader};
use uuid::Uuid;

use crate::encounter;
use crate::error::{Error, Result};
use crate::stock;
use crate::meta::{self, Key, MetaExt};
use crate::outbox::{self, OutboxEntry, Record, Stream, StreamStatus};
use crate::participant;
use crate::profile;
use crate::settings::{Role, Setting};
use crate::store::{apply_setting, current_tz, observe_hlc, Store};

impl Store {
    /// The oldest queued records of a stream.
    pub fn outbox_pending(&self, stream: Stream, limit: u32) -> Result<Vec<OutboxEntry>> {
        self.read(|_, conn| outbox::pending(conn, stream, limit))
    }

    /// Records the server's acknowledgement of a stream up to `seq`.
    pub fn acknowledge(&self, stream: Stream, seq: u64) -> Result<()> {
        self.write(|_, tx| outbox::acknowledge(tx, stream, seq))
    }

    /// Queues again what the hub acknowledged after `held` in `stream` and no longer holds;
    /// `None` (and nothing changed) when some of it is gone from this device.
    pub fn rewind(&self, stream: Stream, held: u64) -> Result<Option<u64>> {
        self.write(|_, tx| outbox::rewind(tx, stream, held))
    }

    pub fn outbox_status(&self) -> Result<Vec<StreamStatus>> {
        self.read(|_, conn| outbox::status(conn))
    }

    /// Applies records received from other devices, all in one transaction: each is checked,
    /// and one bad record changes nothing. Repeated and out-of-order records are harmless.
    pub fn apply_records(&self, records: &[Record]) -> Result<()> {
        self.apply_page_records(records, None, &[], &[], &[])
    }

    /// [`Store::apply_records`], and with `cursor`, the pull cursor in the same transaction (it never
    /// goes backwards), with the segments set aside, how far other devices' streams arrived,
    /// and the sealed segments a manager keeps (`keep`).
    pub(crate) fn apply_page_records(
        &self,
        records: &[Record],
        cursor: Option<u64>,
        quarantined: &[String],
        arrived: &[Arrived],
        keep: &[&SealedSegment],
    ) -> Result<()> {
        self.write(|ctx, tx| {
            note_arrivals(tx, arrived)?;
            keep_received(tx, keep)?;
            if let Some(c) = cursor {
                let current = tx.meta_count(&meta::PULL_CURSOR)?;
                tx.set_meta(&meta::PULL_CURSOR, &current.max(c as i64))?;
            }
            if let Some(last) = quarantined.last() {
                let count = tx.meta_count(&meta::SYNC_QUARANTINED)?;
                tx.set_meta(&meta::SYNC_QUARANTINED, &(count + quarantined.len() as i64))?;
                tx.set_meta(&meta::SYNC_LAST_QUARANTINED, last.as_str())?;
            }
            for record in records {
                match record {
                    Record::Setting(s) => {
                        Setting::from_json(&s.key, &s.value)?
                            .validate(None)
                            .map_err(|e| Error::BadRecord(format!("setting {}: {e}", s.key)))?;
                        observe_hlc(tx, s.hlc)?;
                        apply_setting(tx, s)?;
                    }
                    Record::Movement(m) => {
                        m.check()?;
                        stock::insert(tx, m)?;
                    }
                    Record::Encounter(e) => {
                        if ctx.role != Role::Manager {
                            return Err(Error::NotPermitted("encounters go only to managers' devices".into()));
                        }
                        e.check()?;
                        let participant = match &e.participant {
                            Some(r) => Some(participant::upsert(tx, r, e.occurred_at)?),
                            None => None,
                        };
                        encounter::store_version(tx, e, participant, &current_tz(tx)?)?;
                    }
                    Record::Profile(p) => {
                        if ctx.role != Role::Manager {
                            return Err(Error::NotPermitted("participant profiles go only to managers' devices".into()));
                        }
                        p.check()?;
                        let participant = participant::upsert(tx, &p.participant, p.answered_at)?;
                        profile::store(tx, p, participant, &current_tz(tx)?)?;
                    }
                    Record::Disposal(d) => {
                        if ctx.role != Role::Manager {
                            return Err(Error::NotPermitted("disposal entries go only to managers' devices".into()));
                        }
                        d.check()?;
                        crate::disposal::store(tx, d, &current_tz(tx)?)?;
                    }
                }
            }
            Ok(())
        })?;
        self.reload_settings()
    }
}

/// A pulled segment that opened here: where it sits in its device's stream.
pub(crate) struct Arrived {
    pub(crate) device: Uuid,
    pub(crate) stream: Stream,
    pub(crate) first_seq: u64,
    pub(crate) last_seq: u64,
    pub(crate) cursor: u64,
}

impl Arrived {
    /// Whether this is the arrival of the segment with `header`.
    pub(crate) fn is(&self, header: &SegmentHeader) -> bool {
        (self.device, self.stream, self.first_seq, self.last_seq) == (header.device, header.stream, header.first_seq, header.last_seq)
    }
}

/// Keeps pulled segments as they came (a manager's store), once each.
fn keep_received(tx: &Connection, segments: &[&SealedSegment]) -> Result<()> {
    for s in segments {
        let h = &s.header;
        tx.prepare_cached(
            "INSERT OR IGNORE INTO received_segment (device, stream, first_seq, last_seq, key_epoch, nonce, ciphertext)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(rusqlite::params![
            h.device.as_bytes().as_slice(),
            h.stream.as_str(),
            h.first_seq as i64,
            h.last_seq as i64,
            h.key_epoch as i64,
            s.nonce.as_slice(),
            s.ciphertext
        ])?;
    }
    Ok(())
}

/// Notes how far each other device's stream has arrived, in the transaction that applies the
/// page, and counts the runs of sequence numbers that were skipped. Only segments that opened
/// count: a forged header cannot fake a hole.
fn note_arrivals(tx: &Connection, arrived: &[Arrived]) -> Result<()> {
    let mut holes = Vec::new();
    for a in arrived {
        let key: Key<i64> = Key::named(format!("arrived:{}:{}", a.device, a.stream.as_str()));
        let through = tx.meta_count(&key)? as u64;
        if a.last_seq <= through {
            continue; // already here
        }
        if a.first_seq > through + 1 {
            holes.push(format!(
                "{} seq {}-{} of device {} never arrived (seq {} came next, at cursor {})",
                a.stream.as_str(),
                through + 1,
                a.first_seq - 1,
                a.device,
                a.first_seq,
                a.cursor
            ));
        }
        tx.set_meta(&key, &(a.last_seq as i64))?;
    }
    if let Some(last) = holes.last() {
        let count = tx.meta_count(&meta::SYNC_HOLES)?;
        tx.set_meta(&meta::SYNC_HOLES, &(count + holes.len() as i64))?;
        tx.set_meta(&meta::SYNC_LAST_HOLE, last.as_str())?;
    }
    Ok(())
}
