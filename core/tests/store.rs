//! The store end to end: keys, the domain, the outbox, tallies, retention and wipe.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::fs;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use common::*;
use satchel_core::crypto::KdfParams;
use satchel_core::stock::MovementRecord;
use satchel_core::outbox::SettingRecord;
use satchel_core::{
    AdjustReason, Choice, ContactType, CreateOptions, Error, HardwareError, KeyPurpose, MemoryKeys, Granularity, ListKind, MovementKind, NewEncounter, Program,
    Record, Role, Setting, Store, Stream, TallyQuery,
};
use uuid::Uuid;

fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().ends_with("satchel.attempts"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn unlock_with_pin_or_biometrics_and_count_failures() {
    let dir = tempfile::tempdir().unwrap();
    let hw = Arc::new(MemoryKeys::new());
    let store = Store::create(dir.path(), common::phone_options(Role::Outreach, hw.clone())).unwrap();
    store.enable_unlock(KeyPurpose::Biometric).unwrap();
    store.log_encounter(&street(store.now())).unwrap();
    store.lock();
    assert!(matches!(store.recent_encounters(10), Err(Error::Locked)));

    let before = snapshot(dir.path());
    for n in 1..=3 {
        match store.unlock_with_pin("1111") {
            Err(Error::WrongPin { failed_attempts }) => assert_eq!(failed_attempts, n),
            other => panic!("expected WrongPin, got {other:?}"),
        }
    }
    // A cancelled fingerprint prompt is not a wrong attempt.
    hw.refuse(KeyPurpose::Biometric, true);
    assert!(matches!(store.unlock_with_biometrics(), Err(Error::Hardware(HardwareError::Cancelled))));
    hw.refuse(KeyPurpose::Biometric, false);
    assert_eq!(store.failed_attempts(), 3);
    assert_eq!(snapshot(dir.path()), before, "a wrong PIN or a cancelled prompt changes nothing but the counter");

    store.unlock_with_biometrics().unwrap();
    assert_eq!(store.failed_attempts(), 0);
    assert_eq!(store.recent_encounters(10).unwrap().len(), 1);
    store.lock();
    let reopened = Store::open(dir.path()).unwrap().with_hardware(hw.clone());
    reopened.unlock_with_pin(PIN).unwrap();
    assert_eq!(reopened.recent_encounters(10).unwrap().len(), 1);
    reopened.lock();
    // Without the phone's keystore the PIN opens nothing (the files were copied elsewhere).
    let copied = Store::open(dir.path()).unwrap();
    assert!(matches!(copied.unlock_with_pin(PIN), Err(Error::Hardware(HardwareError::Missing(_)))));
    assert_eq!(copied.failed_attempts(), 0, "a missing keystore is not a wrong PIN");
    // Fingerprint unlock turned off: its wrap and its hardware key are gone.
    reopened.disable_unlock(KeyPurpose::Biometric).unwrap();
    assert!(!hw.has(KeyPurpose::Biometric));
    assert!(matches!(reopened.unlock_with_biometrics(), Err(Error::NoSuchUnlock(_))));
}

#[test]
fn changing_the_pin_rewraps_without_reencrypting() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path(), common::options(Role::Outreach)).unwrap();
    store.log_encounter(&street(store.now())).unwrap();
    store.lock();
    let db_before = fs::read(dir.path().join("satchel.db")).unwrap();
    assert!(matches!(store.change_pin("0000", "13579"), Err(Error::WrongPin { .. })));
    assert!(matches!(store.change_pin(PIN, "12"), Err(Error::Invalid { field, .. }) if field == "new_pin"));
    store.change_pin(PIN, "13579").unwrap();
    assert_eq!(fs::read(dir.path().join("satchel.db")).unwrap(), db_before);
    assert!(matches!(store.unlock_with_pin(PIN), Err(Error::WrongPin { .. })));
    store.unlock_with_pin("13579").unwrap();
    assert_eq!(store.recent_encounters(10).unwrap().len(), 1);
}

#[test]
fn foreign_damaged_and_missing_files_get_their_own_errors_and_are_kept() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    Store::create(a.path(), common::options(Role::Outreach)).unwrap().lock();
    Store::create(b.path(), common::options(Role::Outreach)).unwrap().lock();
    let db = a.path().join("satchel.db");
    let original = fs::read(&db).unwrap();

    // Another store's database under this key file.
    fs::copy(b.path().join("satchel.db"), &db).unwrap();
    let store = Store::open(a.path()).unwrap();
    assert!(matches!(store.unlock_with_pin(PIN), Err(Error::ForeignFile(_))));
    assert!(db.exists());

    // A plain SQLite database.
    fs::remove_file(&db).unwrap();
    rusqlite::Connection::open(&db).unwrap().execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);").unwrap();
    assert!(matches!(store.unlock_with_pin(PIN), Err(Error::ForeignFile(_))));

    // The right file, damaged after its salt.
    let mut damaged = original.clone();
    for b in &mut damaged[16..600] {
        *b ^= 0x5a;
    }
    fs::write(&db, &damaged).unwrap();
    assert!(matches!(store.unlock_with_pin(PIN), Err(Error::Damaged(_))));
    assert_eq!(fs::read(&db).unwrap(), damaged, "a damaged file is never rewritten");
    assert_eq!(store.failed_attempts(), 0, "a right PIN is not a failed attempt");

    // Truncated, then missing.
    fs::write(&db, &original[..10]).unwrap();
    assert!(matches!(store.unlock_with_pin(PIN), Err(Error::Damaged(_))));
    fs::remove_file(&db).unwrap();
    assert!(matches!(store.unlock_with_pin(PIN), Err(Error::Damaged(_))));
    assert!(!db.exists(), "a missing database is not recreated");

    // Restored, it opens again.
    fs::write(&db, &original).unwrap();
    store.unlock_with_pin(PIN).unwrap();
    store.integrity_check().unwrap();

    // A damaged key file.
    store.lock();
    fs::write(a.path().join("satchel.keys"), b"{not json").unwrap();
    assert!(matches!(store.unlock_with_pin(PIN), Err(Error::Damaged(_))));
}

#[test]
fn create_refuses_to_overwrite_and_open_refuses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(Store::open(dir.path()), Err(Error::NoStore(_))));
    Store::create(dir.path(), common::options(Role::Outreach)).unwrap();
    assert!(matches!(Store::create(dir.path(), common::options(Role::Outreach)), Err(Error::AlreadyExists(_))));
    // A leftover database without a key file is not replaced either.
    let other = tempfile::tempdir().unwrap();
    fs::write(other.path().join("satchel.db"), b"leftover").unwrap();
    assert!(matches!(Store::create(other.path(), common::options(Role::Outreach)), Err(Error::AlreadyExists(_))));
    assert_eq!(fs::read(other.path().join("satchel.db")).unwrap(), b"leftover");
    let none = CreateOptions { role: Role::Outreach, pin: String::new(), hardware: None, background: false, kdf: KdfParams::DEFAULT };
    assert!(matches!(Store::create(tempfile::tempdir().unwrap().path(), none), Err(Error::Invalid { .. })));
    let background = CreateOptions { background: true, ..common::options(Role::Outreach) };
    assert!(matches!(Store::create(tempfile::tempdir().unwrap().path(), background), Err(Error::Invalid { .. })));
}

#[test]
fn a_shift_logs_corrects_voids_and_moves_stock() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let store = new_store(dir.path(), Role::Outreach, &clock);
    store.set_device_location(Some("van-1")).unwrap();
    store.receive_stock("van-1", "syringe-1ml", 1000).unwrap();
    store.receive_stock("van-1", "naloxone-nasal", 12).unwrap();

    let first = store.log_encounter(&street(clock.now())).unwrap();
    let base = NewEncounter { participant_code: Some("ZZ01AB".into()), new_participant: true, ..street(clock.now()) };
    let kit = store.log_from_kit("standard", &[iq("syringe-1ml", 30), iq("tourniquet", 0)], &base).unwrap();
    let recent = store.recent_encounters(10).unwrap();
    assert_eq!(recent.len(), 2);
    let kit_items = &recent.iter().find(|e| e.encounter_id == kit).unwrap().items;
    assert!(kit_items.contains(&iq("syringe-1ml", 30)));
    assert!(!kit_items.iter().any(|i| i.item == "tourniquet"));
    assert!(kit_items.contains(&iq("cooker", 2)));

    let level = |item: &str| {
        store.stock_levels(Some("van-1")).unwrap().into_iter().find(|l| l.item == item).map(|l| l.level).unwrap_or(0)
    };
    assert_eq!(level("syringe-1ml"), 1000 - 20 - 30);
    assert_eq!(level("naloxone-nasal"), 12 - 1);

    // Correct the first encounter: 10 syringes instead of 20, no naloxone.
    let corrected = NewEncounter { items: vec![iq("syringe-1ml", 10)], participant_code: None, ..street(clock.now()) };
    store.correct_encounter(first, &corrected).unwrap();
    assert_eq!(level("syringe-1ml"), 1000 - 10 - 30);
    assert_eq!(level("naloxone-nasal"), 12);
    let e = store.get_encounter(first).unwrap().unwrap();
    assert_eq!((e.version, e.has_participant), (2, true), "the reference is kept without a new code");

    // Void the kit encounter: everything goes back.
    store.void_encounter(kit).unwrap();
    assert_eq!(level("syringe-1ml"), 990);
    assert_eq!(level("cooker"), 0);
    assert!(matches!(store.void_encounter(kit), Err(Error::NotPermitted(_))));
    assert!(matches!(store.correct_encounter(Uuid::now_v7(), &corrected), Err(Error::NotFound { .. })));

    // Transfers, adjustments, counts.
    store.transfer_stock("office", "van-1", "naloxone-nasal", 5).unwrap();
    assert_eq!(level("naloxone-nasal"), 17);
    store.adjust_stock("van-1", "naloxone-nasal", -2, AdjustReason::Expired).unwrap();
    assert_eq!(level("naloxone-nasal"), 15);
    clock.advance(Duration::minutes(1));
    store.count_stock("van-1", "naloxone-nasal", 9).unwrap();
    assert_eq!(level("naloxone-nasal"), 9);
    let low = store.low_stock().unwrap();
    assert!(low.iter().any(|l| l.item == "naloxone-nasal" && l.level == 9 && l.threshold == 10 && !l.out), "low, not out");
    assert!(!low.iter().any(|l| l.item == "syringe-1ml"));
    assert!(low.iter().any(|l| l.location == "van-1" && l.item == "cooker" && l.level == 0 && l.out), "none left: out");
    // The Stock screen's rows: every active supply, in catalog order, low and out as above.
    let rows = store.stock_rows("van-1").unwrap();
    assert!(matches!(store.stock_rows("no-such-place"), Err(Error::NotFound { .. })), "an unknown place is refused, not shown empty");
    assert_eq!(rows.len(), store.settings().unwrap().items.iter().filter(|i| i.active).count());
    let row = |id: &str| rows.iter().find(|r| r.item == id).unwrap().clone();
    assert_eq!((row("naloxone-nasal").level, row("naloxone-nasal").low, row("naloxone-nasal").out), (9, true, false));
    assert_eq!((row("cooker").low, row("cooker").out), (true, true));
    assert_eq!((row("syringe-1ml").level, row("syringe-1ml").low), (990, false));
    for r in &rows {
        assert_eq!(r.low, low.iter().any(|l| l.location == "van-1" && l.item == r.item), "{} as the low-stock list says", r.item);
    }

    // Participants: seen before on this device, without storing the code.
    assert!(store.participant_seen("ma-12-js").unwrap());
    assert!(!store.participant_seen("QQ99ZZ").unwrap());

    // Tallies: the voided encounter counts nowhere; the correction counts as corrected.
    let day = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
    let t = store.tally(&TallyQuery::period(day, day)).unwrap();
    assert_eq!(t.total.encounters, 1);
    assert_eq!(t.total.items["syringe-1ml"].units, 10);
    assert!(!t.total.items.contains_key("naloxone-nasal"));
    assert_eq!(t.total.participants, 1);
    assert_eq!(t.total.new_participants, 0);
    assert_eq!(t.total.syringes_distributed, 10);
    assert_eq!(t.total.syringes_collected, 15);
    assert_eq!(t.total.referrals["moud"], 1);
    assert_eq!(t.total.by_substance["xylazine"], 1);
}

#[test]
fn bad_input_names_the_field_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let store = new_store(dir.path(), Role::Outreach, &clock);
    store.set_device_location(Some("van-1")).unwrap();
    let now = clock.now();
    let cases: Vec<(&str, NewEncounter)> = vec![
        ("zone", NewEncounter { zone: "atlantis".into(), ..street(now) }),
        ("items", NewEncounter { items: vec![iq("unicorn", 1)], ..street(now) }),
        ("items.quantity", NewEncounter { items: vec![iq("syringe-1ml", 0)], ..street(now) }),
        ("items.quantity", NewEncounter { items: vec![iq("syringe-1ml", 5000)], ..street(now) }),
        ("items", NewEncounter { items: vec![iq("cooker", 1), iq("cooker", 2)], ..street(now) }),
        ("occurred_at", NewEncounter { occurred_at: now + Duration::days(2), ..street(now) }),
        ("occurred_at", NewEncounter { occurred_at: now - Duration::days(400), ..street(now) }),
        ("participant_code", NewEncounter { participant_code: Some("A!".into()), ..street(now) }),
        ("geohash", NewEncounter { geohash: Some("dr5regw".into()), ..street(now) }),
        ("geohash", NewEncounter { geohash: Some("dr5ra".into()), ..street(now) }), // 'a' is not geohash
        ("age_band", NewEncounter { age_band: Some("99-100".into()), ..street(now) }),
        ("referrals", NewEncounter { referrals: vec!["moud".into(), "moud".into()], ..street(now) }),
        ("substances", NewEncounter { substances: vec!["glitter".into()], ..street(now) }),
        ("collecting_for", NewEncounter { collecting_for: 500, ..street(now) }),
    ];
    for (field, bad) in cases {
        match store.log_encounter(&bad) {
            Err(Error::Invalid { field: f, reason }) => {
                assert_eq!(f, field);
                assert!(!reason.contains("A!"), "errors never echo codes");
            }
            other => panic!("{field}: expected Invalid, got {other:?}"),
        }
    }
    assert!(matches!(store.log_from_kit("nope", &[], &street(now)), Err(Error::Invalid { field, .. }) if field == "kit"));
    assert!(matches!(store.receive_stock("van-1", "syringe-1ml", 0), Err(Error::Invalid { .. })));
    assert!(matches!(store.receive_stock("moon", "syringe-1ml", 1), Err(Error::Invalid { field, .. }) if field == "location"));
    assert!(matches!(store.transfer_stock("van-1", "van-1", "syringe-1ml", 1), Err(Error::Invalid { .. })));
    assert!(matches!(store.adjust_stock("van-1", "syringe-1ml", 0, AdjustReason::Lost), Err(Error::Invalid { .. })));
    assert!(matches!(store.set_device_location(Some("moon")), Err(Error::Invalid { .. })));
    assert!(matches!(store.put_setting(Setting::Program(Program::default())), Err(Error::NotPermitted(_))));
    let bad_period = TallyQuery::period(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    assert!(matches!(store.tally(&bad_period), Err(Error::Invalid { field, .. }) if field == "period"));

    assert!(store.recent_encounters(10).unwrap().is_empty());
    assert!(store.stock_levels(None).unwrap().is_empty());
    assert!(store.outbox_status().unwrap().iter().all(|s| s.pending == 0 && s.next_seq == 1));
}

#[test]
fn outbox_sequences_per_stream_and_acknowledgements() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let store = new_store(dir.path(), Role::Outreach, &clock);
    store.set_device_location(Some("van-1")).unwrap();
    let id = store.log_encounter(&street(clock.now())).unwrap();
    store.receive_stock("van-1", "condom", 100).unwrap();
    let enc = store.outbox_pending(Stream::Encounters, 100).unwrap();
    let inv = store.outbox_pending(Stream::Inventory, 100).unwrap();
    assert_eq!(enc.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1]);
    assert_eq!(inv.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2, 3], "two distributed + one received");
    match Record::decode(&enc[0].payload).unwrap() {
        Record::Encounter(e) => {
            assert_eq!(e.encounter_id, id);
            assert!(e.participant.is_some());
        }
        other => panic!("unexpected {other:?}"),
    }
    // Movements carry nothing of the participant.
    for entry in &inv {
        let text = String::from_utf8(entry.payload.clone()).unwrap();
        assert!(!text.contains("participant") && !text.contains(&id.to_string()));
    }
    assert!(store.acknowledge(Stream::Inventory, 9).is_err(), "cannot acknowledge what was never sent");
    store.acknowledge(Stream::Inventory, 2).unwrap();
    store.acknowledge(Stream::Inventory, 1).unwrap(); // an old acknowledgement is harmless
    let status = store.outbox_status().unwrap();
    let inv_status = status.iter().find(|s| s.stream == Stream::Inventory).unwrap();
    assert_eq!((inv_status.pending, inv_status.acked_seq, inv_status.next_seq), (1, 2, 4));
    assert!(!store.get_encounter(id).unwrap().unwrap().synced);
    store.acknowledge(Stream::Encounters, 1).unwrap();
    assert!(store.get_encounter(id).unwrap().unwrap().synced);
}

fn setting_record(key: &str, value: serde_json::Value, hlc: u64, device: u128) -> Record {
    Record::Setting(SettingRecord { id: Uuid::now_v7(), key: key.into(), value, hlc, device: Uuid::from_u128(device) })
}

#[test]
fn settings_from_managers_win_by_clock_then_device() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let phone = new_store(dir.path(), Role::Outreach, &clock);
    let zone = |label: &str| serde_json::json!({"id": "harbor", "label": label, "position": 9, "active": true});
    phone.apply_records(&[setting_record("zone/harbor", zone("Harbor B"), 10, 2)]).unwrap();
    phone.apply_records(&[setting_record("zone/harbor", zone("Harbor A"), 10, 1)]).unwrap(); // tie, lower device
    phone.apply_records(&[setting_record("zone/harbor", zone("Harbor old"), 9, 9)]).unwrap(); // older
    let label = |s: &Store| s.settings().unwrap().zones.iter().find(|z| z.id == "harbor").unwrap().label.clone();
    assert_eq!(label(&phone), "Harbor B");
    phone.apply_records(&[setting_record("zone/harbor", zone("Harbor C"), 11, 1)]).unwrap();
    assert_eq!(label(&phone), "Harbor C");

    // A bad record in a batch changes nothing, not even the good ones before it.
    let batch = [
        setting_record("zone/harbor", zone("Harbor D"), 12, 1),
        setting_record("zone/other", zone("Mismatched id"), 12, 1),
    ];
    assert!(matches!(phone.apply_records(&batch), Err(Error::BadRecord(_))));
    assert_eq!(label(&phone), "Harbor C");

    // An outreach phone does not take encounters.
    let mgr_dir = tempfile::tempdir().unwrap();
    let manager = new_store(mgr_dir.path(), Role::Manager, &clock);
    manager.put_setting(Setting::Choice(ListKind::Zone, Choice { id: "harbor".into(), label: "Harbor".into(), label_es: Some("Puerto".into()), position: 5, active: true })).unwrap();
    let sent: Vec<Record> = manager
        .outbox_pending(Stream::Settings, 10)
        .unwrap()
        .iter()
        .map(|e| Record::decode(&e.payload).unwrap())
        .collect();
    assert_eq!(sent.len(), 1);
    phone.apply_records(&sent).unwrap();
    assert_eq!(label(&phone), "Harbor", "a real clock stamp beats the small test stamps");
}

#[test]
fn stock_converges_across_devices_and_managers_tally_everyone() {
    let clock = TestClock::at(monday_noon());
    let (d1, d2, dm) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = new_store(d1.path(), Role::Outreach, &clock);
    let b = new_store(d2.path(), Role::Outreach, &clock);
    let manager = new_store(dm.path(), Role::Manager, &clock);
    // The program's participant key is shared by every device.
    let keys = manager.program_keys().unwrap();
    a.set_program_keys(&keys).unwrap();
    b.set_program_keys(&keys).unwrap();
    for s in [&a, &b] {
        s.set_device_location(Some("van-1")).unwrap();
    }
    a.receive_stock("van-1", "syringe-1ml", 500).unwrap();
    a.log_encounter(&street(clock.now())).unwrap();
    clock.advance(Duration::minutes(5));
    b.count_stock("van-1", "syringe-1ml", 470).unwrap();
    clock.advance(Duration::minutes(5));
    b.log_encounter(&NewEncounter { contact_type: ContactType::MobileUnit, ..street(clock.now()) }).unwrap();
    let voided = b.log_encounter(&street(clock.now())).unwrap();
    b.void_encounter(voided).unwrap();

    let records = |s: &Store, stream| -> Vec<Record> {
        s.outbox_pending(stream, 1000).unwrap().iter().map(|e| Record::decode(&e.payload).unwrap()).collect()
    };
    let from_a = records(&a, Stream::Inventory);
    let from_b = records(&b, Stream::Inventory);
    a.apply_records(&from_b).unwrap();
    b.apply_records(&from_a.iter().rev().cloned().collect::<Vec<_>>()).unwrap();
    b.apply_records(&from_a).unwrap(); // again: harmless
    assert_eq!(a.stock_levels(None).unwrap(), b.stock_levels(None).unwrap());
    let syringes = a.stock_levels(Some("van-1")).unwrap().into_iter().find(|l| l.item == "syringe-1ml").unwrap();
    assert_eq!(syringes.level, 470 - 20, "the count overrides what came before it; the void gives back");

    assert!(matches!(a.apply_records(&records(&b, Stream::Encounters)), Err(Error::NotPermitted(_))));
    // A version of b's encounter claiming another author is refused by the manager.
    let mut forged = records(&b, Stream::Encounters);
    if let Some(Record::Encounter(e)) = forged.last_mut() {
        e.author = a.device_id().unwrap();
    }
    for s in [&a, &b] {
        manager.apply_records(&records(s, Stream::Encounters)).unwrap();
        manager.apply_records(&records(s, Stream::Inventory)).unwrap();
    }
    assert!(matches!(manager.apply_records(&forged), Err(Error::BadRecord(_))));
    let day = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
    let t = manager.tally(&TallyQuery { by: Some(Granularity::Week), ..TallyQuery::period(day, day) }).unwrap();
    assert_eq!(t.total.encounters, 2);
    assert_eq!(t.total.participants, 1, "the same code on two phones is one participant");
    assert_eq!(t.total.by_contact_type["street"], 1);
    assert_eq!(t.total.by_contact_type["mobile_unit"], 1);
    assert_eq!(t.buckets.len(), 1);
    assert_eq!(manager.stock_levels(None).unwrap(), a.stock_levels(None).unwrap());
    let only_a = manager.tally(&TallyQuery { device: Some(a.device_id().unwrap()), ..TallyQuery::period(day, day) }).unwrap();
    assert_eq!(only_a.total.encounters, 1);
    assert_eq!(only_a.total.items["syringe-1ml"].units, 20);
    let elsewhere = manager.tally(&TallyQuery { zone: Some("riverside".into()), ..TallyQuery::period(day, day) }).unwrap();
    assert_eq!(elsewhere.total.encounters, 0);
    assert!(elsewhere.total.items.is_empty());
}

#[test]
fn tallies_bucket_by_local_date_and_follow_time_zone_changes() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let manager = new_store(dir.path(), Role::Manager, &clock);
    // 03:00 UTC on Tuesday is still Monday evening in New York.
    let late = monday_noon() + Duration::hours(15);
    clock.advance(Duration::hours(16));
    manager.log_encounter(&street(late)).unwrap();
    let monday = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
    let tuesday = monday.succ_opt().unwrap();
    assert_eq!(manager.tally(&TallyQuery::period(monday, monday)).unwrap().total.encounters, 1);
    manager.put_setting(Setting::Program(Program { time_zone: "Europe/Berlin".into(), ..Program::default() })).unwrap();
    assert_eq!(manager.tally(&TallyQuery::period(monday, monday)).unwrap().total.encounters, 0);
    let t = manager.tally(&TallyQuery::period(tuesday, tuesday)).unwrap();
    assert_eq!(t.total.encounters, 1);
    assert_eq!(t.total.items["naloxone-nasal"].doses, 2, "naloxone counts in doses");
    assert_eq!(t.total.naloxone_doses_distributed, 2);
    let month = manager
        .tally(&TallyQuery {
            by: Some(Granularity::Month),
            ..TallyQuery::period(NaiveDate::from_ymd_opt(2026, 10, 20).unwrap(), NaiveDate::from_ymd_opt(2026, 12, 5).unwrap())
        })
        .unwrap();
    assert_eq!(month.buckets.len(), 3);
    assert_eq!(month.buckets[1].measures.encounters, 1);
    // 47 days: the trend is by week, and its weeks add up to the period.
    assert_eq!(month.trend_by, Granularity::Week);
    assert_eq!(month.trend.iter().map(|w| w.measures.encounters).sum::<u64>(), 1);
}

#[test]
fn retention_purges_only_acknowledged_old_encounters() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let store = new_store(dir.path(), Role::Outreach, &clock);
    let old_synced = store.log_encounter(&street(clock.now())).unwrap();
    let old_unsynced = store.log_encounter(&NewEncounter { participant_code: Some("XY77QQ".into()), ..street(clock.now()) }).unwrap();
    store.acknowledge(Stream::Encounters, 1).unwrap();
    clock.advance(Duration::days(8));
    let fresh = store.log_encounter(&street(clock.now())).unwrap();
    assert_eq!(store.purge_expired().unwrap(), 1);
    assert!(store.get_encounter(old_synced).unwrap().is_none());
    assert!(store.get_encounter(old_unsynced).unwrap().is_some(), "never purge what the server has not got");
    assert!(store.get_encounter(fresh).unwrap().is_some());
    assert!(store.participant_seen("MA12JS").unwrap(), "still referenced by the fresh encounter");
    store.integrity_check().unwrap();
}

#[test]
fn panic_wipe_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path(), common::options(Role::Outreach)).unwrap();
    store.log_encounter(&street(store.now())).unwrap();
    let _ = store.unlock_with_pin("0000"); // leaves an attempts file too
    store.wipe().unwrap();
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    assert!(matches!(Store::open(dir.path()), Err(Error::NoStore(_))));
    // Wiping what is already gone, or a store with parts missing, still succeeds.
    satchel_core::wipe(dir.path()).unwrap();
}

#[test]
fn the_store_can_be_shared_between_threads() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(Store::create(dir.path(), common::options(Role::Outreach)).unwrap());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let s = store.clone();
            std::thread::spawn(move || {
                for _ in 0..10 {
                    s.log_encounter(&street(s.now())).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(store.recent_encounters(100).unwrap().len(), 40);
    let status = store.outbox_status().unwrap();
    assert_eq!(status.iter().find(|s| s.stream == Stream::Encounters).unwrap().next_seq, 41);
}

#[test]
fn movements_from_other_devices_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let store = new_store(dir.path(), Role::Outreach, &clock);
    let bad = MovementRecord {
        id: Uuid::now_v7(),
        author: Uuid::now_v7(),
        kind: MovementKind::Counted,
        location: "van-1".into(),
        item: "syringe-1ml".into(),
        quantity: -5,
        occurred_at: 0,
        reason: None,
        counterpart: None,
    };
    assert!(matches!(store.apply_records(&[Record::Movement(bad)]), Err(Error::BadRecord(_))));
    assert!(store.stock_levels(None).unwrap().is_empty());
}

#[test]
fn a_correction_that_moves_the_time_keeps_counts_right() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let store = new_store(dir.path(), Role::Outreach, &clock);
    store.set_device_location(Some("van-1")).unwrap();
    store.receive_stock("van-1", "syringe-1ml", 100).unwrap();
    // Logged at 12:00 by mistake; it really happened at 12:30, after a count at 12:10.
    let id = store.log_encounter(&street(clock.now())).unwrap();
    clock.advance(Duration::minutes(10));
    store.count_stock("van-1", "syringe-1ml", 80).unwrap();
    clock.advance(Duration::minutes(20));
    let level = || store.stock_levels(Some("van-1")).unwrap().into_iter().find(|l| l.item == "syringe-1ml").unwrap().level;
    assert_eq!(level(), 80);
    store.correct_encounter(id, &street(clock.now())).unwrap();
    assert_eq!(level(), 60, "the 20 syringes now leave after the count");
}

#[test]
fn received_settings_are_range_checked() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let phone = new_store(dir.path(), Role::Outreach, &clock);
    let off = serde_json::to_value(Program { small_cell_threshold: 0, ..Program::default() }).unwrap();
    assert!(matches!(phone.apply_records(&[setting_record("program", off, 99, 1)]), Err(Error::BadRecord(_))));
    assert_eq!(phone.settings().unwrap().program.small_cell_threshold, 11);
}

#[test]
fn debug_output_carries_no_participant_data() {
    let e = NewEncounter { participant_code: Some("SECRETCODE1".into()), ..street(monday_noon()) };
    let shown = format!("{e:?}");
    assert!(!shown.contains("SECRETCODE1") && !shown.contains("opioids"), "{shown}");
}

#[test]
fn exported_tables_hide_small_counts_and_keep_totals_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let store = new_store(dir.path(), Role::Outreach, &clock);
    for i in 0..40u32 {
        let e = NewEncounter {
            zone: ["downtown", "riverside", "eastside"][(i % 3) as usize].into(),
            items: if i % 4 == 0 { vec![iq("syringe-1ml", 10), iq("syringe-3ml", 1)] } else { vec![iq("syringe-1ml", 10)] },
            participant_code: Some(format!("PP{:02}XX", i % 25)),
            ..street(clock.now())
        };
        store.log_encounter(&e).unwrap();
        clock.advance(Duration::hours(5));
    }
    let (from, to) = (NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
    let tally = store.tally(&TallyQuery { by: Some(Granularity::Month), ..TallyQuery::period(from, to) }).unwrap();
    let (tables, ratio) = satchel_core::suppress_tally(&tally, Some(Granularity::Month), 11);
    for t in &tables {
        for row in &t.rows {
            for cell in row.cells.iter().chain(row.total.iter()) {
                if let satchel_core::Cell::Count(n) = cell {
                    assert!(*n == 0 || *n >= 11, "{} shows {n}", t.name);
                }
            }
        }
    }
    let encounters = tables.iter().find(|t| t.name == "encounters").unwrap();
    assert_eq!(encounters.rows.last().unwrap().total, Some(satchel_core::Cell::Count(40)));
    assert!(encounters.columns.contains(&"zone/downtown".to_string()));
    let syringes = tables.iter().find(|t| t.name == "syringes_distributed").unwrap();
    let period = syringes.rows.last().unwrap();
    assert_eq!(period.part, "period");
    assert_eq!(period.total, Some(satchel_core::Cell::Count(tally.total.syringes_distributed)));
    assert_eq!(tally.total.syringes_distributed, 400 + 10);
    // 10 small-syringe units are hidden, and so is a partner so that 400 + 10 cannot betray them.
    assert!(period.cells.iter().filter(|c| **c == satchel_core::Cell::Suppressed).count() != 1);
    assert_eq!(ratio, Some(tally.total.syringes_collected as f64 / 410.0));
    // Months and weeks both appear, sharing the period row.
    assert!(syringes.rows.iter().any(|r| r.part == "month") && syringes.rows.iter().any(|r| r.part == "week"));
}

#[test]
fn program_keys_are_set_only_before_anything_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let store = new_store(dir.path(), Role::Outreach, &clock);
    let keys = store.program_keys().unwrap();
    store.set_program_keys(&keys).unwrap();
    store.log_encounter(&street(clock.now())).unwrap();
    assert!(matches!(store.set_program_keys(&keys), Err(Error::NotPermitted(_))));
}

/// An older program computes version 1 references until its manager raises the version (D74);
/// the version never goes back, and the reporting key, once made, is never changed by hand.
#[test]
fn participant_references_go_up_a_version_and_never_back() {
    let clock = TestClock::at(monday_noon());
    let dir = tempfile::tempdir().unwrap();
    let manager = new_store(dir.path(), Role::Manager, &clock);
    let program = manager.settings().unwrap().program;
    assert_eq!(program.participant_references, 1, "a store's own default is the older version");
    manager.log_encounter(&street(clock.now())).unwrap();
    assert!(manager.participant_seen("MA12JS").unwrap());
    manager.put_setting(Setting::Program(Program { participant_references: 2, ..program.clone() })).unwrap();
    assert!(!manager.participant_seen("MA12JS").unwrap(), "a version 2 reference is another value");
    manager.log_encounter(&street(clock.now())).unwrap();
    assert!(manager.participant_seen("MA12JS").unwrap());
    for bad in [1, 3, 0] {
        let err = manager.put_setting(Setting::Program(Program { participant_references: bad, ..program.clone() })).unwrap_err();
        assert!(err.to_string().contains("program.participant_references"), "{bad}: {err}");
    }
    assert_eq!(manager.settings().unwrap().program.participant_references, 2, "nothing written");
    assert!(manager.ensure_reporting_key().unwrap());
    let with_key = manager.settings().unwrap().program;
    let err = manager.put_setting(Setting::Program(Program { reporting_key: None, ..with_key.clone() })).unwrap_err();
    assert!(err.to_string().contains("program.reporting_key"), "{err}");
}
