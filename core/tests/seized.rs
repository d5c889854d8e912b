//! A seized phone, attacked from its files alone: the key file read as the documented JSON, every
//! 4-digit PIN tried offline with Argon2id and XChaCha20-Poly1305 written here, apart from the
//! core's own unwrapping. Against a store the PIN alone wraps (how phones were made before the
//! hardware keys) the attack finds the PIN, which shows the attack works; against a phone's
//! store made today, with its hardware key stood in by a keystore that keeps its secret outside
//! the files, no PIN opens anything, and neither do the fingerprint and background wraps. A
//! store of the old format is upgraded at its first PIN unlock on a phone, and the attack then
//! fails on its new key file too.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::fs;
use std::path::Path;
use std::sync::Arc;

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use common::*;
use satchel_core::keyfile::{KeyFile, StorePaths};
use satchel_core::{KeyPurpose, MemoryKeys, Role, Store};
use serde_json::Value;

fn unhex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn try_open(kek: &[u8], wrap: &Value, aad: &[u8]) -> bool {
    let Ok(cipher) = XChaCha20Poly1305::new_from_slice(kek) else { return false };
    let nonce = unhex(&wrap["nonce"]);
    let ct = unhex(&wrap["ciphertext"]);
    cipher.decrypt(XNonce::from_slice(&nonce), Payload { msg: &ct, aad }).is_ok()
}

/// Every 4-digit PIN against the key file's PIN wrap, offline. Each PIN's Argon2id output is
/// tried as the key for every kind of wrap the format names. `Some(pin)` if one opens it.
fn guess_pin(dir: &Path) -> Option<String> {
    let keys: Value = serde_json::from_slice(&fs::read(dir.join("satchel.keys")).unwrap()).unwrap();
    let wrap = &keys["pin"];
    let store_id = unhex(&keys["store_id"]);
    let salt = unhex(&wrap["salt"]);
    let kdf = &wrap["kdf"];
    let params = Params::new(
        kdf["m_kib"].as_u64().unwrap() as u32,
        kdf["t"].as_u64().unwrap() as u32,
        kdf["p"].as_u64().unwrap() as u32,
        Some(32),
    )
    .unwrap();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let aads: Vec<Vec<u8>> = ["pin", "pin+hardware"]
        .iter()
        .map(|kind| [b"satchel/db-key/v1/".as_slice(), kind.as_bytes(), b"/", &store_id].concat())
        .collect();
    // What else the files hold that an attacker might try as a key: the hardware salt.
    let hardware_salt = wrap.get("hardware_salt").map(unhex);
    for n in 0..10_000 {
        let pin = format!("{n:04}");
        let mut kek = [0u8; 32];
        argon.hash_password_into(pin.as_bytes(), &salt, &mut kek).unwrap();
        let mut candidates = vec![kek.to_vec()];
        if let Some(hs) = &hardware_salt {
            // Without the hardware, the salt itself stands in for its answer.
            candidates.push(satchel_core::crypto::pin_hardware_kek(&zeroize::Zeroizing::new(kek), &zeroize::Zeroizing::new(hs[..32].try_into().unwrap())).to_vec());
        }
        for kek in &candidates {
            if aads.iter().any(|aad| try_open(kek, &wrap["sealed"], aad)) {
                return Some(pin);
            }
        }
    }
    None
}

/// The fingerprint and background wraps, tried with every 32-byte value the files hold.
fn open_hardware_wraps_from_files(dir: &Path) -> usize {
    let keys: Value = serde_json::from_slice(&fs::read(dir.join("satchel.keys")).unwrap()).unwrap();
    let store_id = unhex(&keys["store_id"]);
    let mut values: Vec<Vec<u8>> = vec![vec![0; 32]];
    for slot in ["pin", "biometric", "background"] {
        if let Some(hs) = keys[slot].get("hardware_salt") {
            values.push(unhex(hs));
        }
    }
    let mut opened = 0;
    for slot in ["biometric", "background"] {
        let wrap = &keys[slot];
        assert!(wrap.is_object(), "the app's setup made a {slot} wrap");
        let aad = [b"satchel/db-key/v1/".as_slice(), slot.as_bytes(), b"/", &store_id].concat();
        opened += values.iter().filter(|k| try_open(k, &wrap["sealed"], &aad)).count();
    }
    opened
}

fn copy_files(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn the_attack_finds_the_pin_of_a_store_the_pin_alone_wraps() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path(), options(Role::Outreach)).unwrap();
    store.log_encounter(&street(store.now())).unwrap();
    store.lock();
    assert_eq!(guess_pin(dir.path()).as_deref(), Some(PIN), "the attack itself must work");
}

#[test]
fn a_copy_of_a_phones_files_opens_with_no_pin() {
    let phone = tempfile::tempdir().unwrap();
    let hw = Arc::new(MemoryKeys::new());
    // The app's own setup: the PIN, fingerprint unlock and background sync.
    let store = Store::create(phone.path(), satchel_core::CreateOptions { background: true, ..phone_options(Role::Outreach, hw.clone()) }).unwrap();
    store.enable_unlock(KeyPurpose::Biometric).unwrap();
    store.log_encounter(&street(store.now())).unwrap();
    store.lock();

    let seized = tempfile::tempdir().unwrap();
    copy_files(phone.path(), seized.path());
    assert_eq!(guess_pin(seized.path()), None, "a PIN opened the copied key file");
    assert_eq!(open_hardware_wraps_from_files(seized.path()), 0);

    // The copy on a machine without the phone's keystore, and with another phone's keystore
    // (the same app, the same PIN): nothing opens.
    let copied = Store::open(seized.path()).unwrap();
    assert!(copied.unlock_with_pin(PIN).is_err());
    let kf = KeyFile::load(&StorePaths::new(seized.path())).unwrap();
    let other = MemoryKeys::new();
    for purpose in KeyPurpose::ALL {
        use satchel_core::HardwareKeys;
        other.create(purpose).unwrap();
    }
    for n in 0..10_000 {
        assert!(kf.unwrap_with_pin(&format!("{n:04}"), Some(&other)).unwrap().is_none());
    }
    assert!(kf.unwrap_with_hardware(KeyPurpose::Biometric, &other).unwrap().is_none());
    assert!(kf.unwrap_with_hardware(KeyPurpose::Background, &other).unwrap().is_none());

    // The phone itself still opens with its PIN, its fingerprint and for background sync.
    let own = Store::open(phone.path()).unwrap().with_hardware(hw.clone());
    own.unlock_with_pin(PIN).unwrap();
    own.lock();
    own.unlock_with_biometrics().unwrap();
    own.lock();
    own.unlock_for_background().unwrap();
    assert_eq!(own.recent_encounters(5).unwrap().len(), 1);
}

#[test]
fn an_old_phone_store_is_upgraded_at_its_first_pin_unlock() {
    // Key file format 1, PIN alone (written before the hardware keys; see store_format.rs).
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openssl-store");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    copy_files(&fixture, &path);
    let before = KeyFile::load(&StorePaths::new(&path)).unwrap();
    assert_eq!(before.format, 1);
    assert!(!before.pin_needs_hardware());

    let hw = Arc::new(MemoryKeys::new());
    let store = Store::open(&path).unwrap().with_hardware(hw.clone());
    store.unlock_with_pin(PIN).unwrap();
    assert_eq!(store.recent_encounters(10).unwrap().len(), 3, "the data is the same");
    store.lock();

    let after = KeyFile::load(&StorePaths::new(&path)).unwrap();
    assert_eq!(after.format, satchel_core::keyfile::FORMAT);
    assert!(after.pin_needs_hardware(), "the PIN wrap is bound to the phone's hardware");
    assert!(after.platform.is_none());
    assert_eq!(after.wipe_after, Some(satchel_core::pin::DEFAULT_WIPE_AFTER), "the wipe limit survives the upgrade");
    assert_ne!(after.pin.as_ref().unwrap().sealed, before.pin.as_ref().unwrap().sealed, "the old wrap is gone");
    assert!(after.pin.as_ref().unwrap().kdf.m_kib >= before.pin.as_ref().unwrap().kdf.m_kib);
    // The old wrap is gone from the file: the same offline attack now finds nothing. (It takes
    // the fixture's real cost, 19 MiB per guess, so only the PIN and its neighbours are tried
    // here; `guess_pin` above covers the whole space at a test's cost.)
    let keys: Value = serde_json::from_slice(&fs::read(path.join("satchel.keys")).unwrap()).unwrap();
    assert!(keys["pin"].get("hardware_salt").is_some());
    let store_id = unhex(&keys["store_id"]);
    let wrap = &keys["pin"];
    let kdf = &wrap["kdf"];
    let params = Params::new(kdf["m_kib"].as_u64().unwrap() as u32, kdf["t"].as_u64().unwrap() as u32, 1, Some(32)).unwrap();
    for pin in ["2467", PIN, "2469"] {
        let mut kek = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone()).hash_password_into(pin.as_bytes(), &unhex(&wrap["salt"]), &mut kek).unwrap();
        for kind in ["pin", "pin+hardware"] {
            let aad = [b"satchel/db-key/v1/".as_slice(), kind.as_bytes(), b"/", &store_id].concat();
            assert!(!try_open(&kek, &wrap["sealed"], &aad));
        }
    }
    // And the upgraded store opens with the PIN on this phone only.
    Store::open(&path).unwrap().with_hardware(hw).unlock_with_pin(PIN).unwrap();
    assert!(Store::open(&path).unwrap().unlock_with_pin(PIN).is_err(), "without the phone's keystore");
}

#[test]
fn store_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("manager");
    let store = Store::create(&path, options(Role::Manager)).unwrap();
    store.log_encounter(&street(store.now())).unwrap();
    assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o700);
    for entry in fs::read_dir(&path).unwrap() {
        let entry = entry.unwrap();
        let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{:?} is {mode:o}", entry.file_name());
    }
    // A store made readable by others (an older version, a copy) is made owner-only again at
    // its next unlock.
    store.lock();
    fs::set_permissions(path.join("satchel.db"), fs::Permissions::from_mode(0o644)).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    store.unlock_with_pin(PIN).unwrap();
    assert_eq!(fs::metadata(path.join("satchel.db")).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o700);
}
