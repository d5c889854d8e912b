//! A release interrupted at each step (D78): a child process stages two files, records the
//! report, writes, renames, and is stopped (`abort`: no destructor runs, the OS drops its
//! locks) after one step; the parent opens the store and lists its releases, which settles
//! them. Afterwards a release is in the ledger if and only if one of its files is in place, and
//! no temporary file is left.
//!
//! This file is its own test harness: run with `SATCHEL_RELEASE_CRASH=STEP` it is the child.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use chrono::{NaiveDate, TimeZone, Utc};
use common::*;
use satchel_core::{NewEncounter, Role, Store, TallyQuery};

const STEPS: [&str; 5] = ["staged", "recorded", "written", "first-renamed", "both-renamed"];

fn quarter() -> TallyQuery {
    TallyQuery::period(NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap())
}

fn temps(out: &Path) -> Vec<std::path::PathBuf> {
    let mut t: Vec<_> = std::fs::read_dir(out).unwrap().map(|e| e.unwrap().path()).filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(".satchel-")).collect();
    t.sort();
    t
}

fn child(step: &str, store_dir: &Path, out: &Path) {
    let store = Store::open(store_dir).unwrap();
    store.unlock_with_pin(PIN).unwrap();
    let dests = [out.join("a.json"), out.join("b.json")];
    let mut staged = store.stage_release(&dests).unwrap();
    if step == "staged" {
        std::process::abort();
    }
    let r = store.suppressed_report(&quarter(), Some(&mut staged)).unwrap();
    if step == "recorded" {
        std::process::abort();
    }
    for i in 0..2 {
        serde_json::to_writer(staged.file(i).unwrap(), &r.tables).unwrap();
        staged.file(i).unwrap().sync_all().unwrap();
    }
    if step == "written" {
        std::process::abort();
    }
    // The renames `publish` makes, made here so the process can stop between them.
    for (i, dest) in dests.iter().enumerate() {
        let temp = temps(out).into_iter().find(|t| t.file_name().unwrap().to_string_lossy().starts_with(&format!(".satchel-{}-", dest.file_name().unwrap().to_string_lossy()))).unwrap();
        std::fs::rename(temp, dest).unwrap();
        if (i == 0 && step == "first-renamed") || i == 1 {
            std::process::abort();
        }
    }
}

fn main() {
    if let Ok(step) = std::env::var("SATCHEL_RELEASE_CRASH") {
        let store_dir = std::env::var("SATCHEL_RELEASE_STORE").unwrap();
        let out = std::env::var("SATCHEL_RELEASE_OUT").unwrap();
        child(&step, Path::new(&store_dir), Path::new(&out));
        return;
    }
    for step in STEPS {
        let dir = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        {
            let store = new_store(dir.path(), Role::Manager, &TestClock::at(Utc.with_ymd_and_hms(2026, 12, 20, 12, 0, 0).unwrap()));
            for day in 1..=20 {
                let at = Utc.with_ymd_and_hms(2026, 10, day, 16, 0, 0).unwrap();
                store.log_encounter(&NewEncounter::new(at, "downtown")).unwrap();
            }
            // An earlier release, to check that settling touches only the interrupted one.
            publish(&store, &TallyQuery::period(NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 9, 30).unwrap()));
        }
        let status = Command::new(std::env::current_exe().unwrap())
            .env("SATCHEL_RELEASE_CRASH", step)
            .env("SATCHEL_RELEASE_STORE", dir.path())
            .env("SATCHEL_RELEASE_OUT", out.path())
            .status()
            .unwrap();
        assert!(!status.success(), "{step}: the child was to stop itself");
        let store = Store::open(dir.path()).unwrap();
        store.unlock_with_pin(PIN).unwrap();
        let before = temps(out.path()).len();
        let list = store.releases().unwrap();
        assert!(temps(out.path()).is_empty(), "{step}: temporary files left: {:?}", temps(out.path()));
        let placed: Vec<_> = ["a.json", "b.json"].iter().map(|n| out.path().join(n)).filter(|p| p.exists()).collect();
        let interrupted: Vec<_> = list.iter().filter(|r| r.query().from.to_string() == "2026-10-01").collect();
        assert_eq!(list.len() - interrupted.len(), 1, "{step}: the earlier release is untouched");
        assert_eq!(list[0].state, "released");
        if placed.is_empty() {
            assert!(interrupted.is_empty(), "{step}: no file in place, yet the ledger kept {interrupted:?}");
        } else {
            assert_eq!(interrupted.len(), 1, "{step}: files in place, so the release must be recorded");
            assert_eq!(interrupted[0].state, "released");
            assert_eq!(interrupted[0].files, placed, "{step}");
        }
        let expected_placed = match step {
            "first-renamed" => 1,
            "both-renamed" => 2,
            _ => 0,
        };
        assert_eq!(placed.len(), expected_placed, "{step}");
        println!("stopped after {step:<14}: {before} temporary file(s) found, {} file(s) in place, release {}", placed.len(), if interrupted.is_empty() { "removed" } else { "kept" });
    }
    println!("release_crash: ok ({} steps)", STEPS.len());
}
