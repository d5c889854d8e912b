//! Times `Encounters::log` called from Rust, for the comparison with the same call through the
//! Python bindings (bindings/bench.sh). Prints one line: `rust p50_us=… p95_us=… n=…`.
// A benchmark: a failed unwrap stops it with its message.
#![allow(clippy::unwrap_used)]

use std::time::{Instant, SystemTime};

use std::sync::Arc;

use satchel_core::{HardwareKeys, KeyPurpose, MemoryKeys};
use satchel_ffi::{ContactType, DeviceRole, EncounterInput, ItemQuantity, KeyUse, KeystoreError, PhoneKeystore, SatchelStore};

/// The phone's keystore, stood in by keys in memory.
struct Keystore(MemoryKeys);

fn purpose(k: KeyUse) -> KeyPurpose {
    match k {
        KeyUse::Pin => KeyPurpose::Pin,
        KeyUse::Biometric => KeyPurpose::Biometric,
        KeyUse::Background => KeyPurpose::Background,
    }
}

impl PhoneKeystore for Keystore {
    fn create_key(&self, k: KeyUse) -> Result<(), KeystoreError> {
        self.0.create(purpose(k)).map_err(|e| KeystoreError::Failed { detail: e.to_string() })
    }
    fn derive(&self, k: KeyUse, salt: Vec<u8>) -> Result<Vec<u8>, KeystoreError> {
        let salt: [u8; 32] = salt.try_into().map_err(|_| KeystoreError::Failed { detail: "salt".into() })?;
        self.0.derive(purpose(k), &salt).map(|a| a.to_vec()).map_err(|_| KeystoreError::Missing)
    }
    fn destroy_key(&self, k: KeyUse) -> Result<(), KeystoreError> {
        self.0.destroy(purpose(k)).map_err(|e| KeystoreError::Failed { detail: e.to_string() })
    }
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let dir = tempfile::tempdir().expect("temp dir");
    let keystore = Arc::new(Keystore(MemoryKeys::new()));
    let store = SatchelStore::create(dir.path().join("store").display().to_string(), DeviceRole::Outreach, "2468".into(), keystore, false)
        .expect("create");
    store.stock().set_device_location(Some("van-1".into())).expect("location");
    let encounters = store.encounters();
    let input = || EncounterInput {
        occurred_at: SystemTime::now(),
        contact_type: ContactType::Street,
        zone_id: "downtown".into(),
        geohash: None,
        participant_code: Some("MA12JS".into()),
        new_participant: false,
        age_band_id: Some("25-34".into()),
        gender_id: Some("woman".into()),
        items: vec![
            ItemQuantity { item_id: "syringe-1ml".into(), quantity: 20 },
            ItemQuantity { item_id: "naloxone-nasal".into(), quantity: 1 },
            ItemQuantity { item_id: "fentanyl-strip".into(), quantity: 2 },
        ],
        syringes_collected: 12,
        sharps_containers: vec![],
        referral_ids: vec!["moud".into()],
        suggested_service_ids: vec![],
        substance_ids: vec!["opioids".into()],
        overdose_reversals: 0,
        naloxone_doses_used: 0,
        collecting_for: 0,
        services_delivered: vec![],
        naloxone_kit: None,
        profile: None,
    };
    for _ in 0..50 {
        encounters.log(input()).expect("warm-up");
    }
    let mut times: Vec<f64> = (0..n)
        .map(|_| {
            let e = input();
            let t = Instant::now();
            encounters.log(e).expect("log");
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!("rust p50_us={:.1} p95_us={:.1} n={n}", pct(0.5), pct(0.95));
}
