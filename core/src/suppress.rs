//! Small-cell suppression, a pure step between tallies and every export.
//!
//! Primary suppression hides every count from 1 to threshold − 1. Complementary suppression then
//! hides more cells wherever a shown total would let a reader subtract one hidden cell back out:
//! each table declares which cells add up to which (a row's categories to the row total; the
//! rows of a partition of the period — months, weeks — to the period row, column by column), and
//! while any such sum has exactly one hidden term (the total counts as a term), the smallest
//! non-zero shown term of it is hidden too, until nothing changes.
//!
//! Every count of a tally appears in exactly one table, so no sum crosses tables: syringes
//! distributed are the row total of the syringe items, naloxone doses the row total of the
//! naloxone items, and the weekly trend shares its period row with the months.

use serde::{Deserialize, Serialize};

use crate::settings::ItemCategory;
use crate::tally::{Bucket, Granularity, Measures, Tally, NOT_RECORDED};

/// A table of exact counts: rows (buckets of time, then the whole period), columns (categories).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountTable {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<CountRow>,
    /// True when each row's total is the sum of its cells.
    pub row_sums: bool,
    /// Partitions of the rows: each (rows, total_row) says that, column by column (and for the
    /// row totals), the cells of `rows` add up to the cell of `total_row`. Empty for distinct
    /// counts such as unduplicated participants.
    pub column_sums: Vec<(Vec<usize>, usize)>,
}

/// One row: a label, what it covers, its cells, and its total when `row_sums` is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountRow {
    pub label: String,
    /// "month", "week" or "period".
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

/// The sums a table declares, each as (terms, total).
pub fn sum_groups(t: &CountTable) -> Vec<(Vec<Pos>, Pos)> {
    let mut groups = Vec::new();
    if t.row_sums {
        for r in 0..t.rows.len() {
            groups.push(((0..t.columns.len()).map(|c| (r, Some(c))).collect(), (r, None)));
        }
    }
    for (rows, total_row) in &t.column_sums {
        for c in 0..t.columns.len() {
            groups.push((rows.iter().map(|&r| (r, Some(c))).collect(), (*total_row, Some(c))));
        }
        if t.row_sums {
            groups.push((rows.iter().map(|&r| (r, None)).collect(), (*total_row, None)));
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
                part: row.part.clone(),
                cells: row.cells.iter().enumerate().map(|(c, &n)| cell(n, hidden[r][c])).collect(),
                total: row.total.map(|n| cell(n, hidden_total[r])),
            })
            .collect(),
    }
}

/// The tallies as count tables. Rows: the requested buckets, then the weeks of the trend (when
/// they differ from the buckets), then the whole period.
pub fn tables(tally: &Tally, by: Option<Granularity>) -> Vec<CountTable> {
    let part = match by {
        Some(Granularity::Month) => "month",
        _ => "week",
    };
    let mut rows: Vec<(String, &str, &Measures)> = Vec::new();
    let labelled = |b: &Bucket| b.start.to_string();
    let mut partitions: Vec<Vec<usize>> = Vec::new();
    if !tally.buckets.is_empty() {
        partitions.push((0..tally.buckets.len()).collect());
        rows.extend(tally.buckets.iter().map(|b| (labelled(b), part, &b.measures)));
    }
    if by != Some(Granularity::Week) {
        let start = rows.len();
        rows.extend(tally.weekly.iter().map(|b| (labelled(b), "week", &b.measures)));
        partitions.push((start..rows.len()).collect());
    }
    let total_row = rows.len();
    rows.push(("total".into(), "period", &tally.total));
    let column_sums: Vec<(Vec<usize>, usize)> = partitions.into_iter().map(|p| (p, total_row)).collect();

    let keys = |f: &dyn Fn(&Measures) -> Vec<String>| {
        let mut all: Vec<String> = rows.iter().flat_map(|(_, _, m)| f(m)).collect();
        all.sort();
        all.dedup();
        if let Some(i) = all.iter().position(|k| k == NOT_RECORDED) {
            let k = all.remove(i);
            all.push(k);
        }
        all
    };
    let item_keys = |pick: &dyn Fn(ItemCategory) -> bool| {
        keys(&|m| m.items.iter().filter(|(_, t)| pick(t.category)).map(|(k, _)| k.clone()).collect())
    };
    type Get<'a> = &'a dyn Fn(&Measures, &str) -> u64;
    type Total<'a> = Option<&'a dyn Fn(&Measures) -> u64>;
    let table = |name: &str, columns: Vec<String>, total: Total, additive: bool, get: Get| CountTable {
        name: name.into(),
        rows: rows
            .iter()
            .map(|(label, part, m)| CountRow {
                label: label.clone(),
                part: (*part).into(),
                cells: columns.iter().map(|c| get(m, c)).collect(),
                total: total.map(|f| f(m)),
            })
            .collect(),
        columns,
        row_sums: total.is_some(),
        column_sums: if additive { column_sums.clone() } else { Vec::new() },
    };
    let encounters: &dyn Fn(&Measures) -> u64 = &|m| m.encounters;
    let map_get = |f: fn(&Measures) -> &std::collections::BTreeMap<String, u64>| {
        move |m: &Measures, k: &str| f(m).get(k).copied().unwrap_or(0)
    };
    let units = |m: &Measures, k: &str| m.items.get(k).map(|t| t.units).unwrap_or(0);
    let doses = |m: &Measures, k: &str| m.items.get(k).map(|t| t.doses).unwrap_or(0);
    let summary = ["encounters", "new_participants", "syringes_collected", "overdose_reversals", "naloxone_doses_used", "collecting_for"];
    vec![
        table("summary", summary.iter().map(|s| s.to_string()).collect(), None, true, &|m, c| match c {
            "encounters" => m.encounters,
            "new_participants" => m.new_participants,
            "syringes_collected" => m.syringes_collected,
            "overdose_reversals" => m.overdose_reversals,
            "naloxone_doses_used" => m.naloxone_doses_used,
            _ => m.collecting_for,
        }),
        table("participants", vec!["unduplicated_participants".into()], None, false, &|m, _| m.participants),
        table("contact_type", keys(&|m| m.by_contact_type.keys().cloned().collect()), Some(encounters), true, &map_get(|m| &m.by_contact_type)),
        table("zone", keys(&|m| m.by_zone.keys().cloned().collect()), Some(encounters), true, &map_get(|m| &m.by_zone)),
        table("age_band", keys(&|m| m.by_age_band.keys().cloned().collect()), Some(encounters), true, &map_get(|m| &m.by_age_band)),
        table("gender", keys(&|m| m.by_gender.keys().cloned().collect()), Some(encounters), true, &map_get(|m| &m.by_gender)),
        table("syringes_distributed", item_keys(&|c| c == ItemCategory::Syringes), Some(&|m| m.syringes_distributed), true, &units),
        table("naloxone_doses_distributed", item_keys(&|c| c == ItemCategory::Naloxone), Some(&|m| m.naloxone_doses_distributed), true, &doses),
        table("other_supplies_units", item_keys(&|c| !matches!(c, ItemCategory::Syringes | ItemCategory::Naloxone)), None, true, &units),
        table("referrals", keys(&|m| m.referrals.keys().cloned().collect()), None, true, &map_get(|m| &m.referrals)),
        table("substances", keys(&|m| m.by_substance.keys().cloned().collect()), None, true, &map_get(|m| &m.by_substance)),
    ]
}

/// Every table of a tally after suppression, and the syringe return ratio of the period when
/// both of its counts are shown.
pub fn suppress_tally(tally: &Tally, by: Option<Granularity>, threshold: u32) -> (Vec<SuppressedTable>, Option<f64>) {
    let out: Vec<SuppressedTable> = tables(tally, by).iter().map(|t| suppress(t, threshold)).collect();
    let period_total = |name: &str| {
        out.iter().find(|t| t.name == name).and_then(|t| t.rows.last()).map(|r| (r.cells.clone(), r.total))
    };
    let collected = period_total("summary").and_then(|(cells, _)| cells.get(2).and_then(|c| c.count()));
    let distributed = period_total("syringes_distributed").and_then(|(_, total)| total.and_then(Cell::count));
    let ratio = match (collected, distributed) {
        (Some(c), Some(d)) if d > 0 => Some(c as f64 / d as f64),
        _ => None,
    };
    (out, ratio)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Rows `cells` (as weeks), their pairwise sums (as months) and the period, all sums declared.
    fn table(cells: Vec<Vec<u64>>, row_sums: bool) -> CountTable {
        let width = cells[0].len();
        let columns: Vec<String> = (0..width).map(|i| format!("c{i}")).collect();
        let row = |label: String, part: &str, cells: Vec<u64>| CountRow {
            label,
            part: part.into(),
            total: row_sums.then(|| cells.iter().sum()),
            cells,
        };
        let weeks = cells.len();
        let months: Vec<Vec<u64>> =
            cells.chunks(2).map(|pair| (0..width).map(|c| pair.iter().map(|r| r[c]).sum()).collect()).collect();
        let total: Vec<u64> = (0..width).map(|c| cells.iter().map(|r| r[c]).sum()).collect();
        let mut rows: Vec<CountRow> = cells.into_iter().enumerate().map(|(i, c)| row(format!("w{i}"), "week", c)).collect();
        let month_count = months.len();
        rows.extend(months.into_iter().enumerate().map(|(i, c)| row(format!("m{i}"), "month", c)));
        rows.push(row("total".into(), "period", total));
        let total_row = rows.len() - 1;
        CountTable {
            name: "t".into(),
            columns,
            rows,
            row_sums,
            column_sums: vec![((0..weeks).collect(), total_row), ((weeks..weeks + month_count).collect(), total_row)],
        }
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
            cells in prop::collection::vec(prop::collection::vec(prop_oneof![0u64..15, 0u64..200], 1..6), 1..6),
            row_sums in any::<bool>(),
            threshold in 2u32..15,
        ) {
            let width = cells[0].len();
            let cells: Vec<Vec<u64>> = cells.into_iter().map(|mut r| { r.resize(width, 0); r }).collect();
            let t = table(cells, row_sums);
            let s = suppress(&t, threshold);
            let small = |n: u64| n >= 1 && n < threshold as u64;
            // No small count is shown, and shown counts are exact.
            for (r, row) in s.rows.iter().enumerate() {
                for (c, cell) in row.cells.iter().enumerate() {
                    if small(t.rows[r].cells[c]) { prop_assert_eq!(*cell, Cell::Suppressed); }
                    if let Cell::Count(n) = cell { prop_assert_eq!(*n, t.rows[r].cells[c]); }
                }
                if let (Some(total), Some(cell)) = (t.rows[r].total, row.total) {
                    if small(total) { prop_assert_eq!(cell, Cell::Suppressed); }
                }
            }
            // No declared sum leaves exactly one hidden term to subtract back out.
            for (terms, total) in sum_groups(&t) {
                let hidden = terms.iter().chain(std::iter::once(&total)).filter(|p| hidden_at(&s, **p)).count();
                prop_assert_ne!(hidden, 1, "a single hidden term is derivable from its sum");
            }
        }
    }
}
