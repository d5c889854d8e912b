//! Unlocking with the PIN (with the phone's hardware key), with fingerprint or for background
//! sync (the hardware alone), locking, changing the PIN, and the wipe after too many wrong PINs.

use std::fs;
use std::io::Read;
use std::path::Path;

use chrono::Duration;
use rusqlite::OptionalExtension;
use uuid::Uuid;

use super::{Unlocked, OpenStore, Store};
use crate::crypto::{KdfParams, SecretKey};
use crate::error::{Error, Result};
use crate::hardware::{HardwareError, HardwareKeys, KeyPurpose};
use crate::keyfile::{self, KeyFile, Stamp};
use crate::pin;
use crate::meta::{self, MetaExt};
use crate::schema;
use crate::settings::{self, Role};

impl Store {
    /// Failed unlock attempts in a row since the last success.
    pub fn failed_attempts(&self) -> u32 {
        keyfile::failed_attempts(&self.paths)
    }

    /// Now, on the wall clock and on the clock since the phone started.
    fn stamp(&self) -> Stamp {
        Stamp { wall: self.now().timestamp(), uptime_ms: (self.uptime)() }
    }

    /// How long until another PIN is tried, after wrong ones ([`pin::wait_left`]); zero when a
    /// try is accepted now. Kept beside the store, so it survives an app restart. The wait must
    /// pass on the wall clock and on the clock since the phone started, so moving the clock
    /// forward does not skip it; a clock set back, or a restart of the phone, starts the wait
    /// again from now.
    pub fn unlock_wait(&self) -> Result<Duration> {
        let attempts = keyfile::attempts(&self.paths);
        let now = self.stamp();
        if attempts.last.is_some_and(|last| pin::restarted_wait(last, now)) {
            keyfile::restamp_attempts(&self.paths, now)?;
        }
        Ok(pin::wait_left(attempts.count, attempts.last, now))
    }

    /// Refuses a PIN try while wrong ones make it wait; the PIN is not even tried.
    fn check_not_waiting(&self) -> Result<()> {
        let wait = self.unlock_wait()?;
        if wait > Duration::zero() {
            let seconds = (wait.num_milliseconds() as u64).div_ceil(1000);
            return Err(Error::TryLater { seconds, failed_attempts: self.failed_attempts() });
        }
        Ok(())
    }

    fn record_failure(&self) -> Result<u32> {
        keyfile::record_failed_attempt(&self.paths, self.stamp())
    }

    /// Counts a wrong PIN; at the program's limit ([`KeyFile::wipe_after`]) wipes the store.
    fn wrong_pin(&self, kf: &KeyFile) -> Error {
        let failed_attempts = match self.record_failure() {
            Ok(n) => n,
            Err(e) => return e,
        };
        match kf.wipe_after {
            Some(limit) if limit > 0 && failed_attempts >= limit => match self.destroy() {
                Ok(()) => Error::Wiped { failed_attempts },
                Err(e) => e,
            },
            _ => Error::WrongPin { failed_attempts },
        }
    }

    fn hardware(&self) -> Result<&dyn HardwareKeys> {
        self.hardware.as_deref().ok_or(Error::Hardware(HardwareError::Missing("keystore")))
    }

    /// Unlocks with the PIN (on a phone, together with the phone's hardware key). After
    /// [`pin::FREE_TRIES`] wrong ones, each further try waits ([`Store::unlock_wait`]); a try
    /// made too soon is refused with `TryLater`; at the program's limit of wrong PINs in a row
    /// the store is wiped (`Wiped`).
    ///
    /// A phone store from before the hardware keys (key file format 1) is upgraded here, once
    /// the PIN is right: its wraps are replaced by hardware-bound ones.
    pub fn unlock_with_pin(&self, pin: &str) -> Result<()> {
        self.check_not_waiting()?;
        let kf = KeyFile::load(&self.paths)?;
        match kf.unwrap_with_pin(pin, self.hardware.as_deref())? {
            Some(key) => {
                self.finish_unlock(&kf, key)?;
                if let Err(e) = self.upgrade_wraps(&kf, pin) {
                    // A store whose old wraps stay cannot be kept open on a phone.
                    self.lock();
                    return Err(e);
                }
                Ok(())
            }
            None => Err(self.wrong_pin(&kf)),
        }
    }

    /// Unlocks with fingerprint or face: the phone's biometric key (the app's keystore shows
    /// the prompt). A cancelled prompt or changed biometrics is a `Hardware` error, not a wrong
    /// attempt.
    pub fn unlock_with_biometrics(&self) -> Result<()> {
        self.unlock_with_hardware(KeyPurpose::Biometric)
    }

    /// Unlocks for background sync with the phone's background key (usable only while the
    /// phone is unlocked). The app syncs, purges and locks again.
    pub fn unlock_for_background(&self) -> Result<()> {
        self.unlock_with_hardware(KeyPurpose::Background)
    }

    fn unlock_with_hardware(&self, purpose: KeyPurpose) -> Result<()> {
        let kf = KeyFile::load(&self.paths)?;
        match kf.unwrap_with_hardware(purpose, self.hardware()?)? {
            Some(key) => self.finish_unlock(&kf, key),
            None => Err(Error::WrongKey { failed_attempts: self.record_failure()? }),
        }
    }

    /// Which ways of unlocking this store has besides the PIN.
    pub fn has_unlock(&self, purpose: KeyPurpose) -> Result<bool> {
        Ok(KeyFile::load(&self.paths)?.has(purpose))
    }

    /// Turns fingerprint unlock or background sync on: a new hardware key for it, and the
    /// database key wrapped under it. Needs an unlocked store with the phone's keystore; for
    /// biometrics the keystore shows the prompt.
    pub fn enable_unlock(&self, purpose: KeyPurpose) -> Result<()> {
        if purpose == KeyPurpose::Pin {
            return Err(crate::error::invalid("purpose", "the PIN is always on"));
        }
        let hw = self.hardware()?;
        let db_key = self.read(|ctx, _| Ok(ctx.db_key.clone()))?;
        let mut kf = KeyFile::load(&self.paths)?;
        hw.create(purpose)?;
        kf.wrap_with_hardware(&db_key, purpose, hw)?;
        kf.format = keyfile::FORMAT;
        kf.save(&self.paths)
    }

    /// Turns fingerprint unlock or background sync off: removes its wrap, then destroys its
    /// hardware key. Works on a locked store (removing a way in needs no key).
    pub fn disable_unlock(&self, purpose: KeyPurpose) -> Result<()> {
        if purpose == KeyPurpose::Pin {
            return Err(crate::error::invalid("purpose", "the PIN cannot be turned off"));
        }
        let mut kf = KeyFile::load(&self.paths)?;
        if kf.has(purpose) {
            kf.remove(purpose);
            kf.save(&self.paths)?;
        }
        if let Some(hw) = &self.hardware {
            hw.destroy(purpose)?;
        }
        Ok(())
    }

    /// On a phone, replaces the wraps of a key file from before the hardware keys (format 1:
    /// the PIN alone, or 32 bytes the app kept) with hardware-bound ones: the PIN wrap with the
    /// PIN key, and, where the app kept bytes for background sync, a background wrap. The old
    /// wraps leave the key file.
    fn upgrade_wraps(&self, old: &KeyFile, pin: &str) -> Result<()> {
        let Some(hw) = self.hardware.as_deref() else { return Ok(()) };
        if old.pin_needs_hardware() && old.platform.is_none() {
            return Ok(());
        }
        let db_key = self.read(|ctx, _| Ok(ctx.db_key.clone()))?;
        // As the unlock left it (the wipe limit may have been written since `old` was read).
        let mut kf = KeyFile::load(&self.paths)?;
        if !old.pin_needs_hardware() {
            hw.create(KeyPurpose::Pin)?;
            kf.wrap_with_pin(&db_key, pin, raised(old.pin.as_ref().map(|p| p.kdf), KdfParams::PHONE), Some(hw))?;
        }
        if kf.platform.take().is_some() {
            hw.create(KeyPurpose::Background)?;
            kf.wrap_with_hardware(&db_key, KeyPurpose::Background, hw)?;
        }
        kf.format = keyfile::FORMAT;
        kf.save(&self.paths)
    }

    /// Keeps the key file's copy of the program's wipe limit equal to the setting (outreach
    /// stores only: a manager's store holds the program's only readable copy of its data).
    pub(crate) fn follow_wipe_policy(&self) -> Result<()> {
        let (role, limit) = self.read(|ctx, _| Ok((ctx.role, ctx.settings.program.wipe_after_failed_pins)))?;
        let wanted = (role == Role::Outreach).then_some(limit);
        let mut kf = KeyFile::load(&self.paths)?;
        if kf.wipe_after != wanted {
            kf.wipe_after = wanted;
            kf.save(&self.paths)?;
        }
        Ok(())
    }

    /// The wipe after too many wrong PINs: the phone's hardware keys first (without them no
    /// wrap can ever open), then every file of the store.
    pub(super) fn destroy(&self) -> Result<()> {
        self.lock();
        let mut failed = Vec::new();
        if let Some(hw) = &self.hardware {
            for purpose in KeyPurpose::ALL {
                if let Err(e) = hw.destroy(purpose) {
                    failed.push(format!("{} key: {e}", purpose.as_str()));
                }
            }
        }
        let files = super::wipe(self.paths.dir());
        match (files, failed.is_empty()) {
            (Ok(()), true) => Ok(()),
            (Ok(()), false) => Err(Error::WipeIncomplete(failed.join("; "))),
            (Err(Error::WipeIncomplete(more)), _) => {
                failed.push(more);
                Err(Error::WipeIncomplete(failed.join("; ")))
            }
            (Err(e), _) => Err(e),
        }
    }

    fn finish_unlock(&self, kf: &KeyFile, db_key: SecretKey) -> Result<()> {
        // The key is right; now tell a damaged database from a foreign one before touching it.
        let header = read_header(&self.paths.db())?;
        if &header == b"SQLite format 3\0" {
            return Err(Error::ForeignFile("it is a plain, unencrypted SQLite file".into()));
        }
        if header[..] != kf.db_salt[..] {
            return Err(Error::ForeignFile("it was made with another key file".into()));
        }
        keyfile::reset_failed_attempts(&self.paths)?;
        self.start_session_checked(db_key, Some(&kf.store_id))?;
        // Stores made before the modes were set, and a manager's store made 0644, become
        // owner-only; the wipe limit follows the program's setting.
        keyfile::make_private(&self.paths)?;
        self.follow_wipe_policy()
    }

    pub(super) fn start_session(&self, db_key: SecretKey) -> Result<()> {
        self.start_session_checked(db_key, None)
    }

    fn start_session_checked(&self, db_key: SecretKey, store_id: Option<&[u8]>) -> Result<()> {
        let salt = KeyFile::load(&self.paths).map(|kf| kf.db_salt).unwrap_or_default();
        let salt: [u8; 16] = salt.try_into().map_err(|_| Error::Damaged("key file salt".into()))?;
        let mut conn = schema::open(&self.paths.db(), &db_key, &salt, false)?;
        schema::migrate(&mut conn)?;
        super::follow_zone_rules(&mut conn)?;
        let canary = conn.meta(&meta::STORE_ID)?;
        if let Some(expected) = store_id {
            if canary.as_deref() != Some(expected) {
                return Err(Error::ForeignFile("its store id does not match the key file".into()));
            }
        }
        let device = conn.meta(&meta::DEVICE_ID)?.ok_or_else(|| Error::Damaged("no device id".into()))?;
        let role = conn.meta(&meta::ROLE)?.ok_or_else(|| Error::Damaged("no role".into()))?;
        let location = conn.meta(&meta::LOCATION)?;
        let participant_key: zeroize::Zeroizing<Vec<u8>> = conn
            .query_row("SELECT key FROM program_key WHERE purpose = 'participant'", [], |r| r.get(0))
            .optional()?
            .map(zeroize::Zeroizing::new)
            .ok_or_else(|| Error::Damaged("no participant key".into()))?;
        let ctx = Unlocked {
            db_key,
            device: Uuid::from_slice(&device).map_err(|_| Error::Damaged("device id".into()))?,
            role: Role::parse(&role).ok_or_else(|| Error::Damaged("unknown role".into()))?,
            location,
            participant_key: zeroize::Zeroizing::new(
                participant_key.as_slice().try_into().map_err(|_| Error::Damaged("participant key".into()))?,
            ),
            settings: settings::load(&conn)?,
            reference_floor: conn.meta_count(&meta::PARTICIPANT_REFERENCES)?.clamp(0, 16) as u32,
        };
        *self.lock_session() = Some(OpenStore { conn, ctx });
        Ok(())
    }

    /// Closes the database and wipes the keys from memory.
    pub fn lock(&self) {
        *self.lock_session() = None;
    }

    pub fn is_unlocked(&self) -> bool {
        self.lock_session().is_some()
    }

    /// Re-wraps the database key under a new PIN (with the same hardware binding as before);
    /// the database is not re-encrypted.
    pub fn change_pin(&self, current: &str, new: &str) -> Result<()> {
        keyfile::validate_pin("new_pin", new)?;
        self.check_not_waiting()?;
        let mut kf = KeyFile::load(&self.paths)?;
        let hardware = self.hardware.as_deref();
        let Some(key) = kf.unwrap_with_pin(current, hardware)? else {
            return Err(self.wrong_pin(&kf));
        };
        let floor = if hardware.is_some() { KdfParams::PHONE } else { KdfParams::DEFAULT };
        let kdf = raised(kf.pin.as_ref().map(|p| p.kdf), floor);
        // A store the PIN alone opened gets the hardware binding now, if there is hardware.
        if let (Some(hw), false) = (hardware, kf.pin_needs_hardware()) {
            hw.create(KeyPurpose::Pin)?;
        }
        kf.wrap_with_pin(&key, new, kdf, hardware)?;
        kf.platform = if hardware.is_some() { None } else { kf.platform.take() };
        kf.format = keyfile::FORMAT;
        kf.save(&self.paths)?;
        keyfile::reset_failed_attempts(&self.paths)
    }
}

/// Never lower a wrap's cost; raise each parameter to `floor` (today's minimum for this kind of
/// store) when the stored one is below.
fn raised(stored: Option<KdfParams>, floor: KdfParams) -> KdfParams {
    let stored = stored.unwrap_or(floor);
    KdfParams { m_kib: stored.m_kib.max(floor.m_kib), t: stored.t.max(floor.t), p: stored.p.max(floor.p) }
}

pub(super) fn read_header(db: &Path) -> Result<[u8; 16]> {
    let mut f = match fs::File::open(db) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Damaged("the database file is missing".into()))
        }
        Err(e) => return Err(e.into()),
    };
    let mut header = [0u8; 16];
    f.read_exact(&mut header).map_err(|_| Error::Damaged("the database file is truncated".into()))?;
    Ok(header)
}
