//! Reports: the tallies of a period with small counts suppressed, audited against every earlier
//! release of the store, ready for the writers (`writers/`). The tallies come from the store's
//! daily counts, so memory does not grow with the number of encounters.

use chrono::{NaiveDate, Utc};
use satchel_core::suppress::compare::{compare_period, previous_period, Compared};
use satchel_core::suppress::{Cell, SuppressedRow, SuppressedTable, Why};
use satchel_core::tally::labels::{measure_label, table_title, ColumnLabel, Labels};
use satchel_core::store::Release;
use satchel_core::{AuditProgress, Granularity, Store, TallyQuery};
use serde::Serialize;

use crate::error::Result;

/// A suppressed table with the names a person reads: the program's names for its columns and
/// words for the table, the ids beside them.
#[derive(Clone, Debug, Serialize)]
pub struct Table {
    /// The table's id (`encounters`, `syringes_distributed`, …).
    pub name: String,
    pub title: String,
    pub columns: Vec<ColumnLabel>,
    pub rows: Vec<SuppressedRow>,
}

/// The whole-period values of a report beside the period before it.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub tables: Vec<ComparedTable>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ComparedTable {
    pub name: String,
    pub title: String,
    pub values: Vec<ComparedValue>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ComparedValue {
    #[serde(flatten)]
    pub column: ColumnLabel,
    #[serde(flatten)]
    pub value: Compared,
}

/// A headline value that is not shown, and why, in words a funder reads beside it.
#[derive(Clone, Debug, Serialize)]
pub struct HeadlineNote {
    pub table: String,
    /// The column's id; `None` for the table's total.
    pub column: Option<String>,
    /// What the value is, as the report names it ("Encounters", "Summary: New participants").
    pub label: String,
    pub why: Why,
    pub words: String,
}

impl Table {
    /// A suppressed table with its columns named and in the program's list order.
    fn named(t: SuppressedTable, labels: &Labels) -> Table {
        let order = labels.column_order(&t.name, &t.columns);
        let rows = t
            .rows
            .into_iter()
            .map(|r| SuppressedRow { cells: order.iter().map(|&i| r.cells[i]).collect(), ..r })
            .collect();
        Table {
            title: table_title(&t.name),
            columns: order.iter().map(|&i| labels.column(&t.name, &t.columns[i])).collect(),
            name: t.name,
            rows,
        }
    }

    /// The table as the core suppressed it (ids only).
    fn suppressed(&self) -> SuppressedTable {
        SuppressedTable { name: self.name.clone(), columns: self.columns.iter().map(|c| c.id.clone()).collect(), rows: self.rows.clone() }
    }

    /// The whole period's row.
    pub fn period(&self) -> Option<&SuppressedRow> {
        self.rows.iter().find(|r| r.part == "period")
    }
}

/// A report: what it covers and its suppressed tables.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub program: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub time_zone: String,
    pub by: Option<Granularity>,
    /// The step of the trend (by day up to two weeks, by week up to a quarter, by month beyond).
    pub trend_by: Granularity,
    pub zone: Option<String>,
    /// The zone's name in the program's settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone_name: Option<String>,
    /// Counts from 1 to threshold − 1 are suppressed, and more where a total would reveal one.
    pub threshold: u32,
    pub generated_at: String,
    /// Syringes collected per syringe distributed over the period, when both counts are shown.
    pub syringe_return_ratio: Option<f64>,
    /// Syringes distributed per person who received syringes, when both counts are shown.
    #[serde(default)]
    pub syringes_per_person: Option<f64>,
    pub tables: Vec<Table>,
    /// Values hidden because of earlier releases, and how many releases there were.
    /// The same measures over the period of equal length just before (`--compare previous`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compared: Option<Comparison>,
    /// Headline values of the whole period that are not shown, with the reason in words (D79).
    pub headlines_hidden: Vec<HeadlineNote>,
    #[serde(skip)]
    pub hidden_for_earlier: usize,
    #[serde(skip)]
    pub earlier_releases: usize,
    /// Periods whose totals the audit took as released already (a release plan, D83).
    #[serde(skip)]
    pub planned: Vec<(NaiveDate, NaiveDate)>,
}

/// Told how far a report's audit is: the period being audited, and the share done.
pub type Progress<'a> = dyn Fn(&str, AuditProgress) + Sync + 'a;

impl Report {
    /// The report of a period, audited against every earlier release of this store; `into` a
    /// staged release, it is recorded in the store's ledger as pending until the release's
    /// files are published (a dry run, without, is not recorded).
    pub fn build(
        store: &Store,
        from: NaiveDate,
        to: NaiveDate,
        by: Option<Granularity>,
        zone: Option<String>,
        into: Option<&mut Release<'_>>,
        progress: &Progress<'_>,
    ) -> Result<Report> {
        let settings = store.settings()?;
        if let Some(z) = &zone {
            if !settings.zones.iter().any(|c| &c.id == z) {
                let known: Vec<&str> = settings.zones.iter().map(|c| c.id.as_str()).collect();
                return Err(format!("unknown zone {z:?}; the program's zones are: {}", known.join(", ")).into());
            }
        }
        let step = format!("{from} to {to}");
        let tell = |p: AuditProgress| progress(&step, p);
        let r = store.suppressed_report_watched(&TallyQuery { from, to, by, zone: zone.clone(), device: None }, into, &tell)?;
        let labels = Labels::new(&settings);
        let threshold = r.query.threshold;
        let headlines_hidden = r
            .headlines_hidden
            .iter()
            .map(|h| HeadlineNote {
                label: match &h.column {
                    None => table_title(&h.table),
                    Some(c) => labels.column(&h.table, c).full(),
                },
                table: h.table.clone(),
                column: h.column.clone(),
                why: h.why,
                words: h.why.words(threshold),
            })
            .collect();
        let tables = r.tables.into_iter().map(|t| Table::named(t, &labels)).collect();
        Ok(Report {
            program: settings.program.name.clone(),
            from,
            to,
            time_zone: r.time_zone,
            by,
            trend_by: Granularity::for_trend(from, to),
            zone_name: zone.as_ref().map(|z| labels.column("encounters", &format!("zone/{z}")).label),
            zone,
            threshold: r.query.threshold,
            generated_at: Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            syringe_return_ratio: r.syringe_return_ratio,
            syringes_per_person: r.syringes_per_person,
            tables,
            compared: None,
            headlines_hidden,
            hidden_for_earlier: r.hidden_for_earlier,
            earlier_releases: r.earlier_releases,
            planned: r.planned,
        })
    }

    /// The report of a period beside the period of equal length just before it. The earlier
    /// period is built (and, `into` a release, recorded in the same one) first, so the current one is audited
    /// against it as against every earlier release; a change is shown only beside two shown
    /// counts.
    pub fn build_compared(
        store: &Store,
        from: NaiveDate,
        to: NaiveDate,
        by: Option<Granularity>,
        zone: Option<String>,
        mut into: Option<&mut Release<'_>>,
        progress: &Progress<'_>,
    ) -> Result<Report> {
        let (pfrom, pto) = previous_period(from, to);
        let previous = Report::build(store, pfrom, pto, by, zone.clone(), into.as_deref_mut(), progress)?;
        let mut report = Report::build(store, from, to, by, zone, into, progress)?;
        let tables = report
            .tables
            .iter()
            .map(|t| {
                let before = previous.tables.iter().find(|p| p.name == t.name).map(|p| p.suppressed());
                let values = compare_period(&t.suppressed(), before.as_ref())
                    .into_iter()
                    .map(|(id, value)| {
                        let column = t.columns.iter().find(|c| c.id == id).cloned().unwrap_or_else(|| ColumnLabel {
                            label: measure_label(&id),
                            id,
                            group: None,
                        });
                        ComparedValue { column, value }
                    })
                    .collect();
                ComparedTable { name: t.name.clone(), title: t.title.clone(), values }
            })
            .collect();
        report.compared = Some(Comparison { from: pfrom, to: pto, tables });
        report.headlines_hidden.extend(previous.headlines_hidden.into_iter().map(|h| HeadlineNote {
            label: format!("{} ({} to {})", h.label, pfrom, pto),
            ..h
        }));
        report.hidden_for_earlier += previous.hidden_for_earlier;
        report.planned.extend(previous.planned);
        Ok(report)
    }

    /// What a dry run prints: per table, how many values would be shown and suppressed.
    pub fn dry_run(&self) -> String {
        let zone = self.zone.as_deref().unwrap_or("all zones");
        let by = self.by.map_or_else(String::new, |b| format!("by {}, ", b.part()));
        let mut out = format!(
            "Dry run: nothing written, nothing recorded.\n{} to {}, {by}{zone}; counts below {} suppressed.\n\n{:<36} {:>7} {:>11}\n",
            self.from, self.to, self.threshold, "table", "shown", "suppressed"
        );
        for t in &self.tables {
            let cells = || t.rows.iter().flat_map(|r| r.cells.iter().chain(&r.total));
            let hidden = cells().filter(|c| **c == Cell::Suppressed).count();
            out += &format!("{:<36} {:>7} {:>11}\n", t.title, cells().count() - hidden, hidden);
        }
        out += &format!(
            "\n{} of the suppressed values are hidden because of what {} earlier release{} showed.\n",
            self.hidden_for_earlier,
            self.earlier_releases,
            if self.earlier_releases == 1 { "" } else { "s" }
        );
        out += &self.plan_note();
        out
    }

    /// The release plan in words, one line per planned period; empty when nothing was planned.
    pub fn plan_note(&self) -> String {
        self.planned
            .iter()
            .map(|(from, to)| {
                format!(
                    "Audited as if the totals of {from} to {to}, for the program and each zone, were released \
                     already: this period completes it, and values those totals would reveal are hidden \
                     now, so that its reports can show them.\n"
                )
            })
            .collect()
    }
}

/// What a suppressed cell shows.
pub const SUPPRESSED: &str = "suppressed";

/// A cell as a person reads it: the count, or the word for a suppressed one.
pub fn text(cell: Cell) -> String {
    match cell {
        Cell::Count(n) => n.to_string(),
        Cell::Suppressed => SUPPRESSED.into(),
    }
}

/// The period's totals of the main tables, as text for the terminal (the demo prints them).
#[cfg(feature = "demo")]
pub fn summary(report: &Report) -> String {
    let mut out = format!(
        "{} — {} to {} ({}), counts below {} suppressed\n",
        report.program, report.from, report.to, report.time_zone, report.threshold
    );
    for t in &report.tables {
        let Some(period) = t.period() else { continue };
        let mut cells: Vec<(String, Cell)> = t.columns.iter().map(ColumnLabel::full).zip(period.cells.iter().copied()).collect();
        if let Some(total) = period.total {
            cells.insert(0, ("Total".into(), total));
        }
        if cells.is_empty() {
            continue;
        }
        out += &format!("\n{}\n", t.title);
        for (c, cell) in cells {
            out += &format!("  {c:<44} {:>10}\n", text(cell));
        }
        for h in report.headlines_hidden.iter().filter(|h| h.table == t.name) {
            out += &format!("  ({}: {})\n", h.label, h.words);
        }
    }
    if let Some(r) = report.syringe_return_ratio {
        out += &format!("\nsyringe return ratio (collected / distributed): {r:.2}\n");
    }
    if let Some(r) = report.syringes_per_person {
        out += &format!("syringes per person who received syringes: {r:.1}\n");
    }
    out
}
