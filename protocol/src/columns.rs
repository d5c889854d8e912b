//! A segment's records as columns (segment format 2, D64): each record is a flat JSON object;
//! the same field of every record is stored together, so that zstd sees a run of zones, a run
//! of item lists, a run of times, instead of rows that mix them; and ids written as UUIDs or as
//! 32 hex digits travel as their 16 bytes. It knows nothing of what the records mean.
//!
//! Encoding is exact or not at all: the records that come out are byte for byte those that went
//! in, which [`encode`] checks before it answers; records it cannot carry so (not JSON objects,
//! or not written compactly) go in format 1, rows of bytes, instead.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::limits::{MAX_PLAINTEXT_BYTES, MAX_RECORD_BYTES};
use crate::ProtocolError;

/// The format number, first in the encoding.
pub const FORMAT: u32 = 2;

/// What travels (as CBOR, then zstd, then sealed).
#[derive(Serialize, Deserialize)]
struct Columns {
    f: u32,
    /// Field names, in the order they first appear.
    keys: Vec<String>,
    /// Distinct field sequences, as indexes into `keys`.
    shapes: Vec<Vec<u16>>,
    /// Each record's shape.
    #[serde(with = "crate::segment::serde_bytes_vec")]
    rows: Vec<u8>,
    /// One column per key: each value as a tag and its content.
    cols: Vec<Column>,
}

#[derive(Serialize, Deserialize)]
struct Column(#[serde(with = "crate::segment::serde_bytes_vec")] Vec<u8>);

/// A value's tag in a column.
const RAW: u8 = 0;
const UUID: u8 = 1;
const HEX16: u8 = 2;

/// A JSON object's fields in their order, each value as written.
struct Fields<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Fields<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                    out.push((k, v));
                }
                Ok(Fields(out))
            }
        }
        d.deserialize_map(V)
    }
}

fn push_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn read_varint(bytes: &[u8], at: &mut usize) -> Result<usize, ProtocolError> {
    let mut n = 0usize;
    for shift in (0..35).step_by(7) {
        let b = *bytes.get(*at).ok_or_else(|| bad("a column ends early"))?;
        *at += 1;
        n |= ((b & 0x7f) as usize) << shift;
        if b & 0x80 == 0 {
            return Ok(n);
        }
    }
    Err(bad("a length is too long"))
}

fn bad(what: &str) -> ProtocolError {
    ProtocolError::Invalid(format!("columns: {what}"))
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// One value into its column.
fn push_value(col: &mut Vec<u8>, raw: &str) {
    if let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        if inner.len() == 36 && is_lower_hex(&inner.replace('-', "")) {
            if let Ok(id) = uuid::Uuid::try_parse(inner) {
                if id.hyphenated().to_string() == inner {
                    col.push(UUID);
                    col.extend_from_slice(id.as_bytes());
                    return;
                }
            }
        }
        if inner.len() == 32 && is_lower_hex(inner) {
            if let Ok(bytes) = hex::decode(inner) {
                col.push(HEX16);
                col.extend_from_slice(&bytes);
                return;
            }
        }
    }
    col.push(RAW);
    push_varint(col, raw.len());
    col.extend_from_slice(raw.as_bytes());
}

/// The next value of a column, as JSON text.
fn read_value(col: &[u8], at: &mut usize, out: &mut Vec<u8>) -> Result<(), ProtocolError> {
    let tag = *col.get(*at).ok_or_else(|| bad("a column ends early"))?;
    *at += 1;
    let take = |at: &mut usize, n: usize| -> Result<&[u8], ProtocolError> {
        let end = at.checked_add(n).filter(|&e| e <= col.len()).ok_or_else(|| bad("a value runs past its column"))?;
        let slice = &col[*at..end];
        *at = end;
        Ok(slice)
    };
    match tag {
        UUID => {
            let bytes: [u8; 16] = take(at, 16)?.try_into().map_err(|_| bad("an id"))?;
            out.push(b'"');
            out.extend_from_slice(uuid::Uuid::from_bytes(bytes).hyphenated().to_string().as_bytes());
            out.push(b'"');
        }
        HEX16 => {
            let bytes = take(at, 16)?;
            out.push(b'"');
            out.extend_from_slice(hex::encode(bytes).as_bytes());
            out.push(b'"');
        }
        RAW => {
            let n = read_varint(col, at)?;
            out.extend_from_slice(take(at, n)?);
        }
        _ => return Err(bad("an unknown value tag")),
    }
    Ok(())
}

/// The records as columns, or `None` when they cannot travel so exactly.
pub fn encode(records: &[Vec<u8>]) -> Option<Vec<u8>> {
    let mut keys: Vec<String> = Vec::new();
    let mut shapes: Vec<Vec<u16>> = Vec::new();
    let mut rows = Vec::new();
    let mut cols: Vec<Vec<u8>> = Vec::new();
    for record in records {
        let fields: Fields = serde_json::from_slice(record).ok()?;
        let mut shape = Vec::with_capacity(fields.0.len());
        for (k, v) in &fields.0 {
            let index = match keys.iter().position(|x| x == k) {
                Some(i) => i,
                None => {
                    keys.push(k.clone());
                    cols.push(Vec::new());
                    keys.len() - 1
                }
            };
            shape.push(u16::try_from(index).ok()?);
            push_value(&mut cols[index], v.get());
        }
        let s = match shapes.iter().position(|x| *x == shape) {
            Some(i) => i,
            None => {
                shapes.push(shape);
                shapes.len() - 1
            }
        };
        push_varint(&mut rows, s);
    }
    let columns = Columns { f: FORMAT, keys, shapes, rows, cols: cols.into_iter().map(Column).collect() };
    let mut out = Vec::new();
    ciborium::into_writer(&columns, &mut out).ok()?;
    // Exact or not at all.
    match decode_columns(columns, records.len()) {
        Ok(back) if back == records => Some(out),
        _ => None,
    }
}

/// Whether `plaintext` (a segment's, decompressed) is in this format.
pub fn is_columns(value: &ciborium::Value) -> bool {
    value.as_map().is_some_and(|m| {
        m.iter().any(|(k, v)| k.as_text() == Some("f") && v.as_integer().is_some_and(|f| f == FORMAT.into()))
    })
}

/// The records of a format-2 segment's plaintext; `count` is how many its header promises.
pub fn decode(value: ciborium::Value, count: usize) -> Result<Vec<Vec<u8>>, ProtocolError> {
    let columns: Columns = value.deserialized().map_err(|e| bad(&format!("decoding: {e}")))?;
    decode_columns(columns, count)
}

fn decode_columns(c: Columns, count: usize) -> Result<Vec<Vec<u8>>, ProtocolError> {
    if c.f != FORMAT || c.cols.len() != c.keys.len() {
        return Err(bad("keys and columns do not match"));
    }
    let mut at_row = 0;
    let mut at_col = vec![0usize; c.cols.len()];
    let mut out = Vec::with_capacity(count.min(crate::limits::MAX_RECORDS_PER_SEGMENT));
    let mut total = 0usize;
    for _ in 0..count {
        let shape = c.shapes.get(read_varint(&c.rows, &mut at_row)?).ok_or_else(|| bad("an unknown shape"))?;
        let mut record = vec![b'{'];
        for (n, &k) in shape.iter().enumerate() {
            let k = k as usize;
            let (key, col) = c.keys.get(k).zip(c.cols.get(k)).ok_or_else(|| bad("an unknown key"))?;
            if n > 0 {
                record.push(b',');
            }
            record.extend_from_slice(serde_json::to_string(key).map_err(|_| bad("a key"))?.as_bytes());
            record.push(b':');
            read_value(&col.0, &mut at_col[k], &mut record)?;
            if record.len() > MAX_RECORD_BYTES {
                return Err(ProtocolError::TooLarge(format!("a record is at most {MAX_RECORD_BYTES} bytes")));
            }
        }
        record.push(b'}');
        // The records a segment holds stay within what one in format 1 could hold.
        total += record.len();
        if total > MAX_PLAINTEXT_BYTES {
            return Err(ProtocolError::TooLarge(format!("a segment's records are at most {MAX_PLAINTEXT_BYTES} bytes")));
        }
        out.push(record);
    }
    let used = at_row == c.rows.len() && at_col.iter().zip(&c.cols).all(|(&at, col)| at == col.0.len());
    if !used {
        return Err(bad("more values than records"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records() -> Vec<Vec<u8>> {
        vec![
            br#"{"v":1,"type":"encounter","id":"01a23c1e-0c81-7427-a238-76ff19a91be1","participant":"0571a560a5c87abf644392a726c3cf7e","zone":"downtown","items":[{"item":"cotton","quantity":9}],"geohash":null}"#.to_vec(),
            br#"{"v":1,"type":"movement","id":"01a23c1e-0eff-7548-a39f-89b7f4d89238","quantity":2000,"reason":null}"#.to_vec(),
            br#"{"v":1,"type":"encounter","id":"01A23C1E-0C81-7427-A238-76FF19A91BE1","participant":"0571a560a5c87abf644392a726c3cf7","zone":"na\u00efve \"q\"","items":[],"geohash":null}"#.to_vec(),
        ]
    }

    fn round_trip(records: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let encoded = encode(records).expect("these records travel as columns");
        let value: ciborium::Value = ciborium::from_reader(encoded.as_slice()).unwrap();
        assert!(is_columns(&value));
        decode(value, records.len()).unwrap()
    }

    #[test]
    fn records_come_back_byte_for_byte() {
        // Upper-case and 31-digit ids, escapes and nulls stay as they were written.
        assert_eq!(round_trip(&records()), records());
        assert_eq!(round_trip(&[]), Vec::<Vec<u8>>::new());
    }

    proptest::proptest! {
        /// Any flat objects serde_json writes, with ids, ints, strings, nulls, lists and
        /// objects as values and fields that come and go, come back byte for byte.
        #[test]
        fn any_compact_objects_round_trip(rows in proptest::collection::vec(
            proptest::collection::vec((0usize..6, 0u8..6, proptest::prelude::any::<u64>(), "[a-zA-Z0-9 \"\\\\é-]{0,12}"), 0..8),
            0..20,
        )) {
            let records: Vec<Vec<u8>> = rows
                .iter()
                .map(|fields| {
                    let mut out = String::from("{");
                    for (i, (key, kind, n, text)) in fields.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        let value = match kind {
                            0 => serde_json::json!(uuid::Uuid::from_u64_pair(*n, n.rotate_left(7)).to_string()),
                            1 => serde_json::json!(hex::encode(n.to_be_bytes().repeat(2))),
                            2 => serde_json::json!(*n),
                            3 => serde_json::json!(text),
                            4 => serde_json::Value::Null,
                            _ => serde_json::json!([{ "item": text, "quantity": n % 50 }]),
                        };
                        out.push_str(&format!("\"k{key}\":{value}"));
                    }
                    out.push('}');
                    out.into_bytes()
                })
                .collect();
            proptest::prop_assert_eq!(round_trip(&records), records);
        }
    }

    #[test]
    fn what_cannot_travel_exactly_is_refused() {
        assert!(encode(&[b"record-1".to_vec()]).is_none(), "not JSON");
        assert!(encode(&[b"[1,2]".to_vec()]).is_none(), "not an object");
        assert!(encode(&[br#"{"a": 1}"#.to_vec()]).is_none(), "not compact");
        assert!(encode(&[br#"{"a":1,"a":2}"#.to_vec()]).is_some(), "a repeated key still comes back as written");
    }

    #[test]
    fn a_damaged_encoding_is_an_error_not_a_panic() {
        let encoded = encode(&records()).unwrap();
        let value: ciborium::Value = ciborium::from_reader(encoded.as_slice()).unwrap();
        assert!(decode(value.clone(), 4).is_err(), "more records than it holds");
        assert!(decode(value, 2).is_err(), "fewer records than it holds");
        let mut cut = Columns { f: FORMAT, keys: vec!["a".into()], shapes: vec![vec![0]], rows: vec![0], cols: vec![Column(vec![RAW, 200])] };
        assert!(decode_columns(cut, 1).is_err(), "a value past its column");
        cut = Columns { f: FORMAT, keys: vec!["a".into()], shapes: vec![vec![3]], rows: vec![0], cols: vec![Column(vec![])] };
        assert!(decode_columns(cut, 1).is_err(), "an unknown key");
    }
}
