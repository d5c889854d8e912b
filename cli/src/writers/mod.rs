//! The report writers: CSV (RFC 4180, one long table), XLSX (one sheet per table, frozen
//! header, numbers as numbers), JSON, and a self-contained HTML page with charts. Every file is
//! written into a release's temporary file and renamed into place with the release recorded
//! (`satchel_core::store::Release`, D78): whole or not at all.

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

/// A report written into `file` (a release's temporary file); `path` names it in errors.
pub fn write_into(report: &Report, format: Format, path: &Path, file: &mut std::fs::File) -> Result<()> {
    let io = |source| CliError::File { what: "writing", path: path.to_owned(), source };
    match format {
        Format::Html => file.write_all(html::render(report)?.as_bytes()).map_err(io),
        Format::Csv => csv::write(report, file),
        Format::Json => {
            let mut out = std::io::BufWriter::new(file);
            serde_json::to_writer_pretty(&mut out, report).map_err(|e| format!("writing the JSON: {e}"))?;
            out.flush().map_err(io)
        }
        Format::Xlsx => file.write_all(&xlsx::book(report)?).map_err(io),
    }
}

/// A filled template, in the funder's layout, written into `file`.
pub fn write_template_into(filled: &Filled, format: Format, path: &Path, file: &mut std::fs::File) -> Result<()> {
    let io = |source| CliError::File { what: "writing", path: path.to_owned(), source };
    match format {
        Format::Html => file.write_all(template::html(filled).as_bytes()).map_err(io),
        Format::Csv => template::csv(filled, file),
        Format::Json => {
            let mut out = std::io::BufWriter::new(file);
            serde_json::to_writer_pretty(&mut out, filled).map_err(|e| format!("writing the JSON: {e}"))?;
            out.flush().map_err(io)
        }
        Format::Xlsx => file.write_all(&template::xlsx(filled)?).map_err(io),
    }
}
