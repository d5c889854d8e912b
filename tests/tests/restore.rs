//! The restore drill: a serving hub is backed up, syncing goes on, the disk is lost, and the
//! backup is restored the documented way. Phones send again what the backup lacks, the
//! manager gives back what it pulled of a phone the restored hub no longer knows, pulls miss
//! nothing pushed after the restore, and every encounter that still exists anywhere is back on
//! the hub and on the manager's device exactly once, under the device that logged it. That
//! phone itself must be enrolled again.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

use chrono::{Duration, Utc};
use satchel_core::{Choice, Error, ItemQuantity, ListKind, Location, NewEncounter, Role, Setting, Store, TallyQuery};
use satchel_e2e::*;

fn publish_program(manager: &Store) {
    manager.put_setting(Setting::Choice(ListKind::Zone, Choice { id: "downtown".into(), label: "Downtown".into(), label_es: None, position: 0, active: true })).unwrap();
    manager.put_setting(Setting::Location(Location { id: "van".into(), name: "Van".into(), name_es: None, active: true })).unwrap();
}

fn log(phone: &Device, n: usize) {
    for i in 0..n {
        let mut e = NewEncounter::new(Utc::now() - Duration::minutes(i as i64), "downtown");
        e.items = vec![ItemQuantity { item: "syringe-1ml".into(), quantity: 10 }];
        phone.store.log_encounter(&e).unwrap();
    }
}

fn encounters_seen(store: &Store) -> u64 {
    encounters_by(store, None)
}

/// Encounters in the store, of one device's logging or of all.
fn encounters_by(store: &Store, device: Option<uuid::Uuid>) -> u64 {
    let today = Utc::now().date_naive();
    let query = TallyQuery { device, ..TallyQuery::period(today - chrono::Days::new(2), today) };
    store.tally(&query).unwrap().total.encounters
}

#[test]
fn a_restored_hub_is_filled_again_from_the_phones() {
    drill(Server::start());
}

#[test]
fn a_restored_postgres_hub_is_filled_again_from_the_phones() {
    if let Some(server) = Server::start_on(Backend::Postgres) {
        drill(server);
    }
}

fn drill(server: Server) {
    let net = http(&server);
    let manager = manager(&server);
    publish_program(&manager.store);
    manager.store.sync_now(&net).unwrap();
    let a = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    let b = enrolled(&server, &manager, "Van 2", Role::Outreach, Duration::zero());
    for phone in [&a, &b] {
        phone.store.sync_now(&net).unwrap();
        phone.store.set_device_location(Some("van")).unwrap();
        log(phone, 4);
        phone.store.sync_now(&net).unwrap();
    }
    manager.store.sync_now(&net).unwrap();

    // An enrollment code still pending when the backup is taken: its sealed keys stay out of it.
    let (pending_code, _) = manager.store.create_enrollment("Van 9", Role::Outreach, &net).unwrap();

    let backup_dir = tempfile::tempdir().unwrap();
    let backup = backup_dir.path().join("hub-backup");
    server.backup(&backup);
    if std::fs::read(&backup).unwrap().starts_with(b"SQLite format 3") {
        sqlx::any::install_default_drivers();
        let sealed = tokio::runtime::Runtime::new().unwrap().block_on(async {
            let pool = sqlx::any::AnyPoolOptions::new()
                .connect(&format!("sqlite://{}?mode=ro", backup.display()))
                .await
                .unwrap();
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM enrollment WHERE sealed_keys IS NOT NULL").fetch_one(&pool).await.unwrap();
            pool.close().await;
            n
        });
        assert_eq!(sealed, 0, "a pending deposit in the backup");
    }

    // Work goes on after the backup: synced, pulled by the manager, then lost with the disk.
    log(&a, 3);
    log(&b, 3);
    let c = enrolled(&server, &manager, "Van 3", Role::Outreach, Duration::zero());
    c.store.sync_now(&net).unwrap();
    c.store.set_device_location(Some("van")).unwrap();
    log(&c, 1);
    for phone in [&a, &b, &c] {
        phone.store.sync_now(&net).unwrap();
    }
    manager.store.sync_now(&net).unwrap();
    assert_eq!(encounters_seen(&manager.store), 15);
    // And a little that has not reached the hub yet.
    log(&a, 2);

    let restored = server.restore_from(&backup);
    assert!(restored.check.is_whole(), "{:?}", restored.check);
    // The code pending at the backup does not work on the restored hub: its deposit is gone.
    let late = new_device(Role::Outreach, Duration::zero());
    assert!(matches!(late.store.enroll_with_code(&pending_code, &net), Err(Error::Refused { .. })));
    assert!(restored.cursor_floor > 1 << 40, "cursors start far above any handed out before");

    // The phones send again what the backup lacks, under the same sequence numbers.
    let report = a.store.sync_now(&net).unwrap();
    assert!(report.resent >= 3, "A's three encounters after the backup (and their stock movements) went again: {report:?}");
    assert_eq!(a.store.sync_status().unwrap().pending, 0);
    let report = b.store.sync_now(&net).unwrap();
    assert!(report.resent >= 3, "{report:?}");
    // A phone enrolled after the backup is unknown to the restored hub: it is told to enroll again.
    match c.store.sync_now(&net) {
        Err(Error::Refused { status: 401, reason }) => assert!(reason.contains("enroll"), "{reason}"),
        other => panic!("a device the hub no longer knows is refused: {other:?}"),
    }

    // Pushed after the restore: a new zone from the manager reaches a phone, and a phone's new
    // encounter reaches the manager, although their pull cursors are past the backup's.
    manager
        .store
        .put_setting(Setting::Choice(ListKind::Zone, Choice { id: "riverside".into(), label: "Riverside".into(), label_es: None, position: 1, active: true }))
        .unwrap();
    manager.store.sync_now(&net).unwrap();
    a.store.sync_now(&net).unwrap();
    assert!(a.store.settings().unwrap().zones.iter().any(|z| z.id == "riverside"), "the phone pulled what was pushed after the restore");
    log(&b, 1);
    b.store.sync_now(&net).unwrap();

    manager.store.sync_now(&net).unwrap();
    let status = manager.store.sync_status().unwrap();
    assert_eq!((status.holes, status.quarantined), (0, 0), "{status:?}");
    // 4 + 3 + 2 from A, 4 + 3 + 1 from B, and C's one, which the manager pulled before the loss.
    assert_eq!(encounters_seen(&manager.store), 18, "everything exactly once on the manager's device");

    // The manager gives back what it pulled of C, which the restored hub no longer knows (and
    // nothing of A and B, whose phones already did). Doing it again gives nothing more.
    let given = manager.store.refill_hub(&net).unwrap();
    assert_eq!((given.devices, given.records), (1, 2), "C's encounter and its stock movement: {given:?}");
    assert_eq!(manager.store.refill_hub(&net).unwrap().segments, 0);
    let c_id = c.store.device_id().unwrap();
    let listed = manager.store.list_devices(&net).unwrap();
    let c_listed = listed.iter().find(|d| d.device == c_id).expect("C is on the list again");
    assert!(c_listed.revoked && c_listed.label.contains("enroll again"), "{c_listed:?}");

    // The hub holds every encounter exactly once, under the device that logged it: a manager set
    // up afresh from it sees them all.
    let fresh = enrolled(&server, &manager, "Office laptop", Role::Manager, Duration::zero());
    fresh.store.sync_now(&net).unwrap();
    assert_eq!(encounters_seen(&fresh.store), 18);
    let by = |d: &Device| encounters_by(&fresh.store, Some(d.store.device_id().unwrap()));
    assert_eq!((by(&a), by(&b), by(&c)), (9, 8, 1), "nothing re-attributed");
    assert_eq!(fresh.store.sync_status().unwrap().holes, 0);
    manager.store.sync_now(&net).unwrap();
    assert_eq!(encounters_seen(&manager.store), 18, "the manager applies what came back once");
    let check = server.check();
    assert!(check.is_whole(), "{check:?}");
}
