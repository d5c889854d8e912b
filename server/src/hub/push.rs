//! Pushes: segments stored idempotently per device and stream, a gap refused, and the
//! acknowledgements a device is told.

use satchel_protocol::wire::{Role, StreamAck};
use satchel_protocol::{SealedSegment, SegmentHeader, Stream};
use sqlx::{Any, AnyConnection, Row, Transaction};
use uuid::Uuid;

use super::{hash, random_secret, Device, Hub, HubError};

impl Hub {
    pub(super) async fn acks(&self, conn: &mut AnyConnection, device: Uuid) -> Result<Vec<StreamAck>, HubError> {
        let rows = sqlx::query(self.q("SELECT stream, acked_seq FROM stream_head WHERE device = ?1 ORDER BY stream"))
            .bind(device.as_bytes().as_slice())
            .fetch_all(&mut *conn)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                Stream::parse(r.get::<String, _>(0).as_str()).map(|stream| StreamAck { stream, acked_seq: r.get::<i64, _>(1) as u64 })
            })
            .collect())
    }

    /// Stores a device's segments in one transaction. A segment already held is acknowledged
    /// and not stored again; one that does not continue its stream refuses the whole request
    /// with the expected sequence number. Returns the device's acknowledgements.
    pub async fn push(&self, by: &Device, segments: &[SealedSegment], now: i64) -> Result<Vec<StreamAck>, HubError> {
        for h in segments.iter().map(|s| &s.header) {
            if h.device != by.id {
                return Err(HubError::Forbidden("a segment under another device's id".into()));
            }
            if h.stream == Stream::Settings && by.role != Role::Manager {
                return Err(HubError::Forbidden("only managers push settings".into()));
            }
        }
        // Read before the write transaction: it must not wait for a second connection.
        let program = self.program().await?;
        let mut tx = self.begin_write().await?;
        let team_sealed = segments.iter().filter(|s| s.header.stream != Stream::Encounters).map(|s| s.header.key_epoch);
        if self.stale_key(&mut tx, by.id, team_sealed).await? {
            return Err(HubError::StaleKey);
        }
        self.store_segments(&mut tx, program, segments, now).await?;
        let acks = self.acks(&mut tx, by.id).await?;
        tx.commit().await?;
        Ok(acks)
    }

    /// A manager gives back segments of any device of the program that the hub lost (restored
    /// from a backup), exactly as they were sealed and pulled: each must continue its device's
    /// stream, as a push must. A device the hub no longer knows (enrolled after the backup) is
    /// listed again as revoked, so that its records are served and it enrolls anew. The hub
    /// reads no record; the segments keep the device they were sealed by.
    pub async fn deposit(&self, by: &Device, segments: &[SealedSegment], now: i64) -> Result<(), HubError> {
        if by.role != Role::Manager {
            return Err(HubError::Forbidden("only managers give back what a hub lost".into()));
        }
        let program = self.program().await?;
        let mut tx = self.begin_write().await?;
        for h in segments.iter().map(|s| &s.header) {
            sqlx::query(self.q(
                "INSERT INTO device (id, label, role, credential_hash, created_at, revoked)
                 VALUES (?1, 'Known from a manager''s copy; enroll again', 'outreach', ?2, ?3, 1)
                 ON CONFLICT (id) DO NOTHING",
            ))
            .bind(h.device.as_bytes().as_slice())
            .bind(hash(&random_secret()))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        self.store_segments(&mut tx, program, segments, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores segments that continue their devices' streams (the checks of who may send them
    /// are the caller's). A segment already held is skipped; one that does not continue its
    /// stream is a gap, answered with where the stream stood before this request (a refusal
    /// rolls everything back).
    pub(super) async fn store_segments(
        &self,
        tx: &mut Transaction<'static, Any>,
        program: Uuid,
        segments: &[SealedSegment],
        now: i64,
    ) -> Result<(), HubError> {
        let mut held_before: Vec<((Uuid, Stream), u64)> = Vec::new();
        for s in segments {
            let h: &SegmentHeader = &s.header;
            h.check().map_err(|e| HubError::BadRequest(e.to_string()))?;
            if h.program != program {
                return Err(HubError::BadRequest("a segment of another program".into()));
            }
            let head: i64 = sqlx::query(self.q("SELECT acked_seq FROM stream_head WHERE device = ?1 AND stream = ?2"))
                .bind(h.device.as_bytes().as_slice())
                .bind(h.stream.as_str())
                .fetch_optional(&mut **tx)
                .await?
                .map(|r| r.get(0))
                .unwrap_or(0);
            let head = head as u64;
            let key = (h.device, h.stream);
            if !held_before.iter().any(|(k, _)| *k == key) {
                held_before.push((key, head));
            }
            if h.last_seq <= head {
                continue;
            }
            if h.first_seq != head + 1 {
                let before = held_before.iter().find(|(k, _)| *k == key).map_or(head, |(_, b)| *b);
                return Err(HubError::Gap { stream: h.stream, expected: before + 1 });
            }
            sqlx::query(
                self.q("INSERT INTO segment (device, stream, first_seq, last_seq, key_epoch, nonce, ciphertext, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
            )
            .bind(h.device.as_bytes().as_slice())
            .bind(h.stream.as_str())
            .bind(h.first_seq as i64)
            .bind(h.last_seq as i64)
            .bind(h.key_epoch as i64)
            .bind(s.nonce.as_slice())
            .bind(&s.ciphertext)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            sqlx::query(
                self.q("INSERT INTO stream_head (device, stream, acked_seq) VALUES (?1, ?2, ?3)
                 ON CONFLICT (device, stream) DO UPDATE SET acked_seq = excluded.acked_seq"),
            )
            .bind(h.device.as_bytes().as_slice())
            .bind(h.stream.as_str())
            .bind(h.last_seq as i64)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}
