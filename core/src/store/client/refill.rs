//! A manager gives a hub restored from a backup what it lost: the segments of other devices
//! this store pulled before the loss, sealed exactly as they came, each continuing its device's
//! stream from where the hub now stands (decision D50). The hub reads none of it, and every
//! segment keeps the device that sealed it.

use std::collections::HashMap;

use satchel_protocol::wire::{self, PushRequest, PushResponse};
use satchel_protocol::{SealedSegment, SegmentHeader, Stream, PROTOCOL_VERSION};
use uuid::Uuid;

use super::{refused, HubCalls, Transport};
use crate::error::{Error, Result};
use crate::settings::Role;
use crate::store::Store;
use crate::sync::SegmentLimits;

/// What a refill gave back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refilled {
    /// Segments and the records in them.
    pub segments: u64,
    pub records: u64,
    /// Devices whose streams were given something.
    pub devices: u64,
    /// Requests made.
    pub requests: u32,
}

impl Store {
    /// Manager: gives the hub every segment of another device that this store holds past where
    /// the hub's copy of that device's stream stands (none when the hub lost nothing). A device
    /// the hub no longer knows comes back on its list as revoked, to be enrolled again.
    pub fn refill_hub(&self, transport: &dyn Transport) -> Result<Refilled> {
        if self.role()? != Role::Manager {
            return Err(Error::NotPermitted("only a manager's store gives a hub back what it lost".into()));
        }
        let _turn = self.sync_turn.lock().unwrap_or_else(|p| p.into_inner());
        let heads: HashMap<(Uuid, Stream), u64> = self
            .list_devices(transport)?
            .into_iter()
            .flat_map(|d| d.acked.into_iter().map(move |a| ((d.device, a.stream), a.acked_seq)))
            .collect();
        let (program, me) = (self.program_id()?, self.device_id()?);
        let owed = self.read(|_, conn| owed_segments(conn, program, me, &heads))?;
        let mut s = HubCalls { transport, credential: Some(self.credential()?), requests: 0 };
        let mut done = Refilled::default();
        let mut devices = std::collections::HashSet::new();
        let limits = SegmentLimits::default();
        for batch in batches(&owed, limits.max_segments, limits.max_push_bytes) {
            let body = wire::to_cbor(&PushRequest { v: PROTOCOL_VERSION, segments: batch.to_vec() });
            let reply = s.call_raw("/v1/deposit", Some(body))?;
            if reply.status != 200 {
                return Err(refused(&reply));
            }
            let _: PushResponse = super::decode(&reply)?;
            for seg in batch {
                done.segments += 1;
                done.records += seg.header.len();
                devices.insert(seg.header.device);
            }
        }
        done.devices = devices.len() as u64;
        done.requests = s.requests + 1; // and the device list
        Ok(done)
    }
}

/// The kept segments that continue each other device's stream from `heads` (0 where the hub
/// holds nothing), in order, up to the first one missing here.
fn owed_segments(
    conn: &rusqlite::Connection,
    program: Uuid,
    me: Uuid,
    heads: &HashMap<(Uuid, Stream), u64>,
) -> Result<Vec<SealedSegment>> {
    let mut stmt = conn.prepare(&format!("SELECT {KEPT_COLUMNS} FROM received_segment ORDER BY device, stream, first_seq"))?;
    let rows = stmt.query_map([], |r| kept_segment(r, program))?;
    let mut out = Vec::new();
    let mut next: HashMap<(Uuid, Stream), u64> = HashMap::new();
    for row in rows {
        let Some((_, segment)) = row? else { continue };
        let h = segment.header;
        if h.device == me {
            continue;
        }
        let at = next.entry((h.device, h.stream)).or_insert_with(|| heads.get(&(h.device, h.stream)).copied().unwrap_or(0) + 1);
        if h.first_seq != *at {
            continue; // held by the hub already, or past a piece missing here
        }
        *at = h.last_seq + 1;
        out.push(segment);
    }
    Ok(out)
}

/// The columns [`kept_segment`] reads from `received_segment`, in its order.
pub(super) const KEPT_COLUMNS: &str = "id, device, stream, first_seq, last_seq, key_epoch, nonce, ciphertext";

/// A kept segment (a row of [`KEPT_COLUMNS`]) with its row id, as it came from the hub; `None`
/// for a row this build cannot read (an unknown stream, a malformed id or nonce).
pub(super) fn kept_segment(r: &rusqlite::Row, program: Uuid) -> rusqlite::Result<Option<(i64, SealedSegment)>> {
    let (device, stream, nonce): (Vec<u8>, String, Vec<u8>) = (r.get(1)?, r.get(2)?, r.get(6)?);
    let (Ok(device), Some(stream), Ok(nonce)) = (Uuid::from_slice(&device), Stream::parse(&stream), nonce.try_into()) else {
        return Ok(None);
    };
    let header = SegmentHeader {
        program,
        device,
        stream,
        first_seq: r.get::<_, i64>(3)? as u64,
        last_seq: r.get::<_, i64>(4)? as u64,
        key_epoch: r.get::<_, i64>(5)? as u32,
    };
    Ok(Some((r.get(0)?, SealedSegment { header, nonce, ciphertext: r.get(7)? })))
}

/// Requests of at most `max_segments` segments and about `max_bytes`, always at least one.
fn batches(segments: &[SealedSegment], max_segments: usize, max_bytes: usize) -> Vec<&[SealedSegment]> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < segments.len() {
        let mut end = start;
        let mut bytes = 0;
        while end < segments.len() && end - start < max_segments.max(1) && (end == start || bytes + segments[end].ciphertext.len() <= max_bytes) {
            bytes += segments[end].ciphertext.len() + 128;
            end += 1;
        }
        out.push(&segments[start..end]);
        start = end;
    }
    out
}
