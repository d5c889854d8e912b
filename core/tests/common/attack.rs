//! An attacker who holds a suppressed table, written apart from the suppressor: from the
//! table's declared structure (its breakdowns and row relations), one linear program over every
//! hidden value at once, for the smallest and the largest value of each hidden small count.
//! Used by the suppressor's unit tests and the integration tests alike.

use super::{Cell, CountTable, SuppressedTable};
use microlp::{ComparisonOp, OptimizationDirection, Problem};

type At = (usize, Option<usize>);

/// The narrowest interval width an attacker finds among the hidden small counts (infinite
/// when there is none), and where.
pub fn narrowest_small(t: &CountTable, s: &SuppressedTable, threshold: u64) -> (f64, Option<At>) {
    let shown = |r: usize, c: Option<usize>| -> Option<f64> {
        let cell = match c {
            Some(c) => Some(s.rows[r].cells[c]),
            None => s.rows[r].total,
        };
        cell.and_then(Cell::count).map(|n| n as f64)
    };
    let truth = |r: usize, c: Option<usize>| match c {
        Some(c) => t.rows[r].cells[c],
        None => t.rows[r].total.unwrap_or(0),
    };
    let mut unknowns: Vec<At> = Vec::new();
    for r in 0..t.rows.len() {
        for c in 0..t.columns.len() {
            if shown(r, Some(c)).is_none() {
                unknowns.push((r, Some(c)));
            }
        }
        if t.rows[r].total.is_some() && shown(r, None).is_none() {
            unknowns.push((r, None));
        }
    }
    // Linear relations as (coefficient, cell) lists equal to zero.
    let mut relations: Vec<Vec<(f64, At)>> = Vec::new();
    for r in 0..t.rows.len() {
        for part in &t.row_partitions {
            let mut rel: Vec<_> = part.iter().map(|&c| (1.0, (r, Some(c)))).collect();
            rel.push((-1.0, (r, None)));
            relations.push(rel);
        }
    }
    for (left, right) in &t.row_equalities {
        let mut columns: Vec<Option<usize>> = (0..t.columns.len()).map(Some).collect();
        if !t.row_partitions.is_empty() {
            columns.push(None);
        }
        for c in columns {
            let mut rel: Vec<_> = left.iter().map(|&r| (1.0, (r, c))).collect();
            rel.extend(right.iter().map(|&r| (-1.0, (r, c))));
            relations.push(rel);
        }
    }
    let mut narrowest = (f64::INFINITY, None);
    for (i, &target) in unknowns.iter().enumerate() {
        let v = truth(target.0, target.1);
        if !(v >= 1 && v < threshold) {
            continue;
        }
        let bound = |direction| {
            let mut p = Problem::new(direction);
            let vars: Vec<_> =
                (0..unknowns.len()).map(|j| p.add_var(if j == i { 1.0 } else { 0.0 }, (0.0, f64::INFINITY))).collect();
            for rel in &relations {
                let mut terms = Vec::new();
                let mut rhs = 0.0;
                for &(k, cell) in rel {
                    match shown(cell.0, cell.1) {
                        Some(n) => rhs -= k * n,
                        None => terms.push((vars[unknowns.iter().position(|u| *u == cell).unwrap()], k)),
                    }
                }
                if !terms.is_empty() {
                    p.add_constraint(&terms, ComparisonOp::Eq, rhs);
                }
            }
            p.solve().map(|s| s.objective()).ok()
        };
        let lo = bound(OptimizationDirection::Minimize).unwrap_or(0.0);
        let hi = bound(OptimizationDirection::Maximize).unwrap_or(f64::INFINITY);
        if hi - lo < narrowest.0 {
            narrowest = (hi - lo, Some(target));
        }
    }
    narrowest
}

