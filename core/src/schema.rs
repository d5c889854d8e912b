//! Opening the SQLCipher database and bringing its schema up to date.
//!
//! Migrations are numbered SQL files (`migrations/NNNN_name.sql`); `PRAGMA user_version` holds
//! the version. Pending migrations run inside one transaction, so an upgrade either completes or
//! leaves the database as it was.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{Migrations, M};
use zeroize::Zeroizing;

use crate::crypto::SecretKey;
use crate::error::{Error, Result};

/// The migrations, in order. Never edit one that has shipped; add the next.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_releases.sql"),
    include_str!("../migrations/0003_sent_log.sql"),
    include_str!("../migrations/0004_sharps_containers.sql"),
    include_str!("../migrations/0005_suggested_services.sql"),
    include_str!("../migrations/0006_team_keys.sql"),
    include_str!("../migrations/0007_release_files.sql"),
    include_str!("../migrations/0008_participant_profile.sql"),
    include_str!("../migrations/0009_services_delivered.sql"),
    include_str!("../migrations/0010_disposal.sql"),
    include_str!("../migrations/0011_released_persons.sql"),
    include_str!("../migrations/0012_sheet_draft.sql"),
];

/// The schema version this build writes.
pub const VERSION: u32 = MIGRATIONS.len() as u32;

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

/// SQLCipher sets itself up (crypto provider, random seed) in SQLite's start-up hook, which
/// SQLite runs after it counts itself started: a second thread's first open could key a
/// database before that set-up is done and fail with "sqlcipher not initialized". The first
/// open of the process runs SQLite's start-up to its end here while the others wait
/// (core/tests/first_open.rs, D59). It also turns SQLCipher's own log off: it would write to
/// stderr, which is logcat or the console on a phone, and every failure it reports reaches the
/// caller as an error anyway (core/tests/quiet.rs, D62).
fn sqlcipher_ready() -> Result<()> {
    static READY: std::sync::Mutex<bool> = std::sync::Mutex::new(false);
    let mut ready = READY.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !*ready {
        let conn = Connection::open_in_memory()?;
        conn.query_row("PRAGMA cipher_version", [], |r| r.get::<_, String>(0))?;
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        *ready = true;
    }
    Ok(())
}

/// Opens (or with `create`, makes) the encrypted database with the raw key and explicit salt.
/// Without `create` a missing file is an error, never a new empty database.
pub fn open(path: &Path, key: &SecretKey, salt: &[u8; 16], create: bool) -> Result<Connection> {
    sqlcipher_ready()?;
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    // A raw key with explicit salt: SQLCipher skips its KDF, and we know the file's salt.
    let mut pragma = Zeroizing::new(String::with_capacity(120));
    pragma.push_str("PRAGMA key = \"x'");
    for b in key.iter().chain(salt.iter()) {
        pragma.push(char::from_digit((b >> 4) as u32, 16).expect("nibble"));
        pragma.push(char::from_digit((b & 15) as u32, 16).expect("nibble"));
    }
    pragma.push_str("'\";");
    conn.execute_batch(&pragma)?;
    conn.execute_batch("PRAGMA cipher_compatibility = 4;")?;
    // The first read decrypts page 1: a wrong key or a damaged header fails here.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
        .map_err(Error::from)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA temp_store = MEMORY;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA cache_size = -32000;",
    )?;
    Ok(conn)
}

/// Brings the schema to the current version; refuses a database from a newer app.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > VERSION {
        return Err(Error::NewerSchema { found, known: VERSION });
    }
    migrations().to_latest(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }
}
