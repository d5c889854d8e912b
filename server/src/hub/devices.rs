//! Device credentials: authenticated on every request, revoked or relabelled by a manager, and
//! the bootstrap credential issued again.

use satchel_protocol::wire::Role;
use sqlx::Row;
use uuid::Uuid;

use super::{hash, stored_role, uuid, Device, Hub, HubError, LAST_SEEN_RESOLUTION_SECONDS};

impl Hub {
    /// The device a credential belongs to; a revoked or unknown one is refused at once.
    pub async fn authenticate(&self, credential: &str, now: i64) -> Result<Device, HubError> {
        // The lookup is by SHA-256 of the credential, so timing says nothing about the secret.
        // A read: unknown credentials never write.
        let row = sqlx::query(self.q("SELECT id, role, last_seen FROM device WHERE credential_hash = ?1 AND revoked = 0"))
            .bind(hash(credential))
            .fetch_optional(&self.pool)
            .await?
            .ok_or(HubError::Unauthorized)?;
        let device = Device { id: uuid(row.get(0))?, role: stored_role(row.get::<String, _>(1).as_str()) };
        // "Last seen" to the minute is enough for the manager's list; it saves a write per request.
        let last_seen: Option<i64> = row.get(2);
        if last_seen.is_none_or(|t| now - t >= LAST_SEEN_RESOLUTION_SECONDS || now < t) {
            sqlx::query(self.q("UPDATE device SET last_seen = ?2 WHERE id = ?1"))
                .bind(device.id.as_bytes().as_slice())
                .bind(now)
                .execute(&self.pool)
                .await?;
        }
        Ok(device)
    }

    /// A new one-time token for the program's first manager, replacing any earlier one, for
    /// when the first one was lost (its redemption's answer never arrived). Refused once any
    /// segment is stored: a manager set up now would make new program keys, and the data
    /// already sealed under the first ones would not open for it.
    pub async fn reissue_bootstrap(&self, now: i64) -> Result<String, HubError> {
        let mut tx = self.begin_write().await?;
        let segments: i64 = sqlx::query(self.q("SELECT count(*) FROM segment")).fetch_one(&mut *tx).await?.get(0);
        if segments > 0 {
            return Err(HubError::BadRequest(
                "the program already holds data; enroll a new manager from an existing manager's device".into(),
            ));
        }
        sqlx::query(self.q("DELETE FROM enrollment WHERE created_by IS NULL")).execute(&mut *tx).await?;
        let token = self.insert_bootstrap(&mut tx, now).await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Revokes a device; its credential stops working at once.
    pub async fn revoke(&self, by: &Device, device: Uuid) -> Result<(), HubError> {
        if by.role != Role::Manager {
            return Err(HubError::Forbidden("only managers revoke devices".into()));
        }
        let mut tx = self.begin_write().await?;
        let was = sqlx::query(self.q("SELECT revoked, role FROM device WHERE id = ?1"))
            .bind(device.as_bytes().as_slice())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| HubError::NotFound("this program has no such device".into()))?;
        let active = was.get::<i64, _>(0) == 0;
        if active && stored_role(was.get::<String, _>(1).as_str()) == Role::Manager {
            // The program's last manager device: without it no one could enroll, revoke, pull or
            // report, and a program that holds data cannot be set up again.
            let others: i64 = sqlx::query(self.q("SELECT count(*) FROM device WHERE role = 'manager' AND revoked = 0 AND id <> ?1"))
                .bind(device.as_bytes().as_slice())
                .fetch_one(&mut *tx)
                .await?
                .get(0);
            if others == 0 {
                return Err(HubError::Forbidden(
                    "this is the program's last manager device; enroll another manager first \
                     (`satchel device enroll --role manager`), then revoke this one"
                        .into(),
                ));
            }
        }
        if active {
            sqlx::query(self.q("UPDATE device SET revoked = 1 WHERE id = ?1")).bind(device.as_bytes().as_slice()).execute(&mut *tx).await?;
            // The team key it holds must be replaced: the next manager to sync makes a new one.
            sqlx::query(self.q("UPDATE program SET rotation_owed = 1")).execute(&mut *tx).await?;
        }
        // A revoked manager's open enrollments (and the sealed keys in them) go with it.
        sqlx::query(self.q("DELETE FROM enrollment WHERE created_by = ?1"))
            .bind(device.as_bytes().as_slice())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A manager replaces a device's label (to seal one left in clear, D73).
    pub async fn relabel(&self, by: &Device, device: Uuid, label: &str) -> Result<(), HubError> {
        if by.role != Role::Manager {
            return Err(HubError::Forbidden("only managers label devices".into()));
        }
        satchel_protocol::label::check_label(label).map_err(|e| HubError::BadRequest(e.to_string()))?;
        let n = sqlx::query(self.q("UPDATE device SET label = ?2 WHERE id = ?1"))
            .bind(device.as_bytes().as_slice())
            .bind(label)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(HubError::NotFound("this program has no such device".into()));
        }
        Ok(())
    }
}
