//! Participant references. Programs use self-generated codes (initials and birth day and so on);
//! the device keeps only a reference, the same for the same code on every device of the program,
//! and never the code. Version 1: HMAC-SHA256(program participant key, normalised code), cut to
//! 16 bytes. Version 2 (D74), for programs started since and those whose manager switched:
//! HMAC-SHA256(participant key, Argon2id(normalised code)), so that someone holding the key and a
//! reference pays a memory-hard step per guessed code.

/// The reference version of programs started from now on.
pub const CURRENT_VERSION: u32 = 2;

use rusqlite::{params, Connection, OptionalExtension};
use zeroize::Zeroizing;

use crate::crypto;
use crate::error::{invalid, Result};

/// Upper-case, without spaces, dashes, dots or slashes. The result must be 4 to 24 letters and
/// digits. The error never echoes the code.
pub fn normalise_code(code: &str) -> Result<Zeroizing<String>> {
    let mut out = Zeroizing::new(String::with_capacity(code.len()));
    for c in code.chars() {
        match c {
            ' ' | '-' | '.' | '/' | '_' => {}
            c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
            _ => return Err(invalid("participant_code", "may hold only letters A–Z and digits")),
        }
    }
    if !(4..=24).contains(&out.len()) {
        return Err(invalid("participant_code", "must have 4 to 24 letters and digits"));
    }
    Ok(out)
}

/// The reference for a code under the program's participant key, in the program's version.
pub fn reference(participant_key: &[u8; 32], code: &str, version: u32) -> Result<[u8; 16]> {
    let normal = normalise_code(code)?;
    if version >= 2 {
        let stretched = crypto::stretch_code(participant_key, normal.as_bytes())?;
        return Ok(crypto::hmac16(participant_key, stretched.as_slice()));
    }
    Ok(crypto::hmac16(participant_key, normal.as_bytes()))
}

/// Whether this device has seen the reference before.
pub fn seen(conn: &Connection, reference: &[u8; 16]) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM participant WHERE reference = ?1")?
        .query_row([&reference[..]], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Records the reference (or refreshes when it was last seen) and returns its row.
pub fn upsert(conn: &Connection, reference: &[u8; 16], seen_at: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO participant (reference, last_seen) VALUES (?1, ?2)
             ON CONFLICT (reference) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)
             RETURNING id",
        )?
        .query_row(params![&reference[..], seen_at], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_normalise_to_one_reference() {
        let key = [5u8; 32];
        for version in [1, 2] {
            let a = reference(&key, "ma-12 js", version).unwrap();
            let b = reference(&key, "MA12JS", version).unwrap();
            assert_eq!(a, b);
            assert_ne!(a, reference(&key, "MA12JT", version).unwrap());
            assert_ne!(a, reference(&[6u8; 32], "MA12JS", version).unwrap());
        }
        assert_ne!(reference(&key, "MA12JS", 1).unwrap(), reference(&key, "MA12JS", 2).unwrap(), "the versions differ");
        // Version 1 is the bare HMAC: a guess costs one HMAC. Version 2 is not.
        assert_eq!(reference(&key, "MA12JS", 1).unwrap(), crypto::hmac16(&key, b"MA12JS"));
        assert_ne!(reference(&key, "MA12JS", 2).unwrap(), crypto::hmac16(&key, b"MA12JS"));
    }

    #[test]
    fn bad_codes_are_refused_without_echo() {
        for bad in ["AB", "ÄBCD12", "AB12;DROP", &"A".repeat(25)] {
            let err = normalise_code(bad).unwrap_err().to_string();
            assert!(err.contains("participant_code"));
            assert!(!err.contains(bad));
        }
    }
}
