//! SQLCipher says nothing on its own: a wrong key is the core's typed error, and nothing goes to
//! stderr (logcat and the iOS console on phones), where anyone with a cable could read it.
//! SQLCipher's log is per process, so the test runs itself as a child process and reads its
//! stderr.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use satchel_core::crypto::random_key;
use satchel_core::schema;

const CHILD: &str = "SATCHEL_QUIET_CHILD";

#[test]
fn a_wrong_key_is_an_error_and_nothing_is_logged() {
    if std::env::var_os(CHILD).is_some() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let conn = schema::open(&path, &random_key(), &[3; 16], true).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
        drop(conn);
        assert!(schema::open(&path, &random_key(), &[3; 16], false).is_err(), "a wrong key opens nothing");
        return;
    }
    let me = std::env::current_exe().unwrap();
    let out = Command::new(me)
        .args(["--exact", "a_wrong_key_is_an_error_and_nothing_is_logged", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the child failed: {stderr}");
    let said: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(said.is_empty(), "written to stderr: {said:?}");
}
