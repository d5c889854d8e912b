//! The key file beside the database: the database key, wrapped under each key-encryption key
//! (PIN through Argon2id, and/or the platform key), plus what tells a wrong key from a damaged
//! or foreign database. The database key itself is never written in the clear.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::crypto::{self, KdfParams, Sealed, SecretKey};
use crate::error::{invalid, Error, Result};

const FORMAT: u32 = 1;

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

/// How the PIN wraps the database key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PinWrap {
    pub kdf: KdfParams,
    #[serde(with = "hex::serde")]
    pub salt: Vec<u8>,
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
    pub platform: Option<Sealed>,
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

impl KeyFile {
    pub fn new(store_id: [u8; 16], db_salt: [u8; 16]) -> Self {
        KeyFile {
            format: FORMAT,
            store_id: store_id.to_vec(),
            db_salt: db_salt.to_vec(),
            pin: None,
            platform: None,
        }
    }

    pub fn wrap_with_pin(&mut self, db_key: &SecretKey, pin: &str, kdf: KdfParams) -> Result<()> {
        let salt = crypto::random_bytes::<16>();
        let kek = crypto::pin_kek(pin, &salt, kdf)?;
        let sealed = crypto::seal(&kek, db_key.as_ref(), &aad(&self.store_id, "pin"));
        self.pin = Some(PinWrap { kdf, salt: salt.to_vec(), sealed });
        Ok(())
    }

    pub fn wrap_with_platform_key(&mut self, db_key: &SecretKey, platform_key: &[u8; 32]) {
        self.platform = Some(crypto::seal(platform_key, db_key.as_ref(), &aad(&self.store_id, "platform")));
    }

    /// `Ok(None)` means the PIN is wrong.
    pub fn unwrap_with_pin(&self, pin: &str) -> Result<Option<SecretKey>> {
        let wrap = self.pin.as_ref().ok_or(Error::NoSuchUnlock("PIN"))?;
        let kek = crypto::pin_kek(pin, &wrap.salt, wrap.kdf)?;
        Ok(crypto::open_key(&kek, &wrap.sealed, &aad(&self.store_id, "pin")))
    }

    /// `Ok(None)` means the platform key is wrong.
    pub fn unwrap_with_platform_key(&self, platform_key: &[u8; 32]) -> Result<Option<SecretKey>> {
        let sealed = self.platform.as_ref().ok_or(Error::NoSuchUnlock("platform"))?;
        Ok(crypto::open_key(platform_key, sealed, &aad(&self.store_id, "platform")))
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
        if kf.format != FORMAT {
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
        let mut f = fs::File::create(tmp)?;
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

/// Failed unlock attempts in a row, kept in a file of its own so that a wrong PIN never rewrites
/// the key file.
pub fn failed_attempts(paths: &StorePaths) -> u32 {
    attempts(paths).0
}

/// Failed attempts in a row and when the last one was (Unix seconds; files from before the
/// time was kept have none). The file holds "count" or "count seconds".
pub fn attempts(paths: &StorePaths) -> (u32, Option<i64>) {
    let text = fs::read_to_string(paths.attempts()).unwrap_or_default();
    let mut parts = text.split_whitespace();
    let count = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    (count, parts.next().and_then(|s| s.parse().ok()))
}

pub fn record_failed_attempt(paths: &StorePaths, now: i64) -> Result<u32> {
    let n = failed_attempts(paths).saturating_add(1);
    write_attempts(paths, n, now)?;
    Ok(n)
}

/// Keeps the count and moves the time of the last failure to `now` (when the clock was found
/// set back before it, so that the wait runs from now instead of never ending).
pub fn restamp_attempts(paths: &StorePaths, now: i64) -> Result<()> {
    write_attempts(paths, failed_attempts(paths), now)
}

fn write_attempts(paths: &StorePaths, count: u32, at: i64) -> Result<()> {
    write_atomically(&paths.attempts(), &tmp_path(paths, "attempts"), format!("{count} {at}").as_bytes())
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

    #[test]
    fn wraps_under_pin_and_platform_key() {
        let db_key = crypto::random_key();
        let mut kf = KeyFile::new([7; 16], [9; 16]);
        kf.wrap_with_pin(&db_key, "2468", FAST).unwrap();
        let platform = [3u8; 32];
        kf.wrap_with_platform_key(&db_key, &platform);
        assert_eq!(*kf.unwrap_with_pin("2468").unwrap().unwrap(), *db_key);
        assert!(kf.unwrap_with_pin("2469").unwrap().is_none());
        assert_eq!(*kf.unwrap_with_platform_key(&platform).unwrap().unwrap(), *db_key);
        assert!(kf.unwrap_with_platform_key(&[4u8; 32]).unwrap().is_none());
        // A wrap copied from another store does not open here.
        let mut other = kf.clone();
        other.store_id = vec![8; 16];
        assert!(other.unwrap_with_pin("2468").unwrap().is_none());
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
        assert_eq!(record_failed_attempt(&paths, 100).unwrap(), 1);
        assert_eq!(record_failed_attempt(&paths, 200).unwrap(), 2);
        assert_eq!(attempts(&paths), (2, Some(200)));
        assert_eq!(failed_attempts(&paths), 2);
        reset_failed_attempts(&paths).unwrap();
        assert_eq!(failed_attempts(&paths), 0);
    }
}
