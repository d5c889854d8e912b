//! The grid of blocks (runs of days × zones) and the unknowns on it.

use std::collections::{BTreeMap, HashMap};

use super::DailySum;

/// Blocks of days × zones that no value tells apart.
pub(super) struct Grid {
    /// Sorted day boundaries: run `i` goes from `bounds[i]` to `bounds[i + 1] − 1`.
    pub(super) bounds: Vec<i64>,
    /// Every zone: the program's, those of the daily counts and those values name.
    pub(super) zones: Vec<String>,
}

/// Where a value lies on the grid: a range of runs of days, and zone classes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Region {
    pub(super) runs: (usize, usize),
    pub(super) zones: Vec<usize>,
}

impl Grid {
    pub(super) fn classes(&self) -> usize {
        self.zones.len()
    }

    pub(super) fn class_of(&self, zone: &str) -> Option<usize> {
        self.zones.binary_search_by(|z| z.as_str().cmp(zone)).ok()
    }

    pub(super) fn run_of(&self, day: i64) -> Option<usize> {
        let i = self.bounds.partition_point(|&b| b <= day);
        (i >= 1 && i < self.bounds.len()).then(|| i - 1)
    }

    pub(super) fn region(&self, s: &DailySum) -> Region {
        let run = |day: i64| self.bounds.binary_search(&day).unwrap_or(0);
        let zones = match &s.zone {
            Some(z) => self.class_of(z).into_iter().collect(),
            None => (0..self.classes()).collect(),
        };
        Region {
            runs: (run(s.first), run(s.last + 1)),
            zones,
        }
    }

    pub(super) fn blocks(&self, r: &Region) -> Vec<usize> {
        (r.runs.0..r.runs.1)
            .flat_map(|run| r.zones.iter().map(move |c| run * self.classes() + c))
            .collect()
    }

    /// The value's pieces that a report on one zone, or on one run of days, would show.
    pub(super) fn pieces(&self, r: &Region) -> Vec<Region> {
        let mut out = Vec::new();
        if r.zones.len() > 1 {
            out.extend(r.zones.iter().map(|&z| Region {
                runs: r.runs,
                zones: vec![z],
            }));
        }
        if r.runs.1 - r.runs.0 > 1 {
            out.extend((r.runs.0..r.runs.1).map(|run| Region {
                runs: (run, run + 1),
                zones: r.zones.clone(),
            }));
        }
        out
    }
}

/// A linear form over the unknowns.
pub(super) type Form = Vec<(usize, f64)>;

/// The unknowns (series × block) and what is true of them.
pub(super) struct System {
    pub(super) vars: HashMap<(usize, usize), usize>,
    pub(super) series: HashMap<String, usize>,
    pub(super) truth: Vec<f64>,
}

impl System {
    pub(super) fn var(&mut self, series: &str, block: usize) -> usize {
        let n = self.series.len();
        let s = *self.series.entry(series.to_owned()).or_insert(n);
        let next = self.vars.len();
        let v = *self.vars.entry((s, block)).or_insert(next);
        if v == self.truth.len() {
            self.truth.push(0.0);
        }
        v
    }

    pub(super) fn form(
        &mut self,
        grid: &Grid,
        region: &Region,
        series_terms: &[(String, u64)],
    ) -> Form {
        let mut terms: BTreeMap<usize, f64> = BTreeMap::new();
        for block in grid.blocks(region) {
            for (series, weight) in series_terms {
                *terms.entry(self.var(series, block)).or_default() += *weight as f64;
            }
        }
        terms.into_iter().collect()
    }

    pub(super) fn value(&self, form: &Form) -> f64 {
        form.iter().map(|(v, k)| self.truth[*v] * k).sum()
    }
}
