//! Timings of the store's hot paths, each printed beside a baseline measured in the same run so
//! that the ratios hold on a busy machine:
//!
//! 1. `Store::log_encounter` against raw prepared-statement inserts of the same rows into the same
//!    kind of database (SQLCipher, WAL, `synchronous = FULL`, one `IMMEDIATE` transaction each);
//! 2. `tally::compute` over a year of encounters against the bare SQL aggregates;
//! 3. `Store::unlock_with_pin` on a phone's store against the Argon2id derivation alone.
//!
//! cargo bench -p satchel-core --bench store
//!
//! Environment: SATCHEL_BENCH_N (encounters logged, default 2000), SATCHEL_BENCH_TALLY_N
//! (encounters in the tally database, default 1000000).
// A benchmark: a failed unwrap stops it with its message.
#![allow(clippy::unwrap_used)]

use std::error::Error;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{params, Connection, Statement};
use satchel_core::crypto::{self, KdfParams};
use satchel_core::encounter::{self, EncounterRecord};
use satchel_core::stock::{MovementKind, MovementRecord};
use satchel_core::outbox::Record;
use satchel_core::settings::{self, ItemCategory, ProgramSettings};
use satchel_core::tally::{self, Granularity, TallyQuery};
use satchel_core::{participant, schema, ContactType, CreateOptions, ItemQuantity, NewEncounter, Role, Store};
use uuid::Uuid;

type Res<T> = std::result::Result<T, Box<dyn Error>>;

const PIN: &str = "2468";
const LOG_TARGET_RATIO: f64 = 1.5;
const TALLY_TARGET_S: f64 = 1.0;
const UNLOCK_TARGET_MS: f64 = 500.0;

fn env_usize(name: &str, default: usize) -> Res<usize> {
    match std::env::var(name) {
        Ok(v) => Ok(v.replace('_', "").parse().map_err(|_| format!("{name} must be a whole number, not {v:?}"))?),
        Err(_) => Ok(default),
    }
}

/// A small deterministic generator, so every run builds the same data.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.roll(hi - lo + 1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.roll(100) < percent
    }
    fn pick<'a, T>(&mut self, from: &'a [T]) -> &'a T {
        &from[self.roll(from.len() as u64) as usize]
    }
    /// `k` distinct entries of `from`.
    fn distinct<'a, T>(&mut self, from: &'a [T], k: usize) -> Vec<&'a T> {
        let mut idx: Vec<usize> = (0..from.len()).collect();
        let k = k.min(idx.len());
        for i in 0..k {
            let j = i + self.roll((idx.len() - i) as u64) as usize;
            idx.swap(i, j);
        }
        idx[..k].iter().map(|&i| &from[i]).collect()
    }
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[StdDuration], p: f64) -> StdDuration {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn median(samples: &[StdDuration]) -> StdDuration {
    let mut s = samples.to_vec();
    s.sort();
    s[s.len() / 2]
}

fn ms(d: StdDuration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn secs(d: StdDuration) -> f64 {
    d.as_secs_f64()
}

fn ratio(a: StdDuration, b: StdDuration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "OVER TARGET"
    }
}

/// The pieces of the program's lists an encounter is drawn from.
struct Catalog {
    items: Vec<(String, ItemCategory)>,
    zones: Vec<String>,
    age_bands: Vec<String>,
    genders: Vec<String>,
    referrals: Vec<String>,
    substances: Vec<String>,
}

impl Catalog {
    fn new(s: &ProgramSettings) -> Self {
        let ids = |l: &[settings::Choice]| l.iter().filter(|c| c.active).map(|c| c.id.clone()).collect();
        Catalog {
            items: s.items.iter().filter(|i| i.active).map(|i| (i.id.clone(), i.category)).collect(),
            zones: ids(&s.zones),
            age_bands: ids(&s.age_bands),
            genders: ids(&s.genders),
            referrals: ids(&s.referral_types),
            substances: ids(&s.substances),
        }
    }

    fn quantity(d: &mut Dice, category: ItemCategory) -> u32 {
        (match category {
            ItemCategory::Syringes => d.range(5, 30),
            ItemCategory::Naloxone => d.range(1, 2),
            ItemCategory::DrugChecking => d.range(1, 5),
            _ => d.range(1, 10),
        }) as u32
    }

    fn items(&self, d: &mut Dice, lo: usize, hi: usize) -> Vec<ItemQuantity> {
        let k = d.range(lo as u64, hi as u64) as usize;
        let mut items: Vec<ItemQuantity> = d
            .distinct(&self.items, k)
            .into_iter()
            .map(|(id, cat)| ItemQuantity { item: id.clone(), quantity: Self::quantity(d, *cat) })
            .collect();
        items.sort();
        items
    }

    fn some_of(d: &mut Dice, list: &[String], percent: u64, max: usize) -> Vec<String> {
        if !d.chance(percent) {
            return Vec::new();
        }
        let k = d.range(1, max as u64) as usize;
        let mut out: Vec<String> = d.distinct(list, k).into_iter().cloned().collect();
        out.sort();
        out
    }

    /// A realistic encounter within the last two hours.
    fn encounter(&self, d: &mut Dice, now: DateTime<Utc>, codes: &[String]) -> NewEncounter {
        let contact_type = match d.roll(100) {
            0..=54 => ContactType::Street,
            55..=74 => ContactType::MobileUnit,
            75..=89 => ContactType::DropIn,
            90..=96 => ContactType::PeerDelivery,
            _ => ContactType::PhoneText,
        };
        NewEncounter {
            occurred_at: now - Duration::minutes(d.roll(120) as i64),
            contact_type,
            zone: d.pick(&self.zones).clone(),
            geohash: d.chance(30).then(|| "dr5ru".to_string()),
            participant_code: d.chance(75).then(|| d.pick(codes).clone()),
            new_participant: d.chance(10),
            age_band: d.chance(80).then(|| d.pick(&self.age_bands).clone()),
            gender: d.chance(80).then(|| d.pick(&self.genders).clone()),
            items: self.items(d, 3, 6),
            syringes_collected: if d.chance(40) { d.range(1, 40) as u32 } else { 0 },
            sharps_containers: vec![],
            referrals: Self::some_of(d, &self.referrals, 35, 2),
            suggested_services: vec![],
            substances: Self::some_of(d, &self.substances, 70, 2),
            overdose_reversals: if d.chance(3) { 1 } else { 0 },
            naloxone_doses_used: if d.chance(3) { 2 } else { 0 },
            collecting_for: if d.chance(15) { d.range(1, 5) as u32 } else { 0 },
            services_delivered: vec![],
            naloxone_kit: None,
            profile: None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Logging an encounter

const INSERT_ENCOUNTER: &str = "INSERT INTO encounter (encounter_id, version_id, version, author, occurred_at, local_day,
       contact_type, zone, geohash, participant, new_participant, age_band, gender,
       syringes_collected, overdose_reversals, naloxone_doses_used, collecting_for, location,
       voided, recorded_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)";
const INSERT_ITEM: &str = "INSERT INTO encounter_item (encounter, item, quantity, local_day, zone) VALUES (?1, ?2, ?3, ?4, ?5)";
const INSERT_REFERRAL: &str = "INSERT INTO encounter_referral (encounter, referral, local_day, zone) VALUES (?1, ?2, ?3, ?4)";
const INSERT_SUBSTANCE: &str = "INSERT INTO encounter_substance (encounter, substance, local_day, zone) VALUES (?1, ?2, ?3, ?4)";
const UPSERT_PARTICIPANT: &str = "INSERT INTO participant (reference, last_seen) VALUES (?1, ?2)
     ON CONFLICT (reference) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)
     RETURNING id";

/// The hand-written writer the store is measured against: the same rows, prepared statements,
/// sequence numbers kept in memory.
struct RawWriter<'c> {
    conn: &'c Connection,
    begin: Statement<'c>,
    commit: Statement<'c>,
    participant: Statement<'c>,
    encounter: Statement<'c>,
    item: Statement<'c>,
    referral: Statement<'c>,
    substance: Statement<'c>,
    movement: Statement<'c>,
    outbox: Statement<'c>,
    seq_encounters: i64,
    seq_inventory: i64,
}

/// Everything one raw write needs, made before the clock starts.
struct RawEncounter {
    record: EncounterRecord,
    local_day: i64,
    payload: Vec<u8>,
    movements: Vec<(MovementRecord, Vec<u8>)>,
}

impl<'c> RawWriter<'c> {
    fn new(conn: &'c Connection) -> Res<Self> {
        Ok(RawWriter {
            conn,
            begin: conn.prepare("BEGIN IMMEDIATE")?,
            commit: conn.prepare("COMMIT")?,
            participant: conn.prepare(UPSERT_PARTICIPANT)?,
            encounter: conn.prepare(INSERT_ENCOUNTER)?,
            item: conn.prepare(INSERT_ITEM)?,
            referral: conn.prepare(INSERT_REFERRAL)?,
            substance: conn.prepare(INSERT_SUBSTANCE)?,
            movement: conn.prepare(
                "INSERT INTO stock_movement (id, author, kind, location, item, quantity, occurred_at, reason, counterpart)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?,
            outbox: conn.prepare(
                "INSERT INTO outbox (stream, seq, record_id, payload, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            seq_encounters: 1,
            seq_inventory: 1,
        })
    }

    fn prepare(
        new: &NewEncounter,
        device: Uuid,
        participant_key: &[u8; 32],
        tz: &satchel_core::Zone,
        now: DateTime<Utc>,
    ) -> Res<RawEncounter> {
        let id = Uuid::now_v7();
        let occurred_at = encounter::to_minute(new.occurred_at).timestamp();
        let record = EncounterRecord {
            id,
            encounter_id: id,
            version: 1,
            author: device,
            occurred_at,
            contact_type: new.contact_type,
            zone: new.zone.clone(),
            geohash: new.geohash.clone(),
            participant: new.participant_code.as_deref().map(|c| participant::reference(participant_key, c, 1)).transpose()?,
            new_participant: new.new_participant,
            age_band: new.age_band.clone(),
            gender: new.gender.clone(),
            items: new.items.clone(),
            syringes_collected: new.syringes_collected,
            sharps_containers: vec![],
            referrals: new.referrals.clone(),
            suggested_services: vec![],
            substances: new.substances.clone(),
            overdose_reversals: new.overdose_reversals,
            naloxone_doses_used: new.naloxone_doses_used,
            collecting_for: new.collecting_for,
            services_delivered: new.services_delivered.clone(),
            naloxone_kit: new.naloxone_kit,
            location: Some("van-1".into()),
            voided: false,
            recorded_at: now.timestamp(),
        };
        let movements = record
            .items
            .iter()
            .map(|iq| {
                let m = MovementRecord {
                    id: Uuid::now_v7(),
                    author: device,
                    kind: MovementKind::Distributed,
                    location: "van-1".into(),
                    item: iq.item.clone(),
                    quantity: -(iq.quantity as i64),
                    occurred_at,
                    reason: None,
                    counterpart: None,
                };
                let payload = Record::Movement(m.clone()).encode();
                (m, payload)
            })
            .collect();
        let payload = Record::Encounter(record.clone()).encode();
        Ok(RawEncounter { local_day: encounter::local_day(occurred_at, tz), record, payload, movements })
    }

    fn write(&mut self, e: &RawEncounter) -> rusqlite::Result<()> {
        let r = &e.record;
        let now = r.recorded_at;
        self.begin.execute([])?;
        let participant: Option<i64> = match &r.participant {
            Some(p) => Some(self.participant.query_row(params![&p[..], r.occurred_at], |row| row.get(0))?),
            None => None,
        };
        self.encounter.execute(params![
            r.encounter_id.as_bytes().as_slice(),
            r.id.as_bytes().as_slice(),
            r.version,
            r.author.as_bytes().as_slice(),
            r.occurred_at,
            e.local_day,
            r.contact_type.as_str(),
            r.zone,
            r.geohash,
            participant,
            r.new_participant,
            r.age_band,
            r.gender,
            r.syringes_collected,
            r.overdose_reversals,
            r.naloxone_doses_used,
            r.collecting_for,
            r.location,
            r.voided,
            r.recorded_at,
        ])?;
        let row = self.conn.last_insert_rowid();
        for iq in &r.items {
            self.item.execute(params![row, iq.item, iq.quantity, e.local_day, r.zone])?;
        }
        for x in &r.referrals {
            self.referral.execute(params![row, x, e.local_day, r.zone])?;
        }
        for x in &r.substances {
            self.substance.execute(params![row, x, e.local_day, r.zone])?;
        }
        for (m, payload) in &e.movements {
            self.movement.execute(params![
                m.id.as_bytes().as_slice(),
                m.author.as_bytes().as_slice(),
                m.kind.as_str(),
                m.location,
                m.item,
                m.quantity,
                m.occurred_at,
                None::<&str>,
                None::<&str>,
            ])?;
            self.outbox.execute(params!["inventory", self.seq_inventory, m.id.as_bytes().as_slice(), payload, now])?;
            self.seq_inventory += 1;
        }
        self.outbox.execute(params!["encounters", self.seq_encounters, r.id.as_bytes().as_slice(), e.payload, now])?;
        self.seq_encounters += 1;
        self.commit.execute([])?;
        Ok(())
    }
}

struct LogResult {
    n: usize,
    store_p50: StdDuration,
    store_p95: StdDuration,
    raw_p50: StdDuration,
    raw_p95: StdDuration,
}

fn bench_log(root: &Path, n: usize) -> Res<(LogResult, Store)> {
    println!("== 1. log_encounter: {n} encounters, each against a raw insert of the same rows ==");
    let store = Store::create(&root.join("store"), CreateOptions::with_pin(Role::Outreach, PIN))?;
    store.set_device_location(Some("van-1"))?;
    let settings = store.settings()?;
    let catalog = Catalog::new(&settings);
    for (item, _) in &catalog.items {
        store.receive_stock("van-1", item, 1_000_000)?;
    }

    let raw_key = crypto::random_key();
    let raw_salt = crypto::random_bytes::<16>();
    let mut raw_conn = schema::open(&root.join("raw.db"), &raw_key, &raw_salt, true)?;
    schema::migrate(&mut raw_conn)?;
    let participant_key = crypto::random_key();
    let device = Uuid::now_v7();
    let tz = settings.time_zone();
    let mut raw = RawWriter::new(&raw_conn)?;

    let codes: Vec<String> = (0..400).map(|i| format!("BX{:02}{:04}", i % 97, i)).collect();
    let mut dice = Dice(11);
    let warmup = 50.min(n);
    let mut store_times = Vec::with_capacity(n);
    let mut raw_times = Vec::with_capacity(n);
    for i in 0..warmup + n {
        let now = Utc::now();
        let new = catalog.encounter(&mut dice, now, &codes);
        let prepared = RawWriter::prepare(&new, device, &participant_key, &tz, now)?;
        // Alternate which goes first so that neither always follows the other's fsync.
        let (t_store, t_raw) = if i % 2 == 0 {
            let t = Instant::now();
            black_box(store.log_encounter(&new)?);
            let t_store = t.elapsed();
            let t = Instant::now();
            raw.write(&prepared)?;
            (t_store, t.elapsed())
        } else {
            let t = Instant::now();
            raw.write(&prepared)?;
            let t_raw = t.elapsed();
            let t = Instant::now();
            black_box(store.log_encounter(&new)?);
            (t.elapsed(), t_raw)
        };
        if i >= warmup {
            store_times.push(t_store);
            raw_times.push(t_raw);
        }
    }
    drop(raw);

    // Both databases hold the same rows.
    let count = |c: &Connection, sql: &str| -> rusqlite::Result<i64> { c.query_row(sql, [], |r| r.get(0)) };
    let raw_encounters = count(&raw_conn, "SELECT count(*) FROM encounter")?;
    let raw_outbox = count(&raw_conn, "SELECT count(*) FROM outbox")?;
    let store_outbox: u64 = store.outbox_status()?.iter().map(|s| s.pending).sum();
    let received = catalog.items.len() as u64;
    assert_eq!(raw_encounters as usize, warmup + n);
    assert_eq!(raw_outbox as u64 + received, store_outbox, "the store queued what the raw writer queued");

    store_times.sort();
    raw_times.sort();
    let r = LogResult {
        n,
        store_p50: percentile(&store_times, 0.50),
        store_p95: percentile(&store_times, 0.95),
        raw_p50: percentile(&raw_times, 0.50),
        raw_p95: percentile(&raw_times, 0.95),
    };
    println!(
        "log_encounter      p50 {:.3} ms  p95 {:.3} ms  max {:.3} ms",
        ms(r.store_p50),
        ms(r.store_p95),
        ms(*store_times.last().unwrap())
    );
    println!(
        "raw insert         p50 {:.3} ms  p95 {:.3} ms  max {:.3} ms",
        ms(r.raw_p50),
        ms(r.raw_p95),
        ms(*raw_times.last().unwrap())
    );
    println!(
        "rows per encounter: {:.1} outbox rows; {} encounters in each database",
        raw_outbox as f64 / raw_encounters as f64,
        raw_encounters
    );
    // What a program on participant references of version 2 (D74) adds to a save with a code:
    // the memory-hard step, beside the bare HMAC of version 1 (this store's version).
    let reference = |version: u32| -> Res<StdDuration> {
        let mut times: Vec<StdDuration> = Vec::new();
        for code in codes.iter().take(21) {
            let t = Instant::now();
            black_box(participant::reference(&participant_key, code, version)?);
            times.push(t.elapsed());
        }
        times.sort();
        Ok(percentile(&times, 0.50))
    };
    let (v1, v2) = (reference(1)?, reference(2)?);
    println!(
        "participant reference p50: version 1 {:.4} ms, version 2 {:.1} ms ({:.1}x a log_encounter p50 without it)",
        ms(v1),
        ms(v2),
        ratio(v2, r.store_p50)
    );
    println!();
    Ok((r, store))
}

// ---------------------------------------------------------------------------------------------
// 2. Tallies

/// The statements `tally::compute` runs for an unfiltered query, for the per-statement
/// breakdown and query plans.
fn compute_statements() -> Vec<(&'static str, String)> {
    let filter = "e.voided = 0 AND e.local_day BETWEEN ?1 AND ?2
        AND (?3 IS NULL OR e.zone = ?3) AND (?4 IS NULL OR e.author = ?4)";
    let child = |table: &str, column: &str, value: &str| {
        format!(
            "SELECT c.local_day, c.{column}, {value} FROM {table} c
             WHERE c.local_day BETWEEN ?1 AND ?2 AND (?3 IS NULL) AND (?4 IS NULL)
             GROUP BY c.local_day, c.{column}"
        )
    };
    vec![
        (
            "encounter GROUP BY",
            format!(
                "SELECT e.local_day, e.contact_type, e.zone, e.age_band, e.gender, count(*), sum(e.new_participant),
                        sum(e.syringes_collected), sum(e.overdose_reversals), sum(e.naloxone_doses_used),
                        sum(e.collecting_for)
                 FROM encounter e WHERE {filter}
                 GROUP BY e.local_day, e.contact_type, e.zone, e.age_band, e.gender"
            ),
        ),
        (
            "participants",
            format!("SELECT e.local_day, e.participant FROM encounter e WHERE {filter} AND e.participant IS NOT NULL"),
        ),
        ("encounter_item", child("encounter_item", "item", "sum(c.quantity)")),
        ("encounter_referral", child("encounter_referral", "referral", "count(*)")),
        ("encounter_substance", child("encounter_substance", "substance", "count(*)")),
    ]
}

/// The bare aggregate the tally is measured against.
const BARE_ENCOUNTERS: &str = "SELECT local_day, contact_type, zone, age_band, gender, count(*), sum(new_participant),
        sum(syringes_collected), sum(overdose_reversals), sum(naloxone_doses_used), sum(collecting_for)
     FROM encounter WHERE voided = 0 AND local_day BETWEEN ?1 AND ?2
     GROUP BY local_day, contact_type, zone, age_band, gender";
const BARE_ITEMS: &str = "SELECT local_day, item, sum(quantity) FROM encounter_item
     WHERE local_day BETWEEN ?1 AND ?2 GROUP BY 1, 2";

/// Steps through every row of a statement, reading every column. Returns the row count.
fn step_all(conn: &Connection, sql: &str, p: &[&dyn rusqlite::ToSql]) -> rusqlite::Result<u64> {
    let mut stmt = conn.prepare_cached(sql)?;
    let columns = stmt.column_count();
    let mut rows = stmt.query(p)?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        for i in 0..columns {
            black_box(r.get_ref(i)?);
        }
        n += 1;
    }
    Ok(n)
}

fn bare_aggregate(conn: &Connection, lo: i64, hi: i64) -> rusqlite::Result<u64> {
    Ok(step_all(conn, BARE_ENCOUNTERS, &[&lo, &hi])? + step_all(conn, BARE_ITEMS, &[&lo, &hi])?)
}

fn day_number(d: NaiveDate) -> i64 {
    d.signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days()
}

/// Runs `f` three times and returns the median and the runs.
fn time3<T>(mut f: impl FnMut() -> Res<T>) -> Res<(StdDuration, Vec<StdDuration>, T)> {
    let mut runs = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let t = Instant::now();
        let out = f()?;
        runs.push(t.elapsed());
        last = Some(out);
    }
    Ok((median(&runs), runs, last.unwrap()))
}

/// Builds a year of encounters straight into the tables, in large transactions.
fn build_tally_db(path: &Path, n: usize, from: NaiveDate, to: NaiveDate) -> Res<(crypto::SecretKey, [u8; 16])> {
    let key = crypto::random_key();
    let salt = crypto::random_bytes::<16>();
    let mut conn = schema::open(path, &key, &salt, true)?;
    schema::migrate(&mut conn)?;
    {
        let tx = conn.transaction()?;
        for s in settings::starter() {
            settings::put_if_newer(&tx, &s.key(), &s.to_json(), 0, [0; 16])?;
        }
        tx.commit()?;
    }
    let settings = settings::load(&conn)?;
    let catalog = Catalog::new(&settings);
    let tz = settings.time_zone();
    // Setup only: the timings below run with the database's usual settings.
    conn.execute_batch("PRAGMA synchronous = OFF;")?;

    const PARTICIPANTS: u64 = 20_000;
    let devices: Vec<Uuid> = (0..6).map(|_| Uuid::now_v7()).collect();
    let mut dice = Dice(42);
    let start = tz.earliest(from.and_hms_opt(0, 0, 0).unwrap()).unwrap().timestamp();
    let end = tz.earliest((to + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap()).unwrap().timestamp();
    let step = (end - start) as f64 / n as f64;

    let t = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare("INSERT INTO participant (id, reference, last_seen) VALUES (?1, ?2, ?3)")?;
        for id in 1..=PARTICIPANTS {
            stmt.execute(params![id as i64, &crypto::random_bytes::<16>()[..], end])?;
        }
    }
    tx.commit()?;

    let batch = 50_000;
    let mut done = 0;
    while done < n {
        let tx = conn.transaction()?;
        {
            let mut enc = tx.prepare(INSERT_ENCOUNTER)?;
            let mut item = tx.prepare(INSERT_ITEM)?;
            let mut referral = tx.prepare(INSERT_REFERRAL)?;
            let mut substance = tx.prepare(INSERT_SUBSTANCE)?;
            for i in done..(done + batch).min(n) {
                let at = start + (i as f64 * step) as i64;
                let at = at - at % 60;
                let day = encounter::local_day(at, &tz);
                let contact_type = match dice.roll(100) {
                    0..=54 => ContactType::Street,
                    55..=74 => ContactType::MobileUnit,
                    75..=89 => ContactType::DropIn,
                    90..=96 => ContactType::PeerDelivery,
                    _ => ContactType::PhoneText,
                };
                let participant = dice.chance(60).then(|| 1 + dice.roll(PARTICIPANTS) as i64);
                let voided = dice.roll(1000) < 5;
                let id = Uuid::now_v7();
                let zone = dice.pick(&catalog.zones).clone();
                enc.execute(params![
                    id.as_bytes().as_slice(),
                    id.as_bytes().as_slice(),
                    1,
                    dice.pick(&devices).as_bytes().as_slice(),
                    at,
                    day,
                    contact_type.as_str(),
                    zone,
                    dice.chance(30).then_some("dr5ru"),
                    participant,
                    participant.is_some() && dice.chance(8),
                    dice.chance(85).then(|| dice.pick(&catalog.age_bands).as_str()),
                    dice.chance(85).then(|| dice.pick(&catalog.genders).as_str()),
                    if dice.chance(40) { dice.range(1, 40) as i64 } else { 0 },
                    u32::from(dice.chance(2)),
                    if dice.chance(2) { 2 } else { 0 },
                    if dice.chance(15) { dice.range(1, 5) as i64 } else { 0 },
                    "van-1",
                    voided,
                    at + 30,
                ])?;
                if voided {
                    continue;
                }
                let row = tx.last_insert_rowid();
                for iq in catalog.items(&mut dice, 1, 5) {
                    item.execute(params![row, iq.item, iq.quantity, day, zone])?;
                }
                for r in Catalog::some_of(&mut dice, &catalog.referrals, 15, 2) {
                    referral.execute(params![row, r, day, zone])?;
                }
                for s in Catalog::some_of(&mut dice, &catalog.substances, 50, 2) {
                    substance.execute(params![row, s, day, zone])?;
                }
            }
        }
        tx.commit()?;
        done = (done + batch).min(n);
    }
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    let rows = |table: &str| -> rusqlite::Result<i64> {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
    };
    let bytes = std::fs::metadata(path)?.len();
    println!(
        "built in {:.1} s: {} encounters, {} item rows, {} referral rows, {} substance rows, {} participants; \
         database {:.0} MiB",
        t.elapsed().as_secs_f64(),
        rows("encounter")?,
        rows("encounter_item")?,
        rows("encounter_referral")?,
        rows("encounter_substance")?,
        rows("participant")?,
        bytes as f64 / (1024.0 * 1024.0)
    );
    Ok((key, salt))
}

struct TallyTiming {
    label: &'static str,
    tally: StdDuration,
    bare: StdDuration,
}

fn bench_tally(root: &Path, n: usize) -> Res<(usize, Vec<TallyTiming>)> {
    let from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    println!("== 2. tally::compute over {n} encounters from {from} to {to}, median of 3 ==");
    let path = root.join("tally.db");
    let (key, salt) = build_tally_db(&path, n, from, to)?;
    // A fresh connection, as after an unlock.
    let conn = schema::open(&path, &key, &salt, false)?;
    let settings = settings::load(&conn)?;

    let expected = |lo: i64, hi: i64| -> rusqlite::Result<u64> {
        conn.query_row(
            "SELECT count(*) FROM encounter WHERE voided = 0 AND local_day BETWEEN ?1 AND ?2",
            [lo, hi],
            |r| r.get::<_, i64>(0).map(|n| n as u64),
        )
    };

    let june = (NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(), NaiveDate::from_ymd_opt(2025, 6, 30).unwrap());
    let cases: [(&'static str, NaiveDate, NaiveDate, Option<Granularity>); 2] =
        [("year by week", from, to, Some(Granularity::Week)), ("one month (June)", june.0, june.1, None)];
    let mut out = Vec::new();
    for (label, lo_date, hi_date, by) in cases {
        let q = TallyQuery { from: lo_date, to: hi_date, by, zone: None, device: None };
        let (lo, hi) = (day_number(lo_date), day_number(hi_date));
        // Alternate tally and baseline so that both see the same machine.
        let mut tally_runs = Vec::new();
        let mut bare_runs = Vec::new();
        let mut tally = None;
        let mut groups = 0;
        let mut scan_runs = Vec::new();
        let mut scanned = None;
        for _ in 0..3 {
            let t = Instant::now();
            tally = Some(tally::compute(&conn, &settings, &q)?);
            tally_runs.push(t.elapsed());
            let t = Instant::now();
            groups = bare_aggregate(&conn, lo, hi)?;
            bare_runs.push(t.elapsed());
            let t = Instant::now();
            scanned = Some(tally::compute_from(&conn, &settings, &q, tally::Source::Scan)?);
            scan_runs.push(t.elapsed());
        }
        let tally = tally.unwrap();
        assert_eq!(Some(&tally), scanned.as_ref(), "daily tables and a scan of the encounters agree");
        println!(
            "{label:<18} the same tally by scanning every encounter: {:.3} s (runs {})",
            secs(median(&scan_runs)),
            scan_runs.iter().map(|d| format!("{:.3}", secs(*d))).collect::<Vec<_>>().join(" ")
        );
        assert_eq!(tally.total.encounters, expected(lo, hi)?, "the tally counts every live encounter");
        let list = |v: &[StdDuration]| v.iter().map(|d| format!("{:.3}", secs(*d))).collect::<Vec<_>>().join(" ");
        let t = TallyTiming { label, tally: median(&tally_runs), bare: median(&bare_runs) };
        println!(
            "{label:<18} tally {:.3} s (runs {}) | bare SQL {:.3} s (runs {}, {} result rows) | {} encounters, {} participants, {} buckets, {} weeks",
            secs(t.tally),
            list(&tally_runs),
            secs(t.bare),
            list(&bare_runs),
            groups,
            tally.total.encounters,
            tally.total.participants,
            tally.buckets.len(),
            tally.trend.len()
        );
        out.push(t);
    }

    println!();
    println!("statements of tally::compute, full year, alone (median of 3):");
    let (lo, hi) = (day_number(from), day_number(to));
    for (label, sql) in compute_statements() {
        let (t, _, rows) = time3(|| Ok(step_all(&conn, &sql, &[&lo, &hi, &None::<String>, &None::<Vec<u8>>])?))?;
        println!("  {label:<20} {:.3} s  {rows} rows", secs(t));
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let plan: Vec<String> = stmt.query_map([lo, hi, 0, 0], |r| r.get(3))?.collect::<Result<_, _>>()?;
        for line in plan {
            println!("      plan: {line}");
        }
    }
    println!();
    Ok((n, out))
}

// ---------------------------------------------------------------------------------------------
// 3. Unlocking

struct UnlockResult {
    unlock: StdDuration,
    kdf: StdDuration,
    unlock_all: Vec<StdDuration>,
    kdf_all: Vec<StdDuration>,
}

/// A phone's store (the PIN with the phone's keystore, stood in by keys in memory, at the
/// phone's Argon2id cost). The unlock's cost is the key derivation, the keystore call, opening
/// SQLCipher and loading the settings, none of which grows with the data.
fn bench_unlock(root: &Path) -> Res<UnlockResult> {
    println!("== 3. unlock_with_pin on a phone (Argon2id {:?} and the keystore), median of 5 ==", KdfParams::PHONE);
    let store = Store::create(
        &root.join("phone"),
        CreateOptions::on_phone(Role::Outreach, PIN, std::sync::Arc::new(satchel_core::MemoryKeys::new())),
    )?;
    let salt = crypto::random_bytes::<16>();
    let mut unlock_all = Vec::new();
    let mut kdf_all = Vec::new();
    for _ in 0..5 {
        store.lock();
        let t = Instant::now();
        store.unlock_with_pin(PIN)?;
        unlock_all.push(t.elapsed());
        let t = Instant::now();
        black_box(crypto::pin_kek(PIN, &salt, KdfParams::PHONE)?);
        kdf_all.push(t.elapsed());
    }
    let r = UnlockResult { unlock: median(&unlock_all), kdf: median(&kdf_all), unlock_all, kdf_all };
    let list = |v: &[StdDuration]| v.iter().map(|d| format!("{:.1}", ms(*d))).collect::<Vec<_>>().join(" ");
    println!("unlock_with_pin    median {:.1} ms  (runs: {} ms)", ms(r.unlock), list(&r.unlock_all));
    println!("Argon2id alone     median {:.1} ms  (runs: {} ms)", ms(r.kdf), list(&r.kdf_all));
    println!();
    Ok(r)
}

// ---------------------------------------------------------------------------------------------

fn main() -> Res<()> {
    let n = env_usize("SATCHEL_BENCH_N", 2000)?.max(1);
    let tally_n = env_usize("SATCHEL_BENCH_TALLY_N", 1_000_000)?.max(1);
    let root = tempfile::tempdir()?;
    println!("satchel-core store benchmarks (data in {})", root.path().display());
    println!();

    let (log, store) = bench_log(root.path(), n)?;
    let (tally_n, tallies) = bench_tally(root.path(), tally_n)?;
    let unlock = bench_unlock(root.path())?;
    drop(store);

    let log_ratio_50 = ratio(log.store_p50, log.raw_p50);
    let log_ratio_95 = ratio(log.store_p95, log.raw_p95);
    println!("== summary ==");
    println!(
        "log_encounter p50 {:.2} ms p95 {:.2} ms | raw insert p50 {:.2} ms p95 {:.2} ms | ratio p50 {:.2}x p95 {:.2}x \
         (target <= {LOG_TARGET_RATIO}x, N = {}) {}",
        ms(log.store_p50),
        ms(log.store_p95),
        ms(log.raw_p50),
        ms(log.raw_p95),
        log_ratio_50,
        log_ratio_95,
        log.n,
        verdict(log_ratio_50 <= LOG_TARGET_RATIO && log_ratio_95 <= LOG_TARGET_RATIO)
    );
    for t in &tallies {
        println!(
            "tally {:<16} {:.3} s | bare SQL {:.3} s | ratio {:.2}x (target <= {TALLY_TARGET_S} s, {} encounters) {}",
            t.label,
            secs(t.tally),
            secs(t.bare),
            ratio(t.tally, t.bare),
            tally_n,
            verdict(secs(t.tally) <= TALLY_TARGET_S)
        );
    }
    println!(
        "unlock_with_pin {:.1} ms | Argon2id alone {:.1} ms | ratio {:.2}x (target <= {UNLOCK_TARGET_MS} ms) {}",
        ms(unlock.unlock),
        ms(unlock.kdf),
        ratio(unlock.unlock, unlock.kdf),
        verdict(ms(unlock.unlock) <= UNLOCK_TARGET_MS)
    );
    Ok(())
}
