//! Small-cell suppression, a pure step between tallies and every export.
//!
//! Primary suppression hides every count from 1 to threshold − 1. Complementary suppression then
//! hides more cells wherever the shown cells would let a reader work a hidden one back out. Each
//! table declares the equations between its cells: every breakdown of a row adds up to the row
//! total (contact types, zones, age bands and genders all add up to the encounters), and rows add
//! up to other rows (months and weeks to the period; complete weeks to the months they cover).
//! While any equation has exactly one hidden cell, the smallest non-zero shown cell of it is
//! hidden too, until nothing changes.
//!
//! Every count of a tally appears in exactly one table, so no equation crosses tables.

use serde::{Deserialize, Serialize};

use crate::settings::ItemCategory;
use crate::tally::{Granularity, Measures, Tally, NOT_RECORDED};

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

/// Applies primary and complementary suppression with the program's threshold.
pub fn suppress(t: &CountTable, threshold: u32) -> SuppressedTable {
    let threshold = threshold as u64;
    let small = |n: u64| n >= 1 && n < threshold;
    let mut hidden: Vec<Vec<bool>> = t.rows.iter().map(|r| r.cells.iter().map(|&n| small(n)).collect()).collect();
    let mut hidden_total: Vec<bool> = t.rows.iter().map(|r| r.total.is_some_and(small)).collect();
    let eqs = equations(t);
    let is_hidden = |h: &Vec<Vec<bool>>, ht: &Vec<bool>, (r, c): Pos| match c {
        Some(c) => h[r][c],
        None => ht[r],
    };
    loop {
        let mut changed = false;
        for (left, right) in &eqs {
            if left.iter().chain(right).filter(|p| is_hidden(&hidden, &hidden_total, **p)).count() != 1 {
                continue;
            }
            // Hide the smallest shown non-zero cell, from the left side (the finer breakdown)
            // when it has one.
            let pick = |side: &Vec<Pos>| {
                side.iter()
                    .filter(|p| !is_hidden(&hidden, &hidden_total, **p) && value(t, **p) > 0)
                    .min_by_key(|p| value(t, **p))
                    .copied()
            };
            if let Some((r, c)) = pick(left).or_else(|| pick(right)) {
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

/// Row equalities of a tally's rows: each partition of the period adds up to the period row, and
/// wherever a run of buckets and a run of weeks cover exactly the same days, they add up alike.
fn row_equalities(
    buckets: &[(chrono::NaiveDate, chrono::NaiveDate)],
    weeks: &[(chrono::NaiveDate, chrono::NaiveDate)],
    bucket_rows: &[usize],
    week_rows: &[usize],
    period_row: usize,
) -> Vec<(Vec<usize>, Vec<usize>)> {
    let mut out = Vec::new();
    for rows in [bucket_rows, week_rows] {
        if !rows.is_empty() {
            out.push((rows.to_vec(), vec![period_row]));
        }
    }
    if bucket_rows.is_empty() || week_rows.is_empty() {
        return out;
    }
    // Common end dates split the period into segments both partitions cover exactly.
    let (mut b, mut w) = (0, 0);
    let (mut b_start, mut w_start) = (0, 0);
    while b < buckets.len() && w < weeks.len() {
        let (be, we) = (buckets[b].1, weeks[w].1);
        if be == we {
            let seg_b = &bucket_rows[b_start..=b];
            let seg_w = &week_rows[w_start..=w];
            if seg_b.len() < bucket_rows.len() || seg_w.len() < week_rows.len() {
                out.push((seg_w.to_vec(), seg_b.to_vec()));
            }
            b += 1;
            w += 1;
            b_start = b;
            w_start = w;
        } else if be < we {
            b += 1;
        } else {
            w += 1;
        }
    }
    out
}

/// The tallies as count tables. Rows: the requested buckets, then the weeks of the trend (when
/// they differ from the buckets), then the whole period.
pub fn tables(tally: &Tally, by: Option<Granularity>) -> Vec<CountTable> {
    let part = match by {
        Some(Granularity::Month) => "month",
        _ => "week",
    };
    let mut rows: Vec<(String, &str, &Measures)> = Vec::new();
    rows.extend(tally.buckets.iter().map(|b| (b.start.to_string(), part, &b.measures)));
    let bucket_rows: Vec<usize> = (0..rows.len()).collect();
    let with_weeks = by != Some(Granularity::Week);
    if with_weeks {
        rows.extend(tally.weekly.iter().map(|b| (b.start.to_string(), "week", &b.measures)));
    }
    let week_rows: Vec<usize> = (bucket_rows.len()..rows.len()).collect();
    let period_row = rows.len();
    rows.push(("total".into(), "period", &tally.total));
    let bounds = |list: &[crate::tally::Bucket]| list.iter().map(|b| (b.start, b.end)).collect::<Vec<_>>();
    let equalities = row_equalities(
        &bounds(&tally.buckets),
        &if with_weeks { bounds(&tally.weekly) } else { Vec::new() },
        &bucket_rows,
        &week_rows,
        period_row,
    );

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
    type Get<'a> = &'a dyn Fn(&Measures, &str) -> u64;
    type Total<'a> = Option<&'a dyn Fn(&Measures) -> u64>;
    let table = |name: &str, columns: Vec<String>, partitions: Vec<Vec<usize>>, total: Total, additive: bool, get: Get| {
        CountTable {
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
            row_partitions: partitions,
            row_equalities: if additive { equalities.clone() } else { Vec::new() },
        }
    };
    let all_columns = |columns: &[String]| if columns.is_empty() { vec![] } else { vec![(0..columns.len()).collect()] };

    // The encounters and their four breakdowns share one total, so they share one table; the
    // columns are named `breakdown/key`.
    type Breakdown = fn(&Measures) -> &std::collections::BTreeMap<String, u64>;
    let breakdowns: [(&str, Breakdown); 4] = [
        ("contact_type", |m| &m.by_contact_type),
        ("zone", |m| &m.by_zone),
        ("age_band", |m| &m.by_age_band),
        ("gender", |m| &m.by_gender),
    ];
    let mut columns = Vec::new();
    let mut partitions = Vec::new();
    for (name, map) in breakdowns {
        let start = columns.len();
        columns.extend(keys(&|m| map(m).keys().cloned().collect()).into_iter().map(|k| format!("{name}/{k}")));
        partitions.push((start..columns.len()).collect());
    }
    let breakdown_get = |m: &Measures, column: &str| {
        let (name, key) = column.split_once('/').unwrap_or((column, ""));
        breakdowns.iter().find(|(n, _)| *n == name).and_then(|(_, map)| map(m).get(key).copied()).unwrap_or(0)
    };
    let item_keys = |pick: &dyn Fn(ItemCategory) -> bool| {
        keys(&|m| m.items.iter().filter(|(_, t)| pick(t.category)).map(|(k, _)| k.clone()).collect())
    };
    let map_get = |f: fn(&Measures) -> &std::collections::BTreeMap<String, u64>| {
        move |m: &Measures, k: &str| f(m).get(k).copied().unwrap_or(0)
    };
    let units = |m: &Measures, k: &str| m.items.get(k).map(|t| t.units).unwrap_or(0);
    let doses = |m: &Measures, k: &str| m.items.get(k).map(|t| t.doses).unwrap_or(0);
    let syringe_items = item_keys(&|c| c == ItemCategory::Syringes);
    let naloxone_items = item_keys(&|c| c == ItemCategory::Naloxone);
    let summary = ["new_participants", "syringes_collected", "overdose_reversals", "naloxone_doses_used", "collecting_for"];
    vec![
        table("encounters", columns, partitions, Some(&|m| m.encounters), true, &breakdown_get),
        table("summary", summary.iter().map(|s| s.to_string()).collect(), vec![], None, true, &|m, c| match c {
            "new_participants" => m.new_participants,
            "syringes_collected" => m.syringes_collected,
            "overdose_reversals" => m.overdose_reversals,
            "naloxone_doses_used" => m.naloxone_doses_used,
            _ => m.collecting_for,
        }),
        table("participants", vec!["unduplicated_participants".into()], vec![], None, false, &|m, _| m.participants),
        table("syringes_distributed", syringe_items.clone(), all_columns(&syringe_items), Some(&|m| m.syringes_distributed), true, &units),
        table("naloxone_doses_distributed", naloxone_items.clone(), all_columns(&naloxone_items), Some(&|m| m.naloxone_doses_distributed), true, &doses),
        table("other_supplies_units", item_keys(&|c| !matches!(c, ItemCategory::Syringes | ItemCategory::Naloxone)), vec![], None, true, &units),
        table("referrals", keys(&|m| m.referrals.keys().cloned().collect()), vec![], None, true, &map_get(|m| &m.referrals)),
        table("substances", keys(&|m| m.by_substance.keys().cloned().collect()), vec![], None, true, &map_get(|m| &m.by_substance)),
    ]
}

/// Every table of a tally after suppression, and the syringe return ratio of the period when
/// both of its counts are shown.
pub fn suppress_tally(tally: &Tally, by: Option<Granularity>, threshold: u32) -> (Vec<SuppressedTable>, Option<f64>) {
    let out: Vec<SuppressedTable> = tables(tally, by).iter().map(|t| suppress(t, threshold)).collect();
    let period = |name: &str| out.iter().find(|t| t.name == name).and_then(|t| t.rows.last());
    let collected = period("summary").and_then(|r| r.cells.get(1).and_then(|c| c.count()));
    let distributed = period("syringes_distributed").and_then(|r| r.total.and_then(Cell::count));
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

    /// Rows from entities: each week row holds people, each with a category in breakdown A and
    /// one in breakdown B; months are pairs of weeks; then the period. Every relation declared.
    fn table(weeks: Vec<Vec<(usize, usize)>>, width_a: usize, width_b: usize, totals: bool) -> CountTable {
        let count = |people: &[(usize, usize)]| {
            let mut cells = vec![0u64; width_a + width_b];
            for &(a, b) in people {
                cells[a % width_a] += 1;
                cells[width_a + b % width_b] += 1;
            }
            (cells, people.len() as u64)
        };
        let mut rows = Vec::new();
        let mut row = |label: String, part: &str, people: Vec<(usize, usize)>| {
            let (cells, total) = count(&people);
            rows.push(CountRow { label, part: part.into(), cells, total: totals.then_some(total) });
        };
        for (i, w) in weeks.iter().enumerate() {
            row(format!("w{i}"), "week", w.clone());
        }
        let months: Vec<Vec<(usize, usize)>> = weeks.chunks(2).map(|pair| pair.concat()).collect();
        for (i, m) in months.iter().enumerate() {
            row(format!("m{i}"), "month", m.clone());
        }
        row("total".into(), "period", weeks.concat());
        let (nw, nm) = (weeks.len(), months.len());
        let week_rows: Vec<usize> = (0..nw).collect();
        let month_rows: Vec<usize> = (nw..nw + nm).collect();
        let period = nw + nm;
        let mut row_equalities = vec![(week_rows.clone(), vec![period]), (month_rows.clone(), vec![period])];
        for (i, &m) in month_rows.iter().enumerate() {
            row_equalities.push((week_rows[2 * i..(2 * i + 2).min(nw)].to_vec(), vec![m]));
        }
        CountTable {
            name: "t".into(),
            columns: (0..width_a + width_b).map(|i| format!("c{i}")).collect(),
            rows,
            row_partitions: if totals { vec![(0..width_a).collect(), (width_a..width_a + width_b).collect()] } else { vec![] },
            row_equalities,
        }
    }

    fn hidden_at(s: &SuppressedTable, (r, c): Pos) -> bool {
        match c {
            Some(c) => s.rows[r].cells[c] == Cell::Suppressed,
            None => s.rows[r].total == Some(Cell::Suppressed),
        }
    }

    fn people(n: usize, a: usize, b: usize) -> Vec<(usize, usize)> {
        (0..n).map(|i| (if i < a { 0 } else { 1 }, if i < b { 0 } else { 1 })).collect()
    }

    #[test]
    fn a_lone_small_cell_takes_a_partner_with_it() {
        // One week: 40 people, 3 of them in category a0; b splits 20/20.
        let t = table(vec![people(40, 3, 20)], 2, 2, true);
        let s = suppress(&t, 11);
        assert_eq!(s.rows[0].cells[..2], [Cell::Suppressed, Cell::Suppressed]);
        assert_eq!(s.rows[0].cells[2..], [Cell::Count(20), Cell::Count(20)]);
        assert_eq!(s.rows[0].total, Some(Cell::Count(40)));
    }

    #[test]
    fn a_small_week_inside_a_month_is_not_derivable_from_the_month() {
        // Month 0 = weeks 0 and 1; week 0 holds 3 people.
        let t = table(vec![people(3, 3, 3), people(30, 15, 15), people(25, 12, 12)], 2, 2, true);
        let s = suppress(&t, 11);
        for (left, right) in equations(&t) {
            let n = left.iter().chain(&right).filter(|p| hidden_at(&s, **p)).count();
            assert_ne!(n, 1);
        }
        assert_eq!(s.rows[0].total, Some(Cell::Suppressed));
    }

    #[test]
    fn threshold_one_suppresses_nothing() {
        let t = table(vec![people(6, 1, 2)], 2, 2, true);
        let s = suppress(&t, 1);
        assert!(s.rows.iter().all(|r| r.cells.iter().all(|c| matches!(c, Cell::Count(_)))));
    }

    proptest! {
        #[test]
        fn no_small_count_is_visible_or_derivable(
            weeks in prop::collection::vec(prop::collection::vec((0usize..4, 0usize..3), 0..40), 1..6),
            totals in any::<bool>(),
            threshold in 2u32..15,
        ) {
            let t = table(weeks, 4, 3, totals);
            let s = suppress(&t, threshold);
            let small = |n: u64| n >= 1 && n < threshold as u64;
            for (r, row) in s.rows.iter().enumerate() {
                for (c, cell) in row.cells.iter().enumerate() {
                    if small(t.rows[r].cells[c]) { prop_assert_eq!(*cell, Cell::Suppressed); }
                    if let Cell::Count(n) = cell { prop_assert_eq!(*n, t.rows[r].cells[c]); }
                }
                if let (Some(total), Some(cell)) = (t.rows[r].total, row.total) {
                    if small(total) { prop_assert_eq!(cell, Cell::Suppressed); }
                }
            }
            for (left, right) in equations(&t) {
                let hidden = left.iter().chain(&right).filter(|p| hidden_at(&s, **p)).count();
                prop_assert_ne!(hidden, 1, "a single hidden cell is derivable from its equation");
            }
        }
    }

    #[test]
    fn weeks_that_cover_a_month_are_declared_equal_to_it() {
        use chrono::NaiveDate;
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        // May 2026 ends on a Sunday: its weeks add up to it exactly; June's do not end with it.
        let months = [(d("2026-05-01"), d("2026-05-31")), (d("2026-06-01"), d("2026-06-10"))];
        let weeks = [
            (d("2026-05-01"), d("2026-05-03")),
            (d("2026-05-04"), d("2026-05-10")),
            (d("2026-05-11"), d("2026-05-17")),
            (d("2026-05-18"), d("2026-05-24")),
            (d("2026-05-25"), d("2026-05-31")),
            (d("2026-06-01"), d("2026-06-07")),
            (d("2026-06-08"), d("2026-06-10")),
        ];
        let eqs = row_equalities(&months, &weeks, &[0, 1], &[2, 3, 4, 5, 6, 7, 8], 9);
        assert!(eqs.contains(&(vec![2, 3, 4, 5, 6], vec![0])));
        assert!(eqs.contains(&(vec![7, 8], vec![1])));
        assert!(eqs.contains(&(vec![0, 1], vec![9])));
    }
}
