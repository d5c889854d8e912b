//! Kill test: a child process logs encounters as fast as it can and is killed with SIGKILL at a
//! random moment; after every kill the store must open, pass SQLite's and SQLCipher's integrity
//! checks, and hold every encounter whose save had returned Ok.
//!
//! This file is its own test harness: run with `SATCHEL_CRASH_CHILD=DIR` it is the child.
//! `SATCHEL_CRASH_RUNS` sets the number of kills (default 50).
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use satchel_core::{NewEncounter, Role, Store};
use uuid::Uuid;

fn child(dir: &str) {
    let store = Store::open(std::path::Path::new(dir)).expect("open");
    store.unlock_with_pin(common::PIN).expect("unlock");
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    let mut n = 0u64;
    loop {
        let e = NewEncounter {
            participant_code: Some(format!("CR{:06}", n % 5000)),
            ..common::street(store.now())
        };
        let id = store.log_encounter(&e).expect("log");
        // Printed only after the save returned Ok: the parent holds the store to these.
        writeln!(out, "{id}").unwrap();
        out.flush().unwrap();
        n += 1;
        if n.is_multiple_of(7) {
            store.receive_stock("van-1", "syringe-1ml", 100).expect("receive");
        }
    }
}

/// A small xorshift generator so the schedule is reproducible from its printed seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn main() {
    if let Ok(dir) = std::env::var("SATCHEL_CRASH_CHILD") {
        child(&dir);
        return;
    }
    let runs: u32 = std::env::var("SATCHEL_CRASH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(50);
    let seed = std::env::var("SATCHEL_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1);
    println!("crash test: {runs} kills, seed {seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::create(dir.path(), common::options(Role::Outreach)).unwrap();
        store.set_device_location(Some("van-1")).unwrap();
    }
    let exe = std::env::current_exe().unwrap();
    let mut saved: HashSet<Uuid> = HashSet::new();
    let mut failures = 0u32;
    for run in 0..runs {
        let mut proc = Command::new(&exe)
            .env("SATCHEL_CRASH_CHILD", dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(proc.stdout.take().unwrap()).lines();
        assert_eq!(lines.next().unwrap().unwrap(), "ready", "child did not start");
        // Kill somewhere between 5 and 250 ms into the writing, reading what it reports meanwhile.
        let kill_after = Duration::from_millis(5 + rng.next() % 245);
        let reader = std::thread::spawn(move || {
            let mut ids = Vec::new();
            for line in lines {
                match line {
                    Ok(l) => ids.push(l.parse::<Uuid>().expect("id")),
                    Err(_) => break,
                }
            }
            ids
        });
        let start = Instant::now();
        while start.elapsed() < kill_after {
            std::thread::sleep(Duration::from_millis(1));
        }
        proc.kill().unwrap(); // SIGKILL
        proc.wait().unwrap();
        let reported = reader.join().unwrap();
        saved.extend(reported.iter().copied());

        let store = Store::open(dir.path()).unwrap();
        let check = (|| -> satchel_core::Result<usize> {
            store.unlock_with_pin(common::PIN)?;
            store.integrity_check()?;
            let mut missing = 0;
            for id in &saved {
                if store.get_encounter(*id)?.is_none() {
                    missing += 1;
                }
            }
            Ok(missing)
        })();
        match check {
            Ok(0) => {}
            Ok(missing) => {
                failures += 1;
                println!("run {run}: {missing} encounters reported saved are missing");
            }
            Err(e) => {
                failures += 1;
                println!("run {run}: store unusable after kill: {e}");
            }
        }
        store.lock();
        if run % 10 == 9 {
            println!("after {} kills: {} encounters confirmed saved", run + 1, saved.len());
        }
    }
    assert!(saved.len() as u32 > runs, "the child should have saved encounters between kills");
    println!("{} encounters confirmed saved and checked after every kill", saved.len());
    println!("crash: {} passed, {failures} failed", runs - failures);
    if failures > 0 {
        std::process::exit(1);
    }
}
