//! Records that leave the device, and the outbox that holds them until the server acknowledges
//! them. Each record is written to the outbox in the same transaction as the record itself, with
//! the next sequence number of its stream, so a record is never saved without being queued.
//!
//! An acknowledged record stays, marked so, until retention purges its encounter or it is older
//! than the retention period: a hub restored from a backup that lacks it is sent it again under
//! its sequence number ([`rewind`], decision D50).

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::encounter::EncounterRecord;
use crate::error::{Error, Result};
use crate::stock::MovementRecord;
use crate::disposal::DisposalRecord;
use crate::profile::ProfileRecord;

/// The newest record format this version writes and reads. Newer fields are ignored by older
/// readers; a newer format number is refused (the pull stops until the app is updated, and
/// nothing is lost). Format 2 adds returned sharps by container and suggested services to
/// encounters; a record is
/// written in the oldest format that holds it ([`Record::format`]), so an encounter without
/// containers stays readable by apps that know only format 1. Format 3 adds the participant
/// profile (D89), a record of its own in the encounters stream, and services delivered and
/// naloxone kits' reasons to encounters (D90). Format 4 adds syringes sent for disposal
/// (D91), a record of its own in the encounters stream.
pub const RECORD_VERSION: u32 = 4;

/// The per-device streams records are grouped into (shared with the sync protocol).
pub use satchel_protocol::Stream;

/// A setting as it travels between devices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingRecord {
    pub id: Uuid,
    pub key: String,
    pub value: serde_json::Value,
    /// Hybrid logical clock stamp of the write.
    pub hlc: u64,
    pub device: Uuid,
}

/// Anything one device sends to others.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
// Most records are encounters: boxing the largest variant would allocate for the common case.
#[allow(clippy::large_enum_variant)]
pub enum Record {
    Encounter(EncounterRecord),
    Movement(MovementRecord),
    Setting(SettingRecord),
    /// A participant's profile answers (D89), sealed with the encounters.
    Profile(ProfileRecord),
    /// Syringes sent for disposal, or the void of such an entry (D91), sealed with the
    /// encounters.
    Disposal(DisposalRecord),
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    v: u32,
    #[serde(flatten)]
    record: Record,
}

impl Record {
    pub fn id(&self) -> Uuid {
        match self {
            Record::Encounter(e) => e.id,
            Record::Movement(m) => m.id,
            Record::Setting(s) => s.id,
            Record::Profile(p) => p.id,
            Record::Disposal(d) => d.id,
        }
    }
    pub fn stream(&self) -> Stream {
        match self {
            Record::Encounter(_) | Record::Profile(_) | Record::Disposal(_) => Stream::Encounters,
            Record::Movement(_) => Stream::Inventory,
            Record::Setting(_) => Stream::Settings,
        }
    }
    /// The oldest record format that holds this record: 4 for a disposal, 3 for a profile or an encounter with
    /// services delivered or a naloxone kit's reason (D90), 2 for an encounter
    /// with sharps containers or suggested services (an older reader would drop them and
    /// undercount), else 1.
    pub fn format(&self) -> u32 {
        match self {
            Record::Disposal(_) => 4,
            Record::Profile(_) => 3,
            Record::Encounter(e) if !e.services_delivered.is_empty() || e.naloxone_kit.is_some() => 3,
            Record::Encounter(e) if !e.sharps_containers.is_empty() || !e.suggested_services.is_empty() => 2,
            _ => 1,
        }
    }
    /// The self-describing encoding kept in the outbox and shipped by sync.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(&Envelope { v: self.format(), record: self.clone() }).expect("records serialize")
    }
    pub fn decode(bytes: &[u8]) -> Result<Record> {
        #[derive(Deserialize)]
        struct Version {
            v: u32,
        }
        let version: Version =
            serde_json::from_slice(bytes).map_err(|_| Error::BadRecord("not a Satchel record".into()))?;
        if version.v == 0 || version.v > RECORD_VERSION {
            return Err(Error::NewerRecord { found: version.v, known: RECORD_VERSION });
        }
        let env: Envelope =
            serde_json::from_slice(bytes).map_err(|_| Error::BadRecord("malformed record".into()))?;
        Ok(env.record)
    }
}

/// Queues a record in its stream's next sequence number. Call inside the record's transaction.
pub fn enqueue(conn: &Connection, record: &Record, now: i64) -> Result<u64> {
    let stream = record.stream().as_str();
    let seq: i64 = conn.query_row(
        "UPDATE sync_stream SET next_seq = next_seq + 1 WHERE stream = ?1 RETURNING next_seq - 1",
        [stream],
        |r| r.get(0),
    )?;
    let subject = match record {
        Record::Encounter(e) => Some(e.encounter_id.as_bytes().to_vec()),
        _ => None,
    };
    conn.prepare_cached(
        "INSERT INTO outbox (stream, seq, record_id, payload, created_at, subject) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![stream, seq, record.id().as_bytes().as_slice(), record.encode(), now, subject])?;
    Ok(seq as u64)
}

/// One queued record.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxEntry {
    pub stream: Stream,
    pub seq: u64,
    pub record_id: Uuid,
    pub payload: Vec<u8>,
}

/// The oldest queued records of a stream (not yet acknowledged), at most `limit`.
pub fn pending(conn: &Connection, stream: Stream, limit: u32) -> Result<Vec<OutboxEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, record_id, payload FROM outbox WHERE stream = ?1 AND acked = 0 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![stream.as_str(), limit], |r| {
        Ok(OutboxEntry {
            stream,
            seq: r.get::<_, i64>(0)? as u64,
            record_id: Uuid::from_slice(&r.get::<_, Vec<u8>>(1)?).unwrap_or_default(),
            payload: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Where a stream stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamStatus {
    pub stream: Stream,
    /// Records waiting for the server.
    pub pending: u64,
    /// The highest sequence number the server acknowledged.
    pub acked_seq: u64,
    /// The sequence number the next record will get.
    pub next_seq: u64,
}

pub fn status(conn: &Connection) -> Result<Vec<StreamStatus>> {
    let mut out = Vec::new();
    for stream in Stream::ALL {
        let (next_seq, acked_seq): (i64, i64) = conn.query_row(
            "SELECT next_seq, acked_seq FROM sync_stream WHERE stream = ?1",
            [stream.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let pending: i64 = conn.query_row(
            "SELECT count(*) FROM outbox WHERE stream = ?1 AND acked = 0",
            [stream.as_str()],
            |r| r.get(0),
        )?;
        out.push(StreamStatus {
            stream,
            pending: pending as u64,
            acked_seq: acked_seq as u64,
            next_seq: next_seq as u64,
        });
    }
    Ok(out)
}

/// Records the server's acknowledgement of everything up to `upto_seq` in `stream`: marks those
/// records sent, and their encounters so retention can purge them. Acknowledgements never go
/// backwards (a hub that lost some is [`rewind`]'s case); one beyond what was sent is refused.
pub fn acknowledge(conn: &Connection, stream: Stream, upto_seq: u64) -> Result<()> {
    let (next_seq, acked_seq): (i64, i64) = conn.query_row(
        "SELECT next_seq, acked_seq FROM sync_stream WHERE stream = ?1",
        [stream.as_str()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let upto = upto_seq as i64;
    if upto >= next_seq {
        return Err(Error::BadRecord(format!(
            "acknowledgement of {} seq {upto} is beyond the last one sent ({})",
            stream.as_str(),
            next_seq - 1
        )));
    }
    if upto <= acked_seq {
        return Ok(());
    }
    if stream == Stream::Encounters {
        for table in ["encounter", "participant_profile"] {
            let id = if table == "encounter" { "version_id" } else { "record_id" };
            conn.execute(
                &format!(
                    "UPDATE {table} SET acked = 1 WHERE {id} IN
                       (SELECT record_id FROM outbox WHERE stream = 'encounters' AND acked = 0 AND seq <= ?1)"
                ),
                [upto],
            )?;
        }
    }
    conn.execute("UPDATE outbox SET acked = 1 WHERE stream = ?1 AND acked = 0 AND seq <= ?2", params![stream.as_str(), upto])?;
    conn.execute("UPDATE sync_stream SET acked_seq = ?2 WHERE stream = ?1", params![stream.as_str(), upto])?;
    Ok(())
}

/// The hub holds `stream` only up to `held` although it acknowledged more (it was restored from
/// a backup): if this device still holds every record after `held` that the hub acknowledged,
/// they are queued again under their sequence numbers, their encounters kept from purging until
/// acknowledged again, and the number queued again is returned. `None` when some are gone
/// (purged by retention): the hub cannot be filled from here, and nothing changes.
pub fn rewind(conn: &Connection, stream: Stream, held: u64) -> Result<Option<u64>> {
    let acked_seq: i64 =
        conn.query_row("SELECT acked_seq FROM sync_stream WHERE stream = ?1", [stream.as_str()], |r| r.get(0))?;
    let held = held as i64;
    if held >= acked_seq {
        return Ok(Some(0));
    }
    let kept: i64 = conn.query_row(
        "SELECT count(*) FROM outbox WHERE stream = ?1 AND acked = 1 AND seq > ?2 AND seq <= ?3",
        params![stream.as_str(), held, acked_seq],
        |r| r.get(0),
    )?;
    if kept != acked_seq - held {
        return Ok(None);
    }
    if stream == Stream::Encounters {
        for table in ["encounter", "participant_profile"] {
            let id = if table == "encounter" { "version_id" } else { "record_id" };
            conn.execute(
                &format!(
                    "UPDATE {table} SET acked = 0 WHERE {id} IN
                       (SELECT record_id FROM outbox WHERE stream = 'encounters' AND seq > ?1)"
                ),
                [held],
            )?;
        }
    }
    conn.execute("UPDATE outbox SET acked = 0 WHERE stream = ?1 AND seq > ?2", params![stream.as_str(), held])?;
    conn.execute("UPDATE sync_stream SET acked_seq = ?2 WHERE stream = ?1", params![stream.as_str(), held])?;
    Ok(Some((acked_seq - held) as u64))
}

/// Drops acknowledged records queued before `cutoff` (Unix seconds), and every version's record
/// of the encounters retention is about to purge (acknowledged, occurred before `cutoff`).
pub fn trim(conn: &Connection, cutoff: i64) -> Result<u64> {
    let n = conn.execute(
        "DELETE FROM outbox WHERE acked = 1 AND (created_at < ?1 OR subject IN
           (SELECT encounter_id FROM encounter WHERE acked = 1 AND occurred_at < ?1))",
        [cutoff],
    )?;
    Ok(n as u64)
}

/// The sequence number a record was queued under, if it is still queued.
pub fn seq_of(conn: &Connection, record_id: Uuid) -> Result<Option<u64>> {
    Ok(conn
        .query_row("SELECT seq FROM outbox WHERE record_id = ?1 AND acked = 0", [record_id.as_bytes().as_slice()], |r| {
            r.get::<_, i64>(0)
        })
        .optional()?
        .map(|s| s as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_refuses_unknown_versions_and_garbage() {
        let rec = Record::Setting(SettingRecord {
            id: Uuid::now_v7(),
            key: "zone/a".into(),
            value: serde_json::json!({"id": "a", "label": "A", "position": 0, "active": true}),
            hlc: 5,
            device: Uuid::now_v7(),
        });
        let bytes = rec.encode();
        assert_eq!(Record::decode(&bytes).unwrap(), rec);
        assert!(bytes.starts_with(b"{\"v\":1,"), "a setting is written in format 1");
        let newer = String::from_utf8(bytes.clone()).unwrap().replacen("\"v\":1", "\"v\":5", 1);
        assert!(matches!(Record::decode(newer.as_bytes()), Err(Error::NewerRecord { found: 5, known: 4 })));
        assert!(Record::decode(b"\x00garbage").is_err());
        assert!(Record::decode(&bytes[..bytes.len() / 2]).is_err());
        // An added field from a newer writer is ignored.
        let extended = String::from_utf8(bytes).unwrap().replacen("{", "{\"later_field\":7,", 1);
        assert_eq!(Record::decode(extended.as_bytes()).unwrap(), rec);
    }
}
