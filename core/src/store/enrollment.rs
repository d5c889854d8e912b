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
    /// The program's reporting public key as enrollment gave it (the program setting, once
    /// pulled, is the one used: [`Store::reporting_public_key`]).
    pub reporting_public: Option<[u8; 32]>,
    /// The reporting private key, in managers' stores only: it opens the encounters every
    /// device seals to the managers.
    pub reporting_private: Option<SecretKey>,
    /// The team keys of earlier epochs (before the latest revocation), oldest first (D71).
    pub older: Vec<(u32, SecretKey)>,
}

impl ProgramKeys {
    /// The team key of `epoch`, if this store holds it.
    pub fn team_key(&self, epoch: u32) -> Option<&SecretKey> {
        if epoch == self.epoch {
            return Some(&self.data_key);
        }
        self.older.iter().find(|(e, _)| *e == epoch).map(|(_, k)| k)
    }
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
            let optional = |purpose: &str| -> Result<Option<SecretKey>> {
                match get(purpose) {
                    Ok((key, _)) => Ok(Some(key)),
                    Err(Error::Sqlite(rusqlite::Error::QueryReturnedNoRows)) => Ok(None),
                    Err(e) => Err(e),
                }
            };
            let reporting_public = optional("reporting_public")?.map(|k| *k);
            let reporting_private = optional("reporting_private")?;
            let mut older = Vec::new();
            let mut stmt = conn.prepare("SELECT epoch, key FROM team_key_history WHERE epoch < ?1 ORDER BY epoch")?;
            for row in stmt.query_map([epoch], |r| Ok((r.get::<_, u32>(0)?, zeroize::Zeroizing::new(r.get::<_, Vec<u8>>(1)?))))? {
                let (e, key) = row?;
                let key: [u8; 32] = key.as_slice().try_into().map_err(|_| Error::Damaged("team key".into()))?;
                older.push((e, zeroize::Zeroizing::new(key)));
            }
            Ok(ProgramKeys { program: program_id(conn)?, participant_key, data_key, epoch, reporting_public, reporting_private, older })
        })
    }

    /// The key this device seals its encounters to: the program setting's (the managers' latest),
    /// or the one enrollment gave until the settings arrive. `None`: a program from before the
    /// reporting key, until its manager makes one; encounters then go under the team key.
    pub fn reporting_public_key(&self) -> Result<Option<[u8; 32]>> {
        if let Some(key) = self.read(|ctx, _| Ok(ctx.settings.program.reporting_public_key()))? {
            return Ok(Some(key));
        }
        Ok(self.program_keys()?.reporting_public)
    }

    /// A manager's store: makes the program's reporting key pair when the program has none
    /// (a program started before it existed), keeps the private key, and publishes the public
    /// key in the program setting. Returns whether it made one. Call after a pull, so that a
    /// key another manager published first is seen.
    pub fn ensure_reporting_key(&self) -> Result<bool> {
        self.make_reporting_key(|_| {})
    }

    /// [`Store::ensure_reporting_key`], changing the program setting that publishes the key in
    /// the same write (`also`).
    pub(crate) fn make_reporting_key(&self, also: impl FnOnce(&mut crate::settings::Program)) -> Result<bool> {
        if self.role()? != Role::Manager || self.reporting_public_key()?.is_some() {
            return Ok(false);
        }
        let (private, public) = satchel_protocol::reporting_key_pair();
        self.write(|_, tx| {
            tx.execute(
                "INSERT INTO program_key (purpose, epoch, key) VALUES ('reporting_private', 1, ?1)
                 ON CONFLICT (purpose) DO UPDATE SET key = excluded.key",
                [&private[..]],
            )?;
            Ok(())
        })?;
        let mut program = self.settings()?.program;
        program.reporting_key = Some(hex::encode(public));
        also(&mut program);
        self.put_setting(crate::settings::Setting::Program(program))?;
        Ok(true)
    }

    /// This device's own private key, to which managers seal new team keys (made at first use).
    pub(crate) fn device_key(&self) -> Result<SecretKey> {
        let held: Option<Vec<u8>> = self.read(|_, conn| {
            use rusqlite::OptionalExtension;
            Ok(conn.query_row("SELECT key FROM program_key WHERE purpose = 'device'", [], |r| r.get(0)).optional()?)
        })?;
        if let Some(key) = held.map(zeroize::Zeroizing::new) {
            let key: [u8; 32] = key.as_slice().try_into().map_err(|_| Error::Damaged("device key".into()))?;
            return Ok(zeroize::Zeroizing::new(key));
        }
        let (private, _) = satchel_protocol::team::device_key_pair();
        self.write(|_, tx| {
            tx.execute("INSERT OR IGNORE INTO program_key (purpose, epoch, key) VALUES ('device', 0, ?1)", [&private[..]])?;
            Ok(())
        })?;
        // Another thread may have made one first: the stored key is the one.
        self.device_key()
    }

    /// The public half of [`Store::device_key`], which the hub keeps.
    pub(crate) fn device_public_key(&self) -> Result<[u8; 32]> {
        satchel_protocol::reporting_public_key(&*self.device_key()?).map_err(|_| Error::Damaged("device key".into()))
    }

    /// Takes the team key of the next epoch (delivered by a manager, or made by this manager);
    /// the current one joins the history. Any other epoch is refused.
    pub(crate) fn adopt_team_key(&self, epoch: u32, key: &SecretKey) -> Result<()> {
        self.write(|_, tx| {
            let (current, old): (u32, Vec<u8>) =
                tx.query_row("SELECT epoch, key FROM program_key WHERE purpose = 'data'", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let old = zeroize::Zeroizing::new(old);
            if epoch != current + 1 {
                return Err(Error::NotPermitted(format!("team key of epoch {epoch} after epoch {current}")));
            }
            tx.execute("INSERT OR REPLACE INTO team_key_history (epoch, key) VALUES (?1, ?2)", params![current, &old[..]])?;
            tx.execute("UPDATE program_key SET epoch = ?1, key = ?2 WHERE purpose = 'data'", params![epoch, &key[..]])?;
            Ok(())
        })
    }

    /// Replaces the program keys (and program id) with those received at enrollment.
    pub fn set_program_keys(&self, keys: &ProgramKeys) -> Result<()> {
        self.take_enrollment(None, keys, None, 0)
    }

    /// Completes enrollment: takes the device id and role the server assigned and the program's
    /// keys, in one transaction, so that every record from now on names the device the server
    /// knows. Only before anything is logged.
    pub fn enroll(&self, device: Uuid, role: Role, keys: &ProgramKeys) -> Result<()> {
        self.take_enrollment(Some((device, role)), keys, None, 0)
    }

    /// [`Store::enroll`], with the server this device syncs with and its credential there, and
    /// the participant-reference version the enrollment gave (0: none; D74).
    pub(crate) fn enroll_with_credential(
        &self,
        device: Uuid,
        role: Role,
        keys: &ProgramKeys,
        server: &str,
        credential: &str,
        references: u32,
    ) -> Result<()> {
        self.take_enrollment(Some((device, role)), keys, Some((server, credential)), references)
    }

    /// Refuses enrollment once anything is logged (checked before a one-time token is spent).
    pub(crate) fn check_can_enroll(&self) -> Result<()> {
        self.read(|_, conn| nothing_written(conn))
    }

    fn take_enrollment(&self, identity: Option<(Uuid, Role)>, keys: &ProgramKeys, server: Option<(&str, &str)>, references: u32) -> Result<()> {
        let references = references.min(crate::participant::CURRENT_VERSION);
        self.write(|_, tx| {
            nothing_written(tx)?;
            if references > 0 {
                tx.set_meta(&meta::PARTICIPANT_REFERENCES, &(references as i64))?;
            }
            if let Some((server, credential)) = server {
                tx.set_meta(&meta::SYNC_SERVER, server)?;
                tx.set_meta(&meta::SYNC_CREDENTIAL, credential)?;
            }
            if let Some((device, role)) = identity {
                tx.set_meta(&meta::DEVICE_ID, &device.as_bytes()[..])?;
                tx.set_meta(&meta::ROLE, role.as_str())?;
            }
            tx.set_meta(&meta::PROGRAM_ID, &keys.program.as_bytes()[..])?;
            let public = keys.reporting_public.map(zeroize::Zeroizing::new);
            let rows = [
                ("participant", Some(&keys.participant_key)),
                ("data", Some(&keys.data_key)),
                ("reporting_public", public.as_ref()),
                ("reporting_private", keys.reporting_private.as_ref()),
            ];
            tx.execute("DELETE FROM team_key_history", [])?;
            for (epoch, key) in &keys.older {
                tx.execute("INSERT INTO team_key_history (epoch, key) VALUES (?1, ?2)", params![epoch, &key[..]])?;
            }
            for (purpose, key) in rows {
                match key {
                    Some(key) => tx.execute(
                        "INSERT INTO program_key (purpose, epoch, key) VALUES (?1, ?2, ?3)
                         ON CONFLICT (purpose) DO UPDATE SET epoch = excluded.epoch, key = excluded.key",
                        params![purpose, keys.epoch, &key[..]],
                    )?,
                    None => tx.execute("DELETE FROM program_key WHERE purpose = ?1", [purpose])?,
                };
            }
            Ok(())
        })?;
        let mut guard = self.lock_session();
        if let Some(s) = guard.as_mut() {
            s.ctx.participant_key = keys.participant_key.clone();
            s.ctx.reference_floor = s.ctx.reference_floor.max(references);
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
