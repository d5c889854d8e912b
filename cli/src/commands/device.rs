//! `satchel device`: enroll, list and revoke devices.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

use crate::error::Result;
use crate::manager::{self, Manager};
use crate::qr;

#[derive(Subcommand)]
pub enum DeviceCommand {
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
    /// Lists the enrollment codes issued and not yet used, with when each expires.
    Codes,
    /// Cancels an enrollment code that was not used (printed for the wrong person, or seen by
    /// someone it should not have been): it stops working and the keys sealed in it are deleted.
    Cancel {
        /// The code's id from `device codes`.
        code: String,
    },
    /// Revokes a device at once (a lost or seized phone).
    Revoke {
        /// The device id from `device list`.
        device: String,
        /// Confirms revoking the device this store is (it will no longer sync).
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Outreach,
    Manager,
}

pub fn run(command: DeviceCommand, place: &manager::StoreLocation) -> Result<()> {
    match command {
        DeviceCommand::Enroll { label, role, out } => {
            let m = Manager::open(place)?;
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
        DeviceCommand::List => {
            let m = Manager::open(place)?;
            print!("{}", m.list_devices()?);
            Ok(())
        }
        DeviceCommand::Codes => {
            let m = Manager::open(place)?;
            print!("{}", m.list_codes()?);
            Ok(())
        }
        DeviceCommand::Cancel { code } => {
            let m = Manager::open(place)?;
            m.cancel_code(&code)?;
            println!("Enrollment code {code} cancelled: it no longer works, and the keys it carried are deleted from the server.");
            Ok(())
        }
        DeviceCommand::Revoke { device, yes } => {
            let m = Manager::open(place)?;
            let id = uuid::Uuid::parse_str(&device).map_err(|_| format!("{device:?} is not a device id (see `satchel device list`)"))?;
            if id == m.device_id()? && !yes {
                return Err(format!(
                    "{id} is the device you are using: once revoked, this store can no longer pull, enroll or revoke. \
                     To revoke it anyway, run again with --yes"
                )
                .into());
            }
            if m.revoke(id)? {
                println!("Device {id} revoked: its credential no longer works, and the team key was replaced.");
            } else {
                println!("Device {id} revoked: its credential no longer works. The team key is replaced at a manager's next pull.");
            }
            Ok(())
        }
    }
}
