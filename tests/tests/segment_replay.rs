//! Segments written by an earlier format still open and apply: a fresh manager's device with the
//! program's keys receives the fixture's segments as a pull page and ends up with the same
//! tallies and stock as the device that wrote them (`fixtures/segments-v1`, written by
//! `examples/segment_fixture.rs` when segments were CBOR arrays of JSON records under zstd,
//! format 1). And today's format (2, columns) carries the same records exactly.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use satchel_core::tally::NOT_RECORDED;
use satchel_core::Role;
use satchel_e2e::new_device;
use satchel_e2e::segment_fixture::{expected, Fixture, FILE};
use satchel_protocol::wire::{PullResponse, PulledSegment};

fn replay(dir: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(dir).join(FILE);
    let fixture: Fixture = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let device = new_device(Role::Manager, chrono::Duration::zero());
    device.store.set_program_keys(&fixture.keys()).unwrap();
    let page = PullResponse {
        segments: fixture.segments.iter().enumerate().map(|(i, s)| PulledSegment { cursor: i as u64 + 1, segment: s.clone() }).collect(),
        next_cursor: fixture.segments.len() as u64,
        more: false,
        acks: Vec::new(),
        keys: None,
    };
    let applied = device.store.apply_pull_page(&page).unwrap();
    let status = device.store.sync_status().unwrap();
    assert_eq!((status.quarantined, status.holes), (0, 0), "every segment opened");
    assert_eq!(applied, fixture.expected.records);
    let e = &fixture.expected;
    assert!(e.total.encounters > 250, "the fixture holds a real workload: {}", e.total.encounters);
    let mut got = expected(&device.store, applied, e.from, e.to);
    // Counts of people added to reports after the fixture was written (D85, D86) are derived
    // from the same records: they hold together, and the fixture's own counts match exactly.
    let t = &mut got.total;
    assert!(t.new_persons > 0 && t.new_persons <= t.participants, "{} new of {}", t.new_persons, t.participants);
    assert_eq!(t.persons_by_age_band.values().sum::<u64>(), t.participants);
    assert_eq!(t.persons_by_gender.values().sum::<u64>(), t.participants);
    assert!(t.contacts_without_code > 0 && t.contacts_without_code < t.encounters);
    assert!(t.persons_receiving.values().all(|n| *n <= t.participants) && !t.persons_receiving.is_empty());
    // No profile was ever recorded in the fixture's time (D89): every person is "not recorded".
    let nobody_answered = BTreeMap::from([(NOT_RECORDED.to_string(), t.participants)]);
    for answers in [&mut t.persons_by_race, &mut t.persons_by_ethnicity, &mut t.persons_by_residence] {
        assert_eq!(*answers, nobody_answered);
        if e.total.persons_by_race.is_empty() {
            answers.clear();
        }
    }
    if e.total.persons_by_age_band.is_empty() {
        t.new_persons = 0;
        t.contacts_without_code = 0;
        t.persons_by_age_band.clear();
        t.persons_by_gender.clear();
        t.persons_receiving.clear();
    }
    assert_eq!(got, *e);
}

#[test]
fn segments_of_the_first_format_replay() {
    replay("segments-v1");
}

/// The same records sealed again today can travel as columns (format 2), every stream's, open
/// to the same bytes, and never take more room than before.
#[test]
fn todays_records_travel_as_columns_and_come_back_exactly() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/segments-v1").join(FILE);
    let fixture: Fixture = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let keys = fixture.keys();
    for old in &fixture.segments {
        let records = satchel_protocol::open(&keys.data_key, old).unwrap();
        assert!(satchel_protocol::columns::encode(&records).is_some(), "{:?} records fall back to rows", old.header.stream);
        let new = satchel_protocol::seal(&keys.data_key, old.header, &records).unwrap();
        assert_eq!(satchel_protocol::open(&keys.data_key, &new).unwrap(), records);
        assert!(new.ciphertext.len() <= old.ciphertext.len(), "{:?}: {} > {}", old.header.stream, new.ciphertext.len(), old.ciphertext.len());
        if old.header.len() > 16 {
            assert!(new.ciphertext.len() * 10 < old.ciphertext.len() * 9, "{:?}: {} against {}", old.header.stream, new.ciphertext.len(), old.ciphertext.len());
        }
    }
}
