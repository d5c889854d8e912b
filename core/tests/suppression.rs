//! Small counts stay hidden from an attacker who holds a report: random stores, reports by
//! week, by month and for the whole period, for all zones or one, every table attacked with
//! linear programs written apart from the suppressor (`common/attack.rs`): the encounters'
//! breakdowns, the persons' (age band, gender and the profile's race, ethnicity, residence),
//! services delivered and naloxone kits among them.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/attack.rs"]
mod attack;

#[path = "common/dice.rs"]
mod dice;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::*;
use dice::Dice;
use proptest::prelude::*;
use satchel_core::suppress::{self, Cell, CountTable, SuppressedTable};
use satchel_core::profile::{Answer, ProfileAnswers};
use satchel_core::{ContactType, DeliveredService, Granularity, NaloxoneKit, NewEncounter, Outcome, Role, TallyQuery};

const ZONES: [&str; 4] = ["downtown", "riverside", "eastside", "northgate"];
const AGES: [&str; 5] = ["under-25", "25-34", "35-44", "45-54", "55-plus"];
const GENDERS: [&str; 4] = ["woman", "man", "nonbinary", "declined"];
const SUBSTANCES: [&str; 3] = ["opioids", "stimulants", "xylazine"];
const RACES: [&str; 5] = ["white", "black", "asian", "american-indian-alaska-native", "native-hawaiian-pacific-islander"];
const ETHNICITIES: [&str; 2] = ["not-hispanic-latino", "hispanic-latino"];
const RESIDENCES: [&str; 4] = ["this-county", "other-county", "no-fixed-address", "out-of-state"];
const DELIVERED: [&str; 5] = ["hiv-test", "hcv-test", "wound-care", "vaccination", "moud"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn no_report_lets_an_attacker_narrow_a_small_count(seed in 1u64..u64::MAX, threshold in 5u32..12) {
        let dir = tempfile::tempdir().unwrap();
        let clock = TestClock::at(Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap());
        let store = new_store(dir.path(), Role::Outreach, &clock);
        let mut dice = Dice(seed);
        let start = Utc.with_ymd_and_hms(2026, 9, 1, 18, 0, 0).unwrap();
        let mut profiled = std::collections::BTreeSet::new();
        for _ in 0..160 {
            let at = start + Duration::hours(dice.roll(24 * 70) as i64);
            // Most contacts give a code; a code's first contact answers the profile (D89), so
            // the persons' table carries five breakdowns of one total.
            let code = (dice.roll(5) != 0).then(|| format!("CODE{:02}", dice.roll(60)));
            let profile = code.as_ref().filter(|c| profiled.insert((*c).clone())).map(|_| {
                let one = |id: &str| Answer::Chosen(vec![id.to_string()]);
                ProfileAnswers {
                    race: match dice.roll(8) {
                        0 => Answer::Declined,
                        1 => Answer::Chosen(vec!["black".into(), "white".into()]),
                        _ => one(dice.skewed(&RACES)),
                    },
                    ethnicity: if dice.roll(6) == 0 { Answer::NotAsked } else { one(dice.skewed(&ETHNICITIES)) },
                    residence: one(dice.skewed(&RESIDENCES)),
                }
            });
            // Services delivered on site and naloxone kits' reasons (D90).
            let naloxone = dice.roll(3) == 0;
            let e = NewEncounter {
                participant_code: code,
                profile,
                services_delivered: if dice.roll(4) == 0 {
                    vec![DeliveredService { service: dice.skewed(&DELIVERED).into(), outcome: if dice.roll(3) == 0 { Outcome::LinkedToCare } else { Outcome::Done } }]
                } else {
                    vec![]
                },
                naloxone_kit: naloxone.then(|| [NaloxoneKit::First, NaloxoneKit::RefillUsed, NaloxoneKit::RefillLost][dice.roll(3).min(dice.roll(3))]),
                contact_type: [ContactType::Street, ContactType::MobileUnit, ContactType::DropIn][dice.roll(3).min(dice.roll(3))],
                age_band: Some(dice.skewed(&AGES).into()),
                gender: Some(dice.skewed(&GENDERS).into()),
                substances: vec![dice.skewed(&SUBSTANCES).into()],
                new_participant: dice.roll(4) == 0,
                syringes_collected: dice.roll(12) as u32,
                items: if naloxone {
                    vec![iq("syringe-1ml", 1 + dice.roll(20) as u32), iq("naloxone-nasal", 1)]
                } else {
                    vec![iq("syringe-1ml", 1 + dice.roll(20) as u32)]
                },
                ..NewEncounter::new(at, dice.skewed(&ZONES))
            };
            store.log_encounter(&e).unwrap();
        }
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        for by in [Some(Granularity::Week), Some(Granularity::Month), None] {
            for zone in [None, Some(ZONES[dice.roll(4)])] {
                let query = TallyQuery { by, zone: zone.map(str::to_owned), ..TallyQuery::period(d("2026-09-01"), d("2026-11-09")) };
                let tally = store.tally(&query).unwrap();
                let tables = suppress::tables(&tally, by);
                let has = |name: &str, prefix: &str| tables.iter().any(|t| t.name == name && t.columns.iter().any(|c| c.starts_with(prefix)));
                prop_assert!(zone.is_some() || (has("participants", "race/") && has("participants", "residence/") && has("services_delivered", "") && has("naloxone_kits", "")));
                for table in tables {
                    let shown = suppress::suppress(&table, threshold);
                    check(&table, &shown, threshold)?;
                    let (width, at) = attack::narrowest_small(&table, &shown, threshold as u64);
                    prop_assert!(
                        width + 1e-6 >= threshold as f64,
                        "{} by {:?} in {:?}: the small count at {:?} narrows to {}", table.name, by, zone, at, width
                    );
                }
            }
        }
    }
}

/// Every shown value is the true one, and every small count is hidden.
fn check(t: &CountTable, s: &SuppressedTable, threshold: u32) -> Result<(), TestCaseError> {
    for (row, shown) in t.rows.iter().zip(&s.rows) {
        for (&n, &cell) in row.cells.iter().zip(&shown.cells).chain(row.total.iter().zip(&shown.total)) {
            match cell {
                Cell::Count(v) => prop_assert_eq!(v, n),
                Cell::Suppressed => {}
            }
            if n >= 1 && n < threshold as u64 {
                prop_assert_eq!(cell, Cell::Suppressed);
            }
        }
    }
    Ok(())
}
