//! The hub's rules over its storage: one-time enrollments, device credentials, idempotent pushes
//! with per-stream acknowledgements and gap refusal, and pulls by a commit-ordered cursor
//! filtered by role. Every operation is one transaction; a refused request stores nothing.
//!
//! By job: `open` (the two backends and their SQL), `enroll` and `enrollments` (a program's
//! start, codes issued, redeemed, listed and cancelled), `devices` (credentials, revocation),
//! `push`, `pull`, `keys` (the team and reporting keys), `reseal` and `upkeep` (checks, purges).

use satchel_protocol::wire::Role;
use satchel_protocol::Stream;
use sha2::{Digest, Sha256};
use sqlx::{AnyPool, Row};
use uuid::Uuid;

mod devices;
mod enroll;
mod enrollments;
mod keys;
mod open;
mod pull;
mod push;
mod reseal;
mod upkeep;
pub use upkeep::CheckReport;

/// Why the hub refused a request. Messages name no record content (the hub has none).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HubError {
    #[error("unknown, revoked or missing credential")]
    Unauthorized,
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("the enrollment token is unknown, used or expired")]
    TokenGone,
    #[error("{stream:?} must continue at seq {expected}")]
    Gap { stream: Stream, expected: u64 },
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("sealed under a team key the program has replaced; fetch the new one")]
    StaleKey,
    /// The database failed or refused (its own words, for the hub's log only).
    #[error("database: {0}")]
    Database(String),
    /// A row does not read back as the hub writes it: a damaged or foreign database.
    #[error("damaged data: {0}")]
    Damaged(&'static str),
    /// A step of a backup failed; the backup in place, if any, is untouched.
    #[error("backup: {0}")]
    Backup(String),
}

impl From<sqlx::Error> for HubError {
    fn from(e: sqlx::Error) -> Self {
        HubError::Database(e.to_string())
    }
}

impl From<sqlx::migrate::MigrateError> for HubError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        HubError::Database(e.to_string())
    }
}

/// About how many bytes of segments one pull page carries.
pub const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// How precisely a device's "last seen" time is kept, in seconds.
pub const LAST_SEEN_RESOLUTION_SECONDS: i64 = 60;

/// How long an enrollment token lives.
pub const ENROLLMENT_TTL_SECONDS: i64 = 24 * 60 * 60;

/// A device the hub knows, as authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    pub id: Uuid,
    pub role: Role,
}

fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("operating system random source failed");
    hex::encode(bytes)
}

/// A role as stored; an unknown name (never written by this hub) gets the narrower role.
fn stored_role(s: &str) -> Role {
    Role::parse(s).unwrap_or(Role::Outreach)
}

fn uuid(bytes: Vec<u8>) -> Result<Uuid, HubError> {
    Uuid::from_slice(&bytes).map_err(|_| HubError::Damaged("malformed id"))
}

/// Where the hub keeps its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One file in the data directory: the embedded default.
    Sqlite,
    /// A PostgreSQL database, for programs with many devices.
    Postgres,
}

/// The hub over its database (SQLite or PostgreSQL; the same rules and SQL, placeholders
/// adapted).
#[derive(Clone)]
pub struct Hub {
    pool: AnyPool,
    backend: Backend,
}

impl Hub {
    /// The devices, for the manager's list.
    pub async fn devices(&self, by: &Device) -> Result<Vec<satchel_protocol::wire::DeviceInfo>, HubError> {
        if by.role != Role::Manager {
            return Err(HubError::Forbidden("only managers list devices".into()));
        }
        let rows = sqlx::query(self.q("SELECT id, label, role, last_seen, revoked FROM device ORDER BY created_at, id"))
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let id = uuid(r.get(0))?;
            let mut conn = self.pool.acquire().await?;
            out.push(satchel_protocol::wire::DeviceInfo {
                device: id,
                label: r.get(1),
                role: stored_role(r.get::<String, _>(2).as_str()),
                last_seen: r.get(3),
                revoked: r.get::<i64, _>(4) != 0,
                acked: self.acks(&mut conn, id).await?,
            });
        }
        Ok(out)
    }

    /// Counts for `/metrics`: segments and bytes held, devices, open enrollments.
    pub async fn counts(&self) -> Result<[(&'static str, i64); 4], HubError> {
        let one = |sql: &'static str| async move {
            Ok::<i64, HubError>(sqlx::query(self.q(sql)).fetch_one(&self.pool).await?.get::<Option<i64>, _>(0).unwrap_or(0))
        };
        Ok([
            ("satchel_segments", one("SELECT count(*) FROM segment").await?),
            ("satchel_segment_bytes", one("SELECT sum(length(ciphertext)) FROM segment").await?),
            ("satchel_devices", one("SELECT count(*) FROM device WHERE revoked = 0").await?),
            ("satchel_open_enrollments", one("SELECT count(*) FROM enrollment").await?),
        ])
    }
}
