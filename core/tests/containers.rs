//! Returned sharps counted by container: the estimate is taken when the encounter is written,
//! reported apart from counted syringes, refused when it names no container type of the
//! program, and sent in record format 2 only when an encounter holds containers (format 1
//! encounters keep their meaning).
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::NaiveDate;
use common::*;
use satchel_core::{ContainerCount, ContainerType, Error, NewEncounter, Record, Role, Setting, Stream, TallyQuery};

fn containers(list: &[(&str, u32)]) -> Vec<ContainerCount> {
    list.iter().map(|(c, n)| ContainerCount { container: (*c).into(), count: *n }).collect()
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 16).unwrap()
}

#[test]
fn containers_give_estimated_syringes_apart_from_counted_ones_and_keep_their_estimate() {
    let clock = TestClock::at(monday_noon());
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path(), Role::Manager, &clock);
    let settings = store.settings().unwrap();
    let quart = settings.container("quart").unwrap().syringes_estimate;
    let gallon = settings.container("gallon").unwrap().syringes_estimate;

    // 12 counted and 2 quarts + 1 gallon; then 1 quart after the estimate changed.
    let first = store
        .log_encounter(&NewEncounter {
            syringes_collected: 12,
            sharps_containers: containers(&[("quart", 2), ("gallon", 1)]),
            ..NewEncounter::new(clock.now(), "downtown")
        })
        .unwrap();
    store
        .put_setting(Setting::Container(ContainerType { id: "quart".into(), name: "1-quart sharps container".into(), name_es: None, syringes_estimate: 95, active: true }))
        .unwrap();
    store.log_encounter(&NewEncounter { sharps_containers: containers(&[("quart", 1)]), ..NewEncounter::new(clock.now(), "riverside") }).unwrap();

    let t = store.tally(&TallyQuery::period(day(), day())).unwrap().total;
    assert_eq!(t.syringes_collected, 12, "counted syringes stay apart");
    assert_eq!(t.syringes_estimated, (2 * quart + gallon + 95) as u64, "the first encounter keeps the estimate it was written with");
    assert_eq!(t.containers.get("quart"), Some(&3));
    assert_eq!(t.containers.get("gallon"), Some(&1));

    // A correction takes today's estimate; a void takes everything back.
    let fixed = NewEncounter { sharps_containers: containers(&[("gallon", 2)]), ..store.encounter_for_correction(first).unwrap() };
    assert_eq!(store.encounter_for_correction(first).unwrap().sharps_containers, containers(&[("gallon", 1), ("quart", 2)]));
    store.correct_encounter(first, &fixed).unwrap();
    let t = store.tally(&TallyQuery::period(day(), day())).unwrap().total;
    assert_eq!(t.syringes_estimated, (2 * gallon + 95) as u64);
    assert_eq!(t.containers.get("quart"), Some(&1));
    store.void_encounter(first).unwrap();
    let t = store.tally(&TallyQuery::period(day(), day())).unwrap().total;
    assert_eq!((t.syringes_collected, t.syringes_estimated, t.containers.len()), (0, 95, 1));

    // The shift summary the apps show counts them too.
    let shift = store.shift_summary().unwrap();
    assert_eq!((shift.sharps_containers, shift.syringes_estimated), (1, 95));
}

#[test]
fn a_container_the_program_does_not_have_is_refused_and_nothing_is_written() {
    let clock = TestClock::at(monday_noon());
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path(), Role::Manager, &clock);
    let before = store.outbox_status().unwrap();
    for (bad, field) in [
        (containers(&[("bucket", 1)]), "sharps_containers"),
        (containers(&[("quart", 0)]), "sharps_containers.count"),
        (containers(&[("quart", 101)]), "sharps_containers.count"),
        (containers(&[("quart", 1), ("quart", 2)]), "sharps_containers"),
    ] {
        let e = NewEncounter { sharps_containers: bad, ..NewEncounter::new(clock.now(), "downtown") };
        match store.log_encounter(&e) {
            Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected a refusal naming {field}, got {other:?}"),
        }
    }
    assert_eq!(store.outbox_status().unwrap(), before, "nothing queued");
    assert_eq!(store.tally(&TallyQuery::period(day(), day())).unwrap().total.encounters, 0);
    // A retired container type is refused for new entries.
    store
        .put_setting(Setting::Container(ContainerType { id: "gallon".into(), name: "1-gallon sharps container".into(), name_es: None, syringes_estimate: 320, active: false }))
        .unwrap();
    let e = NewEncounter { sharps_containers: containers(&[("gallon", 1)]), ..NewEncounter::new(clock.now(), "downtown") };
    assert!(matches!(store.log_encounter(&e), Err(Error::Invalid { .. })));
    // A bad estimate in the settings is refused with its field.
    let bad = Setting::Container(ContainerType { id: "drum".into(), name: "Drum".into(), name_es: None, syringes_estimate: 0, active: true });
    assert!(matches!(store.put_setting(bad), Err(Error::Invalid { field, .. }) if field == "container.syringes_estimate"));
}

#[test]
fn only_encounters_with_containers_use_record_format_2_and_format_1_keeps_its_meaning() {
    let clock = TestClock::at(monday_noon());
    let (dp, dm) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let phone = new_store(dp.path(), Role::Outreach, &clock);
    let manager = new_store(dm.path(), Role::Manager, &clock);
    phone.set_device_location(Some("van-1")).unwrap();
    phone.log_encounter(&NewEncounter { syringes_collected: 7, ..NewEncounter::new(clock.now(), "downtown") }).unwrap();
    phone.log_encounter(&NewEncounter { sharps_containers: containers(&[("quart", 2)]), ..NewEncounter::new(clock.now(), "downtown") }).unwrap();
    let payloads: Vec<Vec<u8>> = phone.outbox_pending(Stream::Encounters, 10).unwrap().into_iter().map(|e| e.payload).collect();
    assert!(payloads[0].starts_with(b"{\"v\":1,"), "an encounter without containers stays format 1");
    assert!(payloads[1].starts_with(b"{\"v\":2,"), "an encounter with containers is format 2");
    assert!(!String::from_utf8_lossy(&payloads[0]).contains("sharps_containers"));

    // An encounter as format 1 wrote it (before containers existed) still reads, with none.
    let v1 = r#"{"v":1,"type":"encounter","id":"01936a1c-0000-7000-8000-000000000001","encounter_id":"01936a1c-0000-7000-8000-000000000001","version":1,"author":"01936a1c-0000-7000-8000-0000000000aa","occurred_at":1794841200,"contact_type":"street","zone":"riverside","geohash":null,"participant":null,"new_participant":false,"age_band":null,"gender":null,"items":[],"syringes_collected":30,"referrals":[],"substances":[],"overdose_reversals":0,"naloxone_doses_used":0,"collecting_for":0,"location":null,"voided":false,"recorded_at":1794841200}"#;
    let old = Record::decode(v1.as_bytes()).unwrap();
    let Record::Encounter(e) = &old else { panic!("an encounter") };
    assert!(e.sharps_containers.is_empty());

    let mut records: Vec<Record> = payloads.iter().map(|p| Record::decode(p).unwrap()).collect();
    records.push(old);
    manager.apply_records(&records).unwrap();
    let t = manager.tally(&TallyQuery::period(day(), day())).unwrap().total;
    let quart = manager.settings().unwrap().container("quart").unwrap().syringes_estimate as u64;
    assert_eq!((t.encounters, t.syringes_collected, t.syringes_estimated), (3, 37, 2 * quart));
}
