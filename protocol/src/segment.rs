//! Segments: a contiguous run of one device's records in one stream, encoded in a
//! self-describing format — format 2, the records' fields as columns ([`crate::columns`]), or
//! format 1, a CBOR array of the records' own encodings, for records that cannot travel as
//! columns exactly; a reader reads both — compressed with zstd and
//! sealed with XChaCha20-Poly1305 under the program data key. The associated data binds the
//! program, the device, the stream, the first and last sequence numbers and the key epoch, so a
//! segment cannot be replayed under another device, stream, range or key.
//!
//! The server stores sealed segments as they are and cannot read them.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::limits::{MAX_PLAINTEXT_BYTES, MAX_RECORDS_PER_SEGMENT, MAX_RECORD_BYTES, MAX_SEALED_BYTES};
use crate::{ProtocolError, Stream};

/// Where a segment belongs; every field is bound into the seal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SegmentHeader {
    pub program: Uuid,
    pub device: Uuid,
    pub stream: Stream,
    pub first_seq: u64,
    pub last_seq: u64,
    /// Which program data key sealed it (rotation comes later without a format change).
    pub key_epoch: u32,
}

impl SegmentHeader {
    /// Number of records the range holds.
    pub fn len(&self) -> u64 {
        (self.last_seq.saturating_sub(self.first_seq)).saturating_add(1)
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// Checks the range itself.
    pub fn check(&self) -> Result<(), ProtocolError> {
        if self.first_seq == 0 || self.last_seq < self.first_seq {
            return Err(ProtocolError::Invalid("segment range must be 1 ≤ first ≤ last".into()));
        }
        if self.len() > MAX_RECORDS_PER_SEGMENT as u64 {
            return Err(ProtocolError::TooLarge(format!("a segment holds at most {MAX_RECORDS_PER_SEGMENT} records")));
        }
        Ok(())
    }

    fn associated_data(&self) -> Vec<u8> {
        let mut ad = Vec::with_capacity(96);
        ad.extend_from_slice(b"satchel/segment/v1");
        ad.extend_from_slice(self.program.as_bytes());
        ad.extend_from_slice(self.device.as_bytes());
        ad.extend_from_slice(self.stream.as_str().as_bytes());
        ad.push(0);
        ad.extend_from_slice(&self.first_seq.to_be_bytes());
        ad.extend_from_slice(&self.last_seq.to_be_bytes());
        ad.extend_from_slice(&self.key_epoch.to_be_bytes());
        ad
    }
}

/// A sealed segment as it travels and as the server stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedSegment {
    pub header: SegmentHeader,
    #[serde(with = "serde_bytes_array")]
    pub nonce: [u8; 24],
    #[serde(with = "serde_bytes_vec")]
    pub ciphertext: Vec<u8>,
}

/// zstd level: 15 rather than the default 3. A 766-record segment of the random workload seals
/// to 44.9 bytes a record in 21.6 ms at 15, 48.3 in 9.6 ms at 12, on this machine
/// (`tests/examples/segment_sizes.rs`); 19 takes more than ten times as long for a few percent.
/// The level is the writer's alone: any reader opens any level (D63).
const LEVEL: i32 = 15;

/// Up to this many records, a segment goes as columns only if that is smaller than rows.
const FEW: usize = 32;

/// Seals `records` (each already in its self-describing encoding) as the segment `header`,
/// under the team key (inventory and settings; encounters of a program without a reporting
/// key).
pub fn seal(key: &[u8; 32], header: SegmentHeader, records: &[Vec<u8>]) -> Result<SealedSegment, ProtocolError> {
    let compressed = pack(&header, records)?;
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).map_err(|e| ProtocolError::Invalid(format!("random source: {e}")))?;
    if nonce == MANAGERS_ONLY {
        // One chance in 2^192; the all-zero nonce marks a segment sealed to the managers.
        nonce[0] = 1;
    }
    let ciphertext = XChaCha20Poly1305::new(key.into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: &compressed, aad: &header.associated_data() })
        .map_err(|_| ProtocolError::Invalid("sealing failed".into()))?;
    if ciphertext.len() > MAX_SEALED_BYTES {
        return Err(ProtocolError::TooLarge(format!("a sealed segment is at most {MAX_SEALED_BYTES} bytes")));
    }
    Ok(SealedSegment { header, nonce, ciphertext })
}

/// The `nonce` of a segment sealed to the managers' reporting key: all zero (HPKE needs no
/// nonce of the sender's; the field stays so that the wire and the hub's tables do not change).
pub const MANAGERS_ONLY: [u8; 24] = [0; 24];

/// HPKE's `info` for segments (RFC 9180 section 5.1).
const HPKE_INFO: &[u8] = b"satchel/segment/hpke/v1";

type Kem = hpke::kem::X25519HkdfSha256;

/// A reporting key pair for a program: the public key goes to every device (it only seals),
/// the private key only to managers' stores.
pub fn reporting_key_pair() -> (zeroize::Zeroizing<[u8; 32]>, [u8; 32]) {
    use hpke::{Kem as _, Serializable};
    let mut rng = rand_core::UnwrapErr(rand_core::OsRng);
    let (private, public) = Kem::gen_keypair(&mut rng);
    let mut sk = zeroize::Zeroizing::new([0u8; 32]);
    sk.copy_from_slice(&private.to_bytes());
    let mut pk = [0u8; 32];
    pk.copy_from_slice(&public.to_bytes());
    (sk, pk)
}

/// The public key of a reporting private key.
pub fn reporting_public_key(private: &[u8; 32]) -> Result<[u8; 32], ProtocolError> {
    use hpke::{Deserializable, Kem as _, Serializable};
    let sk = <Kem as hpke::Kem>::PrivateKey::from_bytes(private).map_err(|_| ProtocolError::Invalid("reporting key".into()))?;
    let mut pk = [0u8; 32];
    pk.copy_from_slice(&Kem::sk_to_pk(&sk).to_bytes());
    Ok(pk)
}

/// Seals `records` as the segment `header` to the program's reporting public key (HPKE base
/// mode, RFC 9180: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305), with the same
/// associated data as [`seal`]. Only a holder of the private key (a manager's store) opens it;
/// the device that sealed it cannot, nor can any other phone. The ciphertext is the 32-byte
/// encapsulated key followed by the AEAD output; `nonce` is [`MANAGERS_ONLY`].
pub fn seal_to_managers(reporting_key: &[u8; 32], header: SegmentHeader, records: &[Vec<u8>]) -> Result<SealedSegment, ProtocolError> {
    use hpke::{Deserializable, Serializable};
    let compressed = pack(&header, records)?;
    let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(reporting_key).map_err(|_| ProtocolError::Invalid("reporting key".into()))?;
    let mut rng = rand_core::UnwrapErr(rand_core::OsRng);
    let (encapped, sealed) = hpke::single_shot_seal::<hpke::aead::ChaCha20Poly1305, hpke::kdf::HkdfSha256, Kem, _>(
        &hpke::OpModeS::Base,
        &pk,
        HPKE_INFO,
        &compressed,
        &header.associated_data(),
        &mut rng,
    )
    .map_err(|_| ProtocolError::Invalid("sealing failed".into()))?;
    let mut ciphertext = encapped.to_bytes().to_vec();
    ciphertext.extend_from_slice(&sealed);
    if ciphertext.len() > MAX_SEALED_BYTES {
        return Err(ProtocolError::TooLarge(format!("a sealed segment is at most {MAX_SEALED_BYTES} bytes")));
    }
    Ok(SealedSegment { header, nonce: MANAGERS_ONLY, ciphertext })
}

/// Opens a segment sealed to the managers ([`seal_to_managers`]) with the reporting private
/// key. A wrong key, an altered byte or another header give `Unreadable`.
pub fn open_as_manager(reporting_private: &[u8; 32], segment: &SealedSegment) -> Result<Vec<Vec<u8>>, ProtocolError> {
    use hpke::Deserializable;
    segment.header.check()?;
    if !segment.is_for_managers() {
        return Err(ProtocolError::Unreadable);
    }
    if segment.ciphertext.len() > MAX_SEALED_BYTES {
        return Err(ProtocolError::TooLarge(format!("a sealed segment is at most {MAX_SEALED_BYTES} bytes")));
    }
    if segment.ciphertext.len() < 32 {
        return Err(ProtocolError::Unreadable);
    }
    let (enc, sealed) = segment.ciphertext.split_at(32);
    let sk = <Kem as hpke::Kem>::PrivateKey::from_bytes(reporting_private).map_err(|_| ProtocolError::Unreadable)?;
    let encapped = <Kem as hpke::Kem>::EncappedKey::from_bytes(enc).map_err(|_| ProtocolError::Unreadable)?;
    let compressed = zeroize::Zeroizing::new(
        hpke::single_shot_open::<hpke::aead::ChaCha20Poly1305, hpke::kdf::HkdfSha256, Kem>(
            &hpke::OpModeR::Base,
            &sk,
            &encapped,
            HPKE_INFO,
            sealed,
            &segment.header.associated_data(),
        )
        .map_err(|_| ProtocolError::Unreadable)?,
    );
    unpack(&segment.header, &compressed)
}

impl SealedSegment {
    /// Whether the segment is sealed to the managers' reporting key (only their stores open it).
    pub fn is_for_managers(&self) -> bool {
        self.nonce == MANAGERS_ONLY
    }
}

/// The records encoded (columns or rows) and compressed, checked against the limits.
fn pack(header: &SegmentHeader, records: &[Vec<u8>]) -> Result<Vec<u8>, ProtocolError> {
    header.check()?;
    if records.len() as u64 != header.len() {
        return Err(ProtocolError::Invalid(format!(
            "the range {}..={} needs {} records, {} given",
            header.first_seq,
            header.last_seq,
            header.len(),
            records.len()
        )));
    }
    if records.iter().any(|r| r.len() > MAX_RECORD_BYTES) {
        return Err(ProtocolError::TooLarge(format!("a record is at most {MAX_RECORD_BYTES} bytes")));
    }
    if records.iter().map(Vec::len).sum::<usize>() > MAX_PLAINTEXT_BYTES {
        return Err(ProtocolError::TooLarge(format!("a segment is at most {MAX_PLAINTEXT_BYTES} bytes before compression")));
    }
    let compress = |encoded: &[u8]| -> Result<Vec<u8>, ProtocolError> {
        if encoded.len() > MAX_PLAINTEXT_BYTES {
            return Err(ProtocolError::TooLarge(format!("a segment is at most {MAX_PLAINTEXT_BYTES} bytes before compression")));
        }
        zstd::bulk::compress(encoded, LEVEL).map_err(|e| ProtocolError::Invalid(format!("compression: {e}")))
    };
    let rows = || -> Result<Vec<u8>, ProtocolError> {
        let values: Vec<ciborium::Value> = records.iter().map(|r| ciborium::Value::Bytes(r.clone())).collect();
        let mut rows = Vec::new();
        ciborium::into_writer(&values, &mut rows).map_err(|e| ProtocolError::Invalid(format!("encoding: {e}")))?;
        compress(&rows)
    };
    // Columns when the records travel so exactly; for a few records only when smaller (the
    // columns carry their field names once more).
    let compressed = match crate::columns::encode(records) {
        Some(columns) if records.len() > FEW => compress(&columns)?,
        Some(columns) => {
            let (as_columns, as_rows) = (compress(&columns)?, rows()?);
            if as_columns.len() < as_rows.len() { as_columns } else { as_rows }
        }
        None => rows()?,
    };
    Ok(compressed)
}

/// Opens a segment sealed under the team key: the records, in sequence order. A wrong key, an
/// altered byte, a header that is not the one it was sealed under, or a segment sealed to the
/// managers all give `Unreadable`.
pub fn open(key: &[u8; 32], segment: &SealedSegment) -> Result<Vec<Vec<u8>>, ProtocolError> {
    segment.header.check()?;
    if segment.is_for_managers() {
        return Err(ProtocolError::Unreadable);
    }
    if segment.ciphertext.len() > MAX_SEALED_BYTES {
        return Err(ProtocolError::TooLarge(format!("a sealed segment is at most {MAX_SEALED_BYTES} bytes")));
    }
    let compressed = zeroize::Zeroizing::new(
        XChaCha20Poly1305::new(key.into())
            .decrypt(
                XNonce::from_slice(&segment.nonce),
                Payload { msg: &segment.ciphertext, aad: &segment.header.associated_data() },
            )
            .map_err(|_| ProtocolError::Unreadable)?,
    );
    unpack(&segment.header, &compressed)
}

/// The records of an opened segment: decompressed (bounded) and decoded.
fn unpack(header: &SegmentHeader, compressed: &[u8]) -> Result<Vec<Vec<u8>>, ProtocolError> {
    // Bounded: a small segment cannot expand into gigabytes.
    let encoded = zeroize::Zeroizing::new(
        zstd::bulk::decompress(compressed, MAX_PLAINTEXT_BYTES)
            .map_err(|e| ProtocolError::Invalid(format!("decompression: {e}")))?,
    );
    let value: ciborium::Value =
        ciborium::from_reader(encoded.as_slice()).map_err(|e| ProtocolError::Invalid(format!("decoding: {e}")))?;
    let count = usize::try_from(header.len()).map_err(|_| ProtocolError::Invalid("record count".into()))?;
    if crate::columns::is_columns(&value) {
        return crate::columns::decode(value, count);
    }
    let ciborium::Value::Array(values) = value else {
        return Err(ProtocolError::Invalid("a segment holds only records".into()));
    };
    if values.len() as u64 != header.len() {
        return Err(ProtocolError::Invalid("record count does not match the range".into()));
    }
    values
        .into_iter()
        .map(|v| match v {
            ciborium::Value::Bytes(b) if b.len() <= MAX_RECORD_BYTES => Ok(b),
            _ => Err(ProtocolError::Invalid("a segment holds only records".into())),
        })
        .collect()
}

mod serde_bytes_array {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8; 24], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 24], D::Error> {
        let v = super::serde_bytes_vec::deserialize(d)?;
        v.try_into().map_err(|_| serde::de::Error::custom("nonce must be 24 bytes"))
    }
}

pub(crate) mod serde_bytes_vec {
    use serde::de::{SeqAccess, Visitor};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    struct BytesVisitor;
    impl<'de> Visitor<'de> for BytesVisitor {
        type Value = Vec<u8>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("bytes")
        }
        fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }
        fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(v)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            let mut out = Vec::new();
            while let Some(b) = seq.next_element::<u8>()? {
                out.push(b);
            }
            Ok(out)
        }
    }

    /// As an owned buffer: CBOR readers hand borrowed bytes only up to a small scratch size.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        d.deserialize_byte_buf(BytesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(first: u64, last: u64) -> SegmentHeader {
        SegmentHeader {
            program: Uuid::from_u128(1),
            device: Uuid::from_u128(2),
            stream: Stream::Encounters,
            first_seq: first,
            last_seq: last,
            key_epoch: 1,
        }
    }

    fn records(n: usize) -> Vec<Vec<u8>> {
        (0..n).map(|i| format!("{{\"v\":1,\"type\":\"encounter\",\"n\":{i}}}").into_bytes()).collect()
    }

    #[test]
    fn round_trip() {
        let key = [7u8; 32];
        let sealed = seal(&key, header(5, 7), &records(3)).unwrap();
        assert_eq!(open(&key, &sealed).unwrap(), records(3));
        // Through CBOR, as it travels.
        let mut wire = Vec::new();
        ciborium::into_writer(&sealed, &mut wire).unwrap();
        let back: SealedSegment = ciborium::from_reader(wire.as_slice()).unwrap();
        assert_eq!(back, sealed);
    }

    #[test]
    fn the_seal_binds_every_header_field_and_the_key() {
        let key = [7u8; 32];
        let sealed = seal(&key, header(5, 7), &records(3)).unwrap();
        assert!(matches!(open(&[8u8; 32], &sealed), Err(ProtocolError::Unreadable)));
        let variants = [
            SegmentHeader { program: Uuid::from_u128(9), ..sealed.header },
            SegmentHeader { device: Uuid::from_u128(9), ..sealed.header },
            SegmentHeader { stream: Stream::Inventory, ..sealed.header },
            SegmentHeader { first_seq: 4, last_seq: 6, ..sealed.header },
            SegmentHeader { key_epoch: 2, ..sealed.header },
        ];
        for h in variants {
            let moved = SealedSegment { header: h, ..sealed.clone() };
            assert!(matches!(open(&key, &moved), Err(ProtocolError::Unreadable)), "{h:?}");
        }
        let mut tampered = sealed.clone();
        tampered.ciphertext[3] ^= 1;
        assert!(matches!(open(&key, &tampered), Err(ProtocolError::Unreadable)));
        let mut truncated = sealed;
        truncated.ciphertext.truncate(10);
        assert!(matches!(open(&key, &truncated), Err(ProtocolError::Unreadable)));
    }

    #[test]
    fn sealed_to_the_managers_only_their_key_opens_it() {
        let (private, public) = reporting_key_pair();
        assert_eq!(reporting_public_key(&private).unwrap(), public);
        let sealed = seal_to_managers(&public, header(5, 7), &records(3)).unwrap();
        assert!(sealed.is_for_managers());
        assert_eq!(open_as_manager(&private, &sealed).unwrap(), records(3));
        // Not with another reporting key, nor as a team-key segment with any key.
        let (other, _) = reporting_key_pair();
        assert!(matches!(open_as_manager(&other, &sealed), Err(ProtocolError::Unreadable)));
        assert!(matches!(open(&public, &sealed), Err(ProtocolError::Unreadable)));
        // Every header field is bound; a changed byte or a short ciphertext is refused.
        for h in [
            SegmentHeader { device: Uuid::from_u128(9), ..sealed.header },
            SegmentHeader { stream: Stream::Inventory, ..sealed.header },
            SegmentHeader { first_seq: 4, last_seq: 6, ..sealed.header },
            SegmentHeader { key_epoch: 2, ..sealed.header },
        ] {
            let moved = SealedSegment { header: h, ..sealed.clone() };
            assert!(matches!(open_as_manager(&private, &moved), Err(ProtocolError::Unreadable)), "{h:?}");
        }
        for i in [0, 31, 32, sealed.ciphertext.len() - 1] {
            let mut tampered = sealed.clone();
            tampered.ciphertext[i] ^= 1;
            assert!(matches!(open_as_manager(&private, &tampered), Err(ProtocolError::Unreadable)), "byte {i}");
        }
        let mut short = sealed.clone();
        short.ciphertext.truncate(20);
        assert!(matches!(open_as_manager(&private, &short), Err(ProtocolError::Unreadable)));
        // A team-key segment is not taken for one sealed to the managers.
        let team = seal(&[7u8; 32], header(5, 7), &records(3)).unwrap();
        assert!(!team.is_for_managers());
        assert!(matches!(open_as_manager(&private, &team), Err(ProtocolError::Unreadable)));
    }

    #[test]
    fn limits_and_ranges_are_enforced() {
        let key = [7u8; 32];
        assert!(seal(&key, header(0, 2), &records(3)).is_err());
        assert!(seal(&key, header(3, 2), &records(0)).is_err());
        assert!(seal(&key, header(1, 3), &records(2)).is_err());
        assert!(matches!(seal(&key, header(1, 1), &[vec![0u8; MAX_RECORD_BYTES + 1]]), Err(ProtocolError::TooLarge(_))));
        let n = MAX_RECORDS_PER_SEGMENT as u64 + 1;
        assert!(matches!(seal(&key, header(1, n), &records(n as usize)), Err(ProtocolError::TooLarge(_))));
    }

    #[test]
    fn records_compress_well() {
        let key = [7u8; 32];
        let recs: Vec<Vec<u8>> = (0..500)
            .map(|i| {
                format!(
                    "{{\"v\":1,\"type\":\"encounter\",\"id\":\"0190a000-0000-7000-8000-{i:012}\",\"zone\":\"downtown\",\"contact_type\":\"street\",\"items\":[{{\"item\":\"syringe-1ml\",\"quantity\":20}}]}}"
                )
                .into_bytes()
            })
            .collect();
        let raw: usize = recs.iter().map(Vec::len).sum();
        let sealed = seal(&key, header(1, 500), &recs).unwrap();
        assert!(sealed.ciphertext.len() * 4 < raw, "{} sealed from {raw}", sealed.ciphertext.len());
    }
}
