//! `satchel`: the program manager's tool. Sets up the program, enrolls and revokes devices,
//! pulls everything into the manager's encrypted store, and writes the tallies funders ask for
//! with small counts suppressed.
//!
//! Exit codes: 0 done, 1 an error (said on standard error), 2 a usage error.

#[cfg(feature = "demo")]
mod demo;
mod html;
mod manager;
mod qr;
mod report;
mod settings_file;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use manager::Manager;

/// The program manager's tool for Satchel.
#[derive(Parser)]
#[command(name = "satchel", version, about, propagate_version = true)]
struct Cli {
    /// The manager's encrypted store (a folder).
    #[arg(long, global = true, env = "SATCHEL_STORE")]
    store: Option<PathBuf>,
    /// An extra certificate authority (PEM) to trust for the server, for a program running its
    /// own.
    #[arg(long, global = true, env = "SATCHEL_CA_CERT")]
    ca_cert: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sets up the program.
    #[command(subcommand)]
    Program(ProgramCommand),
    /// Enrolls, lists and revokes devices.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Brings everything new from the server into the manager's store (and sends the
    /// manager's setting changes to the devices).
    Pull,
    /// Writes the tallies of a period: CSV, XLSX, JSON or an HTML report, small counts
    /// suppressed, also where earlier reports would give them away; records it as released.
    Report(ReportArgs),
    /// Lists the reports released from this store (the ledger every new report is audited
    /// against).
    Releases,
    /// A field day in one command: a server on this machine, a program, two outreach phones
    /// logging a day offline, a sync, and the report in every format, all in DIR.
    Demo {
        /// A new or empty folder for everything the demo makes.
        #[arg(long)]
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum ProgramCommand {
    /// Creates the manager's encrypted store and the program's keys, and registers as the
    /// program's manager with the one-time token `satchel-server init` printed. The passphrase
    /// comes from SATCHEL_PASSPHRASE or a prompt.
    Init {
        /// The server's address, https://… (http:// only to this machine).
        #[arg(long)]
        server: String,
        /// The one-time manager token.
        #[arg(long, env = "SATCHEL_TOKEN", hide_env_values = true)]
        token: String,
    },
    /// Shows the program's settings (`--toml`: as a settings file for `program edit`).
    Show {
        #[arg(long)]
        toml: bool,
    },
    /// Adds or updates settings from a TOML file (catalog, kits, referral types, zones, age
    /// bands, genders, substances, stock locations, time zone, suppression threshold, retention)
    /// and publishes them to the devices. All or nothing; errors name their line.
    Edit {
        #[arg(long)]
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// Makes a one-time enrollment QR code for a new device and shows it in the terminal.
    Enroll {
        /// How the device shows in the list, e.g. "Van 2".
        #[arg(long)]
        label: String,
        #[arg(long, value_enum, default_value_t = RoleArg::Outreach)]
        role: RoleArg,
        /// Also write the QR code to this file (.png or .svg). It is a secret until used.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Lists the program's devices: label, role, last seen, what the server holds.
    List,
    /// Revokes a device at once (a lost or seized phone).
    Revoke {
        /// The device id from `device list`.
        device: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Outreach,
    Manager,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ByArg {
    Week,
    Month,
}

#[derive(clap::Args)]
struct ReportArgs {
    /// First day of the period (YYYY-MM-DD, the program's time zone).
    #[arg(long)]
    from: NaiveDate,
    /// Last day of the period, inclusive.
    #[arg(long)]
    to: NaiveDate,
    /// Rows per week or per month (besides the whole period and the weekly trend).
    #[arg(long, value_enum)]
    by: Option<ByArg>,
    /// Only this zone (its id, as `program show` lists it).
    #[arg(long)]
    zone: Option<String>,
    /// The format; by default taken from the output file's extension.
    #[arg(long, value_enum)]
    format: Option<report::Format>,
    /// The file to write. Written whole or not at all.
    #[arg(short = 'o', long = "output", required_unless_present = "dry_run")]
    output: Option<PathBuf>,
    /// Shows what would be suppressed, without writing a file or recording a release.
    #[arg(long)]
    dry_run: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let place = manager::Place { store: cli.store, ca_cert: cli.ca_cert };
    match cli.command {
        Command::Program(ProgramCommand::Init { server, token }) => {
            let m = Manager::init(&place, &server, &token)?;
            println!("Program set up on {server}; this store is its manager ({}).", m.dir().display());
            Ok(())
        }
        Command::Program(ProgramCommand::Show { toml }) => {
            let m = Manager::open(&place)?;
            if toml {
                print!("{}", settings_file::render(&m.store().settings().map_err(manager::say)?)?);
            } else {
                print!("{}", m.describe_settings()?);
            }
            Ok(())
        }
        Command::Program(ProgramCommand::Edit { file }) => {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
            let m = Manager::open(&place)?;
            let name = file.display().to_string();
            let entries = settings_file::parse(&text, &m.store().settings().map_err(manager::say)?, &name)?;
            let (lines, settings): (Vec<usize>, Vec<_>) = entries.into_iter().unzip();
            m.store().put_settings(&settings).map_err(|(i, e)| match i {
                Some(i) => format!("{name} line {}: {}", lines[i], manager::say(e)),
                None => manager::say(e),
            })?;
            println!("{} settings saved.", settings.len());
            match m.pull() {
                Ok(_) => println!("Published to the devices (they receive them at their next sync)."),
                Err(e) => println!("Not published yet ({e}); `satchel pull` sends them when the server can be reached."),
            }
            Ok(())
        }
        Command::Device(DeviceCommand::Enroll { label, role, out }) => {
            let m = Manager::open(&place)?;
            let role = match role {
                RoleArg::Outreach => satchel_core::Role::Outreach,
                RoleArg::Manager => satchel_core::Role::Manager,
            };
            if let Some(out) = &out {
                qr::check_output(out)?;
            }
            let (code, expires_at) = m.enroll(&label, role)?;
            println!("{}", qr::terminal(&code)?);
            println!("Scan this with the new device's Satchel app. It works once, until {}.", manager::local_time(expires_at));
            if let Some(out) = out {
                qr::write(&code, &out)?;
                println!("Also written to {} (a secret until used: delete it after).", out.display());
            }
            Ok(())
        }
        Command::Device(DeviceCommand::List) => {
            let m = Manager::open(&place)?;
            print!("{}", m.list_devices()?);
            Ok(())
        }
        Command::Device(DeviceCommand::Revoke { device }) => {
            let m = Manager::open(&place)?;
            let id = uuid::Uuid::parse_str(&device).map_err(|_| format!("{device:?} is not a device id (see `satchel device list`)"))?;
            m.revoke(id)?;
            println!("Device {id} revoked: its credential no longer works.");
            Ok(())
        }
        Command::Pull => {
            let m = Manager::open(&place)?;
            // Pages applied before a failure stay applied: warn about what they showed either way.
            let pulled = m.pull();
            m.warn_missing_data()?;
            let r = pulled?;
            println!("Pulled {} records in {} requests; sent {} setting changes.", r.pulled, r.requests, r.pushed);
            Ok(())
        }
        Command::Report(args) => {
            let by = args.by.map(|b| match b {
                ByArg::Week => satchel_core::Granularity::Week,
                ByArg::Month => satchel_core::Granularity::Month,
            });
            let output = match (&args.output, args.dry_run) {
                (Some(path), false) => Some((path.clone(), report::Format::choose(args.format, path)?)),
                _ => None,
            };
            let m = Manager::open(&place)?;
            let spinner = manager::working("computing the report and auditing it against earlier releases");
            let built = report::Report::build(m.store(), args.from, args.to, by, args.zone, output.is_some());
            spinner.finish_and_clear();
            let r = built?;
            let Some((path, format)) = output else {
                print!("{}", r.dry_run());
                return Ok(());
            };
            report::write(&r, format, &path)?;
            println!("Wrote {} ({} tables, counts below {} suppressed).", path.display(), r.tables.len(), r.threshold);
            if r.hidden_for_earlier > 0 {
                println!("{} more values suppressed because of what earlier reports showed.", r.hidden_for_earlier);
            }
            Ok(())
        }
        Command::Releases => {
            let m = Manager::open(&place)?;
            print!("{}", m.list_releases()?);
            Ok(())
        }
        #[cfg(feature = "demo")]
        Command::Demo { dir } => demo::run(&dir),
        #[cfg(not(feature = "demo"))]
        Command::Demo { .. } => Err("this satchel was built without the demo: build it with `--features demo`".into()),
    }
}
