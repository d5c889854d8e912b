//! The suppression audit's cost: a quarter reported by week for all zones and for each zone,
//! with the attacker's linear programs against the one-equation pass alone (today's method
//! before the audit), measured in the same run; and how many more cells the audit hides.
//!
//! cargo bench -p satchel-core --bench suppress
//!
//! SATCHEL_BENCH_SUPPRESS_N sets the number of encounters (default 6000, a quarter of a
//! program with a few vans).
// A benchmark: a failed unwrap stops it with its message.
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/dice.rs"]
mod dice;
#[path = "../tests/common/workload.rs"]
mod workload;

use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use dice::Dice;
use satchel_core::crypto::KdfParams;
use satchel_core::suppress::{self, Cell, SuppressedTable};
use satchel_core::{CreateOptions, Granularity, Role, Store, TallyQuery};

fn hidden(tables: &[SuppressedTable]) -> usize {
    tables.iter().flat_map(|t| &t.rows).flat_map(|r| r.cells.iter().chain(&r.total)).filter(|c| **c == Cell::Suppressed).count()
}

fn main() {
    let n: usize = std::env::var("SATCHEL_BENCH_SUPPRESS_N").ok().and_then(|v| v.parse().ok()).unwrap_or(6000);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(
        dir.path(),
        CreateOptions { role: Role::Outreach, pin: "2468".into(), hardware: None, background: false, kdf: KdfParams { m_kib: 64, t: 1, p: 1 } },
    )
    .unwrap();
    let mut dice = Dice(0x5eed);
    let start = Utc.with_ymd_and_hms(2026, 7, 1, 18, 0, 0).unwrap();
    let filling = Instant::now();
    for _ in 0..n {
        let e = workload::encounter(&mut dice, start, 60 * 24 * 91);
        store.log_encounter(&e).unwrap();
    }
    println!("{n} encounters over a quarter logged in {:.1} s", filling.elapsed().as_secs_f64());
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    println!("{:<12} {:>10} {:>10} {:>7} {:>12} {:>12}", "report", "pass (ms)", "audit (ms)", "ratio", "hidden pass", "hidden audit");
    for zone in std::iter::once(None).chain(workload::ZONES.iter().map(|z| Some(*z))) {
        let q = TallyQuery { by: Some(Granularity::Week), zone: zone.map(str::to_owned), ..TallyQuery::period(d("2026-07-01"), d("2026-09-29")) };
        let tables = suppress::tables(&store.tally(&q).unwrap(), q.by);
        let time = |audit: bool| {
            let t = Instant::now();
            let out: Vec<SuppressedTable> = tables.iter().map(|t| suppress::suppress_with(t, 11, audit)).collect();
            (t.elapsed().as_secs_f64() * 1000.0, out)
        };
        let (pass_ms, pass) = time(false);
        let (audit_ms, audited) = time(true);
        println!(
            "{:<12} {:>10.1} {:>10.1} {:>7.0} {:>12} {:>12}",
            zone.unwrap_or("all zones"),
            pass_ms,
            audit_ms,
            audit_ms / pass_ms.max(1e-3),
            hidden(&pass),
            hidden(&audited)
        );
    }
}
