//! `satchel`: the program manager's tool. Sets up the program, enrolls and revokes devices,
//! pulls everything into the manager's encrypted store, and writes the tallies funders ask for
//! with small counts suppressed.
//!
//! Exit codes: 0 done, 1 an error (said on standard error), 2 a usage error.

#[cfg(feature = "demo")]
mod demo;
mod atomic;
mod commands;
mod error;
mod manager;
mod qr;
mod report;
mod services_csv;
mod settings_file;
mod template;
mod writers;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::Result;

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
    Program(commands::program::ProgramCommand),
    /// Enrolls, lists and revokes devices.
    #[command(subcommand)]
    Device(commands::device::DeviceCommand),
    /// Logs, lists and voids used syringes sent for disposal (counted or weighed).
    #[command(subcommand)]
    Disposal(commands::disposal::DisposalCommand),
    /// Brings everything new from the server into the manager's store (and sends the
    /// manager's setting changes to the devices).
    Pull,
    /// After the server was restored from a backup: gives it back the other devices' records
    /// it lost that this store pulled before (phones send their own at their next sync).
    RefillHub,
    /// Writes the tallies of a period: CSV, XLSX, JSON or an HTML report, small counts
    /// suppressed, also where earlier reports would give them away; records it as released.
    Report(commands::report::ReportArgs),
    /// Lists the reports released from this store (the ledger every new report is audited
    /// against); `releases withdraw ID` takes back one that never left the office.
    Releases {
        #[command(subcommand)]
        command: Option<commands::report::ReleasesCommand>,
    },
    /// A quarter of outreach in one command: a server on this machine, a program, two outreach
    /// phones logging 13 weeks of shifts offline and syncing each week, and the quarter's report
    /// in every format, all in DIR.
    Demo {
        /// A new or empty folder for everything the demo makes.
        #[arg(long)]
        dir: PathBuf,
    },
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

fn run(cli: Cli) -> Result<()> {
    let place = manager::StoreLocation { store: cli.store, ca_cert: cli.ca_cert };
    match cli.command {
        Command::Program(command) => commands::program::run(command, &place),
        Command::Device(command) => commands::device::run(command, &place),
        Command::Disposal(command) => commands::disposal::run(command, &place),
        Command::Pull => {
            let m = Manager::open(&place)?;
            // Pages applied before a failure stay applied: warn about what they showed either way.
            let pulled = m.pull();
            m.warn_missing_data()?;
            let r = pulled?;
            println!("Pulled {} records in {} requests; sent {} setting changes.", r.pulled, r.requests, r.pushed);
            Ok(())
        }
        Command::RefillHub => {
            let r = Manager::open(&place)?.refill_hub()?;
            if r.segments == 0 {
                println!("The server lacks nothing of other devices that this store holds.");
            } else {
                println!("Gave the server back {} records of {} device(s), in {} requests.", r.records, r.devices, r.requests);
            }
            Ok(())
        }
        Command::Report(args) => commands::report::run(args, &place),
        Command::Releases { command } => commands::report::releases(command, &place),
        #[cfg(feature = "demo")]
        Command::Demo { dir } => demo::run(&dir),
        #[cfg(not(feature = "demo"))]
        Command::Demo { .. } => Err("this satchel was built without the demo: build it with `--features demo`".into()),
    }
}
