//! A day in the field, end to end over HTTP: a server, a manager, two outreach phones logging
//! offline and syncing. Stock levels converge on every device, the manager's tallies equal both
//! phones' work, and the server's database holds none of what was logged.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

use chrono::{Duration, Utc};
use satchel_core::{
    Choice, ContactType, Error, ItemCategory, ItemQuantity, ListKind, Location, NewEncounter, Role, Setting, Store,
    SupplyItem, TallyQuery,
};
use satchel_e2e::*;

const MARKERS: &[&str] = &[
    "markerzone", "Marker Zone Label", "Marker Zone Label ES", "markeritem", "Marker Item Name", "Marker Item Nombre", "markerref", "markerloc",
    "Marker Lugar", "MARKERCODE42", "u9zzz",
];

fn publish_program(manager: &Store) {
    let choice = |kind, id: &str, label: &str| Setting::Choice(kind, Choice { id: id.into(), label: label.into(), label_es: Some(format!("{label} ES")), position: 0, active: true });
    for s in [
        choice(ListKind::Zone, "markerzone", "Marker Zone Label"),
        choice(ListKind::Referral, "markerref", "Marker Referral"),
        Setting::Location(Location { id: "markerloc".into(), name: "Marker Location".into(), name_es: Some("Marker Lugar".into()), active: true }),
        Setting::Item(SupplyItem {
            id: "markeritem".into(),
            name: "Marker Item Name".into(),
            name_es: Some("Marker Item Nombre".into()),
            category: ItemCategory::Other,
            unit: "each".into(),
            doses_per_unit: 1,
            low_stock_threshold: 5,
            active: true,
        }),
    ] {
        manager.put_setting(s).unwrap();
    }
}

fn encounter(i: usize) -> NewEncounter {
    NewEncounter {
        contact_type: if i.is_multiple_of(3) { ContactType::MobileUnit } else { ContactType::Street },
        geohash: Some("u9zzz".into()),
        participant_code: Some(if i.is_multiple_of(4) { "MARKERCODE42".to_string() } else { format!("PX{:02}QQ", i % 7) }),
        items: vec![ItemQuantity { item: "markeritem".into(), quantity: 1 + (i % 3) as u32 }, ItemQuantity { item: "syringe-1ml".into(), quantity: 10 }],
        syringes_collected: 5,
        referrals: if i.is_multiple_of(5) { vec!["markerref".into()] } else { vec![] },
        ..NewEncounter::new(Utc::now() - Duration::minutes(i as i64), "markerzone")
    }
}

#[test]
fn a_day_in_the_field() {
    day_in_the_field(Server::start());
}

/// The same day with the hub on PostgreSQL.
#[test]
fn a_day_in_the_field_on_postgres() {
    if let Some(server) = Server::start_on(Backend::Postgres) {
        day_in_the_field(server);
    }
}

fn day_in_the_field(server: Server) {
    let manager = manager(&server);
    let net = http(&server);
    publish_program(&manager.store);
    manager.store.receive_stock("markerloc", "markeritem", 300).unwrap();
    manager.store.receive_stock("markerloc", "syringe-1ml", 2000).unwrap();
    manager.store.sync_now(&net).unwrap();

    let a = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    let b = enrolled(&server, &manager, "Van 2", Role::Outreach, Duration::zero());
    assert_eq!(server.open_enrollments(), 0, "redeemed enrollments and their sealed keys are gone");
    for phone in [&a, &b] {
        phone.store.sync_now(&net).unwrap();
        assert!(phone.store.settings().unwrap().zones.iter().any(|z| z.id == "markerzone"), "settings reached the phone");
        phone.store.set_device_location(Some("markerloc")).unwrap();
    }

    // Offline all day: 30 encounters on one phone, 25 on the other, a stock count on the second.
    let mut expected_items = 0u64;
    for i in 0..55 {
        let phone = if i < 30 { &a } else { &b };
        let e = encounter(i);
        expected_items += e.items.iter().filter(|q| q.item == "markeritem").map(|q| q.quantity as u64).sum::<u64>();
        phone.store.log_encounter(&e).unwrap();
    }
    b.store.count_stock("markerloc", "syringe-1ml", 1500).unwrap();
    assert!(a.store.sync_status().unwrap().pending >= 30);

    // Back in signal.
    for _ in 0..2 {
        for d in [&a, &b, &manager] {
            d.store.sync_now(&net).unwrap();
        }
    }
    for d in [&a, &b, &manager] {
        let status = d.store.sync_status().unwrap();
        assert_eq!(status.pending, 0);
        assert!(status.last_error.is_none() && status.last_success.is_some());
        assert_eq!((status.holes, status.quarantined), (0, 0), "nothing skipped, nothing set aside");
    }
    assert!(a.store.recent_encounters(100).unwrap().iter().all(|e| e.synced));
    let levels = manager.store.stock_levels(None).unwrap();
    assert_eq!(a.store.stock_levels(None).unwrap(), levels);
    assert_eq!(b.store.stock_levels(None).unwrap(), levels);
    let marker_level = levels.iter().find(|l| l.item == "markeritem").unwrap().level;
    assert_eq!(marker_level, 300 - expected_items as i64);

    let today = Utc::now().date_naive();
    let period = TallyQuery::period(today - chrono::Days::new(1), today);
    let total = |s: &Store| s.tally(&period).unwrap().total;
    let (ta, tb, tm) = (total(&a.store), total(&b.store), total(&manager.store));
    assert_eq!(tm.encounters, ta.encounters + tb.encounters);
    assert_eq!(tm.encounters, 55);
    assert_eq!(tm.syringes_collected, ta.syringes_collected + tb.syringes_collected);
    assert_eq!(tm.participants, 8, "seven generated codes and the marker code, across both phones");

    // The manager sees both phones; revoking one stops it at once.
    let devices = manager.store.list_devices(&net).unwrap();
    assert_eq!(devices.len(), 3);
    manager.store.revoke_device(b.store.device_id().unwrap(), &net).unwrap();
    b.store.log_encounter(&encounter(99)).unwrap();
    assert!(matches!(b.store.sync_now(&net), Err(Error::Refused { status: 401, .. })));
    assert!(b.store.sync_status().unwrap().last_error.unwrap().contains("401"));

    // The server's database holds none of what was logged, and no table name of the devices.
    for marker in MARKERS.iter().chain(&["encounter\"", "Marker Location"]) {
        assert!(!server.stores(marker), "{marker:?} readable in the hub's {:?} storage", server.backend());
    }
    assert!(server.stores("inventory"), "the check reads what the hub stores (stream names are in clear)");
    assert!(!server.stores("Van 2"), "device labels reach the hub sealed (D73)");
}

#[test]
fn enrollment_codes_work_once_and_only_with_their_secret() {
    let server = Server::start();
    let manager = manager(&server);
    let net = http(&server);
    let (code, expires_at) = manager.store.create_enrollment("Van 3", Role::Outreach, &net).unwrap();
    assert!(expires_at > now());
    assert_eq!(server.open_enrollments(), 1);

    // A tampered secret opens nothing (and spends the code: the manager makes a new one).
    let forged = format!("{}{}", &code[..code.len() - 2], if code.ends_with("00") { "11" } else { "00" });
    let phone = new_device(Role::Outreach, Duration::zero());
    assert!(matches!(phone.store.enroll_with_code(&forged, &net), Err(Error::Invalid { .. })));
    assert_eq!(server.open_enrollments(), 0, "the sealed keys left the server with the redemption");
    let used = new_device(Role::Outreach, Duration::zero());
    assert!(matches!(used.store.enroll_with_code(&code, &net), Err(Error::Refused { status: 410, .. })));
    assert!(used.store.sync_server().unwrap().is_none(), "a refused enrollment changes nothing");

    // The bootstrap token is spent too, and an outreach phone cannot enroll others.
    let second = new_device(Role::Manager, Duration::zero());
    assert!(matches!(second.store.start_program(&server.url(), &server.bootstrap, &net), Err(Error::Refused { status: 410, .. })));
    let phone = enrolled(&server, &manager, "Van 4", Role::Outreach, Duration::zero());
    assert!(matches!(phone.store.create_enrollment("x", Role::Outreach, &net), Err(Error::NotPermitted(_))));
    assert!(matches!(phone.store.list_devices(&net), Err(Error::NotPermitted(_))));
    // Nothing logged before enrolling: a store with records cannot join.
    let busy = new_device(Role::Outreach, Duration::zero());
    busy.store.receive_stock("van-1", "condom", 5).unwrap();
    let (code, _) = manager.store.create_enrollment("Van 5", Role::Outreach, &net).unwrap();
    assert!(matches!(busy.store.enroll_with_code(&code, &net), Err(Error::NotPermitted(_))));
    assert_eq!(server.open_enrollments(), 1, "the code was not spent");
}

#[test]
fn records_the_server_lost_show_as_a_hole_on_the_managers_device() {
    lost_records_show_as_a_hole(Server::start());
}

#[test]
fn records_the_server_lost_show_as_a_hole_on_postgres() {
    if let Some(server) = Server::start_on(Backend::Postgres) {
        lost_records_show_as_a_hole(server);
    }
}

fn lost_records_show_as_a_hole(server: Server) {
    let manager = manager(&server);
    let net = http(&server);
    publish_program(&manager.store);
    manager.store.sync_now(&net).unwrap();
    let phone = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    phone.store.sync_now(&net).unwrap();
    phone.store.set_device_location(Some("markerloc")).unwrap();
    for i in 0..6 {
        phone.store.log_encounter(&encounter(i)).unwrap();
    }
    let pairs = satchel_core::SegmentLimits { max_records: 2, ..Default::default() };
    phone.store.sync_with(&net, pairs).unwrap();
    assert_eq!(phone.store.sync_status().unwrap().pending, 0);
    server.lose_segment(phone.store.device_id().unwrap(), "encounters", 3);

    manager.store.sync_now(&net).unwrap();
    let status = manager.store.sync_status().unwrap();
    assert_eq!((status.holes, status.quarantined), (1, 0));
    let hole = status.last_hole.unwrap();
    assert!(hole.starts_with("encounters seq 3-4 of device"), "{hole}");
    let today = Utc::now().date_naive();
    let period = TallyQuery::period(today - chrono::Days::new(1), today);
    assert_eq!(manager.store.tally(&period).unwrap().total.encounters, 4, "what did arrive applied");
    // Syncing again does not count the same hole twice.
    manager.store.sync_now(&net).unwrap();
    assert_eq!(manager.store.sync_status().unwrap().holes, 1);
}

#[test]
fn an_unreachable_server_is_offline_and_backs_off() {
    let server = Server::start();
    let manager = manager(&server);
    let phone = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    phone.store.receive_stock("van-1", "condom", 5).unwrap();
    let nowhere = satchel_core::HttpTransport::new("http://127.0.0.1:9", None).unwrap();
    assert!(matches!(phone.store.sync_now(&nowhere), Err(Error::Offline(_))));
    let status = phone.store.sync_status().unwrap();
    assert_eq!((status.pending, status.consecutive_failures), (1, 1));
    assert!(status.next_attempt.is_some());
    phone.store.sync_now(&http(&server)).unwrap();
    assert_eq!(phone.store.sync_status().unwrap().pending, 0);
    assert!(satchel_core::HttpTransport::new("http://hub.example.org", None).is_err(), "credentials never travel in clear");
}

#[test]
fn a_large_backlog_ships_in_few_requests() {
    let server = Server::start();
    let manager = manager(&server);
    let phone = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    let net = http(&server);
    for i in 0..2_500 {
        phone.store.log_encounter(&NewEncounter {
            participant_code: Some(format!("PX{:02}QQ", i % 50)),
            items: vec![ItemQuantity { item: "syringe-1ml".into(), quantity: 10 }],
            ..NewEncounter::new(Utc::now() - Duration::seconds(i), "downtown")
        })
        .unwrap();
    }
    let report = phone.store.sync_now(&net).unwrap();
    assert_eq!(report.pushed, 2_500);
    assert!(report.requests <= 4, "{} requests for 2,500 encounters", report.requests);
    assert!(server.all_segments().segments.iter().any(|s| s.segment.header.len() >= 500), "large segments travel");
    let pulled = manager.store.sync_now(&net).unwrap();
    assert_eq!(pulled.pulled, 2_500);
    let today = Utc::now().date_naive();
    let total = manager.store.tally(&TallyQuery::period(today - chrono::Days::new(1), today)).unwrap().total;
    assert_eq!(total.encounters, 2_500);
}
