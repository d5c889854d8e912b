//! Reports with small counts suppressed, and the ledger of what every report made from this
//! store has shown (`report_release`, encrypted with the rest of the store, never synced).
//! A new report is suppressed table by table ([`suppress::suppress`]), then audited against
//! everything released before ([`ledger::protect`]); recording it adds it to the ledger in the
//! same transaction, so two reports made at once cannot miss each other.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::error::{invalid, Error, Result};
use crate::settings::ProgramSettings;
use crate::suppress::ledger::{self, DailyCount, Proposed, ReleasedCell};
use crate::suppress::sums::{cell_sum, row_spans};
use crate::suppress::{self, Cell, Pos, SuppressedTable};
use crate::tally::{self, Granularity, Tally, TallyQuery};

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
}

/// One entry of the ledger, for a manager's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseInfo {
    pub id: i64,
    pub made_at: DateTime<Utc>,
    pub query: ReleaseQuery,
    /// Values the report showed, and values it hid (sums of daily counts only).
    pub shown: usize,
    pub hidden: usize,
}

impl Store {
    /// The report of a period with small counts suppressed, audited against every earlier
    /// release; with `record`, it is added to the ledger (a dry run leaves the ledger as it was).
    pub fn suppressed_report(&self, query: &TallyQuery, record: bool) -> Result<SuppressedReport> {
        if query.device.is_some() {
            return Err(invalid("device", "reports cover every device; per-device tallies are not released"));
        }
        let now = self.now();
        self.write(|ctx, conn| {
            let settings = &ctx.settings;
            if let Some(z) = &query.zone {
                if !settings.zones.iter().any(|c| &c.id == z) {
                    return Err(invalid("zone", format!("{z:?} is not one of the program's zones")));
                }
            }
            let threshold = settings.program.small_cell_threshold;
            let tally = tally::compute(conn, settings, query)?;
            let counts = suppress::tables(&tally, query.by);
            let mut tables: Vec<SuppressedTable> = counts.iter().map(|t| suppress::suppress(t, threshold)).collect();
            let (mut proposed, at) = proposals(&counts, &tables, &tally, query.by, query.zone.as_deref(), settings);

            let earlier = earlier_cells(conn)?;
            let days = proposed.iter().map(|p| &p.sum).chain(earlier.iter().flat_map(|(_, c)| c.iter().map(|c| &c.sum)));
            let (first, last) = days.fold((i64::MAX, i64::MIN), |(a, b), s| (a.min(s.first), b.max(s.last)));
            let daily = daily_counts(conn, first, last)?;
            let earlier_flat: Vec<ReleasedCell> = earlier.iter().flat_map(|(_, c)| c.iter().cloned()).collect();
            let zones: Vec<String> = settings.zones.iter().map(|z| z.id.clone()).collect();
            let outcome = ledger::protect(&mut proposed, &earlier_flat, &daily, &zones, threshold as u64);
            for &i in &outcome.hidden {
                let (t, (r, c)) = at[i];
                let row = &mut tables[t].rows[r];
                match c {
                    Some(c) => row.cells[c] = Cell::Suppressed,
                    None => row.total = Some(Cell::Suppressed),
                }
            }
            let release_query = ReleaseQuery {
                from: query.from,
                to: query.to,
                by: query.by,
                zone: query.zone.clone(),
                threshold,
            };
            let release = if record {
                let cells: Vec<ReleasedCell> = proposed
                    .iter()
                    .map(|p| ReleasedCell { sum: p.sum.clone(), shown: (!p.hidden).then_some(p.value) })
                    .collect();
                conn.execute(
                    "INSERT INTO report_release (made_at, query, cells) VALUES (?1, ?2, ?3)",
                    params![now.timestamp(), serde_json::to_string(&release_query).map_err(damaged)?, serde_json::to_vec(&cells).map_err(damaged)?],
                )?;
                Some(conn.last_insert_rowid())
            } else {
                None
            };
            Ok(SuppressedReport {
                query: release_query,
                time_zone: tally.time_zone.clone(),
                syringe_return_ratio: suppress::return_ratio(&tables),
                tables,
                hidden_for_earlier: outcome.hidden.len(),
                earlier_releases: earlier.len(),
                targets: outcome.targets,
                programs: outcome.programs,
                spared: outcome.spared,
                release,
            })
        })
    }

    /// Every report recorded in the ledger, oldest first.
    pub fn releases(&self) -> Result<Vec<ReleaseInfo>> {
        self.read(|_, conn| {
            let mut stmt = conn.prepare("SELECT id, made_at, query, cells FROM report_release ORDER BY id")?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let made_at: i64 = r.get(1)?;
                let query: String = r.get(2)?;
                let cells: Vec<ReleasedCell> = serde_json::from_slice(&r.get::<_, Vec<u8>>(3)?).map_err(damaged)?;
                let shown = cells.iter().filter(|c| c.shown.is_some()).count();
                out.push(ReleaseInfo {
                    id: r.get(0)?,
                    made_at: DateTime::from_timestamp(made_at, 0).ok_or_else(|| Error::Damaged("a release's time in the ledger".into()))?,
                    query: serde_json::from_str(&query).map_err(damaged)?,
                    shown,
                    hidden: cells.len() - shown,
                });
            }
            Ok(out)
        })
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
                    proposed.push(Proposed { sum, value, hidden: cell == Cell::Suppressed });
                    at.push((t, (r, c)));
                }
            }
        }
    }
    (proposed, at)
}

/// The ledger's cells, release by release.
fn earlier_cells(conn: &Connection) -> Result<Vec<(i64, Vec<ReleasedCell>)>> {
    let mut stmt = conn.prepare("SELECT id, cells FROM report_release ORDER BY id")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push((r.get(0)?, serde_json::from_slice(&r.get::<_, Vec<u8>>(1)?).map_err(damaged)?));
    }
    Ok(out)
}

/// The daily counts from `first` to `last` (day numbers), as `tally_day` keeps them.
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
    Ok(out)
}
