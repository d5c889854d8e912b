//! Pulls: segments by a commit-ordered cursor, filtered by the device's role, in pages.

use satchel_protocol::wire::{PullResponse, PulledSegment, Role, StreamAck};
use satchel_protocol::{SealedSegment, SegmentHeader, Stream};
use sqlx::Row;

use super::{uuid, Device, Hub, HubError, MAX_PAGE_BYTES};

impl Hub {
    /// A page of segments after `cursor`: outreach devices get `inventory` and `settings`,
    /// managers everything.
    pub async fn pull(&self, by: &Device, cursor: u64, limit: u32) -> Result<PullResponse, HubError> {
        self.pull_streams(by, cursor, limit, &[]).await
    }

    /// [`Hub::pull`] of some streams only (empty: all the role may read). A stream the role may
    /// not read is refused. A page holds at most `limit` segments and about
    /// [`MAX_PAGE_BYTES`] of them (always at least one).
    pub async fn pull_streams(&self, by: &Device, cursor: u64, limit: u32, streams: &[Stream]) -> Result<PullResponse, HubError> {
        if by.role != Role::Manager && streams.contains(&Stream::Encounters) {
            return Err(HubError::Forbidden("encounters go only to managers' devices".into()));
        }
        let want = |s: Stream| if streams.is_empty() { by.role == Role::Manager || s != Stream::Encounters } else { streams.contains(&s) };
        let program = self.program().await?;
        let rows = sqlx::query(
            self.q("SELECT cursor, device, stream, first_seq, last_seq, key_epoch, nonce, ciphertext FROM segment
             WHERE cursor > ?1 AND ((?2 AND stream = 'encounters') OR (?3 AND stream = 'inventory') OR (?4 AND stream = 'settings'))
             ORDER BY cursor LIMIT ?5"),
        )
        .bind(cursor as i64)
        .bind(want(Stream::Encounters))
        .bind(want(Stream::Inventory))
        .bind(want(Stream::Settings))
        .bind(limit as i64 + 1)
        .fetch_all(&self.pool)
        .await?;
        let total = rows.len();
        let mut bytes = 0usize;
        let rows: Vec<_> = rows
            .into_iter()
            .take(limit as usize)
            .take_while(|r| {
                let first = bytes == 0;
                bytes += r.get::<Vec<u8>, _>(7).len();
                first || bytes <= MAX_PAGE_BYTES
            })
            .collect();
        let more = total > rows.len();
        let mut segments = Vec::new();
        for r in rows {
            let nonce: Vec<u8> = r.get(6);
            segments.push(PulledSegment {
                cursor: r.get::<i64, _>(0) as u64,
                segment: SealedSegment {
                    header: SegmentHeader {
                        program,
                        device: uuid(r.get(1))?,
                        stream: Stream::parse(r.get::<String, _>(2).as_str())
                            .ok_or(HubError::Damaged("unknown stream"))?,
                        first_seq: r.get::<i64, _>(3) as u64,
                        last_seq: r.get::<i64, _>(4) as u64,
                        key_epoch: r.get::<i64, _>(5) as u32,
                    },
                    nonce: nonce.try_into().map_err(|_| HubError::Damaged("malformed nonce"))?,
                    ciphertext: r.get(7),
                },
            });
        }
        let mut conn = self.pool.acquire().await?;
        let held = self.acks(&mut conn, by.id).await?;
        let acks = Stream::ALL
            .iter()
            .map(|&stream| StreamAck { stream, acked_seq: held.iter().find(|a| a.stream == stream).map_or(0, |a| a.acked_seq) })
            .collect();
        let keys = Some(self.key_state(&mut conn, by).await?);
        Ok(PullResponse { next_cursor: segments.last().map(|s| s.cursor).unwrap_or(cursor), more, segments, acks, keys })
    }
}
