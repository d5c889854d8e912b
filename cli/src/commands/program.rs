//! `satchel program`: set up the program, show and edit its settings.

use std::path::PathBuf;

use clap::Subcommand;

use crate::error::{CliError, Result};
use crate::manager::{self, Manager};
use crate::{services_csv, settings_file};

#[derive(Subcommand)]
pub enum ProgramCommand {
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
    /// bands, genders, substances, stock locations, sharps containers, the services directory,
    /// time zone, suppression threshold, retention)
    /// and publishes them to the devices. All or nothing; errors name their line.
    Edit {
        #[arg(long)]
        file: PathBuf,
    },
    /// Adds or updates services of the directory from a CSV file (one per row; columns id,
    /// name_en, name_es, referral_types, area_en, area_es, hours, phone, access, requires_id,
    /// requires_insurance, requires_sobriety, languages, notes_en, notes_es, active; lists
    /// separated by ";", hours like "mon 09:00-17:00; fri 22:00-02:00") and publishes them.
    /// All or nothing; errors name their line and column.
    ImportServices {
        #[arg(long)]
        file: PathBuf,
    },
}

pub fn run(command: ProgramCommand, place: &manager::StoreLocation) -> Result<()> {
    match command {
        ProgramCommand::Init { server, token } => {
            let m = Manager::init(place, &server, &token)?;
            println!("Program set up on {server}; this store is its manager ({}).", m.dir().display());
            Ok(())
        }
        ProgramCommand::Show { toml } => {
            let m = Manager::open(place)?;
            if toml {
                print!("{}", settings_file::render(&m.store().settings()?)?);
            } else {
                print!("{}", m.describe_settings()?);
            }
            Ok(())
        }
        ProgramCommand::Edit { file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
            let m = Manager::open(place)?;
            let name = file.display().to_string();
            let entries = settings_file::parse(&text, &m.store().settings()?, &name)?;
            save_and_publish(&m, &name, entries)
        }
        ProgramCommand::ImportServices { file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
            let m = Manager::open(place)?;
            let name = file.display().to_string();
            save_and_publish(&m, &name, services_csv::parse(&text, &name)?)
        }
    }
}

/// Saves settings read from a file (all or nothing, an error named by its line) and sends them
/// to the devices.
fn save_and_publish(m: &Manager, name: &str, entries: Vec<(usize, satchel_core::Setting)>) -> Result<()> {
    let (lines, settings): (Vec<usize>, Vec<_>) = entries.into_iter().unzip();
    m.store().put_settings(&settings).map_err(|(i, e)| match i {
        Some(i) => CliError::from(format!("{name} line {}: {}", lines[i], CliError::from(e))),
        None => CliError::from(e),
    })?;
    println!("{} settings saved.", settings.len());
    match m.pull() {
        Ok(_) => println!("Published to the devices (they receive them at their next sync)."),
        Err(e) => println!("Not published yet ({e}); `satchel pull` sends them when the server can be reached."),
    }
    Ok(())
}
