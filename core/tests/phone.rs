//! What the phone apps need from the core beyond the domain: the wait after wrong PINs, the
//! shift's encounters and sums, and an encounter read back for correction.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::Duration;
use common::*;
use satchel_core::{Error, Role, Store};

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
    clock.advance(Duration::days(-1));
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
    assert_eq!(sum.waiting, 2);
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
