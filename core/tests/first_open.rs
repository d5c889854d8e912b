//! Threads that open their process's first stores at the same moment all get working stores.
//!
//! SQLCipher finishes its set-up (its crypto provider, its random seed) in SQLite's start-up
//! hook. Run as SQLite's plain extra-init hook, it runs after SQLite marks itself started, so a
//! second thread could key a database before the set-up was done ("sqlcipher not initialized").
//! `schema::open` runs the process's first open to its end under a lock of its own (D59). Start-up happens once
//! per process, so this test runs itself as fresh processes.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::sync::{Arc, Barrier};

use satchel_core::crypto::random_key;
use satchel_core::schema;

const CHILD: &str = "SATCHEL_FIRST_OPEN_CHILD";
const THREADS: usize = 8;

/// In a child process: THREADS threads open their first keyed databases at once.
fn race() {
    let dir = tempfile::tempdir().unwrap();
    let start = Arc::new(Barrier::new(THREADS));
    let threads: Vec<_> = (0..THREADS)
        .map(|i| {
            let path = dir.path().join(format!("{i}.db"));
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                let key = random_key();
                start.wait();
                let conn = schema::open(&path, &key, &[i as u8; 16], true)?;
                conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .collect();
    for (i, t) in threads.into_iter().enumerate() {
        if let Err(e) = t.join().unwrap() {
            panic!("thread {i}: {e}");
        }
    }
}

#[test]
fn first_opens_at_the_same_moment_all_succeed() {
    if std::env::var_os(CHILD).is_some() {
        race();
        return;
    }
    let runs: usize = std::env::var("SATCHEL_FIRST_OPEN_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let exe = std::env::current_exe().unwrap();
    let mut failed = Vec::new();
    for run in 0..runs {
        let out = Command::new(&exe)
            .args(["--exact", "first_opens_at_the_same_moment_all_succeed", "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .output()
            .unwrap();
        if !out.status.success() {
            failed.push(format!("run {run}: {}", String::from_utf8_lossy(&out.stderr).lines().find(|l| l.contains("thread ")).unwrap_or("failed")));
        }
    }
    assert!(failed.is_empty(), "{} of {runs} processes failed:\n{}", failed.len(), failed.join("\n"));
}
