//! XLSX: an "about" sheet, then one sheet per table, named by its title; each column headed
//! by its name and, under it, its id.

use satchel_core::suppress::Cell;

use crate::error::Result;
use crate::report::{Report, SUPPRESSED};

/// One sheet per table: a frozen header, a row per week/month/period, numbers as numbers.
pub fn book(report: &Report) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format as Style, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = Workbook::new();
    let bold = Style::new().set_bold().set_text_wrap();
    let small = Style::new().set_font_color(rust_xlsxwriter::Color::Gray);
    let about = book.add_worksheet().set_name("about").map_err(err)?;
    let lines = [
        ("program", report.program.clone()),
        ("from", report.from.to_string()),
        ("to", report.to.to_string()),
        ("time zone", report.time_zone.clone()),
        ("zone", report.zone_name.clone().unwrap_or_else(|| "all".into())),
        ("small counts suppressed below", report.threshold.to_string()),
        ("generated at", report.generated_at.clone()),
    ];
    let not_shown = report.headlines_hidden.iter().map(|h| (format!("not shown: {}", h.label), h.words.clone()));
    let lines: Vec<(String, String)> = lines.into_iter().map(|(k, v)| (k.to_string(), v)).chain(not_shown).collect();
    for (i, (k, v)) in lines.iter().enumerate() {
        about.write_string_with_format(i as u32, 0, k, &bold).map_err(err)?;
        about.write_string(i as u32, 1, v).map_err(err)?;
    }
    for t in &report.tables {
        let sheet = book.add_worksheet().set_name(sheet_name(&t.title)).map_err(err)?;
        let has_total = t.rows.iter().any(|r| r.total.is_some());
        // Two header rows: the names a person reads, then the ids scripts use.
        let mut header = vec![("Row".to_string(), "row".to_string()), ("Part".to_string(), "part".to_string())];
        header.extend(t.columns.iter().map(|c| (c.full(), c.id.clone())));
        if has_total {
            header.push(("Total".into(), "total".into()));
        }
        for (c, (label, id)) in header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, label, &bold).map_err(err)?;
            sheet.write_string_with_format(1, c as u16, id, &small).map_err(err)?;
            sheet.set_column_width(c as u16, (label.chars().count() as f64 + 2.0).clamp(10.0, 40.0)).map_err(err)?;
        }
        for (i, r) in t.rows.iter().enumerate() {
            let row = i as u32 + 2;
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
        sheet.set_freeze_panes(2, 0).map_err(err)?;
    }
    if let Some(c) = &report.compared {
        let sheet = book.add_worksheet().set_name("Compared with previous").map_err(err)?;
        let previous = format!("{} to {}", c.from, c.to);
        let header = [
            ("Table", "table_id"),
            ("Measure", "column_id"),
            ("This period", "current"),
            (previous.as_str(), "previous"),
            ("Change", "change"),
        ];
        for (col, (label, id)) in header.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, *label, &bold).map_err(err)?;
            sheet.write_string_with_format(1, col as u16, *id, &small).map_err(err)?;
        }
        let mut row = 2;
        for t in &c.tables {
            for v in &t.values {
                sheet.write_string(row, 0, &t.title).map_err(err)?;
                sheet.write_string(row, 1, v.column.full()).map_err(err)?;
                for (col, cell) in [(2u16, v.value.current), (3, v.value.previous)] {
                    match cell {
                        Cell::Count(n) => sheet.write_number(row, col, n as f64).map_err(err)?,
                        Cell::Suppressed => sheet.write_string(row, col, SUPPRESSED).map_err(err)?,
                    };
                }
                match v.value.change {
                    Some(n) => sheet.write_number(row, 4, n as f64).map_err(err)?,
                    None => sheet.write_string(row, 4, SUPPRESSED).map_err(err)?,
                };
                row += 1;
            }
        }
        sheet.set_freeze_panes(2, 0).map_err(err)?;
        sheet.set_column_width(0, 28).map_err(err)?;
        sheet.set_column_width(1, 40).map_err(err)?;
        sheet.set_column_width(3, 24).map_err(err)?;
    }
    Ok(book.save_to_buffer().map_err(err)?)
}

/// Excel sheet names: at most 31 characters, cut between words and without the punctuation
/// left at the cut ("Syringe services program — quarterly report" gives "Syringe services
/// program"); the characters Excel refuses (`: \\ / ? * [ ]`) become spaces.
pub fn sheet_name(title: &str) -> String {
    const MAX: usize = 31;
    let clean: String = title.chars().map(|c| if ":\\/?*[]".contains(c) { ' ' } else { c }).collect();
    let words: Vec<&str> = clean.split_whitespace().collect();
    let mut out = String::new();
    for word in &words {
        let extra = if out.is_empty() { 0 } else { 1 };
        if out.chars().count() + extra + word.chars().count() > MAX {
            break;
        }
        if extra == 1 {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.chars().count() < clean.trim().chars().count() {
        let kept = out.trim_end_matches(|c: char| !c.is_alphanumeric() && c != ')').trim_end().to_string();
        out = kept;
    }
    if out.is_empty() {
        // One word longer than a sheet name, or nothing to name it by.
        out = words.first().map(|w| w.chars().take(MAX).collect()).unwrap_or_else(|| "Report".into());
    }
    out
}


#[cfg(test)]
mod tests {
    use super::sheet_name;

    #[test]
    fn sheet_names_are_cut_at_a_word_without_the_punctuation_left_there() {
        assert_eq!(sheet_name("Syringe services program — quarterly report"), "Syringe services program");
        assert_eq!(sheet_name("Encounters"), "Encounters");
        assert_eq!(sheet_name("Referrals: treatment / MOUD [Q4]"), "Referrals treatment MOUD Q4");
        assert_eq!(sheet_name("Naloxone distribution report, by zone and by month"), "Naloxone distribution report");
        assert_eq!(sheet_name(&"x".repeat(40)), "x".repeat(31));
        assert_eq!(sheet_name("  "), "Report");
        for t in ["Syringe services program — quarterly report", "Referrals: treatment / MOUD [Q4]", "ñ".repeat(50).as_str()] {
            let n = sheet_name(t);
            assert!(n.chars().count() <= 31 && !n.is_empty() && !n.contains([':', '/', '[', ']']), "{n}");
        }
    }
}
