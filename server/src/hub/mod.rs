//! The hub's rules over its storage: one-time enrollments, device credentials, idempotent pushes
//! with per-stream acknowledgements and gap refusal, and pulls by a commit-ordered cursor
//! filtered by role. Every operation is one transaction; a refused request stores nothing.

use satchel_protocol::wire::{PullResponse, PulledSegment, Redeemed, Role, SealedKeys, StreamAck};
use satchel_protocol::{SealedSegment, SegmentHeader, Stream};
use sha2::{Digest, Sha256};
use std::borrow::Cow;

use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyConnection, AnyPool, AssertSqlSafe, Executor, Row, Transaction};
use uuid::Uuid;

mod enrollments;
mod keys;
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
    #[error("storage: {0}")]
    Storage(String),
}

impl From<sqlx::Error> for HubError {
    fn from(e: sqlx::Error) -> Self {
        HubError::Storage(e.to_string())
    }
}

impl From<sqlx::migrate::MigrateError> for HubError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        HubError::Storage(e.to_string())
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
    Uuid::from_slice(&bytes).map_err(|_| HubError::Storage("malformed id".into()))
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

/// Percent-encodes a file path for a `sqlite://` URL, opened in `mode` (`rwc`, `ro`).
fn sqlite_url(path: &std::path::Path, mode: &str) -> String {
    let mut url = String::from("sqlite://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => url.push(b as char),
            _ => url.push_str(&format!("%{b:02X}")),
        }
    }
    url + "?mode=" + mode
}

impl Hub {
    /// Opens (creating if needed) the hub database at `path` and brings its schema up to date.
    pub async fn open_sqlite(path: &std::path::Path) -> Result<Hub, HubError> {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    // Durable commits, concurrent readers, and a writer that waits its turn. Deleted
                    // rows are overwritten, not left in free pages: a redeemed or expired
                    // enrollment deposit leaves the file with its row (D70).
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
                         PRAGMA busy_timeout = 10000; PRAGMA secure_delete = ON;",
                    )
                    .await?;
                    Ok(())
                })
            })
            .connect(&sqlite_url(path, "rwc"))
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Hub { pool, backend: Backend::Sqlite })
    }

    /// Opens an existing SQLite hub database read-only, as it is (no schema change): for
    /// checking it.
    pub async fn open_sqlite_read_only(path: &std::path::Path) -> Result<Hub, HubError> {
        sqlx::any::install_default_drivers();
        if !path.exists() {
            return Err(HubError::BadRequest(format!("no hub database at {}", path.display())));
        }
        let pool = AnyPoolOptions::new().max_connections(1).connect(&sqlite_url(path, "ro")).await?;
        Ok(Hub { pool, backend: Backend::Sqlite })
    }

    /// Connects to a PostgreSQL hub as it is (no schema change): for checking it.
    pub async fn open_postgres_unchanged(url: &str) -> Result<Hub, HubError> {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new().max_connections(1).connect(url).await?;
        Ok(Hub { pool, backend: Backend::Postgres })
    }

    /// Connects to a PostgreSQL database (`postgres://…`) and brings its schema up to date.
    pub async fn open_postgres(url: &str) -> Result<Hub, HubError> {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new().max_connections(16).connect(url).await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Hub { pool, backend: Backend::Postgres })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the connections (waiting for those in use).
    pub async fn close(&self) {
        self.pool.close().await
    }

    /// The SQL for this backend: written with SQLite's `?N` placeholders, which PostgreSQL
    /// spells `$N`. (No statement holds a literal question mark.)
    fn q(&self, sql: &'static str) -> AssertSqlSafe<Cow<'static, str>> {
        AssertSqlSafe(match self.backend {
            Backend::Sqlite => Cow::Borrowed(sql),
            Backend::Postgres => Cow::Owned(sql.replace('?', "$")),
        })
    }

    /// A write transaction. Writers run one at a time, so cursors are assigned in commit order
    /// and a reader never skips a segment committed later with a lower cursor: SQLite takes
    /// its write lock at `BEGIN IMMEDIATE` (a deferred transaction could fail later with
    /// "database is locked"); PostgreSQL takes a transaction-scoped advisory lock.
    async fn begin_write(&self) -> Result<Transaction<'static, Any>, HubError> {
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock(7361624)").execute(&mut *tx).await?;
                Ok(tx)
            }
        }
    }

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
    async fn insert_bootstrap(&self, tx: &mut Transaction<'static, Any>, now: i64) -> Result<String, HubError> {
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

    async fn acks(&self, conn: &mut AnyConnection, device: Uuid) -> Result<Vec<StreamAck>, HubError> {
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
    async fn store_segments(
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
                            .ok_or_else(|| HubError::Storage("unknown stream".into()))?,
                        first_seq: r.get::<i64, _>(3) as u64,
                        last_seq: r.get::<i64, _>(4) as u64,
                        key_epoch: r.get::<i64, _>(5) as u32,
                    },
                    nonce: nonce.try_into().map_err(|_| HubError::Storage("malformed nonce".into()))?,
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

    /// How many enrollments still hold sealed keys (for checks that they are gone).
    #[cfg(feature = "testing")]
    pub async fn pending_enrollments(&self) -> Result<i64, HubError> {
        Ok(sqlx::query(self.q("SELECT count(*) FROM enrollment")).fetch_one(&self.pool).await?.get(0))
    }
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
