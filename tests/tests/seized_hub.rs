//! A seized phone together with the whole hub: one phone's store, its unlocked program keys,
//! every segment the hub holds (what its database or a backup gives), and a photographed
//! enrollment code redeemed. No encounter of another phone opens, nor the phone's own once it
//! has left the phone: encounters are sealed to the managers' reporting key. The team key opens
//! stock and settings, which carry nothing of participants. The manager reads everything.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

use chrono::{Duration, Utc};
use satchel_core::{Choice, ItemQuantity, ListKind, Location, NewEncounter, Role, Setting, Stream, TallyQuery};
use satchel_e2e::*;

fn log(phone: &Device, code: &str, n: usize) {
    for i in 0..n {
        let mut e = NewEncounter::new(Utc::now() - Duration::minutes(i as i64), "downtown");
        e.participant_code = Some(code.into());
        e.items = vec![ItemQuantity { item: "syringe-1ml".into(), quantity: 10 }];
        phone.store.log_encounter(&e).unwrap();
    }
}

#[test]
fn a_phone_and_the_whole_hub_open_no_encounter() {
    let server = Server::start();
    let net = http(&server);
    let manager = manager(&server);
    manager
        .store
        .put_setting(Setting::Choice(ListKind::Zone, Choice { id: "downtown".into(), label: "Downtown".into(), label_es: None, position: 0, active: true }))
        .unwrap();
    manager.store.put_setting(Setting::Location(Location { id: "van".into(), name: "Van".into(), name_es: None, active: true })).unwrap();
    manager.store.sync_now(&net).unwrap();
    let seized = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    let other = enrolled(&server, &manager, "Van 2", Role::Outreach, Duration::zero());
    for (phone, code) in [(&seized, "AB01CD"), (&other, "EF02GH")] {
        phone.store.sync_now(&net).unwrap();
        phone.store.set_device_location(Some("van")).unwrap();
        log(phone, code, 6);
        phone.store.sync_now(&net).unwrap();
    }
    // A code for a third phone, photographed before it was used, then redeemed by the thief.
    let (photographed, _) = manager.store.create_enrollment("Van 3", Role::Outreach, &net).unwrap();
    let thief = new_device(Role::Outreach, Duration::zero());
    thief.store.enroll_with_code(&photographed, &net).unwrap();

    // Every key the attacker holds, as raw 32-byte values.
    let mut keys: Vec<[u8; 32]> = Vec::new();
    for store in [&seized.store, &thief.store] {
        let k = store.program_keys().unwrap();
        assert!(k.reporting_private.is_none(), "a phone holds no key that opens encounters");
        keys.push(*k.data_key);
        keys.push(*k.participant_key);
        keys.extend(k.reporting_public);
    }

    let hub = server.all_segments();
    let (mut encounter_segments, mut team_segments) = (0, 0);
    for p in &hub.segments {
        let s = &p.segment;
        match s.header.stream {
            Stream::Encounters => {
                encounter_segments += 1;
                assert!(s.is_for_managers(), "an encounter segment under the team key");
                for k in &keys {
                    assert!(satchel_protocol::open(k, s).is_err(), "an encounter segment opened with a phone's key");
                    assert!(satchel_protocol::open_as_manager(k, s).is_err(), "an encounter segment opened with a phone's key");
                }
            }
            _ => {
                // The attack itself works: stock and settings open with the team key.
                assert!(satchel_protocol::open(&keys[0], s).is_ok());
                team_segments += 1;
            }
        }
    }
    assert!(encounter_segments >= 2 && team_segments >= 2, "{encounter_segments} encounter, {team_segments} team segments");

    // The manager reads every encounter of both phones.
    manager.store.sync_now(&net).unwrap();
    let today = Utc::now().date_naive();
    let tally = manager.store.tally(&TallyQuery::period(today - chrono::Days::new(1), today)).unwrap();
    assert_eq!(tally.total.encounters, 12);
    let status = manager.store.sync_status().unwrap();
    assert_eq!(status.quarantined, 0, "{status:?}");
}

#[test]
fn a_manager_enrolled_later_reads_the_encounters_and_a_phone_enrolled_later_does_not() {
    let server = Server::start();
    let net = http(&server);
    let first = manager(&server);
    first.store.put_setting(Setting::Choice(ListKind::Zone, Choice { id: "downtown".into(), label: "Downtown".into(), label_es: None, position: 0, active: true })).unwrap();
    first.store.sync_now(&net).unwrap();
    let phone = enrolled(&server, &first, "Van 1", Role::Outreach, Duration::zero());
    phone.store.sync_now(&net).unwrap();
    log(&phone, "AB01CD", 3);
    phone.store.sync_now(&net).unwrap();

    let second = enrolled(&server, &first, "Office laptop", Role::Manager, Duration::zero());
    assert!(second.store.program_keys().unwrap().reporting_private.is_some());
    second.store.sync_now(&net).unwrap();
    let today = Utc::now().date_naive();
    let query = TallyQuery::period(today - chrono::Days::new(1), today);
    assert_eq!(second.store.tally(&query).unwrap().total.encounters, 3);
    // Only one reporting key for the program: the second manager made none of its own.
    assert_eq!(second.store.reporting_public_key().unwrap(), first.store.reporting_public_key().unwrap());
}

fn location(id: &str) -> Setting {
    Setting::Location(Location { id: id.into(), name: id.into(), name_es: None, active: true })
}

fn has_location(device: &Device, id: &str) -> bool {
    device.store.settings().unwrap().locations.iter().any(|l| l.id == id)
}

/// Every raw key a store holds that could open a segment: team keys of every epoch, the
/// participant key, the reporting key.
fn raw_keys(device: &Device) -> Vec<[u8; 32]> {
    let k = device.store.program_keys().unwrap();
    let mut keys = vec![*k.data_key, *k.participant_key];
    keys.extend(k.older.iter().map(|(_, key)| **key));
    keys.extend(k.reporting_public);
    keys.extend(k.reporting_private.map(|p| *p));
    keys
}

#[test]
fn a_revoked_phone_reads_no_stock_or_setting_written_after_its_revocation() {
    revocation_replaces_the_team_key(Server::start());
    if let Some(server) = Server::start_on(Backend::Postgres) {
        revocation_replaces_the_team_key(server);
    }
}

fn revocation_replaces_the_team_key(server: Server) {
    let net = http(&server);
    let manager = manager(&server);
    manager.store.put_setting(location("van")).unwrap();
    manager.store.sync_now(&net).unwrap();
    let kept = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    let lost = enrolled(&server, &manager, "Van 2", Role::Outreach, Duration::zero());
    for phone in [&kept, &lost] {
        phone.store.sync_now(&net).unwrap();
        assert!(has_location(phone, "van"));
    }
    // A code handed out before the revocation and scanned after it.
    let (late_code, _) = manager.store.create_enrollment("Van 3", Role::Outreach, &net).unwrap();
    // What the thief of the lost phone holds: its store's every key.
    let stolen = raw_keys(&lost);
    assert_eq!(lost.store.program_keys().unwrap().epoch, 1);

    assert!(manager.store.revoke_device(lost.store.device_id().unwrap(), &net).unwrap(), "replaced at once");
    assert_eq!(manager.store.program_keys().unwrap().epoch, 2, "the revocation replaced the team key");
    assert!(lost.store.sync_now(&net).is_err(), "the revoked phone's credential is refused");

    // Written after the revocation: a setting by the manager, stock by the phone kept.
    manager.store.put_setting(location("clinic")).unwrap();
    manager.store.sync_now(&net).unwrap();
    // Stock logged before the phone kept has heard of the new key: the hub refuses it under the
    // old one, and the same sync takes the new key and seals it again.
    kept.store.receive_stock("van", "naloxone-nasal", 24).unwrap();
    kept.store.sync_now(&net).unwrap();
    assert_eq!(kept.store.program_keys().unwrap().epoch, 2, "the phone kept took the new key from its envelope");
    assert!(has_location(&kept, "clinic"));
    assert_eq!(kept.store.sync_status().unwrap().pending, 0);
    manager.store.sync_now(&net).unwrap();
    let van = manager.store.stock_levels(Some("van")).unwrap();
    assert!(van.iter().any(|l| l.item == "naloxone-nasal" && l.level == 24), "{van:?}");

    // The whole hub, with every key of the lost phone: nothing written since opens.
    let hub = server.all_segments();
    let mut after = 0;
    for p in &hub.segments {
        let s = &p.segment;
        if s.header.stream == Stream::Encounters {
            continue;
        }
        if s.header.key_epoch >= 2 {
            after += 1;
            for k in &stolen {
                assert!(satchel_protocol::open(k, s).is_err(), "a segment written after the revocation opened with the lost phone's key");
            }
        } else {
            // Before the revocation the lost phone read them anyway.
            assert!(satchel_protocol::open(&stolen[0], s).is_ok());
        }
    }
    assert!(after >= 2, "the manager's setting and the kept phone's stock, under epoch 2: {after}");

    // A phone enrolled after the revocation reads what came before it and after it.
    let newer = enrolled(&server, &manager, "Van 4", Role::Outreach, Duration::zero());
    newer.store.sync_now(&net).unwrap();
    assert!(has_location(&newer, "van") && has_location(&newer, "clinic"));
    assert_eq!(newer.store.sync_status().unwrap().quarantined, 0);

    // The code from before the revocation: its phone waits for the new key (skipping nothing),
    // and has it once a manager has synced.
    let late = new_device(Role::Outreach, Duration::zero());
    late.store.enroll_with_code(&late_code, &net).unwrap();
    let waiting = late.store.sync_now(&net).unwrap_err();
    assert!(waiting.to_string().contains("new team key"), "{waiting}");
    manager.store.sync_now(&net).unwrap();
    late.store.sync_now(&net).unwrap();
    assert!(has_location(&late, "van") && has_location(&late, "clinic"));
    for phone in [&kept, &late, &newer, &manager] {
        assert_eq!(phone.store.sync_status().unwrap().quarantined, 0);
    }
}

/// A hub restored from a backup taken before a revocation has lost the new epoch; the manager's
/// next sync gives it back (sealed again to every device it knows), and a phone that did not
/// take the new key before the disk was lost takes it then.
#[test]
fn a_hub_restored_from_before_a_revocation_gets_the_new_epoch_back() {
    let server = Server::start();
    let net = http(&server);
    let manager = manager(&server);
    manager.store.put_setting(location("van")).unwrap();
    manager.store.sync_now(&net).unwrap();
    let (kept, lost) = (
        enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero()),
        enrolled(&server, &manager, "Van 2", Role::Outreach, Duration::zero()),
    );
    for phone in [&kept, &lost] {
        phone.store.sync_now(&net).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    server.backup(&dir.path().join("hub-backup"));
    assert!(manager.store.revoke_device(lost.store.device_id().unwrap(), &net).unwrap());
    server.restore_from(&dir.path().join("hub-backup"));

    // The restored hub knows the lost phone again (its revocation is after the backup): revoke
    // it again, and the manager's store, already at epoch 2, gives the hub that epoch back.
    let net = http(&server);
    manager.store.revoke_device(lost.store.device_id().unwrap(), &net).unwrap();
    manager.store.put_setting(location("clinic")).unwrap();
    manager.store.sync_now(&net).unwrap();
    assert_eq!(manager.store.program_keys().unwrap().epoch, 3, "the second revocation made epoch 3");
    kept.store.sync_now(&net).unwrap();
    assert_eq!(kept.store.program_keys().unwrap().epoch, 3);
    assert!(has_location(&kept, "clinic"));
    assert_eq!(kept.store.sync_status().unwrap().quarantined, 0);
    let stolen = raw_keys(&lost);
    for p in server.all_segments().segments.iter().filter(|p| p.segment.header.key_epoch >= 2) {
        for k in &stolen {
            assert!(satchel_protocol::open(k, &p.segment).is_err());
        }
    }
}

/// A program from before the reporting key: its phones sealed encounters under the team key,
/// which every phone holds. The manager's next sync seals them again to the managers, and the
/// hub replaces them; after that a phone's keys and the whole hub open none of them, and a
/// manager enrolled later still reads every one.
#[test]
fn encounters_sealed_under_the_team_key_are_sealed_again_to_the_managers() {
    legacy_encounters_are_resealed(Server::start());
    if let Some(server) = Server::start_on(Backend::Postgres) {
        legacy_encounters_are_resealed(server);
    }
}

fn legacy_encounters_are_resealed(server: Server) {
    let net = http(&server);
    let manager = manager(&server);
    manager
        .store
        .put_setting(Setting::Choice(ListKind::Zone, Choice { id: "downtown".into(), label: "Downtown".into(), label_es: None, position: 0, active: true }))
        .unwrap();
    manager.store.put_setting(location("van")).unwrap();
    manager.store.sync_now(&net).unwrap();
    let phone = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    phone.store.sync_now(&net).unwrap();
    phone.store.set_device_location(Some("van")).unwrap();
    log(&phone, "AB01CD", 5);
    phone.store.sync_now(&net).unwrap();

    // Make the hub what an older program's hub holds: the same records under the team key.
    let keys = manager.store.program_keys().unwrap();
    let private = keys.reporting_private.clone().unwrap();
    let mut legacy = 0;
    for p in server.all_segments().segments.iter().filter(|p| p.segment.header.stream == Stream::Encounters) {
        let records = satchel_protocol::open_as_manager(&private, &p.segment).unwrap();
        server.rewrite_segment(&satchel_protocol::seal(&keys.data_key, p.segment.header, &records).unwrap());
        legacy += 1;
    }
    assert!(legacy >= 1);
    let stolen = raw_keys(&phone);
    let opened = |segments: &satchel_protocol::wire::PullResponse| {
        segments
            .segments
            .iter()
            .filter(|p| p.segment.header.stream == Stream::Encounters)
            .filter(|p| stolen.iter().any(|k| satchel_protocol::open(k, &p.segment).is_ok()))
            .count()
    };
    assert_eq!(opened(&server.all_segments()), legacy, "the attack works on an older program's hub");

    manager.store.sync_now(&net).unwrap();
    let hub = server.all_segments();
    assert_eq!(opened(&hub), 0, "after the manager's sync no encounter opens with a phone's key");
    assert!(hub.segments.iter().filter(|p| p.segment.header.stream == Stream::Encounters).all(|p| p.segment.is_for_managers()));
    let today = Utc::now().date_naive();
    let query = TallyQuery::period(today - chrono::Days::new(1), today);
    assert_eq!(manager.store.tally(&query).unwrap().total.encounters, 5);
    let later = enrolled(&server, &manager, "Office laptop", Role::Manager, Duration::zero());
    later.store.sync_now(&net).unwrap();
    assert_eq!(later.store.tally(&query).unwrap().total.encounters, 5, "a manager enrolled later reads them all");
    assert_eq!(later.store.sync_status().unwrap().quarantined, 0);
    assert_eq!(manager.store.sync_status().unwrap().quarantined, 0);
}

/// Device labels reach the hub sealed to the managers, padded to one length; the manager's list
/// shows them opened, and seals there any label the hub holds in clear.
#[test]
fn device_labels_reach_the_hub_only_sealed() {
    let server = Server::start();
    let net = http(&server);
    let manager = manager(&server);
    let phone = enrolled(&server, &manager, "Maria Lopez phone", Role::Outreach, Duration::zero());
    phone.store.sync_now(&net).unwrap();
    assert!(!server.stores("Maria Lopez"), "the label is on the hub in clear");
    let stored = server.stored_labels();
    assert!(stored.contains(&"Manager".to_string()), "the hub's own label for the first manager, in clear: {stored:?}");
    let listed = manager.store.list_devices(&net).unwrap();
    let labels: Vec<&str> = listed.iter().map(|d| d.label.as_str()).collect();
    assert_eq!(labels, ["Manager", "Maria Lopez phone"]);
    let stored = server.stored_labels();
    assert!(stored.iter().all(|l| satchel_protocol::label::is_sealed(l)), "the list sealed the one in clear: {stored:?}");
    assert!(stored.iter().all(|l| l.len() == stored[0].len()), "one length for every label");
    assert_eq!(manager.store.list_devices(&net).unwrap(), listed, "the list reads the same once sealed");
}

/// A program started now computes participant references with a memory-hard step (D74), on
/// every device alike: a phone that logs before its first sync (it has the version from its
/// enrollment) and one that logs after give the same reference, and the bare HMAC an attacker
/// with the participant key would try matches neither.
#[test]
fn a_new_program_computes_references_with_a_memory_hard_step_on_every_device() {
    use satchel_core::{participant, Record};
    let server = Server::start();
    let net = http(&server);
    let manager = manager(&server);
    assert_eq!(manager.store.settings().unwrap().program.participant_references, 2);
    manager.store.put_setting(location("van")).unwrap();
    manager
        .store
        .put_setting(Setting::Choice(ListKind::Zone, Choice { id: "downtown".into(), label: "Downtown".into(), label_es: None, position: 0, active: true }))
        .unwrap();
    manager.store.sync_now(&net).unwrap();
    let early = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    let later = enrolled(&server, &manager, "Van 2", Role::Outreach, Duration::zero());
    // Logged before its first sync: only the enrollment says which version.
    let mut e = NewEncounter::new(Utc::now(), "downtown");
    e.participant_code = Some("AB01CD".into());
    early.store.log_encounter(&e).unwrap();
    later.store.sync_now(&net).unwrap();
    later.store.log_encounter(&e).unwrap();
    for phone in [&early, &later] {
        phone.store.sync_now(&net).unwrap();
    }
    manager.store.sync_now(&net).unwrap();
    let today = Utc::now().date_naive();
    let total = manager.store.tally(&TallyQuery::period(today - chrono::Days::new(1), today)).unwrap().total;
    assert_eq!((total.encounters, total.participants), (2, 1), "one person, one reference, on both phones");

    let keys = manager.store.program_keys().unwrap();
    let v2 = participant::reference(&keys.participant_key, "AB01CD", 2).unwrap();
    let bare = satchel_core::crypto::hmac16(&keys.participant_key, b"AB01CD");
    let mut seen = 0;
    for p in server.all_segments().segments.iter().filter(|p| p.segment.header.stream == Stream::Encounters) {
        for payload in open_segment(&keys, &p.segment) {
            let Record::Encounter(r) = Record::decode(&payload).unwrap() else { panic!("an encounter segment holds another record") };
            assert_eq!(r.participant, Some(v2));
            assert_ne!(r.participant, Some(bare));
            seen += 1;
        }
    }
    assert_eq!(seen, 2);
}
