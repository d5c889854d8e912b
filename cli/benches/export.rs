//! Exporting a year of 1,000,000 encounters with `satchel report`, as CSV and as XLSX: wall time
//! and peak memory of the process (targets ≤ 30 s and ≤ 200 MB), each beside a baseline from
//! the same run — the tally computed in-process for time, and `satchel program show` (open and
//! unlock the same store) for memory.
//!
//! cargo bench -p satchel-cli --bench export
//!
//! SATCHEL_BENCH_EXPORT_N sets the number of encounters (default 1000000). Filling the store
//! goes through the same path as received sync records (`Store::apply_records`), in batches.
// A benchmark: a failed unwrap stops it with its message.
#![allow(clippy::unwrap_used)]

// wait4 is the one way to read a finished child's peak memory.
#![allow(unsafe_code)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use satchel_core::crypto::KdfParams;
use satchel_core::encounter::{to_minute, EncounterRecord};
use satchel_core::{participant, ContactType, CreateOptions, ItemQuantity, Record, Role, Store, TallyQuery};
use satchel_e2e::Rng;
use uuid::Uuid;

const PASSPHRASE: &str = "bench passphrase";
const TIME_TARGET_S: f64 = 30.0;
const MEMORY_TARGET_MB: f64 = 200.0;

fn fill(store: &Store, n: usize, from: NaiveDate, days: i64) {
    let keys = store.program_keys().unwrap();
    let devices: Vec<Uuid> = (0..6).map(|_| Uuid::now_v7()).collect();
    let codes: Vec<[u8; 16]> = (0..20_000).map(|i| participant::reference(&keys.participant_key, &format!("P{i:05}X"), 1).unwrap()).collect();
    let start = Utc.from_utc_datetime(&from.and_hms_opt(12, 0, 0).unwrap());
    // From noon UTC on the first day to noon UTC on the last: every one on a local day of the year.
    let step = ((days - 1) * 24 * 60) as f64 / n as f64;
    let mut dice = Rng(7);
    let started = Instant::now();
    let mut done = 0;
    while done < n {
        let batch: Vec<Record> = (done..(done + 20_000).min(n))
            .map(|i| {
                let id = Uuid::now_v7();
                let at = to_minute(start + Duration::minutes((i as f64 * step) as i64)).timestamp();
                let mut items = vec![ItemQuantity { item: "syringe-1ml".into(), quantity: [10, 20, 40][dice.below(3) as usize] }];
                if dice.below(3) == 0 {
                    items.push(ItemQuantity { item: "naloxone-nasal".into(), quantity: 1 });
                }
                if dice.below(4) == 0 {
                    items.push(ItemQuantity { item: dice.pick(&["fentanyl-strip", "cooker", "wound-kit", "condom"]).into(), quantity: 2 });
                }
                Record::Encounter(EncounterRecord {
                    id,
                    encounter_id: id,
                    version: 1,
                    author: devices[dice.below(6) as usize],
                    occurred_at: at,
                    contact_type: if dice.below(4) == 0 { ContactType::MobileUnit } else { ContactType::Street },
                    zone: dice.pick(&["downtown", "riverside", "eastside", "northgate"]).into(),
                    geohash: None,
                    participant: (dice.below(10) < 8).then(|| codes[dice.below(codes.len() as u64) as usize]),
                    new_participant: dice.below(20) == 0,
                    age_band: Some(dice.pick(&["under-25", "25-34", "35-44", "45-54", "55-plus"]).into()),
                    gender: Some(dice.pick(&["woman", "man", "nonbinary", "declined"]).into()),
                    items,
                    syringes_collected: dice.below(30) as u32,
                    sharps_containers: vec![],
                    referrals: if dice.below(8) == 0 { vec![dice.pick(&["moud", "housing", "wound-care"]).into()] } else { vec![] },
                    suggested_services: vec![],
                    substances: vec![dice.pick(&["opioids", "stimulants", "xylazine"]).into()],
                    overdose_reversals: u32::from(dice.below(50) == 0),
                    naloxone_doses_used: 0,
                    collecting_for: 0,
                    services_delivered: vec![],
                    naloxone_kit: None,
                    location: Some("van-1".into()),
                    voided: false,
                    recorded_at: at,
                })
            })
            .collect();
        store.apply_records(&batch).unwrap();
        done += batch.len();
        if done % 200_000 == 0 || done == n {
            eprintln!("  filled {done} encounters ({:.0} s)", started.elapsed().as_secs_f64());
        }
    }
}

/// Runs `satchel` and returns (seconds, peak resident memory in MB) of that process alone.
// wait4 below reaps the child (and gives its own peak memory, which Child::wait does not).
#[allow(clippy::zombie_processes)]
fn measure(store: &Path, args: &[&str]) -> (f64, f64) {
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_satchel"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env("SATCHEL_PASSPHRASE", PASSPHRASE)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid, and wait4 fills it for the child we just spawned.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "satchel {args:?} failed");
    (start.elapsed().as_secs_f64(), usage.ru_maxrss as f64 / 1024.0)
}

fn main() {
    let n: usize = std::env::var("SATCHEL_BENCH_EXPORT_N").ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("manager");
    let store = Store::create(&path, CreateOptions { role: Role::Manager, pin: PASSPHRASE.into(), hardware: None, background: false, kdf: KdfParams::DEFAULT }).unwrap();
    let from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    eprintln!("filling a manager's store with {n} encounters over {from} to {to}");
    fill(&store, n, from, 365);
    let t = Instant::now();
    let tally = store.tally(&TallyQuery { by: Some(satchel_core::Granularity::Month), ..TallyQuery::period(from, to) }).unwrap();
    let tally_s = t.elapsed().as_secs_f64();
    assert_eq!(tally.total.encounters, n as u64);
    store.lock();
    drop(store);

    let (_, base_mb) = measure(&path, &["program", "show"]);
    println!("export of {n} encounters (one year, by month):");
    println!("  tally in-process (baseline)      {tally_s:8.3} s");
    println!("  `program show` (baseline)                    {base_mb:8.1} MB peak");
    let mut missed = Vec::new();
    for ext in ["csv", "xlsx", "html", "json"] {
        let out = dir.path().join(format!("year.{ext}"));
        let (s, mb) = measure(&path, &["report", "--from", "2025-01-01", "--to", "2025-12-31", "--by", "month", "-o", out.to_str().unwrap()]);
        let size = std::fs::metadata(&out).unwrap().len();
        println!("  {ext:<5} {s:8.3} s ({:6.1}x tally)  {mb:8.1} MB peak ({:.2}x baseline)  {size} bytes", s / tally_s, mb / base_mb);
        if s > TIME_TARGET_S || mb > MEMORY_TARGET_MB {
            missed.push(format!("{ext}: {s:.1} s, {mb:.0} MB"));
        }
    }
    if missed.is_empty() {
        println!("targets met (<= {TIME_TARGET_S} s, <= {MEMORY_TARGET_MB} MB)");
    } else {
        println!("TARGETS MISSED: {}", missed.join("; "));
        std::process::exit(1);
    }
}
