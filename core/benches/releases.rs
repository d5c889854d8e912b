//! The audit across releases: a quarter reported by week for all zones, audited against a year
//! of earlier releases in the ledger (a report per month by week, and per quarter by month for
//! all zones and for each zone), against suppression table by table alone, measured in the same
//! run; and how many more values the ledger hides.
//!
//! cargo bench -p satchel-core --bench releases
//!
//! SATCHEL_BENCH_RELEASES_N sets the number of encounters over the year (default 12000).
// A benchmark: a failed unwrap stops it with its message.
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/dice.rs"]
mod dice;
#[path = "../tests/common/workload.rs"]
mod workload;

use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use dice::Dice;
use satchel_core::crypto::KdfParams;
use satchel_core::suppress::{Cell, SuppressedTable};
use satchel_core::{suppress_tally, CreateOptions, Granularity, Role, Store, TallyQuery};

fn hidden(tables: &[SuppressedTable]) -> usize {
    tables.iter().flat_map(|t| &t.rows).flat_map(|r| r.cells.iter().chain(&r.total)).filter(|c| **c == Cell::Suppressed).count()
}

fn month_end(first: NaiveDate) -> NaiveDate {
    first.checked_add_months(chrono::Months::new(1)).unwrap() - Duration::days(1)
}

fn main() {
    let n: usize = std::env::var("SATCHEL_BENCH_RELEASES_N").ok().and_then(|v| v.parse().ok()).unwrap_or(12000);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(
        dir.path(),
        CreateOptions { role: Role::Manager, pin: "2468".into(), hardware: None, background: false, kdf: KdfParams { m_kib: 64, t: 1, p: 1 } },
    )
    .unwrap()
    // The day after the last encounter, so that all 15 months are within the year a phone may log.
    .with_clock(std::sync::Arc::new(|| Utc.with_ymd_and_hms(2026, 10, 1, 12, 0, 0).unwrap()));
    let mut dice = Dice(0x5eed);
    let start = Utc.with_ymd_and_hms(2025, 10, 2, 18, 0, 0).unwrap();
    let days = (Utc.with_ymd_and_hms(2026, 9, 30, 18, 0, 0).unwrap() - start).num_minutes();
    let filling = Instant::now();
    for _ in 0..n {
        let e = workload::encounter(&mut dice, start, days as usize);
        store.log_encounter(&e).unwrap();
    }
    println!("{n} encounters over a year logged in {:.1} s", filling.elapsed().as_secs_f64());

    // A year of earlier releases: every month by week, and the three quarters before this one
    // by month, for all zones and for each zone.
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let q = |from: NaiveDate, to: NaiveDate, by, zone: Option<&str>| TallyQuery { by, zone: zone.map(str::to_owned), ..TallyQuery::period(from, to) };
    let mut earlier = Vec::new();
    let mut month = d("2025-10-01");
    while month < d("2026-09-01") {
        earlier.push(q(month, month_end(month), Some(Granularity::Week), None));
        month = month_end(month) + Duration::days(1);
    }
    for quarter in ["2025-10-01", "2026-01-01", "2026-04-01"] {
        let from = d(quarter);
        let to = month_end(month_end(month_end(from) + Duration::days(1)) + Duration::days(1));
        for zone in std::iter::once(None).chain(workload::ZONES.iter().map(|z| Some(*z))) {
            earlier.push(q(from, to, Some(Granularity::Month), zone));
        }
    }
    let ledger = Instant::now();
    for query in &earlier {
        let dir = tempfile::tempdir().unwrap();
        let mut staged = store.stage_release(&[dir.path().join("report.json")]).unwrap();
        store.suppressed_report(query, Some(&mut staged)).unwrap();
        staged.publish().unwrap();
    }
    println!("{} earlier releases made (each audited against those before it) in {:.1} s", earlier.len(), ledger.elapsed().as_secs_f64());

    let quarter = q(d("2026-07-01"), d("2026-09-30"), Some(Granularity::Week), None);
    let t = Instant::now();
    let tally = store.tally(&quarter).unwrap();
    let (alone, _) = suppress_tally(&tally, quarter.by, 11);
    let alone_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let audited = store.suppressed_report(&quarter, None).unwrap();
    let ledger_ms = t.elapsed().as_secs_f64() * 1000.0;
    let values: usize = alone.iter().flat_map(|t| &t.rows).map(|r| r.cells.len() + r.total.iter().count()).sum();
    println!("{:<34} {:>10} {:>9} {:>8}   (of {values} values)", "the quarter by week, all zones", "time (ms)", "ratio", "hidden");
    println!("{:<34} {:>10.1} {:>9} {:>8}", "table by table (before)", alone_ms, "1", hidden(&alone));
    println!(
        "{:<34} {:>10.1} {:>9.0} {:>8}",
        "with the ledger",
        ledger_ms,
        ledger_ms / alone_ms.max(1e-3),
        hidden(&audited.tables)
    );
    println!(
        "ledger audit: {} earlier releases, {} small counts protected ({} by solutions found before), {} linear programs, {} values hidden for earlier releases",
        audited.earlier_releases, audited.targets, audited.spared, audited.programs, audited.hidden_for_earlier
    );
}
