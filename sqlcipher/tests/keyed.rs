//! The library as the store uses it, through rusqlite: a database keyed with a raw key and its
//! salt in SQLCipher 4's format, written, reopened and checked, on whatever provider this
//! target builds (ours off Apple platforms and 32-bit ARM: its known answers are in
//! `src/provider.rs`). `scripts/crypto-paths.sh` runs the same tests for arm64 under emulation,
//! where AES comes from the ARMv8 instructions, for 32-bit ARM (LibTomCrypt), and with
//! software AES forced.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use rusqlite::Connection;
use satchel_sqlcipher as _;

const KEY: &str = "x'2b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfe0f1e2d3c4b5a69788796a5b4c3d2e1f0'";
const MARKER: &str = "participant-marker-5f3a";

fn open(path: &Path, key: &str) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    // Quiet, as the store keeps it (D62): the failures below come back as errors.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&format!("PRAGMA key = \"{key}\"; PRAGMA cipher_compatibility = 4;"))?;
    // The first read decrypts page 1: a wrong key fails here.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))?;
    Ok(conn)
}

fn write(path: &Path) {
    let conn = open(path, KEY).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA secure_delete = ON;
         CREATE TABLE entry (id INTEGER PRIMARY KEY, note TEXT NOT NULL);",
    )
    .unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..2_000 {
        tx.execute("INSERT INTO entry (note) VALUES (?1)", [format!("{MARKER} {i:05}")]).unwrap();
    }
    tx.commit().unwrap();
    conn.execute("DELETE FROM entry WHERE id % 3 = 0", []).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
}

fn text(conn: &Connection, sql: &str) -> String {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_keyed_database_round_trips_and_holds_no_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyed.db");
    write(&path);

    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 16 * 4096, "{} bytes", bytes.len());
    assert!(!bytes.windows(MARKER.len()).any(|w| w == MARKER.as_bytes()), "plaintext on disk");
    assert!(!bytes.starts_with(b"SQLite format 3"), "the header is encrypted too");

    let conn = open(&path, KEY).unwrap();
    assert_eq!(text(&conn, "PRAGMA cipher_provider"), satchel_sqlcipher::CRYPTO_PROVIDER);
    let expected = if cfg!(target_vendor = "apple") {
        "commoncrypto"
    } else if cfg!(target_arch = "arm") {
        "libtomcrypt"
    } else {
        "rustcrypto"
    };
    assert_eq!(text(&conn, "PRAGMA cipher_provider"), expected);
    let (rows, last): (i64, String) =
        conn.query_row("SELECT count(*), max(note) FROM entry", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((rows, last.as_str()), (1_334, "participant-marker-5f3a 01999"));
    assert_eq!(text(&conn, "PRAGMA integrity_check"), "ok");
    let failures: Vec<String> =
        conn.prepare("PRAGMA cipher_integrity_check").unwrap().query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    assert!(failures.is_empty(), "{failures:?}");
}

#[test]
fn a_wrong_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyed.db");
    write(&path);
    let other = KEY.replace("2b7e", "2b7f");
    let err = open(&path, &other).map(|_| ()).unwrap_err();
    assert!(err.to_string().contains("not a database"), "{err}");
}

#[test]
fn a_changed_byte_is_caught_by_the_page_mac() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyed.db");
    write(&path);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[5 * 4096 + 100] ^= 0x01; // inside page 6's ciphertext
    std::fs::write(&path, &bytes).unwrap();

    let conn = open(&path, KEY).unwrap();
    let failures: Vec<String> =
        conn.prepare("PRAGMA cipher_integrity_check").unwrap().query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].contains("page 6"), "{failures:?}");
    assert!(conn.query_row("SELECT count(*) FROM entry", [], |r| r.get::<_, i64>(0)).is_err(), "a damaged page is not read");
}

#[test]
fn a_passphrase_key_goes_through_pbkdf2() {
    // The store keys with raw keys; SQLCipher's passphrase path (PBKDF2-HMAC-SHA512) is the
    // provider's `kdf` at full strength, here with fewer rounds to keep the test short.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pass.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA key = 'correct horse'; PRAGMA kdf_iter = 4000; CREATE TABLE t (x); INSERT INTO t VALUES (42);")
            .unwrap();
    }
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA key = 'correct horse'; PRAGMA kdf_iter = 4000;").unwrap();
    assert_eq!(conn.query_row("SELECT x FROM t", [], |r| r.get::<_, i64>(0)).unwrap(), 42);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA key = 'correct horse'; PRAGMA kdf_iter = 4001;").unwrap();
    assert!(conn.query_row("SELECT x FROM t", [], |r| r.get::<_, i64>(0)).is_err(), "another derivation, another key");
}
