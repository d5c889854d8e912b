//! Sync figures, each beside a baseline measured in the same run:
//!
//! 1. A backlog of 10,000 encounters shipped from one phone over loopback HTTP: bytes on the
//!    wire per encounter (target ≤ 64), requests (target ≤ 30), and the seconds it takes against
//!    the seconds it took to write the same encounters locally.
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
use satchel_core::{ContactType, HttpTransport, ItemQuantity, NewEncounter, Reply, Role, Store, Transport};
use satchel_e2e::*;

const BYTES_TARGET: f64 = 64.0;
const REQUESTS_TARGET: u32 = 30;

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

/// A realistic street encounter: a participant code, an age band, two or three items,
/// sometimes a referral.
fn encounter(i: usize) -> NewEncounter {
    let mut items = vec![ItemQuantity { item: "syringe-1ml".into(), quantity: [10, 20, 40][i % 3] }];
    if i % 2 == 0 {
        items.push(ItemQuantity { item: "naloxone-nasal".into(), quantity: 1 });
    }
    if i % 5 == 0 {
        items.push(ItemQuantity { item: "fentanyl-strip".into(), quantity: 5 });
    }
    NewEncounter {
        contact_type: if i % 4 == 0 { ContactType::MobileUnit } else { ContactType::Street },
        participant_code: Some(format!("P{:03}X{}", i % 400, i % 7)),
        age_band: Some("25-34".into()),
        gender: Some(if i % 2 == 0 { "woman" } else { "man" }.into()),
        items,
        syringes_collected: (i % 25) as u32,
        referrals: if i % 9 == 0 { vec!["moud".into()] } else { vec![] },
        substances: vec!["opioids".into()],
        ..NewEncounter::new(Utc::now() - Duration::minutes((i % 5000) as i64), "downtown")
    }
}

fn log_backlog(store: &Store, n: usize, offset: usize) -> f64 {
    let start = Instant::now();
    for i in 0..n {
        store.log_encounter(&encounter(i + offset)).unwrap();
    }
    start.elapsed().as_secs_f64()
}

fn main() {
    let backlog = env("SATCHEL_BENCH_BACKLOG", 10_000);
    let devices = env("SATCHEL_BENCH_DEVICES", 50);
    let per_device = env("SATCHEL_BENCH_PER_DEVICE", 200);
    let server = Server::start();
    let manager = manager(&server);

    // 1. One phone's backlog.
    let phone = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    let write_s = log_backlog(&phone.store, backlog, 0);
    let net = Counting { inner: http(&server), sent: AtomicU64::new(0), received: AtomicU64::new(0) };
    let start = Instant::now();
    let report = phone.store.sync_now(&net).unwrap();
    let sync_s = start.elapsed().as_secs_f64();
    assert_eq!(report.pushed, backlog as u64, "the whole backlog was acknowledged");
    let sent = net.sent.load(Ordering::Relaxed) as f64;
    let both = sent + net.received.load(Ordering::Relaxed) as f64;
    let per_encounter = sent / backlog as f64;
    println!("backlog of {backlog} encounters, one phone, loopback HTTP:");
    println!("  bytes sent per encounter     {per_encounter:8.1}   (target <= {BYTES_TARGET}; both ways {:.1})", both / backlog as f64);
    println!("  requests                     {:8}   (target <= {REQUESTS_TARGET})", report.requests);
    println!("  sync                         {sync_s:8.3} s");
    println!("  writing them locally         {write_s:8.3} s");
    println!("  ratio sync / local write     {:8.3}", sync_s / write_s);
    let start = Instant::now();
    let pulled = manager.store.sync_now(&http(&server)).unwrap();
    println!("  manager pulls them           {:8.3} s   ({} records, {} requests)", start.elapsed().as_secs_f64(), pulled.pulled, pulled.requests);

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
    if per_encounter > BYTES_TARGET {
        failed.push(format!("{per_encounter:.1} bytes per encounter > {BYTES_TARGET}"));
    }
    if report.requests > REQUESTS_TARGET {
        failed.push(format!("{} requests > {REQUESTS_TARGET}", report.requests));
    }
    if failed.is_empty() {
        println!("targets met");
    } else {
        println!("TARGETS MISSED: {}", failed.join("; "));
        std::process::exit(1);
    }
}
