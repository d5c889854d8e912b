//! A program's start (its bootstrap credential) and enrollment: one-time codes a manager
//! issues, redeemed once for a device credential and the sealed keys.

use satchel_protocol::wire::{Redeemed, Role, SealedKeys};
use sqlx::{Any, Row, Transaction};
use uuid::Uuid;

use super::{hash, random_secret, stored_role, uuid, Device, Hub, HubError, ENROLLMENT_TTL_SECONDS};

impl Hub {
    /// Creates the program and a one-time token for its first manager. Refused if the hub
    /// already has a program.
    pub async fn init_program(&self, now: i64) -> Result<(Uuid, String), HubError> {
        let mut tx = self.begin_write().await?;
        let existing: i64 = sqlx::query(self.q("SELECT count(*) FROM program")).fetch_one(&mut *tx).await?.get(0);
        if existing > 0 {
            return Err(HubError::BadRequest("this hub already has a program".into()));
        }
        let program = Uuid::now_v7();
        sqlx::query(self.q("INSERT INTO program (id, created_at) VALUES (?1, ?2)"))
            .bind(program.as_bytes().as_slice())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let token = self.insert_bootstrap(&mut tx, now).await?;
        tx.commit().await?;
        Ok((program, token))
    }

    /// A one-time token for a first manager (no sealed keys: the manager makes them).
    pub(super) async fn insert_bootstrap(&self, tx: &mut Transaction<'static, Any>, now: i64) -> Result<String, HubError> {
        let token = random_secret();
        sqlx::query(self.q("INSERT INTO enrollment (token_hash, label, role, expires_at) VALUES (?1, 'Manager', 'manager', ?2)"))
            .bind(hash(&token))
            .bind(now + ENROLLMENT_TTL_SECONDS)
            .execute(&mut **tx)
            .await?;
        Ok(token)
    }

    pub async fn program(&self) -> Result<Uuid, HubError> {
        let row = sqlx::query(self.q("SELECT id FROM program")).fetch_optional(&self.pool).await?;
        uuid(row.ok_or_else(|| HubError::BadRequest("the hub has no program yet".into()))?.get(0))
    }

    /// A manager asks for a one-time token for a new device and deposits the sealed keys.
    pub async fn create_enrollment(
        &self,
        by: &Device,
        label: &str,
        role: Role,
        sealed: &SealedKeys,
        now: i64,
    ) -> Result<(String, i64), HubError> {
        if by.role != Role::Manager {
            return Err(HubError::Forbidden("only managers enroll devices".into()));
        }
        self.purge_expired(now).await?;
        let token = random_secret();
        let expires = now + ENROLLMENT_TTL_SECONDS;
        sqlx::query(
            self.q("INSERT INTO enrollment (token_hash, label, role, sealed_nonce, sealed_keys, expires_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        )
        .bind(hash(&token))
        .bind(label)
        .bind(role.as_str())
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .bind(expires)
        .bind(by.id.as_bytes().as_slice())
        .execute(&self.pool)
        .await?;
        Ok((token, expires))
    }

    /// Deletes expired enrollments and the sealed keys with them.
    pub async fn purge_expired(&self, now: i64) -> Result<u64, HubError> {
        Ok(sqlx::query(self.q("DELETE FROM enrollment WHERE expires_at <= ?1")).bind(now).execute(&self.pool).await?.rows_affected())
    }

    /// Redeems a token once: a new device with its own credential, and the sealed keys, which
    /// the hub deletes in the same transaction.
    pub async fn redeem(&self, token: &str, now: i64) -> Result<Redeemed, HubError> {
        self.redeem_with_key(token, None, now).await
    }

    /// [`Hub::redeem`], keeping the new device's public key (to which new team keys are sealed).
    pub async fn redeem_with_key(&self, token: &str, public_key: Option<&[u8; 32]>, now: i64) -> Result<Redeemed, HubError> {
        let program = self.program().await?;
        // A read first: an unknown, used or expired token never takes the write lock.
        let known = sqlx::query(self.q("SELECT 1 FROM enrollment WHERE token_hash = ?1 AND expires_at > ?2"))
            .bind(hash(token))
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        if known.is_none() {
            // Expired tokens' sealed keys go now rather than at the next periodic purge.
            let expired = sqlx::query(self.q("SELECT 1 FROM enrollment WHERE expires_at <= ?1 LIMIT 1"))
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
            if expired.is_some() {
                self.purge_expired(now).await?;
            }
            return Err(HubError::TokenGone);
        }
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            self.q("DELETE FROM enrollment WHERE token_hash = ?1 AND expires_at > ?2
             RETURNING label, role, sealed_nonce, sealed_keys"),
        )
        .bind(hash(token))
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(HubError::TokenGone)?;
        let label: String = row.get(0);
        let role = stored_role(row.get::<String, _>(1).as_str());
        let nonce: Option<Vec<u8>> = row.get(2);
        let keys: Option<Vec<u8>> = row.get(3);
        let device = Uuid::now_v7();
        let credential = random_secret();
        sqlx::query(self.q(
            "INSERT INTO device (id, label, role, credential_hash, created_at, public_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        ))
        .bind(device.as_bytes().as_slice())
        .bind(&label)
        .bind(role.as_str())
        .bind(hash(&credential))
        .bind(now)
        .bind(public_key.map(|k| k.to_vec()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Redeemed {
            program,
            device,
            role,
            credential,
            sealed_keys: SealedKeys { nonce: nonce.unwrap_or_default(), ciphertext: keys.unwrap_or_default() },
        })
    }

    /// How many enrollments still hold sealed keys (for checks that they are gone).
    #[cfg(feature = "testing")]
    pub async fn pending_enrollments(&self) -> Result<i64, HubError> {
        Ok(sqlx::query(self.q("SELECT count(*) FROM enrollment")).fetch_one(&self.pool).await?.get(0))
    }
}
