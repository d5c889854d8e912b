//! A store written before D59 (SQLCipher on OpenSSL) opens with today's build (SQLCipher on
//! LibTomCrypt): same PIN, same rows, clean integrity checks, and it takes new writes that
//! survive a reopen. The store in `fixtures/openssl-store` was written by
//! `fixtures/make-openssl-store.sh` (the numbers below are `fixtures/make_store.py`'s). And the
//! library linked is the one `satchel-sqlcipher` builds (D59).
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;

use chrono::{NaiveDate, TimeZone, Utc};
use satchel_core::crypto::random_key;
use satchel_core::schema;
use satchel_core::tally::TallyQuery;
use satchel_core::{ContactType, Error, ItemQuantity, NewEncounter, Store};

const PIN: &str = "2468";

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

fn level(store: &Store, item: &str) -> i64 {
    store.stock_levels(Some("van-1")).unwrap().into_iter().find(|l| l.item == item).map_or(0, |l| l.level)
}

fn november(store: &Store) -> u64 {
    let query = TallyQuery::period(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    store.tally(&query).unwrap().total.encounters
}

#[test]
fn a_store_written_on_openssl_opens_checks_and_grows() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openssl-store");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    copy_dir(&fixture, &path);

    let store = Store::open(&path).unwrap();
    assert!(matches!(store.unlock_with_pin("0000"), Err(Error::WrongPin { .. })));
    store.unlock_with_pin(PIN).unwrap();
    store.integrity_check().unwrap();

    let recent = store.recent_encounters(10).unwrap();
    assert_eq!(recent.len(), 3);
    assert_eq!(recent.iter().filter(|e| e.voided).count(), 1);
    assert_eq!(november(&store), 2, "two encounters stand in November; the third was voided");
    assert_eq!(level(&store, "syringe-1ml"), 480);
    assert_eq!(level(&store, "naloxone-nasal"), 11);

    // New writes go into the old file and are there after a reopen.
    let new = NewEncounter {
        contact_type: ContactType::Street,
        items: vec![ItemQuantity { item: "syringe-1ml".into(), quantity: 30 }],
        ..NewEncounter::new(Utc.with_ymd_and_hms(2026, 11, 20, 21, 0, 0).unwrap(), "downtown")
    };
    store.log_encounter(&new).unwrap();
    store.lock();
    drop(store);

    let store = Store::open(&path).unwrap();
    store.unlock_with_pin(PIN).unwrap();
    store.integrity_check().unwrap();
    assert_eq!(november(&store), 3);
    assert_eq!(level(&store, "syringe-1ml"), 450);
}

#[test]
fn the_linked_library_is_satchel_sqlcipher_without_the_extensions_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let conn = schema::open(&dir.path().join("probe.db"), &random_key(), &[7u8; 16], true).unwrap();
    let text = |sql: &str| -> String { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(text("PRAGMA cipher_provider"), satchel_sqlcipher::CRYPTO_PROVIDER);
    assert!(text("PRAGMA cipher_version").starts_with(satchel_sqlcipher::SQLCIPHER_VERSION));
    assert_eq!(text("SELECT sqlite_version()"), satchel_sqlcipher::SQLITE_VERSION);
    for module in ["fts5(body)", "fts4(body)", "rtree(id, x0, x1)", "dbstat"] {
        let sql = format!("CREATE VIRTUAL TABLE probe USING {module}");
        let err = conn.execute_batch(&sql).unwrap_err().to_string();
        assert!(err.contains("no such module"), "{module}: {err}");
    }
    // What stays in answers, JSON among it.
    assert_eq!(text("SELECT json_extract('{\"a\": \"b\"}', '$.a')"), "b");
}
