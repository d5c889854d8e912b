//! Suppression against the declared equations, and against an attacker's linear programs.
use proptest::prelude::*;

use super::tables::row_equalities;
use super::*;

// The attacker, written apart from the suppressor; shared with the integration tests.
#[path = "../../tests/common/attack.rs"]
mod attack;
use attack::narrowest_small;

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
        let (width, at) = narrowest_small(&t, &s, threshold as u64);
        prop_assert!(width + 1e-6 >= threshold as f64, "the small count at {:?} is narrowed to {} values", at, width);
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

/// Looks for tables where the quick pass alone leaves a small count an attacker pins down.
#[test]
#[ignore = "a search, run by hand: cargo test -p satchel-core search_for_cycles -- --ignored --nocapture"]
fn search_for_cycles() {
    let mut seed = 7u64;
    let mut roll = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for _ in 0..5000 {
        let weeks: Vec<Vec<(usize, usize)>> = (0..2 + roll(3))
            .map(|_| (0..roll(40)).map(|_| (roll(4) as usize, roll(3) as usize)).collect())
            .collect();
        let t = table(weeks.clone(), 4, 3, true);
        let (width, at) = narrowest_small(&t, &suppress_with(&t, 11, false), 11);
        if width < 1.0 {
            println!("pinned at {at:?}: {weeks:?}");
            return;
        }
    }
}

/// Issue: a report's own cells gave a small count away through sums over several hidden cells
/// (a cycle of rows and columns), which the one-equation-at-a-time pass cannot see.
#[test]
fn sums_over_several_hidden_cells_no_longer_pin_a_small_count() {
    // Found by `search_for_cycles`: three weeks, months of two weeks, the period.
    let weeks = vec![vec![(3, 2), (1, 0), (0, 2), (0, 0), (1, 2), (2, 1), (2, 1), (3, 1), (3, 1), (0, 2), (1, 0), (0, 0), (0, 1), (3, 0), (0, 2), (3, 0), (1, 0), (2, 1), (2, 1), (2, 1), (2, 0), (1, 0), (1, 2), (3, 2), (3, 1), (0, 2), (1, 2), (3, 1), (1, 0), (2, 1), (0, 0), (0, 2), (3, 2), (1, 2), (1, 2), (1, 1)], vec![(3, 0), (2, 2), (3, 2), (3, 2), (0, 2), (0, 0), (3, 2), (1, 0), (3, 2)], vec![(1, 2)]];
    let t = table(weeks, 4, 3, true);
    let (before, at) = narrowest_small(&t, &suppress_with(&t, 11, false), 11);
    assert!(before < 1.0, "without the audit the count at {at:?} is pinned (width {before})");
    let s = suppress(&t, 11);
    let (after, at) = narrowest_small(&t, &s, 11);
    assert!(after >= 11.0, "with it, the narrowest small count ({at:?}) still spans {after}");
    let hidden = |s: &SuppressedTable| s.rows.iter().flat_map(|r| r.cells.iter().chain(&r.total)).filter(|c| **c == Cell::Suppressed).count();
    assert!(hidden(&s) > hidden(&suppress_with(&t, 11, false)));
}
