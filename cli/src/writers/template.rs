//! A filled report template in the funder's layout: CSV (one line per line item), XLSX (one
//! sheet), JSON, or a printable HTML page.

use std::fmt::Write as _;

use satchel_core::suppress::Cell;

use super::html::{escape, page_head};
use crate::error::Result;

use crate::template::Filled;

/// `section, line, value, sum`: the value is a number or `suppressed` (or the template's mark); `sum` says what the
/// line adds up, as the template writes it.
pub fn csv(filled: &Filled, f: &mut std::fs::File) -> Result<()> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(std::io::BufWriter::new(f));
    let err = |e: csv::Error| e.to_string();
    w.write_record(["section", "line", "value", "sum"]).map_err(err)?;
    for s in &filled.sections {
        for l in &s.lines {
            w.write_record([&s.name, &l.label, &filled.shown(l), &if l.sum.is_empty() { "typed in".to_string() } else { l.sum.join(" + ") }]).map_err(err)?;
        }
    }
    Ok(w.flush().map_err(|e| e.to_string())?)
}

pub fn xlsx(filled: &Filled) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format as Style, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = Workbook::new();
    let bold = Style::new().set_bold();
    let title = Style::new().set_bold().set_font_size(14);
    let sheet = book.add_worksheet().set_name(super::xlsx::sheet_name(&filled.title)).map_err(err)?;
    sheet.write_string_with_format(0, 0, &filled.title, &title).map_err(err)?;
    sheet
        .write_string(1, 0, format!("{} · {} to {} ({}) · counts from 1 to {} suppressed", filled.program, filled.from, filled.to, filled.time_zone, filled.threshold.saturating_sub(1)))
        .map_err(err)?;
    let mut row = 3;
    for s in &filled.sections {
        sheet.write_string_with_format(row, 0, &s.name, &bold).map_err(err)?;
        row += 1;
        for l in &s.lines {
            sheet.write_string(row, 0, &l.label).map_err(err)?;
            match l.value {
                Some(Cell::Count(n)) => sheet.write_number(row, 1, n as f64).map_err(err)?,
                _ => sheet.write_string(row, 1, filled.shown(l)).map_err(err)?,
            };
            if let Some(n) = l.why.as_ref().or(l.note.as_ref()) {
                sheet.write_string(row, 2, n).map_err(err)?;
            }
            row += 1;
        }
        row += 1;
    }
    if let Some(n) = &filled.note {
        sheet.write_string(row, 0, n).map_err(err)?;
    }
    sheet.set_column_width(0, 48).map_err(err)?;
    sheet.set_column_width(1, 14).map_err(err)?;
    sheet.set_column_width(2, 40).map_err(err)?;
    Ok(book.save_to_buffer().map_err(err)?)
}

pub fn html(filled: &Filled) -> String {
    let mut page = page_head(&format!("{} — {} to {}", filled.title, filled.from, filled.to));
    let _ = write!(page, "<h1>{}</h1>", escape(&filled.title));
    let _ = write!(
        page,
        "<p class=\"sub\">{} · {} to {} ({}) · counts from 1 to {} are suppressed, and any line that adds up a suppressed count</p>",
        escape(&filled.program),
        filled.from,
        filled.to,
        escape(&filled.time_zone),
        filled.threshold.saturating_sub(1)
    );
    for s in &filled.sections {
        let _ = write!(page, "<table class=\"template\"><caption>{}</caption><tbody>", escape(&s.name));
        for l in &s.lines {
            let class = if l.value == Some(Cell::Suppressed) { " class=\"suppressed\"" } else { "" };
            let note: String = l.note.iter().chain(&l.why).map(|n| format!("<div class=\"note\">{}</div>", escape(n))).collect();
            let _ = write!(page, "<tr><th scope=\"row\">{}{note}</th><td{class}>{}</td></tr>", escape(&l.label), escape(&filled.shown(l)));
        }
        page += "</tbody></table>";
    }
    if let Some(n) = &filled.note {
        let _ = write!(page, "<p class=\"note\">{}</p>", escape(n));
    }
    page + "</body></html>\n"
}
