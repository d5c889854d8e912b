//! The team key's epochs on the hub (D71): devices' public keys, the program's current epoch,
//! whether a revocation waits for a new one, and envelopes (a team key sealed to one device).
//! The hub opens none of them; it only keeps them and hands each device its own.

use satchel_protocol::wire::{DeliverKeys, KeyHolder, KeyState, Role, TeamKeys};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::{uuid, Device, Hub, HubError};

fn public_key(bytes: Option<Vec<u8>>) -> Result<Option<[u8; 32]>, HubError> {
    bytes.map(|b| b.try_into().map_err(|_| HubError::Damaged("malformed device key"))).transpose()
}

impl Hub {
    /// A device gives its public key, once: the same key again is accepted (an answer that was
    /// lost), another is refused, so that a stolen credential cannot redirect the device's
    /// future team keys after the device registered.
    pub async fn register_key(&self, by: &Device, public: &[u8; 32]) -> Result<(), HubError> {
        let mut tx = self.begin_write().await?;
        let held: Option<Vec<u8>> = sqlx::query(self.q("SELECT public_key FROM device WHERE id = ?1"))
            .bind(by.id.as_bytes().as_slice())
            .fetch_one(&mut *tx)
            .await?
            .get(0);
        match held {
            Some(k) if k == public => return Ok(()),
            Some(_) => return Err(HubError::Forbidden("this device already gave its key".into())),
            None => {}
        }
        sqlx::query(self.q("UPDATE device SET public_key = ?2 WHERE id = ?1"))
            .bind(by.id.as_bytes().as_slice())
            .bind(public.as_slice())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The program's current team-key epoch and whether a revocation waits for a new one.
    async fn epoch(&self, conn: &mut AnyConnection) -> Result<(u32, bool), HubError> {
        let row = sqlx::query(self.q("SELECT team_epoch, rotation_owed FROM program")).fetch_one(&mut *conn).await?;
        Ok((row.get::<i64, _>(0) as u32, row.get::<i64, _>(1) != 0))
    }

    /// The team key's state for `by`, as each pull page carries it.
    pub(super) async fn key_state(&self, conn: &mut AnyConnection, by: &Device) -> Result<KeyState, HubError> {
        let (epoch, owed) = self.epoch(conn).await?;
        let registered = sqlx::query(self.q("SELECT 1 FROM device WHERE id = ?1 AND public_key IS NOT NULL"))
            .bind(by.id.as_bytes().as_slice())
            .fetch_optional(&mut *conn)
            .await?
            .is_some();
        let mut manager_owed = false;
        if by.role == Role::Manager {
            manager_owed = owed
                || (epoch > 1
                    && sqlx::query(self.q(
                        "SELECT 1 FROM device d WHERE d.revoked = 0 AND d.public_key IS NOT NULL
                         AND NOT EXISTS (SELECT 1 FROM key_envelope e WHERE e.device = d.id AND e.epoch = ?1) LIMIT 1",
                    ))
                    .bind(epoch as i64)
                    .fetch_optional(&mut *conn)
                    .await?
                    .is_some());
        }
        Ok(KeyState { epoch, registered, manager_owed })
    }

    /// `by`'s envelopes and the key state; for a manager also every active device's public key
    /// and the epochs it holds envelopes for.
    pub async fn team_keys(&self, by: &Device) -> Result<TeamKeys, HubError> {
        let mut conn = self.pool.acquire().await?;
        let state = self.key_state(&mut conn, by).await?;
        let (_, owed) = self.epoch(&mut conn).await?;
        let rows = sqlx::query(self.q("SELECT epoch, sealed FROM key_envelope WHERE device = ?1 ORDER BY epoch"))
            .bind(by.id.as_bytes().as_slice())
            .fetch_all(&mut *conn)
            .await?;
        let envelopes = rows
            .into_iter()
            .map(|r| satchel_protocol::wire::KeyEnvelope { device: by.id, epoch: r.get::<i64, _>(0) as u32, sealed: r.get(1) })
            .collect();
        let mut holders = Vec::new();
        if by.role == Role::Manager {
            let devices = sqlx::query(self.q("SELECT id, public_key FROM device WHERE revoked = 0 ORDER BY created_at, id"))
                .fetch_all(&mut *conn)
                .await?;
            for d in devices {
                let device = uuid(d.get(0))?;
                let epochs = sqlx::query(self.q("SELECT epoch FROM key_envelope WHERE device = ?1 ORDER BY epoch"))
                    .bind(device.as_bytes().as_slice())
                    .fetch_all(&mut *conn)
                    .await?
                    .into_iter()
                    .map(|r| r.get::<i64, _>(0) as u32)
                    .collect();
                holders.push(KeyHolder { device, public: public_key(d.get(1))?, epochs });
            }
        }
        Ok(TeamKeys { state, envelopes, holders, rotation_owed: owed && by.role == Role::Manager })
    }

    /// A manager delivers envelopes (see [`DeliverKeys`]). A rotation must name the next epoch
    /// (another manager's rotation that came first is a conflict: that one stands); it clears
    /// the revocations waiting for it. Envelopes to revoked or unknown devices are dropped, in
    /// the same transaction that checks it, so a device revoked meanwhile gets nothing.
    pub async fn deliver_keys(&self, by: &Device, req: &DeliverKeys) -> Result<(), HubError> {
        if by.role != Role::Manager {
            return Err(HubError::Forbidden("only managers deliver team keys".into()));
        }
        let mut tx = self.begin_write().await?;
        let (epoch, _) = self.epoch(&mut tx).await?;
        if req.rotate {
            if req.epoch != epoch + 1 {
                return Err(HubError::Conflict(format!("the program's team key is at epoch {epoch}")));
            }
            sqlx::query(self.q("UPDATE program SET team_epoch = ?1, rotation_owed = 0"))
                .bind(req.epoch as i64)
                .execute(&mut *tx)
                .await?;
        } else if req.epoch > epoch {
            return Err(HubError::BadRequest(format!("the program's team key is at epoch {epoch}")));
        }
        for e in &req.envelopes {
            sqlx::query(self.q(
                "INSERT INTO key_envelope (device, epoch, sealed)
                 SELECT id, ?2, ?3 FROM device WHERE id = ?1 AND revoked = 0
                 ON CONFLICT (device, epoch) DO NOTHING",
            ))
            .bind(e.device.as_bytes().as_slice())
            .bind(req.epoch as i64)
            .bind(&e.sealed)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether `by` pushes stock or settings under a replaced team key while its new one waits
    /// for it (it must fetch it and seal again).
    pub(super) async fn stale_key(&self, tx: &mut AnyConnection, by: Uuid, epochs: impl Iterator<Item = u32>) -> Result<bool, HubError> {
        let (epoch, _) = self.epoch(tx).await?;
        let oldest = epochs.min().unwrap_or(epoch);
        if oldest >= epoch {
            return Ok(false);
        }
        Ok(sqlx::query(self.q("SELECT 1 FROM key_envelope WHERE device = ?1 AND epoch = ?2"))
            .bind(by.as_bytes().as_slice())
            .bind(epoch as i64)
            .fetch_optional(&mut *tx)
            .await?
            .is_some())
    }
}
