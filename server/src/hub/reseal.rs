//! Encounter segments of a program from before the reporting key (D67) are sealed under the
//! team key of their time, which every phone enrolled then holds. A manager re-seals them to the
//! managers' reporting key from the copies it keeps, and the hub replaces them in place (D72).

use satchel_protocol::wire::Role;
use satchel_protocol::{SealedSegment, Stream, MANAGERS_ONLY};

use super::{Device, Hub, HubError};

impl Hub {
    /// Replaces encounter segments still sealed under a team key with the same segments sealed
    /// to the managers: each must be an encounter segment sealed to the managers, and replaces
    /// only a held segment of the same device, range and key epoch that is not. Whatever else
    /// is sent changes nothing. Returns how many were replaced.
    pub async fn reseal(&self, by: &Device, segments: &[SealedSegment]) -> Result<u64, HubError> {
        if by.role != Role::Manager {
            return Err(HubError::Forbidden("only managers re-seal encounters".into()));
        }
        let program = self.program().await?;
        for s in segments {
            s.header.check().map_err(|e| HubError::BadRequest(e.to_string()))?;
            if s.header.program != program {
                return Err(HubError::BadRequest("a segment of another program".into()));
            }
            if s.header.stream != Stream::Encounters || !s.is_for_managers() {
                return Err(HubError::BadRequest("only encounter segments sealed to the managers replace others".into()));
            }
        }
        let mut tx = self.begin_write().await?;
        let mut replaced = 0;
        for s in segments {
            let h = &s.header;
            replaced += sqlx::query(self.q(
                "UPDATE segment SET nonce = ?1, ciphertext = ?2
                 WHERE device = ?3 AND stream = 'encounters' AND first_seq = ?4 AND last_seq = ?5 AND key_epoch = ?6
                 AND nonce <> ?1",
            ))
            .bind(MANAGERS_ONLY.as_slice())
            .bind(&s.ciphertext)
            .bind(h.device.as_bytes().as_slice())
            .bind(h.first_seq as i64)
            .bind(h.last_seq as i64)
            .bind(h.key_epoch as i64)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(replaced)
    }
}
