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
    /// The format; by default taken from the output file's extension (one output only).
    #[arg(long, value_enum)]
    pub format: Option<writers::Format>,
    /// The file to write; give -o again for more formats of the same report (one release).
    /// Each is written whole or not at all, and the release is recorded only with its files.
    #[arg(short = 'o', long = "output", required_unless_present = "dry_run", action = clap::ArgAction::Append)]
    pub output: Vec<PathBuf>,
    /// Adds, for each count of the whole period, the same measure over the period of equal
    /// length just before (whole months: as many months before) and the change.
    #[arg(long, value_enum)]
    pub compare: Option<CompareArg>,
    /// A funder's layout (TOML, docs/templates/): their line items, each a sum of the report's
    /// values, written instead of the report's tables.
    #[arg(long, conflicts_with = "compare")]
    pub template: Option<PathBuf>,
    /// The answers to a template's typed-in lines (TOML: `"Line label" = "text"`, or a whole
    /// number for a number line): hours of operation, community events, a narrative.
    #[arg(long, requires = "template")]
    pub answers: Option<PathBuf>,
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
            if args.dry_run && !args.output.is_empty() {
                return Err("--dry-run writes nothing; leave out -o".into());
            }
            if args.format.is_some() && args.output.len() > 1 {
                return Err("--format names the format of one output; with several, each file's extension says it".into());
            }
            let formats = args.output.iter().map(|path| writers::Format::choose(args.format, path)).collect::<Result<Vec<_>>>()?;
            let m = Manager::open(place)?;
            m.warn_incomplete_period(args.to)?;
            // A template is checked before anything is computed or recorded.
            let template = match &args.template {
                Some(file) => {
                    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
                    let mut t = Template::parse(&text, &m.store().settings()?, &file.display().to_string())?;
                    match &args.answers {
                        Some(answers) => {
                            let text = std::fs::read_to_string(answers).map_err(|e| format!("cannot read {}: {e}", answers.display()))?;
                            t.answer(&text, &answers.display().to_string())?;
                        }
                        None if !t.typed_labels().is_empty() => {
                            let asks: Vec<String> = t.typed_labels().iter().map(|l| format!("{l:?}")).collect();
                            return Err(format!(
                                "the template asks for lines typed in when the report is written: {}; write the answers in a file (\"Line label\" = \"text\", or a number) and give it with --answers FILE",
                                asks.join(", ")
                            )
                            .into());
                        }
                        None => {}
                    }
                    Some(t)
                }
                None => None,
            };
            // The files are made (empty, temporary) before the audit: a folder that is missing
            // or cannot be written stops the report before anything is recorded (D78).
            let mut release = if args.dry_run { None } else { Some(m.store().stage_release(&args.output)?) };
            let bar = manager::AuditBar::new();
            let tell = |step: &str, p| bar.tell(step, p);
            let built = match args.compare {
                Some(CompareArg::Previous) => report::Report::build_compared(m.store(), args.from, args.to, by, args.zone, release.as_mut(), &tell),
                None => report::Report::build(m.store(), args.from, args.to, by, args.zone, release.as_mut(), &tell),
            };
            bar.finish();
            let r = built?;
            let Some(mut release) = release else {
                print!("{}", r.dry_run());
                return Ok(());
            };
            let filled = template.map(|t| t.fill(&r));
            for (i, (path, format)) in args.output.iter().zip(&formats).enumerate() {
                let file = release.file(i)?;
                match &filled {
                    Some(f) => writers::write_template_into(f, *format, path, file)?,
                    None => writers::write_into(&r, *format, path, file)?,
                }
            }
            let published = release.publish()?;
            let names: Vec<String> = published.files.iter().map(|p| p.display().to_string()).collect();
            match &filled {
                Some(f) => println!("Wrote {} ({}, counts below {} suppressed).", names.join(", "), f.title, r.threshold),
                None => println!("Wrote {} ({} tables, counts below {} suppressed).", names.join(", "), r.tables.len(), r.threshold),
            }
            println!("Recorded as release {} (satchel releases lists them).", published.id);
            if r.hidden_for_earlier > 0 {
                println!("{} more values suppressed because of what earlier reports showed.", r.hidden_for_earlier);
            }
            print!("{}", r.plan_note());
            Ok(())
}

#[derive(clap::Subcommand)]
pub enum ReleasesCommand {
    /// Withdraws a release that never left the office: later reports are no longer audited
    /// against what it showed. The ledger keeps it, marked withdrawn, with who, when and why.
    Withdraw {
        /// The release's id (`satchel releases`).
        id: i64,
        /// Who withdraws it and why (kept in the ledger).
        #[arg(long)]
        note: String,
        /// Confirms that no file of the release was sent or shared.
        #[arg(long)]
        yes: bool,
    },
}

pub fn releases(command: Option<ReleasesCommand>, place: &manager::StoreLocation) -> Result<()> {
    let m = Manager::open(place)?;
    match command {
        None => print!("{}", m.list_releases()?),
        Some(ReleasesCommand::Withdraw { id, note, yes }) => {
            let Some(found) = m.store().releases()?.into_iter().find(|r| r.id == id) else {
                return Err(format!("no release {id}; `satchel releases` lists them").into());
            };
            if note.trim().is_empty() {
                return Err("--note: say who withdraws the release and why".into());
            }
            let files: Vec<String> = found.files.iter().map(|p| p.display().to_string()).collect();
            if !yes && found.state == "released" {
                return Err(format!(
                    "release {id} ({} to {}, written to {}): withdraw it only if none of its files was sent or shared, \
                     since later reports will no longer be audited against what it showed. To withdraw it, run again with --yes",
                    found.query().from,
                    found.query().to,
                    files.join(", ")
                )
                .into());
            }
            let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown user".into());
            let w = m.store().withdraw_release(id, &format!("{} (by {user})", note.trim()))?;
            println!("Release {} withdrawn: later reports are no longer audited against it.", w.id);
            let still: Vec<String> = w.files.iter().filter(|p| p.exists()).map(|p| p.display().to_string()).collect();
            if !still.is_empty() {
                println!("Delete {}: what they show is no longer protected by later reports.", still.join(", "));
            }
        }
    }
    Ok(())
}
