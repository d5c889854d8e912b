//! Sync figures, each beside a baseline measured in the same run:
//!
//! 1. A backlog of 10,000 encounters shipped from one phone over loopback HTTP, for each
//!    workload of `satchel_e2e::workload` (regular, seeded random, skewed): bytes on the wire per
//!    encounter (target ≤ 64 on the regular one, ≤ 48 on the random and skewed ones), requests
//!    (target ≤ 30), and the seconds it takes against the seconds it took to write the same
//!    encounters locally.
//! 2. Server ingest: 50 devices pushing their backlogs at once, in encounters per second,
//!    against one device pushing the same number alone.
//!
//! cargo bench -p satchel-e2e --bench sync
//!
//! Environment: SATCHEL_BENCH_BACKLOG (default 10000), SATCHEL_BENCH_DEVICES (default 50),
//! SATCHEL_BENCH_PER_DEVICE (encounters per device for ingest, default 200).
// A benchmark: a failed unwrap stops it with its message.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::{Duration, Utc};
use satchel_core::{HttpTransport, NewEncounter, Reply, Role, Store, Transport};
use satchel_e2e::workload::Workload;
use satchel_e2e::*;

const BYTES_TARGET: f64 = 64.0;
const REALISTIC_TARGET: f64 = 48.0;
const REQUESTS_TARGET: u32 = 30;
const SEED: u64 = 0x5a7c_4e1d_2026_1203;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// Counts requests and body bytes both ways.
struct Counting {
    inner: HttpTransport,
    sent: AtomicU64,
    received: AtomicU64,
}

impl Transport for Counting {
    fn call(&self, path: &str, credential: Option<&str>, body: Option<&[u8]>) -> Result<Reply, String> {
        self.sent.fetch_add(body.map_or(0, |b| b.len() as u64), Ordering::Relaxed);
        let reply = self.inner.call(path, credential, body)?;
        self.received.fetch_add(reply.body.len() as u64, Ordering::Relaxed);
        Ok(reply)
    }
}

fn log_all(store: &Store, encounters: &[NewEncounter]) -> f64 {
    let start = Instant::now();
    for e in encounters {
        store.log_encounter(e).unwrap();
    }
    start.elapsed().as_secs_f64()
}

/// A regular backlog of `n`, from encounter `offset` of the sequence on.
fn log_backlog(store: &Store, n: usize, offset: usize) -> f64 {
    let all = Workload::Regular.encounters(offset + n, 0, Utc::now());
    log_all(store, &all[offset..])
}

fn main() {
    let backlog = env("SATCHEL_BENCH_BACKLOG", 10_000);
    let devices = env("SATCHEL_BENCH_DEVICES", 50);
    let per_device = env("SATCHEL_BENCH_PER_DEVICE", 200);
    let server = Server::start();
    let manager = manager(&server);

    // 1. One phone's backlog, for each workload.
    for s in Workload::settings() {
        manager.store.put_setting(s).unwrap();
    }
    manager.store.sync_now(&http(&server)).unwrap();
    let mut results = Vec::new();
    println!("backlog of {backlog} encounters, one phone per workload, loopback HTTP (seed {SEED:#x}):");
    println!("  {:<9} {:>12} {:>10} {:>9} {:>13} {:>8}", "workload", "bytes/enc", "requests", "sync s", "local write s", "ratio");
    for workload in Workload::ALL {
        let phone = enrolled(&server, &manager, workload.name(), Role::Outreach, Duration::zero());
        phone.store.sync_now(&http(&server)).unwrap(); // the program's zones
        let encounters = workload.encounters(backlog, SEED, Utc::now());
        let write_s = log_all(&phone.store, &encounters);
        let net = Counting { inner: http(&server), sent: AtomicU64::new(0), received: AtomicU64::new(0) };
        let start = Instant::now();
        let report = phone.store.sync_now(&net).unwrap();
        let sync_s = start.elapsed().as_secs_f64();
        assert_eq!(report.pushed, backlog as u64, "the whole backlog was acknowledged");
        let per_encounter = net.sent.load(Ordering::Relaxed) as f64 / backlog as f64;
        println!(
            "  {:<9} {per_encounter:12.1} {:>10} {sync_s:9.3} {write_s:13.3} {:8.3}",
            workload.name(),
            report.requests,
            sync_s / write_s
        );
        results.push((workload, per_encounter, report.requests));
    }
    println!(
        "  targets: bytes/enc <= {BYTES_TARGET} (regular), <= {REALISTIC_TARGET} (random, skewed), requests <= {REQUESTS_TARGET}"
    );
    let start = Instant::now();
    let pulled = manager.store.sync_now(&http(&server)).unwrap();
    println!("  manager pulls them all       {:8.3} s   ({} records, {} requests)", start.elapsed().as_secs_f64(), pulled.pulled, pulled.requests);

    // 2. Ingest: one device alone, then many at once, the same number of encounters each.
    println!("server ingest, {per_device} encounters per device:");
    let solo = enrolled(&server, &manager, "Solo", Role::Outreach, Duration::zero());
    log_backlog(&solo.store, per_device, 0);
    let start = Instant::now();
    solo.store.sync_now(&http(&server)).unwrap();
    let solo_rate = per_device as f64 / start.elapsed().as_secs_f64();
    let fleet: Vec<Device> = (0..devices)
        .map(|i| {
            let d = enrolled(&server, &manager, &format!("Van {}", i + 2), Role::Outreach, Duration::zero());
            log_backlog(&d.store, per_device, i * per_device);
            d
        })
        .collect();
    let start = Instant::now();
    std::thread::scope(|s| {
        for d in &fleet {
            let url = server.url();
            s.spawn(move || {
                let t = HttpTransport::new(&url, None).unwrap();
                let r = d.store.sync_now(&t).unwrap();
                assert_eq!(r.pushed, per_device as u64);
            });
        }
    });
    let fleet_s = start.elapsed().as_secs_f64();
    let fleet_rate = (devices * per_device) as f64 / fleet_s;
    println!("  one device alone             {solo_rate:10.0} encounters/s");
    println!("  {devices} devices at once          {fleet_rate:10.0} encounters/s   ({fleet_s:.3} s; ratio to one device {:.2})", fleet_rate / solo_rate);

    let mut failed = Vec::new();
    for (workload, per_encounter, requests) in results {
        let target = if workload == Workload::Regular { BYTES_TARGET } else { REALISTIC_TARGET };
        if per_encounter > target {
            failed.push(format!("{per_encounter:.1} bytes per encounter > {target} ({})", workload.name()));
        }
        if requests > REQUESTS_TARGET {
            failed.push(format!("{requests} requests > {REQUESTS_TARGET} ({})", workload.name()));
        }
    }
    if failed.is_empty() {
        println!("targets met");
    } else {
        println!("TARGETS MISSED: {}", failed.join("; "));
        std::process::exit(1);
    }
}
