//! A program's year of reports, as a manager releases them: a report each month, and after each
//! quarter the quarter beside the quarter before (`--compare previous`), the funders' two
//! templates (each the quarter's report again, filled in another layout), the quarter for each
//! zone, and at the end the year. Every release goes through the ledger the way the manager's
//! tool makes it (staged files, recorded, published). Shared by `tests/program_year.rs` and
//! `benches/year.rs`.

use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use satchel_core::suppress::{is_headline, Cell};
use satchel_core::{SuppressedReport, Store, TallyQuery};

use crate::across::Released;
use crate::dice::Dice;
use crate::workload;

/// One release of the calendar: its name and its parts (the period before first, for a
/// comparison).
pub struct Step {
    pub name: String,
    pub parts: Vec<TallyQuery>,
}

fn month_end(first: NaiveDate) -> NaiveDate {
    first.checked_add_months(chrono::Months::new(1)).unwrap() - Duration::days(1)
}

/// The calendar of `months` months from `first` (a first of the month; `months` a multiple of
/// three for the quarters).
pub fn calendar(first: NaiveDate, months: u32) -> Vec<Step> {
    let q = |from, to, zone: Option<&str>| TallyQuery { zone: zone.map(str::to_owned), ..TallyQuery::period(from, to) };
    let mut steps = Vec::new();
    for m in 0..months {
        let from = first.checked_add_months(chrono::Months::new(m)).unwrap();
        steps.push(Step { name: format!("month {}", from.format("%Y-%m")), parts: vec![q(from, month_end(from), None)] });
        if m % 3 == 2 {
            let qfrom = first.checked_add_months(chrono::Months::new(m - 2)).unwrap();
            let qto = month_end(from);
            let before = qfrom.checked_sub_months(chrono::Months::new(3)).unwrap();
            let label = format!("Q{} {}", (qfrom.month() - 1) / 3 + 1, qfrom.year());
            steps.push(Step { name: format!("{label} compared"), parts: vec![q(before, qfrom - Duration::days(1), None), q(qfrom, qto, None)] });
            for t in ["SSP template", "naloxone template"] {
                steps.push(Step { name: format!("{label} {t}"), parts: vec![q(qfrom, qto, None)] });
            }
            for z in workload::ZONES {
                steps.push(Step { name: format!("{label} {z}"), parts: vec![q(qfrom, qto, Some(z))] });
            }
        }
    }
    let last = month_end(first.checked_add_months(chrono::Months::new(months - 1)).unwrap());
    steps.push(Step { name: "the year".into(), parts: vec![q(first, last, None)] });
    steps
}

/// A program's encounters: `n` over the `months` months from `first`, four zones.
pub fn fill(store: &Store, first: NaiveDate, months: u32, n: usize) {
    let mut dice = Dice(0x5eed_2026);
    let start = Utc.from_utc_datetime(&first.and_hms_opt(14, 0, 0).unwrap());
    let end = Utc.from_utc_datetime(&month_end(first.checked_add_months(chrono::Months::new(months - 1)).unwrap()).and_hms_opt(14, 0, 0).unwrap());
    let minutes = (end - start).num_minutes() as usize;
    for _ in 0..n {
        store.log_encounter(&workload::encounter(&mut dice, start, minutes)).unwrap();
    }
}

/// What one release did.
pub struct Made {
    pub name: String,
    pub seconds: f64,
    /// Values of the release (both periods of a comparison), and those hidden.
    pub values: usize,
    pub hidden: usize,
    /// Headline values hidden (`suppress::is_headline`), by table and column.
    pub headlines_hidden: Vec<String>,
    /// Values hidden because of earlier releases.
    pub for_earlier: usize,
    pub report: SuppressedReport,
}

/// Releases the calendar's steps one after another, each into a file of its own.
pub fn release_all(store: &Store, steps: &[Step]) -> (Vec<Made>, Vec<Released>) {
    let out = tempfile::tempdir().unwrap();
    let mut made = Vec::new();
    let mut released = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let t = Instant::now();
        let mut staged = store.stage_release(&[out.path().join(format!("{i}.json"))]).unwrap();
        let reports: Vec<SuppressedReport> = step.parts.iter().map(|q| store.suppressed_report(q, Some(&mut staged)).unwrap()).collect();
        serde_json::to_writer(staged.file(0).unwrap(), &reports.iter().map(|r| &r.tables).collect::<Vec<_>>()).unwrap();
        staged.publish().unwrap();
        let seconds = t.elapsed().as_secs_f64();
        let (mut values, mut hidden, mut for_earlier, mut headlines_hidden) = (0, 0, 0, Vec::new());
        for (q, r) in step.parts.iter().zip(&reports) {
            for t in &r.tables {
                for row in &t.rows {
                    let cells = row.cells.iter().enumerate().map(|(c, cell)| (Some(t.columns[c].as_str()), cell));
                    for (column, cell) in cells.chain(row.total.iter().map(|c| (None, c))) {
                        values += 1;
                        if *cell == Cell::Suppressed {
                            hidden += 1;
                            if row.part == "period" && is_headline(&t.name, column) {
                                headlines_hidden.push(format!("{} {}..{} {}", t.name, q.from, q.to, column.unwrap_or("total")));
                            }
                        }
                    }
                }
            }
            for_earlier += r.hidden_for_earlier;
            released.push(Released { from: q.from, to: q.to, zone: q.zone.clone(), tables: r.tables.clone() });
        }
        if std::env::var_os("SATCHEL_YEAR_PROGRESS").is_some() {
            let (targets, programs, spared) = reports.iter().fold((0, 0, 0), |(t, p, s), r| (t + r.targets, p + r.programs, s + r.spared));
            eprintln!("{:<28} {seconds:>8.2} s  {targets} small counts, {programs} programs, {spared} spared", step.name);
        }
        made.push(Made { name: step.name.clone(), seconds, values, hidden, headlines_hidden, for_earlier, report: reports.into_iter().last().unwrap() });
    }
    (made, released)
}
