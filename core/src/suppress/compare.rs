//! A report against the period of equal length just before it.
//!
//! Both periods are suppressed reports in their own right, each audited against every earlier
//! release (the previous period is released first, so the current one is audited against it
//! too). A change is shown only where both counts are: a difference with one side hidden would
//! give the hidden count away (shown − change), so it is hidden with it.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::Serialize;

use super::{Cell, SuppressedTable};

/// The period of equal length that ends the day before `from`. A period of whole calendar
/// months compares with as many whole months before it (a quarter with the quarter before,
/// March with February), as a funder counts; any other with as many days.
pub fn previous_period(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    let before = from - Duration::days(1);
    let next = to + Duration::days(1);
    if from.day() == 1 && next.day() == 1 {
        let months = (next.year() - from.year()) * 12 + next.month() as i32 - from.month() as i32;
        if let Some(start) = from.checked_sub_months(Months::new(months as u32)) {
            return (start, before);
        }
    }
    let days = (to - from).num_days() + 1;
    (from - Duration::days(days), before)
}

/// One value of the current period beside the same measure before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Compared {
    pub current: Cell,
    pub previous: Cell,
    /// `current − previous`, only when both are shown.
    pub change: Option<i64>,
}

impl Compared {
    pub fn new(current: Cell, previous: Cell) -> Compared {
        let change = match (current, previous) {
            (Cell::Count(c), Cell::Count(p)) => Some(c as i64 - p as i64),
            _ => None,
        };
        Compared { current, previous, change }
    }
}

/// The whole-period values of a table beside the previous period's: by column id, then the
/// row total as `total`. A column the previous period does not have counted nothing then (the
/// tables list every key any row has), so it compares with 0.
pub fn compare_period(current: &SuppressedTable, previous: Option<&SuppressedTable>) -> Vec<(String, Compared)> {
    let period = |t: &SuppressedTable| t.rows.iter().find(|r| r.part == "period").cloned();
    let Some(now) = period(current) else { return Vec::new() };
    let before: BTreeMap<&str, Cell> = previous
        .and_then(|p| period(p).map(|r| (p, r)))
        .map(|(p, r)| {
            let mut m: BTreeMap<&str, Cell> = p.columns.iter().map(String::as_str).zip(r.cells.iter().copied()).collect();
            if let Some(t) = r.total {
                m.insert("total", t);
            }
            m
        })
        .unwrap_or_default();
    let was = |id: &str| before.get(id).copied().unwrap_or(Cell::Count(0));
    let mut out: Vec<(String, Compared)> =
        current.columns.iter().zip(&now.cells).map(|(c, cell)| (c.clone(), Compared::new(*cell, was(c)))).collect();
    if let Some(total) = now.total {
        out.insert(0, ("total".into(), Compared::new(total, was("total"))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suppress::SuppressedRow;
    use proptest::prelude::*;

    fn cell() -> impl Strategy<Value = Cell> {
        prop_oneof![Just(Cell::Suppressed), (0u64..50).prop_map(Cell::Count)]
    }

    fn table(columns: &[&str], cells: Vec<Cell>, total: Option<Cell>) -> SuppressedTable {
        SuppressedTable {
            name: "t".into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: vec![SuppressedRow { label: "total".into(), part: "period".into(), cells, total }],
        }
    }

    #[test]
    fn the_previous_period_has_the_same_length_and_ends_the_day_before() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(previous_period(d("2026-04-01"), d("2026-06-30")), (d("2026-01-01"), d("2026-03-31")));
        assert_eq!(previous_period(d("2026-03-01"), d("2026-03-31")), (d("2026-02-01"), d("2026-02-28")));
        assert_eq!(previous_period(d("2026-03-01"), d("2026-03-01")), (d("2026-02-28"), d("2026-02-28")));
        assert_eq!(previous_period(d("2026-03-10"), d("2026-03-23")), (d("2026-02-24"), d("2026-03-09")));
    }

    proptest! {
        /// Whatever the cells, no hidden count of either period can be worked out from what is
        /// shown: a change appears only beside two shown counts, and is their difference.
        #[test]
        fn no_hidden_count_follows_from_a_comparison(now in proptest::collection::vec(cell(), 3), before in proptest::collection::vec(cell(), 3), t1 in cell(), t0 in cell()) {
            let cur = table(&["a", "b", "c"], now.clone(), Some(t1));
            let prev = table(&["a", "b", "c"], before.clone(), Some(t0));
            let out = compare_period(&cur, Some(&prev));
            prop_assert_eq!(out.len(), 4);
            for (id, c) in out {
                let i = ["total", "a", "b", "c"].iter().position(|x| *x == id).unwrap();
                let (n, p) = if i == 0 { (t1, t0) } else { (now[i - 1], before[i - 1]) };
                prop_assert_eq!((c.current, c.previous), (n, p), "the values are each period's own, suppressed as released");
                match (n, p) {
                    (Cell::Count(a), Cell::Count(b)) => prop_assert_eq!(c.change, Some(a as i64 - b as i64)),
                    _ => prop_assert_eq!(c.change, None, "a change beside a hidden count would reveal it"),
                }
            }
        }
    }

    #[test]
    fn a_column_the_previous_period_lacks_counted_nothing() {
        let cur = table(&["zone/a", "zone/b"], vec![Cell::Count(20), Cell::Count(30)], Some(Cell::Count(50)));
        let prev = table(&["zone/a"], vec![Cell::Count(12)], Some(Cell::Count(12)));
        let out = compare_period(&cur, Some(&prev));
        assert_eq!(out[0], ("total".into(), Compared::new(Cell::Count(50), Cell::Count(12))));
        assert_eq!(out[2].1.previous, Cell::Count(0));
        assert_eq!(out[2].1.change, Some(30));
    }
}
