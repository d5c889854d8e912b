//! Key wrapping and hashing, all through RustCrypto crates. Every secret lives in a
//! `Zeroizing` buffer so that it is wiped when dropped.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// A 32-byte secret key, wiped on drop.
pub type SecretKey = Zeroizing<[u8; 32]>;

/// Argon2id cost, stored beside each PIN-wrapped key so that it can be raised later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfParams {
    /// The OWASP minimum for Argon2id: 19 MiB, two passes, one lane. The least any new wrap
    /// gets; a manager's laptop store uses it.
    pub const DEFAULT: KdfParams = KdfParams { m_kib: 19 * 1024, t: 2, p: 1 };

    /// A phone's PIN: 64 MiB, two passes, one lane: 0.17 s on this project's 2-core x86
    /// machines, so roughly 0.25 to 0.45 s on a mid-range phone (D66). The PIN is also bound to the phone's hardware key, so this cost
    /// is what each guess costs someone who holds the phone itself.
    pub const PHONE: KdfParams = KdfParams { m_kib: 64 * 1024, t: 2, p: 1 };
}

/// The memory-hard step of a version 2 participant reference (D74): Argon2id, 16 MiB, two
/// passes, one lane, over the normalised code, salted by the program's participant key (so
/// nothing is computed ahead of a program). About 20 ms on this project's 2-core x86 machines.
pub fn stretch_code(participant_key: &[u8; 32], normal_code: &[u8]) -> Result<SecretKey> {
    let salt = hmac16(participant_key, b"satchel/participant-reference/v2/salt");
    let params = Params::new(16 * 1024, 2, 1, Some(32)).map_err(|e| Error::Damaged(format!("reference parameters: {e}")))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(normal_code, &salt, out.as_mut())
        .map_err(|e| Error::Damaged(format!("reference derivation failed: {e}")))?;
    Ok(out)
}

/// Fills a buffer from the operating system's random source.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // The OS random source failing is not recoverable and not caused by input.
    getrandom::fill(&mut buf).expect("operating system random source failed");
    buf
}

/// A fresh random 32-byte key.
pub fn random_key() -> SecretKey {
    Zeroizing::new(random_bytes::<32>())
}

/// Derives a key-encryption key from a PIN with Argon2id.
pub fn pin_kek(pin: &str, salt: &[u8], params: KdfParams) -> Result<SecretKey> {
    let argon_params = Params::new(params.m_kib, params.t, params.p, Some(32))
        .map_err(|e| Error::Damaged(format!("key file has unusable KDF parameters: {e}")))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(pin.as_bytes(), salt, out.as_mut())
        .map_err(|e| Error::Damaged(format!("key derivation failed: {e}")))?;
    Ok(out)
}

/// A sealed box: XChaCha20-Poly1305 nonce and ciphertext with tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    #[serde(with = "hex::serde")]
    pub nonce: Vec<u8>,
    #[serde(with = "hex::serde")]
    pub ciphertext: Vec<u8>,
}

/// Seals `plaintext` under `key`, binding `aad`.
pub fn seal(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Sealed {
    let cipher = XChaCha20Poly1305::new(key.into());
    let nonce = random_bytes::<24>();
    let ciphertext = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad })
        // Encryption only fails for inputs larger than the cipher's limit (256 GiB).
        .expect("plaintext within XChaCha20-Poly1305 limits");
    Sealed { nonce: nonce.to_vec(), ciphertext }
}

/// Opens a sealed box; `None` when the key is wrong or the box was altered.
pub fn open(key: &[u8; 32], sealed: &Sealed, aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.nonce.len() != 24 {
        return None;
    }
    let cipher = XChaCha20Poly1305::new(key.into());
    cipher
        .decrypt(XNonce::from_slice(&sealed.nonce), Payload { msg: &sealed.ciphertext, aad })
        .ok()
        .map(Zeroizing::new)
}

/// Opens a sealed 32-byte key.
pub fn open_key(kek: &[u8; 32], sealed: &Sealed, aad: &[u8]) -> Option<SecretKey> {
    let plain = open(kek, sealed, aad)?;
    let bytes: [u8; 32] = plain.as_slice().try_into().ok()?;
    Some(Zeroizing::new(bytes))
}

/// HMAC-SHA256 of `message` under `key`, whole.
pub fn hmac32(key: &[u8; 32], message: &[u8]) -> SecretKey {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&mac.finalize().into_bytes());
    out
}

/// What the phone's hardware PIN key is asked about: SHA-256 over the wrap's hardware salt and
/// the PIN's Argon2id output. Each PIN guess is then a different question, so guessing needs
/// one call into the phone's keystore per guess, on the phone, and one answer taken off the
/// phone does not let the guessing go on elsewhere.
pub fn pin_hardware_input(hardware_salt: &[u8], pin_kek: &SecretKey) -> [u8; 32] {
    use sha2::Digest;
    let mut h = Sha256::new();
    h.update(b"satchel/pin-hardware-input/v2/");
    h.update(hardware_salt);
    h.update(pin_kek.as_ref());
    h.finalize().into()
}

/// The key that wraps a database key under the PIN *and* the phone's hardware: HMAC-SHA256
/// keyed by the hardware's answer over the Argon2id output. Without the hardware's answer no
/// number of PIN guesses gets anywhere; without the PIN the hardware's answer alone does not
/// either.
pub fn pin_hardware_kek(pin_kek: &SecretKey, hardware: &SecretKey) -> SecretKey {
    let mut message = Zeroizing::new(b"satchel/kek/pin+hardware/v2/".to_vec());
    message.extend_from_slice(pin_kek.as_ref());
    hmac32(hardware, &message)
}

/// HMAC-SHA256 of `message` under `key`, truncated to 16 bytes.
pub fn hmac16(key: &[u8; 32], message: &[u8]) -> [u8; 16] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trip_and_tamper() {
        let key = random_key();
        let sealed = seal(&key, b"secret", b"ad");
        assert_eq!(open(&key, &sealed, b"ad").unwrap().as_slice(), b"secret");
        assert!(open(&key, &sealed, b"other ad").is_none());
        let other = random_key();
        assert!(open(&other, &sealed, b"ad").is_none());
        let mut tampered = sealed.clone();
        tampered.ciphertext[0] ^= 1;
        assert!(open(&key, &tampered, b"ad").is_none());
    }

    #[test]
    fn pin_kek_depends_on_pin_and_salt() {
        let p = KdfParams { m_kib: 64, t: 1, p: 1 };
        let a = pin_kek("1234", b"saltsaltsaltsalt", p).unwrap();
        let b = pin_kek("1235", b"saltsaltsaltsalt", p).unwrap();
        let c = pin_kek("1234", b"tlastlastlastlas", p).unwrap();
        assert_ne!(*a, *b);
        assert_ne!(*a, *c);
        assert_eq!(*a, *pin_kek("1234", b"saltsaltsaltsalt", p).unwrap());
    }

    #[test]
    fn hmac_is_keyed() {
        let k1 = [1u8; 32];
        let k2 = [2u8; 32];
        assert_eq!(hmac16(&k1, b"AB12"), hmac16(&k1, b"AB12"));
        assert_ne!(hmac16(&k1, b"AB12"), hmac16(&k2, b"AB12"));
        assert_ne!(hmac16(&k1, b"AB12"), hmac16(&k1, b"AB13"));
    }
}
