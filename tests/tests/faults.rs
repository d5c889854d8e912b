//! Sync under network faults: dropped requests, answers lost after the server committed,
//! duplicated and reordered requests, the server killed and restarted mid-request, and device
//! clocks skewed by up to two days. Each schedule is a seeded random run; after it, with the
//! network healthy again, every record is on the server exactly once, nothing is lost, and every
//! device shows the same stock levels.
//!
//! `SATCHEL_FAULT_SCHEDULES` sets how many schedules run on SQLite (default 200; an eighth as
//! many run with the hub on PostgreSQL); `SATCHEL_FAULT_SEED` replays one on each.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use satchel_core::{
    AdjustReason, Error, ItemQuantity, Location, NewEncounter, Record, Role, SegmentLimits, Setting, Stream, TallyQuery,
};
use satchel_e2e::*;
use uuid::Uuid;

fn schedules() -> u64 {
    std::env::var("SATCHEL_FAULT_SCHEDULES").ok().and_then(|s| s.parse().ok()).unwrap_or(200)
}

/// Random small segment limits, so that the outbox is cut differently from one try to the next.
fn limits(rng: &mut Rng) -> SegmentLimits {
    SegmentLimits {
        max_records: 1 + rng.below(6) as usize,
        max_bytes: 64 * 1024,
        max_segments: 1 + rng.below(4) as usize,
        max_push_bytes: 1 + rng.below(4096) as usize,
    }
}

/// Work a device does between syncs.
fn work(rng: &mut Rng, d: &Device, role: Role, logged: &mut BTreeSet<Uuid>) {
    let now = d.store.now();
    if role == Role::Manager {
        if rng.chance(30) {
            let id = format!("site-{}", rng.below(3));
            d.store.put_setting(Setting::Location(Location { id: id.clone(), name: format!("Site {}", rng.below(100)), name_es: None, active: true })).unwrap();
        }
        if rng.chance(50) {
            d.store.receive_stock("office", "condom", 10 + rng.below(50) as u32).unwrap();
        }
        return;
    }
    for _ in 0..rng.below(6) {
        let e = NewEncounter {
            participant_code: Some(format!("PX{:02}QQ", rng.below(9))),
            items: vec![ItemQuantity { item: "syringe-1ml".into(), quantity: 1 + rng.below(20) as u32 }],
            syringes_collected: rng.below(10) as u32,
            ..NewEncounter::new(now - Duration::minutes(rng.below(600) as i64), "downtown")
        };
        logged.insert(d.store.log_encounter(&e).unwrap());
    }
    match rng.below(4) {
        0 => {
            d.store.adjust_stock("van-1", "condom", -(rng.below(3) as i64) - 1, AdjustReason::Damaged).unwrap();
        }
        1 => {
            d.store.count_stock("van-1", "syringe-1ml", 500 + rng.below(100) as u32).unwrap();
        }
        2 => d.store.transfer_stock("office", "van-1", "condom", 1 + rng.below(5) as u32).unwrap(),
        _ => {}
    }
}

/// Runs one schedule; returns the faults injected and how many pushes the server refused as not
/// continuing their stream (each one recovered from).
fn run_schedule(seed: u64, server: Server) -> (Vec<Fault>, u64) {
    let mut rng = Rng(seed);
    let manager = manager(&server);
    let skew = |rng: &mut Rng| Duration::minutes(rng.below(4 * 24 * 60) as i64 - 2 * 24 * 60);
    let phones: Vec<Device> =
        (0..2).map(|i| enrolled(&server, &manager, &format!("Van {i}"), Role::Outreach, skew(&mut rng))).collect();
    let faulty = Faulty::new(&server, seed ^ 0x5eed, 35);
    let mut logged = BTreeSet::new();

    for _round in 0..4 {
        work(&mut rng, &manager, Role::Manager, &mut logged);
        for p in &phones {
            work(&mut rng, p, Role::Outreach, &mut logged);
        }
        for d in std::iter::once(&manager).chain(&phones) {
            for _ in 0..1 + rng.below(2) {
                match d.store.sync_with(&faulty, limits(&mut rng)) {
                    Ok(_) | Err(Error::Offline(_)) => {}
                    Err(e) => panic!("seed {seed}: a fault must only look like being offline, got: {e}"),
                }
            }
        }
    }

    // The network heals: everything settles.
    let net = http(&server);
    for _ in 0..2 {
        for d in std::iter::once(&manager).chain(&phones) {
            d.store.sync_with(&net, limits(&mut rng)).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        }
    }
    check(seed, &server, &manager, &phones, &logged);
    let injected = faulty.injected.lock().unwrap().clone();
    let gaps = faulty.statuses.lock().unwrap().get(&409).copied().unwrap_or(0);
    (injected, gaps)
}

fn check(seed: u64, server: &Server, manager: &Device, phones: &[Device], logged: &BTreeSet<Uuid>) {
    // Every stream of every device is on the server exactly once: its segments tile 1..=last.
    let keys = manager.store.program_keys().unwrap();
    let all = server.all_segments();
    let mut ranges: BTreeMap<(Uuid, Stream), Vec<(u64, u64)>> = BTreeMap::new();
    let mut encounters_on_server = BTreeSet::new();
    let mut versions = BTreeSet::new();
    for p in &all.segments {
        let h = &p.segment.header;
        ranges.entry((h.device, h.stream)).or_default().push((h.first_seq, h.last_seq));
        for payload in open_segment(&keys, &p.segment) {
            if let Record::Encounter(e) = Record::decode(&payload).unwrap() {
                assert!(versions.insert(e.id), "seed {seed}: an encounter stored twice");
                encounters_on_server.insert(e.encounter_id);
            }
        }
    }
    for d in std::iter::once(manager).chain(phones) {
        let id = d.store.device_id().unwrap();
        for s in d.store.outbox_status().unwrap() {
            assert_eq!(s.pending, 0, "seed {seed}: still pending after healthy syncs");
            let mut r = ranges.remove(&(id, s.stream)).unwrap_or_default();
            r.sort();
            let mut next = 1;
            for (first, last) in r {
                assert_eq!(first, next, "seed {seed}: {:?} of a device does not continue at {next}", s.stream);
                next = last + 1;
            }
            assert_eq!(next, s.next_seq, "seed {seed}: the server holds {:?} up to {}", s.stream, next - 1);
        }
    }
    assert!(ranges.is_empty(), "seed {seed}: segments of unknown devices");
    for d in std::iter::once(manager).chain(phones) {
        let status = d.store.sync_status().unwrap();
        assert_eq!((status.holes, status.quarantined), (0, 0), "seed {seed}: {:?} {:?}", status.last_hole, status.last_quarantined);
    }

    // Nothing lost: the manager has every encounter the phones logged, and the server every one.
    assert_eq!(&encounters_on_server, logged, "seed {seed}: the server holds every encounter logged");
    for id in logged {
        assert!(manager.store.get_encounter(*id).unwrap().is_some(), "seed {seed}: an encounter missing on the manager's device");
    }
    let today = chrono::Utc::now().date_naive();
    let period = TallyQuery::period(today - chrono::Days::new(4), today + chrono::Days::new(4));
    assert_eq!(manager.store.tally(&period).unwrap().total.encounters, logged.len() as u64, "seed {seed}");

    // Every device shows the same stock levels.
    let levels = manager.store.stock_levels(None).unwrap();
    for p in phones {
        assert_eq!(p.store.stock_levels(None).unwrap(), levels, "seed {seed}: stock levels differ");
    }
}

/// Runs every `parts`-th of `n` schedules, starting at `part`, each on a new server in
/// `backend`.
fn run_range(backend: Backend, n: u64, part: u64, parts: u64) {
    let server = |seed| Server::start_on(backend).map(|s| run_schedule(seed, s));
    if let Some(seed) = std::env::var("SATCHEL_FAULT_SEED").ok().and_then(|s| s.parse().ok()) {
        if part == 0 {
            server(seed);
        }
        return;
    }
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    let mut gaps = 0;
    let mut ran = 0;
    for i in (0..n).filter(|i| i % parts == part) {
        let Some((faults, g)) = server(0xFA17_0000 + i) else { return };
        ran += 1;
        gaps += g;
        for f in faults {
            *seen.entry(format!("{f:?}")).or_default() += 1;
        }
    }
    println!("{backend:?}: faults injected over {ran} schedules: {seen:?}; gap answers recovered from: {gaps}");
    if ran >= 10 {
        assert_eq!(seen.len(), FAULTS.len(), "every kind of fault was exercised: {seen:?}");
        assert!(gaps > 0, "lost answers followed by a differently cut outbox must have met a gap answer");
    }
}

#[test]
fn fault_schedules_first_half() {
    run_range(Backend::Sqlite, schedules(), 0, 2);
}

#[test]
fn fault_schedules_second_half() {
    run_range(Backend::Sqlite, schedules(), 1, 2);
}

#[test]
fn fault_schedules_on_postgres() {
    run_range(Backend::Postgres, schedules().div_ceil(8), 0, 1);
}
