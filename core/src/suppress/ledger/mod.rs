//! The audit across releases: a new report is attacked together with everything released from
//! the same store before, as sums of daily counts ([`DailySum`]), so that differencing the
//! all-zones report against the single-zone ones, a week against a month, or two periods a day
//! apart pins no small count.
//!
//! The unknowns are the daily counts, gathered into the coarsest blocks the released values
//! tell apart (runs of days between any value's first and last day, and each zone): a linear
//! program over the blocks is the same program as over the days, because any non-negative
//! block total splits into non-negative days. Within a block, the encounters equal the sum of
//! their contact types, of their age bands and of their genders, as they do on every day. The
//! small counts protected are the hidden ones (of the new report, or of an earlier one) and the
//! pieces of every value that a report on one zone or one run of days would show; for each, two
//! linear programs give its interval, and while it is narrower than the rule allows
//! ([`super::audit::protected`]), a further value of the *new* report is hidden.
//!
//! The attacker is taken to know every value an earlier report showed that still holds today.
//! A released value the data has since changed (a late sync, a correction or a void) is about
//! data that no longer exists, and is left out: see decision D49 for what that leaves open.

mod grid;
mod program;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::audit::protected;
pub use super::sums::DailySum;
use grid::{Form, Grid, Region, System};
use microlp::OptimizationDirection;
use program::{attack, Components, Constraint, Points, Source, Span};

/// One daily count as the store keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DailyCount {
    pub day: i64,
    pub zone: String,
    /// `measure` or `measure/key`, as in [`DailySum::terms`].
    pub series: String,
    pub n: u64,
}

/// A value of an earlier release: its sum, and what the report showed (`None`: hidden).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleasedCell {
    pub sum: DailySum,
    pub shown: Option<u64>,
}

/// A value of the report being made: its sum, its true value, whether it is hidden so far, and
/// what hiding it costs the reader (D79): 0 for most values, 1 for the total of a row of the
/// trend or the buckets, 2 for a headline of the whole period ([`crate::suppress::is_headline`]).
/// The audit hides the cheapest first, so a headline only when nothing else protects the count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposed {
    pub sum: DailySum,
    pub value: u64,
    pub hidden: bool,
    pub cost: u8,
}

/// What the audit did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Values of the new report hidden because of what was released before (or of the
    /// report's own values seen day by day), by index into the proposed values.
    pub hidden: Vec<usize>,
    /// Hidden small counts attacked.
    pub targets: usize,
    /// Hidden small counts that values released earlier pin by themselves (nothing in the new
    /// report can widen them: only after the data changed since those releases). Nothing is
    /// hidden for them.
    pub exposed_before: usize,
    /// Values hidden because an earlier release of the same sum hid it (and none showed it),
    /// so that the same period reads the same in every report (by index).
    pub kept_hidden: Vec<usize>,
    /// Linear programs solved.
    pub programs: usize,
    /// Unknowns of the largest program.
    pub largest: usize,
    /// Counts shown protected by solutions found before, without a program of their own.
    pub spared: usize,
}

/// The families whose block totals are tied together: the encounters and their breakdowns.
const BREAKDOWNS: [&str; 3] = ["contact_type/", "age_band/", "gender/"];

/// Hides further values of the new report until no small count, hidden in it or in any earlier
/// release, or that a report on one zone or one run of days would hide, can be narrowed below
/// the rule by everything shown together. `zones`: the program's zones; `counts`: the store's
/// daily counts over at least the days of every sum.
pub fn protect(
    new: &mut [Proposed],
    earlier: &[ReleasedCell],
    counts: &[DailyCount],
    zones: &[String],
    threshold: u64,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Outcome {
    let sums = new
        .iter()
        .map(|p| &p.sum)
        .chain(earlier.iter().map(|c| &c.sum));
    let bounds: BTreeSet<i64> = sums.clone().flat_map(|s| [s.first, s.last + 1]).collect();
    let mut all_zones: BTreeSet<String> = zones.iter().cloned().collect();
    all_zones.extend(sums.filter_map(|s| s.zone.clone()));
    all_zones.extend(counts.iter().map(|c| c.zone.clone()));
    let grid = Grid {
        bounds: bounds.into_iter().collect(),
        zones: all_zones.into_iter().collect(),
    };

    let mut sys = System {
        vars: HashMap::new(),
        series: HashMap::new(),
        truth: Vec::new(),
    };
    let new_regions: Vec<Region> = new.iter().map(|p| grid.region(&p.sum)).collect();
    let earlier_regions: Vec<Region> = earlier.iter().map(|c| grid.region(&c.sum)).collect();
    let new_forms: Vec<Form> = new
        .iter()
        .zip(&new_regions)
        .map(|(p, r)| sys.form(&grid, r, &p.sum.terms))
        .collect();
    let earlier_forms: Vec<Form> = earlier
        .iter()
        .zip(&earlier_regions)
        .map(|(c, r)| sys.form(&grid, r, &c.sum.terms))
        .collect();
    let covered: BTreeSet<usize> = sys.vars.keys().map(|(_, b)| *b).collect();

    // The truth, block by block, and the breakdown keys that occur.
    let mut keys: BTreeSet<String> = sys.series.keys().cloned().collect();
    for c in counts {
        let (Some(run), Some(class)) = (grid.run_of(c.day), grid.class_of(&c.zone)) else {
            continue;
        };
        let block = run * grid.classes() + class;
        if !covered.contains(&block) {
            continue;
        }
        let in_family =
            c.series == "encounters" || BREAKDOWNS.iter().any(|p| c.series.starts_with(p));
        if in_family || sys.series.contains_key(&c.series) {
            keys.insert(c.series.clone());
            let v = sys.var(&c.series, block);
            sys.truth[v] += c.n as f64;
        }
    }
    let mut constraints: Vec<Constraint> = Vec::new();
    let family: Vec<String> = keys
        .iter()
        .filter(|k| BREAKDOWNS.iter().any(|p| k.starts_with(p)))
        .cloned()
        .collect();
    if !family.is_empty() || keys.contains("encounters") {
        for &block in &covered {
            let total = sys.var("encounters", block);
            for prefix in BREAKDOWNS {
                let mut form: Form = vec![(total, -1.0)];
                for k in family.iter().filter(|k| k.starts_with(prefix)) {
                    form.push((sys.var(k, block), 1.0));
                }
                constraints.push(Constraint {
                    form,
                    rhs: 0.0,
                    source: Source::Identity,
                });
            }
        }
    }

    // What an attacker holds: earlier values that still hold, and the new report's shown ones.
    let mut known: HashSet<&DailySum> = HashSet::new();
    let mut hidden_before: HashSet<&DailySum> = HashSet::new();
    for (c, form) in earlier.iter().zip(&earlier_forms) {
        match c.shown {
            Some(shown) => {
                if (sys.value(form) - shown as f64).abs() < 0.5 && known.insert(&c.sum) {
                    constraints.push(Constraint {
                        form: form.clone(),
                        rhs: shown as f64,
                        source: Source::Earlier,
                    });
                }
            }
            None => {
                hidden_before.insert(&c.sum);
            }
        }
    }
    // A value an earlier release hid, and none showed, stays hidden: the same period reads the
    // same in every report (a template and the standard report of a quarter agree), and
    // releasing it again adds nothing an attacker did not have. Hiding only widens intervals.
    let mut kept_hidden = Vec::new();
    for (i, p) in new.iter_mut().enumerate() {
        // Not a headline: the audit decides on those, and shows one whenever it is safe.
        if !p.hidden && p.cost < 2 && hidden_before.contains(&p.sum) && !known.contains(&p.sum) {
            p.hidden = true;
            kept_hidden.push(i);
        }
    }
    // The part of a new value that values shown before add up to tells an attacker nothing
    // more: it is subtracted (a year after three of its quarters is the fourth), and a value
    // they cover whole (a quarter after its three months) is left out, so that counts it alone
    // would link are not attacked again.
    let tiles = Tiles::of(&known);
    let shown_before: HashMap<&DailySum, (&Form, u64)> = earlier
        .iter()
        .zip(&earlier_forms)
        .filter_map(|(c, f)| Some((&c.sum, (f, c.shown?))))
        .filter(|(s, _)| known.contains(s))
        .collect();
    for (i, (p, form)) in new.iter().zip(&new_forms).enumerate() {
        if known.contains(&p.sum) {
            continue;
        }
        let mut rest: BTreeMap<usize, f64> = form.iter().copied().collect();
        let mut rhs = p.value as f64;
        for tile in tiles.cover(&p.sum) {
            let (tile_form, shown) = shown_before[tile];
            for &(v, k) in tile_form {
                *rest.entry(v).or_default() -= k;
            }
            rhs -= shown as f64;
        }
        let rest: Form = rest.into_iter().filter(|(_, k)| k.abs() > 1e-9).collect();
        if !rest.is_empty() {
            constraints.push(Constraint {
                form: rest,
                rhs,
                source: Source::New(i),
            });
        }
    }

    // The small counts to protect, each once: hidden values, and the pieces of every value
    // that a report on one zone or one run of days would show.
    let small = |v: f64| v >= 0.5 && v < threshold as f64 - 0.5;
    let mut seen: HashSet<(Vec<(String, u64)>, Region)> = HashSet::new();
    let mut targets: Vec<(Form, bool)> = Vec::new();
    let cells = new
        .iter()
        .zip(&new_regions)
        .map(|(p, r)| (&p.sum, r, p.hidden, true))
        .chain(
            earlier
                .iter()
                .zip(&earlier_regions)
                .map(|(c, r)| (&c.sum, r, c.shown.is_none(), false)),
        );
    for (sum, region, hidden, is_new) in cells {
        let whole = hidden.then(|| region.clone());
        for piece in whole.into_iter().chain(grid.pieces(region)) {
            let form = sys.form(&grid, &piece, &sum.terms);
            if small(sys.value(&form)) && seen.insert((sum.terms.clone(), piece)) {
                targets.push((form, is_new));
            }
        }
    }

    let mut out = Outcome {
        targets: targets.len(),
        kept_hidden,
        ..Outcome::default()
    };
    let mut hidden: Vec<bool> = new.iter().map(|p| p.hidden).collect();
    // Nothing the new report shows is new to an attacker (a report released before, again, or
    // a template of it): the releases before were audited against all of it.
    let shows_new = constraints
        .iter()
        .any(|c| matches!(c.source, Source::New(i) if !hidden[i]));
    if !shows_new {
        return out;
    }
    let earlier_only = |c: &Constraint| !matches!(c.source, Source::New(_));
    let before = (
        Components::new(&constraints, &sys, false, &earlier_only),
        Components::new(&constraints, &sys, true, &earlier_only),
    );
    let audit = Audit {
        constraints: &constraints,
        sys: &sys,
        threshold,
        before: &before.1,
    };

    // First every target against the report as proposed, on every core: hiding more only
    // widens intervals, so a count settled now stays settled, and only the rest are attacked
    // again, in order, as values are hidden for them.
    let first = Linked::new(&audit, &hidden);
    let (open, mut points) = audit.settle_all(&first, &targets, progress, &mut out);
    let mut linked = Some(first);
    for t in open {
        let (target, is_new) = &targets[t];
        // Known to be open while nothing has been hidden since the first pass.
        let mut known_open = out.hidden.is_empty();
        let mut asked_before = None;
        loop {
            if !known_open {
                let l = linked.get_or_insert_with(|| Linked::new(&audit, &hidden));
                if audit.settled(l, target, *is_new, &mut points, &mut out) {
                    break;
                }
            }
            // Pinned by what was released before, whatever this report hides: hiding more
            // would cost the reader and protect nothing (asked once: hiding does not change it).
            if asked_before.is_none() {
                let pinned = pinned_before(&constraints, &before, &sys, target, threshold, &mut out);
                asked_before = Some(pinned);
                if pinned {
                    out.exposed_before += 1;
                    break;
                }
            }
            known_open = false;
            let l = linked.get_or_insert_with(|| Linked::new(&audit, &hidden));
            let (_, used) = l.whole.of(target);
            match next_to_hide(&constraints, &used, target, new) {
                Some(i) => {
                    hidden[i] = true;
                    out.hidden.push(i);
                    linked = None;
                }
                None => {
                    out.exposed_before += 1;
                    break;
                }
            }
        }
    }
    for &i in &out.hidden {
        new[i].hidden = true;
    }
    out
}

/// The values shown before that still hold, by series and zone, as runs of days. A new value
/// over the same series and zone contains some of them end to end: the largest such cover of
/// its days is subtracted from it, so that its constraint covers only the days nothing shown
/// before adds up to (a year after three of its quarters is the fourth), or vanishes.
struct Tiles<'a> {
    runs: HashMap<SeriesInZone<'a>, Vec<&'a DailySum>>,
}

/// A value's series and weights, and its zone (`None`: every zone).
type SeriesInZone<'a> = (&'a [(String, u64)], Option<&'a str>);

impl<'a> Tiles<'a> {
    fn of(known: &HashSet<&'a DailySum>) -> Tiles<'a> {
        let mut runs: HashMap<SeriesInZone<'a>, Vec<&'a DailySum>> = HashMap::new();
        for s in known {
            runs.entry((s.terms.as_slice(), s.zone.as_deref())).or_default().push(s);
        }
        for r in runs.values_mut() {
            r.sort_unstable_by_key(|s| (s.last, s.first));
        }
        Tiles { runs }
    }

    /// The runs shown before, apart from one another and inside `sum`'s days, that cover the
    /// most of them (weighted interval scheduling), in order.
    fn cover(&self, sum: &DailySum) -> Vec<&'a DailySum> {
        let Some(runs) = self.runs.get(&(sum.terms.as_slice(), sum.zone.as_deref())) else {
            return Vec::new();
        };
        let inside: Vec<&'a DailySum> = runs.iter().copied().filter(|s| s.first >= sum.first && s.last <= sum.last).collect();
        // best[k]: the most days covered by runs among the first k (by end), with the choice.
        let mut best: Vec<(i64, Option<usize>)> = vec![(0, None); inside.len() + 1];
        for (k, s) in inside.iter().enumerate() {
            let before = inside[..k].partition_point(|t| t.last < s.first);
            let with = best[before].0 + (s.last - s.first + 1);
            best[k + 1] = if with > best[k].0 { (with, Some(k)) } else { (best[k].0, None) };
        }
        let mut chosen = Vec::new();
        let mut k = inside.len();
        while k > 0 {
            match best[k].1 {
                Some(i) => {
                    chosen.push(inside[i]);
                    k = inside[..i].partition_point(|t| t.last < inside[i].first);
                }
                None => k -= 1,
            }
        }
        chosen.reverse();
        chosen
    }
}

/// What every program of one audit shares.
struct Audit<'a> {
    constraints: &'a [Constraint],
    sys: &'a System,
    threshold: u64,
    /// The unknowns linked by what was released before alone (pinned ones taken out).
    before: &'a Components,
}

/// The unknowns linked through everything shown (for what to hide), and the same with the
/// unknowns pinned on their own taken out (for the programs), for one set of hidden values.
struct Linked {
    whole: Components,
    reduced: Components,
}

impl Linked {
    fn new(audit: &Audit<'_>, hidden: &[bool]) -> Linked {
        let shown = |c: &Constraint| match c.source {
            Source::New(i) => !hidden[i],
            _ => true,
        };
        Linked {
            whole: Components::new(audit.constraints, audit.sys, false, &shown),
            reduced: Components::new(audit.constraints, audit.sys, true, &shown),
        }
    }
}

impl Audit<'_> {
    /// Whether `target` is as wide as the rule asks: by the solutions found before, or because
    /// it is a count of an earlier release that nothing shown in the new report touches
    /// (audited when it was released, against the same values), or by its programs.
    fn settled(&self, linked: &Linked, target: &Form, is_new: bool, points: &mut Points, out: &mut Outcome) -> bool {
        if points.spread(target, self.sys) + 1e-6 >= self.threshold as f64 {
            out.spared += 1;
            return true;
        }
        if !self.attacked(linked, target, is_new) {
            return true;
        }
        let interval = attack(
            self.constraints,
            &linked.reduced,
            target,
            self.sys,
            points,
            self.threshold,
            out,
        );
        protected(interval, self.threshold)
    }

    /// Whether `target` needs programs: a count of the new report, or one of an earlier release
    /// that something shown in the new report is linked to.
    fn attacked(&self, linked: &Linked, target: &Form, is_new: bool) -> bool {
        let (_, used) = linked.whole.of(target);
        is_new || used.iter().any(|&i| matches!(self.constraints[i].source, Source::New(_)))
    }

    /// Witnesses for many counts at once. In each component of what earlier releases alone
    /// link (a quarter and what it holds, ~800 unknowns) where many counts are attacked: the
    /// largest of their sum with random signs (seeded: the same every time), each unknown rising
    /// by at most twice the rule, the unknowns of other components held at their true value.
    /// Such a solution moves most counts of its component far from their true values, up or
    /// down. Round after round, over the counts not yet shown as wide as the rule, while a round
    /// settles at least one in twenty: most counts are then settled without programs of their
    /// own (a year's audit: 3,500 of them, with some 150 programs instead of 3,000).
    fn broad_points(&self, linked: &Linked, targets: &[(Form, bool)], threads: usize, out: &mut Outcome) -> Points {
        const ROUNDS: usize = 16;
        const MANY: usize = 32;
        let pinned = &linked.reduced.pinned;
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (t, (target, is_new)) in targets.iter().enumerate() {
            if let Some(root) = self.before.root_of(target) {
                if self.attacked(linked, target, *is_new) {
                    groups.entry(root).or_default().push(t);
                }
            }
        }
        let mut found = Points::default();
        for round in 0..ROUNDS {
            let mut jobs: Vec<(usize, u64, Vec<usize>)> = Vec::new();
            for (&root, open) in groups.iter_mut() {
                let before = open.len();
                open.retain(|&t| found.spread(&targets[t].0, self.sys) + 1e-6 < self.threshold as f64);
                if open.len() >= MANY && (round == 0 || open.len() * 20 <= before * 19) {
                    jobs.extend((0..threads).map(|k| (root, (round * threads + k) as u64, open.clone())));
                } else {
                    open.clear();
                }
            }
            if jobs.is_empty() {
                break;
            }
            out.programs += jobs.len();
            let points = on_threads(threads, |k| {
                let mut points = Points::default();
                for (root, seed, open) in jobs.iter().skip(k).step_by(threads) {
                    let vars: Vec<usize> = self.before.component(*root).0.iter().copied().filter(|&v| !pinned[v]).collect();
                    let mut inside = vec![false; pinned.len()];
                    for &v in &vars {
                        inside[v] = true;
                    }
                    let mut objective: HashMap<usize, f64> = HashMap::new();
                    for &t in open {
                        let sign = if mix(seed << 32 | t as u64) & 1 == 0 { 1.0 } else { -1.0 };
                        for &(v, w) in targets[t].0.iter().filter(|(v, _)| inside[*v]) {
                            *objective.entry(v).or_default() += sign * w;
                        }
                    }
                    let span = Span {
                        constraints: self.constraints,
                        sys: self.sys,
                        vars: &vars,
                        used: &linked.reduced.touching(&vars),
                        held: &|v| !inside[v],
                        cap: 2.0 * self.threshold as f64,
                    };
                    span.extreme(&objective, OptimizationDirection::Maximize, &mut points);
                }
                points.take()
            });
            found.broad.extend(points.into_iter().flatten());
        }
        found
    }

    /// Every target settled or not, on as many threads as the machine has cores, sharing the
    /// solutions found; the open ones in order, and the solutions.
    fn settle_all(
        &self,
        linked: &Linked,
        targets: &[(Form, bool)],
        progress: &(dyn Fn(usize, usize) + Sync),
        out: &mut Outcome,
    ) -> (Vec<usize>, Points) {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
        let done = std::sync::atomic::AtomicUsize::new(0);
        let pool = self.broad_points(linked, targets, threads, out);
        let shared = std::sync::Mutex::new(pool);
        let results: Vec<(Vec<usize>, Outcome)> = on_threads(threads, |k| {
            let mut counts = Outcome::default();
            let mut open = Vec::new();
            for t in (k..targets.len()).step_by(threads) {
                let (target, is_new) = &targets[t];
                // Spared by a solution any thread found (sound whoever found it: each
                // satisfies every constraint), else attacked with its own programs.
                let spread = shared.lock().unwrap_or_else(|p| p.into_inner()).spread(target, self.sys);
                if spread + 1e-6 >= self.threshold as f64 {
                    counts.spared += 1;
                } else {
                    let mut found = Points::default();
                    if !self.settled(linked, target, *is_new, &mut found, &mut counts) {
                        open.push(t);
                    }
                    let mut pool = shared.lock().unwrap_or_else(|p| p.into_inner());
                    for point in found.take() {
                        pool.keep(point);
                    }
                }
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                progress(n, targets.len());
            }
            (open, counts)
        });
        let mut open = Vec::new();
        for (o, counts) in results {
            open.extend(o);
            out.programs += counts.programs;
            out.spared += counts.spared;
            out.largest = out.largest.max(counts.largest);
        }
        open.sort_unstable();
        (open, shared.into_inner().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Whether the values released before (and the identities) alone pin `target` narrower than
/// the rule. Solved apart: its solutions need not satisfy the new report's values, so they are
/// not kept to spare later programs.
fn pinned_before(
    constraints: &[Constraint],
    before: &(Components, Components),
    sys: &System,
    target: &Form,
    threshold: u64,
    out: &mut Outcome,
) -> bool {
    let (before_whole, before) = before;
    let (_, touching) = before_whole.of(target);
    if !touching
        .iter()
        .any(|&i| matches!(constraints[i].source, Source::Earlier))
    {
        return false;
    }
    let mut scratch = Points::default();
    let interval = attack(
        constraints,
        before,
        target,
        sys,
        &mut scratch,
        threshold,
        out,
    );
    !protected(interval, threshold)
}

/// `work(k)` for each of `threads` workers, on threads of their own; the results in order.
fn on_threads<T: Send>(threads: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|k| {
            let work = &work;
            scope.spawn(move || work(k))
        }).collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(r) => r,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// A 64-bit mix (splitmix64's finaliser): a sign per count and round that is the same on
/// every run.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The next value of the new report to hide for an unprotected target: among the new report's
/// shown values in its component, headlines last of all (D79); then one that shares an unknown
/// with the target before one that does not, the cheaper (a row total after a cell), the
/// smallest non-zero first.
fn next_to_hide(
    constraints: &[Constraint],
    used: &[usize],
    target: &Form,
    new: &[Proposed],
) -> Option<usize> {
    let mine: HashSet<usize> = target.iter().map(|(v, _)| *v).collect();
    used.iter()
        .filter_map(|&i| match constraints[i].source {
            Source::New(n) => Some((n, &constraints[i])),
            _ => None,
        })
        .min_by_key(|(n, c)| {
            let touches = c.form.iter().any(|(v, _)| mine.contains(v));
            let value = new[*n].value;
            (new[*n].cost == 2, !touches, new[*n].cost, value == 0, value, *n)
        })
        .map(|(n, _)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(first: i64, last: i64, zone: Option<&str>, series: &str) -> DailySum {
        DailySum { first, last, zone: zone.map(str::to_owned), terms: vec![(series.to_owned(), 1)] }
    }

    #[test]
    fn a_value_is_covered_by_the_most_days_shown_before_apart_from_one_another() {
        let shown = [
            sum(0, 89, None, "encounters"),
            sum(90, 180, None, "encounters"),
            sum(181, 272, None, "encounters"),
            sum(0, 30, Some("downtown"), "encounters"),
            sum(31, 58, Some("downtown"), "encounters"),
            sum(0, 30, None, "gender/woman"),
            sum(20, 45, None, "gender/woman"),
            sum(40, 58, None, "gender/woman"),
        ];
        let known: HashSet<&DailySum> = shown.iter().collect();
        let tiles = Tiles::of(&known);
        let days = |c: Vec<&DailySum>| c.iter().map(|s| (s.first, s.last)).collect::<Vec<_>>();
        assert_eq!(days(tiles.cover(&sum(0, 364, None, "encounters"))), [(0, 89), (90, 180), (181, 272)], "the year after three quarters");
        assert_eq!(days(tiles.cover(&sum(0, 58, Some("downtown"), "encounters"))), [(0, 30), (31, 58)], "a zone's two months, whole");
        assert_eq!(days(tiles.cover(&sum(0, 58, None, "gender/woman"))), [(0, 30), (40, 58)], "overlapping runs: the most days, apart");
        assert!(tiles.cover(&sum(0, 58, Some("riverside"), "encounters")).is_empty(), "another zone");
        assert!(tiles.cover(&sum(1, 89, None, "encounters")).is_empty(), "nothing shown lies inside days 1–89");
        assert!(tiles.cover(&sum(0, 89, None, "gender/man")).is_empty(), "another series");
    }
}
