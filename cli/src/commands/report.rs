//! `satchel report` and `satchel releases`: reports audited against the ledger, and the ledger.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::ValueEnum;

use crate::error::Result;
use crate::manager::{self, Manager};
use crate::template::Template;
use crate::{report, writers};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    Day,
    Week,
    Month,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareArg {
    /// The period of equal length just before.
    Previous,
}

#[derive(clap::Args)]
pub struct ReportArgs {
    /// First day of the period (YYYY-MM-DD, the program's time zone).
    #[arg(long, value_parser = parse_day)]
    pub from: NaiveDate,
    /// Last day of the period, inclusive (YYYY-MM-DD).
    #[arg(long, value_parser = parse_day)]
    pub to: NaiveDate,
    /// Rows per day, week or month (besides the whole period and the trend, whose step fits
    /// the period's length).
    #[arg(long, value_enum)]
    pub by: Option<ByArg>,
    /// Only this zone (its id, as `program show` lists it).
    #[arg(long)]
    pub zone: Option<String>,
    /// The format; by default taken from the output file's extension.
    #[arg(long, value_enum)]
    pub format: Option<writers::Format>,
    /// The file to write. Written whole or not at all.
    #[arg(short = 'o', long = "output", required_unless_present = "dry_run")]
    pub output: Option<PathBuf>,
    /// Adds, for each count of the whole period, the same measure over the period of equal
    /// length just before (whole months: as many months before) and the change.
    #[arg(long, value_enum)]
    pub compare: Option<CompareArg>,
    /// A funder's layout (TOML, docs/templates/): their line items, each a sum of the report's
    /// values, written instead of the report's tables.
    #[arg(long, conflicts_with = "compare")]
    pub template: Option<PathBuf>,
    /// Shows what would be suppressed, without writing a file or recording a release.
    #[arg(long)]
    pub dry_run: bool,
}

/// A day as YYYY-MM-DD; anything else (10/01/2026, 2026-1-1 is accepted) is answered with the
/// form expected, and an impossible day (2026-02-30) with that.
fn parse_day(s: &str) -> std::result::Result<NaiveDate, String> {
    let shaped = s.split('-').count() == 3 && s.chars().all(|c| c.is_ascii_digit() || c == '-') && s.len() <= 10;
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(day) if shaped => Ok(day),
        Err(_) if shaped => Err(format!("{s} is not a day of the calendar")),
        _ => Err("use YYYY-MM-DD, for example 2026-10-01".into()),
    }
}

pub fn run(args: ReportArgs, place: &manager::StoreLocation) -> Result<()> {

            let by = args.by.map(|b| match b {
                ByArg::Day => satchel_core::Granularity::Day,
                ByArg::Week => satchel_core::Granularity::Week,
                ByArg::Month => satchel_core::Granularity::Month,
            });
            let output = match (&args.output, args.dry_run) {
                (Some(path), false) => Some((path.clone(), writers::Format::choose(args.format, path)?)),
                _ => None,
            };
            let m = Manager::open(place)?;
            // A template is checked before anything is computed or recorded.
            let template = match &args.template {
                Some(file) => {
                    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
                    Some(Template::parse(&text, &m.store().settings()?, &file.display().to_string())?)
                }
                None => None,
            };
            let spinner = manager::working("computing the report and auditing it against earlier releases");
            let built = match args.compare {
                Some(CompareArg::Previous) => report::Report::build_compared(m.store(), args.from, args.to, by, args.zone, output.is_some()),
                None => report::Report::build(m.store(), args.from, args.to, by, args.zone, output.is_some()),
            };
            spinner.finish_and_clear();
            let r = built?;
            let Some((path, format)) = output else {
                print!("{}", r.dry_run());
                return Ok(());
            };
            if let Some(t) = template {
                let filled = t.fill(&r);
                writers::write_template(&filled, format, &path)?;
                println!("Wrote {} ({}, counts below {} suppressed).", path.display(), filled.title, r.threshold);
                return Ok(());
            }
            writers::write(&r, format, &path)?;
            println!("Wrote {} ({} tables, counts below {} suppressed).", path.display(), r.tables.len(), r.threshold);
            if r.hidden_for_earlier > 0 {
                println!("{} more values suppressed because of what earlier reports showed.", r.hidden_for_earlier);
            }
            Ok(())
}

pub fn releases(place: &manager::StoreLocation) -> Result<()> {

            let m = Manager::open(place)?;
            print!("{}", m.list_releases()?);
            Ok(())
}
