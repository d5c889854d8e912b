//! Helpers shared by the core's integration tests.
#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use satchel_core::crypto::KdfParams;
use satchel_core::{ContactType, CreateOptions, ItemQuantity, NewEncounter, Role, Store};

pub const PIN: &str = "2468";

/// Argon2id at its smallest, so tests do not spend their time deriving keys.
pub const FAST_KDF: KdfParams = KdfParams { m_kib: 64, t: 1, p: 1 };

pub fn options(role: Role) -> CreateOptions {
    CreateOptions { role, pin: Some(PIN.into()), platform_key: None, kdf: FAST_KDF }
}

/// A clock the test moves by hand.
#[derive(Clone)]
pub struct TestClock(pub Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    pub fn at(t: DateTime<Utc>) -> Self {
        TestClock(Arc::new(Mutex::new(t)))
    }
    pub fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
    pub fn advance(&self, d: Duration) {
        *self.0.lock().unwrap() += d;
    }
    pub fn attach(&self, store: Store) -> Store {
        let c = self.clone();
        store.with_clock(Arc::new(move || c.now()))
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
