//! Small-cell suppression, a pure step between tallies and every export.
//!
//! Primary suppression hides every count from 1 to threshold − 1. Complementary suppression then
//! hides more cells wherever a shown total would let a reader subtract one hidden cell back out:
//! each table declares which cells add up to which totals (a row's categories to the row total,
//! a column's buckets to the column total), and while any such sum has exactly one hidden term
//! (the total counts as a term), the smallest non-zero shown term of it is hidden too.

use serde::{Deserialize, Serialize};

use crate::tally::{Measures, Tally, NOT_RECORDED};

/// A table of exact counts: rows (buckets of time, then a total row), columns (categories).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountTable {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<CountRow>,
    /// True when the categories of a row partition its total (every encounter in exactly one
    /// column), so the row total is the sum of its cells.
    pub row_sums: bool,
    /// True when the last row is the sum of the others, column by column (additive measures
    /// over buckets). False for distinct counts such as unduplicated participants.
    pub column_sums: bool,
}

/// One row: a label, its cells, and the row total when `row_sums` is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountRow {
    pub label: String,
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
    pub cells: Vec<Cell>,
    pub total: Option<Cell>,
}

/// Position of a value in a table: (row, column), where column `None` is the row total.
type Pos = (usize, Option<usize>);

/// The sums a table declares, each as (terms, total).
pub fn sum_groups(t: &CountTable) -> Vec<(Vec<Pos>, Pos)> {
    let mut groups = Vec::new();
    let last = t.rows.len().saturating_sub(1);
    if t.row_sums {
        for r in 0..t.rows.len() {
            groups.push(((0..t.columns.len()).map(|c| (r, Some(c))).collect(), (r, None)));
        }
    }
    if t.column_sums && t.rows.len() >= 2 {
        for c in 0..t.columns.len() {
            groups.push(((0..last).map(|r| (r, Some(c))).collect(), (last, Some(c))));
        }
        if t.row_sums {
            groups.push(((0..last).map(|r| (r, None)).collect(), (last, None)));
        }
    }
    groups
}

fn value(t: &CountTable, (r, c): Pos) -> u64 {
    match c {
        Some(c) => t.rows[r].cells[c],
        None => t.rows[r].total.unwrap_or(0),
    }
}

/// Applies primary and complementary suppression with the program's threshold.
pub fn suppress(t: &CountTable, threshold: u32) -> SuppressedTable {
    let threshold = threshold as u64;
    let small = |n: u64| n >= 1 && n < threshold;
    let mut hidden: Vec<Vec<bool>> = t.rows.iter().map(|r| r.cells.iter().map(|&n| small(n)).collect()).collect();
    let mut hidden_total: Vec<bool> = t.rows.iter().map(|r| r.total.is_some_and(small)).collect();
    let groups = sum_groups(t);
    let is_hidden = |h: &Vec<Vec<bool>>, ht: &Vec<bool>, (r, c): Pos| match c {
        Some(c) => h[r][c],
        None => ht[r],
    };
    loop {
        let mut changed = false;
        for (terms, total) in &groups {
            let all = terms.iter().chain(std::iter::once(total));
            if all.filter(|p| is_hidden(&hidden, &hidden_total, **p)).count() != 1 {
                continue;
            }
            // Hide the smallest shown non-zero term; the total only when no term is left.
            let candidate = terms
                .iter()
                .filter(|p| !is_hidden(&hidden, &hidden_total, **p) && value(t, **p) > 0)
                .min_by_key(|p| value(t, **p))
                .or(Some(total).filter(|p| !is_hidden(&hidden, &hidden_total, **p) && value(t, **p) > 0));
            if let Some(&(r, c)) = candidate {
                match c {
                    Some(c) => hidden[r][c] = true,
                    None => hidden_total[r] = true,
                }
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let cell = |n: u64, h: bool| if h { Cell::Suppressed } else { Cell::Count(n) };
    SuppressedTable {
        name: t.name.clone(),
        columns: t.columns.clone(),
        rows: t
            .rows
            .iter()
            .enumerate()
            .map(|(r, row)| SuppressedRow {
                label: row.label.clone(),
                cells: row.cells.iter().enumerate().map(|(c, &n)| cell(n, hidden[r][c])).collect(),
                total: row.total.map(|n| cell(n, hidden_total[r])),
            })
            .collect(),
    }
}

/// The tallies as count tables: one row per bucket (or one for the whole period when there are
/// no buckets), then a total row.
pub fn tables(tally: &Tally) -> Vec<CountTable> {
    let mut rows: Vec<(String, &Measures)> =
        tally.buckets.iter().map(|b| (b.start.to_string(), &b.measures)).collect();
    rows.push(("total".into(), &tally.total));
    let keys = |f: &dyn Fn(&Measures) -> Vec<String>| {
        let mut all: Vec<String> = rows.iter().flat_map(|(_, m)| f(m)).collect();
        all.sort();
        all.dedup();
        // Keep "not recorded" last.
        if let Some(i) = all.iter().position(|k| k == NOT_RECORDED) {
            let k = all.remove(i);
            all.push(k);
        }
        all
    };
    let table = |name: &str, columns: Vec<String>, row_sums: bool, column_sums: bool, get: &dyn Fn(&Measures, &str) -> u64| {
        CountTable {
            name: name.into(),
            rows: rows
                .iter()
                .map(|(label, m)| CountRow {
                    label: label.clone(),
                    cells: columns.iter().map(|c| get(m, c)).collect(),
                    total: row_sums.then_some(m.encounters),
                })
                .collect(),
            columns,
            row_sums,
            column_sums,
        }
    };
    let map_get = |f: fn(&Measures) -> &std::collections::BTreeMap<String, u64>| {
        move |m: &Measures, k: &str| f(m).get(k).copied().unwrap_or(0)
    };
    let summary_columns = [
        "encounters",
        "new_participants",
        "syringes_distributed",
        "syringes_collected",
        "naloxone_doses_distributed",
        "overdose_reversals",
        "naloxone_doses_used",
        "collecting_for",
    ];
    vec![
        table("summary", summary_columns.iter().map(|s| s.to_string()).collect(), false, true, &|m, c| match c {
            "encounters" => m.encounters,
            "new_participants" => m.new_participants,
            "syringes_distributed" => m.syringes_distributed,
            "syringes_collected" => m.syringes_collected,
            "naloxone_doses_distributed" => m.naloxone_doses_distributed,
            "overdose_reversals" => m.overdose_reversals,
            "naloxone_doses_used" => m.naloxone_doses_used,
            _ => m.collecting_for,
        }),
        table("participants", vec!["unduplicated_participants".into()], false, false, &|m, _| m.participants),
        table("contact_type", keys(&|m| m.by_contact_type.keys().cloned().collect()), true, true, &map_get(|m| &m.by_contact_type)),
        table("zone", keys(&|m| m.by_zone.keys().cloned().collect()), true, true, &map_get(|m| &m.by_zone)),
        table("age_band", keys(&|m| m.by_age_band.keys().cloned().collect()), true, true, &map_get(|m| &m.by_age_band)),
        table("gender", keys(&|m| m.by_gender.keys().cloned().collect()), true, true, &map_get(|m| &m.by_gender)),
        table("items_units", keys(&|m| m.items.keys().cloned().collect()), false, true, &|m, k| {
            m.items.get(k).map(|t| t.units).unwrap_or(0)
        }),
        table("referrals", keys(&|m| m.referrals.keys().cloned().collect()), false, true, &map_get(|m| &m.referrals)),
        table("substances", keys(&|m| m.by_substance.keys().cloned().collect()), false, true, &map_get(|m| &m.by_substance)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn table(cells: Vec<Vec<u64>>, row_sums: bool) -> CountTable {
        let columns: Vec<String> = (0..cells[0].len()).map(|i| format!("c{i}")).collect();
        let mut rows: Vec<CountRow> = cells
            .into_iter()
            .enumerate()
            .map(|(i, cells)| CountRow { label: format!("r{i}"), total: row_sums.then(|| cells.iter().sum()), cells })
            .collect();
        let totals: Vec<u64> = (0..columns.len()).map(|c| rows.iter().map(|r| r.cells[c]).sum()).collect();
        rows.push(CountRow { label: "total".into(), total: row_sums.then(|| totals.iter().sum()), cells: totals });
        CountTable { name: "t".into(), columns, rows, row_sums, column_sums: true }
    }

    fn hidden_at(s: &SuppressedTable, (r, c): Pos) -> bool {
        match c {
            Some(c) => s.rows[r].cells[c] == Cell::Suppressed,
            None => s.rows[r].total == Some(Cell::Suppressed),
        }
    }

    #[test]
    fn a_lone_small_cell_takes_a_partner_with_it() {
        let t = table(vec![vec![40, 3, 25]], true);
        let s = suppress(&t, 11);
        assert_eq!(s.rows[0].cells, vec![Cell::Count(40), Cell::Suppressed, Cell::Suppressed]);
        assert_eq!(s.rows[0].total, Some(Cell::Count(68)));
    }

    #[test]
    fn zeros_and_large_counts_stay() {
        let t = table(vec![vec![0, 12], vec![11, 0]], true);
        let s = suppress(&t, 11);
        assert!(s.rows.iter().all(|r| r.cells.iter().all(|c| matches!(c, Cell::Count(_)))));
    }

    #[test]
    fn threshold_one_suppresses_nothing() {
        let t = table(vec![vec![1, 2, 3]], true);
        let s = suppress(&t, 1);
        assert_eq!(s.rows[0].cells, vec![Cell::Count(1), Cell::Count(2), Cell::Count(3)]);
    }

    proptest! {
        #[test]
        fn no_small_count_is_visible_or_derivable(
            cells in prop::collection::vec(prop::collection::vec(prop_oneof![0u64..15, 0u64..200], 1..6), 1..5),
            row_sums in any::<bool>(),
            threshold in 2u32..15,
        ) {
            let width = cells[0].len();
            let cells: Vec<Vec<u64>> = cells.into_iter().map(|mut r| { r.resize(width, 0); r }).collect();
            let t = table(cells, row_sums);
            let s = suppress(&t, threshold);
            let small = |n: u64| n >= 1 && n < threshold as u64;
            // No small count is shown.
            for (r, row) in s.rows.iter().enumerate() {
                for (c, cell) in row.cells.iter().enumerate() {
                    if small(t.rows[r].cells[c]) { prop_assert_eq!(*cell, Cell::Suppressed); }
                    if let Cell::Count(n) = cell { prop_assert_eq!(*n, t.rows[r].cells[c]); }
                }
                if let (Some(total), Some(cell)) = (t.rows[r].total, row.total) {
                    if small(total) { prop_assert_eq!(cell, Cell::Suppressed); }
                }
            }
            // No sum leaves exactly one hidden term to subtract back out.
            for (terms, total) in sum_groups(&t) {
                let hidden = terms.iter().chain(std::iter::once(&total)).filter(|p| hidden_at(&s, **p)).count();
                prop_assert_ne!(hidden, 1, "a single hidden term is derivable from the sum");
            }
        }
    }
}
