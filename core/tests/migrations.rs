//! Every earlier schema version opens and upgrades; a newer one is refused untouched.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

use satchel_core::crypto::random_key;
use satchel_core::{schema, Error};

/// Frozen copies of each schema version as it shipped, oldest first.
const FROZEN: &[(u32, &str)] = &[
    (1, include_str!("fixtures/schema_v1.sql")),
    (2, include_str!("fixtures/schema_v2.sql")),
    (3, include_str!("fixtures/schema_v3.sql")),
    (4, include_str!("fixtures/schema_v4.sql")),
    (5, include_str!("fixtures/schema_v5.sql")),
    (6, include_str!("fixtures/schema_v6.sql")),
    (7, include_str!("fixtures/schema_v7.sql")),
    (8, include_str!("fixtures/schema_v8.sql")),
    (9, include_str!("fixtures/schema_v9.sql")),
    (10, include_str!("fixtures/schema_v10.sql")),
    (11, include_str!("fixtures/schema_v11.sql")),
    (12, include_str!("fixtures/schema_v12.sql")),
];

#[test]
fn every_earlier_schema_version_upgrades_with_its_data() {
    assert_eq!(FROZEN.len() as u32, schema::VERSION, "freeze each new schema version here");
    for (version, sql) in FROZEN {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let key = random_key();
        let salt = [3u8; 16];
        {
            let conn = schema::open(&path, &key, &salt, true).unwrap();
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", version).unwrap();
            conn.execute(
                "INSERT INTO stock_movement (id, author, kind, location, item, quantity, occurred_at)
                 VALUES (x'01', x'02', 'received', 'van-1', 'condom', 50, 1000)",
                [],
            )
            .unwrap();
        }
        let mut conn = schema::open(&path, &key, &salt, false).unwrap();
        schema::migrate(&mut conn).unwrap();
        let now: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(now, schema::VERSION);
        let q: i64 = conn.query_row("SELECT quantity FROM stock_movement", [], |r| r.get(0)).unwrap();
        assert_eq!(q, 50, "data survives the upgrade from version {version}");
        assert_eq!(satchel_core::stock::level(&conn, "van-1", "condom").unwrap(), 50);
    }
}

fn schema_of(conn: &rusqlite::Connection) -> Vec<(String, String, Option<String>)> {
    let mut stmt = conn.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn upgrading_any_old_schema_gives_the_schema_of_a_new_store() {
    // Catches an edit to a migration that has shipped: the frozen copy would no longer upgrade
    // to what new stores get.
    let dir = tempfile::tempdir().unwrap();
    let key = random_key();
    let mut fresh = schema::open(&dir.path().join("fresh.db"), &key, &[1; 16], true).unwrap();
    schema::migrate(&mut fresh).unwrap();
    for (version, sql) in FROZEN {
        let mut old = schema::open(&dir.path().join(format!("v{version}.db")), &key, &[2; 16], true).unwrap();
        old.execute_batch(sql).unwrap();
        old.pragma_update(None, "user_version", version).unwrap();
        schema::migrate(&mut old).unwrap();
        assert_eq!(schema_of(&old), schema_of(&fresh), "upgrade from version {version}");
    }
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let key = random_key();
    let salt = [4u8; 16];
    {
        let mut conn = schema::open(&path, &key, &salt, true).unwrap();
        schema::migrate(&mut conn).unwrap();
        conn.pragma_update(None, "user_version", schema::VERSION + 1).unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let mut conn = schema::open(&path, &key, &salt, false).unwrap();
    assert!(matches!(schema::migrate(&mut conn), Err(Error::NewerSchema { .. })));
    drop(conn);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn opening_never_creates_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.db");
    assert!(schema::open(&path, &random_key(), &[0; 16], false).is_err());
    assert!(!path.exists());
}
