//! Reports taken together: differencing zones, a week against a month, two periods a day apart
//! and random sets of reports pin no small count once every report goes through the ledger of
//! releases; the same reports suppressed each on its own do. Attacked by `common/across.rs`, a
//! linear-programming attacker over day × zone counts written apart from the suppressor.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "common/across.rs"]
mod across;
#[path = "common/dice.rs"]
mod dice;

use across::Released;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::*;
use dice::Dice;
use proptest::prelude::*;
use satchel_core::{ContactType, DeliveredService, Granularity, NaloxoneKit, NewEncounter, Outcome, Role, Store, TallyQuery};

const ZONES: [&str; 3] = ["downtown", "riverside", "eastside"];
const THRESHOLD: u64 = 11;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Noon in New York on a day.
fn noon(day: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d(day).and_hms_opt(16, 0, 0).unwrap())
}

fn query(from: &str, to: &str, by: Option<Granularity>, zone: Option<&str>) -> TallyQuery {
    TallyQuery { by, zone: zone.map(str::to_owned), ..TallyQuery::period(d(from), d(to)) }
}

/// The report as the manager's tool releases it: through the ledger.
fn release(store: &Store, q: &TallyQuery) -> Released {
    let r = publish(store, q);
    Released { from: q.from, to: q.to, zone: q.zone.clone(), tables: r.tables }
}

/// The same report suppressed on its own, as before the ledger.
fn alone(store: &Store, q: &TallyQuery) -> Released {
    let tally = store.tally(q).unwrap();
    let (tables, _) = satchel_core::suppress_tally(&tally, q.by, THRESHOLD as u32);
    Released { from: q.from, to: q.to, zone: q.zone.clone(), tables }
}

fn log(store: &Store, n: usize, day: &str, zone: &str) {
    for _ in 0..n {
        let e = NewEncounter { substances: vec!["opioids".into()], ..NewEncounter::new(noon(day), zone) };
        store.log_encounter(&e).unwrap();
    }
}

fn manager_store(dir: &std::path::Path) -> Store {
    new_store(dir, Role::Manager, &TestClock::at(Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()))
}

#[test]
fn the_all_zones_report_and_the_single_zone_ones_pin_nothing_together() {
    let dir = tempfile::tempdir().unwrap();
    let store = manager_store(dir.path());
    log(&store, 30, "2026-10-06", "downtown");
    log(&store, 25, "2026-10-07", "riverside");
    log(&store, 20, "2026-10-08", "northgate");
    log(&store, 7, "2026-10-08", "eastside");
    let reports = [None, Some("downtown"), Some("riverside"), Some("northgate"), Some("eastside")]
        .map(|z| query("2026-10-05", "2026-10-11", None, z));

    // Each on its own: 82 over all zones, 30, 25 and 20 shown, so eastside's hidden 7 follows.
    let before: Vec<Released> = reports.iter().map(|q| alone(&store, q)).collect();
    let (width, at) = across::narrowest(&store, &before, THRESHOLD);
    assert!(width < 0.5, "the attack works on reports suppressed each on its own (narrowest {width} at {at})");

    let after: Vec<Released> = reports.iter().map(|q| release(&store, q)).collect();
    let (width, at) = across::narrowest(&store, &after, THRESHOLD);
    assert!(width + 1e-6 >= THRESHOLD as f64, "through the ledger the small count at {at} narrows to {width}");
    assert_eq!(store.releases().unwrap().len(), 5);
}

/// Three months released one by one, then one zone's report of the three together: the zone's
/// middle month is a small count, so the monthly report hides it, and the zone's total over the
/// three would give it back unless a month released before hid a second month of that zone.
fn three_months_then_a_zone(months: [(&str, &str); 3]) -> (Vec<satchel_core::SuppressedReport>, Vec<Released>, Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = manager_store(dir.path());
    for ((from, _), east) in months.iter().zip([15, 5, 15]) {
        let day = d(from) + Duration::days(14);
        log(&store, 30, &day.to_string(), "downtown");
        log(&store, 25, &day.to_string(), "riverside");
        log(&store, east, &day.to_string(), "eastside");
    }
    let mut queries: Vec<TallyQuery> = months.iter().map(|(from, to)| query(from, to, None, None)).collect();
    queries.push(query(months[0].0, months[2].1, None, Some("eastside")));
    let reports: Vec<_> = queries.iter().map(|q| publish(&store, q)).collect();
    let released = queries
        .iter()
        .zip(&reports)
        .map(|(q, r)| Released { from: q.from, to: q.to, zone: q.zone.clone(), tables: r.tables.clone() })
        .collect();
    (reports, released, store, dir)
}

#[test]
fn the_month_that_ends_a_quarter_keeps_the_quarters_zone_totals_showable() {
    use satchel_core::suppress::Why;
    let (reports, released, store, _dir) =
        three_months_then_a_zone([("2026-07-01", "2026-07-31"), ("2026-08-01", "2026-08-31"), ("2026-09-01", "2026-09-30")]);
    let plans: Vec<_> = reports.iter().map(|r| r.planned.clone()).collect();
    assert_eq!(plans, [vec![], vec![], vec![(d("2026-07-01"), d("2026-09-30"))], vec![]], "September plans the quarter");
    assert!(reports[2].hidden_for_earlier > 0, "September hides a second month of the zones its plan links");
    let zone = &reports[3];
    assert!(zone.headlines_hidden.iter().all(|h| h.why == Why::SmallCount), "{:?}", zone.headlines_hidden);
    let (width, at) = across::narrowest(&store, &released, THRESHOLD);
    assert!(width + 1e-6 >= THRESHOLD as f64, "the small count at {at} narrows to {width}");

    // Three months that are no calendar quarter are not planned (September plans its own
    // quarter): the zone's total is hidden, with its reason, and still pins nothing.
    let (reports, released, store, _dir) =
        three_months_then_a_zone([("2026-09-01", "2026-09-30"), ("2026-10-01", "2026-10-31"), ("2026-11-01", "2026-11-30")]);
    assert!(reports[1..].iter().all(|r| r.planned.is_empty()));
    let hidden = &reports[3].headlines_hidden;
    assert!(hidden.iter().any(|h| h.table == "encounters" && h.column.is_none() && h.why == Why::EarlierReleases), "{hidden:?}");
    let (width, at) = across::narrowest(&store, &released, THRESHOLD);
    assert!(width + 1e-6 >= THRESHOLD as f64, "the small count at {at} narrows to {width}");
}

#[test]
fn the_audit_tells_how_far_it_is_until_every_small_count_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let store = manager_store(dir.path());
    log(&store, 30, "2026-10-06", "downtown");
    log(&store, 7, "2026-10-08", "eastside");
    release(&store, &query("2026-10-05", "2026-10-11", None, None));
    let seen = std::sync::Mutex::new(Vec::new());
    let tell = |p: satchel_core::AuditProgress| seen.lock().unwrap().push(p);
    let q = query("2026-10-05", "2026-10-11", None, Some("downtown"));
    let r = store.suppressed_report_watched(&q, None, &tell).unwrap();
    let seen = seen.into_inner().unwrap();
    assert!(r.targets > 0 && !seen.is_empty(), "{} targets, {} calls", r.targets, seen.len());
    assert!(seen.iter().all(|p| p.of == r.targets && p.done <= p.of && p.earlier == 1), "{seen:?}");
    let mut done: Vec<usize> = seen.iter().map(|p| p.done).collect();
    done.sort_unstable();
    assert_eq!(done, (1..=r.targets).collect::<Vec<_>>(), "each small count told once");
}

#[test]
fn every_item_referral_type_and_zone_of_the_program_shows_even_at_zero() {
    let dir = tempfile::tempdir().unwrap();
    let store = manager_store(dir.path());
    log(&store, 12, "2026-10-06", "downtown");
    let settings = store.settings().unwrap();
    let r = store.suppressed_report(&query("2026-10-05", "2026-10-11", None, None), None).unwrap();
    let period = |column: &str| -> Vec<satchel_core::suppress::Cell> {
        r.tables
            .iter()
            .filter_map(|t| {
                let c = t.columns.iter().position(|c| c == column || c.rsplit('/').next() == Some(column) && c.contains('/'))?;
                Some(t.rows.iter().rfind(|row| row.part == "period")?.cells[c])
            })
            .collect()
    };
    let ids = settings.items.iter().filter(|i| i.active).map(|i| &i.id).chain(settings.referral_types.iter().map(|c| &c.id)).chain(settings.zones.iter().filter(|z| z.id != "downtown").map(|z| &z.id));
    for id in ids {
        let cells = period(id);
        assert!(cells.contains(&satchel_core::suppress::Cell::Count(0)), "{id}: {cells:?} in {:?}", r.tables.iter().map(|t| (&t.name, &t.columns)).collect::<Vec<_>>());
    }
}

#[test]
fn a_period_not_ended_or_not_pulled_since_is_named() {
    use satchel_core::PeriodCheck;
    let dir = tempfile::tempdir().unwrap();
    let store = manager_store(dir.path()); // 2026-11-20 12:00 UTC, 07:00 in New York
    assert_eq!(store.period_check(d("2026-11-20")).unwrap(), PeriodCheck::NotEnded { today: d("2026-11-20") });
    assert_eq!(store.period_check(d("2026-12-31")).unwrap(), PeriodCheck::NotEnded { today: d("2026-11-20") });
    assert_eq!(store.period_check(d("2026-10-31")).unwrap(), PeriodCheck::PulledBefore { last_pull: None });
    store.record_sync_success().unwrap();
    assert_eq!(store.period_check(d("2026-10-31")).unwrap(), PeriodCheck::Complete);
    // Pulled at 07:00 New York time on the 20th: the 19th ended (at 05:00 UTC) before it.
    assert_eq!(store.period_check(d("2026-11-19")).unwrap(), PeriodCheck::Complete);
}

#[test]
fn a_week_against_a_month_and_periods_a_day_apart_pin_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = manager_store(dir.path());
    log(&store, 3, "2026-10-01", "downtown");
    for day in 2..=31 {
        log(&store, 4, &format!("2026-10-{day:02}"), "downtown");
    }
    let reports = [
        query("2026-10-01", "2026-10-31", None, None),
        query("2026-10-02", "2026-10-31", None, None),
        query("2026-10-01", "2026-10-31", Some(Granularity::Week), None),
        query("2026-10-01", "2026-10-31", Some(Granularity::Month), None),
    ];
    let before: Vec<Released> = reports.iter().map(|q| alone(&store, q)).collect();
    let (width, _) = across::narrowest(&store, &before, THRESHOLD);
    assert!(width < 0.5, "October less October 2 to 31 gives October 1 exactly");

    let after: Vec<Released> = reports.iter().map(|q| release(&store, q)).collect();
    let (width, at) = across::narrowest(&store, &after, THRESHOLD);
    assert!(width + 1e-6 >= THRESHOLD as f64, "through the ledger the small count at {at} narrows to {width}");
}

#[test]
fn a_dry_run_records_nothing_and_the_same_report_again_shows_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let store = manager_store(dir.path());
    log(&store, 30, "2026-10-06", "downtown");
    log(&store, 5, "2026-10-07", "riverside");
    let q = query("2026-10-05", "2026-10-18", Some(Granularity::Week), None);
    let dry = store.suppressed_report(&q, None).unwrap();
    assert_eq!(dry.release, None);
    assert!(store.releases().unwrap().is_empty(), "a dry run leaves the ledger as it was");

    let first = publish(&store, &q);
    assert_eq!(first.tables, dry.tables, "the dry run shows what the release shows");
    let again = publish(&store, &q);
    assert_eq!(again.tables, first.tables, "a report released before hides nothing more the second time");
    assert_eq!(again.hidden_for_earlier, 0);
    assert_eq!(again.earlier_releases, 1);

    let list = store.releases().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!((list[0].query().from, list[0].query().to, list[0].query().by), (q.from, q.to, q.by));
    assert_eq!(list[0].query().threshold, 11);
    assert!(list[0].hidden > 0 && list[0].shown > list[0].hidden);
    assert_eq!(Some(list[1].id), again.release);

    let bad = TallyQuery { device: Some(store.device_id().unwrap()), ..q.clone() };
    let unknown = TallyQuery { zone: Some("atlantis".into()), ..q.clone() };
    let backwards = TallyQuery { from: q.to, to: q.from, ..q.clone() };
    let out = tempfile::tempdir().unwrap();
    for refused in [bad, unknown, backwards] {
        let mut staged = store.stage_release(&[out.path().join("r.csv")]).unwrap();
        assert!(matches!(store.suppressed_report(&refused, Some(&mut staged)), Err(satchel_core::Error::Invalid { .. })));
    }
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "a refused report leaves no file behind");
    assert_eq!(store.releases().unwrap().len(), 2, "a refused report records nothing");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn no_set_of_released_reports_lets_an_attacker_narrow_a_small_count(seed in 1u64..u64::MAX) {
        let dir = tempfile::tempdir().unwrap();
        let store = manager_store(dir.path());
        let mut dice = Dice(seed);
        let start = noon("2026-09-28");
        for _ in 0..120 {
            let e = NewEncounter {
                contact_type: [ContactType::Street, ContactType::MobileUnit][dice.roll(2).min(dice.roll(2))],
                age_band: Some(dice.skewed(&["25-34", "35-44", "45-54"]).into()),
                gender: Some(dice.skewed(&["woman", "man", "nonbinary"]).into()),
                substances: vec![dice.skewed(&["opioids", "stimulants"]).into()],
                syringes_collected: dice.roll(6) as u32,
                items: vec![iq("syringe-1ml", 1 + dice.roll(10) as u32), iq("naloxone-nasal", 1)],
                // Services delivered and naloxone kits' reasons are daily series of the ledger
                // too (D90): released again and again, they must pin no small count either.
                services_delivered: if dice.roll(3) == 0 {
                    vec![DeliveredService { service: dice.skewed(&["hiv-test", "hcv-test", "wound-care"]).into(), outcome: Outcome::Done }]
                } else {
                    vec![]
                },
                naloxone_kit: (dice.roll(2) == 0).then(|| [NaloxoneKit::First, NaloxoneKit::RefillUsed, NaloxoneKit::RefillLost][dice.roll(3).min(dice.roll(3))]),
                ..NewEncounter::new(start + Duration::hours(dice.roll(24 * 24) as i64), dice.skewed(&ZONES))
            };
            store.log_encounter(&e).unwrap();
        }
        // Four reports over overlapping periods of September 28 to October 21.
        let mut released = Vec::new();
        for _ in 0..4 {
            let from = d("2026-09-28") + Duration::days(dice.roll(10) as i64);
            let to = from + Duration::days(4 + dice.roll(14) as i64);
            let by = [None, Some(Granularity::Week), Some(Granularity::Month)][dice.roll(3)];
            let zone = [None, None, Some(ZONES[dice.roll(3)])][dice.roll(3)];
            let q = TallyQuery { by, zone: zone.map(str::to_owned), ..TallyQuery::period(from, to) };
            released.push(release(&store, &q));
        }
        let (width, at) = across::narrowest(&store, &released, THRESHOLD);
        prop_assert!(width + 1e-6 >= THRESHOLD as f64, "the small count at {} narrows to {}", at, width);
    }
}

/// Counts of persons are distinct counts the ledger's sums cannot hold (D92). An attacker holds
/// every released count of persons; where one report's period and zone lie within another's,
/// the persons of the first are among the second's, and a small positive difference of two
/// shown counts of the same column is a small group of people (of one race, seen in the
/// quarter but not in its first month; seen anywhere but not downtown). None may come out, in
/// one report (a month's row against its quarter's) or across releases; the raw counts here
/// would give several away.
#[test]
fn persons_differenced_across_rows_and_releases_pin_no_small_group() {
    let dir = tempfile::tempdir().unwrap();
    let store = manager_store(dir.path());
    let one = |id: &str| satchel_core::profile::Answer::Chosen(vec![id.to_string()]);
    let person = |n: usize, race: &str, days: &[(&str, &str)]| {
        let code = format!("PX{n:04}");
        for (i, (day, zone)) in days.iter().enumerate() {
            let profile = (i == 0).then(|| satchel_core::profile::ProfileAnswers { race: one(race), ..Default::default() });
            let e = NewEncounter {
                participant_code: Some(code.clone()),
                items: vec![iq("syringe-1ml", 10)],
                profile,
                ..NewEncounter::new(noon(day), zone)
            };
            store.log_encounter(&e).unwrap();
        }
    };
    let all_months = [("2026-08-10", "downtown"), ("2026-09-10", "downtown"), ("2026-10-10", "downtown")];
    // 40 regulars of one race every month, downtown; 13 of a smaller group every month, 3 more
    // of it first seen in October, 4 of it seen by the river once.
    for n in 0..40 {
        person(n, "white", &all_months);
    }
    for n in 40..53 {
        person(n, "asian", &all_months);
    }
    for n in 53..56 {
        person(n, "asian", &[("2026-10-12", "downtown")]);
    }
    for n in 56..60 {
        person(n, "asian", &[("2026-09-14", "riverside")]);
    }
    let raw = |q: &TallyQuery| store.tally(q).unwrap().total.persons_by_race.get("asian").copied().unwrap_or(0);
    let (quarter, august, all_q, downtown_q) = (
        query("2026-08-01", "2026-10-31", None, None),
        query("2026-08-01", "2026-08-31", None, None),
        query("2026-08-01", "2026-10-31", Some(Granularity::Month), None),
        query("2026-08-01", "2026-10-31", None, Some("downtown")),
    );
    assert_eq!((raw(&quarter), raw(&august), raw(&downtown_q)), (20, 13, 16), "the raw counts pin 7 and 4 asian persons");
    let _ = all_q;

    // The releases: the quarter by month, each month, the quarter downtown, the quarter again.
    let reports = released_persons(
        &store,
        &[
            query("2026-08-01", "2026-10-31", Some(Granularity::Month), None),
            query("2026-08-01", "2026-08-31", None, None),
            query("2026-09-01", "2026-09-30", None, None),
            query("2026-10-01", "2026-10-31", None, None),
            query("2026-08-01", "2026-10-31", None, Some("downtown")),
            query("2026-08-01", "2026-09-30", None, None),
            query("2026-08-01", "2026-10-31", None, None),
        ],
    );
    let pinned = pinned_groups(&reports);
    assert!(pinned.is_empty(), "small groups of people pinned: {pinned:#?}");
    // What the reports still show: the regulars' group and the persons served.
    let shown = |key: &str| reports.iter().filter(|r| r.2 == key).count();
    assert!(shown("participants:race/white") >= 4 && shown("participants:") >= 4, "{reports:?}");
}

/// A released count of persons: its row's days, its zone, `table:column`, the value shown.
type PersonCount = ((NaiveDate, NaiveDate), Option<String>, String, u64);

/// Releases `queries` through the ledger, in order, and gathers every count of persons shown.
fn released_persons(store: &Store, queries: &[TallyQuery]) -> Vec<PersonCount> {
    let mut out = Vec::new();
    for q in queries {
        let tally = store.tally(q).unwrap();
        let report = publish(store, q);
        for table in report.tables.iter().filter(|t| t.name == "participants" || t.name == "persons_receiving") {
            let spans = satchel_core::suppress::sums::row_spans(&tally, q.by, &table.name);
            for (row, span) in table.rows.iter().zip(spans) {
                let cells = table.columns.iter().map(String::as_str).zip(row.cells.iter().copied());
                for (column, cell) in cells.chain(row.total.map(|t| ("", t))) {
                    if let Some(n) = cell.count() {
                        out.push((span, q.zone.clone(), format!("{}:{column}", table.name), n));
                    }
                }
            }
        }
    }
    out
}

/// The attacker: two shown counts of the same column, the first's days and zone within the
/// second's, differing by 1 to the threshold − 1. Where each person's answers never change (as
/// in these stores), the first's persons are all among the second's, so the difference is a
/// small group of people.
fn pinned_groups(reports: &[PersonCount]) -> Vec<String> {
    let mut pinned = Vec::new();
    for (sa, za, ka, na) in reports {
        for (sb, zb, kb, nb) in reports {
            let within = sb.0 <= sa.0 && sa.1 <= sb.1 && (zb.is_none() || zb == za);
            if ka == kb && (sa, za) != (sb, zb) && within && nb > na && nb - na < THRESHOLD {
                pinned.push(format!("{ka}: {na} in {sa:?} {za:?}, {nb} in {sb:?} {zb:?}"));
            }
        }
    }
    pinned
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// Random people (each with one race and ethnicity, seen a few times over a quarter in
    /// skewed zones, some given syringes or naloxone) and random overlapping releases: no two
    /// shown counts of persons pin a small group.
    #[test]
    fn no_set_of_releases_pins_a_small_group_of_people(seed in 1u64..u64::MAX) {
        let dir = tempfile::tempdir().unwrap();
        let store = manager_store(dir.path());
        let mut dice = Dice(seed);
        let one = |id: &str| satchel_core::profile::Answer::Chosen(vec![id.to_string()]);
        for n in 0..25 + dice.roll(45) {
            let race = dice.skewed(&["white", "black", "asian", "american-indian-alaska-native"]);
            let ethnicity = dice.skewed(&["not-hispanic-latino", "hispanic-latino"]);
            let zone = dice.skewed(&ZONES);
            // The profile is given at the first visit, so no one's answer changes over time.
            let mut days: Vec<NaiveDate> = (0..1 + dice.roll(4)).map(|_| d("2026-08-01") + Duration::days(dice.roll(92) as i64)).collect();
            days.sort();
            for (visit, day) in days.into_iter().enumerate() {
                let mut items = vec![];
                if dice.roll(3) > 0 {
                    items.push(iq("syringe-1ml", 10));
                }
                if dice.roll(4) == 0 {
                    items.push(iq("naloxone-nasal", 1));
                }
                let e = NewEncounter {
                    participant_code: Some(format!("PR{n:04}")),
                    items,
                    profile: (visit == 0).then(|| satchel_core::profile::ProfileAnswers { race: one(race), ethnicity: one(ethnicity), ..Default::default() }),
                    ..NewEncounter::new(noon(&day.to_string()), if dice.roll(4) == 0 { dice.skewed(&ZONES) } else { zone })
                };
                store.log_encounter(&e).unwrap();
            }
        }
        let pool = [
            query("2026-08-01", "2026-10-31", Some(Granularity::Month), None),
            query("2026-08-01", "2026-10-31", None, None),
            query("2026-08-01", "2026-08-31", None, None),
            query("2026-09-01", "2026-09-30", None, None),
            query("2026-10-01", "2026-10-31", None, None),
            query("2026-08-01", "2026-09-30", None, None),
            query("2026-09-01", "2026-10-31", Some(Granularity::Month), None),
            query("2026-08-01", "2026-10-31", None, Some("downtown")),
            query("2026-09-01", "2026-09-30", None, Some("riverside")),
            query("2026-08-01", "2026-10-31", Some(Granularity::Month), Some("eastside")),
        ];
        let queries: Vec<TallyQuery> = (0..5).map(|_| pool[dice.roll(pool.len())].clone()).collect();
        let pinned = pinned_groups(&released_persons(&store, &queries));
        prop_assert!(pinned.is_empty(), "small groups of people pinned: {:#?}", pinned);
    }
}
