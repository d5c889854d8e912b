//! The device's side of sync, without the network: the outbox cut into sealed segments, the
//! server's acknowledgements, pulled pages applied with their cursor in one transaction, and
//! the status the app shows (pending records, last success, last error, next attempt).
//!
//! The HTTP transport comes on top of this; everything here is testable without a server.

use chrono::{DateTime, Duration, TimeZone, Utc};
use satchel_protocol::wire::{PullResponse, StreamAck};
use satchel_protocol::{SealedSegment, SegmentHeader};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::outbox::{self, Record, Stream, StreamStatus};
use crate::settings::Role;
use crate::meta::{self, MetaExt};
use crate::store::Store;

mod apply;

pub(crate) use apply::Arrived;

/// How big the segments of one push may be. Small requests survive weak signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentLimits {
    /// Records per segment.
    pub max_records: usize,
    /// Bytes of records (before compression) per segment.
    pub max_bytes: usize,
    /// Segments per push.
    pub max_segments: usize,
    /// Sealed bytes per push (at least one segment goes): on weak 3G (~50 kB/s) a push of
    /// 256 KiB commits within seconds, so a dropped connection loses little.
    pub max_push_bytes: usize,
}

impl Default for SegmentLimits {
    fn default() -> Self {
        SegmentLimits { max_records: 1_000, max_bytes: 512 * 1024, max_segments: 16, max_push_bytes: 256 * 1024 }
    }
}

/// What the app shows about sync.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncStatus {
    pub streams: Vec<StreamStatus>,
    /// Records not yet acknowledged by the server, all streams.
    pub pending: u64,
    /// This device's contacts (encounters) whose newest change the server has not yet
    /// acknowledged, voids included: the one waiting count every screen shows.
    pub contacts_waiting: u64,
    pub last_success: Option<DateTime<Utc>>,
    /// The last failure's message, cleared by a success. Never holds participant data.
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    /// When to try again after a failure (`None`: now).
    pub next_attempt: Option<DateTime<Utc>>,
    /// Segments from other devices set aside because they can never be applied (damaged,
    /// forged or invalid); not zero means some other device's data did not arrive here.
    pub quarantined: u64,
    /// What the last one set aside was (stream, sequence numbers, device, reason).
    pub last_quarantined: Option<String>,
    /// Runs of another device's records that never arrived readable: a segment arrived that
    /// did not continue the one before it from that device's stream. The server refuses gaps,
    /// so not zero means the server lost or withheld data (a restore from an old backup, say),
    /// or the segment holding them was set aside (then `quarantined` counts it too).
    pub holes: u64,
    /// What the last hole was (stream, the missing sequence numbers, device).
    pub last_hole: Option<String>,
}

/// Wait before the next attempt after `failures` failures in a row: 5 s doubling up to 30 min,
/// with full jitter (`jitter` in [0, 1) scales it down to between half and all of it) so that a
/// team's phones do not retry in step when the signal comes back.
pub fn backoff(failures: u32, jitter: f64) -> Duration {
    let base = 5i64.saturating_mul(1i64 << failures.saturating_sub(1).min(20));
    let capped = base.min(30 * 60) as f64;
    Duration::milliseconds((capped * 1000.0 * (0.5 + 0.5 * jitter.clamp(0.0, 1.0))) as i64)
}

fn seconds(t: Option<i64>) -> Option<DateTime<Utc>> {
    t.and_then(|s| Utc.timestamp_opt(s, 0).single())
}

/// The author a record claims.
fn author(record: &Record) -> Uuid {
    match record {
        Record::Encounter(e) => e.author,
        Record::Movement(m) => m.author,
        Record::Setting(s) => s.device,
        Record::Profile(p) => p.author,
        Record::Disposal(d) => d.author,
    }
}

impl Store {
    /// The program id the segments are bound to.
    pub fn program_id(&self) -> Result<Uuid> {
        self.read(|_, conn| crate::store::program_id(conn))
    }

    /// The outbox as sealed segments, oldest first, within `limits`. Each segment is a
    /// contiguous run of one stream; sending them again is harmless (the server acknowledges a
    /// repeated segment without storing it twice).
    pub fn outgoing_segments(&self, limits: SegmentLimits) -> Result<Vec<SealedSegment>> {
        // Zero would cut nothing (and look like nothing to send).
        let limits = SegmentLimits {
            max_records: limits.max_records.clamp(1, satchel_protocol::limits::MAX_RECORDS_PER_SEGMENT),
            max_segments: limits.max_segments.clamp(1, satchel_protocol::limits::MAX_SEGMENTS_PER_PUSH),
            ..limits
        };
        let keys = self.program_keys()?;
        let reporting_key = self.reporting_public_key()?;
        let program = self.program_id()?;
        let device = self.device_id()?;
        let mut out: Vec<SealedSegment> = Vec::new();
        // The push body must stay under the server's limit, whatever the compression achieved.
        let body_budget = limits.max_push_bytes.min(satchel_protocol::limits::MAX_BODY_BYTES - 64 * 1024);
        let mut body = 0usize;
        for stream in Stream::ALL {
            if out.len() >= limits.max_segments {
                break;
            }
            let budget = (limits.max_segments - out.len()) * limits.max_records;
            let entries = self.outbox_pending(stream, budget as u32)?;
            let mut i = 0;
            while i < entries.len() && out.len() < limits.max_segments {
                let mut j = i;
                let mut bytes = 0;
                while j < entries.len()
                    && j - i < limits.max_records
                    && (j == i || bytes + entries[j].payload.len() <= limits.max_bytes)
                {
                    bytes += entries[j].payload.len();
                    j += 1;
                }
                let run = &entries[i..j];
                let header = SegmentHeader {
                    program,
                    device,
                    stream,
                    first_seq: run[0].seq,
                    last_seq: run[run.len() - 1].seq,
                    key_epoch: keys.epoch,
                };
                let payloads: Vec<Vec<u8>> = run.iter().map(|e| e.payload.clone()).collect();
                // Encounters to the managers alone (D67); stock and settings, which teammates'
                // phones need, under the team key.
                let sealed = match (stream, reporting_key) {
                    (Stream::Encounters, Some(pk)) => satchel_protocol::seal_to_managers(&pk, header, &payloads),
                    _ => satchel_protocol::seal(&keys.data_key, header, &payloads),
                }
                .map_err(|e| Error::BadRecord(format!("sealing a segment: {e}")))?;
                body += sealed.ciphertext.len() + 128;
                if body > body_budget && !out.is_empty() {
                    return Ok(out);
                }
                out.push(sealed);
                i = j;
            }
        }
        Ok(out)
    }

    /// Applies the server's acknowledgements.
    pub fn apply_acks(&self, acks: &[StreamAck]) -> Result<()> {
        self.write(|_, tx| {
            for ack in acks {
                outbox::acknowledge(tx, ack.stream, ack.acked_seq)?;
            }
            Ok(())
        })
    }

    /// Where the next pull starts.
    pub fn pull_cursor(&self) -> Result<u64> {
        self.read(|_, conn| Ok(conn.meta_count(&meta::PULL_CURSOR)? as u64))
    }

    /// Opens a pulled page and applies its records and its cursor in one transaction: either all
    /// of it lands or nothing does. The device's own segments are skipped.
    ///
    /// A segment that cannot be authentic for this device — it does not open under the program
    /// key (damaged, forged, or sealed under another key epoch), belongs to another program,
    /// holds a record its device did not write, or is encounters sent to an outreach phone —
    /// is set aside (counted in the status as quarantined) so that one bad segment does not
    /// stop every device from syncing; nothing readable is lost that way. A segment that opens
    /// but holds a record this app cannot read or accept (a newer format, an unknown value, a
    /// check a newer app relaxed) stops the pull instead, with nothing applied: updating the
    /// app fixes it, and nothing is skipped. Returns how many records were applied.
    pub fn apply_pull_page(&self, page: &PullResponse) -> Result<usize> {
        let keys = self.program_keys()?;
        let program = self.program_id()?;
        let device = self.device_id()?;
        let role = self.role()?;
        let mut records = Vec::new();
        let mut quarantined = Vec::new();
        let mut arrived = Vec::new();
        for pulled in &page.segments {
            let h = &pulled.segment.header;
            if h.device == device {
                continue;
            }
            match segment_records(&keys, program, role, page.keys.map(|k| k.epoch), pulled)? {
                Ok(mut r) => {
                    records.append(&mut r);
                    arrived.push(Arrived {
                        device: h.device,
                        stream: h.stream,
                        first_seq: h.first_seq,
                        last_seq: h.last_seq,
                        cursor: pulled.cursor,
                    });
                }
                Err(reason) => quarantined.push(format!(
                    "{} seq {}-{} of device {} at cursor {}: {reason}",
                    h.stream.as_str(),
                    h.first_seq,
                    h.last_seq,
                    h.device,
                    pulled.cursor
                )),
            }
        }
        let n = records.len();
        // A manager keeps what arrived, sealed as it came, for a hub that loses it (D50).
        let keep: Vec<&SealedSegment> = if role == Role::Manager {
            page.segments.iter().map(|p| &p.segment).filter(|s| arrived.iter().any(|a| a.is(&s.header))).collect()
        } else {
            Vec::new()
        };
        self.apply_page_records(&records, Some(page.next_cursor), &quarantined, &arrived, &keep)?;
        Ok(n)
    }

    /// Records a successful sync: clears the error and the back-off.
    pub fn record_sync_success(&self) -> Result<()> {
        let now = self.now();
        self.write(|_, tx| {
            tx.set_meta(&meta::SYNC_LAST_SUCCESS, &now.timestamp())?;
            tx.delete_meta(&meta::SYNC_LAST_ERROR)?;
            tx.delete_meta(&meta::SYNC_FAILURES)?;
            tx.delete_meta(&meta::SYNC_NEXT_ATTEMPT)?;
            Ok(())
        })
    }

    /// Records a failed sync and schedules the next attempt with back-off and jitter.
    pub fn record_sync_failure(&self, message: &str) -> Result<DateTime<Utc>> {
        let now = self.now();
        let jitter = crate::crypto::random_bytes::<1>()[0] as f64 / 256.0;
        self.write(|_, tx| {
            let failures = tx.meta_count(&meta::SYNC_FAILURES)? as u32 + 1;
            let next = seconds(Some((now + backoff(failures, jitter)).timestamp())).unwrap_or(now);
            let message: String = message.chars().take(200).collect();
            tx.set_meta(&meta::SYNC_FAILURES, &(failures as i64))?;
            tx.set_meta(&meta::SYNC_LAST_ERROR, &message)?;
            tx.set_meta(&meta::SYNC_NEXT_ATTEMPT, &next.timestamp())?;
            Ok(next)
        })
    }

    /// What the app shows: pending records per stream, last success, last error, next attempt.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.read(|ctx, conn| {
            let streams = outbox::status(conn)?;
            Ok(SyncStatus {
                pending: streams.iter().map(|s| s.pending).sum(),
                contacts_waiting: crate::encounter::contacts_waiting(conn, ctx.device)?,
                streams,
                last_success: seconds(conn.meta(&meta::SYNC_LAST_SUCCESS)?),
                last_error: conn.meta(&meta::SYNC_LAST_ERROR)?,
                consecutive_failures: conn.meta_count(&meta::SYNC_FAILURES)? as u32,
                next_attempt: seconds(conn.meta(&meta::SYNC_NEXT_ATTEMPT)?),
                quarantined: conn.meta_count(&meta::SYNC_QUARANTINED)? as u64,
                last_quarantined: conn.meta(&meta::SYNC_LAST_QUARANTINED)?,
                holes: conn.meta_count(&meta::SYNC_HOLES)? as u64,
                last_hole: conn.meta(&meta::SYNC_LAST_HOLE)?,
            })
        })
    }
}

/// The records of one pulled segment, checked: `Ok(Err(reason))` sets the segment aside (it
/// cannot be authentic here); an outer `Err` stops the pull (this app cannot read it yet).
fn segment_records(
    keys: &crate::store::ProgramKeys,
    program: Uuid,
    role: Role,
    hub_epoch: Option<u32>,
    pulled: &satchel_protocol::wire::PulledSegment,
) -> Result<std::result::Result<Vec<Record>, &'static str>> {
    let h = &pulled.segment.header;
    if h.program != program {
        return Ok(Err("another program's segment"));
    }
    if h.stream == Stream::Encounters && role != Role::Manager {
        return Ok(Err("encounters sent to an outreach device"));
    }
    let payloads = if pulled.segment.is_for_managers() {
        let Some(private) = &keys.reporting_private else {
            return Ok(Err("sealed to the managers' reporting key, which this store does not hold"));
        };
        let Ok(payloads) = satchel_protocol::open_as_manager(private, &pulled.segment) else {
            return Ok(Err("does not open under the reporting key (damaged, forged, or sealed to another manager's key)"));
        };
        payloads
    } else {
        let Some(key) = keys.team_key(h.key_epoch) else {
            if h.key_epoch > keys.epoch && hub_epoch.is_some_and(|e| h.key_epoch <= e) {
                // An epoch the hub has and this device does not yet: wait for it, skip nothing.
                return Err(Error::Offline(
                    "this device waits for the program's new team key; a manager's next sync delivers it".into(),
                ));
            }
            return Ok(Err("sealed under a key epoch this device never held"));
        };
        let Ok(payloads) = satchel_protocol::open(key, &pulled.segment) else {
            return Ok(Err("does not open under the program key (damaged or forged)"));
        };
        payloads
    };
    let mut records = Vec::with_capacity(payloads.len());
    for payload in payloads {
        // Sealed under the program key: written by a device of the program, so a record that
        // does not decode or validate comes from a newer (or broken) app, not from an attacker.
        let too_new = || Error::BadRecord("a record from another device that this app cannot read; update the app".into());
        let record = match Record::decode(&payload) {
            Ok(r) => r,
            Err(e @ Error::NewerRecord { .. }) => return Err(e),
            Err(_) => return Err(too_new()),
        };
        if author(&record) != h.device || record.stream() != h.stream {
            return Ok(Err("holds a record its device did not write"));
        }
        let valid = match &record {
            Record::Setting(s) => crate::settings::Setting::from_json(&s.key, &s.value).and_then(|x| x.validate(None)),
            Record::Movement(m) => m.check(),
            Record::Encounter(e) => e.check(),
            Record::Profile(p) => p.check(),
            Record::Disposal(d) => d.check(),
        };
        if valid.is_err() {
            return Err(too_new());
        }
        records.push(record);
    }
    Ok(Ok(records))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_jitters() {
        assert_eq!(backoff(1, 0.999_999).num_seconds(), 4); // just under 5 s
        assert_eq!(backoff(1, 0.0).num_milliseconds(), 2_500);
        assert!(backoff(3, 1.0) > backoff(2, 1.0));
        assert_eq!(backoff(40, 1.0).num_seconds(), 30 * 60);
        assert!(backoff(40, 0.0).num_seconds() >= 15 * 60);
    }
}
