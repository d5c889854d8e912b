//! `satchel program`: set up the program, show and edit its settings.

use std::path::PathBuf;

use clap::Subcommand;

use crate::error::{CliError, Result};
use crate::manager::{self, Manager};
use crate::settings_file;

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
    /// bands, genders, substances, stock locations, time zone, suppression threshold, retention)
    /// and publishes them to the devices. All or nothing; errors name their line.
    Edit {
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
    }
}
