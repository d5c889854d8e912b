//! The device side of sync against a stand-in hub that does what the protocol says the server
//! does (store sealed segments, acknowledge the highest contiguous sequence, serve pages by a
//! global cursor filtered by role). The real server and the HTTP transport come separately.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use common::*;
use satchel_core::disposal::NewDisposal;
use satchel_core::profile::{Answer, ProfileAnswers};
use satchel_core::tally::Source;
use satchel_core::{Error, NewEncounter, Program, Role, SegmentLimits, Setting, Store, Stream, TallyQuery};
use satchel_protocol::wire::{PullResponse, PulledSegment, StreamAck};
use satchel_protocol::SealedSegment;
use uuid::Uuid;

#[derive(Default)]
struct Hub {
    log: Vec<SealedSegment>,
    acked: BTreeMap<(Uuid, Stream), u64>,
}

impl Hub {
    /// Stores a device's segments; answers that device's acknowledgements.
    fn push(&mut self, device: Uuid, segments: Vec<SealedSegment>) -> Vec<StreamAck> {
        for s in segments {
            let key = (s.header.device, s.header.stream);
            let acked = self.acked.get(&key).copied().unwrap_or(0);
            if s.header.last_seq <= acked {
                continue; // a repeat: acknowledged, not stored twice
            }
            assert_eq!(s.header.first_seq, acked + 1, "a gap would be refused");
            self.acked.insert(key, s.header.last_seq);
            self.log.push(s);
        }
        self.acked
            .iter()
            .filter(|((d, _), _)| *d == device)
            .map(|((_, stream), seq)| StreamAck { stream: *stream, acked_seq: *seq })
            .collect()
    }

    fn pull(&self, role: Role, cursor: u64, limit: usize) -> PullResponse {
        let visible: Vec<(u64, &SealedSegment)> = self
            .log
            .iter()
            .enumerate()
            .map(|(i, s)| (i as u64 + 1, s))
            .filter(|(c, s)| *c > cursor && (role == Role::Manager || s.header.stream != Stream::Encounters))
            .collect();
        let page: Vec<PulledSegment> =
            visible.iter().take(limit).map(|(c, s)| PulledSegment { cursor: *c, segment: (*s).clone() }).collect();
        PullResponse {
            next_cursor: page.last().map(|p| p.cursor).unwrap_or(cursor),
            more: visible.len() > limit,
            segments: page,
            acks: vec![],
            keys: None,
        }
    }
}

fn sync(store: &Store, hub: &mut Hub) {
    let limits = SegmentLimits { max_records: 7, max_bytes: 4096, max_segments: 3, ..SegmentLimits::default() };
    loop {
        let segments = store.outgoing_segments(limits).unwrap();
        if segments.is_empty() {
            break;
        }
        for s in &segments {
            assert!(s.header.len() <= 7);
        }
        let acks = hub.push(store.device_id().unwrap(), segments);
        store.apply_acks(&acks).unwrap();
    }
    loop {
        let page = hub.pull(store.role().unwrap(), store.pull_cursor().unwrap(), 4);
        store.apply_pull_page(&page).unwrap();
        if !page.more {
            break;
        }
    }
    store.record_sync_success().unwrap();
}

#[test]
fn two_phones_and_a_manager_converge() {
    let clock = TestClock::at(monday_noon());
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let manager = new_store(dirs[0].path(), Role::Manager, &clock);
    let a = new_store(dirs[1].path(), Role::Outreach, &clock);
    let b = new_store(dirs[2].path(), Role::Outreach, &clock);
    let keys = manager.program_keys().unwrap();
    for phone in [&a, &b] {
        phone.set_program_keys(&keys).unwrap();
        phone.set_device_location(Some("van-1")).unwrap();
    }
    let mut hub = Hub::default();
    a.receive_stock("van-1", "syringe-1ml", 1000).unwrap();
    for i in 0..20 {
        clock.advance(Duration::minutes(3));
        let phone = if i % 2 == 0 { &a } else { &b };
        phone.log_encounter(&NewEncounter { participant_code: Some(format!("PX{:02}QQ", i % 6)), ..street(clock.now()) }).unwrap();
    }
    b.count_stock("van-1", "naloxone-nasal", 40).unwrap();
    assert!(a.sync_status().unwrap().pending > 0);

    for _ in 0..2 {
        sync(&a, &mut hub);
        sync(&b, &mut hub);
        sync(&manager, &mut hub);
    }
    for phone in [&a, &b] {
        let status = phone.sync_status().unwrap();
        assert_eq!(status.pending, 0);
        assert!(status.last_success.is_some() && status.last_error.is_none());
        assert!(phone.recent_encounters(100).unwrap().iter().all(|e| e.synced));
    }
    assert_eq!(a.stock_levels(None).unwrap(), b.stock_levels(None).unwrap());
    assert_eq!(manager.stock_levels(None).unwrap(), a.stock_levels(None).unwrap());
    let day = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
    let total = |s: &Store| s.tally(&TallyQuery::period(day, day)).unwrap().total;
    assert_eq!(total(&manager).encounters, 20);
    assert_eq!(total(&manager).participants, 6);
    assert_eq!(total(&a).encounters, 10, "phones keep only their own encounters");
}

/// The participant profile (D89): written with an encounter or on its own, sealed to the
/// managers with the encounters, counted once per person under each question's newest answer
/// by the end of the period; a bad answer, or one without a code, changes nothing.
#[test]
fn profiles_travel_sealed_to_the_managers_and_count_persons() {
    let clock = TestClock::at(monday_noon());
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let manager = new_store(dirs[0].path(), Role::Manager, &clock);
    let a = new_store(dirs[1].path(), Role::Outreach, &clock);
    let b = new_store(dirs[2].path(), Role::Outreach, &clock);
    assert!(manager.ensure_reporting_key().unwrap());
    let keys = manager.program_keys().unwrap();
    let mut hub = Hub::default();
    sync(&manager, &mut hub);
    for phone in [&a, &b] {
        phone.set_program_keys(&keys).unwrap();
        sync(phone, &mut hub);
    }
    let one = |id: &str| Answer::Chosen(vec![id.to_string()]);
    let with = |code: &str, profile: Option<ProfileAnswers>| NewEncounter {
        participant_code: Some(code.into()),
        profile,
        ..street(clock.now())
    };
    // Day 0, phone A: P1 answers everything; P2 two races and declines ethnicity.
    a.log_encounter(&with(
        "PONE11",
        Some(ProfileAnswers { race: one("white"), ethnicity: one("not-hispanic-latino"), residence: one("this-county") }),
    ))
    .unwrap();
    a.log_encounter(&with(
        "PTWO22",
        Some(ProfileAnswers { race: Answer::Chosen(vec!["black".into(), "white".into()]), ethnicity: Answer::Declined, ..Default::default() }),
    ))
    .unwrap();
    // Refused, and nothing written: a profile without a code, an answer not in the list, an
    // empty profile, two ethnicities.
    let pending = a.sync_status().unwrap().pending;
    let bad = [
        NewEncounter { participant_code: None, profile: Some(ProfileAnswers { race: one("white"), ..Default::default() }), ..street(clock.now()) },
        with("PTHREE3", Some(ProfileAnswers { race: one("martian"), ..Default::default() })),
        with("PTHREE3", Some(ProfileAnswers::default())),
        with("PTHREE3", Some(ProfileAnswers { ethnicity: Answer::Chosen(vec!["hispanic-latino".into(), "not-hispanic-latino".into()]), ..Default::default() })),
    ];
    for e in &bad {
        assert!(matches!(a.log_encounter(e), Err(Error::Invalid { .. })), "{e:?}");
    }
    assert!(matches!(a.record_profile("PTHREE3", &ProfileAnswers { residence: one("asian"), ..Default::default() }), Err(Error::Invalid { .. })));
    assert_eq!(a.sync_status().unwrap().pending, pending, "a refused save writes nothing");
    assert!(!a.participant_seen("PTHREE3").unwrap());

    // Day 1, phone B: P1 is new to B; skips race ("ask later"), says they moved out of state.
    // P3 is seen without a profile; P4 answers but is never served.
    clock.advance(Duration::days(1));
    b.log_encounter(&with("PONE11", Some(ProfileAnswers { residence: one("out-of-state"), ..Default::default() }))).unwrap();
    b.log_encounter(&with("PTHREE3", None)).unwrap();
    b.record_profile("PFOUR44", &ProfileAnswers { race: one("asian"), ..Default::default() }).unwrap();

    for s in [&a, &b, &manager] {
        sync(s, &mut hub);
    }
    let encounter_segments: Vec<&SealedSegment> = hub.log.iter().filter(|s| s.header.stream == Stream::Encounters).collect();
    assert!(!encounter_segments.is_empty() && encounter_segments.iter().all(|s| s.is_for_managers()));
    for s in &encounter_segments {
        assert!(satchel_protocol::open(&keys.data_key, s).is_err(), "a phone's team key opens no profile");
    }
    assert_eq!(manager.sync_status().unwrap().quarantined, 0);

    let day0 = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
    let total = |to: NaiveDate| manager.tally(&TallyQuery::period(day0, to)).unwrap().total;
    let counts = |m: &BTreeMap<String, u64>| m.iter().map(|(k, v)| (k.as_str().to_owned(), *v)).collect::<Vec<_>>();
    let c = |k: &str, n: u64| (k.to_string(), n);
    let both = total(day0 + Duration::days(1));
    assert_eq!(both.participants, 3, "P4 answered but was never served");
    assert_eq!(counts(&both.persons_by_race), vec![c("multiple", 1), c("not_recorded", 1), c("white", 1)]);
    assert_eq!(counts(&both.persons_by_ethnicity), vec![c("declined", 1), c("not-hispanic-latino", 1), c("not_recorded", 1)]);
    assert_eq!(counts(&both.persons_by_residence), vec![c("not_recorded", 2), c("out-of-state", 1)], "P1's newest answer");
    // On day 0 alone, P1 still lived in this county.
    let first = total(day0);
    assert_eq!(first.participants, 2);
    assert_eq!(counts(&first.persons_by_residence), vec![c("not_recorded", 1), c("this-county", 1)]);
    // The report's participants table holds them, each breakdown adding up to the total.
    let report = publish(&manager, &TallyQuery::period(day0, day0 + Duration::days(1)));
    let table = report.tables.iter().find(|t| t.name == "participants").unwrap();
    for prefix in ["race/", "ethnicity/", "residence/"] {
        assert!(table.columns.iter().any(|col| col.starts_with(prefix)), "{prefix} in {:?}", table.columns);
    }
}

#[test]
fn a_program_from_before_the_reporting_key_switches_to_it_at_its_managers_sync() {
    let clock = TestClock::at(monday_noon());
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let manager = new_store(dirs[0].path(), Role::Manager, &clock);
    let phone = new_store(dirs[1].path(), Role::Outreach, &clock);
    let teammate = new_store(dirs[2].path(), Role::Outreach, &clock);
    let keys = manager.program_keys().unwrap();
    assert!(keys.reporting_private.is_none() && manager.reporting_public_key().unwrap().is_none(), "an older program");
    for p in [&phone, &teammate] {
        p.set_program_keys(&keys).unwrap();
    }
    let mut hub = Hub::default();
    for _ in 0..3 {
        clock.advance(Duration::minutes(5));
        phone.log_encounter(&street(clock.now())).unwrap();
    }
    sync(&phone, &mut hub);
    let before = hub.log.len();
    assert!(hub.log.iter().all(|s| !s.is_for_managers()), "under the team key until there is a reporting key");

    // The manager's sync makes the key and publishes it; the phone takes it at its next pull.
    assert!(manager.ensure_reporting_key().unwrap());
    assert!(!manager.ensure_reporting_key().unwrap(), "one key per program");
    sync(&manager, &mut hub);
    sync(&phone, &mut hub);
    assert_eq!(phone.reporting_public_key().unwrap(), manager.reporting_public_key().unwrap());
    for _ in 0..2 {
        clock.advance(Duration::minutes(5));
        phone.log_encounter(&street(clock.now())).unwrap();
    }
    sync(&phone, &mut hub);
    let after: Vec<&SealedSegment> = hub.log[before..].iter().filter(|s| s.header.stream == Stream::Encounters).collect();
    assert!(!after.is_empty() && after.iter().all(|s| s.is_for_managers()));
    // A teammate's phone holds the team key: it opens none of the new encounter segments.
    let team = teammate.program_keys().unwrap();
    for s in &after {
        assert!(satchel_protocol::open(&team.data_key, s).is_err());
    }
    // The manager reads all five, old and new.
    sync(&manager, &mut hub);
    let day = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
    assert_eq!(manager.tally(&TallyQuery::period(day, day)).unwrap().total.encounters, 5);
    assert_eq!(manager.sync_status().unwrap().quarantined, 0);
}

#[test]
fn bad_segments_are_set_aside_and_the_rest_applies() {
    let clock = TestClock::at(monday_noon());
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = new_store(d1.path(), Role::Outreach, &clock);
    let b = new_store(d2.path(), Role::Outreach, &clock);
    let keys = a.program_keys().unwrap();
    b.set_program_keys(&keys).unwrap();
    let one = SegmentLimits { max_records: 1, ..SegmentLimits::default() };
    let zero = SegmentLimits { max_records: 0, max_segments: 0, ..SegmentLimits::default() };
    a.receive_stock("van-1", "condom", 50).unwrap();
    a.receive_stock("van-1", "condom", 25).unwrap();
    let mut hub = Hub::default();
    let a_id = a.device_id().unwrap();
    assert_eq!(a.outgoing_segments(zero).unwrap().len(), 1, "limits of zero still send something");
    hub.push(a_id, a.outgoing_segments(one).unwrap());
    let good = hub.pull(Role::Outreach, 0, 10);
    assert_eq!(good.segments.len(), 2);

    // This app is too old for a segment: the pull stops, nothing changes, nothing is skipped.
    let mut newer_format = good.clone();
    let header = newer_format.segments[0].segment.header;
    newer_format.segments[0].segment =
        satchel_protocol::seal(&keys.data_key, header, &[br#"{"v":5,"type":"hologram"}"#.to_vec()]).unwrap();
    assert!(matches!(b.apply_pull_page(&newer_format), Err(Error::NewerRecord { found: 5, .. })));
    let mut unknown_value = good.clone();
    let a_record = String::from_utf8(a.outbox_pending(Stream::Inventory, 1).unwrap()[0].payload.clone()).unwrap();
    let hologram = a_record.replacen("\"received\"", "\"teleported\"", 1);
    assert_ne!(hologram, a_record, "the movement kind was replaced");
    unknown_value.segments[0].segment = satchel_protocol::seal(&keys.data_key, header, &[hologram.into_bytes()]).unwrap();
    assert!(matches!(b.apply_pull_page(&unknown_value), Err(Error::BadRecord(m)) if m.contains("update the app")));
    assert!(b.stock_levels(None).unwrap().is_empty());
    assert_eq!((b.pull_cursor().unwrap(), b.sync_status().unwrap().quarantined), (0, 0));

    // A damaged segment, one moved under another device's id, one claiming a key epoch that
    // does not exist, one of another program: set aside and counted; the good segment beside
    // them applies.
    let mut tampered = good.clone();
    tampered.segments[0].segment.ciphertext[5] ^= 1;
    assert_eq!(b.apply_pull_page(&tampered).unwrap(), 1);
    assert_eq!(b.stock_levels(None).unwrap()[0].level, 25);
    let status = b.sync_status().unwrap();
    assert_eq!(status.quarantined, 1);
    assert!(status.last_quarantined.unwrap().contains("does not open"));
    assert_eq!(b.pull_cursor().unwrap(), good.next_cursor);
    let mut moved = good.clone();
    moved.segments[0].segment.header.device = Uuid::now_v7();
    assert_eq!(b.apply_pull_page(&moved).unwrap(), 1);
    let mut forged_epoch = good.clone();
    forged_epoch.segments[0].segment.header.key_epoch = u32::MAX;
    assert_eq!(b.apply_pull_page(&forged_epoch).unwrap(), 1, "a forged epoch does not stop the pull");
    let d3 = tempfile::tempdir().unwrap();
    let stranger = new_store(d3.path(), Role::Outreach, &clock);
    assert_eq!(stranger.apply_pull_page(&good).unwrap(), 0);
    assert_eq!(stranger.sync_status().unwrap().quarantined, 2);
    assert!(stranger.stock_levels(None).unwrap().is_empty());
    assert_eq!(b.sync_status().unwrap().quarantined, 3);

    // An outreach phone sets encounters aside even if a hub sent them.
    a.log_encounter(&street(clock.now())).unwrap();
    hub.push(a_id, a.outgoing_segments(SegmentLimits::default()).unwrap());
    let with_encounters = hub.pull(Role::Manager, 0, 10);
    b.apply_pull_page(&with_encounters).unwrap();
    assert_eq!(b.sync_status().unwrap().quarantined, 4);
    assert!(b.recent_encounters(10).unwrap().is_empty());
    // Applying the same good records again changes nothing.
    assert_eq!(b.apply_pull_page(&good).unwrap(), 2);
    assert_eq!(b.stock_levels(None).unwrap()[0].level, 75);
}

#[test]
fn failures_back_off_and_success_clears_them() {
    let clock = TestClock::at(monday_noon());
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path(), Role::Outreach, &clock);
    let first = store.record_sync_failure("server unreachable").unwrap();
    let second = store.record_sync_failure("server unreachable").unwrap();
    assert!(first > clock.now() && second - clock.now() >= Duration::seconds(5));
    let status = store.sync_status().unwrap();
    assert_eq!(status.consecutive_failures, 2);
    assert_eq!(status.last_error.as_deref(), Some("server unreachable"));
    assert_eq!(status.next_attempt, Some(second));
    store.record_sync_success().unwrap();
    let status = store.sync_status().unwrap();
    assert_eq!((status.consecutive_failures, status.last_error, status.next_attempt), (0, None, None));
}

#[test]
fn enrollment_adopts_the_servers_identity_before_anything_is_logged() {
    let clock = TestClock::at(monday_noon());
    let (dm, dp) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let manager = new_store(dm.path(), Role::Manager, &clock);
    let phone = new_store(dp.path(), Role::Manager, &clock);
    let assigned = Uuid::now_v7();
    phone.enroll(assigned, Role::Outreach, &manager.program_keys().unwrap()).unwrap();
    assert_eq!(phone.device_id().unwrap(), assigned);
    assert_eq!(phone.role().unwrap(), Role::Outreach);
    assert_eq!(phone.program_id().unwrap(), manager.program_id().unwrap());
    phone.receive_stock("van-1", "condom", 10).unwrap();
    let segments = phone.outgoing_segments(SegmentLimits::default()).unwrap();
    assert_eq!(segments[0].header.device, assigned);
    assert_eq!(segments[0].header.program, manager.program_id().unwrap());
    // It survives a lock and unlock.
    phone.lock();
    phone.unlock_with_pin(PIN).unwrap();
    assert_eq!((phone.device_id().unwrap(), phone.role().unwrap()), (assigned, Role::Outreach));
    assert!(matches!(phone.enroll(Uuid::now_v7(), Role::Manager, &manager.program_keys().unwrap()), Err(Error::NotPermitted(_))));
    // The manager's store reads what the enrolled phone sent.
    let mut hub = Hub::default();
    hub.push(assigned, segments);
    assert_eq!(manager.apply_pull_page(&hub.pull(Role::Manager, 0, 10)).unwrap(), 1);
}

#[test]
fn records_the_server_skipped_are_reported_as_holes() {
    let clock = TestClock::at(monday_noon());
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = new_store(d1.path(), Role::Outreach, &clock);
    let b = new_store(d2.path(), Role::Outreach, &clock);
    b.set_program_keys(&a.program_keys().unwrap()).unwrap();
    for q in 1..=6 {
        a.receive_stock("van-1", "condom", q).unwrap();
    }
    let mut hub = Hub::default();
    hub.push(a.device_id().unwrap(), a.outgoing_segments(SegmentLimits { max_records: 2, ..SegmentLimits::default() }).unwrap());
    let all = hub.pull(Role::Outreach, 0, 10);
    let seqs: Vec<(u64, u64)> = all.segments.iter().map(|p| (p.segment.header.first_seq, p.segment.header.last_seq)).collect();
    assert_eq!(seqs, [(1, 2), (3, 4), (5, 6)]);

    // Whole and in order: no hole, and a page seen again adds none.
    let (d3, d4) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let c = new_store(d3.path(), Role::Outreach, &clock);
    c.set_program_keys(&a.program_keys().unwrap()).unwrap();
    c.apply_pull_page(&all).unwrap();
    c.apply_pull_page(&all).unwrap();
    assert_eq!((c.sync_status().unwrap().holes, c.sync_status().unwrap().last_hole), (0, None));

    // A server that skips seq 3-4 is caught; what did arrive applies.
    let mut skipped = all.clone();
    skipped.segments.remove(1);
    b.apply_pull_page(&skipped).unwrap();
    let status = b.sync_status().unwrap();
    assert_eq!(status.holes, 1);
    let hole = status.last_hole.unwrap();
    assert!(hole.contains("inventory seq 3-4 of device"), "{hole}");
    assert!(hole.contains(&a.device_id().unwrap().to_string()));
    assert_eq!(b.stock_levels(None).unwrap()[0].level, 1 + 2 + 5 + 6);
    // The same hole is counted once, and later segments that continue add none.
    b.apply_pull_page(&all).unwrap();
    assert_eq!(b.sync_status().unwrap().holes, 1);

    // A forged header cannot fake a hole: a segment that does not open does not count.
    let e = new_store(d4.path(), Role::Outreach, &clock);
    e.set_program_keys(&a.program_keys().unwrap()).unwrap();
    let mut forged = all.clone();
    let mut extra = forged.segments[2].clone();
    extra.cursor += 1;
    extra.segment.header.first_seq = 50;
    extra.segment.header.last_seq = 51;
    forged.segments.push(extra);
    e.apply_pull_page(&forged).unwrap();
    let status = e.sync_status().unwrap();
    assert_eq!((status.quarantined, status.holes), (1, 0));
}

#[test]
fn what_a_restored_hub_lost_is_sent_again_while_the_device_still_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let phone = new_store(dir.path(), Role::Outreach, &clock);
    for _ in 0..5 {
        clock.advance(Duration::minutes(1));
        phone.log_encounter(&street(clock.now())).unwrap();
    }
    let mut hub = Hub::default();
    sync(&phone, &mut hub);
    assert_eq!(phone.sync_status().unwrap().pending, 0);
    let sent: Vec<Vec<u8>> = hub.log.iter().flat_map(|s| open(&phone, s)).collect();

    // The hub comes back from a backup holding encounters 1-2 only.
    assert_eq!(phone.rewind(Stream::Encounters, 2).unwrap(), Some(3));
    assert_eq!(phone.sync_status().unwrap().pending, 3);
    assert!(phone.recent_encounters(10).unwrap().iter().filter(|e| !e.synced).count() == 3, "not purged before the hub has them again");
    let again = phone.outgoing_segments(SegmentLimits::default()).unwrap();
    assert_eq!((again[0].header.first_seq, again.last().unwrap().header.last_seq), (3, 5), "under the same sequence numbers");
    let resent: Vec<Vec<u8>> = again.iter().flat_map(|s| open(&phone, s)).collect();
    assert_eq!(resent, sent[2..], "the very records sent before");
    phone.acknowledge(Stream::Encounters, 5).unwrap();
    assert_eq!(phone.rewind(Stream::Encounters, 5).unwrap(), Some(0), "nothing to do when the hub holds it all");

    // Retention takes the sent records with their encounters: then the hub cannot be filled
    // from this phone, and saying so changes nothing.
    clock.advance(Duration::days(30));
    assert_eq!(phone.purge_expired().unwrap(), 5);
    assert_eq!(phone.rewind(Stream::Encounters, 2).unwrap(), None);
    let status = phone.outbox_status().unwrap();
    let encounters = status.iter().find(|s| s.stream == Stream::Encounters).unwrap();
    assert_eq!((encounters.acked_seq, encounters.pending), (5, 0));
    phone.integrity_check().unwrap();
}

/// A phone keeps a profile only until the hub has it and the retention period has passed, as
/// it keeps encounters: then the person's reference is gone from the phone too (D89).
#[test]
fn a_phone_forgets_the_profiles_it_sent_after_the_retention_period() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let phone = new_store(dir.path(), Role::Outreach, &clock);
    let profile = ProfileAnswers { residence: Answer::Chosen(vec!["this-county".into()]), ..Default::default() };
    phone.log_encounter(&NewEncounter { participant_code: Some("PK01AA".into()), profile: Some(profile.clone()), ..street(clock.now()) }).unwrap();
    phone.record_profile("PK02BB", &profile).unwrap();
    assert!(phone.participant_seen("PK02BB").unwrap(), "a profile alone makes the code known here");
    // Not sent yet: retention keeps everything, whatever its age.
    clock.advance(Duration::days(30));
    assert_eq!(phone.purge_expired().unwrap(), 0);
    assert!(phone.participant_seen("PK01AA").unwrap() && phone.participant_seen("PK02BB").unwrap());
    let mut hub = Hub::default();
    sync(&phone, &mut hub);
    assert_eq!(phone.sync_status().unwrap().pending, 0);
    assert_eq!(phone.purge_expired().unwrap(), 1);
    assert!(!phone.participant_seen("PK01AA").unwrap(), "the encounter, its profile and the reference are gone");
    assert!(!phone.participant_seen("PK02BB").unwrap(), "a profile recorded alone goes too");
    phone.integrity_check().unwrap();
}

/// Syringes sent for disposal (D91): counted or weighed on an office phone or the manager's
/// store, the weight turned into syringes at the figure of the day it was logged, voided only
/// by its author, sealed to the managers, counted in no zone, and forgotten by the phone once
/// the hub has them and the retention period has passed. Every count is set here by hand.
#[test]
fn disposals_travel_sealed_and_count_the_syringes_sent_away() {
    let clock = TestClock::at(monday_noon());
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let manager = new_store(dirs[0].path(), Role::Manager, &clock);
    let office = new_store(dirs[1].path(), Role::Outreach, &clock);
    assert!(manager.ensure_reporting_key().unwrap());
    let keys = manager.program_keys().unwrap();
    let mut hub = Hub::default();
    sync(&manager, &mut hub);
    office.set_program_keys(&keys).unwrap();
    sync(&office, &mut hub);

    // No figure yet: a weight is refused, with nothing written.
    let pending = office.sync_status().unwrap().pending;
    let refused = office.record_disposal(NewDisposal::Weighed { tenths_of_pound: 125 }, None).unwrap_err();
    assert!(matches!(&refused, Error::Invalid { field, .. } if field == "syringes_per_pound"), "{refused:?}");
    let program = manager.settings().unwrap().program;
    manager.put_setting(Setting::Program(Program { syringes_per_pound: 90, ..program.clone() })).unwrap();
    sync(&manager, &mut hub);
    sync(&office, &mut hub);
    for (bad, field) in [
        (NewDisposal::Counted { syringes: 0 }, "syringes"),
        (NewDisposal::Counted { syringes: satchel_core::disposal::MAX_SYRINGES + 1 }, "syringes"),
        (NewDisposal::Weighed { tenths_of_pound: 0 }, "pounds"),
        (NewDisposal::Weighed { tenths_of_pound: satchel_core::disposal::MAX_TENTHS_OF_POUND + 1 }, "pounds"),
    ] {
        let err = office.record_disposal(bad, None).unwrap_err();
        assert!(matches!(&err, Error::Invalid { field: f, .. } if f == field), "{bad:?}: {err:?}");
    }
    let err = office.record_disposal(NewDisposal::Counted { syringes: 5 }, Some(clock.now() + Duration::hours(2))).unwrap_err();
    assert!(matches!(&err, Error::Invalid { field, .. } if field == "occurred_at"), "{err:?}");
    assert_eq!(office.sync_status().unwrap().pending, pending, "a refused entry writes nothing");

    // Day 0: 400 counted, 12.5 lb weighed (1,125 at 90 a pound), 50 counted then voided.
    office.record_disposal(NewDisposal::Counted { syringes: 400 }, None).unwrap();
    office.record_disposal(NewDisposal::Weighed { tenths_of_pound: 125 }, None).unwrap();
    let wrong = office.record_disposal(NewDisposal::Counted { syringes: 50 }, None).unwrap();
    office.void_disposal(wrong).unwrap();
    assert!(matches!(office.void_disposal(wrong), Err(Error::NotPermitted(_))), "voided once");
    // Day 1: the figure becomes 100; 2 lb weighed on the office phone (200), 30 counted by the
    // manager. The day-0 weighing keeps its 1,125.
    clock.advance(Duration::days(1));
    manager.put_setting(Setting::Program(Program { syringes_per_pound: 100, ..program })).unwrap();
    sync(&manager, &mut hub);
    sync(&office, &mut hub);
    office.record_disposal(NewDisposal::Weighed { tenths_of_pound: 20 }, None).unwrap();
    let own = manager.record_disposal(NewDisposal::Counted { syringes: 30 }, None).unwrap();
    for s in [&office, &manager, &office, &manager] {
        sync(s, &mut hub);
    }
    assert_eq!(manager.sync_status().unwrap().quarantined, 0);
    for s in hub.log.iter().filter(|s| s.header.stream == Stream::Encounters) {
        assert!(s.is_for_managers());
        assert!(satchel_protocol::open(&keys.data_key, s).is_err(), "a phone's team key opens no disposal");
    }
    let phone_entry = manager.disposals(30, 100).unwrap().into_iter().find(|e| e.author != manager.device_id().unwrap()).unwrap();
    assert!(matches!(manager.void_disposal(phone_entry.id), Err(Error::NotPermitted(_))), "only its author voids an entry");
    // A void of the office's entry written by another device, as a forged or buggy record
    // would arrive: applied, it changes nothing.
    let forged = satchel_core::disposal::DisposalRecord {
        id: Uuid::now_v7(),
        author: Uuid::now_v7(),
        occurred_at: phone_entry.occurred_at,
        amount: phone_entry.amount,
        voids: Some(phone_entry.id),
    };
    manager.apply_records(&[satchel_core::Record::Disposal(forged)]).unwrap();
    assert!(!manager.disposals(30, 100).unwrap().iter().any(|e| e.id == phone_entry.id && e.voided), "a void by another device");

    let day0 = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
    let total = |store: &Store, from: NaiveDate, to: NaiveDate, zone: Option<&str>| {
        let q = TallyQuery { zone: zone.map(str::to_owned), ..TallyQuery::period(from, to) };
        let daily = store.tally_from(&q, Source::Daily).unwrap();
        assert_eq!(daily, store.tally_from(&q, Source::Scan).unwrap(), "daily tables and scan agree");
        (daily.total.syringes_disposed, daily.total.syringes_disposed_estimated)
    };
    let day1 = day0 + Duration::days(1);
    assert_eq!(total(&manager, day0, day1, None), (430, 1325));
    assert_eq!(total(&manager, day0, day0, None), (400, 1125));
    assert_eq!(total(&manager, day0, day1, Some("downtown")), (0, 0), "a disposal belongs to no zone");
    assert_eq!(total(&office, day0, day1, None), (400, 1325), "the phone counts its own");
    let listed = manager.disposals(30, 100).unwrap();
    assert_eq!(listed.len(), 5);
    assert_eq!(listed.iter().filter(|e| e.voided).count(), 1);
    assert_eq!(listed[0].id, own, "newest first");
    // The manager's report shows both lines.
    let report = publish(&manager, &TallyQuery::period(day0, day1));
    let summary = report.tables.iter().find(|t| t.name == "summary").unwrap();
    let value = |column: &str| {
        let i = summary.columns.iter().position(|c| c == column).unwrap();
        summary.rows.last().unwrap().cells[i].count()
    };
    assert_eq!((value("syringes_disposed"), value("syringes_disposed_estimated")), (Some(430), Some(1325)));

    // Retention: the phone forgets what the hub holds once the period has passed.
    clock.advance(Duration::days(30));
    office.purge_expired().unwrap();
    assert!(office.disposals(365, 100).unwrap().is_empty());
    assert_eq!(total(&office, day0, day1, None), (0, 0));
    assert_eq!(manager.purge_expired().unwrap(), 0);
    assert_eq!(manager.disposals(365, 100).unwrap().len(), 5, "a manager keeps everything");
}

/// The records of a sealed segment, opened with the device's program key.
fn open(store: &Store, segment: &SealedSegment) -> Vec<Vec<u8>> {
    satchel_protocol::open(&store.program_keys().unwrap().data_key, segment).unwrap()
}
