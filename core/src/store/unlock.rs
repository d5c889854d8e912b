//! Unlocking with the PIN or the platform key, locking, and changing the PIN.

use std::fs;
use std::io::Read;
use std::path::Path;

use chrono::{DateTime, Duration};
use rusqlite::OptionalExtension;
use uuid::Uuid;

use super::{Unlocked, OpenStore, Store};
use crate::crypto::{KdfParams, SecretKey};
use crate::error::{Error, Result};
use crate::keyfile::{self, KeyFile};
use crate::pin;
use crate::meta::{self, MetaExt};
use crate::schema;
use crate::settings::{self, Role};

impl Store {
    /// Failed unlock attempts in a row since the last success.
    pub fn failed_attempts(&self) -> u32 {
        keyfile::failed_attempts(&self.paths)
    }

    /// How long until another PIN is tried, after wrong ones ([`pin::wait_left`]); zero when a
    /// try is accepted now. Kept beside the store, so it survives an app restart; a clock set
    /// back before the last failure starts the wait again from now.
    pub fn unlock_wait(&self) -> Result<Duration> {
        let (failed, last) = keyfile::attempts(&self.paths);
        let now = self.now();
        let last = last.and_then(|s| DateTime::from_timestamp(s, 0));
        if last.is_some_and(|l| now < l) {
            keyfile::restamp_attempts(&self.paths, now.timestamp())?;
        }
        Ok(pin::wait_left(failed, last, now))
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
        keyfile::record_failed_attempt(&self.paths, self.now().timestamp())
    }

    /// Unlocks with the PIN. After [`pin::FREE_TRIES`] wrong ones, each further try waits
    /// ([`Store::unlock_wait`]); a try made too soon is refused with `TryLater`.
    pub fn unlock_with_pin(&self, pin: &str) -> Result<()> {
        self.check_not_waiting()?;
        let kf = KeyFile::load(&self.paths)?;
        match kf.unwrap_with_pin(pin)? {
            Some(key) => self.finish_unlock(&kf, key),
            None => Err(Error::WrongPin { failed_attempts: self.record_failure()? }),
        }
    }

    pub fn unlock_with_platform_key(&self, platform_key: &[u8; 32]) -> Result<()> {
        let kf = KeyFile::load(&self.paths)?;
        match kf.unwrap_with_platform_key(platform_key)? {
            Some(key) => self.finish_unlock(&kf, key),
            None => Err(Error::WrongKey { failed_attempts: self.record_failure()? }),
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
        self.start_session_checked(db_key, Some(&kf.store_id))
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

    /// Re-wraps the database key under a new PIN; the database is not re-encrypted.
    pub fn change_pin(&self, current: &str, new: &str) -> Result<()> {
        keyfile::validate_pin("new_pin", new)?;
        self.check_not_waiting()?;
        let mut kf = KeyFile::load(&self.paths)?;
        let Some(key) = kf.unwrap_with_pin(current)? else {
            return Err(Error::WrongPin { failed_attempts: self.record_failure()? });
        };
        // Never lower the cost; raise it to today's minimum when the stored one is below.
        let stored = kf.pin.as_ref().map(|p| p.kdf).unwrap_or(KdfParams::DEFAULT);
        let kdf = KdfParams {
            m_kib: stored.m_kib.max(KdfParams::DEFAULT.m_kib),
            t: stored.t.max(KdfParams::DEFAULT.t),
            p: stored.p.max(KdfParams::DEFAULT.p),
        };
        kf.wrap_with_pin(&key, new, kdf)?;
        kf.save(&self.paths)?;
        keyfile::reset_failed_attempts(&self.paths)
    }

    /// Wraps the database key under a platform key too (or replaces it). Needs an unlocked store.
    pub fn set_platform_key(&self, platform_key: &[u8; 32]) -> Result<()> {
        let guard = self.lock_session();
        let session = guard.as_ref().ok_or(Error::Locked)?;
        let mut kf = KeyFile::load(&self.paths)?;
        kf.wrap_with_platform_key(&session.ctx.db_key, platform_key);
        kf.save(&self.paths)
    }
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
