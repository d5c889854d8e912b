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
        /// Confirms a change that cannot be taken back or that weakens suppression: a small-cell
        /// threshold under 5, or participant references raised to version 2.
        #[arg(long)]
        yes: bool,
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
        ProgramCommand::Edit { file, yes } => {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
            let m = Manager::open(place)?;
            let name = file.display().to_string();
            let current = m.store().settings()?.program;
            let entries = settings_file::parse(&text, &m.store().settings()?, &name)?;
            if !yes {
                for (line, setting) in &entries {
                    if let satchel_core::Setting::Program(p) = setting {
                        if let Some(why) = needs_confirmation(&current, p) {
                            return Err(format!("{name} line {line}: {why}. To do it anyway, run again with --yes").into());
                        }
                    }
                }
            }
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

/// Why a program setting needs the manager's confirmation, if it does: a small-cell threshold
/// lowered under 5 (1 suppresses nothing), or participant references raised to version 2 (a
/// person seen on both sides of the switch counts twice in a period that spans it; D74).
fn needs_confirmation(current: &satchel_core::Program, new: &satchel_core::Program) -> Option<String> {
    if new.small_cell_threshold < 5 && new.small_cell_threshold < current.small_cell_threshold {
        return Some(format!(
            "a small-cell threshold of {} lets counts from {} up out of every report (1 suppresses nothing; health departments use 11)",
            new.small_cell_threshold,
            new.small_cell_threshold.max(1)
        ));
    }
    if new.participant_references > current.participant_references {
        return Some(format!(
            "participant references of version {} cannot be taken back, and a person seen before and after the switch counts twice in a period that spans it; update every phone first",
            new.participant_references
        ));
    }
    None
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
