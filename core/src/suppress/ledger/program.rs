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
pub(super) struct Components {
    root: Vec<usize>,
    vars: HashMap<usize, Vec<usize>>,
    used: HashMap<usize, Vec<usize>>,
}

impl Components {
    pub(super) fn new(constraints: &[Constraint], n: usize, active: &dyn Fn(&Constraint) -> bool) -> Components {
        let mut parent: Vec<usize> = (0..n).collect();
        for c in constraints.iter().filter(|c| active(c)) {
            if let Some(&(first, _)) = c.form.first() {
                let a = find(&mut parent, first);
                for &(v, _) in &c.form[1..] {
                    let b = find(&mut parent, v);
                    parent[b] = a;
                }
            }
        }
        let root: Vec<usize> = (0..n).map(|v| find(&mut parent, v)).collect();
        let mut vars: HashMap<usize, Vec<usize>> = HashMap::new();
        for (v, r) in root.iter().enumerate() {
            vars.entry(*r).or_default().push(v);
        }
        let mut used: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, c) in constraints.iter().enumerate() {
            if let Some(&(first, _)) = c.form.first().filter(|_| active(c)) {
                used.entry(root[first]).or_default().push(i);
            }
        }
        Components { root, vars, used }
    }

    /// The unknowns linked to `target`, and the active constraints over them (both ascending).
    pub(super) fn of(&self, target: &Form) -> (Vec<usize>, Vec<usize>) {
        let roots: std::collections::BTreeSet<usize> = target.iter().map(|&(v, _)| self.root[v]).collect();
        let mut vars: Vec<usize> = roots.iter().flat_map(|r| self.vars.get(r).into_iter().flatten().copied()).collect();
        let mut used: Vec<usize> = roots.iter().flat_map(|r| self.used.get(r).into_iter().flatten().copied()).collect();
        vars.sort_unstable();
        used.sort_unstable();
        (vars, used)
    }
}

/// The target's interval over the unknowns of its component.
pub(super) fn attack(
    constraints: &[Constraint],
    vars: &[usize],
    used: &[usize],
    target: &Form,
    sys: &System,
    points: &mut Points,
    out: &mut Outcome,
) -> Interval {
    let objective: HashMap<usize, f64> = target.iter().copied().collect();
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
            let terms: Vec<(microlp::Variable, f64)> =
                c.form.iter().map(|(v, k)| (index[v], *k)).collect();
            problem.add_constraint(&terms, ComparisonOp::Eq, c.rhs);
        }
        match problem.solve() {
            Ok(solution) => {
                let point: HashMap<usize, f64> = vars
                    .iter()
                    .map(|v| (*v, *solution.var_value(index[v])))
                    .filter(|(v, x)| (x - sys.truth[*v]).abs() > 1e-9)
                    .collect();
                points.keep(point);
                Some(solution.objective())
            }
            Err(microlp::Error::Unbounded) => None,
            // The truth satisfies every constraint, so this is not infeasible; were the solver
            // to fail, the count counts as pinned and more is hidden.
            Err(_) => Some(sys.value(target)),
        }
    };
    let lo = solve(OptimizationDirection::Minimize)
        .unwrap_or(0.0)
        .max(0.0);
    let hi = solve(OptimizationDirection::Maximize).unwrap_or(f64::INFINITY);
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
