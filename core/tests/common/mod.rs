//! Helpers shared by the core's integration tests.
#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use satchel_core::crypto::KdfParams;
use satchel_core::{ContactType, CreateOptions, ItemQuantity, MemoryKeys, NewEncounter, Role, Store};

pub const PIN: &str = "2468";

/// Argon2id at its smallest, so tests do not spend their time deriving keys.
pub const FAST_KDF: KdfParams = KdfParams { m_kib: 64, t: 1, p: 1 };

pub fn options(role: Role) -> CreateOptions {
    CreateOptions { role, pin: PIN.into(), hardware: None, background: false, kdf: FAST_KDF }
}

/// A phone's store: the PIN together with the phone's keystore (a stand-in that keeps its
/// secrets in memory, outside the store's files).
pub fn phone_options(role: Role, hardware: Arc<MemoryKeys>) -> CreateOptions {
    CreateOptions { role, pin: PIN.into(), hardware: Some(hardware), background: false, kdf: FAST_KDF }
}

/// A clock the test moves by hand: the wall clock, and the phone's clock since it started
/// (milliseconds), which time moves too but setting the wall clock does not.
#[derive(Clone)]
pub struct TestClock(pub Arc<Mutex<DateTime<Utc>>>, pub Arc<Mutex<i64>>);

impl TestClock {
    pub fn at(t: DateTime<Utc>) -> Self {
        TestClock(Arc::new(Mutex::new(t)), Arc::new(Mutex::new(3_600_000)))
    }
    pub fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
    pub fn uptime_ms(&self) -> i64 {
        *self.1.lock().unwrap()
    }
    /// Time passes: both clocks move.
    pub fn advance(&self, d: Duration) {
        *self.0.lock().unwrap() += d;
        *self.1.lock().unwrap() += d.num_milliseconds();
    }
    /// Someone sets the wall clock; the time since the phone started does not move.
    pub fn set_wall(&self, d: Duration) {
        *self.0.lock().unwrap() += d;
    }
    /// The phone restarts: its clock since start begins again.
    pub fn restart(&self) {
        *self.1.lock().unwrap() = 5_000;
    }
    pub fn attach(&self, store: Store) -> Store {
        let (c, u) = (self.clone(), self.clone());
        store.with_clock(Arc::new(move || c.now())).with_uptime(Arc::new(move || Some(u.uptime_ms())))
    }
}

/// Noon UTC on 2026-11-16, a Monday (07:00 in New York).
pub fn monday_noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 12, 0, 0).unwrap()
}

pub fn new_store(dir: &Path, role: Role, clock: &TestClock) -> Store {
    clock.attach(Store::create(dir, options(role)).unwrap())
}

pub fn iq(item: &str, quantity: u32) -> ItemQuantity {
    ItemQuantity { item: item.into(), quantity }
}

/// A typical street encounter at `at`.
pub fn street(at: DateTime<Utc>) -> NewEncounter {
    NewEncounter {
        contact_type: ContactType::Street,
        participant_code: Some("MA12JS".into()),
        age_band: Some("25-34".into()),
        gender: Some("woman".into()),
        items: vec![iq("syringe-1ml", 20), iq("naloxone-nasal", 1)],
        syringes_collected: 15,
        referrals: vec!["moud".into()],
        substances: vec!["opioids".into(), "xylazine".into()],
        ..NewEncounter::new(at, "downtown")
    }
}

/// A report released as the manager's tool releases it: a staged file, the audit recorded into
/// it, the file written and published (D78). The file is written in a folder of its own that is
/// removed afterwards; the ledger keeps the release.
#[allow(dead_code)]
pub fn publish(store: &Store, q: &satchel_core::TallyQuery) -> satchel_core::SuppressedReport {
    let dir = tempfile::tempdir().unwrap();
    let mut staged = store.stage_release(&[dir.path().join("report.json")]).unwrap();
    let out = store.suppressed_report(q, Some(&mut staged)).unwrap();
    serde_json::to_writer(staged.file(0).unwrap(), &out.tables).unwrap();
    staged.publish().unwrap();
    out
}
