//! A program's year of reports (`common/year.rs`) through the ledger: no headline value is
//! hidden, the templates of a quarter show what the quarter's report shows, every release is in
//! the ledger once, and an attacker holding every report, written apart from the suppressor
//! (`common/across.rs`), narrows no small count below the rule. The times and the full year
//! are measured by `benches/year.rs`; here the calendar runs over `SATCHEL_YEAR_MONTHS` months
//! (default 3: one quarter, 11 releases) to keep the test command short.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/across.rs"]
mod across;
#[path = "common/dice.rs"]
mod dice;
#[path = "common/workload.rs"]
mod workload;
#[path = "common/year.rs"]
mod year;

use chrono::{NaiveDate, TimeZone, Utc};
use common::*;
use satchel_core::suppress::Why;
use satchel_core::Role;

#[test]
fn a_year_of_reports_keeps_its_headlines_agrees_with_itself_and_pins_no_small_count() {
    let months: u32 = std::env::var("SATCHEL_YEAR_MONTHS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let store = new_store(dir.path(), Role::Manager, &TestClock::at(Utc.with_ymd_and_hms(2025, 12, 31, 23, 0, 0).unwrap()));
    year::fill(&store, first, months, 250 * months as usize);
    let steps = year::calendar(first, months);
    let (made, released) = year::release_all(&store, &steps);

    // The totals a funder reads first (encounters, syringes, naloxone doses) are hidden only
    // when they are small counts themselves; other headlines hidden are counted (goal: none)
    // and each carries its reason.
    let (mut small, mut other) = (0, Vec::new());
    for m in &made {
        assert_eq!(m.headlines_hidden.len(), m.report.headlines_hidden.len(), "{}", m.name);
        for h in &m.report.headlines_hidden {
            if h.why == Why::SmallCount {
                small += 1;
            } else {
                assert!(h.column.is_some(), "{}: the total of {} hidden: {h:?}", m.name, h.table);
                other.push(format!("{}: {h:?}", m.name));
            }
        }
    }
    println!("headline values hidden: {small} small counts, {} others {other:?}", other.len());
    // A template is the quarter's report in another layout: the same values, shown or hidden.
    for m in made.iter().filter(|m| m.name.ends_with("template")) {
        let quarter = m.name.split(" SSP").next().unwrap().split(" naloxone").next().unwrap();
        let compared = made.iter().find(|c| c.name == format!("{quarter} compared")).unwrap();
        assert_eq!(m.report.tables, compared.report.tables, "{} and the quarter's report disagree", m.name);
    }
    let list = store.releases().unwrap();
    assert_eq!(list.len(), steps.len(), "one release per report");
    assert!(list.iter().all(|r| r.state == "released" && r.files.len() == 1));

    let hidden: usize = made.iter().map(|m| m.hidden).sum();
    let values: usize = made.iter().map(|m| m.values).sum();
    let slowest = made.iter().max_by(|a, b| a.seconds.total_cmp(&b.seconds)).unwrap();
    println!(
        "{} releases: {hidden} of {values} values hidden, {} because of earlier releases; slowest {} ({:.1} s, {} build)",
        made.len(),
        made.iter().map(|m| m.for_earlier).sum::<usize>(),
        slowest.name,
        slowest.seconds,
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    let (width, at) = across::narrowest(&store, &released, 11);
    assert!(width >= 11.0 - 1e-6, "an attacker holding every report narrows a small count to {width}: {at}");
}
