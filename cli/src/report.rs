//! Reports: the tallies of a period with small counts suppressed, written as CSV (RFC 4180, one
//! long table), XLSX (one sheet per table, frozen header, numbers as numbers), JSON, or a
//! self-contained HTML page with charts (`html.rs`). The
//! tallies come from the store's daily counts, so memory does not grow with the number of
//! encounters. Every file is written to a temporary file beside it and renamed into place: a
//! failure never leaves half a report.

use std::io::Write;
use std::path::Path;

use chrono::{NaiveDate, Utc};
use clap::ValueEnum;
use satchel_core::suppress::{Cell, SuppressedTable};
use satchel_core::{Granularity, Store, TallyQuery};
use serde::Serialize;

use crate::manager::say;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Xlsx,
    Json,
    Html,
}

impl Format {
    /// `--format`, or the output file's extension.
    pub fn choose(given: Option<Format>, output: &Path) -> Result<Format, String> {
        if let Some(f) = given {
            return Ok(f);
        }
        let ext = output.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(Format::Csv),
            Some("xlsx") => Ok(Format::Xlsx),
            Some("json") => Ok(Format::Json),
            Some("html" | "htm") => Ok(Format::Html),
            _ => Err(format!("give --format csv|xlsx|json|html (the extension of {} does not say)", output.display())),
        }
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
    pub zone: Option<String>,
    /// Counts from 1 to threshold − 1 are suppressed, and more where a total would reveal one.
    pub threshold: u32,
    pub generated_at: String,
    /// Syringes collected per syringe distributed over the period, when both counts are shown.
    pub syringe_return_ratio: Option<f64>,
    pub tables: Vec<SuppressedTable>,
    /// Values hidden because of earlier releases, and how many releases there were.
    #[serde(skip)]
    pub hidden_for_earlier: usize,
    #[serde(skip)]
    pub earlier_releases: usize,
}

impl Report {
    /// The report of a period, audited against every earlier release of this store; with
    /// `record`, it is added to the store's ledger of releases (a dry run is not).
    pub fn build(
        store: &Store,
        from: NaiveDate,
        to: NaiveDate,
        by: Option<Granularity>,
        zone: Option<String>,
        record: bool,
    ) -> Result<Report, String> {
        let settings = store.settings().map_err(say)?;
        if let Some(z) = &zone {
            if !settings.zones.iter().any(|c| &c.id == z) {
                let known: Vec<&str> = settings.zones.iter().map(|c| c.id.as_str()).collect();
                return Err(format!("unknown zone {z:?}; the program's zones are: {}", known.join(", ")));
            }
        }
        let r = store.suppressed_report(&TallyQuery { from, to, by, zone: zone.clone(), device: None }, record).map_err(say)?;
        Ok(Report {
            program: settings.program.name.clone(),
            from,
            to,
            time_zone: r.time_zone,
            by,
            zone,
            threshold: r.query.threshold,
            generated_at: Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            syringe_return_ratio: r.syringe_return_ratio,
            tables: r.tables,
            hidden_for_earlier: r.hidden_for_earlier,
            earlier_releases: r.earlier_releases,
        })
    }

    /// What a dry run prints: per table, how many values would be shown and suppressed.
    pub fn dry_run(&self) -> String {
        let zone = self.zone.as_deref().unwrap_or("all zones");
        let by = match self.by {
            Some(Granularity::Week) => "by week, ",
            Some(Granularity::Month) => "by month, ",
            None => "",
        };
        let mut out = format!(
            "Dry run: nothing written, nothing recorded.\n{} to {}, {by}{zone}; counts below {} suppressed.\n\n{:<28} {:>7} {:>11}\n",
            self.from, self.to, self.threshold, "table", "shown", "suppressed"
        );
        for t in &self.tables {
            let cells = || t.rows.iter().flat_map(|r| r.cells.iter().chain(&r.total));
            let hidden = cells().filter(|c| **c == Cell::Suppressed).count();
            out += &format!("{:<28} {:>7} {:>11}\n", t.name, cells().count() - hidden, hidden);
        }
        out += &format!(
            "\n{} of the suppressed values are hidden because of what {} earlier release{} showed.\n",
            self.hidden_for_earlier,
            self.earlier_releases,
            if self.earlier_releases == 1 { "" } else { "s" }
        );
        out
    }
}

/// Writes `path` through a temporary file in the same folder, renamed into place at the end.
pub fn write_atomically(path: &Path, fill: impl FnOnce(&mut std::fs::File) -> Result<(), String>) -> Result<(), String> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".satchel-")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    fill(tmp.as_file_mut())?;
    tmp.as_file_mut().sync_all().map_err(|e| format!("writing {}: {e}", path.display()))?;
    tmp.persist(path).map_err(|e| format!("cannot write {}: {}", path.display(), e.error))?;
    Ok(())
}

pub fn write(report: &Report, format: Format, path: &Path) -> Result<(), String> {
    // Rendered before the file is opened: a drawing error leaves nothing behind.
    let page = if format == Format::Html { Some(crate::html::render(report)?) } else { None };
    write_atomically(path, |f| match format {
        Format::Html => f.write_all(page.as_deref().unwrap_or_default().as_bytes()).map_err(|e| e.to_string()),
        Format::Csv => csv(report, f),
        Format::Json => serde_json::to_writer_pretty(std::io::BufWriter::new(f), report).map_err(|e| e.to_string()),
        Format::Xlsx => f.write_all(&xlsx(report)?).map_err(|e| e.to_string()),
    })
}

/// What a suppressed cell shows.
pub const SUPPRESSED: &str = "suppressed";

fn text(cell: Cell) -> String {
    match cell {
        Cell::Count(n) => n.to_string(),
        Cell::Suppressed => SUPPRESSED.into(),
    }
}

/// One long table: `table, row, part, column, value` — one line per cell, the row totals as
/// column `total`. RFC 4180 quoting, CRLF line ends, UTF-8.
fn csv(report: &Report, f: &mut std::fs::File) -> Result<(), String> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(std::io::BufWriter::new(f));
    let err = |e: csv::Error| e.to_string();
    w.write_record(["table", "row", "part", "column", "value"]).map_err(err)?;
    for t in &report.tables {
        for r in &t.rows {
            for (c, cell) in t.columns.iter().zip(&r.cells) {
                w.write_record([t.name.as_str(), &r.label, &r.part, c, &text(*cell)]).map_err(err)?;
            }
            if let Some(total) = r.total {
                w.write_record([t.name.as_str(), &r.label, &r.part, "total", &text(total)]).map_err(err)?;
            }
        }
    }
    w.flush().map_err(|e| e.to_string())
}

/// One sheet per table: a frozen header, a row per week/month/period, numbers as numbers.
fn xlsx(report: &Report) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format as Style, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = Workbook::new();
    let bold = Style::new().set_bold();
    let about = book.add_worksheet().set_name("about").map_err(err)?;
    let lines = [
        ("program", report.program.clone()),
        ("from", report.from.to_string()),
        ("to", report.to.to_string()),
        ("time zone", report.time_zone.clone()),
        ("zone", report.zone.clone().unwrap_or_else(|| "all".into())),
        ("small counts suppressed below", report.threshold.to_string()),
        ("generated at", report.generated_at.clone()),
    ];
    for (i, (k, v)) in lines.iter().enumerate() {
        about.write_string_with_format(i as u32, 0, *k, &bold).map_err(err)?;
        about.write_string(i as u32, 1, v).map_err(err)?;
    }
    for t in &report.tables {
        let sheet = book.add_worksheet().set_name(sheet_name(&t.name)).map_err(err)?;
        let has_total = t.rows.iter().any(|r| r.total.is_some());
        let mut header = vec!["row".to_string(), "part".to_string()];
        header.extend(t.columns.iter().cloned());
        if has_total {
            header.push("total".into());
        }
        for (c, h) in header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold).map_err(err)?;
        }
        for (i, r) in t.rows.iter().enumerate() {
            let row = i as u32 + 1;
            sheet.write_string(row, 0, &r.label).map_err(err)?;
            sheet.write_string(row, 1, &r.part).map_err(err)?;
            let cells = r.cells.iter().copied().chain(r.total);
            for (j, cell) in cells.enumerate() {
                let col = j as u16 + 2;
                match cell {
                    Cell::Count(n) => sheet.write_number(row, col, n as f64).map_err(err)?,
                    Cell::Suppressed => sheet.write_string(row, col, SUPPRESSED).map_err(err)?,
                };
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(err)?;
        sheet.set_column_width(0, 12).map_err(err)?;
    }
    book.save_to_buffer().map_err(err)
}

/// Excel sheet names: at most 31 characters.
pub fn sheet_name(table: &str) -> String {
    table.chars().take(31).collect()
}

/// The period's totals of the main tables, as text for the terminal.
pub fn summary(report: &Report) -> String {
    let mut out = format!(
        "{} — {} to {} ({}), counts below {} suppressed\n",
        report.program, report.from, report.to, report.time_zone, report.threshold
    );
    for t in &report.tables {
        let Some(period) = t.rows.iter().find(|r| r.part == "period") else { continue };
        let mut cells: Vec<(String, Cell)> = t.columns.iter().cloned().zip(period.cells.iter().copied()).collect();
        if let Some(total) = period.total {
            cells.insert(0, ("total".into(), total));
        }
        if cells.is_empty() {
            continue;
        }
        out += &format!("\n{}\n", t.name);
        for (c, cell) in cells {
            out += &format!("  {c:<40} {:>10}\n", text(cell));
        }
    }
    if let Some(r) = report.syringe_return_ratio {
        out += &format!("\nsyringe return ratio (collected / distributed): {r:.2}\n");
    }
    out
}
