//! CSV: one long table, one line per value.

use crate::error::Result;
use crate::report::{text, Report, SUPPRESSED};

/// One long table: `table, table_id, row, part, column, column_id, value` — first what the
/// file covers (table `about`: program, period, zone, threshold, and why a headline value is
/// not shown), then one line per cell, the row totals as column `Total` (id `total`). `table` and `column` are the names a
/// person reads; scripts should use the ids, which do not change when a name does. RFC 4180
/// quoting, CRLF line ends, UTF-8.
pub fn write(report: &Report, f: &mut std::fs::File) -> Result<()> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(std::io::BufWriter::new(f));
    let err = |e: csv::Error| e.to_string();
    w.write_record(["table", "table_id", "row", "part", "column", "column_id", "value"]).map_err(err)?;
    // What the file covers, first, as rows of table `about` (scripts reading by table_id skip
    // them), and why each headline value not shown is not shown.
    let about = [
        ("Program", "program", report.program.clone()),
        ("From", "from", report.from.to_string()),
        ("To", "to", report.to.to_string()),
        ("Time zone", "time_zone", report.time_zone.clone()),
        ("Zone", "zone", report.zone_name.clone().unwrap_or_else(|| "all".into())),
        ("Small counts suppressed below", "threshold", report.threshold.to_string()),
        ("Generated at", "generated_at", report.generated_at.clone()),
    ];
    for (label, id, value) in about {
        w.write_record(["About", "about", "", "about", label, id, &value]).map_err(err)?;
    }
    for h in &report.headlines_hidden {
        let id = format!("{}/{}", h.table, h.column.as_deref().unwrap_or("total"));
        w.write_record(["About", "about", "total", "not_shown", &h.label, &id, &h.words]).map_err(err)?;
    }
    for t in &report.tables {
        for r in &t.rows {
            for (c, cell) in t.columns.iter().zip(&r.cells) {
                w.write_record([&t.title, &t.name, &r.label, &r.part, &c.full(), &c.id, &text(*cell)]).map_err(err)?;
            }
            if let Some(total) = r.total {
                w.write_record([&t.title, &t.name, &r.label, &r.part, "Total", "total", &text(total)]).map_err(err)?;
            }
        }
    }
    // `--compare previous`: the period before as part `previous_period` (row = its first day),
    // and the change as part `change` (suppressed beside any suppressed count).
    if let Some(c) = &report.compared {
        let from = c.from.to_string();
        for t in &c.tables {
            for v in &t.values {
                let change = v.value.change.map_or_else(|| SUPPRESSED.to_string(), |n| n.to_string());
                w.write_record([&t.title, &t.name, &from, "previous_period", &v.column.full(), &v.column.id, &text(v.value.previous)]).map_err(err)?;
                w.write_record([&t.title, &t.name, "total", "change", &v.column.full(), &v.column.id, &change]).map_err(err)?;
            }
        }
    }
    Ok(w.flush().map_err(|e| e.to_string())?)
}
