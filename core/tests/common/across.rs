//! An attacker who holds every report released from a store, written apart from the suppressor
//! and its ledger: each shown value is read back from the report as a human would (its table,
//! its column, the days of its row, its zone), written as a sum of day × zone counts, and one
//! linear program per hidden small count, over every zone and every stretch of days that no
//! report tells apart (the same program as over single days), gives the narrowest interval
//! the reports allow. The true counts come from scanning the encounters, not the daily tables.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, Duration, NaiveDate};
use microlp::{ComparisonOp, OptimizationDirection, Problem};
use satchel_core::settings::ItemCategory;
use satchel_core::suppress::{Cell, SuppressedTable};
use satchel_core::tally::Source;
use satchel_core::{Measures, ProgramSettings, Store, TallyQuery};

/// A report as released: what it covers and its tables.
pub struct Released {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub zone: Option<String>,
    pub tables: Vec<SuppressedTable>,
}

/// Unknowns: (day, zone, series).
type Atom = (NaiveDate, String, String);
type Sum = Vec<(Atom, f64)>;

fn series_of(m: &Measures) -> BTreeMap<String, u64> {
    let mut s = BTreeMap::new();
    s.insert("encounters".to_string(), m.encounters);
    for (prefix, map) in [("contact_type", &m.by_contact_type), ("age_band", &m.by_age_band), ("gender", &m.by_gender)] {
        for (k, n) in map {
            s.insert(format!("{prefix}/{k}"), *n);
        }
    }
    for (k, n) in [
        ("new_persons", m.new_persons),
        ("contacts_without_code", m.contacts_without_code),
        ("syringes_collected", m.syringes_collected),
        ("overdose_reversals", m.overdose_reversals),
        ("naloxone_doses_used", m.naloxone_doses_used),
        ("collecting_for", m.collecting_for),
        ("syringes_estimated", m.syringes_estimated),
    ] {
        s.insert(k.to_string(), n);
    }
    for (k, t) in &m.items {
        s.insert(format!("item/{k}"), t.units);
    }
    for (k, n) in &m.referrals {
        s.insert(format!("referral/{k}"), *n);
    }
    for (k, n) in &m.by_substance {
        s.insert(format!("substance/{k}"), *n);
    }
    for (k, n) in &m.containers {
        s.insert(format!("containers/{k}"), *n);
    }
    for (k, n) in &m.by_service {
        s.insert(format!("service/{k}"), *n);
    }
    s
}

/// The last day of a row starting on `start`.
fn row_end(part: &str, start: NaiveDate, r: &Released) -> NaiveDate {
    let end = match part {
        "day" => start,
        "week" => start + Duration::days(6 - start.weekday().num_days_from_monday() as i64),
        "month" => {
            let next = if start.month() == 12 {
                NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
            };
            next.unwrap() - Duration::days(1)
        }
        _ => r.to,
    };
    end.min(r.to)
}

/// A value's series with their weights, and its zones.
type Meaning = (Vec<(String, f64)>, Vec<String>);

/// What a value of a report sums: the series with their weights, and the zones.
fn meaning(table: &str, column: Option<&str>, zones: &[String], settings: &ProgramSettings) -> Option<Meaning> {
    let items = |cat: ItemCategory, doses: bool| -> Vec<(String, f64)> {
        settings
            .items
            .iter()
            .filter(|i| i.category == cat)
            .map(|i| (format!("item/{}", i.id), if doses { i.doses_per_unit as f64 } else { 1.0 }))
            .collect()
    };
    let one = |s: String| vec![(s, 1.0)];
    let terms = match (table, column) {
        ("encounters", None) => one("encounters".into()),
        ("encounters", Some(c)) if c.starts_with("zone/") => {
            let z = &c["zone/".len()..];
            let zones: Vec<String> = zones.iter().filter(|x| *x == z).cloned().collect();
            return Some((one("encounters".into()), zones));
        }
        ("encounters" | "summary", Some(c)) => one(c.into()),
        ("syringes_distributed", None) => items(ItemCategory::Syringes, false),
        ("naloxone_doses_distributed", None) => items(ItemCategory::Naloxone, true),
        ("naloxone_doses_distributed", Some(k)) => {
            vec![(format!("item/{k}"), settings.item(k).map(|i| i.doses_per_unit as f64).unwrap_or(1.0))]
        }
        ("syringes_distributed" | "other_supplies_units", Some(k)) => one(format!("item/{k}")),
        ("referrals", Some(k)) => one(format!("referral/{k}")),
        ("substances", Some(k)) => one(format!("substance/{k}")),
        ("sharps_containers", Some(k)) => one(format!("containers/{k}")),
        ("referrals_by_service", Some(k)) => one(format!("service/{k}")),
        _ => return None,
    };
    Some((terms, zones.to_vec()))
}

fn family(series: &str) -> &str {
    if series == "encounters" || ["contact_type/", "age_band/", "gender/"].iter().any(|p| series.starts_with(p)) {
        "encounters"
    } else if series.starts_with("item/") {
        "items"
    } else {
        series
    }
}

/// The narrowest interval an attacker holding `released` finds for a hidden small count (and
/// where; a width of the rule or more may be given as a lower bound of the true one), after checking that every shown value is the true one. The attacker knows the
/// program's zones (every encounter is in one of them here).
pub fn narrowest(store: &Store, released: &[Released], threshold: u64) -> (f64, String) {
    let settings = store.settings().unwrap();
    let zones: Vec<&str> = settings.zones.iter().map(|z| z.id.as_str()).collect();
    let zones = &zones[..];
    let first = released.iter().map(|r| r.from).min().unwrap();
    let last = released.iter().map(|r| r.to).max().unwrap();
    let mut truth: HashMap<Atom, f64> = HashMap::new();
    let mut series: BTreeSet<String> = BTreeSet::new();
    let mut day = first;
    while day <= last {
        for z in zones {
            let q = TallyQuery { zone: Some(z.to_string()), ..TallyQuery::period(day, day) };
            let m = store.tally_from(&q, Source::Scan).unwrap().total;
            for (s, n) in series_of(&m) {
                series.insert(s.clone());
                truth.insert((day, z.to_string(), s), n as f64);
            }
        }
        day += Duration::days(1);
    }
    // A series missing on a day is zero, but the attacker does not know that.
    let mut day = first;
    while day <= last {
        for z in zones {
            for s in &series {
                truth.entry((day, z.to_string(), s.clone())).or_insert(0.0);
            }
        }
        day += Duration::days(1);
    }
    let value = |sum: &Sum| sum.iter().map(|(a, k)| truth.get(a).copied().unwrap_or(0.0) * k).sum::<f64>();

    // Every value of every report: what it sums, over which days and zones.
    struct Value {
        terms: Vec<(String, f64)>,
        days: (NaiveDate, NaiveDate),
        zones: Vec<String>,
        cell: Cell,
        at: String,
    }
    let mut values: Vec<Value> = Vec::new();
    for r in released {
        let report_zones: Vec<String> = match &r.zone {
            Some(z) => vec![z.clone()],
            None => zones.iter().map(|z| z.to_string()).collect(),
        };
        for t in &r.tables {
            for row in &t.rows {
                let start = if row.part == "period" { r.from } else { row.label.parse().unwrap() };
                let end = row_end(&row.part, start, r);
                let cells = row.cells.iter().enumerate().map(|(c, cell)| (Some(t.columns[c].as_str()), *cell));
                for (column, cell) in cells.chain(row.total.map(|c| (None, c))) {
                    let Some((terms, in_zones)) = meaning(&t.name, column, &report_zones, &settings) else { continue };
                    let at = format!("{}..{} {:?} {} {:?}/{}", r.from, r.to, r.zone, t.name, column, row.label);
                    values.push(Value { terms, days: (start, end), zones: in_zones, cell, at });
                }
            }
        }
    }
    let sum_of = |terms: &[(String, f64)], (start, end): (NaiveDate, NaiveDate), in_zones: &[String]| -> Sum {
        let mut sum: Sum = Vec::new();
        let mut d = start;
        while d <= end {
            for z in in_zones {
                for (s, k) in terms {
                    sum.push(((d, z.clone(), s.clone()), *k));
                }
            }
            d += Duration::days(1);
        }
        sum
    };
    // Stretches of days that no report tells apart.
    let mut cuts: BTreeSet<NaiveDate> = BTreeSet::new();
    for v in &values {
        cuts.insert(v.days.0);
        cuts.insert(v.days.1 + Duration::days(1));
    }
    let cuts: Vec<NaiveDate> = cuts.into_iter().collect();

    // Shown values are equations; the small counts to protect are the hidden values, and the
    // pieces of every value that a report on one zone or one stretch of days would show.
    let mut shown: Vec<(Sum, f64)> = Vec::new();
    let mut hidden: Vec<(Sum, String)> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for v in &values {
        let mut pieces: Vec<((NaiveDate, NaiveDate), Vec<String>)> = Vec::new();
        match v.cell {
            Cell::Count(n) => {
                let sum = sum_of(&v.terms, v.days, &v.zones);
                assert_eq!(n as f64, value(&sum), "a shown value is the true one: {}", v.at);
                shown.push((sum, n as f64));
            }
            Cell::Suppressed => pieces.push((v.days, v.zones.clone())),
        }
        if v.zones.len() > 1 {
            pieces.extend(v.zones.iter().map(|z| (v.days, vec![z.clone()])));
        }
        let inside: Vec<&NaiveDate> = cuts.iter().filter(|c| **c > v.days.0 && **c <= v.days.1).collect();
        if !inside.is_empty() {
            let mut from = v.days.0;
            for &c in inside.iter().copied().chain(std::iter::once(&(v.days.1 + Duration::days(1)))) {
                pieces.push(((from, c - Duration::days(1)), v.zones.clone()));
                from = c;
            }
        }
        for (days, in_zones) in pieces {
            let key = format!("{:?} {:?} {:?}", v.terms, days, in_zones);
            if seen.insert(key) {
                let at = format!("{} on {}..{} in {:?}", v.at, days.0, days.1, in_zones);
                hidden.push((sum_of(&v.terms, days, &in_zones), at));
            }
        }
    }

    // The unknowns of the programs: each stretch of days no report tells apart, per zone and
    // series. Every value and piece covers whole stretches, so a day's count and its stretch's
    // total play the same part: any non-negative stretch total splits into non-negative days
    // (all on its first day, say) that keep each day's breakdowns adding up.
    let stretch = |d: NaiveDate| -> NaiveDate { *cuts.iter().rev().find(|c| **c <= d).unwrap() };
    let to_stretches = |sum: &Sum| -> Sum {
        let mut by: BTreeMap<Atom, f64> = BTreeMap::new();
        for ((d, z, s), k) in sum {
            by.insert((stretch(*d), z.clone(), s.clone()), *k);
        }
        by.into_iter().collect()
    };
    let shown: Vec<(Sum, f64)> = shown.iter().map(|(sum, n)| (to_stretches(sum), *n)).collect();
    let stretch_atoms: BTreeSet<Atom> = truth.keys().map(|(d, z, s)| (stretch(*d), z.clone(), s.clone())).collect();
    let mut stretch_truth: HashMap<Atom, f64> = HashMap::new();
    for ((d, z, s), n) in &truth {
        *stretch_truth.entry((stretch(*d), z.clone(), s.clone())).or_default() += n;
    }
    let stretch_truth = &stretch_truth;
    // Each small count on its own, spread over the machine's cores.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let hidden = &hidden;
    let widths: Vec<(f64, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|k| {
                let (value, to_stretches, stretch_atoms, shown, cuts, series) = (&value, &to_stretches, &stretch_atoms, &shown, &cuts, &series);
                scope.spawn(move || {
                    let mut narrowest = (f64::INFINITY, String::new());
                    for (target, at) in hidden.iter().skip(k).step_by(threads) {
                        let v = value(target);
                        if !(v >= 1.0 && v < threshold as f64) {
                            continue;
                        }
                        let target = &to_stretches(target);
                        let Some(first_atom) = target.first() else { continue };
                        let fam = family(&first_atom.0 .2);
                        let atoms: Vec<Atom> = stretch_atoms.iter().filter(|a| family(&a.2) == fam).cloned().collect();
                        let index: HashMap<&Atom, usize> = atoms.iter().enumerate().map(|(i, a)| (a, i)).collect();
                        let objective: HashMap<&Atom, f64> = target.iter().map(|(a, k)| (a, *k)).collect();
                        // Over each stretch's rise and fall from its true count: the true counts
                        // satisfy every shown value and breakdown (checked above), so every
                        // right-hand side is 0 and the solver starts from a solution.
                        let bound = |direction| {
                            let mut p = Problem::new(direction);
                            let vars: Vec<_> = atoms
                                .iter()
                                .map(|a| {
                                    let k = objective.get(a).copied().unwrap_or(0.0);
                                    let n = stretch_truth.get(a).copied().unwrap_or(0.0);
                                    (p.add_var(k, (0.0, f64::INFINITY)), (n > 0.0).then(|| p.add_var(-k, (0.0, n))))
                                })
                                .collect();
                            let terms_of = |pairs: &mut dyn Iterator<Item = (usize, f64)>| {
                                let mut terms = Vec::new();
                                for (i, k) in pairs {
                                    terms.push((vars[i].0, k));
                                    if let Some(fall) = vars[i].1 {
                                        terms.push((fall, -k));
                                    }
                                }
                                terms
                            };
                            for (sum, n) in shown.iter().filter(|(s, _)| !s.is_empty() && family(&s[0].0 .2) == fam) {
                                let at_truth: f64 = sum.iter().map(|(a, k)| k * stretch_truth.get(a).copied().unwrap_or(0.0)).sum();
                                assert!((at_truth - n).abs() < 1e-6, "a shown value is the true one");
                                let terms = terms_of(&mut sum.iter().filter_map(|(a, k)| index.get(a).map(|&i| (i, *k))));
                                p.add_constraint(&terms, ComparisonOp::Eq, 0.0);
                            }
                            if fam == "encounters" {
                                // In every stretch in every zone, each breakdown adds up to the encounters.
                                for d in &cuts[..cuts.len() - 1] {
                                    for z in zones {
                                        let at = |s: &str| index.get(&(*d, z.to_string(), s.to_string())).copied();
                                        let total = at("encounters");
                                        for prefix in ["contact_type/", "age_band/", "gender/"] {
                                            let mut pairs: Vec<(usize, f64)> = series.iter().filter(|s| s.starts_with(prefix)).filter_map(|s| at(s)).map(|i| (i, 1.0)).collect();
                                            pairs.extend(total.map(|t| (t, -1.0)));
                                            let terms = terms_of(&mut pairs.into_iter());
                                            p.add_constraint(&terms, ComparisonOp::Eq, 0.0);
                                        }
                                    }
                                }
                            }
                            p.solve().map(|s| v + s.objective()).ok()
                        };
                        // A small count can fall by less than the rule: when it can rise by the
                        // rule, its width is at least that much, and the smallest is not needed.
                        let hi = bound(OptimizationDirection::Maximize).unwrap_or(f64::INFINITY);
                        let width = if hi - v >= threshold as f64 {
                            hi - v
                        } else {
                            hi - bound(OptimizationDirection::Minimize).unwrap_or(0.0)
                        };
                        if width < narrowest.0 {
                            narrowest = (width, at.clone());
                        }
                    }
                    narrowest
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    widths.into_iter().min_by(|a, b| a.0.total_cmp(&b.0)).unwrap_or((f64::INFINITY, String::new()))
}
