//! The attacker's audit of a suppressed table: for a hidden value, the smallest and the largest
//! value it can take given every shown value and every equation the table declares (the
//! "attacker problem" of statistical disclosure control), by two linear programs over
//! non-negative unknowns. `protect` hides further cells until every hidden small count is
//! protected by the rule in [`protected`].

use std::collections::{BTreeMap, BTreeSet};

use microlp::{ComparisonOp, OptimizationDirection, Problem};

use super::{equations, value, CountTable, Pos};

/// Which values of a table are hidden.
pub(crate) type Hidden = BTreeSet<Pos>;

/// The equations of a table, each as (left, right) with equal sums.
pub(crate) type Equations = Vec<(Vec<Pos>, Vec<Pos>)>;

/// The feasible interval of a hidden value; `hi` is infinite when nothing bounds it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
}

impl Interval {
    pub fn width(self) -> f64 {
        self.hi - self.lo
    }
}

/// The protection rule: an attacker who holds the table cannot narrow a hidden small count to
/// an interval narrower than the threshold (for threshold 11, a count of 3 must stay anywhere
/// within at least 0 to 11, as far as the shown values tell).
pub fn protected(interval: Interval, threshold: u64) -> bool {
    interval.width() + 1e-6 >= threshold as f64
}

/// The hidden values linked to `target` through equations (the only ones its interval
/// depends on), and the equations among them.
fn component(eqs: &Equations, hidden: &Hidden, target: Pos) -> (Vec<Pos>, Vec<usize>) {
    let mut vars: BTreeSet<Pos> = BTreeSet::from([target]);
    let mut used: BTreeSet<usize> = BTreeSet::new();
    let mut frontier = vec![target];
    while let Some(p) = frontier.pop() {
        for (i, (left, right)) in eqs.iter().enumerate() {
            if used.contains(&i) || !left.iter().chain(right).any(|q| *q == p) {
                continue;
            }
            used.insert(i);
            for q in left.iter().chain(right) {
                if hidden.contains(q) && vars.insert(*q) {
                    frontier.push(*q);
                }
            }
        }
    }
    (vars.into_iter().collect(), used.into_iter().collect())
}

/// The attacker's interval for the hidden value at `target`.
pub(crate) fn interval(t: &CountTable, eqs: &Equations, hidden: &Hidden, target: Pos) -> Interval {
    let (vars, used) = component(eqs, hidden, target);
    let solve = |direction: OptimizationDirection| -> Option<f64> {
        let mut problem = Problem::new(direction);
        let index: BTreeMap<Pos, microlp::Variable> = vars
            .iter()
            .map(|p| (*p, problem.add_var(if *p == target { 1.0 } else { 0.0 }, (0.0, f64::INFINITY))))
            .collect();
        for &i in &used {
            let (left, right) = &eqs[i];
            let mut terms: BTreeMap<Pos, f64> = BTreeMap::new();
            let mut constant = 0.0;
            for (side, sign) in [(left, 1.0), (right, -1.0)] {
                for p in side {
                    if hidden.contains(p) {
                        *terms.entry(*p).or_default() += sign;
                    } else {
                        constant -= sign * value(t, *p) as f64;
                    }
                }
            }
            let terms: Vec<(microlp::Variable, f64)> =
                terms.into_iter().filter(|(_, c)| *c != 0.0).map(|(p, c)| (index[&p], c)).collect();
            if !terms.is_empty() {
                problem.add_constraint(&terms, ComparisonOp::Eq, constant);
            }
        }
        match problem.solve() {
            Ok(solution) => Some(solution.objective()),
            Err(microlp::Error::Unbounded) => None,
            // The true values satisfy every equation, so this cannot be infeasible; were the
            // solver to fail, the value counts as pinned and more is hidden.
            Err(_) => Some(value(t, target) as f64),
        }
    };
    let lo = solve(OptimizationDirection::Minimize).unwrap_or(0.0).max(0.0);
    let hi = solve(OptimizationDirection::Maximize).unwrap_or(f64::INFINITY);
    Interval { lo, hi }
}

/// The next value to hide for an unprotected one: the smallest shown non-zero value of an
/// equation that holds it (from the finer, left side first), else a shown zero there, else
/// anything shown in the equations of its component.
fn next_to_hide(t: &CountTable, eqs: &Equations, hidden: &Hidden, target: Pos) -> Option<Pos> {
    let holding: Vec<&(Vec<Pos>, Vec<Pos>)> =
        eqs.iter().filter(|(l, r)| l.iter().chain(r).any(|p| *p == target)).collect();
    // Headlines of the whole period last of all (D79).
    let pass = |headlines: bool| {
        let shown = |p: &&Pos| !hidden.contains(*p) && (headlines || !super::headline(t, **p));
        let smallest = |cells: &mut dyn Iterator<Item = &Pos>, nonzero: bool| {
            cells.filter(shown).filter(|p| !nonzero || value(t, **p) > 0).min_by_key(|p| (value(t, **p), **p)).copied()
        };
        smallest(&mut holding.iter().flat_map(|(l, _)| l.iter()), true)
            .or_else(|| smallest(&mut holding.iter().flat_map(|(l, r)| l.iter().chain(r)), true))
            .or_else(|| smallest(&mut holding.iter().flat_map(|(l, r)| l.iter().chain(r)), false))
            .or_else(|| {
                let (_, used) = component(eqs, hidden, target);
                smallest(&mut used.iter().flat_map(|&i| eqs[i].0.iter().chain(&eqs[i].1)), false)
            })
    };
    pass(false).or_else(|| pass(true))
}

/// Hides further values until every hidden small count is protected ([`protected`]), and
/// returns how many it added. Hiding a value only widens the others' intervals (an old
/// solution stays a solution), so one pass over the small counts is enough.
pub(crate) fn protect(t: &CountTable, hidden: &mut Hidden, small: &[Pos], threshold: u64) -> usize {
    let eqs = equations(t);
    let mut added = 0;
    for &target in small {
        while !protected(interval(t, &eqs, hidden, target), threshold) {
            match next_to_hide(t, &eqs, hidden, target) {
                Some(p) => {
                    hidden.insert(p);
                    added += 1;
                }
                // Nothing left to hide around it: every equation it is in holds only hidden
                // values, so nothing bounds it (cannot happen with a finite interval).
                None => break,
            }
        }
    }
    added
}
