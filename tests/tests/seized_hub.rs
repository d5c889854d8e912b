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
        .put_setting(Setting::Choice(ListKind::Zone, Choice { id: "downtown".into(), label: "Downtown".into(), position: 0, active: true }))
        .unwrap();
    manager.store.put_setting(Setting::Location(Location { id: "van".into(), name: "Van".into(), active: true })).unwrap();
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
    first.store.put_setting(Setting::Choice(ListKind::Zone, Choice { id: "downtown".into(), label: "Downtown".into(), position: 0, active: true })).unwrap();
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
