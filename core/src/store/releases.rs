//! Reports with small counts suppressed, and the ledger of what every report made from this
//! store has shown (`report_release`, encrypted with the rest of the store, never synced).
//! A new report is suppressed table by table ([`suppress::suppress`]), then audited against
//! everything released before ([`ledger::protect`]); recording it adds it to the ledger in the
//! same transaction, so two reports made at once cannot miss each other. A recorded report
//! stays pending until its files are in place (`release_files`, D78).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use super::release_files::{self, FilePair, Release};
use super::Store;
use crate::error::{invalid, Error, Result};
use crate::settings::ProgramSettings;
use crate::suppress::ledger::{self, DailyCount, Proposed, ReleasedCell};
use crate::suppress::sums::{cell_sum, row_spans};
use crate::suppress::persons::PersonCell;
use crate::suppress::{self, is_headline, Cell, HiddenHeadline, Pos, SuppressedTable, Why};
use crate::tally::{self, Granularity, ItemTally, Tally, TallyQuery};

/// What a report covers, as the ledger keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: Option<Granularity>,
    pub zone: Option<String>,
    pub threshold: u32,
}

/// A report ready to write: its tables after suppression and what the audit did.
#[derive(Clone, Debug, PartialEq)]
pub struct SuppressedReport {
    pub query: ReleaseQuery,
    pub time_zone: String,
    pub tables: Vec<SuppressedTable>,
    /// Syringes collected per syringe distributed, when both counts are shown.
    pub syringe_return_ratio: Option<f64>,
    /// Syringes distributed per person who received syringes, when both counts are shown.
    pub syringes_per_person: Option<f64>,
    /// Values hidden because of what earlier reports showed (beyond the report's own audit).
    pub hidden_for_earlier: usize,
    /// Earlier releases audited against.
    pub earlier_releases: usize,
    /// Small counts the audit across releases protected, and the linear programs it solved.
    pub targets: usize,
    pub programs: usize,
    /// Of the targets, those shown protected by solutions found before, without a program.
    pub spared: usize,
    /// The ledger entry, when the report was recorded as released.
    pub release: Option<i64>,
    /// Headline values of the whole period that are hidden, and why (D79).
    pub headlines_hidden: Vec<HiddenHeadline>,
    /// Periods whose totals, for the program and for each zone, the audit took as released
    /// already: the calendar quarter this report's period completes (a release plan, D83).
    pub planned: Vec<(NaiveDate, NaiveDate)>,
}

/// How far a report's audit across releases is: small counts checked of those to check
/// and the earlier releases it is audited against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditProgress {
    pub done: usize,
    pub of: usize,
    pub earlier: usize,
}

/// Whether a report's period can be complete on this store (D81).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodCheck {
    /// The period ended, and the store pulled after its end.
    Complete,
    /// The period ends today or later (in the program's time zone): more will be logged.
    NotEnded { today: NaiveDate },
    /// The last pull (if any) was before the period's end: what phones synced since is missing.
    PulledBefore { last_pull: Option<DateTime<Utc>> },
}

/// One release of the ledger, for a manager's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseInfo {
    pub id: i64,
    pub made_at: DateTime<Utc>,
    /// The report's period; with `--compare`, the period before comes first.
    pub parts: Vec<ReleaseQuery>,
    /// Values the release showed, and values it hid (sums of daily counts only).
    pub shown: usize,
    pub hidden: usize,
    /// "pending" (being written), "released" or "withdrawn".
    pub state: String,
    pub files: Vec<std::path::PathBuf>,
    /// When it was withdrawn, and the note left then.
    pub withdrawn: Option<(DateTime<Utc>, String)>,
}

impl ReleaseInfo {
    /// The report's own period (the last part).
    pub fn query(&self) -> &ReleaseQuery {
        self.parts.last().expect("a release has at least one part")
    }
}

impl Store {
    /// The report of a period with small counts suppressed, audited against every earlier
    /// release; `into` a staged release, its values are recorded as pending in the same
    /// transaction (without, a dry run, the ledger is left as it was). Interrupted releases are
    /// settled first.
    pub fn suppressed_report(&self, query: &TallyQuery, into: Option<&mut Release<'_>>) -> Result<SuppressedReport> {
        self.suppressed_report_watched(query, into, &|_| {})
    }

    /// [`Store::suppressed_report`], telling `progress` how far the audit is (from any thread).
    pub fn suppressed_report_watched(
        &self,
        query: &TallyQuery,
        into: Option<&mut Release<'_>>,
        progress: &(dyn Fn(AuditProgress) + Sync),
    ) -> Result<SuppressedReport> {
        if query.device.is_some() {
            return Err(invalid("device", "reports cover every device; per-device tallies are not released"));
        }
        let now = self.now();
        self.write(|ctx, conn| {
            release_files::settle(conn)?;
            let settings = &ctx.settings;
            if let Some(z) = &query.zone {
                if !settings.zones.iter().any(|c| &c.id == z) {
                    return Err(invalid("zone", format!("{z:?} is not one of the program's zones")));
                }
            }
            let threshold = settings.program.small_cell_threshold;
            let mut tally = tally::compute(conn, settings, query)?;
            show_zeros(&mut tally, settings, query.zone.is_some());
            let counts = suppress::tables(&tally, query.by);
            let mut tables: Vec<SuppressedTable> = counts.iter().map(|t| suppress::suppress(t, threshold)).collect();
            // Counts of persons, against the report's other rows and earlier releases (D92).
            let (person_cells, persons_for_earlier) = protect_persons(conn, settings, &counts, &mut tables, &tally, query, threshold)?;
            let (mut proposed, at) = proposals(&counts, &tables, &tally, query.by, query.zone.as_deref(), settings);

            let earlier = earlier_cells(conn)?;
            let plan = plan_periods(query.from, query.to);
            let planned = planned_cells(conn, settings, &plan)?;
            let days = proposed
                .iter()
                .map(|p| &p.sum)
                .chain(earlier.iter().flat_map(|(_, c)| c.iter().map(|c| &c.sum)))
                .chain(planned.iter().map(|c| &c.sum));
            let (first, last) = days.fold((i64::MAX, i64::MIN), |(a, b), s| (a.min(s.first), b.max(s.last)));
            let daily = daily_counts(conn, first, last)?;
            // The release plan's totals are audited as if shown already (D83): they are not
            // recorded, and the report that shows them is audited for itself when it is made.
            let earlier_flat: Vec<ReleasedCell> =
                earlier.iter().flat_map(|(_, c)| c.iter().cloned()).chain(planned).collect();
            let zones: Vec<String> = settings.zones.iter().map(|z| z.id.clone()).collect();
            let earlier_n = earlier.len();
            let tell = |done: usize, of: usize| progress(AuditProgress { done, of, earlier: earlier_n });
            let outcome = ledger::protect(&mut proposed, &earlier_flat, &daily, &zones, threshold as u64, &tell);
            for &i in outcome.hidden.iter().chain(&outcome.kept_hidden) {
                let (t, (r, c)) = at[i];
                let row = &mut tables[t].rows[r];
                match c {
                    Some(c) => row.cells[c] = Cell::Suppressed,
                    None => row.total = Some(Cell::Suppressed),
                }
            }
            let why_at = |t: usize, pos: Pos| {
                let i = at.iter().position(|a| *a == (t, pos));
                if persons_for_earlier.contains(&(t, pos)) {
                    Why::EarlierReleases
                } else if i.is_some_and(|i| outcome.kept_hidden.contains(&i)) {
                    Why::HiddenBefore
                } else if i.is_some_and(|i| outcome.hidden.contains(&i)) {
                    Why::EarlierReleases
                } else {
                    let row = &counts[t].rows[pos.0];
                    let n = match pos.1 {
                        Some(c) => row.cells[c],
                        None => row.total.unwrap_or(0),
                    };
                    if n > 0 && n < threshold as u64 { Why::SmallCount } else { Why::ProtectsSmallCount }
                }
            };
            let mut headlines_hidden = Vec::new();
            for (t, table) in tables.iter().enumerate() {
                let Some(r) = table.rows.iter().rposition(|r| r.part == "period") else { continue };
                let row = &table.rows[r];
                let cells = row.cells.iter().enumerate().map(|(c, cell)| (Some(c), *cell));
                for (c, cell) in cells.chain(row.total.map(|cell| (None, cell))) {
                    let column = c.map(|c| table.columns[c].clone());
                    if cell == Cell::Suppressed && is_headline(&table.name, column.as_deref()) {
                        headlines_hidden.push(HiddenHeadline { table: table.name.clone(), column, why: why_at(t, (r, c)) });
                    }
                }
            }
            let release_query = ReleaseQuery {
                from: query.from,
                to: query.to,
                by: query.by,
                zone: query.zone.clone(),
                threshold,
            };
            let release = if let Some(into) = into {
                let cells: Vec<ReleasedCell> = proposed
                    .iter()
                    .map(|p| ReleasedCell { sum: p.sum.clone(), shown: (!p.hidden).then_some(p.value) })
                    .collect();
                conn.execute(
                    "INSERT INTO report_release (made_at, query, cells, persons) VALUES (?1, ?2, ?3, ?4)",
                    params![
                        now.timestamp(),
                        serde_json::to_string(&release_query).map_err(damaged)?,
                        serde_json::to_vec(&cells).map_err(damaged)?,
                        serde_json::to_vec(&person_cells).map_err(damaged)?
                    ],
                )?;
                let row = conn.last_insert_rowid();
                release_files::record_pending(conn, into, row)?;
                into.batch
            } else {
                None
            };
            Ok(SuppressedReport {
                query: release_query,
                time_zone: tally.time_zone.clone(),
                syringe_return_ratio: suppress::return_ratio(&tables),
                syringes_per_person: suppress::syringes_per_person(&tables),
                tables,
                hidden_for_earlier: outcome.hidden.len() + outcome.kept_hidden.len() + persons_for_earlier.len(),
                earlier_releases: earlier.len(),
                targets: outcome.targets,
                programs: outcome.programs,
                spared: outcome.spared,
                release,
                headlines_hidden,
                planned: plan,
            })
        })
    }

    /// Whether a report ending on `to` can hold every encounter of its period yet.
    pub fn period_check(&self, to: NaiveDate) -> Result<PeriodCheck> {
        let settings = self.settings()?;
        let zone = crate::settings::parse_time_zone(&settings.program.time_zone)?;
        let now = self.now();
        let today = zone.local(now).date_naive();
        if to >= today {
            return Ok(PeriodCheck::NotEnded { today });
        }
        let after = to.succ_opt().and_then(|d| d.and_hms_opt(0, 0, 0)).and_then(|t| zone.earliest(t));
        let last_pull = self.sync_status()?.last_success;
        Ok(match (last_pull, after) {
            (Some(pulled), Some(end)) if pulled >= end => PeriodCheck::Complete,
            _ => PeriodCheck::PulledBefore { last_pull },
        })
    }

    /// Every release of the ledger, oldest first (interrupted ones settled first).
    pub fn releases(&self) -> Result<Vec<ReleaseInfo>> {
        self.settle_releases()?;
        self.read(|_, conn| {
            let mut stmt = conn.prepare(
                "SELECT batch, made_at, query, cells, state, files, withdrawn_at, withdrawn_note FROM report_release ORDER BY batch, id",
            )?;
            let mut rows = stmt.query([])?;
            let mut out: Vec<ReleaseInfo> = Vec::new();
            while let Some(r) = rows.next()? {
                let batch: i64 = r.get(0)?;
                let query: ReleaseQuery = serde_json::from_str(&r.get::<_, String>(2)?).map_err(damaged)?;
                let cells: Vec<ReleasedCell> = serde_json::from_slice(&r.get::<_, Vec<u8>>(3)?).map_err(damaged)?;
                let shown = cells.iter().filter(|c| c.shown.is_some()).count();
                let hidden = cells.len() - shown;
                if let Some(last) = out.last_mut().filter(|l| l.id == batch) {
                    last.parts.push(query);
                    last.shown += shown;
                    last.hidden += hidden;
                    continue;
                }
                let time = |t: i64| DateTime::from_timestamp(t, 0).ok_or_else(|| Error::Damaged("a release's time in the ledger".into()));
                let files: Vec<FilePair> = serde_json::from_str(&r.get::<_, String>(5)?).map_err(damaged)?;
                let withdrawn = match (r.get::<_, Option<i64>>(6)?, r.get::<_, Option<String>>(7)?) {
                    (Some(at), note) => Some((time(at)?, note.unwrap_or_default())),
                    _ => None,
                };
                out.push(ReleaseInfo {
                    id: batch,
                    made_at: time(r.get(1)?)?,
                    parts: vec![query],
                    shown,
                    hidden,
                    state: r.get(4)?,
                    files: files.into_iter().map(|p| p.dest).collect(),
                    withdrawn,
                });
            }
            Ok(out)
        })
    }
}

/// Every active item, referral type and zone of the program is a column of the report, 0 when
/// nothing was counted: a funder reads "Fentanyl test strips 0", not a missing line. A shown 0
/// is not a small count (D8).
fn show_zeros(tally: &mut Tally, settings: &ProgramSettings, one_zone: bool) {
    let m = &mut tally.total;
    for i in settings.items.iter().filter(|i| i.active) {
        m.items.entry(i.id.clone()).or_insert(ItemTally { category: i.category, units: 0, doses: 0 });
    }
    for r in settings.referral_types.iter().filter(|r| r.active) {
        m.referrals.entry(r.id.clone()).or_insert(0);
    }
    if !one_zone {
        for z in settings.zones.iter().filter(|z| z.active) {
            m.by_zone.entry(z.id.clone()).or_insert(0);
        }
    }
}

fn damaged(e: serde_json::Error) -> Error {
    Error::Damaged(format!("the ledger of releases: {e}"))
}

/// Every value of the report that is a sum of daily counts, and where it sits (table, position).
fn proposals(
    counts: &[suppress::CountTable],
    tables: &[SuppressedTable],
    tally: &Tally,
    by: Option<Granularity>,
    zone: Option<&str>,
    settings: &ProgramSettings,
) -> (Vec<Proposed>, Vec<(usize, Pos)>) {
    let mut proposed = Vec::new();
    let mut at = Vec::new();
    for (t, (count, shown)) in counts.iter().zip(tables).enumerate() {
        let spans = row_spans(tally, by, &count.name);
        for (r, (row, shown_row)) in count.rows.iter().zip(&shown.rows).enumerate() {
            let cells = row.cells.iter().zip(&shown_row.cells).enumerate().map(|(c, (n, s))| (Some(c), *n, *s));
            let total = row.total.zip(shown_row.total).map(|(n, s)| (None, n, s));
            for (c, value, cell) in cells.chain(total) {
                if let Some(sum) = cell_sum(count, (r, c), spans[r], zone, settings) {
                    let column = c.map(|c| count.columns[c].as_str());
                    let cost = match (row.part == "period" && is_headline(&count.name, column), c) {
                        (true, _) => 2,
                        (false, None) => 1,
                        (false, Some(_)) => 0,
                    };
                    proposed.push(Proposed { sum, value, hidden: cell == Cell::Suppressed, cost });
                    at.push((t, (r, c)));
                }
            }
        }
    }
    (proposed, at)
}

/// The release plan of a report from `from` to `to` (D83): the calendar quarter that ends on
/// `to` and begins before `from` (the year is not planned: it hid nothing more and cost the
/// fourth quarter's reports seconds each). Its totals are the next a manager releases (the
/// quarter's report, each zone's, the templates), so the report that completes it hides what
/// those totals would give away with it, while it still can: a month that ends a quarter, one
/// of whose months was hidden as small, hides a second month of that zone, and the quarter's
/// total can then be shown.
fn plan_periods(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    use chrono::Datelike;
    let Some(next) = to.succ_opt() else { return Vec::new() };
    let mut out = Vec::new();
    if next.day() == 1 && (next.month() - 1) % 3 == 0 {
        let start = to.with_day(1).and_then(|d| d.checked_sub_months(chrono::Months::new(2)));
        out.extend(start.filter(|s| *s < from).map(|s| (s, to)));
    }
    out
}

/// The headline values (each table's total and the funder's first numbers, [`is_headline`]) of
/// the reports on `plan`'s periods, for the whole program and for each zone, that the table's
/// own suppression would show, as the ledger would hold them once released.
fn planned_cells(conn: &Connection, settings: &ProgramSettings, plan: &[(NaiveDate, NaiveDate)]) -> Result<Vec<ReleasedCell>> {
    let zones = std::iter::once(None).chain(settings.zones.iter().map(|z| Some(z.id.clone())));
    let mut out = Vec::new();
    for (zone, &(from, to)) in zones.flat_map(|z| plan.iter().map(move |p| (z.clone(), p))) {
        let query = TallyQuery { zone, ..TallyQuery::period(from, to) };
        let mut tally = tally::compute(conn, settings, &query)?;
        show_zeros(&mut tally, settings, query.zone.is_some());
        let counts = suppress::tables(&tally, None);
        let threshold = settings.program.small_cell_threshold;
        let tables: Vec<SuppressedTable> = counts.iter().map(|t| suppress::suppress(t, threshold)).collect();
        let (proposed, _) = proposals(&counts, &tables, &tally, None, query.zone.as_deref(), settings);
        let headlines = proposed.into_iter().filter(|p| p.cost == 2 && !p.hidden);
        out.extend(headlines.map(|p| ReleasedCell { sum: p.sum, shown: Some(p.value) }));
    }
    Ok(out)
}

/// The ledger's cells, report by report; withdrawn releases are forgotten, pending ones count.
/// The tables that count persons, each cell a distinct count (D92).
const PERSON_TABLES: [&str; 2] = ["participants", "persons_receiving"];

/// Counts of persons (table, position) hidden because of earlier releases.
type HiddenForEarlier = BTreeSet<(usize, Pos)>;

/// The persons behind each count of a stretch of days and a zone, read once per report.
type PersonSets = HashMap<(i64, i64, Option<String>), BTreeMap<String, Vec<i64>>>;

fn persons_of<'a>(
    conn: &Connection,
    settings: &ProgramSettings,
    cache: &'a mut PersonSets,
    (first, last, zone): (i64, i64, Option<String>),
) -> Result<&'a BTreeMap<String, Vec<i64>>> {
    Ok(match cache.entry((first, last, zone)) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => {
            let zone = e.key().2.clone();
            e.insert(tally::people::person_sets(conn, settings, first, last, zone.as_deref())?)
        }
    })
}

/// Hides the counts of persons of the new report that, with another row of it or a count an
/// earlier release showed, would pin a small count of people ([`suppress::persons`], D92),
/// and suppresses their tables again with those counts protected as small ones. Returns the
/// report's counts of persons (to record with it) and those hidden because of earlier releases.
fn protect_persons(
    conn: &Connection,
    settings: &ProgramSettings,
    counts: &[suppress::CountTable],
    tables: &mut [SuppressedTable],
    tally: &Tally,
    query: &TallyQuery,
    threshold: u32,
) -> Result<(Vec<PersonCell>, HiddenForEarlier)> {
    let mut cache = PersonSets::new();
    let shown_at = |tables: &[SuppressedTable], t: usize, (r, c): Pos| {
        let row = &tables[t].rows[r];
        let cell = match c {
            Some(c) => row.cells[c],
            None => row.total.unwrap_or(Cell::Suppressed),
        };
        cell != Cell::Suppressed
    };
    let mut new: Vec<(PersonCell, Vec<i64>)> = Vec::new();
    let mut at: Vec<(usize, Pos, u64)> = Vec::new();
    let mut forced: BTreeMap<usize, BTreeSet<Pos>> = BTreeMap::new();
    for (t, count) in counts.iter().enumerate().filter(|(_, c)| PERSON_TABLES.contains(&c.name.as_str())) {
        let spans = row_spans(tally, query.by, &count.name);
        for (r, row) in count.rows.iter().enumerate() {
            let (first, last) = (tally::day_number(spans[r].0), tally::day_number(spans[r].1));
            let sets = persons_of(conn, settings, &mut cache, (first, last, query.zone.clone()))?;
            for c in (0..row.cells.len()).map(Some).chain(row.total.map(|_| None)) {
                let key = format!("{}:{}", count.name, c.map_or("", |c| count.columns[c].as_str()));
                let persons = sets.get(&key).cloned().unwrap_or_default();
                let value = c.map_or(row.total.unwrap_or(0), |c| row.cells[c]);
                if persons.len() as u64 != value {
                    // The persons do not match the count (cannot happen: the same rules): hide
                    // it rather than reason about it.
                    forced.entry(t).or_default().insert((r, c));
                }
                let shown = shown_at(tables, t, (r, c)).then_some(value);
                new.push((PersonCell { first, last, zone: query.zone.clone(), key, shown }, persons));
                at.push((t, (r, c), value));
            }
        }
    }
    // Earlier releases' shown counts, where the data still gives what they showed.
    let mut earlier: Vec<(PersonCell, Vec<i64>)> = Vec::new();
    let mut stmt = conn.prepare("SELECT persons FROM report_release WHERE state != 'withdrawn' AND persons IS NOT NULL ORDER BY id")?;
    let released: Vec<Vec<u8>> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    for blob in released {
        let cells: Vec<PersonCell> = serde_json::from_slice(&blob).map_err(damaged)?;
        for cell in cells {
            let Some(shown) = cell.shown else { continue };
            let sets = persons_of(conn, settings, &mut cache, (cell.first, cell.last, cell.zone.clone()))?;
            let persons = sets.get(&cell.key).cloned().unwrap_or_default();
            if persons.len() as u64 == shown {
                earlier.push((cell, persons));
            }
        }
    }
    let mut for_earlier = BTreeSet::new();
    loop {
        let hide = suppress::persons::exposed(&new, &earlier, threshold as u64);
        if hide.is_empty() && forced.values().all(BTreeSet::is_empty) {
            break;
        }
        let within = suppress::persons::exposed(&new, &[], threshold as u64);
        for &i in &hide {
            let (t, pos, _) = at[i];
            forced.entry(t).or_default().insert(pos);
            if !within.contains(&i) {
                for_earlier.insert((t, pos));
            }
        }
        for (&t, pos) in &forced {
            tables[t] = suppress::suppress_forced(&counts[t], threshold, true, pos);
        }
        for ((cell, _), &(t, pos, value)) in new.iter_mut().zip(&at) {
            cell.shown = shown_at(tables, t, pos).then_some(value);
        }
        if hide.is_empty() {
            break;
        }
    }
    Ok((new.into_iter().map(|(c, _)| c).collect(), for_earlier))
}

fn earlier_cells(conn: &Connection) -> Result<Vec<(i64, Vec<ReleasedCell>)>> {
    let mut stmt = conn.prepare("SELECT id, cells FROM report_release WHERE state != 'withdrawn' ORDER BY id")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push((r.get(0)?, serde_json::from_slice(&r.get::<_, Vec<u8>>(1)?).map_err(damaged)?));
    }
    Ok(out)
}

/// The daily counts from `first` to `last` (day numbers), as `tally_day` keeps them, and the
/// ones read from the encounters (new persons, contacts without a code).
fn daily_counts(conn: &Connection, first: i64, last: i64) -> Result<Vec<DailyCount>> {
    let mut stmt = conn.prepare_cached("SELECT day, zone, measure, key, n FROM tally_day WHERE day BETWEEN ?1 AND ?2 AND n > 0")?;
    let mut rows = stmt.query(params![first, last])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let measure: String = r.get(2)?;
        let key: String = r.get(3)?;
        out.push(DailyCount {
            day: r.get(0)?,
            zone: r.get(1)?,
            series: if key.is_empty() { measure } else { format!("{measure}/{key}") },
            n: r.get::<_, i64>(4)? as u64,
        });
    }
    drop(rows);
    // New persons and contacts without a code, read from the encounters' tables when asked.
    for (day, zone, series, n) in crate::tally::people::derived_daily(conn, first, last, crate::tally::people::ReadFrom::Daily)? {
        out.push(DailyCount { day, zone, series: series.to_owned(), n });
    }
    Ok(out)
}
