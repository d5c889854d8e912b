//! Device labels sealed to the managers (D73). A label is what a manager types for a device
//! ("Van 2", or a worker's name against advice); the hub lists devices for managers and needs no
//! label to do so. The manager's store seals it to the program's reporting public key (HPKE base
//! mode, as encounters are) after padding it to a fixed length, so the hub learns neither the
//! label nor its length; only managers' stores open it.

use crate::limits::MAX_LABEL_CHARS;
use crate::ProtocolError;

type Kem = hpke::kem::X25519HkdfSha256;
type Kdf = hpke::kdf::HkdfSha256;
type Aead = hpke::aead::ChaCha20Poly1305;

const INFO: &[u8] = b"satchel/device-label/v1";
/// What a sealed label starts with; the rest is hex.
pub const SEALED: &str = "sealed:";
/// Every label of at most [`MAX_LABEL_CHARS`] characters fits (UTF-8 takes up to 4 bytes each).
const PADDED: usize = 4 * MAX_LABEL_CHARS;
/// The length of every sealed label, in characters.
pub const SEALED_LABEL_CHARS: usize = SEALED.len() + 2 * (32 + PADDED + 16);

/// Whether a label is sealed (else it is in clear: from an older store, or the hub's own).
pub fn is_sealed(label: &str) -> bool {
    label.starts_with(SEALED)
}

/// A label in clear of 1 to [`MAX_LABEL_CHARS`] printable characters, or a sealed one of the
/// exact sealed form.
pub fn check_label(label: &str) -> Result<(), ProtocolError> {
    if let Some(hex_part) = label.strip_prefix(SEALED) {
        if label.len() == SEALED_LABEL_CHARS && hex_part.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(());
        }
        return Err(ProtocolError::Invalid("a sealed label is malformed".into()));
    }
    let n = label.chars().count();
    if n == 0 || n > MAX_LABEL_CHARS || label.chars().any(char::is_control) {
        return Err(ProtocolError::Invalid(format!("a label is 1 to {MAX_LABEL_CHARS} printable characters")));
    }
    Ok(())
}

/// Seals a label in clear (checked first) to the reporting public key.
pub fn seal_label(reporting_public: &[u8; 32], label: &str) -> Result<String, ProtocolError> {
    use hpke::{Deserializable, Serializable};
    if is_sealed(label) {
        return Err(ProtocolError::Invalid("the label is sealed already".into()));
    }
    check_label(label)?;
    let mut padded = zeroize::Zeroizing::new(vec![0u8; PADDED]);
    padded[..label.len()].copy_from_slice(label.as_bytes());
    let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(reporting_public).map_err(|_| ProtocolError::Invalid("reporting key".into()))?;
    let mut rng = rand_core::UnwrapErr(rand_core::OsRng);
    let (encapped, sealed) = hpke::single_shot_seal::<Aead, Kdf, Kem, _>(&hpke::OpModeS::Base, &pk, INFO, &padded, &[], &mut rng)
        .map_err(|_| ProtocolError::Invalid("sealing failed".into()))?;
    let mut bytes = encapped.to_bytes().to_vec();
    bytes.extend_from_slice(&sealed);
    Ok(format!("{SEALED}{}", hex::encode(bytes)))
}

/// Opens a sealed label with the reporting private key; `None` if it does not open.
pub fn open_label(reporting_private: &[u8; 32], label: &str) -> Option<String> {
    use hpke::Deserializable;
    check_label(label).ok()?;
    let bytes = hex::decode(label.strip_prefix(SEALED)?).ok()?;
    let (enc, sealed) = bytes.split_at(32);
    let sk = <Kem as hpke::Kem>::PrivateKey::from_bytes(reporting_private).ok()?;
    let encapped = <Kem as hpke::Kem>::EncappedKey::from_bytes(enc).ok()?;
    let padded = hpke::single_shot_open::<Aead, Kdf, Kem>(&hpke::OpModeR::Base, &sk, &encapped, INFO, sealed, &[]).ok()?;
    let end = padded.iter().position(|&b| b == 0).unwrap_or(padded.len());
    String::from_utf8(padded[..end].to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_label_opens_for_the_managers_only_and_hides_its_length() {
        let (private, public) = crate::reporting_key_pair();
        let (other, _) = crate::reporting_key_pair();
        let short = seal_label(&public, "Van 2").unwrap();
        let long = seal_label(&public, &"Ñ".repeat(MAX_LABEL_CHARS)).unwrap();
        assert_eq!((short.len(), long.len()), (SEALED_LABEL_CHARS, SEALED_LABEL_CHARS), "every sealed label is as long");
        check_label(&short).unwrap();
        assert_eq!(open_label(&private, &short).as_deref(), Some("Van 2"));
        assert_eq!(open_label(&private, &long), Some("Ñ".repeat(MAX_LABEL_CHARS)));
        assert_eq!(open_label(&other, &short), None);
        assert!(!short.to_lowercase().contains("van"));
        let mut altered = short.clone();
        altered.replace_range(SEALED.len() + 70..SEALED.len() + 71, if &short[SEALED.len() + 70..SEALED.len() + 71] == "0" { "1" } else { "0" });
        assert_eq!(open_label(&private, &altered), None);
        for bad in ["", "a\nb", "sealed:00", &"x".repeat(MAX_LABEL_CHARS + 1)] {
            assert!(check_label(bad).is_err(), "{bad:?}");
            assert!(seal_label(&public, bad).is_err());
        }
        assert!(seal_label(&public, &short).is_err(), "not sealed twice");
    }
}
