//! Enrollment codes a manager issued and no device has used yet: listed with their expiry, and
//! cancelled (the sealed keys go with the row) when a code was printed for the wrong person or
//! shown on a screen it should not have been.

use satchel_protocol::wire::{EnrollmentInfo, Role};
use sqlx::Row;

use super::{stored_role, Device, Hub, HubError};

/// Bytes of the token's hash that name a code in the list (16 hex digits).
const ID_BYTES: usize = 8;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Hub {
    /// The codes not yet used and not expired, soonest to expire first (managers only).
    pub async fn enrollments(&self, by: &Device, now: i64) -> Result<Vec<EnrollmentInfo>, HubError> {
        if by.role != Role::Manager {
            return Err(HubError::Forbidden("only managers list enrollment codes".into()));
        }
        self.purge_expired(now).await?;
        let rows = sqlx::query(self.q("SELECT token_hash, label, role, expires_at, created_by FROM enrollment ORDER BY expires_at, token_hash"))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|r| {
                let hash: Vec<u8> = r.get(0);
                let created_by: Option<Vec<u8>> = r.get(4);
                Ok(EnrollmentInfo {
                    id: hex(&hash[..ID_BYTES.min(hash.len())]),
                    label: r.get(1),
                    role: stored_role(r.get::<String, _>(2).as_str()),
                    expires_at: r.get(3),
                    created_by: created_by.map(super::uuid).transpose()?,
                })
            })
            .collect()
    }

    /// Cancels the code named `id` (as [`Hub::enrollments`] gives it): it can no longer be
    /// redeemed, and the keys sealed in it are deleted (managers only).
    pub async fn cancel_enrollment(&self, by: &Device, id: &str, now: i64) -> Result<(), HubError> {
        if by.role != Role::Manager {
            return Err(HubError::Forbidden("only managers cancel enrollment codes".into()));
        }
        self.purge_expired(now).await?;
        let hashes: Vec<Vec<u8>> = sqlx::query(self.q("SELECT token_hash FROM enrollment"))
            .fetch_all(&self.pool)
            .await?
            .into_iter()
            .map(|r| r.get(0))
            .collect();
        let Some(hash) = hashes.into_iter().find(|h| hex(&h[..ID_BYTES.min(h.len())]) == id) else {
            return Err(HubError::NotFound("no open enrollment code has this id (used, expired or cancelled)".into()));
        };
        sqlx::query(self.q("DELETE FROM enrollment WHERE token_hash = ?1")).bind(hash).execute(&self.pool).await?;
        Ok(())
    }
}
