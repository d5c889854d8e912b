//! Suggested services: recorded only when the worker says so, counted only by service, refused
//! when the directory lacks the service, sent in record format 2, and reported with suppression.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::NaiveDate;
use common::*;
use satchel_core::directory::{Service, ServiceAccess, ServiceText};
use satchel_core::{Error, NewEncounter, Role, Setting, Stream, TallyQuery};

fn service(id: &str) -> Setting {
    Setting::Service(Service {
        id: id.into(),
        name: ServiceText { en: format!("{id} clinic"), es: None },
        referral_types: vec!["moud".into()],
        area: ServiceText { en: "Main St".into(), es: None },
        hours: vec![],
        phone: None,
        access: ServiceAccess::WalkIn,
        requires_id: false,
        requires_insurance: false,
        requires_sobriety: false,
        languages: vec![],
        notes: None,
        active: true,
    })
}

#[test]
fn suggested_services_count_by_service_and_only_known_ones_are_taken() {
    let clock = TestClock::at(monday_noon());
    let dir = tempfile::tempdir().unwrap();
    let store = new_store(dir.path(), Role::Manager, &clock);
    store.put_setting(service("eastside")).unwrap();
    store.put_setting(service("harbor")).unwrap();
    let with = |services: &[&str]| NewEncounter {
        referrals: vec!["moud".into()],
        suggested_services: services.iter().map(|s| s.to_string()).collect(),
        ..NewEncounter::new(clock.now(), "downtown")
    };
    for _ in 0..12 {
        store.log_encounter(&with(&["eastside"])).unwrap();
    }
    let both = store.log_encounter(&with(&["harbor", "eastside"])).unwrap();
    store.log_encounter(&with(&[])).unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
    let t = store.tally(&TallyQuery::period(day, day)).unwrap().total;
    assert_eq!((t.by_service.get("eastside"), t.by_service.get("harbor")), (Some(&13), Some(&1)));
    assert_eq!(t.referrals.get("moud"), Some(&14), "referrals count as before");
    assert_eq!(store.encounter_for_correction(both).unwrap().suggested_services, ["eastside", "harbor"]);

    // Refused, and nothing written: a service the directory lacks, or one listed twice.
    let before = store.outbox_status().unwrap();
    for bad in [with(&["nowhere"]), with(&["harbor", "harbor"])] {
        assert!(matches!(store.log_encounter(&bad), Err(Error::Invalid { field, .. }) if field == "suggested_services"));
    }
    assert_eq!(store.outbox_status().unwrap(), before);

    // Format 2 only where a service was suggested.
    let payloads: Vec<Vec<u8>> = store.outbox_pending(Stream::Encounters, 100).unwrap().into_iter().map(|e| e.payload).collect();
    assert!(payloads[0].starts_with(b"{\"v\":2,") && payloads.last().unwrap().starts_with(b"{\"v\":1,"));

    // The released report has the table, and hides the small count.
    let r = store.suppressed_report(&TallyQuery::period(day, day), None).unwrap();
    let table = r.tables.iter().find(|t| t.name == "referrals_by_service").unwrap();
    let col = |id: &str| table.columns.iter().position(|c| c == id).unwrap();
    let period = table.rows.last().unwrap();
    assert_eq!(period.cells[col("eastside")].count(), Some(13));
    assert_eq!(period.cells[col("harbor")].count(), None, "1 is below the threshold");
}
