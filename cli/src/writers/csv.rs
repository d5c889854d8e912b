//! CSV: one long table, one line per value.

use crate::error::Result;
use crate::report::{text, Report};

/// One long table: `table, row, part, column, value` — one line per cell, the row totals as
/// column `total`. RFC 4180 quoting, CRLF line ends, UTF-8.
pub fn write(report: &Report, f: &mut std::fs::File) -> Result<()> {
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
    Ok(w.flush().map_err(|e| e.to_string())?)
}

