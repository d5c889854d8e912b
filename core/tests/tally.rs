//! The daily tables the triggers keep must always agree with a scan of the encounters, whatever
//! was logged, corrected, voided, received, purged or re-zoned.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{Duration, NaiveDate};
use common::*;
use proptest::prelude::*;
use satchel_core::disposal::NewDisposal;
use satchel_core::outbox::SettingRecord;
use satchel_core::tally::Source;
use uuid::Uuid;
use satchel_core::{ContactType, ContainerCount, DeliveredService, Granularity, NaloxoneKit, Outcome, NewEncounter, Program, Record, Role, Setting, Store, Stream, TallyQuery};

#[derive(Clone, Debug)]
enum Op {
    Log { zone: usize, code: Option<u8>, items: u8, age: Option<usize>, contact: usize, hours: u8 },
    Correct { which: usize, zone: usize, items: u8, hours: u8 },
    Void { which: usize },
    AckAndPurge,
    ChangeTimeZone { berlin: bool },
    Dispose { weighed: bool, amount: u16, hours: u8 },
    VoidDisposal { which: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0usize..4, prop::option::of(0u8..6), 0u8..4, prop::option::of(0usize..5), 0usize..5, 0u8..72)
            .prop_map(|(zone, code, items, age, contact, hours)| Op::Log { zone, code, items, age, contact, hours }),
        2 => (0usize..50, 0usize..4, 0u8..4, 0u8..72).prop_map(|(which, zone, items, hours)| Op::Correct { which, zone, items, hours }),
        1 => (0usize..50).prop_map(|which| Op::Void { which }),
        1 => Just(Op::AckAndPurge),
        1 => any::<bool>().prop_map(|berlin| Op::ChangeTimeZone { berlin }),
        1 => (any::<bool>(), 1u16..2000, 0u8..72).prop_map(|(weighed, amount, hours)| Op::Dispose { weighed, amount, hours }),
        1 => (0usize..20).prop_map(|which| Op::VoidDisposal { which }),
    ]
}

const ZONES: [&str; 4] = ["downtown", "riverside", "eastside", "northgate"];
const AGES: [&str; 5] = ["under-25", "25-34", "35-44", "45-54", "55-plus"];

fn encounter(clock: &TestClock, zone: usize, code: Option<u8>, items: u8, age: Option<usize>, contact: usize, hours: u8) -> NewEncounter {
    let all = [iq("syringe-1ml", 10), iq("naloxone-nasal", 1), iq("condom", 3)];
    NewEncounter {
        contact_type: ContactType::ALL[contact],
        zone: ZONES[zone].into(),
        participant_code: code.map(|c| format!("CODE{c:02}")),
        age_band: age.map(|a| AGES[a].into()),
        items: all[..items as usize].to_vec(),
        referrals: if items.is_multiple_of(2) { vec!["moud".into()] } else { vec![] },
        substances: if items > 1 { vec!["opioids".into(), "xylazine".into()] } else { vec![] },
        syringes_collected: items as u32 * 3,
        sharps_containers: match items {
            1 => vec![ContainerCount { container: "gallon".into(), count: 1 }],
            3 => vec![ContainerCount { container: "quart".into(), count: 2 }, ContainerCount { container: "gallon".into(), count: 1 }],
            _ => vec![],
        },
        // Services delivered and a naloxone kit's reason (D90) ride along with the items.
        services_delivered: match items {
            1 => vec![DeliveredService { service: "hiv-test".into(), outcome: Outcome::Done }],
            3 => vec![
                DeliveredService { service: "hcv-test".into(), outcome: Outcome::LinkedToCare },
                DeliveredService { service: "vaccination".into(), outcome: Outcome::Done },
            ],
            _ => vec![],
        },
        naloxone_kit: (items >= 2).then_some(if hours.is_multiple_of(2) { NaloxoneKit::First } else { NaloxoneKit::RefillLost }),
        ..NewEncounter::new(clock.now() - Duration::hours(hours as i64), ZONES[zone])
    }
}

fn assert_sources_agree(store: &Store) {
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    for q in [
        TallyQuery::period(d("2026-11-01"), d("2026-12-31")),
        TallyQuery { by: Some(Granularity::Week), ..TallyQuery::period(d("2026-11-10"), d("2026-11-30")) },
        TallyQuery { by: Some(Granularity::Month), zone: Some("riverside".into()), ..TallyQuery::period(d("2026-10-01"), d("2027-01-31")) },
    ] {
        let daily = store.tally_from(&q, Source::Daily).unwrap();
        let scan = store.tally_from(&q, Source::Scan).unwrap();
        assert_eq!(daily, scan, "daily tables and scan differ for {q:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn daily_tables_match_a_scan(ops in prop::collection::vec(op(), 1..25)) {
        let dir = tempfile::tempdir().unwrap();
        let clock = TestClock::at(monday_noon() + Duration::days(3));
        // An outreach phone, so that retention really purges; settings arrive as from a manager.
        let store = new_store(dir.path(), Role::Outreach, &clock);
        store.set_device_location(Some("van-1")).unwrap();
        let mut ids = Vec::new();
        let mut stamp = 1u64 << 60;
        let mut set_program = |program: Program| {
            stamp += 1;
            let program = Setting::Program(program);
            store.apply_records(&[Record::Setting(SettingRecord {
                id: Uuid::now_v7(),
                key: program.key(),
                value: program.to_json(),
                hlc: stamp,
                device: Uuid::from_u128(7),
            })]).unwrap();
        };
        set_program(Program { syringes_per_pound: 90, ..store.settings().unwrap().program });
        let mut disposals = Vec::new();
        for op in ops {
            clock.advance(Duration::minutes(7));
            match op {
                Op::Log { zone, code, items, age, contact, hours } => {
                    ids.push(store.log_encounter(&encounter(&clock, zone, code, items, age, contact, hours)).unwrap());
                }
                Op::Correct { which, zone, items, hours } if !ids.is_empty() => {
                    let id = ids[which % ids.len()];
                    let _ = store.correct_encounter(id, &encounter(&clock, zone, None, items, None, 1, hours));
                }
                Op::Void { which } if !ids.is_empty() => {
                    let _ = store.void_encounter(ids[which % ids.len()]);
                }
                Op::AckAndPurge => {
                    clock.advance(Duration::days(3));
                    let sent = store.outbox_status().unwrap().iter().find(|s| s.stream == Stream::Encounters).unwrap().next_seq - 1;
                    if sent > 0 {
                        store.acknowledge(Stream::Encounters, sent).unwrap();
                    }
                    store.purge_expired().unwrap();
                }
                Op::ChangeTimeZone { berlin } => {
                    let tz = if berlin { "Europe/Berlin" } else { "Pacific/Honolulu" };
                    // A new syringes-per-pound figure too: earlier entries keep theirs.
                    set_program(Program { time_zone: tz.into(), retention_days: 1, syringes_per_pound: 120, ..Program::default() });
                }
                Op::Dispose { weighed, amount, hours } => {
                    let new = if weighed {
                        NewDisposal::Weighed { tenths_of_pound: amount as u32 }
                    } else {
                        NewDisposal::Counted { syringes: amount as u32 }
                    };
                    disposals.push(store.record_disposal(new, Some(clock.now() - Duration::hours(hours as i64))).unwrap());
                }
                Op::VoidDisposal { which } if !disposals.is_empty() => {
                    let _ = store.void_disposal(disposals[which % disposals.len()]);
                }
                _ => {}
            }
        }
        assert_sources_agree(&store);
    }
}

#[test]
fn records_received_from_phones_keep_the_daily_tables_right() {
    let clock = TestClock::at(monday_noon());
    let (d1, dm) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let phone = new_store(d1.path(), Role::Outreach, &clock);
    let manager = new_store(dm.path(), Role::Manager, &clock);
    let a = phone.log_encounter(&encounter(&clock, 0, Some(1), 2, Some(1), 0, 1)).unwrap();
    phone.log_encounter(&encounter(&clock, 1, Some(2), 3, None, 2, 2)).unwrap();
    phone.correct_encounter(a, &encounter(&clock, 2, None, 1, None, 3, 5)).unwrap();
    let records: Vec<Record> = phone
        .outbox_pending(Stream::Encounters, 100)
        .unwrap()
        .iter()
        .map(|e| Record::decode(&e.payload).unwrap())
        .collect();
    // Versions out of order and repeated.
    manager.apply_records(&records[2..]).unwrap();
    manager.apply_records(&records).unwrap();
    assert_sources_agree(&manager);
    let day = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
    assert_eq!(manager.tally(&TallyQuery::period(day, day)).unwrap().total.encounters, 2);
}

/// Services delivered on site and naloxone kits' reasons (D90): counted per delivery, by
/// service and outcome and by reason; moved by a correction, gone with a void; refused when
/// they do not fit, with nothing written.
#[test]
fn services_delivered_and_naloxone_kits_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon());
    let store = new_store(dir.path(), Role::Manager, &clock);
    let given = |service: &str, outcome| DeliveredService { service: service.into(), outcome };
    let at = |minutes: i64| NewEncounter::new(clock.now() - Duration::minutes(minutes), "downtown");
    let a = store
        .log_encounter(&NewEncounter {
            items: vec![iq("naloxone-nasal", 1)],
            naloxone_kit: Some(NaloxoneKit::First),
            services_delivered: vec![given("hiv-test", Outcome::LinkedToCare), given("vaccination", Outcome::Done)],
            ..at(30)
        })
        .unwrap();
    let b = store
        .log_encounter(&NewEncounter { items: vec![iq("naloxone-nasal", 2)], naloxone_kit: Some(NaloxoneKit::RefillUsed), ..at(20) })
        .unwrap();
    store.log_encounter(&NewEncounter { services_delivered: vec![given("hiv-test", Outcome::Done)], ..at(10) }).unwrap();
    let day = monday_noon().date_naive();
    let q = TallyQuery::period(day, day);
    let counts = |m: &std::collections::BTreeMap<String, u64>| m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ");
    let check = |delivered: &str, kits: &str| {
        let daily = store.tally_from(&q, Source::Daily).unwrap();
        assert_eq!(daily, store.tally_from(&q, Source::Scan).unwrap());
        assert_eq!(counts(&daily.total.services_delivered), delivered);
        assert_eq!(counts(&daily.total.naloxone_kits), kits);
    };
    check("hiv-test/done=1 hiv-test/linked_to_care=1 vaccination/done=1", "first=1 refill_used=1");
    // The first contact is corrected (the HIV test was only done), the refill voided.
    store
        .correct_encounter(a, &NewEncounter { services_delivered: vec![given("hiv-test", Outcome::Done)], ..store.encounter_for_correction(a).unwrap() })
        .unwrap();
    store.void_encounter(b).unwrap();
    check("hiv-test/done=2", "first=1");
    assert_eq!(store.encounter_for_correction(a).unwrap().naloxone_kit, Some(NaloxoneKit::First), "kept through the correction");
    // Refused: a kit's reason with no naloxone given, a service not in the list, one twice.
    let pending = store.sync_status().unwrap().pending;
    for bad in [
        NewEncounter { items: vec![iq("syringe-1ml", 10)], naloxone_kit: Some(NaloxoneKit::RefillLost), ..at(5) },
        NewEncounter { services_delivered: vec![given("tarot", Outcome::Done)], ..at(5) },
        NewEncounter { services_delivered: vec![given("hiv-test", Outcome::Done), given("hiv-test", Outcome::LinkedToCare)], ..at(5) },
    ] {
        assert!(matches!(store.log_encounter(&bad), Err(satchel_core::Error::Invalid { .. })), "{bad:?}");
    }
    assert_eq!(store.sync_status().unwrap().pending, pending);
    check("hiv-test/done=2", "first=1");
    // The report's tables carry them, labelled.
    let report = publish(&store, &q);
    let delivered = report.tables.iter().find(|t| t.name == "services_delivered").unwrap();
    assert_eq!(delivered.columns, vec!["hiv-test/done".to_string()]);
    assert!(report.tables.iter().any(|t| t.name == "naloxone_kits"));
}

/// New persons are the people whose first contact with the program falls in the period, each
/// counted once, in the zone of that first contact: never more than the persons served, in
/// any period or zone. Contacts without a code are counted apart.
#[test]
fn new_persons_are_people_first_seen_in_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let clock = TestClock::at(monday_noon() + Duration::days(7));
    let store = new_store(dir.path(), Role::Manager, &clock);
    let day = |n: i64| monday_noon() + Duration::days(n);
    let log_as = |n: i64, zone: &str, code: Option<&str>, marked_new: bool, age: Option<&str>| {
        store
            .log_encounter(&NewEncounter {
                participant_code: code.map(str::to_owned),
                new_participant: marked_new,
                age_band: age.map(str::to_owned),
                ..NewEncounter::new(day(n), zone)
            })
            .unwrap()
    };
    let log = |n: i64, zone: &str, code: Option<&str>, marked_new: bool| log_as(n, zone, code, marked_new, None);
    // A: first seen on day 0 downtown (25-34), again on day 2 by the river (35-44 now), and
    // on day 3 with no age band recorded.
    log_as(0, "downtown", Some("AAAA11"), true, Some("25-34"));
    log_as(2, "riverside", Some("AAAA11"), true, Some("35-44"));
    log(3, "riverside", Some("AAAA11"), false);
    // B: first seen on day 2, by the river and downtown the same day: downtown's (the first
    // zone id of the day).
    log(2, "riverside", Some("BBBB22"), false);
    log(2, "downtown", Some("BBBB22"), false);
    // C: an encounter on day 1, voided; really first seen on day 4 by the river.
    let voided = log(1, "downtown", Some("CCCC33"), true);
    store.void_encounter(voided).unwrap();
    log(4, "riverside", Some("CCCC33"), false);
    // Supplies: A takes syringes and naloxone on day 2, C naloxone on day 4; a contact
    // without a code takes syringes (a contact, not a person).
    let supplies = |n: i64, code: Option<&str>, items: Vec<satchel_core::ItemQuantity>| {
        store.log_encounter(&NewEncounter { participant_code: code.map(str::to_owned), items, ..NewEncounter::new(day(n), "riverside") }).unwrap()
    };
    supplies(2, Some("AAAA11"), vec![iq("syringe-1ml", 10), iq("naloxone-nasal", 1)]);
    supplies(4, Some("CCCC33"), vec![iq("naloxone-nasal", 1)]);
    supplies(4, None, vec![iq("syringe-1ml", 20)]);
    // Two contacts without a code, both marked new by the worker.
    log(2, "riverside", None, true);
    log(3, "riverside", None, true);

    let d = |n: i64| day(n).date_naive();
    let tally = |from: i64, to: i64, zone: Option<&str>| {
        let q = TallyQuery { zone: zone.map(str::to_owned), ..TallyQuery::period(d(from), d(to)) };
        let daily = store.tally_from(&q, Source::Daily).unwrap();
        assert_eq!(daily, store.tally_from(&q, Source::Scan).unwrap(), "{q:?}");
        let t = daily.total;
        (t.participants, t.new_persons, t.contacts_without_code)
    };
    assert_eq!(tally(0, 6, None), (3, 3, 3));
    assert_eq!(tally(2, 6, None), (3, 2, 3), "A was first seen before the period");
    assert_eq!(tally(0, 1, None), (1, 1, 0), "C's voided contact does not make C new");
    assert_eq!(tally(2, 6, Some("riverside")), (3, 1, 3), "B is new downtown, where the day's first zone is");
    assert_eq!(tally(2, 6, Some("downtown")), (1, 1, 0));
    assert_eq!(tally(5, 6, None), (0, 0, 0));
    // Persons by age band: each once, under the last band recorded for them in the stretch;
    // B and C never gave one.
    let bands = |from: i64, to: i64| {
        let t = store.tally(&TallyQuery::period(d(from), d(to))).unwrap().total;
        assert_eq!(t.persons_by_age_band.values().sum::<u64>(), t.participants);
        assert_eq!(t.persons_by_gender.values().sum::<u64>(), t.participants);
        t.persons_by_age_band.into_iter().collect::<Vec<_>>()
    };
    let band = |k: &str, n: u64| (k.to_string(), n);
    assert_eq!(bands(0, 6), vec![band("35-44", 1), band("not_recorded", 2)]);
    assert_eq!(bands(0, 1), vec![band("25-34", 1)]);
    assert_eq!(bands(3, 6), vec![band("not_recorded", 2)], "nothing recorded for A on day 3");
    // Persons who received each kind of supply, each once.
    let receiving = |from: i64, to: i64| store.tally(&TallyQuery::period(d(from), d(to))).unwrap().total.persons_receiving.into_iter().collect::<Vec<_>>();
    assert_eq!(receiving(0, 6), vec![band("naloxone", 2), band("syringes", 1)]);
    assert_eq!(receiving(3, 6), vec![band("naloxone", 1)]);
    // The worker's marks are kept as they were (five encounters marked, one voided).
    let q = TallyQuery::period(d(0), d(6));
    assert_eq!(store.tally(&q).unwrap().total.new_participants, 4);

    // By day, the new persons add up to the period's; one device's tally (this one logged
    // them all) agrees.
    let by_day = store.tally(&TallyQuery { by: Some(Granularity::Day), ..q.clone() }).unwrap();
    assert_eq!(by_day.buckets.iter().map(|b| b.measures.new_persons).collect::<Vec<_>>(), vec![1, 0, 1, 0, 1, 0, 0]);
    let mine = store.tally(&TallyQuery { device: Some(store.device_id().unwrap()), ..q.clone() }).unwrap();
    assert_eq!((mine.total.new_persons, mine.total.contacts_without_code), (3, 3));
    let other = store.tally(&TallyQuery { device: Some(Uuid::now_v7()), ..q }).unwrap();
    assert_eq!((other.total.new_persons, other.total.contacts_without_code), (0, 0));
}
