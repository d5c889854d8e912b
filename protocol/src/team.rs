//! The team key's epochs (D71). Stock and settings travel under a team key that every device of
//! the program holds; revoking a device makes a new one (the next epoch), which a manager seals
//! to each remaining device's own public key. The revoked device, whose credential the hub no
//! longer takes, never receives it, so it reads nothing written after its revocation.
//!
//! An envelope is HPKE (RFC 9180) in PSK mode: DHKEM(X25519, HKDF-SHA256) to the receiving
//! device's public key, with the *previous* epoch's team key as the pre-shared key. So only
//! that device opens it, and only a holder of the previous team key (a device of the program,
//! not the hub) can have made it: a hub that swapped a device's public key for its own still
//! cannot hand a device a team key of its choosing, nor read one without a program key.
//! The `info` binds the program, the device and the epoch, so an envelope cannot be replayed to
//! another device or as another epoch.

use uuid::Uuid;
use zeroize::Zeroizing;

use crate::ProtocolError;

type Kem = hpke::kem::X25519HkdfSha256;
type Kdf = hpke::kdf::HkdfSha256;
type Aead = hpke::aead::ChaCha20Poly1305;

const PSK_ID: &[u8] = b"satchel/team-key/previous-epoch";

fn info(program: Uuid, device: Uuid, epoch: u32) -> Vec<u8> {
    let mut info = b"satchel/team-key/v1".to_vec();
    info.extend_from_slice(program.as_bytes());
    info.extend_from_slice(device.as_bytes());
    info.extend_from_slice(&epoch.to_be_bytes());
    info
}

/// A device's own key pair, to which managers seal new team keys: the private key stays in the
/// device's store, the public key goes to the hub.
pub fn device_key_pair() -> (Zeroizing<[u8; 32]>, [u8; 32]) {
    crate::segment::reporting_key_pair()
}

/// The team key of `epoch`, sealed to `device`'s public key under the previous epoch's key.
/// The envelope is the 32-byte encapsulated key followed by the AEAD output (48 bytes).
pub fn seal_team_key(
    device_public: &[u8; 32],
    previous: &[u8; 32],
    program: Uuid,
    device: Uuid,
    epoch: u32,
    key: &[u8; 32],
) -> Result<Vec<u8>, ProtocolError> {
    use hpke::{Deserializable, Serializable};
    let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(device_public).map_err(|_| ProtocolError::Invalid("device key".into()))?;
    let mut rng = rand_core::UnwrapErr(rand_core::OsRng);
    let (encapped, sealed) = hpke::single_shot_seal::<Aead, Kdf, Kem, _>(
        &hpke::OpModeS::Psk(hpke::PskBundle::new(previous, PSK_ID).map_err(|_| ProtocolError::Invalid("team key".into()))?),
        &pk,
        &info(program, device, epoch),
        key,
        &[],
        &mut rng,
    )
    .map_err(|_| ProtocolError::Invalid("sealing failed".into()))?;
    let mut out = encapped.to_bytes().to_vec();
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Opens an envelope made by [`seal_team_key`]. Anything else (another device's envelope,
/// another epoch, a sender without the previous key, an altered byte) is `Unreadable`.
pub fn open_team_key(
    device_private: &[u8; 32],
    previous: &[u8; 32],
    program: Uuid,
    device: Uuid,
    epoch: u32,
    envelope: &[u8],
) -> Result<Zeroizing<[u8; 32]>, ProtocolError> {
    use hpke::Deserializable;
    if envelope.len() != 32 + 32 + 16 {
        return Err(ProtocolError::Unreadable);
    }
    let (enc, sealed) = envelope.split_at(32);
    let sk = <Kem as hpke::Kem>::PrivateKey::from_bytes(device_private).map_err(|_| ProtocolError::Unreadable)?;
    let encapped = <Kem as hpke::Kem>::EncappedKey::from_bytes(enc).map_err(|_| ProtocolError::Unreadable)?;
    let opened = Zeroizing::new(
        hpke::single_shot_open::<Aead, Kdf, Kem>(
            &hpke::OpModeR::Psk(hpke::PskBundle::new(previous, PSK_ID).map_err(|_| ProtocolError::Unreadable)?),
            &sk,
            &encapped,
            &info(program, device, epoch),
            sealed,
            &[],
        )
        .map_err(|_| ProtocolError::Unreadable)?,
    );
    let mut key = Zeroizing::new([0u8; 32]);
    if opened.len() != 32 {
        return Err(ProtocolError::Unreadable);
    }
    key.copy_from_slice(&opened);
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_device_with_the_previous_key_opens_its_envelope() {
        let (sk, pk) = device_key_pair();
        let (other_sk, _) = device_key_pair();
        let (program, device) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let (previous, new) = ([7u8; 32], [9u8; 32]);
        let env = seal_team_key(&pk, &previous, program, device, 2, &new).unwrap();
        assert_eq!(env.len(), 80);
        assert_eq!(*open_team_key(&sk, &previous, program, device, 2, &env).unwrap(), new);
        let refused = [
            open_team_key(&other_sk, &previous, program, device, 2, &env),
            open_team_key(&sk, &[8u8; 32], program, device, 2, &env),
            open_team_key(&sk, &previous, program, Uuid::from_u128(3), 2, &env),
            open_team_key(&sk, &previous, Uuid::from_u128(4), device, 2, &env),
            open_team_key(&sk, &previous, program, device, 3, &env),
            open_team_key(&sk, &previous, program, device, 2, &env[..79]),
        ];
        for r in refused {
            assert_eq!(r.err(), Some(ProtocolError::Unreadable));
        }
        let mut altered = env.clone();
        altered[40] ^= 1;
        assert!(open_team_key(&sk, &previous, program, device, 2, &altered).is_err());
        // Without the previous key (the hub), an envelope that opens cannot be made.
        let forged = seal_team_key(&pk, &[0u8; 32], program, device, 2, &[1u8; 32]).unwrap();
        assert!(open_team_key(&sk, &previous, program, device, 2, &forged).is_err());
    }
}
