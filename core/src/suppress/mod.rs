//! Small-cell suppression, a pure step between tallies and every export.
//!
//! Primary suppression hides every count from 1 to threshold − 1. Complementary suppression then
//! hides more cells wherever the shown cells would let a reader work a hidden one back out. Each
//! table declares the equations between its cells: every breakdown of a row adds up to the row
//! total (contact types, zones, age bands and genders all add up to the encounters), and rows add
//! up to other rows (months and weeks to the period; complete weeks to the months they cover).
//! While any equation has exactly one hidden cell, the smallest non-zero shown cell of it is
//! hidden too, until nothing changes. Then the attacker's audit (`audit`) solves, for each
//! hidden small count, the linear programs an attacker would, and hides more until none can
//! be narrowed below the threshold.
//!
//! Every count of a tally appears in exactly one table, so no equation crosses tables.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::tally::{Granularity, Tally};

pub mod audit;
pub mod compare;
pub mod ledger;
pub mod persons;
pub mod sums;
mod tables;

pub use tables::{tables, SUMMARY_COLUMNS};

/// The values a funder reads first, in a report's whole-period row: the encounters, persons
/// served, new persons, syringes distributed and collected, naloxone doses, and each table's
/// total. The audit across releases hides them last (D79), and a report says why beside one
/// that is hidden.
pub fn is_headline(table: &str, column: Option<&str>) -> bool {
    match column {
        None => true,
        Some(c) => matches!(
            (table, c),
            ("summary", "new_persons" | "syringes_collected")
        ),
    }
}

/// Why a headline value of a report is hidden, in words a funder reads beside it (D79).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// The count itself is from 1 to the threshold − 1.
    SmallCount,
    /// Shown, it would let a reader work out a small count of this report.
    ProtectsSmallCount,
    /// Shown, it would let a reader work out a small count together with earlier releases.
    EarlierReleases,
    /// An earlier release of the same period hid it; it stays hidden so the reports agree.
    HiddenBefore,
}

impl Why {
    pub fn words(self, threshold: u32) -> String {
        match self {
            Why::SmallCount => format!("fewer than {threshold}: not shown, to protect the people counted"),
            Why::ProtectsSmallCount => "not shown: with the other numbers of this report it would reveal a small count".into(),
            Why::EarlierReleases => {
                "not shown: with the reports released before (satchel releases) it would reveal a small count".into()
            }
            Why::HiddenBefore => "not shown, as in the earlier report of the same period".into(),
        }
    }
}

/// A headline value of a report that is hidden, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HiddenHeadline {
    pub table: String,
    /// The column's id; `None` for the table's total.
    pub column: Option<String>,
    pub why: Why,
}

/// A table of exact counts: rows (buckets of time, then the whole period), columns (categories).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountTable {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<CountRow>,
    /// Sets of columns whose cells add up to the row's total, one set per breakdown. Empty when
    /// rows carry no total.
    pub row_partitions: Vec<Vec<usize>>,
    /// Equalities between rows: for every column (and for the row totals), the cells of the
    /// left rows add up to the cells of the right rows. None for distinct counts.
    pub row_equalities: Vec<(Vec<usize>, Vec<usize>)>,
}

/// One row: a label, what it covers, its cells, and its total when the table has breakdowns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountRow {
    pub label: String,
    /// "day", "week", "month" or "period".
    pub part: String,
    pub cells: Vec<u64>,
    pub total: Option<u64>,
}

/// A cell after suppression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    Count(u64),
    Suppressed,
}

impl Cell {
    pub fn count(self) -> Option<u64> {
        match self {
            Cell::Count(n) => Some(n),
            Cell::Suppressed => None,
        }
    }
}

/// A table ready to export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressedTable {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<SuppressedRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressedRow {
    pub label: String,
    pub part: String,
    pub cells: Vec<Cell>,
    pub total: Option<Cell>,
}

/// Position of a value in a table: (row, column), where column `None` is the row total.
pub type Pos = (usize, Option<usize>);

/// The equations a table declares, each as (left cells, right cells) with equal sums.
pub fn equations(t: &CountTable) -> Vec<(Vec<Pos>, Vec<Pos>)> {
    let mut out = Vec::new();
    for r in 0..t.rows.len() {
        for part in &t.row_partitions {
            out.push((part.iter().map(|&c| (r, Some(c))).collect(), vec![(r, None)]));
        }
    }
    let with_totals = !t.row_partitions.is_empty();
    for (left, right) in &t.row_equalities {
        let side = |rows: &Vec<usize>, c: Option<usize>| rows.iter().map(|&r| (r, c)).collect::<Vec<Pos>>();
        for c in 0..t.columns.len() {
            out.push((side(left, Some(c)), side(right, Some(c))));
        }
        if with_totals {
            out.push((side(left, None), side(right, None)));
        }
    }
    out
}

fn value(t: &CountTable, (r, c): Pos) -> u64 {
    match c {
        Some(c) => t.rows[r].cells[c],
        None => t.rows[r].total.unwrap_or(0),
    }
}

/// Applies primary and complementary suppression with the program's threshold, then the
/// attacker's audit: further cells are hidden until no hidden small count can be narrowed
/// below the threshold from what the table shows ([`audit::protected`]).
/// Whether the value at `p` is a headline of the whole period ([`is_headline`]).
pub(crate) fn headline(t: &CountTable, (r, c): Pos) -> bool {
    t.rows[r].part == "period" && is_headline(&t.name, c.map(|c| t.columns[c].as_str()))
}

pub fn suppress(t: &CountTable, threshold: u32) -> SuppressedTable {
    suppress_with(t, threshold, true)
}

/// [`suppress`], with or without the attacker's audit: without it only for the tests and the
/// benchmark that show what the audit adds. Exports always call [`suppress`].
#[doc(hidden)]
pub fn suppress_with(t: &CountTable, threshold: u32, audit: bool) -> SuppressedTable {
    suppress_forced(t, threshold, audit, &BTreeSet::new())
}

/// [`suppress_with`], with `forced` values hidden as a small count is: protected by the
/// report's own suppression so that an attacker's interval for each stays at least the
/// threshold wide (counts of persons that other counts would otherwise pin, D92).
pub(crate) fn suppress_forced(t: &CountTable, threshold: u32, audit: bool, forced: &BTreeSet<Pos>) -> SuppressedTable {
    let threshold = threshold as u64;
    let small = |n: u64| n >= 1 && n < threshold;
    let positions = || {
        t.rows.iter().enumerate().flat_map(|(r, row)| {
            (0..row.cells.len()).map(move |c| (r, Some(c))).chain(row.total.map(|_| (r, None)))
        })
    };
    let primary: Vec<Pos> = positions().filter(|p| small(value(t, *p)) || forced.contains(p)).collect();
    let mut hidden: BTreeSet<Pos> = primary.iter().copied().collect();
    let eqs = equations(t);
    // The quick pass: an equation with exactly one hidden value would give it away.
    loop {
        let mut changed = false;
        for (left, right) in &eqs {
            if left.iter().chain(right).filter(|p| hidden.contains(p)).count() != 1 {
                continue;
            }
            // Hide the smallest shown non-zero cell, from the left side (the finer breakdown)
            // when it has one.
            // A headline of the whole period only when nothing else in the equation can be (D79).
            let pick = |side: &Vec<Pos>, headlines: bool| {
                side.iter()
                    .filter(|p| !hidden.contains(p) && value(t, **p) > 0 && headline(t, **p) == headlines)
                    .min_by_key(|p| value(t, **p))
                    .copied()
            };
            if let Some(p) = pick(left, false).or_else(|| pick(right, false)).or_else(|| pick(left, true)).or_else(|| pick(right, true)) {
                hidden.insert(p);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // The attacker's audit: sums over several hidden cells can still pin one down.
    if audit {
        audit::protect(t, &mut hidden, &primary, threshold);
        // A value the audit hid that one equation now gives away exactly tells an attacker
        // nothing new: show it again (this cannot narrow anything else).
        let primary: BTreeSet<Pos> = primary.iter().copied().collect();
        loop {
            let lone = eqs.iter().find_map(|(left, right)| {
                let mut h = left.iter().chain(right).filter(|p| hidden.contains(p));
                match (h.next(), h.next()) {
                    (Some(p), None) if !primary.contains(p) => Some(*p),
                    _ => None,
                }
            });
            match lone {
                Some(p) => hidden.remove(&p),
                None => break,
            };
        }
    }
    let cell = |n: u64, p: Pos| if hidden.contains(&p) { Cell::Suppressed } else { Cell::Count(n) };
    SuppressedTable {
        name: t.name.clone(),
        columns: t.columns.clone(),
        rows: t
            .rows
            .iter()
            .enumerate()
            .map(|(r, row)| SuppressedRow {
                label: row.label.clone(),
                part: row.part.clone(),
                cells: row.cells.iter().enumerate().map(|(c, &n)| cell(n, (r, Some(c)))).collect(),
                total: row.total.map(|n| cell(n, (r, None))),
            })
            .collect(),
    }
}

/// Every table of a tally after suppression, and the syringe return ratio of the period when
/// both of its counts are shown. Each table is audited on its own: reports that are released
/// go through [`crate::Store::suppressed_report`], which also audits against earlier releases.
pub fn suppress_tally(tally: &Tally, by: Option<Granularity>, threshold: u32) -> (Vec<SuppressedTable>, Option<f64>) {
    let out: Vec<SuppressedTable> = tables(tally, by).iter().map(|t| suppress(t, threshold)).collect();
    let ratio = return_ratio(&out);
    (out, ratio)
}

/// The syringe return ratio of the period (syringes collected, counted and estimated from
/// containers, per syringe distributed), when all of its counts are shown (a ratio of a shown
/// and a hidden count would give the hidden one away).
pub fn return_ratio(tables: &[SuppressedTable]) -> Option<f64> {
    let table = |name: &str| tables.iter().find(|t| t.name == name);
    let period = |name: &str| table(name).and_then(|t| t.rows.last());
    let summary = |column: &str| -> Option<u64> {
        let t = table("summary")?;
        let i = t.columns.iter().position(|c| c == column)?;
        t.rows.last()?.cells.get(i)?.count()
    };
    let collected = summary("syringes_collected")?.checked_add(summary("syringes_estimated")?)?;
    let distributed = period("syringes_distributed").and_then(|r| r.total.and_then(Cell::count))?;
    (distributed > 0).then(|| collected as f64 / distributed as f64)
}

/// Syringes distributed per person who received syringes over the period (individual
/// coverage), when both counts are shown.
pub fn syringes_per_person(tables: &[SuppressedTable]) -> Option<f64> {
    let period = |name: &str| tables.iter().find(|t| t.name == name).and_then(|t| t.rows.last().map(|r| (t, r)));
    let distributed = period("syringes_distributed").and_then(|(_, r)| r.total.and_then(Cell::count))?;
    let (t, row) = period("persons_receiving")?;
    let i = t.columns.iter().position(|c| c == crate::tally::people::category_id(crate::settings::ItemCategory::Syringes))?;
    let persons = row.cells.get(i)?.count()?;
    (persons > 0).then(|| distributed as f64 / persons as f64)
}

#[cfg(test)]
mod tests;
