//! Opening the hub's database (an SQLite file, the embedded default, or PostgreSQL), and the
//! SQL each backend runs: the same statements, placeholders adapted; writes in one transaction.

use std::borrow::Cow;

use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AssertSqlSafe, Executor, Transaction};

use super::{Backend, Hub, HubError};

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
    pub(super) fn q(&self, sql: &'static str) -> AssertSqlSafe<Cow<'static, str>> {
        AssertSqlSafe(match self.backend {
            Backend::Sqlite => Cow::Borrowed(sql),
            Backend::Postgres => Cow::Owned(sql.replace('?', "$")),
        })
    }

    /// A write transaction. Writers run one at a time, so cursors are assigned in commit order
    /// and a reader never skips a segment committed later with a lower cursor: SQLite takes
    /// its write lock at `BEGIN IMMEDIATE` (a deferred transaction could fail later with
    /// "database is locked"); PostgreSQL takes a transaction-scoped advisory lock.
    pub(super) async fn begin_write(&self) -> Result<Transaction<'static, Any>, HubError> {
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock(7361624)").execute(&mut *tx).await?;
                Ok(tx)
            }
        }
    }
}
