//! A program's year of reports (`tests/common/year.rs`): 12 monthly reports, after each quarter
//! the quarter compared with the one before, two templates and one report per zone, then the
//! year; 41 releases over a few thousand encounters in four zones. Prints each release's time,
//! values hidden, headline values hidden and values hidden because of earlier releases, and
//! beside them the same report suppressed table by table alone (no ledger), timed in the same
//! run as the baseline.
//!
//! cargo bench -p satchel-core --bench year
//!
//! SATCHEL_BENCH_YEAR_N sets the number of encounters (default 3000), SATCHEL_BENCH_YEAR_MONTHS
//! the months (default 12). SATCHEL_BENCH_YEAR_STORE=DIR keeps the store in DIR: a later run
//! over the same DIR resumes the calendar after the releases it holds (to time the last ones
//! alone, again and again); SATCHEL_BENCH_YEAR_STEPS=K stops after K releases of this run.
// A benchmark: a failed unwrap stops it with its message.
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/across.rs"]
#[allow(dead_code)]
mod across;
#[path = "../tests/common/dice.rs"]
mod dice;
#[path = "../tests/common/workload.rs"]
mod workload;
#[path = "../tests/common/year.rs"]
mod year;

use std::time::Instant;

use chrono::{NaiveDate, TimeZone, Utc};
use satchel_core::crypto::KdfParams;
use satchel_core::{suppress_tally, CreateOptions, Role, Store};

fn main() {
    let n: usize = std::env::var("SATCHEL_BENCH_YEAR_N").ok().and_then(|v| v.parse().ok()).unwrap_or(3000);
    let months: u32 = std::env::var("SATCHEL_BENCH_YEAR_MONTHS").ok().and_then(|v| v.parse().ok()).unwrap_or(12);
    let temp = tempfile::tempdir().unwrap();
    let kept = std::env::var_os("SATCHEL_BENCH_YEAR_STORE").map(std::path::PathBuf::from);
    let dir = kept.clone().unwrap_or_else(|| temp.path().to_owned());
    let clock = std::sync::Arc::new(|| Utc.with_ymd_and_hms(2025, 12, 31, 23, 0, 0).unwrap());
    let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let store = if kept.is_some() && dir.join("satchel.db").exists() {
        let store = Store::open(&dir).unwrap().with_clock(clock);
        store.unlock_with_pin("2468").unwrap();
        store
    } else {
        let options = CreateOptions { role: Role::Manager, pin: "2468".into(), hardware: None, background: false, kdf: KdfParams { m_kib: 64, t: 1, p: 1 } };
        let store = Store::create(&dir, options).unwrap().with_clock(clock);
        year::fill(&store, first, months, n);
        store
    };
    let mut steps = year::calendar(first, months);
    let done = store.releases().unwrap().len();
    if done > 0 {
        println!("resuming after the {done} releases the store holds");
        steps.drain(..done.min(steps.len()));
    }
    if let Some(k) = std::env::var("SATCHEL_BENCH_YEAR_STEPS").ok().and_then(|v| v.parse().ok()) {
        steps.truncate(k);
    }
    let t = Instant::now();
    let (made, _) = year::release_all(&store, &steps);
    let total = t.elapsed().as_secs_f64();
    println!("{n} encounters, {} releases in {total:.1} s", made.len());
    println!("{:<28} {:>8} {:>8} {:>7} {:>7} {:>9} {:>9}", "release", "time (s)", "alone", "ratio", "values", "hidden", "headline");
    let mut worst: f64 = 0.0;
    for (m, step) in made.iter().zip(&steps) {
        let t = Instant::now();
        for q in &step.parts {
            let tally = store.tally(q).unwrap();
            let _ = suppress_tally(&tally, q.by, 11);
        }
        let alone = t.elapsed().as_secs_f64();
        worst = worst.max(m.seconds);
        println!(
            "{:<28} {:>8.2} {:>8.3} {:>7.0} {:>7} {:>4} ({:>3}) {:>9}",
            m.name,
            m.seconds,
            alone,
            m.seconds / alone.max(1e-6),
            m.values,
            m.hidden,
            m.for_earlier,
            m.headlines_hidden.len()
        );
        for (h, why) in m.headlines_hidden.iter().zip(&m.report.headlines_hidden) {
            println!("    headline hidden: {h} ({:?})", why.why);
        }
    }
    let hidden: usize = made.iter().map(|m| m.hidden).sum();
    let values: usize = made.iter().map(|m| m.values).sum();
    let headlines: usize = made.iter().map(|m| m.headlines_hidden.len()).sum();
    println!("all: {hidden} of {values} values hidden, {headlines} headline values hidden; slowest release {worst:.2} s");
}
