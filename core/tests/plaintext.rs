//! Nothing readable on disk: after logging encounters with marker strings in every text field,
//! none of the markers, item names or zone names appear in the database, WAL or shared-memory
//! files, nor in the key file.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::fs;

use common::*;
use satchel_core::profile::{Answer, ProfileAnswers};
use satchel_core::{Choice, Kit, ListKind, Location, NewEncounter, Role, Setting, Store, SupplyItem, ItemCategory};

const MARKERS: &[&str] = &[
    "markerzone", "Marker Zone Label", "markeritem", "Marker Item Name", "marker-unit", "markerkit",
    "Marker Kit Name", "markerref", "Marker Referral", "markerage", "Marker Age", "markergender",
    "Marker Gender", "markersubst", "Marker Substance", "markerloc", "Marker Location",
    "MARKERCODE42", "markercode42", "u9zzz", "markerrace", "Marker Race", "markerhome", "Marker Home",
    "Marker Item Nombre", "Marker Kit Nombre", "Marker Lugar",
];

fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), fs::read(&p).unwrap()))
        .collect()
}

fn assert_no_plaintext(dir: &std::path::Path, also: &[String]) {
    let found = files(dir);
    assert!(found.iter().any(|(n, _)| n == "satchel.db"));
    for (name, bytes) in &found {
        for marker in MARKERS.iter().map(|m| m.to_string()).chain(also.iter().cloned()) {
            let needle = marker.as_bytes();
            assert!(
                !bytes.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle)),
                "{marker:?} readable in {name}"
            );
        }
        // The table names of the schema would show in any unencrypted page.
        assert!(!bytes.windows(9).any(|w| w == b"encounter"), "schema readable in {name}");
    }
}

#[test]
fn markers_never_reach_the_disk_in_the_clear() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let store = new_store(dir.path(), Role::Manager, &clock);
    let choice = |kind, id: &str, label: &str| {
        Setting::Choice(kind, Choice { id: id.into(), label: label.into(), label_es: None, position: 0, active: true })
    };
    for s in [
        choice(ListKind::Zone, "markerzone", "Marker Zone Label"),
        choice(ListKind::Referral, "markerref", "Marker Referral"),
        choice(ListKind::AgeBand, "markerage", "Marker Age"),
        choice(ListKind::Gender, "markergender", "Marker Gender"),
        choice(ListKind::Substance, "markersubst", "Marker Substance"),
        choice(ListKind::Race, "markerrace", "Marker Race"),
        choice(ListKind::Residence, "markerhome", "Marker Home"),
        Setting::Location(Location { id: "markerloc".into(), name: "Marker Location".into(), name_es: Some("Marker Lugar".into()), active: true }),
        Setting::Item(SupplyItem {
            id: "markeritem".into(),
            name: "Marker Item Name".into(),
            name_es: Some("Marker Item Nombre".into()),
            category: ItemCategory::Other,
            unit: "marker-unit".into(),
            doses_per_unit: 1,
            low_stock_threshold: 5,
            active: true,
        }),
    ] {
        store.put_setting(s).unwrap();
    }
    store
        .put_setting(Setting::Kit(Kit {
            id: "markerkit".into(),
            name: "Marker Kit Name".into(),
            name_es: Some("Marker Kit Nombre".into()),
            items: vec![iq("markeritem", 3)],
            active: true,
        }))
        .unwrap();
    store.set_device_location(Some("markerloc")).unwrap();
    store.receive_stock("markerloc", "markeritem", 500).unwrap();
    let base = NewEncounter {
        zone: "markerzone".into(),
        geohash: Some("u9zzz".into()),
        participant_code: Some("MARKERCODE42".into()),
        age_band: Some("markerage".into()),
        gender: Some("markergender".into()),
        referrals: vec!["markerref".into()],
        substances: vec!["markersubst".into()],
        ..NewEncounter::new(clock.now(), "markerzone")
    };
    for i in 0..200 {
        // The participant's profile too, now and then (D89).
        let profile = (i % 10 == 0).then(|| ProfileAnswers {
            race: Answer::Chosen(vec!["markerrace".into()]),
            residence: Answer::Chosen(vec!["markerhome".into()]),
            ..Default::default()
        });
        store.log_from_kit("markerkit", &[], &NewEncounter { profile, ..base.clone() }).unwrap();
    }
    // A sheet half filled when the phone locked, kept as a draft (D97): inside the encrypted
    // pages too, and without the code at all.
    store
        .keep_draft(&satchel_core::sheet::Draft {
            encounter: NewEncounter { profile: Some(ProfileAnswers { race: Answer::Chosen(vec!["markerrace".into()]), ..Default::default() }), ..base.clone() },
            correcting: None,
            kit_id: Some("markerkit".into()),
        })
        .unwrap();
    // Starter names are on disk only inside encrypted pages too.
    let starter: Vec<String> = store.settings().unwrap().items.iter().map(|i| i.name.clone()).collect();
    // While the store is open (WAL and shared memory present) and after it is closed.
    assert_no_plaintext(dir.path(), &starter);
    store.lock();
    assert_no_plaintext(dir.path(), &starter);
    drop(store);
    let reopened = clock.attach(Store::open(dir.path()).unwrap());
    reopened.unlock_with_pin(PIN).unwrap();
    assert_eq!(reopened.recent_encounters(500).unwrap().len(), 200);
    let draft = reopened.take_draft().unwrap().expect("the draft outlives the lock");
    assert!(draft.code_to_retype && draft.encounter.participant_code.is_none());
}
