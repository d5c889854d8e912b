//! SQLCipher's page crypto off Apple platforms (D65): AES-256-CBC, HMAC-SHA1/256/512, PBKDF2
//! and random bytes from the RustCrypto crates and the operating system, called by the C
//! provider in `provider.c`.
//!
//! `aes` uses the CPU's AES instructions where it finds them at run time (AES-NI on x86; the
//! ARMv8 Cryptography Extensions on arm64, which the Android build turns on with
//! `--cfg aes_armv8`) and constant-time bitsliced software elsewhere; `sha2` uses AVX2 for
//! SHA-512 on x86. Random bytes come from the kernel (`getrandom`), so there is no generator of
//! ours to seed.
//!
//! Every function takes C pointers and sizes as SQLCipher passes them and returns 0 on success,
//! 1 on any bad argument; none of them can panic.
// The C side calls these with raw pointers; each function checks them before it makes a slice.
#![allow(unsafe_code)]

use std::ffi::{c_char, c_int};
use std::ptr;

use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use zeroize::Zeroizing;

const OK: c_int = 0;
const ERROR: c_int = 1;

/// SQLCipher's numbers for its HMAC and PBKDF2 algorithms (`SQLCIPHER_HMAC_SHA1` and so on).
const SHA1: c_int = 0;
const SHA256: c_int = 1;
const SHA512: c_int = 2;

const AES_256_KEY: usize = 32;
const AES_BLOCK: usize = 16;

/// `len` bytes at `ptr`, or `None` when the length is negative or the pointer null (an empty
/// input may come with either).
///
/// # Safety
/// When `len > 0` and `ptr` is not null, `ptr` must point at `len` readable bytes that nothing
/// writes while the slice lives.
unsafe fn input<'a>(ptr: *const u8, len: c_int) -> Option<&'a [u8]> {
    let len = usize::try_from(len).ok()?;
    if len == 0 {
        return Some(&[]);
    }
    if ptr.is_null() {
        return None;
    }
    // SAFETY: the caller's promise above.
    Some(unsafe { std::slice::from_raw_parts(ptr, len) })
}

fn mac<M: Mac + KeyInit>(key: &[u8], parts: [&[u8]; 2]) -> Option<hmac::digest::Output<M>> {
    let mut m = <M as Mac>::new_from_slice(key).ok()?;
    for part in parts {
        m.update(part);
    }
    Some(m.finalize().into_bytes())
}

/// The HMAC's size in bytes for SQLCipher's algorithm number, 0 for one it does not know.
#[no_mangle]
pub extern "C" fn satchel_crypto_hmac_size(algorithm: c_int) -> c_int {
    match algorithm {
        SHA1 => 20,
        SHA256 => 32,
        SHA512 => 64,
        _ => 0,
    }
}

/// HMAC over `in` then `in2` (`in2` may be null) into `out`, which holds
/// `satchel_crypto_hmac_size(algorithm)` bytes.
///
/// # Safety
/// Each pointer with its size must be valid as SQLCipher's provider interface promises; `out`
/// must not overlap the inputs.
#[no_mangle]
pub unsafe extern "C" fn satchel_crypto_hmac(
    algorithm: c_int,
    key: *const u8,
    key_sz: c_int,
    in1: *const u8,
    in1_sz: c_int,
    in2: *const u8,
    in2_sz: c_int,
    out: *mut u8,
) -> c_int {
    if out.is_null() {
        return ERROR;
    }
    // SAFETY: SQLCipher passes each buffer with its size.
    let (Some(key), Some(in1)) = (unsafe { input(key, key_sz) }, unsafe { input(in1, in1_sz) }) else {
        return ERROR;
    };
    let in2 = if in2.is_null() { Some(&[][..]) } else { unsafe { input(in2, in2_sz) } };
    let Some(in2) = in2 else { return ERROR };
    let parts = [in1, in2];
    let tag: Option<Vec<u8>> = match algorithm {
        SHA1 => mac::<Hmac<Sha1>>(key, parts).map(|t| t.to_vec()),
        SHA256 => mac::<Hmac<Sha256>>(key, parts).map(|t| t.to_vec()),
        SHA512 => mac::<Hmac<Sha512>>(key, parts).map(|t| t.to_vec()),
        _ => None,
    };
    let Some(tag) = tag else { return ERROR };
    // SAFETY: `out` holds the algorithm's size (SQLCipher asked `satchel_crypto_hmac_size`).
    unsafe { ptr::copy_nonoverlapping(tag.as_ptr(), out, tag.len()) };
    OK
}

/// PBKDF2 with SQLCipher's HMAC algorithm number, `workfactor` rounds, `key_sz` bytes into `key`.
///
/// # Safety
/// Each pointer with its size must be valid as SQLCipher's provider interface promises.
#[no_mangle]
pub unsafe extern "C" fn satchel_crypto_kdf(
    algorithm: c_int,
    pass: *const u8,
    pass_sz: c_int,
    salt: *const u8,
    salt_sz: c_int,
    workfactor: c_int,
    key_sz: c_int,
    key: *mut u8,
) -> c_int {
    // SAFETY: SQLCipher passes each buffer with its size.
    let (Some(pass), Some(salt)) = (unsafe { input(pass, pass_sz) }, unsafe { input(salt, salt_sz) }) else {
        return ERROR;
    };
    let (Ok(rounds), Ok(len)) = (u32::try_from(workfactor), usize::try_from(key_sz)) else {
        return ERROR;
    };
    if rounds == 0 || len == 0 || key.is_null() {
        return ERROR;
    }
    let mut derived = Zeroizing::new(vec![0u8; len]);
    match algorithm {
        SHA1 => pbkdf2::pbkdf2_hmac::<Sha1>(pass, salt, rounds, &mut derived),
        SHA256 => pbkdf2::pbkdf2_hmac::<Sha256>(pass, salt, rounds, &mut derived),
        SHA512 => pbkdf2::pbkdf2_hmac::<Sha512>(pass, salt, rounds, &mut derived),
        _ => return ERROR,
    }
    // SAFETY: `key` holds `key_sz` bytes; `derived` is ours.
    unsafe { ptr::copy_nonoverlapping(derived.as_ptr(), key, len) };
    OK
}

/// AES-256-CBC without padding over `in_sz` bytes (a whole number of blocks) from `in` into
/// `out`; `encrypt` is non-zero to encrypt. `in` and `out` may be the same buffer.
///
/// # Safety
/// `key` must hold `key_sz` bytes, `iv` 16, `in` and `out` `in_sz` each.
#[no_mangle]
pub unsafe extern "C" fn satchel_crypto_cipher(
    encrypt: c_int,
    key: *const u8,
    key_sz: c_int,
    iv: *const u8,
    in1: *const u8,
    in_sz: c_int,
    out: *mut u8,
) -> c_int {
    let Ok(len) = usize::try_from(in_sz) else { return ERROR };
    if key_sz != AES_256_KEY as c_int || iv.is_null() || in1.is_null() || out.is_null() || len % AES_BLOCK != 0 {
        return ERROR;
    }
    // The input is copied to the output first (`copy` allows the two to be one buffer), and the
    // cipher runs in place there.
    // SAFETY: both hold `len` bytes.
    unsafe { ptr::copy(in1, out, len) };
    // SAFETY: `out` holds `len` bytes, and no other reference to it lives here.
    let buf = unsafe { std::slice::from_raw_parts_mut(out, len) };
    // SAFETY: `key` holds 32 bytes (checked above) and `iv` one block.
    let (key, iv) = unsafe { (std::slice::from_raw_parts(key, AES_256_KEY), std::slice::from_raw_parts(iv, AES_BLOCK)) };
    let done = if encrypt != 0 {
        cbc::Encryptor::<aes::Aes256>::new_from_slices(key, iv)
            .ok()
            .and_then(|c| c.encrypt_padded_mut::<NoPadding>(buf, len).ok().map(|_| ()))
    } else {
        cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
            .ok()
            .and_then(|c| c.decrypt_padded_mut::<NoPadding>(buf).ok().map(|_| ()))
    };
    if done.is_some() {
        OK
    } else {
        // Not reachable with the checks above; were it, the input copied into `out` must not
        // stay there (for an encryption, it is the plaintext page).
        buf.fill(0);
        ERROR
    }
}

/// `length` random bytes from the operating system into `buffer`.
///
/// # Safety
/// `buffer` must hold `length` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn satchel_crypto_random(buffer: *mut u8, length: c_int) -> c_int {
    let Ok(len) = usize::try_from(length) else { return ERROR };
    if len == 0 {
        return OK;
    }
    if buffer.is_null() {
        return ERROR;
    }
    // SAFETY: `buffer` holds `len` writable bytes.
    let buf = unsafe { std::slice::from_raw_parts_mut(buffer, len) };
    match getrandom::fill(buf) {
        Ok(()) => OK,
        Err(_) => ERROR,
    }
}

/// What `PRAGMA cipher_provider_version` reports.
#[no_mangle]
pub extern "C" fn satchel_crypto_version() -> *const c_char {
    c"RustCrypto aes 0.8, cbc 0.1, hmac 0.12, sha1 0.10, sha2 0.10, pbkdf2 0.12".as_ptr()
}

#[cfg(test)]
mod tests {
    //! Known answers from the standards, through the same entry points SQLCipher calls. The
    //! store's own tests (core/tests/store_format.rs above all: a store written by the OpenSSL
    //! build opens and reads the same) check the provider as SQLCipher uses it.
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn len(b: &[u8]) -> c_int {
        c_int::try_from(b.len()).unwrap()
    }

    #[test]
    fn aes_256_cbc_matches_nist_sp800_38a() {
        // SP 800-38A F.2.5 / F.2.6, CBC-AES256, all four blocks.
        let key = unhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
        let iv = unhex("000102030405060708090a0b0c0d0e0f");
        let plain = unhex(concat!(
            "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51",
            "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"
        ));
        let cipher = unhex(concat!(
            "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d",
            "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"
        ));
        let mut out = vec![0u8; plain.len()];
        let rc = unsafe { satchel_crypto_cipher(1, key.as_ptr(), len(&key), iv.as_ptr(), plain.as_ptr(), len(&plain), out.as_mut_ptr()) };
        assert_eq!((rc, &out), (OK, &cipher));
        // In place, as a C caller may do.
        let mut buf = cipher.clone();
        let rc = unsafe { satchel_crypto_cipher(0, key.as_ptr(), len(&key), iv.as_ptr(), buf.as_ptr(), len(&buf), buf.as_mut_ptr()) };
        assert_eq!((rc, &buf), (OK, &plain));
    }

    #[test]
    fn bad_cipher_arguments_fail_and_write_nothing() {
        let key = [7u8; 32];
        let iv = [0u8; 16];
        let data = [1u8; 20]; // not whole blocks
        let mut out = [0u8; 20];
        let rc = unsafe { satchel_crypto_cipher(1, key.as_ptr(), 32, iv.as_ptr(), data.as_ptr(), 20, out.as_mut_ptr()) };
        assert_eq!((rc, out), (ERROR, [0u8; 20]));
        let rc = unsafe { satchel_crypto_cipher(1, key.as_ptr(), 16, iv.as_ptr(), data.as_ptr(), 16, out.as_mut_ptr()) };
        assert_eq!(rc, ERROR, "a 128-bit key is refused");
        let rc = unsafe { satchel_crypto_cipher(1, key.as_ptr(), 32, iv.as_ptr(), data.as_ptr(), -16, out.as_mut_ptr()) };
        assert_eq!(rc, ERROR);
    }

    #[test]
    fn hmac_matches_rfc_4231_and_rfc_2202() {
        // RFC 4231 test case 2 (SHA-256, SHA-512) and RFC 2202 test case 2 (SHA-1), with the
        // message split across the two inputs as SQLCipher splits page and page number.
        let key = b"Jefe";
        let (a, b) = (&b"what do ya want "[..], &b"for nothing?"[..]);
        for (algorithm, expected) in [
            (SHA1, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
            (SHA256, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            (
                SHA512,
                "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
            ),
        ] {
            let mut out = vec![0u8; usize::try_from(satchel_crypto_hmac_size(algorithm)).unwrap()];
            let rc = unsafe { satchel_crypto_hmac(algorithm, key.as_ptr(), 4, a.as_ptr(), len(a), b.as_ptr(), len(b), out.as_mut_ptr()) };
            assert_eq!((rc, out), (OK, unhex(expected)), "algorithm {algorithm}");
        }
        let mut out = [0u8; 64];
        let rc = unsafe { satchel_crypto_hmac(9, key.as_ptr(), 4, a.as_ptr(), len(a), ptr::null(), 0, out.as_mut_ptr()) };
        assert_eq!((rc, satchel_crypto_hmac_size(9)), (ERROR, 0));
    }

    #[test]
    fn pbkdf2_matches_rfc_6070_and_known_sha512_vectors() {
        for (algorithm, rounds, expected) in [
            (SHA1, 4096, "4b007901b765489abead49d926f721d065a429c1"),
            (SHA256, 4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
            (
                SHA512,
                4096,
                "d197b1b33db0143e018b12f3d1d1479e6cdebdcc97c5c0f87f6902e072f457b5143f30602641b3d55cd335988cb36b84376060ecd532e039b742a239434af2d5",
            ),
        ] {
            let want = unhex(expected);
            let mut out = vec![0u8; want.len()];
            let rc = unsafe {
                satchel_crypto_kdf(algorithm, b"password".as_ptr(), 8, b"salt".as_ptr(), 4, rounds, len(&want), out.as_mut_ptr())
            };
            assert_eq!((rc, out), (OK, want), "algorithm {algorithm}");
        }
        let mut out = [0u8; 32];
        let rc = unsafe { satchel_crypto_kdf(SHA512, b"password".as_ptr(), 8, b"salt".as_ptr(), 4, 0, 32, out.as_mut_ptr()) };
        assert_eq!((rc, out), (ERROR, [0u8; 32]), "zero rounds are refused");
    }

    #[test]
    fn random_bytes_differ() {
        let (mut a, mut b) = ([0u8; 80], [0u8; 80]);
        assert_eq!(unsafe { satchel_crypto_random(a.as_mut_ptr(), 80) }, OK);
        assert_eq!(unsafe { satchel_crypto_random(b.as_mut_ptr(), 80) }, OK);
        assert_ne!(a, b);
        assert_eq!(unsafe { satchel_crypto_random(a.as_mut_ptr(), -1) }, ERROR);
    }
}
