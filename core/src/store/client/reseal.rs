//! A program from before the reporting key (D67) has encounter segments on the hub sealed under
//! the team key of their time, which every phone enrolled then holds: with one such phone and
//! the hub's data, every encounter of that time opened. A manager's sync re-seals them to the
//! reporting key from the copies it keeps (D50) and the hub replaces them in place (D72); its
//! own copies follow, so a later refill gives back the re-sealed form.

use satchel_protocol::wire::{self, PushRequest};
use satchel_protocol::{SealedSegment, MANAGERS_ONLY, PROTOCOL_VERSION};
use uuid::Uuid;

use super::refill::{kept_segment, KEPT_COLUMNS};
use super::{refused, HubCalls};
use crate::error::Result;
use crate::settings::Role;
use crate::store::Store;
use crate::sync::SegmentLimits;

/// Kept segments re-sealed per round (a round's segments are in memory at once).
const ROUND: usize = 32;

impl Store {
    /// Manager: re-seals the kept encounter segments still under a team key and gives them to
    /// the hub. Returns how many the hub took. A hub that has no such endpoint (older) is left
    /// alone. A segment that does not open here, or would not open for the managers once
    /// re-sealed, is left as it is: nothing is replaced with what might not read back.
    pub(super) fn reseal_legacy(&self, s: &mut HubCalls) -> Result<u64> {
        if self.role()? != Role::Manager {
            return Ok(0);
        }
        let keys = self.program_keys()?;
        let (Some(public), Some(private)) = (self.reporting_public_key()?, keys.reporting_private.as_ref()) else {
            return Ok(0);
        };
        let program = self.program_id()?;
        let limits = SegmentLimits::default();
        let mut after = 0i64;
        let mut done = 0;
        loop {
            let kept = self.read(|_, conn| legacy_segments(conn, program, after))?;
            let Some((last, _)) = kept.last() else { return Ok(done) };
            after = *last;
            let mut resealed: Vec<(i64, SealedSegment)> = Vec::new();
            for (id, segment) in kept {
                let Some(key) = keys.team_key(segment.header.key_epoch) else { continue };
                let Ok(records) = satchel_protocol::open(key, &segment) else { continue };
                let Ok(sealed) = satchel_protocol::seal_to_managers(&public, segment.header, &records) else { continue };
                if satchel_protocol::open_as_manager(private, &sealed).ok().as_ref() != Some(&records) {
                    continue;
                }
                resealed.push((id, sealed));
            }
            let mut start = 0;
            while start < resealed.len() {
                let mut end = start;
                let mut bytes = 0;
                while end < resealed.len() && (end == start || bytes + resealed[end].1.ciphertext.len() + 128 <= limits.max_push_bytes) {
                    bytes += resealed[end].1.ciphertext.len() + 128;
                    end += 1;
                }
                let batch = &resealed[start..end];
                let segments = batch.iter().map(|(_, s)| s.clone()).collect();
                let reply = s.call_raw("/v1/reseal", Some(wire::to_cbor(&PushRequest { v: PROTOCOL_VERSION, segments })))?;
                match reply.status {
                    200 | 204 => {}
                    404 | 405 => return Ok(done),
                    _ => return Err(refused(&reply)),
                }
                self.write(|_, tx| {
                    for (id, sealed) in batch {
                        tx.execute(
                            "UPDATE received_segment SET nonce = ?1, ciphertext = ?2 WHERE id = ?3",
                            rusqlite::params![&sealed.nonce[..], &sealed.ciphertext, id],
                        )?;
                    }
                    Ok(())
                })?;
                done += batch.len() as u64;
                start = end;
            }
        }
    }
}

/// Up to [`ROUND`] kept encounter segments still under a team key, after row `after`.
fn legacy_segments(conn: &rusqlite::Connection, program: Uuid, after: i64) -> Result<Vec<(i64, SealedSegment)>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {KEPT_COLUMNS} FROM received_segment
         WHERE stream = 'encounters' AND id > ?1 AND nonce <> ?2 ORDER BY id LIMIT ?3"
    ))?;
    let rows = stmt.query_map(rusqlite::params![after, &MANAGERS_ONLY[..], ROUND as i64], |r| kept_segment(r, program))?;
    let mut out = Vec::new();
    for row in rows {
        out.extend(row?);
    }
    Ok(out)
}
