//! Enrollment: the program's keys and the identity the server gave this device.

use rusqlite::{params, Connection};
use uuid::Uuid;

use super::Store;
use crate::crypto::SecretKey;
use crate::error::{Error, Result};
use crate::meta::{self, MetaExt};
use crate::settings::Role;

/// The keys of the program, shared by its devices.
pub struct ProgramKeys {
    /// The program they belong to; segments are bound to it.
    pub program: Uuid,
    pub participant_key: SecretKey,
    pub data_key: SecretKey,
    pub epoch: u32,
}

/// (participant references would split, segments would name another device).
fn nothing_written(conn: &Connection) -> Result<()> {
    let written: i64 = conn.query_row(
        "SELECT (SELECT count(*) FROM encounter) + (SELECT count(*) FROM stock_movement)
                + (SELECT count(*) FROM outbox)",
        [],
        |r| r.get(0),
    )?;
    if written > 0 {
        return Err(Error::NotPermitted("enrollment and program keys only before anything is logged".into()));
    }
    Ok(())
}

impl Store {
    /// The program keys (for sync and enrollment).
    pub fn program_keys(&self) -> Result<ProgramKeys> {
        self.read(|_, conn| {
            let get = |purpose: &str| -> Result<(SecretKey, u32)> {
                let (key, epoch): (Vec<u8>, u32) = conn.query_row(
                    "SELECT key, epoch FROM program_key WHERE purpose = ?1",
                    [purpose],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                let key = zeroize::Zeroizing::new(key);
                let key: [u8; 32] = key.as_slice().try_into().map_err(|_| Error::Damaged("program key".into()))?;
                Ok((zeroize::Zeroizing::new(key), epoch))
            };
            let (participant_key, _) = get("participant")?;
            let (data_key, epoch) = get("data")?;
            Ok(ProgramKeys { program: program_id(conn)?, participant_key, data_key, epoch })
        })
    }

    /// Replaces the program keys (and program id) with those received at enrollment.
    pub fn set_program_keys(&self, keys: &ProgramKeys) -> Result<()> {
        self.take_enrollment(None, keys, None)
    }

    /// Completes enrollment: takes the device id and role the server assigned and the program's
    /// keys, in one transaction, so that every record from now on names the device the server
    /// knows. Only before anything is logged.
    pub fn enroll(&self, device: Uuid, role: Role, keys: &ProgramKeys) -> Result<()> {
        self.take_enrollment(Some((device, role)), keys, None)
    }

    /// [`Store::enroll`], with the server this device syncs with and its credential there.
    pub(crate) fn enroll_with_credential(&self, device: Uuid, role: Role, keys: &ProgramKeys, server: &str, credential: &str) -> Result<()> {
        self.take_enrollment(Some((device, role)), keys, Some((server, credential)))
    }

    /// Refuses enrollment once anything is logged (checked before a one-time token is spent).
    pub(crate) fn check_can_enroll(&self) -> Result<()> {
        self.read(|_, conn| nothing_written(conn))
    }

    fn take_enrollment(&self, identity: Option<(Uuid, Role)>, keys: &ProgramKeys, server: Option<(&str, &str)>) -> Result<()> {
        self.write(|_, tx| {
            nothing_written(tx)?;
            if let Some((server, credential)) = server {
                tx.set_meta(&meta::SYNC_SERVER, server)?;
                tx.set_meta(&meta::SYNC_CREDENTIAL, credential)?;
            }
            if let Some((device, role)) = identity {
                tx.set_meta(&meta::DEVICE_ID, &device.as_bytes()[..])?;
                tx.set_meta(&meta::ROLE, role.as_str())?;
            }
            tx.set_meta(&meta::PROGRAM_ID, &keys.program.as_bytes()[..])?;
            for (purpose, key) in [("participant", &keys.participant_key), ("data", &keys.data_key)] {
                tx.execute(
                    "INSERT INTO program_key (purpose, epoch, key) VALUES (?1, ?2, ?3)
                     ON CONFLICT (purpose) DO UPDATE SET epoch = excluded.epoch, key = excluded.key",
                    params![purpose, keys.epoch, &key[..]],
                )?;
            }
            Ok(())
        })?;
        let mut guard = self.lock_session();
        if let Some(s) = guard.as_mut() {
            s.ctx.participant_key = keys.participant_key.clone();
            if let Some((device, role)) = identity {
                s.ctx.device = device;
                s.ctx.role = role;
            }
        }
        Ok(())
    }
}

/// The program this store belongs to; segments are bound to it.
pub(crate) fn program_id(conn: &Connection) -> Result<Uuid> {
    let bytes: Vec<u8> = conn.meta(&meta::PROGRAM_ID)?.ok_or_else(|| Error::Damaged("no program id".into()))?;
    Uuid::from_slice(&bytes).map_err(|_| Error::Damaged("program id".into()))
}
