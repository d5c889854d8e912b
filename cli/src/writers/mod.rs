//! The report writers: CSV (RFC 4180, one long table), XLSX (one sheet per table, frozen
//! header, numbers as numbers), JSON, and a self-contained HTML page with charts. Every file is
//! written whole or not at all (`atomic`).

mod csv;
mod html;
mod template;
mod xlsx;

use std::io::Write;
use std::path::Path;

use clap::ValueEnum;

use crate::error::{CliError, Result};
use crate::report::Report;
use crate::template::Filled;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Xlsx,
    Json,
    Html,
}

impl Format {
    /// `--format`, or the output file's extension.
    pub fn choose(given: Option<Format>, output: &Path) -> Result<Format> {
        if let Some(f) = given {
            return Ok(f);
        }
        let ext = output.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(Format::Csv),
            Some("xlsx") => Ok(Format::Xlsx),
            Some("json") => Ok(Format::Json),
            Some("html" | "htm") => Ok(Format::Html),
            _ => Err(format!("give --format csv|xlsx|json|html (the extension of {} does not say)", output.display()).into()),
        }
    }
}

pub fn write(report: &Report, format: Format, path: &Path) -> Result<()> {
    // Rendered before the file is opened: a drawing error leaves nothing behind.
    let page = if format == Format::Html { Some(html::render(report)?) } else { None };
    let io = |source| CliError::File { what: "writing", path: path.to_owned(), source };
    crate::atomic::write(path, |f| match format {
        Format::Html => f.write_all(page.as_deref().unwrap_or_default().as_bytes()).map_err(io),
        Format::Csv => csv::write(report, f),
        Format::Json => serde_json::to_writer_pretty(std::io::BufWriter::new(f), report).map_err(|e| format!("writing the JSON: {e}").into()),
        Format::Xlsx => f.write_all(&xlsx::book(report)?).map_err(io),
    })
}


/// A filled template, in the funder's layout.
pub fn write_template(filled: &Filled, format: Format, path: &Path) -> Result<()> {
    let page = if format == Format::Html { Some(template::html(filled)) } else { None };
    let book = if format == Format::Xlsx { Some(template::xlsx(filled)?) } else { None };
    let io = |source| CliError::File { what: "writing", path: path.to_owned(), source };
    crate::atomic::write(path, |f| match format {
        Format::Html => f.write_all(page.as_deref().unwrap_or_default().as_bytes()).map_err(io),
        Format::Csv => template::csv(filled, f),
        Format::Json => serde_json::to_writer_pretty(std::io::BufWriter::new(f), filled).map_err(|e| format!("writing the JSON: {e}").into()),
        Format::Xlsx => f.write_all(book.as_deref().unwrap_or_default()).map_err(io),
    })
}
