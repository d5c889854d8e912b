//! Throwaway PostgreSQL databases for tests: the hub's storage tests and the end-to-end tests
//! run on both backends, each test in a database of its own.
//!
//! `SATCHEL_TEST_POSTGRES_URL` names a database whose role may create databases
//! (`scripts/postgres.sh` starts a local server and prints one); `SATCHEL_SKIP_POSTGRES=1` skips
//! the PostgreSQL runs, saying so. Without either, a test that asks for a database fails: a
//! backend left untested must be a choice, never an accident.

// Test support only (the `testing` feature): a failed step stops the test where it happened.
#![allow(clippy::unwrap_used)]

use sqlx::{Connection, Executor};

/// A fresh database, dropped by [`ScratchDatabase::drop`].
pub struct ScratchDatabase {
    admin: String,
    name: String,
    /// Where the hub connects.
    pub url: String,
}

impl ScratchDatabase {
    /// A new database, or `None` when PostgreSQL runs are skipped.
    pub async fn create() -> Option<ScratchDatabase> {
        let Ok(admin) = std::env::var("SATCHEL_TEST_POSTGRES_URL") else {
            if std::env::var("SATCHEL_SKIP_POSTGRES").as_deref() == Ok("1") {
                eprintln!("PostgreSQL run SKIPPED (SATCHEL_SKIP_POSTGRES=1)");
                return None;
            }
            panic!("set SATCHEL_TEST_POSTGRES_URL (scripts/postgres.sh starts a local PostgreSQL), or SATCHEL_SKIP_POSTGRES=1 to skip");
        };
        let name = format!("satchel_test_{}", uuid::Uuid::now_v7().simple());
        execute(&admin, &format!("CREATE DATABASE {name}")).await.expect("create a database through SATCHEL_TEST_POSTGRES_URL");
        let base = admin.rsplit_once('/').map(|(b, _)| b).expect("SATCHEL_TEST_POSTGRES_URL ends in /database");
        Some(ScratchDatabase { url: format!("{base}/{name}"), admin, name })
    }

    /// Every row of every table, as PostgreSQL spells it in text (`bytea` as `\x` hex).
    pub async fn all_rows_as_text(&self) -> String {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.url).await.expect("connect to the scratch database");
        let tables: Vec<(String,)> =
            sqlx::query_as("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        let mut text = String::new();
        for (table,) in tables {
            let sql = format!("SELECT CAST(t AS text) FROM \"{table}\" t");
            let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&mut conn).await.unwrap();
            for (row,) in rows {
                text.push_str(&row);
                text.push('\n');
            }
        }
        conn.close().await.unwrap();
        text
    }

    /// Drops the database. A failure is said on standard error, never a panic: this runs in
    /// `Drop`s, also while a failed test unwinds.
    pub async fn drop(self) {
        if let Err(e) = execute(&self.admin, &format!("DROP DATABASE {} WITH (FORCE)", self.name)).await {
            eprintln!("could not drop the scratch database {}: {e}", self.name);
        }
    }
}

async fn execute(url: &str, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await?;
    conn.execute(sqlx::AssertSqlSafe(sql.to_string())).await?;
    conn.close().await
}
