//! What other segment encodings would weigh, on the records of a segment fixture: today's rows
//! of JSON at several zstd levels, and the same records turned into columns (one per field, in
//! record order; "columns", at level 3), with ids as bytes ("+ids bin"), integers as deltas
//! ("+deltas"), and the binary-id columns at levels 12 and 19. Prints bytes per record with the
//! seal's overhead, and how long compressing today's plaintext takes at each level.
//!
//! cargo run -p satchel-e2e --example segment_sizes -- tests/fixtures/segments-v1
// An experiment: a failed step stops it with its message.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use satchel_e2e::segment_fixture::{Fixture, FILE};
use serde_json::Value;

fn zstd(bytes: &[u8], level: i32) -> usize {
    zstd::bulk::compress(bytes, level).unwrap().len()
}

/// A 16-byte id written as a UUID or 32 hex digits, as its bytes.
fn id_bytes(s: &str) -> Option<Vec<u8>> {
    let hex: String = s.chars().filter(|c| *c != '-').collect();
    if hex.len() == 32 && (s.len() == 32 || s.len() == 36) {
        hex::decode(hex).ok()
    } else {
        None
    }
}

/// Columns of top-level fields, values as compact JSON; `binary` writes ids as bytes and
/// `deltas` integers as the difference from the record before.
fn columns(records: &[Value], binary: bool, deltas: bool) -> Vec<u8> {
    let mut cols: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut last: BTreeMap<String, i64> = BTreeMap::new();
    for r in records {
        for (k, v) in r.as_object().unwrap() {
            let col = cols.entry(k.clone()).or_default();
            match v {
                Value::String(s) if binary && id_bytes(s).is_some() => col.extend(id_bytes(s).unwrap()),
                Value::Number(n) if deltas && n.as_i64().is_some() => {
                    let n = n.as_i64().unwrap();
                    let before = last.insert(k.clone(), n).unwrap_or(0);
                    col.extend((n - before).to_string().as_bytes());
                    col.push(b'\n');
                }
                other => {
                    col.extend(other.to_string().as_bytes());
                    col.push(b'\n');
                }
            }
        }
    }
    cols.into_iter().flat_map(|(k, v)| k.into_bytes().into_iter().chain(v)).collect()
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: segment_sizes DIR");
    let text = std::fs::read_to_string(std::path::Path::new(&dir).join(FILE)).unwrap();
    let fixture: Fixture = serde_json::from_str(&text).unwrap();
    let keys = fixture.keys();
    // Overhead of the seal (tag) and the segment header on the wire, per segment.
    const SEAL: usize = 16 + 24;
    println!(
        "{:<12} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "stream", "records", "today", "rows z6", "z9", "z12", "z19", "columns", "+ids bin", "+deltas", "cols z12", "cols z19"
    );
    for s in &fixture.segments {
        let records = satchel_protocol::open(&keys.data_key, s).unwrap();
        let values: Vec<Value> = records.iter().map(|r| serde_json::from_slice(r).unwrap()).collect();
        let n = records.len() as f64;
        let rows: Vec<u8> = records.iter().flat_map(|r| r.iter().copied().chain([b'\n'])).collect();
        let per = |bytes: usize| (bytes + SEAL) as f64 / n;
        println!(
            "{:<12} {:>7} {:>7.1} {:>7.1} {:>7.1} {:>7.1} {:>7.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
            format!("{:?}", s.header.stream),
            records.len(),
            (s.ciphertext.len() + 24) as f64 / n,
            per(zstd(&rows, 6)),
            per(zstd(&rows, 9)),
            per(zstd(&rows, 12)),
            per(zstd(&rows, 19)),
            per(zstd(&columns(&values, false, false), 3)),
            per(zstd(&columns(&values, true, false), 3)),
            per(zstd(&columns(&values, true, true), 3)),
            per(zstd(&columns(&values, true, false), 12)),
            per(zstd(&columns(&values, true, false), 19)),
        );
        let start = std::time::Instant::now();
        let sealed = satchel_protocol::seal(&keys.data_key, s.header, &records).unwrap();
        println!(
            "    sealed as this build seals it: {:.1} bytes a record in {:.1} ms",
            (sealed.ciphertext.len() + SEAL - 16) as f64 / n,
            start.elapsed().as_secs_f64() * 1e3
        );
        for level in [3, 6, 9, 12, 19] {
            let start = std::time::Instant::now();
            let encoded = satchel_protocol::wire::to_cbor(&records.iter().map(|r| ciborium::Value::Bytes(r.clone())).collect::<Vec<_>>());
            let out = zstd(&encoded, level);
            println!("    zstd {level:>2} of today's plaintext ({} bytes): {out} bytes in {:.1} ms", encoded.len(), start.elapsed().as_secs_f64() * 1e3);
        }
    }
}
