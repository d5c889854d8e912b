//! The key file beside the database: the database key, wrapped under each key-encryption key
//! (the PIN through Argon2id together with the phone's hardware key; on a phone also the
//! hardware keys for fingerprint unlock and background sync), plus what tells a wrong key from
//! a damaged or foreign database. The database key itself is never written in the clear, and on
//! a phone no wrap opens from the files alone.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::crypto::{self, KdfParams, Sealed, SecretKey};
use crate::error::{invalid, Error, Result};
use crate::hardware::{HardwareError, HardwareKeys, KeyPurpose};

/// The format written. Format 1 (no hardware wraps; a `platform` wrap) is still read.
pub const FORMAT: u32 = 2;

/// The files of one store inside its folder.
#[derive(Clone, Debug)]
pub struct StorePaths {
    dir: PathBuf,
}

impl StorePaths {
    pub fn new(dir: &Path) -> Self {
        StorePaths { dir: dir.to_path_buf() }
    }
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn db(&self) -> PathBuf {
        self.dir.join("satchel.db")
    }
    pub fn keys(&self) -> PathBuf {
        self.dir.join("satchel.keys")
    }
    pub fn attempts(&self) -> PathBuf {
        self.dir.join("satchel.attempts")
    }
    /// Every file a store may leave behind, the key file first: destroying it first makes the
    /// rest unreadable even if a later step fails.
    pub fn all_files(&self) -> Vec<PathBuf> {
        let db = self.db();
        let with = |suffix: &str| PathBuf::from(format!("{}{suffix}", db.display()));
        vec![
            self.keys(),
            with(".tmp-keys"),
            db.clone(),
            with("-wal"),
            with("-shm"),
            with("-journal"),
            self.attempts(),
            with(".tmp-attempts"),
        ]
    }
}

/// Bytes written as hex in the key file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HexBytes(#[serde(with = "hex::serde")] pub Vec<u8>);

/// How the PIN wraps the database key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PinWrap {
    pub kdf: KdfParams,
    #[serde(with = "hex::serde")]
    pub salt: Vec<u8>,
    /// The salt the phone's hardware key answers for; the wrap's key needs that answer *and*
    /// the PIN. Absent on a store that the PIN alone opens: a manager's laptop store, or a phone
    /// store of key file format 1, upgraded at its next PIN unlock on a phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardware_salt: Option<HexBytes>,
    pub sealed: Sealed,
}

/// A wrap whose key is the phone's hardware answer alone (fingerprint unlock, background sync).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HardwareWrap {
    #[serde(with = "hex::serde")]
    pub hardware_salt: Vec<u8>,
    pub sealed: Sealed,
}

/// The key file's content.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeyFile {
    pub format: u32,
    /// Random id of this store; also kept inside the database as a canary.
    #[serde(with = "hex::serde")]
    pub store_id: Vec<u8>,
    /// The SQLCipher salt: the first 16 bytes of this store's database file.
    #[serde(with = "hex::serde")]
    pub db_salt: Vec<u8>,
    pub pin: Option<PinWrap>,
    /// Format 1 only: a wrap under 32 bytes the app kept. It opens nothing any more and is
    /// destroyed at the store's first PIN unlock on a phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Sealed>,
    /// Fingerprint or face unlock: the hardware key that asks for biometrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biometric: Option<HardwareWrap>,
    /// Background sync while the app is locked: the hardware key usable while the phone is
    /// unlocked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<HardwareWrap>,
    /// Wipe the store after this many wrong PINs in a row (absent or 0: never). A copy of the
    /// program's setting, kept here because the wipe is decided while the store is locked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wipe_after: Option<u32>,
}

fn aad(store_id: &[u8], kind: &str) -> Vec<u8> {
    let mut out = b"satchel/db-key/v1/".to_vec();
    out.extend_from_slice(kind.as_bytes());
    out.push(b'/');
    out.extend_from_slice(store_id);
    out
}

/// Checks a PIN's shape: 4 to 64 characters, no control characters.
pub fn validate_pin(field: &str, pin: &str) -> Result<()> {
    let n = pin.chars().count();
    if !(4..=64).contains(&n) {
        return Err(invalid(field, "must be 4 to 64 characters"));
    }
    if pin.chars().any(char::is_control) {
        return Err(invalid(field, "must not contain control characters"));
    }
    Ok(())
}

fn hardware_secret(hardware: &dyn HardwareKeys, purpose: KeyPurpose, salt: &[u8]) -> Result<SecretKey> {
    let salt: &[u8; 32] = salt.try_into().map_err(|_| Error::Damaged("the key file is malformed".into()))?;
    Ok(hardware.derive(purpose, salt)?)
}

impl KeyFile {
    pub fn new(store_id: [u8; 16], db_salt: [u8; 16]) -> Self {
        KeyFile {
            format: FORMAT,
            store_id: store_id.to_vec(),
            db_salt: db_salt.to_vec(),
            pin: None,
            platform: None,
            biometric: None,
            background: None,
            wipe_after: None,
        }
    }

    /// Wraps the database key under the PIN, and under the phone's hardware key for PINs when
    /// `hardware` is given (the key must exist: [`HardwareKeys::create`]).
    pub fn wrap_with_pin(
        &mut self,
        db_key: &SecretKey,
        pin: &str,
        kdf: KdfParams,
        hardware: Option<&dyn HardwareKeys>,
    ) -> Result<()> {
        let salt = crypto::random_bytes::<16>();
        let (kek, hardware_salt, kind) = match hardware {
            Some(hw) => {
                let hw_salt = crypto::random_bytes::<32>();
                let stretched = crypto::pin_kek(pin, &salt, kdf)?;
                let secret = hw.derive(KeyPurpose::Pin, &crypto::pin_hardware_input(&hw_salt, &stretched))?;
                let kek = crypto::pin_hardware_kek(&stretched, &secret);
                (kek, Some(HexBytes(hw_salt.to_vec())), "pin+hardware")
            }
            None => (crypto::pin_kek(pin, &salt, kdf)?, None, "pin"),
        };
        let sealed = crypto::seal(&kek, db_key.as_ref(), &aad(&self.store_id, kind));
        self.pin = Some(PinWrap { kdf, salt: salt.to_vec(), hardware_salt, sealed });
        Ok(())
    }

    /// Wraps the database key under the hardware key for `purpose` alone (it must exist).
    pub fn wrap_with_hardware(&mut self, db_key: &SecretKey, purpose: KeyPurpose, hardware: &dyn HardwareKeys) -> Result<()> {
        if purpose == KeyPurpose::Pin {
            return Err(invalid("purpose", "the PIN is wrapped with the PIN and the hardware together"));
        }
        let hw_salt = crypto::random_bytes::<32>();
        let kek = hardware.derive(purpose, &hw_salt)?;
        let wrap = HardwareWrap {
            hardware_salt: hw_salt.to_vec(),
            sealed: crypto::seal(&kek, db_key.as_ref(), &aad(&self.store_id, purpose.as_str())),
        };
        if let Some(slot) = self.hardware_slot(purpose) {
            *slot = Some(wrap);
        }
        Ok(())
    }

    /// The slot of a wrap the hardware alone opens; the PIN's hardware binding is part of the
    /// PIN wrap, so it has none.
    fn hardware_slot(&mut self, purpose: KeyPurpose) -> Option<&mut Option<HardwareWrap>> {
        match purpose {
            KeyPurpose::Biometric => Some(&mut self.biometric),
            KeyPurpose::Background => Some(&mut self.background),
            KeyPurpose::Pin => None,
        }
    }

    /// Whether a wrap of `purpose` is in the file.
    pub fn has(&self, purpose: KeyPurpose) -> bool {
        match purpose {
            KeyPurpose::Pin => self.pin.is_some(),
            KeyPurpose::Biometric => self.biometric.is_some(),
            KeyPurpose::Background => self.background.is_some(),
        }
    }

    /// Whether the PIN wrap needs the phone's hardware (false: the PIN alone opens it).
    pub fn pin_needs_hardware(&self) -> bool {
        self.pin.as_ref().is_some_and(|p| p.hardware_salt.is_some())
    }

    /// Removes the wrap of `purpose` (biometric or background).
    pub fn remove(&mut self, purpose: KeyPurpose) {
        if let Some(slot) = self.hardware_slot(purpose) {
            *slot = None;
        }
    }

    /// `Ok(None)` means the PIN is wrong. A wrap bound to the phone's hardware needs
    /// `hardware`; without it (the files copied elsewhere) the error says the key is missing.
    pub fn unwrap_with_pin(&self, pin: &str, hardware: Option<&dyn HardwareKeys>) -> Result<Option<SecretKey>> {
        let wrap = self.pin.as_ref().ok_or(Error::NoSuchUnlock("PIN"))?;
        let (kek, kind) = match &wrap.hardware_salt {
            Some(hw_salt) => {
                let hw = hardware.ok_or(HardwareError::Missing(KeyPurpose::Pin.as_str()))?;
                if hw_salt.0.len() != 32 {
                    return Err(Error::Damaged("the key file is malformed".into()));
                }
                // The keystore is asked about this PIN's Argon2id output: one call per guess.
                let stretched = crypto::pin_kek(pin, &wrap.salt, wrap.kdf)?;
                let secret = hw.derive(KeyPurpose::Pin, &crypto::pin_hardware_input(&hw_salt.0, &stretched))?;
                (crypto::pin_hardware_kek(&stretched, &secret), "pin+hardware")
            }
            None => (crypto::pin_kek(pin, &wrap.salt, wrap.kdf)?, "pin"),
        };
        Ok(crypto::open_key(&kek, &wrap.sealed, &aad(&self.store_id, kind)))
    }

    /// `Ok(None)` means the hardware's answer did not open the wrap (another key).
    pub fn unwrap_with_hardware(&self, purpose: KeyPurpose, hardware: &dyn HardwareKeys) -> Result<Option<SecretKey>> {
        let wrap = match purpose {
            KeyPurpose::Biometric => self.biometric.as_ref(),
            KeyPurpose::Background => self.background.as_ref(),
            KeyPurpose::Pin => None,
        }
        .ok_or(Error::NoSuchUnlock(purpose.as_str()))?;
        let kek = hardware_secret(hardware, purpose, &wrap.hardware_salt)?;
        Ok(crypto::open_key(&kek, &wrap.sealed, &aad(&self.store_id, purpose.as_str())))
    }

    pub fn load(paths: &StorePaths) -> Result<KeyFile> {
        let bytes = match fs::read(paths.keys()) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NoStore(paths.dir().to_path_buf()))
            }
            Err(e) => return Err(e.into()),
        };
        let kf: KeyFile = serde_json::from_slice(&bytes)
            .map_err(|_| Error::Damaged("the key file cannot be read".into()))?;
        if kf.format != 1 && kf.format != FORMAT {
            return Err(Error::Damaged(format!("unknown key file format {}", kf.format)));
        }
        if kf.store_id.len() != 16 || kf.db_salt.len() != 16 {
            return Err(Error::Damaged("the key file is malformed".into()));
        }
        Ok(kf)
    }

    /// Writes the key file atomically: a temporary file, flushed, then renamed over the old one.
    pub fn save(&self, paths: &StorePaths) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).expect("key file serializes");
        write_atomically(&paths.keys(), &tmp_path(paths, "keys"), &json)
    }
}

fn tmp_path(paths: &StorePaths, what: &str) -> PathBuf {
    PathBuf::from(format!("{}.tmp-{what}", paths.db().display()))
}

fn write_atomically(target: &Path, tmp: &Path, bytes: &[u8]) -> Result<()> {
    {
        let mut f = private_file(tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(tmp, target)?;
    if let Some(parent) = target.parent() {
        // Make the rename itself durable.
        if let Ok(d) = fs::File::open(parent) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Creates (or truncates) a file only its owner can read and write.
fn private_file(path: &Path) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Makes the store's folder readable by its owner only (0700) and each of its files 0600,
/// whatever the process's umask made them. SQLite gives the WAL and shared-memory files the
/// database file's mode.
pub fn make_private(paths: &StorePaths) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(paths.dir(), fs::Permissions::from_mode(0o700))?;
        for p in paths.all_files() {
            match fs::metadata(&p) {
                Ok(m) if m.permissions().mode() & 0o077 != 0 => fs::set_permissions(&p, fs::Permissions::from_mode(0o600))?,
                _ => {}
            }
        }
    }
    #[cfg(not(unix))]
    let _ = paths;
    Ok(())
}

/// When a wrong PIN happened, on the wall clock and on the clock that counts time since the
/// phone started (which the worker cannot set; `None` where the platform has none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Unix seconds.
    pub wall: i64,
    /// Milliseconds since the phone started, counting time asleep.
    pub uptime_ms: Option<i64>,
}

/// The attempts file: wrong PINs in a row and when the last one was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Attempts {
    pub count: u32,
    pub last: Option<Stamp>,
}

/// Failed unlock attempts in a row, kept in a file of its own so that a wrong PIN never rewrites
/// the key file.
pub fn failed_attempts(paths: &StorePaths) -> u32 {
    attempts(paths).count
}

/// Failed attempts in a row and when the last one was. The file holds "count", "count
/// seconds" (older files) or "count seconds uptime-milliseconds".
pub fn attempts(paths: &StorePaths) -> Attempts {
    let text = fs::read_to_string(paths.attempts()).unwrap_or_default();
    let mut parts = text.split_whitespace();
    let count = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let wall = parts.next().and_then(|s| s.parse().ok());
    let uptime_ms = parts.next().and_then(|s| s.parse().ok());
    Attempts { count, last: wall.map(|wall| Stamp { wall, uptime_ms }) }
}

pub fn record_failed_attempt(paths: &StorePaths, now: Stamp) -> Result<u32> {
    let n = failed_attempts(paths).saturating_add(1);
    write_attempts(paths, n, now)?;
    Ok(n)
}

/// Keeps the count and moves the time of the last failure to `now` (when a clock was found set
/// back, or the phone restarted, so that the wait runs from now instead of never ending).
pub fn restamp_attempts(paths: &StorePaths, now: Stamp) -> Result<()> {
    write_attempts(paths, failed_attempts(paths), now)
}

fn write_attempts(paths: &StorePaths, count: u32, at: Stamp) -> Result<()> {
    let text = match at.uptime_ms {
        Some(up) => format!("{count} {} {up}", at.wall),
        None => format!("{count} {}", at.wall),
    };
    write_atomically(&paths.attempts(), &tmp_path(paths, "attempts"), text.as_bytes())
}

pub fn reset_failed_attempts(paths: &StorePaths) -> Result<()> {
    match fs::remove_file(paths.attempts()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfParams = KdfParams { m_kib: 64, t: 1, p: 1 };

    use crate::hardware::MemoryKeys;

    #[test]
    fn wraps_under_pin_alone() {
        let db_key = crypto::random_key();
        let mut kf = KeyFile::new([7; 16], [9; 16]);
        kf.wrap_with_pin(&db_key, "2468", FAST, None).unwrap();
        assert!(!kf.pin_needs_hardware());
        assert_eq!(*kf.unwrap_with_pin("2468", None).unwrap().unwrap(), *db_key);
        assert!(kf.unwrap_with_pin("2469", None).unwrap().is_none());
        // A wrap copied from another store does not open here.
        let mut other = kf.clone();
        other.store_id = vec![8; 16];
        assert!(other.unwrap_with_pin("2468", None).unwrap().is_none());
    }

    #[test]
    fn a_hardware_bound_pin_wrap_needs_that_hardware() {
        let db_key = crypto::random_key();
        let hw = MemoryKeys::new();
        hw.create(KeyPurpose::Pin).unwrap();
        let mut kf = KeyFile::new([7; 16], [9; 16]);
        kf.wrap_with_pin(&db_key, "2468", FAST, Some(&hw)).unwrap();
        assert!(kf.pin_needs_hardware());
        assert_eq!(*kf.unwrap_with_pin("2468", Some(&hw)).unwrap().unwrap(), *db_key);
        assert!(kf.unwrap_with_pin("2469", Some(&hw)).unwrap().is_none());
        // Without the hardware: a typed error, not a wrong PIN.
        assert!(matches!(kf.unwrap_with_pin("2468", None), Err(Error::Hardware(HardwareError::Missing(_)))));
        // Another phone's hardware (same PIN): the wrap does not open.
        let other = MemoryKeys::new();
        other.create(KeyPurpose::Pin).unwrap();
        assert!(kf.unwrap_with_pin("2468", Some(&other)).unwrap().is_none());
        // Hardware wraps for the other purposes.
        for purpose in [KeyPurpose::Biometric, KeyPurpose::Background] {
            hw.create(purpose).unwrap();
            kf.wrap_with_hardware(&db_key, purpose, &hw).unwrap();
            assert_eq!(*kf.unwrap_with_hardware(purpose, &hw).unwrap().unwrap(), *db_key);
            other.create(purpose).unwrap();
            assert!(kf.unwrap_with_hardware(purpose, &other).unwrap().is_none());
        }
        // The PIN's hardware key makes no wrap of its own, and touches no other slot.
        let background = kf.background.clone().map(|w| w.sealed);
        assert!(matches!(kf.wrap_with_hardware(&db_key, KeyPurpose::Pin, &hw), Err(Error::Invalid { .. })));
        assert_eq!(kf.background.clone().map(|w| w.sealed), background);
        // A biometric wrap moved into the background slot does not open there.
        let mut moved = kf.clone();
        moved.background = moved.biometric.clone();
        hw.create(KeyPurpose::Background).unwrap();
        assert!(moved.unwrap_with_hardware(KeyPurpose::Background, &hw).unwrap().is_none());
    }

    #[test]
    fn pin_shape() {
        assert!(validate_pin("pin", "123").is_err());
        assert!(validate_pin("pin", "1234").is_ok());
        assert!(validate_pin("pin", "12\n34").is_err());
        assert!(validate_pin("pin", &"9".repeat(65)).is_err());
    }

    #[test]
    fn attempts_count_and_reset() {
        let dir = tempfile::tempdir().unwrap();
        let paths = StorePaths::new(dir.path());
        assert_eq!(failed_attempts(&paths), 0);
        let at = |wall, up| Stamp { wall, uptime_ms: up };
        assert_eq!(record_failed_attempt(&paths, at(100, None)).unwrap(), 1);
        assert_eq!(attempts(&paths), Attempts { count: 1, last: Some(at(100, None)) });
        assert_eq!(record_failed_attempt(&paths, at(200, Some(5_000))).unwrap(), 2);
        assert_eq!(attempts(&paths), Attempts { count: 2, last: Some(at(200, Some(5_000))) });
        assert_eq!(failed_attempts(&paths), 2);
        reset_failed_attempts(&paths).unwrap();
        assert_eq!(failed_attempts(&paths), 0);
    }
}
