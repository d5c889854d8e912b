//! The attacker's linear programs: which constraints a count depends on, its interval, and the
//! solutions kept to spare programs.

use std::collections::HashMap;

use microlp::{ComparisonOp, OptimizationDirection, Problem};

use super::grid::{Form, System};
use super::Outcome;
use crate::suppress::audit::Interval;

/// Where a constraint comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    /// A block's encounters against one of their breakdowns.
    Identity,
    /// A value shown earlier that still holds.
    Earlier,
    /// A value of the new report, by index.
    New(usize),
}

pub(super) struct Constraint {
    pub(super) form: Form,
    pub(super) rhs: f64,
    pub(super) source: Source,
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// The unknowns linked through active constraints, grouped once so that each target finds its
/// own in the time of its size (the audit asks for thousands of targets between two hides).
///
/// With `reduce`, unknowns the active constraints pin on their own are taken out first: one
/// left alone in a constraint, or all those left in a constraint of one sign whose remainder is
/// 0 (they are non-negative). What an attacker learns of them is their true value; the programs
/// are then over the rest, which the pinned ones no longer link, so they are smaller and fewer
/// share one.
pub(super) struct Components {
    root: Vec<usize>,
    vars: HashMap<usize, Vec<usize>>,
    used: HashMap<usize, Vec<usize>>,
    /// Unknowns pinned by the active constraints (all false without `reduce`).
    pub(super) pinned: Vec<bool>,
}

impl Components {
    pub(super) fn new(
        constraints: &[Constraint],
        sys: &System,
        reduce: bool,
        active: &dyn Fn(&Constraint) -> bool,
    ) -> Components {
        let n = sys.truth.len();
        let pinned = if reduce {
            pinned_alone(constraints, sys, active)
        } else {
            vec![false; n]
        };
        let free = |c: &Constraint| -> Vec<usize> {
            c.form.iter().map(|&(v, _)| v).filter(|&v| !pinned[v]).collect()
        };
        let mut parent: Vec<usize> = (0..n).collect();
        for c in constraints.iter().filter(|c| active(c)) {
            let vars = free(c);
            if let Some(&first) = vars.first() {
                let a = find(&mut parent, first);
                for &v in &vars[1..] {
                    let b = find(&mut parent, v);
                    parent[b] = a;
                }
            }
        }
        let root: Vec<usize> = (0..n).map(|v| find(&mut parent, v)).collect();
        let mut vars: HashMap<usize, Vec<usize>> = HashMap::new();
        for (v, r) in root.iter().enumerate() {
            if !pinned[v] {
                vars.entry(*r).or_default().push(v);
            }
        }
        let mut used: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, c) in constraints.iter().enumerate() {
            if !active(c) {
                continue;
            }
            if let Some(&first) = free(c).first() {
                used.entry(root[first]).or_default().push(i);
            }
        }
        Components { root, vars, used, pinned }
    }

    /// The unknowns linked to `target` (not pinned), and the active constraints over them (both
    /// ascending).
    pub(super) fn of(&self, target: &Form) -> (Vec<usize>, Vec<usize>) {
        let roots: std::collections::BTreeSet<usize> = target
            .iter()
            .filter(|&&(v, _)| !self.pinned[v])
            .map(|&(v, _)| self.root[v])
            .collect();
        let mut vars: Vec<usize> = roots.iter().flat_map(|r| self.vars.get(r).into_iter().flatten().copied()).collect();
        let mut used: Vec<usize> = roots.iter().flat_map(|r| self.used.get(r).into_iter().flatten().copied()).collect();
        vars.sort_unstable();
        used.sort_unstable();
        (vars, used)
    }
}

/// The unknowns the active constraints pin by propagation alone (see [`Components`]).
fn pinned_alone(constraints: &[Constraint], sys: &System, active: &dyn Fn(&Constraint) -> bool) -> Vec<bool> {
    let n = sys.truth.len();
    let mut pinned = vec![false; n];
    let mut holding: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut queue: Vec<usize> = Vec::new();
    for (i, c) in constraints.iter().enumerate().filter(|(_, c)| active(c)) {
        for &(v, _) in &c.form {
            holding[v].push(i);
        }
        queue.push(i);
    }
    while let Some(i) = queue.pop() {
        let free: Vec<(usize, f64)> = constraints[i]
            .form
            .iter()
            .copied()
            .filter(|&(v, k)| !pinned[v] && k != 0.0)
            .collect();
        let rest: f64 = free.iter().map(|&(v, k)| k * sys.truth[v]).sum();
        let one_sign = free.iter().all(|&(_, k)| k > 0.0) || free.iter().all(|&(_, k)| k < 0.0);
        let newly: Vec<usize> = if free.len() == 1 || (one_sign && rest.abs() < 0.5) {
            free.iter().map(|&(v, _)| v).collect()
        } else {
            continue;
        };
        for v in newly {
            pinned[v] = true;
            queue.extend(holding[v].iter().copied());
        }
    }
    pinned
}

/// The target's interval over the unknowns of its component (unknowns marked `pinned` keep
/// their true value), or one as wide as the rule asks when that settles it: from its true
/// value to its largest.
#[allow(clippy::too_many_arguments)]
pub(super) fn attack(
    constraints: &[Constraint],
    vars: &[usize],
    used: &[usize],
    pinned: &[bool],
    target: &Form,
    sys: &System,
    points: &mut Points,
    threshold: u64,
    out: &mut Outcome,
) -> Interval {
    let fixed = |form: &Form| -> f64 {
        form.iter().filter(|(v, _)| pinned[*v]).map(|(v, k)| k * sys.truth[*v]).sum()
    };
    let base = fixed(target);
    let objective: HashMap<usize, f64> = target.iter().copied().filter(|(v, _)| !pinned[*v]).collect();
    if objective.is_empty() {
        return Interval { lo: base, hi: base };
    }
    out.largest = out.largest.max(vars.len());
    let mut solve = |direction| -> Option<f64> {
        out.programs += 1;
        let mut problem = Problem::new(direction);
        let index: HashMap<usize, microlp::Variable> = vars
            .iter()
            .map(|&v| {
                (
                    v,
                    problem.add_var(
                        objective.get(&v).copied().unwrap_or(0.0),
                        (0.0, f64::INFINITY),
                    ),
                )
            })
            .collect();
        for &i in used {
            let c = &constraints[i];
            let terms: Vec<(microlp::Variable, f64)> = c
                .form
                .iter()
                .filter(|(v, _)| !pinned[*v])
                .map(|(v, k)| (index[v], *k))
                .collect();
            problem.add_constraint(&terms, ComparisonOp::Eq, c.rhs - fixed(&c.form));
        }
        match problem.solve() {
            Ok(solution) => {
                let point: HashMap<usize, f64> = vars
                    .iter()
                    .map(|v| (*v, *solution.var_value(index[v])))
                    .filter(|(v, x)| (x - sys.truth[*v]).abs() > 1e-9)
                    .collect();
                points.keep(point);
                Some(base + solution.objective())
            }
            Err(microlp::Error::Unbounded) => None,
            // The truth satisfies every constraint, so this is not infeasible; were the solver
            // to fail, the count counts as pinned and more is hidden.
            Err(_) => Some(sys.value(target)),
        }
    };
    // The largest first: a small count can fall by less than the rule, so a rise by the rule
    // settles it alone, and the smallest is not needed (half the programs, most of the time).
    let hi = solve(OptimizationDirection::Maximize).unwrap_or(f64::INFINITY);
    if hi - sys.value(target) + 1e-6 >= threshold as f64 {
        return Interval { lo: sys.value(target), hi };
    }
    let lo = solve(OptimizationDirection::Minimize)
        .unwrap_or(0.0)
        .max(0.0);
    Interval { lo, hi }
}

/// Solutions the attacker's programs found: each satisfies every constraint (and keeps doing so
/// as more is hidden), so the spread of a count over them is a width it has at least, which
/// spares most programs.
pub(super) struct Points {
    /// Each point as its differences from the truth.
    pub(super) list: Vec<HashMap<usize, f64>>,
}

impl Points {
    const KEPT: usize = 256;

    pub(super) fn keep(&mut self, point: HashMap<usize, f64>) {
        if self.list.len() == Self::KEPT {
            self.list.remove(0);
        }
        self.list.push(point);
    }

    /// The largest minus the smallest value of `target` over the truth and the points.
    pub(super) fn spread(&self, target: &Form, sys: &System) -> f64 {
        let truth = sys.value(target);
        let (mut lo, mut hi) = (truth, truth);
        for p in &self.list {
            let v: f64 = target
                .iter()
                .map(|(var, k)| k * p.get(var).copied().unwrap_or(sys.truth[*var]))
                .sum();
            lo = lo.min(v);
            hi = hi.max(v);
        }
        hi - lo
    }
}
