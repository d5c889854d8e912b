//! CSV: one long table, one line per value.

use crate::error::Result;
use crate::report::{text, Report, SUPPRESSED};

/// One long table: `table, table_id, row, part, column, column_id, value` — one line per
/// cell, the row totals as column `Total` (id `total`). `table` and `column` are the names a
/// person reads; scripts should use the ids, which do not change when a name does. RFC 4180
/// quoting, CRLF line ends, UTF-8.
pub fn write(report: &Report, f: &mut std::fs::File) -> Result<()> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(std::io::BufWriter::new(f));
    let err = |e: csv::Error| e.to_string();
    w.write_record(["table", "table_id", "row", "part", "column", "column_id", "value"]).map_err(err)?;
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
