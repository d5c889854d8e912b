//! Writes a segment fixture (`satchel_e2e::segment_fixture`) with today's format: a manager's
//! device adds zones, logs encounters of the random and skewed workloads, corrects and voids
//! some, moves stock; its outgoing segments, its keys and its tallies go into DIR/segments.json.
//!
//! cargo run -p satchel-e2e --example segment_fixture -- tests/fixtures/segments-v1
//!
//! SATCHEL_FIXTURE_EACH (encounters of each workload, default 150) and SATCHEL_FIXTURE_SEGMENT
//! (records per segment, default 64) make bigger ones, for `segment_sizes`.
// A generator: a failed step stops it with its message.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Utc};
use satchel_core::{ProgramKeys, Role, SegmentLimits};
use satchel_e2e::segment_fixture::{expected, span, Fixture, FILE};
use satchel_e2e::workload::Workload;
use satchel_e2e::new_device;
use uuid::Uuid;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: segment_fixture DIR");
    let device = new_device(Role::Manager, chrono::Duration::zero());
    let store = &device.store;
    let keys = ProgramKeys {
        program: Uuid::now_v7(),
        participant_key: satchel_core::crypto::random_key(),
        data_key: satchel_core::crypto::random_key(),
        epoch: 1,
        reporting_public: None,
        reporting_private: None,
        older: vec![],
    };
    store.set_program_keys(&keys).unwrap();
    for s in Workload::settings() {
        store.put_setting(s).unwrap();
    }
    let now: DateTime<Utc> = Utc::now();
    let each = env("SATCHEL_FIXTURE_EACH", 150);
    let mut encounters = Workload::Random.encounters(each, 0x5e9_0001, now);
    encounters.extend(Workload::Skewed.encounters(each, 0x5e9_0002, now));
    let ids: Vec<Uuid> = encounters.iter().map(|e| store.log_encounter(e).unwrap()).collect();
    // A correction and a void travel as further versions.
    let mut corrected = encounters[3].clone();
    corrected.syringes_collected += 7;
    store.correct_encounter(ids[3], &corrected).unwrap();
    store.void_encounter(ids[10]).unwrap();
    store.receive_stock("office", "syringe-1ml", 2000).unwrap();
    store.transfer_stock("office", "van-1", "syringe-1ml", 500).unwrap();

    // Small segments, so that each stream spans several.
    let limits = SegmentLimits { max_records: env("SATCHEL_FIXTURE_SEGMENT", 64), ..SegmentLimits::default() };
    let segments = store.outgoing_segments(SegmentLimits { max_segments: 1000, ..limits }).unwrap();
    let records: usize = segments.iter().map(|s| s.header.len() as usize).sum();
    let (from, to) = span(encounters.iter().map(|e| e.occurred_at));
    let fixture = Fixture {
        written_by: format!("satchel {} segment format of 2026-12 (CBOR array of JSON records, zstd)", env!("CARGO_PKG_VERSION")),
        program: keys.program,
        participant_key: keys.participant_key.to_vec(),
        data_key: keys.data_key.to_vec(),
        epoch: keys.epoch,
        segments,
        expected: expected(store, records, from, to),
    };
    std::fs::create_dir_all(&dir).unwrap();
    let path = std::path::Path::new(&dir).join(FILE);
    std::fs::write(&path, serde_json::to_string_pretty(&fixture).unwrap() + "\n").unwrap();
    println!("{}: {} segments, {records} records", path.display(), fixture.segments.len());
}
