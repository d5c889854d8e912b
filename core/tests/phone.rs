//! What the phone apps need from the core beyond the domain: the wait after wrong PINs, the
//! shift's encounters and sums, and an encounter read back for correction.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::Duration;
use common::*;
use satchel_core::outbox::SettingRecord;
use satchel_core::{Error, KeyPurpose, MemoryKeys, Record, Role, Store};
use uuid::Uuid;

fn wrong(store: &Store) -> Error {
    store.unlock_with_pin("9051").unwrap_err()
}

#[test]
fn wrong_pins_make_the_next_try_wait_across_restarts_and_clock_changes() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let store = new_store(dir.path(), Role::Outreach, &clock);
    store.lock();
    for n in 1..=4 {
        assert!(matches!(wrong(&store), Error::WrongPin { failed_attempts } if failed_attempts == n));
        assert_eq!(store.unlock_wait().unwrap(), Duration::zero(), "the first four tries are free");
    }
    assert!(matches!(wrong(&store), Error::WrongPin { failed_attempts: 5 }));
    assert_eq!(store.unlock_wait().unwrap(), Duration::seconds(30));

    // Too soon: refused without trying the PIN, even the right one, and the count stays.
    match store.unlock_with_pin(PIN) {
        Err(Error::TryLater { seconds: 30, failed_attempts: 5 }) => {}
        other => panic!("expected TryLater, got {other:?}"),
    }
    assert!(matches!(store.change_pin(PIN, "8042"), Err(Error::TryLater { .. })));
    assert_eq!(store.failed_attempts(), 5);

    // An app restart does not clear it.
    let reopened = clock.attach(Store::open(dir.path()).unwrap());
    clock.advance(Duration::seconds(10));
    assert_eq!(reopened.unlock_wait().unwrap(), Duration::seconds(20));

    // A clock set back a day does not shorten it: the whole wait runs again from then.
    clock.set_wall(Duration::days(-1));
    assert_eq!(reopened.unlock_wait().unwrap(), Duration::seconds(30));
    clock.advance(Duration::seconds(29));
    assert!(matches!(reopened.unlock_with_pin(PIN), Err(Error::TryLater { seconds: 1, .. })));
    clock.advance(Duration::seconds(1));

    // The sixth wrong try doubles the wait; then the right PIN, after it, unlocks and resets.
    assert!(matches!(wrong(&reopened), Error::WrongPin { failed_attempts: 6 }));
    assert_eq!(reopened.unlock_wait().unwrap(), Duration::seconds(60));
    clock.advance(Duration::seconds(60));
    reopened.unlock_with_pin(PIN).unwrap();
    assert_eq!(reopened.failed_attempts(), 0);
    assert_eq!(reopened.unlock_wait().unwrap(), Duration::zero());
}

#[test]
fn moving_the_clock_forward_or_restarting_the_phone_does_not_skip_the_wait() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let store = new_store(dir.path(), Role::Outreach, &clock);
    store.lock();
    for _ in 0..6 {
        clock.advance(Duration::hours(2));
        wrong(&store);
    }
    assert_eq!(store.unlock_wait().unwrap(), Duration::seconds(60));
    // The wall clock set a week ahead: the phone's own clock says the minute has not passed.
    clock.set_wall(Duration::days(7));
    assert_eq!(store.unlock_wait().unwrap(), Duration::seconds(60));
    assert!(matches!(store.unlock_with_pin(PIN), Err(Error::TryLater { seconds: 60, .. })));
    clock.advance(Duration::seconds(45));
    assert_eq!(store.unlock_wait().unwrap(), Duration::seconds(15));
    // A restart (the clock since start begins again) restarts the wait from now.
    clock.restart();
    assert_eq!(store.unlock_wait().unwrap(), Duration::seconds(60));
    clock.advance(Duration::seconds(59));
    assert!(matches!(store.unlock_with_pin(PIN), Err(Error::TryLater { seconds: 1, .. })));
    clock.advance(Duration::seconds(1));
    store.unlock_with_pin(PIN).unwrap();
}

#[test]
fn a_phone_wipes_itself_after_the_programs_limit_of_wrong_pins() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let hw = std::sync::Arc::new(MemoryKeys::new());
    let store = clock.attach(Store::create(dir.path(), phone_options(Role::Outreach, hw.clone())).unwrap());
    store.enable_unlock(KeyPurpose::Biometric).unwrap();
    store.log_encounter(&street(clock.now())).unwrap();
    store.lock();
    let limit = satchel_core::pin::DEFAULT_WIPE_AFTER;
    for n in 1..limit {
        clock.advance(Duration::hours(2));
        assert!(matches!(wrong(&store), Error::WrongPin { failed_attempts } if failed_attempts == n));
    }
    assert!(dir.path().join("satchel.db").exists(), "nothing wiped before the limit");
    clock.advance(Duration::hours(2));
    assert!(matches!(wrong(&store), Error::Wiped { failed_attempts } if failed_attempts == limit));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "files left after the wipe: {left:?}");
    for purpose in KeyPurpose::ALL {
        assert!(!hw.has(purpose), "the {} hardware key survived the wipe", purpose.as_str());
    }
    assert!(matches!(store.unlock_with_pin(PIN), Err(Error::NoStore(_))));
}

/// The program's wipe limit arriving from a manager, applied as a received setting would be.
fn set_wipe_limit(store: &Store, limit: u32) {
    let mut program = store.settings().unwrap().program;
    program.wipe_after_failed_pins = limit;
    let value = serde_json::to_value(&program).unwrap();
    let record = Record::Setting(SettingRecord { id: Uuid::now_v7(), key: "program".into(), value, hlc: 1 << 40, device: Uuid::now_v7() });
    store.apply_records(&[record]).unwrap();
}

#[test]
fn the_program_sets_the_wipe_limit_and_a_right_pin_resets_the_count() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let store = new_store(dir.path(), Role::Outreach, &clock);
    set_wipe_limit(&store, 3);
    assert_eq!(store.settings().unwrap().program.wipe_after_failed_pins, 3);
    store.lock();
    for _ in 0..2 {
        wrong(&store);
    }
    store.unlock_with_pin(PIN).unwrap();
    store.lock();
    for _ in 0..2 {
        wrong(&store);
    }
    assert!(dir.path().join("satchel.db").exists(), "the right PIN in between reset the count");
    assert!(matches!(wrong(&store), Error::Wiped { failed_attempts: 3 }));

    // 0 turns the wipe off.
    let off_dir = tempfile::tempdir().unwrap();
    let off = new_store(off_dir.path(), Role::Outreach, &clock);
    set_wipe_limit(&off, 0);
    off.lock();
    for _ in 0..12 {
        clock.advance(Duration::hours(2));
        assert!(matches!(wrong(&off), Error::WrongPin { .. }));
    }
    assert!(off_dir.path().join("satchel.db").exists());

    // A manager's store never wipes itself.
    let manager_dir = tempfile::tempdir().unwrap();
    let manager = new_store(manager_dir.path(), Role::Manager, &clock);
    manager.lock();
    for _ in 0..12 {
        clock.advance(Duration::hours(2));
        assert!(matches!(wrong(&manager), Error::WrongPin { .. }));
    }
    assert!(manager_dir.path().join("satchel.db").exists());
}

#[test]
fn the_shift_is_this_phones_last_twelve_hours() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let store = new_store(dir.path(), Role::Outreach, &clock);
    let old = store.log_encounter(&street(clock.now() - Duration::hours(13))).unwrap();
    let first = store.log_encounter(&street(clock.now() - Duration::hours(2))).unwrap();
    let second = store.log_encounter(&street(clock.now() - Duration::minutes(5))).unwrap();
    let voided = store.log_encounter(&street(clock.now() - Duration::minutes(1))).unwrap();
    store.void_encounter(voided).unwrap();

    let list: Vec<_> = store.shift_encounters().unwrap().into_iter().map(|e| (e.encounter_id, e.voided)).collect();
    assert_eq!(list, vec![(voided, true), (second, false), (first, false)], "newest first, the 13-hour-old one gone");
    assert!(!list.iter().any(|(id, _)| *id == old));

    let sum = store.shift_summary().unwrap();
    assert_eq!(sum.encounters, 2, "voided ones count nowhere");
    // Waiting: every contact of this phone not sent yet, whatever its shift, and the void too
    // (the 13-hour-old one, the two of this shift, the voided one): the count Sync shows.
    assert_eq!(sum.waiting, 4);
    assert_eq!(store.sync_status().unwrap().contacts_waiting, 4);
    let sent = store.outbox_status().unwrap().iter().find(|s| s.stream == satchel_core::Stream::Encounters).unwrap().next_seq - 1;
    store.acknowledge(satchel_core::Stream::Encounters, sent).unwrap();
    assert_eq!(store.sync_status().unwrap().contacts_waiting, 0);
    store.correct_encounter(first, &street(clock.now() - Duration::hours(2))).unwrap();
    assert_eq!((store.shift_summary().unwrap().waiting, store.sync_status().unwrap().contacts_waiting), (1, 1), "a correction waits again");
    assert_eq!(sum.syringes_collected, 30);
    assert_eq!(sum.referrals, 2);
    assert_eq!(sum.naloxone_doses_given, 4, "one nasal kit of 2 doses each time");
    let syringes = sum.items.iter().find(|i| i.item == "syringe-1ml").unwrap();
    assert_eq!(syringes.quantity, 40);
}

#[test]
fn an_encounter_reads_back_for_correction_without_its_code() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let store = new_store(dir.path(), Role::Outreach, &clock);
    let entered = street(clock.now());
    let id = store.log_encounter(&entered).unwrap();
    let back = store.encounter_for_correction(id).unwrap();
    assert_eq!(back.participant_code, None, "the code is never stored");
    let mut items = entered.items.clone();
    items.sort();
    assert_eq!(back.items, items, "stored sorted by item");
    assert_eq!((back.zone.as_str(), back.syringes_collected), ("downtown", 15));
    assert_eq!(back.substances, vec!["opioids".to_string(), "xylazine".to_string()]);
    // A correction without a code keeps the participant.
    store.correct_encounter(id, &back).unwrap();
    assert!(store.get_encounter(id).unwrap().unwrap().has_participant);
    store.void_encounter(id).unwrap();
    assert!(matches!(store.encounter_for_correction(id), Err(Error::NotPermitted(_))));
}

#[test]
fn the_sheet_opens_where_the_last_contact_was_and_survives_a_lock_as_a_draft() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let store = new_store(dir.path(), Role::Outreach, &clock);

    // No contact yet: street, the first zone. After one in another zone, that zone.
    let first = store.new_sheet(None).unwrap();
    assert_eq!((first.encounter.zone.as_str(), first.encounter.contact_type), ("downtown", satchel_core::ContactType::Street));
    let mut east = street(clock.now());
    east.zone = "eastside".into();
    east.contact_type = satchel_core::ContactType::MobileUnit;
    let id = store.log_encounter(&east).unwrap();
    let next = store.new_sheet(Some("standard")).unwrap();
    assert_eq!((next.encounter.zone.as_str(), next.encounter.contact_type), ("eastside", satchel_core::ContactType::MobileUnit));
    assert!(next.kit_name.is_some() && !next.items.is_empty());
    assert!(matches!(store.new_sheet(Some("no-such-kit")), Err(Error::NotFound { .. })));

    // A correction's sheet holds what was entered.
    let fix = store.correction_sheet(id).unwrap();
    assert_eq!(fix.correcting, Some(id));
    assert_eq!(fix.encounter.syringes_collected, 15);
    assert_eq!(fix.items.iter().map(|l| (l.id.as_str(), l.quantity)).collect::<Vec<_>>(), [("syringe-1ml", 20), ("naloxone-nasal", 1)]);

    // Half filled when the app locks: kept, without the code, and offered once at the next unlock.
    let mut half = next.encounter.clone();
    half.participant_code = Some("MA12JS".into());
    half.syringes_collected = 40;
    store.keep_draft(&satchel_core::sheet::Draft { encounter: half, correcting: None, kit_id: next.kit_id.clone() }).unwrap();
    store.lock();
    assert!(matches!(store.take_draft(), Err(Error::Locked)), "a locked store gives nothing");
    let reopened = clock.attach(Store::open(dir.path()).unwrap());
    reopened.unlock_with_pin(PIN).unwrap();
    let back = reopened.take_draft().unwrap().expect("the draft comes back");
    assert!(back.restored && back.code_to_retype);
    assert_eq!(back.encounter.participant_code, None);
    assert_eq!((back.encounter.syringes_collected, back.encounter.zone.as_str()), (40, "eastside"));
    assert_eq!(back.kit_name, next.kit_name);
    assert!(reopened.take_draft().unwrap().is_none(), "taken once");

    // A draft from before the shift is not offered.
    reopened.keep_draft(&satchel_core::sheet::Draft { encounter: next.encounter.clone(), correcting: Some(id), kit_id: None }).unwrap();
    clock.advance(Duration::hours(13));
    assert!(reopened.take_draft().unwrap().is_none());
}
