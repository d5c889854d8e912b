//! Keeping a hub safe between syncs: a consistent backup of a live SQLite hub, and a check that
//! a hub's database is whole (the storage's own integrity check, and every stream of every
//! device contiguous from its first sequence number to what the hub acknowledges).

use std::path::Path;

use sqlx::Row;
use uuid::Uuid;

use super::{uuid, Backend, Hub, HubError};

/// What `check` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// SQLite's `integrity_check` answer ("ok" when whole); `None` on PostgreSQL, which checks
    /// its own pages.
    pub integrity: Option<String>,
    pub devices: u64,
    pub streams: u64,
    pub segments: u64,
    /// Each problem in a sentence (no content: the hub has none).
    pub problems: Vec<String>,
}

impl CheckReport {
    /// "devices: 3, streams: 7, segments: 120".
    pub fn summary(&self) -> String {
        format!("devices: {}, streams: {}, segments: {}", self.devices, self.streams, self.segments)
    }

    pub fn is_whole(&self) -> bool {
        self.problems.is_empty() && self.integrity.as_deref().is_none_or(|s| s == "ok")
    }
}

impl Hub {
    /// Writes a consistent copy of this SQLite hub to `to` while it serves (`VACUUM INTO`, a
    /// snapshot as of one moment), synced to disk and checked, then moved into place in one
    /// step. Refused on PostgreSQL (use `pg_dump`) and when `to` exists.
    pub async fn backup(&self, to: &Path) -> Result<CheckReport, HubError> {
        if self.backend == Backend::Postgres {
            return Err(HubError::BadRequest(
                "a PostgreSQL hub is backed up with pg_dump (see docs/deployment.md)".into(),
            ));
        }
        if to.exists() {
            return Err(HubError::BadRequest(format!("{} exists already; give a new file", to.display())));
        }
        let name = to.file_name().ok_or_else(|| HubError::BadRequest("give a file name to back up to".into()))?;
        let partial = to.with_file_name(format!(".{}.partial", name.to_string_lossy()));
        let _ = std::fs::remove_file(&partial);
        let written = async {
            sqlx::query("VACUUM INTO ?1").bind(partial.to_string_lossy().into_owned()).execute(&self.pool).await?;
            forget_deposits(&partial).await?;
            std::fs::File::open(&partial).and_then(|f| f.sync_all()).map_err(|e| HubError::Backup(format!("syncing the backup: {e}")))?;
            let copy = Hub::open_sqlite_read_only(&partial).await?;
            let report = copy.check().await;
            copy.close().await;
            report
        }
        .await;
        match written {
            Ok(report) if report.is_whole() => {
                std::fs::rename(&partial, to).map_err(|e| HubError::Backup(format!("moving the backup into place: {e}")))?;
                if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
                    let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
                }
                Ok(report)
            }
            Ok(report) => {
                let _ = std::fs::remove_file(&partial);
                Err(HubError::Backup(format!("the backup did not check whole: {}", report.problems.join("; "))))
            }
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                Err(e)
            }
        }
    }

    /// Marks this hub as restored from a backup, at `now` (Unix seconds): cursors handed out
    /// from here on start above `now << 20`, beyond any the hub gave before the backup was
    /// restored (it would take a million segments a second to reach them), so that devices,
    /// whose pull cursors may be past the backup's last one, miss nothing pushed from now on.
    /// Returns the new floor.
    pub async fn mark_restored(&self, now: i64) -> Result<i64, HubError> {
        let mut tx = self.begin_write().await?;
        let max: i64 = sqlx::query(self.q("SELECT coalesce(max(cursor), 0) FROM segment")).fetch_one(&mut *tx).await?.get(0);
        let floor = max.max(now.max(0) << 20);
        match self.backend {
            Backend::Sqlite => {
                sqlx::query("DELETE FROM sqlite_sequence WHERE name = 'segment'").execute(&mut *tx).await?;
                sqlx::query("INSERT INTO sqlite_sequence (name, seq) VALUES ('segment', ?1)").bind(floor).execute(&mut *tx).await?;
            }
            Backend::Postgres => {
                sqlx::query("SELECT setval(pg_get_serial_sequence('segment', 'cursor'), $1)").bind(floor).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(floor)
    }

    /// Checks the hub's database without changing it, as of one moment (one read
    /// transaction), so that a hub may be checked while it serves.
    pub async fn check(&self) -> Result<CheckReport, HubError> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut *tx).await?;
        }
        let mut report = CheckReport::default();
        if self.backend == Backend::Sqlite {
            let rows = sqlx::query("PRAGMA integrity_check").fetch_all(&mut *tx).await?;
            let lines: Vec<String> = rows.iter().map(|r| r.get::<String, _>(0)).collect();
            report.integrity = Some(lines.join("; "));
        }
        let devices = sqlx::query(self.q("SELECT id FROM device")).fetch_all(&mut *tx).await?;
        let known: std::collections::HashSet<Uuid> = devices.iter().map(|r| uuid(r.get(0))).collect::<Result<_, _>>()?;
        report.devices = known.len() as u64;

        let heads = sqlx::query(self.q("SELECT device, stream, acked_seq FROM stream_head")).fetch_all(&mut *tx).await?;
        let mut acked = std::collections::HashMap::new();
        for r in &heads {
            acked.insert((uuid(r.get(0))?, r.get::<String, _>(1)), r.get::<i64, _>(2));
        }
        let rows = sqlx::query(self.q("SELECT device, stream, first_seq, last_seq FROM segment ORDER BY device, stream, first_seq"))
            .fetch_all(&mut *tx)
            .await?;
        report.segments = rows.len() as u64;
        // Where each (device, stream) has reached, walking its segments in order.
        let mut reached: std::collections::BTreeMap<(Uuid, String), i64> = Default::default();
        for r in &rows {
            let (device, stream, first, last) = (uuid(r.get(0))?, r.get::<String, _>(1), r.get::<i64, _>(2), r.get::<i64, _>(3));
            if !known.contains(&device) {
                report.problems.push(format!("segments of device {device}, which the hub does not know"));
            }
            let at = reached.entry((device, stream.clone())).or_insert(0);
            if first != *at + 1 || last < first {
                report.problems.push(format!(
                    "device {device}'s {stream} stream jumps from seq {at} to a segment of seqs {first}..={last}"
                ));
            }
            *at = (*at).max(last);
        }
        report.streams = reached.len() as u64;
        for ((device, stream), at) in &reached {
            let head = acked.get(&(*device, stream.clone())).copied().unwrap_or(0);
            if head != *at {
                report.problems.push(format!("device {device}'s {stream} stream holds seqs up to {at} but acknowledges {head}"));
            }
        }
        for ((device, stream), head) in &acked {
            if *head > 0 && !reached.contains_key(&(*device, stream.clone())) {
                report.problems.push(format!("device {device}'s {stream} stream acknowledges seq {head} but holds no segment"));
            }
        }
        report.problems.dedup();
        tx.rollback().await?;
        Ok(report)
    }
}

/// Takes pending enrollments' sealed program keys out of a backup copy, and vacuums it so no
/// page keeps them: a backup lives for its whole retention, a deposit for 24 hours, and the
/// deposit with a photographed QR code would open the program's keys. A hub restored from the
/// backup refuses those codes; the manager issues new ones. (The bootstrap token, which
/// carries no keys, stays.)
async fn forget_deposits(copy: &Path) -> Result<(), HubError> {
    let hub = Hub::open_sqlite(copy).await?;
    let done = async {
        sqlx::query("DELETE FROM enrollment WHERE sealed_keys IS NOT NULL").execute(&hub.pool).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&hub.pool).await?;
        sqlx::query("VACUUM").execute(&hub.pool).await?;
        Ok::<(), HubError>(())
    }
    .await;
    hub.close().await;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
    }
    done
}
