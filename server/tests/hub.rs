//! The hub's storage rules, the same tests against SQLite and PostgreSQL.
//!
//! PostgreSQL: `SATCHEL_TEST_POSTGRES_URL` names a database whose role may create databases
//! (each test gets its own); `scripts/test.sh` starts a local server and sets it.
//! `SATCHEL_SKIP_POSTGRES=1` skips the PostgreSQL runs, saying so.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

use satchel_protocol::wire::{DeliverKeys, KeyEnvelope, KeyState, Role, SealedKeys};
use satchel_protocol::{seal, SealedSegment, SegmentHeader, Stream};
use satchel_server::{Device, Hub, HubError};
use uuid::Uuid;

const NOW: i64 = 1_800_000_000;

/// Runs each storage test once on SQLite and once on PostgreSQL.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let dir = tempfile::tempdir().unwrap();
                    super::$name(super::Hub::open_sqlite(&dir.path().join("hub.db")).await.unwrap()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = satchel_server::scratch::ScratchDatabase::create().await else { return };
                    let hub = super::Hub::open_postgres(&db.url).await.unwrap();
                    super::$name(hub.clone()).await;
                    hub.close().await;
                    db.drop().await;
                }
            )*
        }
    };
}

on_both_backends!(
    enrollment_tokens_work_once_and_keys_leave_with_them,
    pushes_are_idempotent_and_gaps_are_refused,
    pulls_page_by_cursor_and_role,
    revocation_is_immediate,
    concurrent_pushers_never_make_a_reader_skip,
    last_seen_is_kept_to_the_minute,
    a_lost_bootstrap_token_is_replaced_until_data_arrives,
    a_manager_gives_back_what_the_hub_lost_and_only_what_continues_a_stream,
    a_restored_hub_hands_out_cursors_above_any_before_and_checks_whole,
    team_keys_rotate_after_a_revocation_and_skip_the_revoked,
    only_a_manager_replaces_encounters_under_a_team_key_and_only_with_managers_only_ones,
    only_a_manager_relabels_and_only_with_a_well_formed_label,
    open_codes_are_listed_and_a_cancelled_one_never_redeems,
);

fn segment(program: Uuid, device: Uuid, stream: Stream, first: u64, last: u64) -> SealedSegment {
    let header = SegmentHeader { program, device, stream, first_seq: first, last_seq: last, key_epoch: 1 };
    let records: Vec<Vec<u8>> = (first..=last).map(|i| format!("record {i}").into_bytes()).collect();
    seal(&[3; 32], header, &records).unwrap()
}

fn keys() -> SealedKeys {
    SealedKeys { nonce: vec![1; 24], ciphertext: vec![2; 40] }
}

/// A deposit that is redeemed or expires leaves the SQLite file, not only the table: its bytes
/// are nowhere in the database or its WAL once the hub has closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deposit_gone_from_the_table_is_gone_from_the_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.db");
    let hub = Hub::open_sqlite(&path).await.unwrap();
    let (_, bootstrap) = hub.init_program(NOW).await.unwrap();
    let m = hub.redeem(&bootstrap, NOW).await.unwrap();
    let manager = hub.authenticate(&m.credential, NOW).await.unwrap();
    let marked = |b: u8| SealedKeys { nonce: vec![b; 24], ciphertext: (0..200).map(|i| b ^ (i as u8)).collect() };
    let (redeemed, _) = hub.create_enrollment(&manager, "Van 1", Role::Outreach, &marked(0xa5), NOW).await.unwrap();
    let (expired, _) = hub.create_enrollment(&manager, "Van 2", Role::Outreach, &marked(0x5a), NOW).await.unwrap();
    hub.redeem(&redeemed, NOW + 60).await.unwrap();
    assert_eq!(hub.redeem(&expired, NOW + 25 * 3600).await, Err(HubError::TokenGone));
    hub.close().await;
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend(std::fs::read(dir.path().join("hub.db-wal")).unwrap_or_default());
    for b in [0xa5, 0x5a] {
        let needle = marked(b).ciphertext;
        assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_slice()), "a deposit's bytes are still in the file");
    }
}

/// A program with a manager and one outreach device.
async fn program(hub: &Hub) -> (Uuid, Device, String, Device, String) {
    let (program, bootstrap) = hub.init_program(NOW).await.unwrap();
    let m = hub.redeem(&bootstrap, NOW).await.unwrap();
    assert_eq!(m.role, Role::Manager);
    let manager = hub.authenticate(&m.credential, NOW).await.unwrap();
    let (token, _) = hub.create_enrollment(&manager, "Van 2", Role::Outreach, &keys(), NOW).await.unwrap();
    let o = hub.redeem(&token, NOW).await.unwrap();
    assert_eq!(o.sealed_keys, keys());
    let outreach = hub.authenticate(&o.credential, NOW).await.unwrap();
    (program, manager, m.credential, outreach, o.credential)
}

async fn enrollment_tokens_work_once_and_keys_leave_with_them(hub: Hub) {
    let (_, bootstrap) = hub.init_program(NOW).await.unwrap();
    assert!(matches!(hub.init_program(NOW).await, Err(HubError::BadRequest(_))));
    let m = hub.redeem(&bootstrap, NOW).await.unwrap();
    assert_eq!(hub.redeem(&bootstrap, NOW).await, Err(HubError::TokenGone));
    let manager = hub.authenticate(&m.credential, NOW).await.unwrap();

    let (token, expires) = hub.create_enrollment(&manager, "Van 1", Role::Outreach, &keys(), NOW).await.unwrap();
    assert_eq!(expires, NOW + 24 * 3600);
    assert_eq!(hub.pending_enrollments().await.unwrap(), 1);
    hub.redeem(&token, NOW + 60).await.unwrap();
    assert_eq!(hub.pending_enrollments().await.unwrap(), 0, "the sealed keys are gone once redeemed");
    assert_eq!(hub.redeem(&token, NOW + 61).await, Err(HubError::TokenGone));

    let (late, _) = hub.create_enrollment(&manager, "Van 3", Role::Outreach, &keys(), NOW).await.unwrap();
    assert_eq!(hub.redeem(&late, NOW + 24 * 3600 + 1).await, Err(HubError::TokenGone));
    assert_eq!(hub.pending_enrollments().await.unwrap(), 0, "and once expired");

    let outreach = Device { id: Uuid::now_v7(), role: Role::Outreach };
    assert!(matches!(hub.create_enrollment(&outreach, "x", Role::Manager, &keys(), NOW).await, Err(HubError::Forbidden(_))));
    assert_eq!(hub.authenticate("not a credential", NOW).await, Err(HubError::Unauthorized));
}

async fn pushes_are_idempotent_and_gaps_are_refused(hub: Hub) {
    let (program, manager, _, phone, _) = program(&hub).await;
    let s1 = segment(program, phone.id, Stream::Encounters, 1, 5);
    let s2 = segment(program, phone.id, Stream::Encounters, 6, 8);
    let acks = hub.push(&phone, &[s1.clone(), s2.clone()], NOW).await.unwrap();
    assert_eq!(acks[0].acked_seq, 8);
    // Replayed: acknowledged, not stored twice.
    let again = hub.push(&phone, &[s1.clone(), s2], NOW).await.unwrap();
    assert_eq!(again, acks);
    assert_eq!(hub.pull(&manager, 0, 50).await.unwrap().segments.len(), 2);
    // A gap refuses the whole request, naming where the stream continues.
    let inv = segment(program, phone.id, Stream::Inventory, 1, 2);
    let gap = segment(program, phone.id, Stream::Encounters, 10, 12);
    assert_eq!(hub.push(&phone, &[inv.clone(), gap], NOW).await, Err(HubError::Gap { stream: Stream::Encounters, expected: 9 }));
    assert_eq!(hub.pull(&manager, 0, 50).await.unwrap().segments.len(), 2, "nothing of a refused request is stored");
    // Under another device's id, settings from an outreach phone, another program.
    let other = segment(program, manager.id, Stream::Inventory, 1, 1);
    assert!(matches!(hub.push(&phone, &[other], NOW).await, Err(HubError::Forbidden(_))));
    let settings = segment(program, phone.id, Stream::Settings, 1, 1);
    assert!(matches!(hub.push(&phone, &[settings], NOW).await, Err(HubError::Forbidden(_))));
    let foreign = segment(Uuid::now_v7(), phone.id, Stream::Inventory, 1, 1);
    assert!(matches!(hub.push(&phone, &[foreign], NOW).await, Err(HubError::BadRequest(_))));
    hub.push(&phone, &[inv], NOW).await.unwrap();
    // A gap after a segment the same request would have stored: the answer names where the
    // stream continues on the server (the request is rolled back), not inside the request.
    let next = segment(program, phone.id, Stream::Inventory, 3, 4);
    let skip = segment(program, phone.id, Stream::Inventory, 6, 6);
    assert_eq!(hub.push(&phone, &[next, skip], NOW).await, Err(HubError::Gap { stream: Stream::Inventory, expected: 3 }));
    assert_eq!(hub.pull(&manager, 0, 50).await.unwrap().segments.len(), 3);
}

async fn pulls_page_by_cursor_and_role(hub: Hub) {
    let (program, manager, _, phone, _) = program(&hub).await;
    for i in 0..5u64 {
        hub.push(&phone, &[segment(program, phone.id, Stream::Encounters, i + 1, i + 1)], NOW).await.unwrap();
        hub.push(&phone, &[segment(program, phone.id, Stream::Inventory, i + 1, i + 1)], NOW).await.unwrap();
    }
    hub.push(&manager, &[segment(program, manager.id, Stream::Settings, 1, 1)], NOW).await.unwrap();
    let page = hub.pull(&phone, 0, 4).await.unwrap();
    assert!(page.more);
    assert!(page.segments.iter().all(|s| s.segment.header.stream != Stream::Encounters));
    let rest = hub.pull(&phone, page.next_cursor, 64).await.unwrap();
    assert!(!rest.more);
    assert_eq!(page.segments.len() + rest.segments.len(), 6);
    let all = hub.pull(&manager, 0, 64).await.unwrap();
    assert_eq!(all.segments.len(), 11);
    assert!(all.segments.windows(2).all(|w| w[0].cursor < w[1].cursor));
    // What comes back is what went in, byte for byte.
    let first = &all.segments[0].segment;
    assert_eq!(satchel_protocol::open(&[3; 32], first).unwrap(), vec![b"record 1".to_vec()]);
}

async fn revocation_is_immediate(hub: Hub) {
    let (_, manager, _, phone, credential) = program(&hub).await;
    assert!(matches!(hub.revoke(&phone, manager.id).await, Err(HubError::Forbidden(_))));
    hub.revoke(&manager, phone.id).await.unwrap();
    assert_eq!(hub.authenticate(&credential, NOW).await, Err(HubError::Unauthorized));
    // A second manager mints a token, then is revoked: the token dies with it.
    let (t, _) = hub.create_enrollment(&manager, "Office", Role::Manager, &keys(), NOW).await.unwrap();
    let second = hub.redeem(&t, NOW).await.unwrap();
    let second = hub.authenticate(&second.credential, NOW).await.unwrap();
    let (minted, _) = hub.create_enrollment(&second, "Seized", Role::Manager, &keys(), NOW).await.unwrap();
    hub.revoke(&manager, second.id).await.unwrap();
    assert_eq!(hub.redeem(&minted, NOW).await, Err(HubError::TokenGone));
    // The manager's list and the metrics see it all.
    let devices = hub.devices(&manager).await.unwrap();
    assert_eq!(devices.len(), 3);
    assert_eq!(devices.iter().filter(|d| d.revoked).count(), 2);
    assert!(devices.iter().all(|d| d.last_seen == Some(NOW)));
    assert!(matches!(hub.devices(&phone).await, Err(HubError::Forbidden(_))));
    // The program's last manager device is never revoked, not even by itself.
    match hub.revoke(&manager, manager.id).await {
        Err(HubError::Forbidden(why)) => assert!(why.contains("enroll another manager first"), "{why}"),
        other => panic!("the last manager was revoked: {other:?}"),
    }
    let listed = hub.devices(&manager).await.unwrap();
    assert!(!listed.iter().find(|d| d.device == manager.id).unwrap().revoked, "the refusal changed nothing");
    // With another manager, it may go.
    let (t, _) = hub.create_enrollment(&manager, "Laptop 2", Role::Manager, &keys(), NOW).await.unwrap();
    let third = hub.redeem(&t, NOW).await.unwrap();
    let third = hub.authenticate(&third.credential, NOW).await.unwrap();
    hub.revoke(&manager, manager.id).await.unwrap();
    match hub.revoke(&third, third.id).await {
        Err(HubError::Forbidden(why)) => assert!(why.contains("last manager"), "{why}"),
        other => panic!("the last manager was revoked: {other:?}"),
    }
    let counts = hub.counts().await.unwrap();
    assert!(counts.contains(&("satchel_devices", 1)) && counts.contains(&("satchel_open_enrollments", 0)), "{counts:?}");
}

async fn last_seen_is_kept_to_the_minute(hub: Hub) {
    let (_, manager, m_credential, phone, credential) = program(&hub).await;
    hub.authenticate(&credential, NOW + 30).await.unwrap();
    let seen = |devices: Vec<satchel_protocol::wire::DeviceInfo>, id| devices.into_iter().find(|d| d.device == id).unwrap().last_seen;
    assert_eq!(seen(hub.devices(&manager).await.unwrap(), phone.id), Some(NOW), "within the minute: not written");
    hub.authenticate(&credential, NOW + 61).await.unwrap();
    assert_eq!(seen(hub.devices(&manager).await.unwrap(), phone.id), Some(NOW + 61));
    let _ = m_credential;
}

async fn a_lost_bootstrap_token_is_replaced_until_data_arrives(hub: Hub) {
    let (program, first) = hub.init_program(NOW).await.unwrap();
    let second = hub.reissue_bootstrap(NOW).await.unwrap();
    assert_eq!(hub.redeem(&first, NOW).await, Err(HubError::TokenGone), "the earlier token no longer works");
    let m = hub.redeem(&second, NOW).await.unwrap();
    assert_eq!(m.role, Role::Manager);
    let manager = hub.authenticate(&m.credential, NOW).await.unwrap();
    hub.push(&manager, &[segment(program, manager.id, Stream::Settings, 1, 1)], NOW).await.unwrap();
    assert!(matches!(hub.reissue_bootstrap(NOW).await, Err(HubError::BadRequest(_))));
}

async fn concurrent_pushers_never_make_a_reader_skip(hub: Hub) {
    let (program, manager, _, _, _) = program(&hub).await;
    let mut phones = Vec::new();
    for i in 0..6 {
        let (token, _) = hub.create_enrollment(&manager, &format!("Van {i}"), Role::Outreach, &keys(), NOW).await.unwrap();
        let r = hub.redeem(&token, NOW).await.unwrap();
        phones.push(hub.authenticate(&r.credential, NOW).await.unwrap());
    }
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let hub = hub.clone();
        let manager = manager.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut cursor = 0;
            let mut seen = Vec::new();
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                let page = hub.pull(&manager, cursor, 7).await.unwrap();
                for s in &page.segments {
                    seen.push((s.segment.header.device, s.segment.header.first_seq));
                }
                cursor = page.next_cursor;
                tokio::task::yield_now().await;
            }
            (cursor, seen)
        })
    };
    let writers: Vec<_> = phones
        .into_iter()
        .map(|phone| {
            let hub = hub.clone();
            tokio::spawn(async move {
                for seq in 1..=20u64 {
                    hub.push(&phone, &[segment(program, phone.id, Stream::Inventory, seq, seq)], NOW).await.unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let (cursor, mut seen) = reader.await.unwrap();
    assert!(!seen.is_empty(), "the reader read while the writers wrote");
    // Catch up after the writers finished; then every segment was seen exactly once.
    let mut page = hub.pull(&manager, cursor, 64).await.unwrap();
    loop {
        for s in &page.segments {
            seen.push((s.segment.header.device, s.segment.header.first_seq));
        }
        if !page.more {
            break;
        }
        page = hub.pull(&manager, page.next_cursor, 64).await.unwrap();
    }
    let total = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(total, 120);
    assert_eq!(seen.len(), 120);
}

async fn a_manager_gives_back_what_the_hub_lost_and_only_what_continues_a_stream(hub: Hub) {
    let (program, manager, _, phone, _) = program(&hub).await;
    hub.push(&phone, &[segment(program, phone.id, Stream::Encounters, 1, 2)], NOW).await.unwrap();
    // Only managers deposit, and only what continues each stream.
    let next = segment(program, phone.id, Stream::Encounters, 3, 4);
    assert!(matches!(hub.deposit(&phone, std::slice::from_ref(&next), NOW).await, Err(HubError::Forbidden(_))));
    let skipping = segment(program, phone.id, Stream::Encounters, 5, 6);
    assert_eq!(hub.deposit(&manager, &[skipping], NOW).await, Err(HubError::Gap { stream: Stream::Encounters, expected: 3 }));
    let other = segment(Uuid::now_v7(), phone.id, Stream::Encounters, 3, 4);
    assert!(matches!(hub.deposit(&manager, &[other], NOW).await, Err(HubError::BadRequest(_))));
    hub.deposit(&manager, &[segment(program, phone.id, Stream::Encounters, 1, 2), next], NOW).await.unwrap();
    // A device the hub does not know comes back listed as revoked, its segments served.
    let gone = Uuid::now_v7();
    hub.deposit(&manager, &[segment(program, gone, Stream::Inventory, 1, 3)], NOW).await.unwrap();
    let devices = hub.devices(&manager).await.unwrap();
    let listed = devices.iter().find(|d| d.device == gone).expect("listed");
    assert!(listed.revoked && listed.label.contains("enroll again"), "{listed:?}");
    assert_eq!(listed.acked.iter().map(|a| (a.stream, a.acked_seq)).collect::<Vec<_>>(), [(Stream::Inventory, 3)]);
    let page = hub.pull(&manager, 0, 10).await.unwrap();
    let held: Vec<(Uuid, u64, u64)> = page.segments.iter().map(|p| (p.segment.header.device, p.segment.header.first_seq, p.segment.header.last_seq)).collect();
    assert_eq!(held, [(phone.id, 1, 2), (phone.id, 3, 4), (gone, 1, 3)], "each once, under the device that sealed it");
    // The phone carries on where the deposit left its stream.
    let acks = hub.push(&phone, &[segment(program, phone.id, Stream::Encounters, 5, 5)], NOW).await.unwrap();
    assert_eq!(acks.iter().find(|a| a.stream == Stream::Encounters).unwrap().acked_seq, 5);
    assert!(hub.check().await.unwrap().is_whole());
}

async fn a_restored_hub_hands_out_cursors_above_any_before_and_checks_whole(hub: Hub) {
    let (program, manager, _, phone, _) = program(&hub).await;
    hub.push(&phone, &[segment(program, phone.id, Stream::Inventory, 1, 1)], NOW).await.unwrap();
    let before = hub.pull(&manager, 0, 10).await.unwrap().next_cursor;
    let floor = hub.mark_restored(NOW).await.unwrap();
    assert!(floor >= NOW << 20);
    hub.push(&phone, &[segment(program, phone.id, Stream::Inventory, 2, 2)], NOW).await.unwrap();
    let page = hub.pull(&manager, before, 10).await.unwrap();
    assert_eq!(page.segments.len(), 1);
    assert!(page.segments[0].cursor > floor as u64, "a device whose cursor was past the backup's still gets it");
    assert!(hub.mark_restored(NOW - 100).await.unwrap() > floor, "the floor never goes down");
    let pulled = hub.pull_streams(&phone, 0, 10, &[]).await.unwrap();
    let mine: Vec<(Stream, u64)> = pulled.acks.iter().map(|a| (a.stream, a.acked_seq)).collect();
    assert_eq!(mine, [(Stream::Encounters, 0), (Stream::Inventory, 2), (Stream::Settings, 0)], "a pull says what the hub holds of the puller's streams");
    let report = hub.check().await.unwrap();
    assert!(report.is_whole() && report.streams == 1 && report.segments == 2, "{report:?}");
}

fn envelope(device: Uuid, epoch: u32) -> KeyEnvelope {
    KeyEnvelope { device, epoch, sealed: vec![epoch as u8; 80] }
}

fn deliver(epoch: u32, rotate: bool, envelopes: Vec<KeyEnvelope>) -> DeliverKeys {
    DeliverKeys { v: satchel_protocol::PROTOCOL_VERSION, epoch, rotate, envelopes }
}

/// Device keys are given once; a revocation leaves a rotation owed, which only the next epoch
/// settles; envelopes to a revoked device are dropped; a device whose new key waits for it
/// cannot push stock under the old one.
async fn team_keys_rotate_after_a_revocation_and_skip_the_revoked(hub: Hub) {
    let (program, manager, _, outreach, _) = program(&hub).await;
    let (token, _) = hub.create_enrollment(&manager, "Van 3", Role::Outreach, &keys(), NOW).await.unwrap();
    let third = hub.redeem_with_key(&token, Some(&[7; 32]), NOW).await.unwrap();
    let third = hub.authenticate(&third.credential, NOW).await.unwrap();
    hub.register_key(&outreach, &[5; 32]).await.unwrap();
    hub.register_key(&outreach, &[5; 32]).await.unwrap();
    assert!(matches!(hub.register_key(&outreach, &[6; 32]).await, Err(HubError::Forbidden(_))), "a key is given once");
    hub.register_key(&manager, &[4; 32]).await.unwrap();
    let state = hub.team_keys(&third).await.unwrap();
    assert_eq!((state.state.epoch, state.state.registered, state.rotation_owed), (1, true, false));
    assert!(state.holders.is_empty(), "only managers see the devices' keys");
    assert!(matches!(hub.deliver_keys(&outreach, &deliver(2, true, vec![])).await, Err(HubError::Forbidden(_))));

    hub.revoke(&manager, third.id).await.unwrap();
    let team = hub.team_keys(&manager).await.unwrap();
    assert!(team.rotation_owed && team.state.manager_owed);
    assert_eq!(team.holders.len(), 2, "the revoked device is not listed: {:?}", team.holders);
    assert!(team.holders.iter().any(|h| h.device == outreach.id && h.public == Some([5; 32])));
    assert!(matches!(hub.deliver_keys(&manager, &deliver(3, true, vec![])).await, Err(HubError::Conflict(_))), "epochs go one by one");
    let all = vec![envelope(manager.id, 2), envelope(outreach.id, 2), envelope(third.id, 2)];
    hub.deliver_keys(&manager, &deliver(2, true, all)).await.unwrap();
    assert!(matches!(hub.deliver_keys(&manager, &deliver(2, true, vec![])).await, Err(HubError::Conflict(_))), "a second rotation to the same epoch");
    let team = hub.team_keys(&manager).await.unwrap();
    assert!(!team.rotation_owed && !team.state.manager_owed, "{team:?}");
    assert_eq!(team.state.epoch, 2);
    assert_eq!(hub.team_keys(&outreach).await.unwrap().envelopes, vec![envelope(outreach.id, 2)]);
    let revoked = hub.team_keys(&Device { id: third.id, role: Role::Outreach }).await.unwrap();
    assert!(revoked.envelopes.is_empty(), "nothing was kept for the revoked device");

    // The outreach phone has an envelope for epoch 2: stock under epoch 1 is refused, under 2 taken.
    let mut old = segment(program, outreach.id, Stream::Inventory, 1, 1);
    assert_eq!(hub.push(&outreach, std::slice::from_ref(&old), NOW).await, Err(HubError::StaleKey));
    old.header.key_epoch = 2;
    let new = seal(&[3; 32], old.header, &[b"r".to_vec()]).unwrap();
    hub.push(&outreach, &[new], NOW).await.unwrap();
    // The manager's own rotation to an epoch later than the hub's, or delivery of one it lacks.
    assert!(matches!(hub.deliver_keys(&manager, &deliver(3, false, vec![])).await, Err(HubError::BadRequest(_))));
    // A revocation of a device already revoked owes nothing new.
    hub.revoke(&manager, third.id).await.unwrap();
    assert!(!hub.team_keys(&manager).await.unwrap().rotation_owed);
    let page = hub.pull(&outreach, 0, 10).await.unwrap();
    assert_eq!(page.keys, Some(KeyState { epoch: 2, registered: true, manager_owed: false }));
}

/// `reseal`: managers only; only encounter segments sealed to the managers; each replaces only a
/// held segment of the same device, range and epoch that is still under a team key.
async fn only_a_manager_replaces_encounters_under_a_team_key_and_only_with_managers_only_ones(hub: Hub) {
    let (program, manager, _, outreach, _) = program(&hub).await;
    let legacy = segment(program, outreach.id, Stream::Encounters, 1, 2);
    hub.push(&outreach, std::slice::from_ref(&legacy), NOW).await.unwrap();
    let (_, reporting) = satchel_protocol::reporting_key_pair();
    let records = vec![b"record 1".to_vec(), b"record 2".to_vec()];
    let resealed = satchel_protocol::seal_to_managers(&reporting, legacy.header, &records).unwrap();
    assert!(matches!(hub.reseal(&outreach, std::slice::from_ref(&resealed)).await, Err(HubError::Forbidden(_))));
    assert!(matches!(hub.reseal(&manager, std::slice::from_ref(&legacy)).await, Err(HubError::BadRequest(_))), "not sealed to the managers");
    let stock = satchel_protocol::seal_to_managers(&reporting, SegmentHeader { stream: Stream::Inventory, ..legacy.header }, &records).unwrap();
    assert!(matches!(hub.reseal(&manager, &[stock]).await, Err(HubError::BadRequest(_))), "only encounters");
    let other_range = satchel_protocol::seal_to_managers(&reporting, SegmentHeader { key_epoch: 2, ..legacy.header }, &records).unwrap();
    assert_eq!(hub.reseal(&manager, &[other_range]).await.unwrap(), 0, "another key epoch replaces nothing");
    assert_eq!(hub.reseal(&manager, std::slice::from_ref(&resealed)).await.unwrap(), 1);
    assert_eq!(hub.reseal(&manager, std::slice::from_ref(&resealed)).await.unwrap(), 0, "a segment sealed to the managers stays");
    let held = hub.pull(&manager, 0, 10).await.unwrap();
    assert_eq!(held.segments.len(), 1);
    assert_eq!(held.segments[0].segment, resealed);
}

async fn only_a_manager_relabels_and_only_with_a_well_formed_label(hub: Hub) {
    let (_, manager, _, outreach, _) = program(&hub).await;
    let (_, public) = satchel_protocol::reporting_key_pair();
    let sealed = satchel_protocol::label::seal_label(&public, "Van 2").unwrap();
    assert!(matches!(hub.relabel(&outreach, outreach.id, &sealed).await, Err(HubError::Forbidden(_))));
    assert!(matches!(hub.relabel(&manager, outreach.id, "sealed:00").await, Err(HubError::BadRequest(_))));
    assert!(matches!(hub.relabel(&manager, Uuid::from_u128(9), &sealed).await, Err(HubError::NotFound(_))));
    hub.relabel(&manager, outreach.id, &sealed).await.unwrap();
    let listed = hub.devices(&manager).await.unwrap();
    assert_eq!(listed.iter().find(|d| d.device == outreach.id).unwrap().label, sealed);
}

async fn open_codes_are_listed_and_a_cancelled_one_never_redeems(hub: Hub) {
    let (_, manager, _, phone, _) = program(&hub).await;
    let (kept, kept_until) = hub.create_enrollment(&manager, "Van 3", Role::Outreach, &keys(), NOW).await.unwrap();
    let (cancelled, _) = hub.create_enrollment(&manager, "Van 4", Role::Outreach, &keys(), NOW + 10).await.unwrap();
    let (_late, _) = hub.create_enrollment(&manager, "Van 5", Role::Outreach, &keys(), NOW - 24 * 3600).await.unwrap();
    let listed = hub.enrollments(&manager, NOW + 20).await.unwrap();
    assert_eq!(listed.iter().map(|e| e.label.as_str()).collect::<Vec<_>>(), ["Van 3", "Van 4"], "the expired one is gone, soonest first");
    assert_eq!(listed[0].expires_at, kept_until);
    assert!(listed.iter().all(|e| e.created_by == Some(manager.id) && e.role == Role::Outreach && e.id.len() == 16));
    assert!(!listed.iter().any(|e| kept.contains(&e.id) || cancelled.contains(&e.id)), "an id is not (part of) the code");
    assert!(matches!(hub.enrollments(&phone, NOW).await, Err(HubError::Forbidden(_))));
    assert!(matches!(hub.cancel_enrollment(&phone, &listed[1].id, NOW).await, Err(HubError::Forbidden(_))));

    hub.cancel_enrollment(&manager, &listed[1].id, NOW + 30).await.unwrap();
    assert_eq!(hub.redeem(&cancelled, NOW + 31).await, Err(HubError::TokenGone));
    assert!(matches!(hub.cancel_enrollment(&manager, &listed[1].id, NOW + 32).await, Err(HubError::NotFound(_))));
    assert!(matches!(hub.cancel_enrollment(&manager, "0000000000000000", NOW + 32).await, Err(HubError::NotFound(_))));
    assert_eq!(hub.pending_enrollments().await.unwrap(), 1, "the cancelled code's sealed keys are deleted");
    hub.redeem(&kept, NOW + 40).await.unwrap();
    assert!(hub.enrollments(&manager, NOW + 41).await.unwrap().is_empty());
}
