//! Tallies for a period in the program's time zone (SPEC section 6), by day, week or month, with
//! a trend whose step fits the period ([`Granularity::for_trend`]). Counts here are exact; suppression is a separate, pure step
//! ([`crate::suppress`]) applied by every export.
//!
//! Triggers keep daily counts per zone (`tally_day`) and which participants came on each day
//! (`participant_day`) in the same transaction as every write, so a year of tallies reads a few
//! thousand rows; days are rolled up into weeks, months and the period here. Unduplicated
//! participants are counted with a set per bucket, because distinct counts do not add up across
//! days. Per-device tallies scan the encounters instead.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{invalid, Result};
use crate::settings::{ItemCategory, ListKind, ProgramSettings};

pub mod labels;
pub mod people;
mod scan;
use scan::scan;

/// How to bucket a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// Local calendar days.
    Day,
    /// Weeks starting on Monday (ISO 8601).
    Week,
    /// Calendar months.
    Month,
}

/// The longest period whose trend is drawn by day (two weeks; D79: a month by day split the
/// ledger's grid into single days and made every report after it minutes long).
pub const DAILY_TREND_DAYS: i64 = 14;
/// The longest period whose trend is drawn by week (a quarter).
pub const WEEKLY_TREND_DAYS: i64 = 92;

impl Granularity {
    /// The step of a period's trend: by day up to two weeks, by week up to a quarter, by month
    /// beyond, so that a one-week report is not a single dot and a year is not 53 points.
    pub fn for_trend(from: NaiveDate, to: NaiveDate) -> Granularity {
        let days = (to - from).num_days() + 1;
        if days <= DAILY_TREND_DAYS {
            Granularity::Day
        } else if days <= WEEKLY_TREND_DAYS {
            Granularity::Week
        } else {
            Granularity::Month
        }
    }

    /// The row part of this step in report tables ("day", "week", "month").
    pub fn part(self) -> &'static str {
        match self {
            Granularity::Day => "day",
            Granularity::Week => "week",
            Granularity::Month => "month",
        }
    }
}

/// What to tally.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TallyQuery {
    /// First local date, inclusive.
    pub from: NaiveDate,
    /// Last local date, inclusive.
    pub to: NaiveDate,
    pub by: Option<Granularity>,
    pub zone: Option<String>,
    /// Only the encounters one device logged.
    pub device: Option<Uuid>,
}

impl TallyQuery {
    pub fn period(from: NaiveDate, to: NaiveDate) -> Self {
        TallyQuery { from, to, by: None, zone: None, device: None }
    }
}

/// Units and, for naloxone, doses of one supply item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemTally {
    pub category: ItemCategory,
    pub units: u64,
    pub doses: u64,
}

/// Label used for encounters where an optional field was not recorded.
pub const NOT_RECORDED: &str = "not_recorded";

/// Every measure of SPEC section 6 for one stretch of days.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measures {
    /// Encounters, not voided.
    pub encounters: u64,
    pub by_contact_type: BTreeMap<String, u64>,
    pub by_zone: BTreeMap<String, u64>,
    /// Distinct participant references.
    pub participants: u64,
    /// Encounters the worker marked as a new participant (the phone's hint; reports count
    /// [`Measures::new_persons`]).
    pub new_participants: u64,
    /// Participant references whose first contact with the program was in the period (and, in
    /// a zone's tally, in that zone): [`people`].
    #[serde(default)]
    pub new_persons: u64,
    /// Encounters with no participant reference (counted as contacts, not as persons).
    #[serde(default)]
    pub contacts_without_code: u64,
    pub items: BTreeMap<String, ItemTally>,
    /// Units of items in the syringes category.
    pub syringes_distributed: u64,
    /// Returned syringes counted one by one.
    pub syringes_collected: u64,
    /// Returned syringes estimated from sharps containers (count × the program's estimate).
    #[serde(default)]
    pub syringes_estimated: u64,
    /// Used syringes sent for disposal, counted (D91). Disposals belong to no zone: a zone's
    /// tally has none.
    #[serde(default)]
    pub syringes_disposed: u64,
    /// Used syringes sent for disposal, estimated from their weight (D91).
    #[serde(default)]
    pub syringes_disposed_estimated: u64,
    /// Sharps containers returned, by container type.
    #[serde(default)]
    pub containers: BTreeMap<String, u64>,
    pub referrals: BTreeMap<String, u64>,
    /// Encounters where a worker recorded suggesting each service of the directory.
    #[serde(default)]
    pub by_service: BTreeMap<String, u64>,
    pub overdose_reversals: u64,
    pub naloxone_doses_used: u64,
    /// Naloxone doses handed out (all naloxone items, in doses).
    pub naloxone_doses_distributed: u64,
    /// Secondary distribution: the sum of "collecting for N others".
    pub collecting_for: u64,
    /// Age bands, with [`NOT_RECORDED`].
    pub by_age_band: BTreeMap<String, u64>,
    /// Genders, with [`NOT_RECORDED`].
    pub by_gender: BTreeMap<String, u64>,
    /// Persons (distinct participant references) by the age band last recorded for them in
    /// the stretch, with [`NOT_RECORDED`]: adds up to [`Measures::participants`].
    #[serde(default)]
    pub persons_by_age_band: BTreeMap<String, u64>,
    /// Persons by the gender last recorded for them in the stretch, with [`NOT_RECORDED`].
    #[serde(default)]
    pub persons_by_gender: BTreeMap<String, u64>,
    /// Persons who received at least one item of each supply category in the stretch, by
    /// category id ([`people::category_id`]): a person is in each category they received.
    #[serde(default)]
    pub persons_receiving: BTreeMap<String, u64>,
    /// Persons by the race answered for them by the end of the stretch (D89): one id, or
    /// [`crate::profile::MULTIPLE`], [`crate::profile::DECLINED`], [`NOT_RECORDED`]; adds up
    /// to [`Measures::participants`]. Empty when the program has no such list.
    #[serde(default)]
    pub persons_by_race: BTreeMap<String, u64>,
    /// Persons by ethnicity, as [`Measures::persons_by_race`].
    #[serde(default)]
    pub persons_by_ethnicity: BTreeMap<String, u64>,
    /// Persons by area of residence, as [`Measures::persons_by_race`].
    #[serde(default)]
    pub persons_by_residence: BTreeMap<String, u64>,
    /// Services delivered on site, by `service/outcome` (D90): each delivery counted once.
    #[serde(default)]
    pub services_delivered: BTreeMap<String, u64>,
    /// Naloxone kits given by why: `first`, `refill_used`, `refill_lost`, … (D90); encounters
    /// where the worker recorded it.
    #[serde(default)]
    pub naloxone_kits: BTreeMap<String, u64>,
    /// Encounters reporting each substance (multi-select, so these do not add up to encounters).
    pub by_substance: BTreeMap<String, u64>,
}

impl Measures {
    /// Syringes collected (counted and estimated from containers) per syringe distributed;
    /// `None` when none were distributed.
    pub fn syringe_return_ratio(&self) -> Option<f64> {
        (self.syringes_distributed > 0)
            .then(|| (self.syringes_collected + self.syringes_estimated) as f64 / self.syringes_distributed as f64)
    }

    /// Syringes distributed per person who received syringes (individual coverage); `None`
    /// when no one did.
    pub fn syringes_per_person(&self) -> Option<f64> {
        let persons = self.persons_receiving.get(people::category_id(ItemCategory::Syringes)).copied().unwrap_or(0);
        (persons > 0).then(|| self.syringes_distributed as f64 / persons as f64)
    }
}

/// One bucket of a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub start: NaiveDate,
    /// Inclusive.
    pub end: NaiveDate,
    pub measures: Measures,
}

/// The tallies of a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub time_zone: String,
    pub total: Measures,
    /// Buckets of the requested granularity (empty when none was asked for).
    pub buckets: Vec<Bucket>,
    /// The step of the trend, from the period's length ([`Granularity::for_trend`]).
    pub trend_by: Granularity,
    /// The trend, always.
    pub trend: Vec<Bucket>,
}

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();

/// Days since 1970-01-01, as `tally_day` keeps them.
pub(crate) fn day_number(d: NaiveDate) -> i64 {
    d.signed_duration_since(EPOCH).num_days()
}

/// Splits [from, to] into buckets; returns their bounds.
fn bucket_bounds(from: NaiveDate, to: NaiveDate, by: Granularity) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let next = match by {
            Granularity::Day => start + Duration::days(1),
            Granularity::Week => start + Duration::days(7 - start.weekday().num_days_from_monday() as i64),
            Granularity::Month => {
                let (y, m) = if start.month() == 12 { (start.year() + 1, 1) } else { (start.year(), start.month() + 1) };
                NaiveDate::from_ymd_opt(y, m, 1).expect("first of month")
            }
        };
        let end = (next - Duration::days(1)).min(to);
        out.push((start, end));
        start = next;
    }
    out
}

/// The longest period one tally covers.
pub const MAX_DAYS: i64 = 366 * 5;

/// Checks a query's period.
pub fn check_period(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if from > to {
        return Err(invalid("period", "the start date is after the end date"));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(invalid("period", "a tally covers at most five years"));
    }
    Ok(())
}

/// Where each day of the period adds up: the total, a bucket, a step of the trend.
struct Rollup {
    first_day: i64,
    bucket_of_day: Vec<Option<usize>>,
    trend_of_day: Vec<usize>,
}

impl Rollup {
    fn new(from: NaiveDate, to: NaiveDate, buckets: &[(NaiveDate, NaiveDate)], trend: &[(NaiveDate, NaiveDate)]) -> Self {
        let first_day = day_number(from);
        let n = (day_number(to) - first_day + 1) as usize;
        let index = |bounds: &[(NaiveDate, NaiveDate)], d: i64| {
            bounds.iter().position(|(s, e)| day_number(*s) <= d && d <= day_number(*e))
        };
        Rollup {
            first_day,
            bucket_of_day: (0..n).map(|i| index(buckets, first_day + i as i64)).collect(),
            trend_of_day: (0..n).map(|i| index(trend, first_day + i as i64).unwrap_or(0)).collect(),
        }
    }

    /// Applies `f` to the total, the day's bucket and the day's step of the trend.
    fn each(&self, day: i64, tally: &mut TallyParts, mut f: impl FnMut(&mut Measures)) {
        let i = (day - self.first_day) as usize;
        f(&mut tally.total);
        if let Some(b) = self.bucket_of_day[i] {
            f(&mut tally.buckets[b]);
        }
        f(&mut tally.trend[self.trend_of_day[i]]);
    }
}

struct TallyParts {
    total: Measures,
    buckets: Vec<Measures>,
    trend: Vec<Measures>,
}

/// Where a tally reads its counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The daily tables the triggers keep (`tally_day`, `participant_day`): fast. Used for every
    /// query without a device filter.
    Daily,
    /// Every encounter row of the period: used for per-device tallies, and in tests to check
    /// the daily tables against the encounters themselves.
    Scan,
}

/// Computes the tallies of a period.
pub fn compute(conn: &Connection, settings: &ProgramSettings, q: &TallyQuery) -> Result<Tally> {
    compute_from(conn, settings, q, if q.device.is_some() { Source::Scan } else { Source::Daily })
}

/// Computes the tallies of a period from the chosen source.
pub fn compute_from(conn: &Connection, settings: &ProgramSettings, q: &TallyQuery, source: Source) -> Result<Tally> {
    check_period(q.from, q.to)?;
    if source == Source::Daily && q.device.is_some() {
        return Err(invalid("device", "per-device tallies are computed from the encounters"));
    }
    let bucket_bounds_list = q.by.map(|by| bucket_bounds(q.from, q.to, by)).unwrap_or_default();
    let trend_by = Granularity::for_trend(q.from, q.to);
    let trend_bounds = bucket_bounds(q.from, q.to, trend_by);
    let rollup = Rollup::new(q.from, q.to, &bucket_bounds_list, &trend_bounds);
    let mut parts = TallyParts {
        total: Measures::default(),
        buckets: vec![Measures::default(); bucket_bounds_list.len()],
        trend: vec![Measures::default(); trend_bounds.len()],
    };
    let categories: BTreeMap<&str, (ItemCategory, u64)> =
        settings.items.iter().map(|i| (i.id.as_str(), (i.category, i.doses_per_unit as u64))).collect();
    let add_item = |m: &mut Measures, item: &str, n: u64| {
        let (category, doses) = categories.get(item).copied().unwrap_or((ItemCategory::Other, 1));
        let t = m.items.entry(item.to_owned()).or_insert(ItemTally { category, units: 0, doses: 0 });
        t.units += n;
        t.doses += n * doses;
        match category {
            ItemCategory::Syringes => m.syringes_distributed += n,
            ItemCategory::Naloxone => m.naloxone_doses_distributed += n * doses,
            _ => {}
        }
    };
    let (lo, hi) = (day_number(q.from), day_number(q.to));
    let participants_sql = match source {
        Source::Daily => {
            let mut stmt = conn.prepare_cached(
                "SELECT day, zone, measure, key, n FROM tally_day
                 WHERE day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR zone = ?3) AND n != 0",
            )?;
            let mut rows = stmt.query(params![lo, hi, q.zone])?;
            while let Some(r) = rows.next()? {
                let day: i64 = r.get(0)?;
                let zone = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
                let measure = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
                let key = r.get_ref(3)?.as_str().map_err(rusqlite::Error::from)?;
                let n = r.get::<_, i64>(4)?.max(0) as u64;
                rollup.each(day, &mut parts, |m| {
                    let bump = |map: &mut BTreeMap<String, u64>, k: &str| *map.entry(k.to_owned()).or_default() += n;
                    match measure {
                        "encounters" => {
                            m.encounters += n;
                            bump(&mut m.by_zone, zone);
                        }
                        "contact_type" => bump(&mut m.by_contact_type, key),
                        "age_band" => bump(&mut m.by_age_band, key),
                        "gender" => bump(&mut m.by_gender, key),
                        "new_participants" => m.new_participants += n,
                        "syringes_collected" => m.syringes_collected += n,
                        "syringes_estimated" => m.syringes_estimated += n,
                        "syringes_disposed" => m.syringes_disposed += n,
                        "syringes_disposed_estimated" => m.syringes_disposed_estimated += n,
                        "containers" => bump(&mut m.containers, key),
                        "overdose_reversals" => m.overdose_reversals += n,
                        "naloxone_doses_used" => m.naloxone_doses_used += n,
                        "collecting_for" => m.collecting_for += n,
                        "item" => add_item(m, key, n),
                        "referral" => bump(&mut m.referrals, key),
                        "service" => bump(&mut m.by_service, key),
                        "delivered" => bump(&mut m.services_delivered, key),
                        "naloxone_kit" => bump(&mut m.naloxone_kits, key),
                        "substance" => bump(&mut m.by_substance, key),
                        _ => {}
                    }
                });
            }
            "SELECT day, participant FROM participant_day WHERE day BETWEEN ?1 AND ?2
             AND (?3 IS NULL OR zone = ?3) AND (?4 IS NULL)"
        }
        Source::Scan => {
            scan(conn, q, lo, hi, &rollup, &mut parts, &add_item)?;
            "SELECT e.local_day, e.participant FROM encounter e WHERE e.voided = 0 AND e.local_day BETWEEN ?1 AND ?2
             AND (?3 IS NULL OR e.zone = ?3) AND (?4 IS NULL OR e.author = ?4) AND e.participant IS NOT NULL"
        }
    };

    // New persons and contacts without a code, read from the participants' days or the
    // encounters (people.rs).
    let device = q.device.map(|d| d.as_bytes().to_vec());
    let from = match source {
        Source::Daily => people::ReadFrom::Daily,
        Source::Scan => people::ReadFrom::Encounters { device: device.as_deref() },
    };
    for (day, zone, series, n) in people::derived_daily(conn, lo, hi, from)? {
        if q.zone.as_deref().is_some_and(|z| z != zone) {
            continue;
        }
        rollup.each(day, &mut parts, |m| match series {
            people::NEW_PERSONS => m.new_persons += n,
            _ => m.contacts_without_code += n,
        });
    }

    // Unduplicated participants: a set per bucket.
    let mut total_set = HashSet::new();
    let mut bucket_sets = vec![HashSet::new(); parts.buckets.len()];
    let mut trend_sets = vec![HashSet::new(); parts.trend.len()];
    let mut stmt = conn.prepare_cached(participants_sql)?;
    let mut rows = stmt.query(params![lo, hi, q.zone, device])?;
    while let Some(r) = rows.next()? {
        let day: i64 = r.get(0)?;
        let p: i64 = r.get(1)?;
        let i = (day - rollup.first_day) as usize;
        total_set.insert(p);
        if let Some(b) = rollup.bucket_of_day[i] {
            bucket_sets[b].insert(p);
        }
        trend_sets[rollup.trend_of_day[i]].insert(p);
    }
    drop(rows);
    parts.total.participants = total_set.len() as u64;
    for (m, s) in parts.buckets.iter_mut().zip(&bucket_sets) {
        m.participants = s.len() as u64;
    }
    for (m, s) in parts.trend.iter_mut().zip(&trend_sets) {
        m.participants = s.len() as u64;
    }

    // Persons by their profile's answers as of the end of each stretch (D89).
    let asked: [bool; 3] = ListKind::PROFILE.map(|k| !settings.list(k).is_empty());
    if asked.iter().any(|a| *a) {
        let mut answered: HashMap<i64, Vec<(i64, crate::profile::ProfileAnswers)>> = HashMap::new();
        for (p, day, answers) in crate::profile::answered_until(conn, hi)? {
            if total_set.contains(&p) {
                answered.entry(p).or_default().push((day, answers));
            }
        }
        let count = |m: &mut Measures, persons: &HashSet<i64>, end: NaiveDate| {
            let end = day_number(end);
            for p in persons {
                let now = answered.get(p).map_or([None, None, None], |a| crate::profile::as_of(a, end));
                let maps = [&mut m.persons_by_race, &mut m.persons_by_ethnicity, &mut m.persons_by_residence];
                for ((map, answer), asked) in maps.into_iter().zip(now).zip(asked) {
                    if asked {
                        let column = answer.and_then(|a| a.column()).unwrap_or(NOT_RECORDED);
                        *map.entry(column.to_owned()).or_default() += 1;
                    }
                }
            }
        };
        count(&mut parts.total, &total_set, q.to);
        for ((m, s), (_, end)) in parts.buckets.iter_mut().zip(&bucket_sets).zip(&bucket_bounds_list) {
            count(m, s, *end);
        }
        for ((m, s), (_, end)) in parts.trend.iter_mut().zip(&trend_sets).zip(&trend_bounds) {
            count(m, s, *end);
        }
    }

    // Persons by age band and gender: each counted once per stretch, under the last answer
    // recorded for them in it (people.rs).
    type Answers = HashMap<i64, (Option<String>, Option<String>)>;
    let mut total_answers = Answers::new();
    let mut bucket_answers = vec![Answers::new(); parts.buckets.len()];
    let mut trend_answers = vec![Answers::new(); parts.trend.len()];
    let note = |map: &mut Answers, p: i64, age: &Option<String>, gender: &Option<String>| {
        let e = map.entry(p).or_default();
        if age.is_some() {
            e.0.clone_from(age);
        }
        if gender.is_some() {
            e.1.clone_from(gender);
        }
    };
    for (p, day, age, gender) in people::person_rows(conn, lo, hi, q.zone.as_deref(), device.as_deref())? {
        let i = (day - rollup.first_day) as usize;
        note(&mut total_answers, p, &age, &gender);
        if let Some(b) = rollup.bucket_of_day[i] {
            note(&mut bucket_answers[b], p, &age, &gender);
        }
        note(&mut trend_answers[rollup.trend_of_day[i]], p, &age, &gender);
    }
    let count = |m: &mut Measures, answers: &Answers| {
        for (age, gender) in answers.values() {
            *m.persons_by_age_band.entry(age.clone().unwrap_or_else(|| NOT_RECORDED.into())).or_default() += 1;
            *m.persons_by_gender.entry(gender.clone().unwrap_or_else(|| NOT_RECORDED.into())).or_default() += 1;
        }
    };
    count(&mut parts.total, &total_answers);
    for (m, a) in parts.buckets.iter_mut().zip(&bucket_answers) {
        count(m, a);
    }
    for (m, a) in parts.trend.iter_mut().zip(&trend_answers) {
        count(m, a);
    }

    // Persons who received each supply category: a set per stretch.
    type Received = HashSet<(i64, ItemCategory)>;
    let mut total_received = Received::new();
    let mut bucket_received = vec![Received::new(); parts.buckets.len()];
    let mut trend_received = vec![Received::new(); parts.trend.len()];
    for (p, day, item) in people::item_person_rows(conn, lo, hi, q.zone.as_deref(), device.as_deref())? {
        let category = categories.get(item.as_str()).map_or(ItemCategory::Other, |(c, _)| *c);
        let i = (day - rollup.first_day) as usize;
        total_received.insert((p, category));
        if let Some(b) = rollup.bucket_of_day[i] {
            bucket_received[b].insert((p, category));
        }
        trend_received[rollup.trend_of_day[i]].insert((p, category));
    }
    let count = |m: &mut Measures, received: &Received| {
        for (_, c) in received {
            *m.persons_receiving.entry(people::category_id(*c).to_owned()).or_default() += 1;
        }
    };
    count(&mut parts.total, &total_received);
    for (m, r) in parts.buckets.iter_mut().zip(&bucket_received) {
        count(m, r);
    }
    for (m, r) in parts.trend.iter_mut().zip(&trend_received) {
        count(m, r);
    }

    let bucket = |(bounds, measures): ((NaiveDate, NaiveDate), Measures)| Bucket { start: bounds.0, end: bounds.1, measures };
    Ok(Tally {
        from: q.from,
        to: q.to,
        time_zone: settings.program.time_zone.clone(),
        total: parts.total,
        buckets: bucket_bounds_list.into_iter().zip(parts.buckets).map(bucket).collect(),
        trend_by,
        trend: trend_bounds.into_iter().zip(parts.trend).map(bucket).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weeks_start_on_monday_and_clip_to_the_period() {
        let b = bucket_bounds(d("2026-11-04"), d("2026-11-20"), Granularity::Week);
        assert_eq!(
            b,
            vec![
                (d("2026-11-04"), d("2026-11-08")),
                (d("2026-11-09"), d("2026-11-15")),
                (d("2026-11-16"), d("2026-11-20")),
            ]
        );
    }

    #[test]
    fn months_cross_the_year() {
        let b = bucket_bounds(d("2026-11-15"), d("2027-01-10"), Granularity::Month);
        assert_eq!(
            b,
            vec![
                (d("2026-11-15"), d("2026-11-30")),
                (d("2026-12-01"), d("2026-12-31")),
                (d("2027-01-01"), d("2027-01-10")),
            ]
        );
    }

    #[test]
    fn the_trend_steps_by_day_up_to_two_weeks_by_week_up_to_a_quarter_then_by_month() {
        let step = |from: &str, to: &str| Granularity::for_trend(d(from), d(to));
        assert_eq!(step("2026-11-04", "2026-11-04"), Granularity::Day);
        assert_eq!(step("2026-01-01", "2026-01-14"), Granularity::Day);
        assert_eq!(step("2026-01-01", "2026-01-15"), Granularity::Week);
        assert_eq!(step("2026-01-01", "2026-01-31"), Granularity::Week);
        assert_eq!(step("2026-07-01", "2026-09-30"), Granularity::Week);
        assert_eq!(step("2026-07-01", "2026-10-01"), Granularity::Month);
        assert_eq!(step("2026-01-01", "2026-12-31"), Granularity::Month);
        let days = bucket_bounds(d("2026-02-27"), d("2026-03-01"), Granularity::Day);
        assert_eq!(days, vec![(d("2026-02-27"), d("2026-02-27")), (d("2026-02-28"), d("2026-02-28")), (d("2026-03-01"), d("2026-03-01"))]);
    }

    #[test]
    fn bad_periods_are_refused() {
        assert!(check_period(d("2026-02-01"), d("2026-01-01")).is_err());
        assert!(check_period(d("2020-01-01"), d("2026-01-01")).is_err());
        assert!(check_period(d("2026-01-01"), d("2026-01-01")).is_ok());
    }
}
