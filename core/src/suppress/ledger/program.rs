//! The attacker's linear programs: which constraints a count depends on, its interval, and the
//! solutions kept to spare programs.

use std::collections::HashMap;

use microlp::{ComparisonOp, OptimizationDirection, Problem};

use super::grid::{Form, System};
use super::Outcome;
use crate::suppress::audit::{protected, Interval};

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
    /// The active constraints holding each unknown not pinned.
    holding: Vec<Vec<usize>>,
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
        let mut holding: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, c) in constraints.iter().enumerate() {
            if !active(c) {
                continue;
            }
            let vars = free(c);
            if let Some(&first) = vars.first() {
                used.entry(root[first]).or_default().push(i);
            }
            for v in vars {
                holding[v].push(i);
            }
        }
        Components { root, vars, used, pinned, holding }
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

    /// The active constraints holding any of `vars` (not pinned), ascending.
    pub(super) fn touching(&self, vars: &[usize]) -> Vec<usize> {
        let mut touching: Vec<usize> = vars.iter().flat_map(|&v| self.holding[v].iter().copied()).collect();
        touching.sort_unstable();
        touching.dedup();
        touching
    }

    /// The component of the first unknown of `target` not pinned.
    pub(super) fn root_of(&self, target: &Form) -> Option<usize> {
        target.iter().find(|&&(v, _)| !self.pinned[v]).map(|&(v, _)| self.root[v])
    }

    /// The unknowns of a component and the constraints over them.
    pub(super) fn component(&self, root: usize) -> (&[usize], &[usize]) {
        let vars = self.vars.get(&root).map_or(&[][..], |l| l.as_slice());
        let used = self.used.get(&root).map_or(&[][..], |l| l.as_slice());
        (vars, used)
    }

    /// About `budget` unknowns not pinned nearest to `target`'s: its own, then outwards through
    /// the constraints, a step through a constraint of `n` unknowns counting `n` (a block's
    /// identity or a week's value before a year's), ascending.
    pub(super) fn near(&self, constraints: &[Constraint], target: &Form, budget: usize) -> Vec<usize> {
        use std::cmp::Reverse;
        let mut distance: HashMap<usize, usize> = HashMap::new();
        let mut queue: std::collections::BinaryHeap<Reverse<(usize, usize)>> = std::collections::BinaryHeap::new();
        for &(v, _) in target {
            if !self.pinned[v] {
                distance.insert(v, 0);
                queue.push(Reverse((0, v)));
            }
        }
        let mut near = Vec::new();
        while let Some(Reverse((d, v))) = queue.pop() {
            if distance.get(&v).is_some_and(|&best| best < d) {
                continue;
            }
            near.push(v);
            if near.len() >= budget {
                break;
            }
            for &i in &self.holding[v] {
                let step = d + constraints[i].form.len();
                for &(w, _) in &constraints[i].form {
                    if !self.pinned[w] && distance.get(&w).is_none_or(|&best| step < best) {
                        distance.insert(w, step);
                        queue.push(Reverse((step, w)));
                    }
                }
            }
        }
        near.sort_unstable();
        near.dedup();
        near
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

/// Unknowns around a target in its first, small program: most small counts are as wide as the
/// rule by moves among a few hundred unknowns near them (the classic alternating cycle of cell
/// suppression), and a program of that size takes a few milliseconds where the whole
/// component's (thousands of unknowns once a year of releases links the quarters) takes tens.
const NEAR: usize = 400;

/// The target's interval over the unknowns of its component (unknowns marked pinned keep
/// their true value), or one as wide as the rule asks when that settles it: from its true
/// value to its largest, or the interval over the unknowns near it.
///
/// Near the target first: the programs over the unknowns nearest to it, every other unknown
/// held at its true value, with every constraint that touches them. A solution of such a
/// program, with the truth elsewhere, satisfies every constraint (those it leaves out hold
/// only unknowns at their true value), so the interval it gives lies inside the true one: when
/// that is as wide as the rule, so is the true one. Otherwise the whole component decides.
pub(super) fn attack(
    constraints: &[Constraint],
    components: &Components,
    target: &Form,
    sys: &System,
    points: &mut Points,
    threshold: u64,
    out: &mut Outcome,
) -> Interval {
    let (vars, used) = components.of(target);
    let pinned = &components.pinned;
    let mut program = Program { constraints, sys, target, threshold };
    if vars.len() > NEAR {
        let near = components.near(constraints, target, NEAR);
        let touching = components.touching(&near);
        let mut free = vec![false; pinned.len()];
        for &v in &near {
            free[v] = true;
        }
        let interval = program.interval(&near, &touching, &|v| !free[v], points, out);
        if protected(interval, threshold) {
            return interval;
        }
    }
    program.interval(&vars, &used, &|v| pinned[v], points, out)
}

/// One target's programs over some unknowns, the others held at their true value.
struct Program<'a> {
    constraints: &'a [Constraint],
    sys: &'a System,
    target: &'a Form,
    threshold: u64,
}

impl Program<'_> {
    /// The target's interval over `vars` (with the constraints `used`, those touching them),
    /// the unknowns `held` at their true value; from the true value to the largest when that
    /// settles it.
    fn interval(
        &mut self,
        vars: &[usize],
        used: &[usize],
        held: &dyn Fn(usize) -> bool,
        points: &mut Points,
        out: &mut Outcome,
    ) -> Interval {
        let truth = self.sys.value(self.target);
        let objective: HashMap<usize, f64> = self.target.iter().copied().filter(|(v, _)| !held(*v)).collect();
        if objective.is_empty() {
            return Interval { lo: truth, hi: truth };
        }
        out.largest = out.largest.max(vars.len());
        let span = Span { constraints: self.constraints, sys: self.sys, vars, used, held, cap: f64::INFINITY };
        // The largest first: a small count can fall by less than the rule, so a rise by the
        // rule settles it alone, and the smallest is not needed (half the programs, most of the
        // time).
        out.programs += 1;
        let hi = match span.extreme(&objective, OptimizationDirection::Maximize, points) {
            Extreme::At(rise) => truth + rise,
            Extreme::Unbounded => f64::INFINITY,
            Extreme::Failed => truth,
        };
        if hi - truth + 1e-6 >= self.threshold as f64 {
            return Interval { lo: truth, hi };
        }
        out.programs += 1;
        let lo = match span.extreme(&objective, OptimizationDirection::Minimize, points) {
            Extreme::At(fall) => truth + fall,
            Extreme::Unbounded => 0.0,
            Extreme::Failed => truth,
        };
        Interval { lo: lo.max(0.0), hi }
    }
}

/// Some unknowns of a component, the constraints touching them, and the unknowns held at
/// their true value.
pub(super) struct Span<'a> {
    pub(super) constraints: &'a [Constraint],
    pub(super) sys: &'a System,
    pub(super) vars: &'a [usize],
    pub(super) used: &'a [usize],
    pub(super) held: &'a dyn Fn(usize) -> bool,
    /// The most an unknown may rise: infinite for a count's own programs; bounded for the
    /// broad ones, whose solutions are kept only as witnesses (a smaller set of solutions, so
    /// each is still one of the attacker's).
    pub(super) cap: f64,
}

/// The end of a program: how far the objective moves from its true value.
pub(super) enum Extreme {
    At(f64),
    Unbounded,
    /// The solver failed (the truth satisfies every constraint, so the program is feasible):
    /// the caller takes the count as pinned, and more is hidden.
    Failed,
}

impl Span<'_> {
    /// How far `objective` moves from its true value, at most or at least, with the solution
    /// kept among the `points`.
    ///
    /// The program is over the differences from the truth, each an unknown's rise (from 0 up)
    /// less its fall (from 0 to its true value), so the right-hand sides are 0: the truth
    /// satisfies every constraint (the values that no longer hold are not constraints), and
    /// it is the solver's first solution, without the phase that looks for one (a program of
    /// three thousand unknowns in tens of milliseconds instead of a second).
    pub(super) fn extreme(&self, objective: &HashMap<usize, f64>, direction: OptimizationDirection, points: &mut Points) -> Extreme {
        let (sys, held) = (self.sys, self.held);
        let mut problem = Problem::new(direction);
        let index: HashMap<usize, (microlp::Variable, Option<microlp::Variable>)> = self
            .vars
            .iter()
            .map(|&v| {
                let k = objective.get(&v).copied().unwrap_or(0.0);
                let rise = problem.add_var(k, (0.0, self.cap));
                let fall = (sys.truth[v] > 0.0).then(|| problem.add_var(-k, (0.0, sys.truth[v])));
                (v, (rise, fall))
            })
            .collect();
        for &i in self.used {
            let c = &self.constraints[i];
            debug_assert!((sys.value(&c.form) - c.rhs).abs() < 1e-6, "the truth satisfies every constraint");
            let mut terms: Vec<(microlp::Variable, f64)> = Vec::new();
            for &(v, k) in c.form.iter().filter(|(v, _)| !held(*v)) {
                let (rise, fall) = index[&v];
                terms.push((rise, k));
                terms.extend(fall.map(|f| (f, -k)));
            }
            problem.add_constraint(&terms, ComparisonOp::Eq, 0.0);
        }
        match problem.solve() {
            Ok(solution) => {
                let point: HashMap<usize, f64> = self
                    .vars
                    .iter()
                    .map(|&v| {
                        let (rise, fall) = index[&v];
                        let diff = *solution.var_value(rise) - fall.map_or(0.0, |f| *solution.var_value(f));
                        (v, sys.truth[v] + diff)
                    })
                    .filter(|(v, x)| (x - sys.truth[*v]).abs() > 1e-9)
                    .collect();
                // Every point kept is one of the attacker's: non-negative, and every constraint
                // it touches holds (the others hold only unknowns at their true value).
                debug_assert!(point.values().all(|&x| x > -1e-6));
                debug_assert!(self.used.iter().all(|&i| {
                    let c = &self.constraints[i];
                    let at: f64 = c.form.iter().map(|(v, k)| k * point.get(v).copied().unwrap_or(sys.truth[*v])).sum();
                    (at - c.rhs).abs() < 1e-6
                }));
                points.keep(point);
                Extreme::At(solution.objective())
            }
            Err(microlp::Error::Unbounded) => Extreme::Unbounded,
            Err(_) => Extreme::Failed,
        }
    }
}

/// Solutions the attacker's programs found: each satisfies every constraint (and keeps doing so
/// as more is hidden), so the spread of a count over them is a width it has at least, which
/// spares most programs.
#[derive(Default)]
pub(super) struct Points {
    /// Each point as the values of the unknowns it moves from the truth, the latest kept.
    list: Vec<HashMap<usize, f64>>,
    /// Solutions of the broad programs, all kept.
    pub(super) broad: Vec<HashMap<usize, f64>>,
}

impl Points {
    const KEPT: usize = 256;

    pub(super) fn keep(&mut self, point: HashMap<usize, f64>) {
        if self.list.len() == Self::KEPT {
            self.list.remove(0);
        }
        self.list.push(point);
    }

    /// The points found (the broad ones stay where they are).
    pub(super) fn take(&mut self) -> Vec<HashMap<usize, f64>> {
        std::mem::take(&mut self.list)
    }

    /// The largest minus the smallest value of `target` over the truth and the points.
    pub(super) fn spread(&self, target: &Form, sys: &System) -> f64 {
        let truth = sys.value(target);
        let (mut lo, mut hi) = (truth, truth);
        for p in self.broad.iter().chain(&self.list) {
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
