//! The store: one encrypted database and its key file in a folder, locked or unlocked.
//!
//! Every write is one `IMMEDIATE` transaction that holds the record, its stock movements and its
//! outbox entries; `synchronous = FULL` makes it durable before `Ok` returns, so an entry the
//! worker was told is saved survives a crash at any instant.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use uuid::Uuid;

use crate::crypto::{self, KdfParams, SecretKey};
use crate::encounter::{self, EncounterRecord, EncounterSummary, NewEncounter};
use crate::error::{invalid, Error, Result};
use crate::inventory::{self, AdjustReason, MovementKind, MovementRecord, StockLevel};
use crate::keyfile::{self, KeyFile, StorePaths};
use crate::outbox::{self, OutboxEntry, Record, SettingRecord, Stream, StreamStatus};
use crate::participant;
use crate::schema;
use crate::settings::{self, ItemQuantity, ProgramSettings, Role, Setting};
use crate::tally::{self, Tally, TallyQuery};
use crate::validate::check_range;

/// The time source; tests and demos set their own.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// How a new store is made.
pub struct CreateOptions {
    pub role: Role,
    /// The worker's PIN; at least one of `pin` and `platform_key` is required.
    pub pin: Option<String>,
    /// A 32-byte key from the Android Keystore or iOS Keychain.
    pub platform_key: Option<[u8; 32]>,
    pub kdf: KdfParams,
}

impl CreateOptions {
    pub fn with_pin(role: Role, pin: &str) -> Self {
        CreateOptions { role, pin: Some(pin.into()), platform_key: None, kdf: KdfParams::DEFAULT }
    }
}

/// The keys of the program, shared by its devices.
pub struct ProgramKeys {
    /// The program they belong to; segments are bound to it.
    pub program: Uuid,
    pub participant_key: SecretKey,
    pub data_key: SecretKey,
    pub epoch: u32,
}

/// What an unlocked store holds besides its connection.
pub(crate) struct Context {
    db_key: SecretKey,
    device: Uuid,
    role: Role,
    location: Option<String>,
    participant_key: SecretKey,
    settings: ProgramSettings,
}

struct Session {
    conn: Connection,
    ctx: Context,
}

/// An on-device store. Safe to share between threads; calls are serialised.
pub struct Store {
    paths: StorePaths,
    clock: Clock,
    session: Mutex<Option<Session>>,
    /// One sync or enrollment at a time (a background job and the worker's "sync now" must not
    /// interleave their acknowledgements).
    pub(crate) sync_turn: Mutex<()>,
}

/// A supply that has run low at a location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowStock {
    pub location: String,
    pub item: String,
    pub level: i64,
    pub threshold: u32,
}

/// Records made under an old identity or old keys would no longer match the program's
/// (participant references would split, segments would name another device).
fn nothing_written(conn: &Connection) -> Result<()> {
    let written: i64 = conn.query_row(
        "SELECT (SELECT count(*) FROM encounter) + (SELECT count(*) FROM stock_movement)
                + (SELECT count(*) FROM outbox)",
        [],
        |r| r.get(0),
    )?;
    if written > 0 {
        return Err(Error::NotPermitted("enrollment and program keys only before anything is logged".into()));
    }
    Ok(())
}

pub(crate) fn meta_get<T: rusqlite::types::FromSql>(conn: &Connection, key: &str) -> Result<Option<T>> {
    Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub(crate) fn meta_set<T: rusqlite::ToSql>(conn: &Connection, key: &str, value: T) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

impl Store {
    /// Makes a new store in `dir`. Refuses when any part of a store is already there.
    pub fn create(dir: &Path, opts: CreateOptions) -> Result<Store> {
        let paths = StorePaths::new(dir);
        if opts.pin.is_none() && opts.platform_key.is_none() {
            return Err(invalid("unlock", "give a PIN, a platform key, or both"));
        }
        if let Some(pin) = &opts.pin {
            keyfile::validate_pin("pin", pin)?;
        }
        if paths.all_files().iter().any(|p| p.exists()) {
            return Err(Error::AlreadyExists(dir.to_path_buf()));
        }
        fs::create_dir_all(dir)?;
        let result = Self::create_files(&paths, &opts);
        if result.is_err() {
            // Nothing existed before this call (checked above), so what it made holds no data.
            for p in paths.all_files() {
                let _ = fs::remove_file(p);
            }
        }
        let store = Store { paths, clock: Arc::new(Utc::now), session: Mutex::new(None), sync_turn: Mutex::new(()) };
        let db_key = result?;
        store.start_session(db_key)?;
        Ok(store)
    }

    fn create_files(paths: &StorePaths, opts: &CreateOptions) -> Result<SecretKey> {
        let db_key = crypto::random_key();
        let salt = crypto::random_bytes::<16>();
        let store_id = crypto::random_bytes::<16>();
        let now = Utc::now().timestamp();
        let mut conn = schema::open(&paths.db(), &db_key, &salt, true)?;
        schema::migrate(&mut conn)?;
        let tx = conn.transaction()?;
        meta_set(&tx, "store_id", &store_id[..])?;
        meta_set(&tx, "device_id", &Uuid::now_v7().as_bytes()[..])?;
        meta_set(&tx, "role", opts.role.as_str())?;
        meta_set(&tx, "program_id", &Uuid::now_v7().as_bytes()[..])?;
        meta_set(&tx, "created_at", now)?;
        meta_set(&tx, "hlc", 0i64)?;
        // A standalone store gets its own program keys; enrollment replaces them.
        for purpose in ["participant", "data"] {
            tx.execute(
                "INSERT INTO program_key (purpose, epoch, key) VALUES (?1, 1, ?2)",
                params![purpose, &crypto::random_key()[..]],
            )?;
        }
        // Starter settings at stamp zero: any setting a manager writes wins over them.
        for s in settings::starter() {
            settings::put_if_newer(&tx, &s.key(), &s.to_json(), 0, [0; 16])?;
        }
        tx.commit()?;
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        drop(conn);
        if read_header(&paths.db())? != salt {
            return Err(Error::Damaged("the new database did not take its salt".into()));
        }
        let mut kf = KeyFile::new(store_id, salt);
        if let Some(pin) = &opts.pin {
            kf.wrap_with_pin(&db_key, pin, opts.kdf)?;
        }
        if let Some(pk) = &opts.platform_key {
            kf.wrap_with_platform_key(&db_key, pk);
        }
        kf.save(paths)?;
        Ok(db_key)
    }

    /// Opens an existing store, locked.
    pub fn open(dir: &Path) -> Result<Store> {
        let paths = StorePaths::new(dir);
        KeyFile::load(&paths)?;
        Ok(Store { paths, clock: Arc::new(Utc::now), session: Mutex::new(None), sync_turn: Mutex::new(()) })
    }

    /// The folder holding this store.
    pub fn dir(&self) -> &Path {
        self.paths.dir()
    }

    /// Whether a store's key file is in `dir`.
    pub fn exists(dir: &Path) -> bool {
        StorePaths::new(dir).keys().exists()
    }

    /// Replaces the time source (for tests and demos).
    pub fn with_clock(mut self, clock: Clock) -> Store {
        self.clock = clock;
        self
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Failed unlock attempts in a row since the last success.
    pub fn failed_attempts(&self) -> u32 {
        keyfile::failed_attempts(&self.paths)
    }

    pub fn unlock_with_pin(&self, pin: &str) -> Result<()> {
        let kf = KeyFile::load(&self.paths)?;
        match kf.unwrap_with_pin(pin)? {
            Some(key) => self.finish_unlock(&kf, key),
            None => Err(Error::WrongPin { failed_attempts: keyfile::record_failed_attempt(&self.paths)? }),
        }
    }

    pub fn unlock_with_platform_key(&self, platform_key: &[u8; 32]) -> Result<()> {
        let kf = KeyFile::load(&self.paths)?;
        match kf.unwrap_with_platform_key(platform_key)? {
            Some(key) => self.finish_unlock(&kf, key),
            None => Err(Error::WrongKey { failed_attempts: keyfile::record_failed_attempt(&self.paths)? }),
        }
    }

    fn finish_unlock(&self, kf: &KeyFile, db_key: SecretKey) -> Result<()> {
        // The key is right; now tell a damaged database from a foreign one before touching it.
        let header = read_header(&self.paths.db())?;
        if &header == b"SQLite format 3\0" {
            return Err(Error::ForeignFile("it is a plain, unencrypted SQLite file".into()));
        }
        if header[..] != kf.db_salt[..] {
            return Err(Error::ForeignFile("it was made with another key file".into()));
        }
        keyfile::reset_failed_attempts(&self.paths)?;
        self.start_session_checked(db_key, Some(&kf.store_id))
    }

    fn start_session(&self, db_key: SecretKey) -> Result<()> {
        self.start_session_checked(db_key, None)
    }

    fn start_session_checked(&self, db_key: SecretKey, store_id: Option<&[u8]>) -> Result<()> {
        let salt = KeyFile::load(&self.paths).map(|kf| kf.db_salt).unwrap_or_default();
        let salt: [u8; 16] = salt.try_into().map_err(|_| Error::Damaged("key file salt".into()))?;
        let mut conn = schema::open(&self.paths.db(), &db_key, &salt, false)?;
        schema::migrate(&mut conn)?;
        let canary: Option<Vec<u8>> = meta_get(&conn, "store_id")?;
        if let Some(expected) = store_id {
            if canary.as_deref() != Some(expected) {
                return Err(Error::ForeignFile("its store id does not match the key file".into()));
            }
        }
        let device: Vec<u8> = meta_get(&conn, "device_id")?.ok_or_else(|| Error::Damaged("no device id".into()))?;
        let role: String = meta_get(&conn, "role")?.ok_or_else(|| Error::Damaged("no role".into()))?;
        let location: Option<String> = meta_get(&conn, "location")?;
        let participant_key: zeroize::Zeroizing<Vec<u8>> = conn
            .query_row("SELECT key FROM program_key WHERE purpose = 'participant'", [], |r| r.get(0))
            .optional()?
            .map(zeroize::Zeroizing::new)
            .ok_or_else(|| Error::Damaged("no participant key".into()))?;
        let ctx = Context {
            db_key,
            device: Uuid::from_slice(&device).map_err(|_| Error::Damaged("device id".into()))?,
            role: Role::parse(&role).ok_or_else(|| Error::Damaged("unknown role".into()))?,
            location,
            participant_key: zeroize::Zeroizing::new(
                participant_key.as_slice().try_into().map_err(|_| Error::Damaged("participant key".into()))?,
            ),
            settings: settings::load(&conn)?,
        };
        *self.lock_session() = Some(Session { conn, ctx });
        Ok(())
    }

    fn lock_session(&self) -> MutexGuard<'_, Option<Session>> {
        self.session.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Closes the database and wipes the keys from memory.
    pub fn lock(&self) {
        *self.lock_session() = None;
    }

    pub fn is_unlocked(&self) -> bool {
        self.lock_session().is_some()
    }

    /// Re-wraps the database key under a new PIN; the database is not re-encrypted.
    pub fn change_pin(&self, current: &str, new: &str) -> Result<()> {
        keyfile::validate_pin("new_pin", new)?;
        let mut kf = KeyFile::load(&self.paths)?;
        let Some(key) = kf.unwrap_with_pin(current)? else {
            return Err(Error::WrongPin { failed_attempts: keyfile::record_failed_attempt(&self.paths)? });
        };
        // Never lower the cost; raise it to today's minimum when the stored one is below.
        let stored = kf.pin.as_ref().map(|p| p.kdf).unwrap_or(KdfParams::DEFAULT);
        let kdf = KdfParams {
            m_kib: stored.m_kib.max(KdfParams::DEFAULT.m_kib),
            t: stored.t.max(KdfParams::DEFAULT.t),
            p: stored.p.max(KdfParams::DEFAULT.p),
        };
        kf.wrap_with_pin(&key, new, kdf)?;
        kf.save(&self.paths)?;
        keyfile::reset_failed_attempts(&self.paths)
    }

    /// Wraps the database key under a platform key too (or replaces it). Needs an unlocked store.
    pub fn set_platform_key(&self, platform_key: &[u8; 32]) -> Result<()> {
        let guard = self.lock_session();
        let session = guard.as_ref().ok_or(Error::Locked)?;
        let mut kf = KeyFile::load(&self.paths)?;
        kf.wrap_with_platform_key(&session.ctx.db_key, platform_key);
        kf.save(&self.paths)
    }

    /// Runs `f` in one immediate transaction on the unlocked store.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Context, &Connection) -> Result<T>) -> Result<T> {
        let mut guard = self.lock_session();
        let session = guard.as_mut().ok_or(Error::Locked)?;
        let tx = session.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&session.ctx, &tx)?;
        tx.commit()?;
        Ok(out)
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&Context, &Connection) -> Result<T>) -> Result<T> {
        let guard = self.lock_session();
        let session = guard.as_ref().ok_or(Error::Locked)?;
        f(&session.ctx, &session.conn)
    }

    pub fn device_id(&self) -> Result<Uuid> {
        self.read(|ctx, _| Ok(ctx.device))
    }

    pub fn role(&self) -> Result<Role> {
        self.read(|ctx, _| Ok(ctx.role))
    }

    pub fn settings(&self) -> Result<ProgramSettings> {
        self.read(|ctx, _| Ok(ctx.settings.clone()))
    }

    fn reload_settings(&self) -> Result<()> {
        let mut guard = self.lock_session();
        let session = guard.as_mut().ok_or(Error::Locked)?;
        session.ctx.settings = settings::load(&session.conn)?;
        Ok(())
    }

    /// Writes a setting and queues it for the program's devices. Managers only.
    pub fn put_setting(&self, setting: Setting) -> Result<()> {
        self.put_settings(std::slice::from_ref(&setting)).map_err(|(_, e)| e)
    }

    /// Writes several settings in one transaction, all or none, each checked against the
    /// settings as the earlier ones leave them (a kit may use an item added before it). On a
    /// refusal, says which one (its index) and why; nothing is written.
    pub fn put_settings(&self, settings: &[Setting]) -> std::result::Result<(), (Option<usize>, Error)> {
        let now = self.now();
        let mut failed = None;
        self.write(|ctx, tx| {
            if ctx.role != Role::Manager {
                return Err(Error::NotPermitted("only a manager's device changes program settings".into()));
            }
            let mut current = ctx.settings.clone();
            for (i, setting) in settings.iter().enumerate() {
                failed = Some(i);
                setting.validate(Some(&current))?;
                let hlc = next_hlc(tx, now)?;
                let record = SettingRecord {
                    id: Uuid::now_v7(),
                    key: setting.key(),
                    value: setting.to_json(),
                    hlc,
                    device: ctx.device,
                };
                apply_setting(tx, &record)?;
                outbox::enqueue(tx, &Record::Setting(record), now.timestamp())?;
                current = settings::load(tx)?;
            }
            failed = None;
            Ok(())
        })
        .map_err(|e| (failed, e))?;
        self.reload_settings().map_err(|e| (None, e))
    }

    /// Sets the stock location this device hands supplies out from (`None`: no stock kept).
    pub fn set_device_location(&self, location: Option<&str>) -> Result<()> {
        self.write(|ctx, tx| {
            match location {
                Some(l) if !ctx.settings.location(l).is_some_and(|x| x.active) => {
                    return Err(invalid("location", format!("no active location {l}")))
                }
                Some(l) => meta_set(tx, "location", l)?,
                None => {
                    tx.execute("DELETE FROM meta WHERE key = 'location'", [])?;
                }
            }
            Ok(())
        })?;
        let mut guard = self.lock_session();
        if let Some(s) = guard.as_mut() {
            s.ctx.location = location.map(str::to_owned);
        }
        Ok(())
    }

    pub fn device_location(&self) -> Result<Option<String>> {
        self.read(|ctx, _| Ok(ctx.location.clone()))
    }

    /// Logs an encounter, with the stock it handed out, in one durable transaction. Returns the
    /// encounter's id.
    pub fn log_encounter(&self, new: &NewEncounter) -> Result<Uuid> {
        let now = self.now();
        self.write(|ctx, tx| {
            encounter::validate(new, &ctx.settings, now)?;
            let id = Uuid::now_v7();
            let record = EncounterRecord {
                id,
                encounter_id: id,
                version: 1,
                author: ctx.device,
                location: ctx.location.clone(),
                voided: false,
                ..record_fields(ctx, new, None, now)?
            };
            write_version(ctx, tx, &record, None, now)?;
            Ok(id)
        })
    }

    /// Logs an encounter from a kit: the kit's items with `adjustments` applied (a quantity
    /// replaces the kit's, 0 removes the item). Other fields come from `base`.
    pub fn log_from_kit(&self, kit_id: &str, adjustments: &[ItemQuantity], base: &NewEncounter) -> Result<Uuid> {
        let items = self.read(|ctx, _| encounter::kit_items(&ctx.settings, kit_id, adjustments))?;
        self.log_encounter(&NewEncounter { items, ..base.clone() })
    }

    /// Corrects an encounter this device wrote. The participant reference is kept unless a new
    /// code is given.
    pub fn correct_encounter(&self, encounter_id: Uuid, new: &NewEncounter) -> Result<()> {
        let now = self.now();
        self.write(|ctx, tx| {
            let old = own_live_version(ctx, tx, encounter_id)?;
            encounter::validate(new, &ctx.settings, now)?;
            let record = EncounterRecord {
                id: Uuid::now_v7(),
                encounter_id,
                version: old.version + 1,
                author: ctx.device,
                location: old.location.clone(),
                voided: false,
                ..record_fields(ctx, new, old.participant, now)?
            };
            write_version(ctx, tx, &record, Some(&old), now)
        })
    }

    /// Voids an encounter this device wrote; it then counts nowhere and its supplies go back.
    pub fn void_encounter(&self, encounter_id: Uuid) -> Result<()> {
        let now = self.now();
        self.write(|ctx, tx| {
            let old = own_live_version(ctx, tx, encounter_id)?;
            let record = EncounterRecord {
                id: Uuid::now_v7(),
                version: old.version + 1,
                voided: true,
                recorded_at: encounter::to_minute(now).timestamp(),
                ..old.clone()
            };
            write_version(ctx, tx, &record, Some(&old), now)
        })
    }

    /// This device's most recent encounters, newest first.
    pub fn recent_encounters(&self, limit: u32) -> Result<Vec<EncounterSummary>> {
        self.read(|ctx, conn| encounter::recent(conn, ctx.device, limit.min(1000)))
    }

    /// One encounter as the worker's list shows it (any author), or `None`.
    pub fn get_encounter(&self, encounter_id: Uuid) -> Result<Option<EncounterSummary>> {
        self.read(|_, conn| Ok(encounter::load(conn, encounter_id)?.map(|v| encounter::summary(v.record, v.acked))))
    }

    /// Whether a participant code was seen on this device before. Nothing is written.
    pub fn participant_seen(&self, code: &str) -> Result<bool> {
        self.read(|ctx, conn| participant::seen(conn, &participant::reference(&ctx.participant_key, code)?))
    }

    /// Supplies arrived at a location.
    pub fn receive_stock(&self, location: &str, item: &str, quantity: u32) -> Result<Uuid> {
        check_range("quantity", quantity as i64, 1, 1_000_000)?;
        self.movements(vec![(MovementKind::Received, location, item, quantity as i64, None, None)])
            .map(|ids| ids[0])
    }

    /// Moves stock from one location to another: one movement on each side.
    pub fn transfer_stock(&self, from: &str, to: &str, item: &str, quantity: u32) -> Result<()> {
        check_range("quantity", quantity as i64, 1, 1_000_000)?;
        if from == to {
            return Err(invalid("to", "must differ from the source location"));
        }
        let q = quantity as i64;
        self.movements(vec![
            (MovementKind::Transferred, from, item, -q, None, Some(to)),
            (MovementKind::Transferred, to, item, q, None, Some(from)),
        ])
        .map(|_| ())
    }

    /// Corrects stock by a signed amount, for a reason.
    pub fn adjust_stock(&self, location: &str, item: &str, delta: i64, reason: AdjustReason) -> Result<Uuid> {
        if delta == 0 {
            return Err(invalid("delta", "must not be zero"));
        }
        check_range("delta", delta, -1_000_000, 1_000_000)?;
        self.movements(vec![(MovementKind::Adjusted, location, item, delta, Some(reason), None)])
            .map(|ids| ids[0])
    }

    /// Records a physical count: the level at this moment.
    pub fn count_stock(&self, location: &str, item: &str, level: u32) -> Result<Uuid> {
        check_range("level", level as i64, 0, 10_000_000)?;
        self.movements(vec![(MovementKind::Counted, location, item, level as i64, None, None)])
            .map(|ids| ids[0])
    }

    #[allow(clippy::type_complexity)]
    fn movements(
        &self,
        list: Vec<(MovementKind, &str, &str, i64, Option<AdjustReason>, Option<&str>)>,
    ) -> Result<Vec<Uuid>> {
        let now = self.now();
        self.write(|ctx, tx| {
            let mut ids = Vec::new();
            for (kind, location, item, quantity, reason, counterpart) in list {
                if !ctx.settings.location(location).is_some_and(|l| l.active) {
                    return Err(invalid("location", format!("no active location {location}")));
                }
                if ctx.settings.item(item).is_none() {
                    return Err(invalid("item", format!("unknown item {item}")));
                }
                let m = MovementRecord {
                    id: Uuid::now_v7(),
                    author: ctx.device,
                    kind,
                    location: location.into(),
                    item: item.into(),
                    quantity,
                    occurred_at: now.timestamp(),
                    reason,
                    counterpart: counterpart.map(str::to_owned),
                };
                inventory::insert(tx, &m)?;
                outbox::enqueue(tx, &Record::Movement(m.clone()), now.timestamp())?;
                ids.push(m.id);
            }
            Ok(ids)
        })
    }

    /// Current levels, at one location or all.
    pub fn stock_levels(&self, location: Option<&str>) -> Result<Vec<StockLevel>> {
        self.read(|_, conn| inventory::levels(conn, location))
    }

    /// Active items at or below their low-stock threshold, at this device's location (or at every
    /// location when the device has none).
    pub fn low_stock(&self) -> Result<Vec<LowStock>> {
        self.read(|ctx, conn| {
            let locations: Vec<&str> = match &ctx.location {
                Some(l) => vec![l.as_str()],
                None => ctx.settings.locations.iter().filter(|l| l.active).map(|l| l.id.as_str()).collect(),
            };
            let mut out = Vec::new();
            for location in locations {
                for item in ctx.settings.items.iter().filter(|i| i.active) {
                    let level = inventory::level(conn, location, &item.id)?;
                    if level <= item.low_stock_threshold as i64 {
                        out.push(LowStock {
                            location: location.into(),
                            item: item.id.clone(),
                            level,
                            threshold: item.low_stock_threshold,
                        });
                    }
                }
            }
            Ok(out)
        })
    }

    /// The tallies of a period (SPEC section 6), before suppression.
    pub fn tally(&self, query: &TallyQuery) -> Result<Tally> {
        self.read(|ctx, conn| tally::compute(conn, &ctx.settings, query))
    }

    /// The tallies computed from a chosen source (see [`tally::Source`]); for checks and
    /// benchmarks. [`Store::tally`] picks the right source by itself.
    pub fn tally_from(&self, query: &TallyQuery, source: tally::Source) -> Result<Tally> {
        self.read(|ctx, conn| tally::compute_from(conn, &ctx.settings, query, source))
    }

    /// The oldest queued records of a stream.
    pub fn outbox_pending(&self, stream: Stream, limit: u32) -> Result<Vec<OutboxEntry>> {
        self.read(|_, conn| outbox::pending(conn, stream, limit))
    }

    /// Records the server's acknowledgement of a stream up to `seq`.
    pub fn acknowledge(&self, stream: Stream, seq: u64) -> Result<()> {
        self.write(|_, tx| outbox::acknowledge(tx, stream, seq))
    }

    pub fn outbox_status(&self) -> Result<Vec<StreamStatus>> {
        self.read(|_, conn| outbox::status(conn))
    }

    /// Applies records received from other devices, all in one transaction: each is checked,
    /// and one bad record changes nothing. Repeated and out-of-order records are harmless.
    pub fn apply_records(&self, records: &[Record]) -> Result<()> {
        self.apply_records_at(records, None, &[], &[])
    }

    /// `apply_records`, and with `cursor`, the pull cursor in the same transaction (it never
    /// goes backwards), with the segments set aside and how far other devices' streams arrived.
    pub(crate) fn apply_records_at(
        &self,
        records: &[Record],
        cursor: Option<u64>,
        quarantined: &[String],
        arrived: &[crate::sync::Arrived],
    ) -> Result<()> {
        self.write(|ctx, tx| {
            crate::sync::note_arrivals(tx, arrived)?;
            if let Some(c) = cursor {
                let current = meta_get::<i64>(tx, "pull_cursor")?.unwrap_or(0);
                meta_set(tx, "pull_cursor", current.max(c as i64))?;
            }
            if let Some(last) = quarantined.last() {
                let count = meta_get::<i64>(tx, "sync_quarantined")?.unwrap_or(0);
                meta_set(tx, "sync_quarantined", count + quarantined.len() as i64)?;
                meta_set(tx, "sync_last_quarantined", last.as_str())?;
            }
            for record in records {
                match record {
                    Record::Setting(s) => {
                        Setting::from_json(&s.key, &s.value)?
                            .validate(None)
                            .map_err(|e| Error::BadRecord(format!("setting {}: {e}", s.key)))?;
                        observe_hlc(tx, s.hlc)?;
                        apply_setting(tx, s)?;
                    }
                    Record::Movement(m) => {
                        m.check()?;
                        inventory::insert(tx, m)?;
                    }
                    Record::Encounter(e) => {
                        if ctx.role != Role::Manager {
                            return Err(Error::NotPermitted("encounters go only to managers' devices".into()));
                        }
                        e.check()?;
                        let participant = match &e.participant {
                            Some(r) => Some(participant::upsert(tx, r, e.occurred_at)?),
                            None => None,
                        };
                        encounter::store_version(tx, e, participant, current_tz(tx)?)?;
                    }
                }
            }
            Ok(())
        })?;
        self.reload_settings()
    }

    /// The program keys (for sync and enrollment).
    pub fn program_keys(&self) -> Result<ProgramKeys> {
        self.read(|_, conn| {
            let get = |purpose: &str| -> Result<(SecretKey, u32)> {
                let (key, epoch): (Vec<u8>, u32) = conn.query_row(
                    "SELECT key, epoch FROM program_key WHERE purpose = ?1",
                    [purpose],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                let key = zeroize::Zeroizing::new(key);
                let key: [u8; 32] = key.as_slice().try_into().map_err(|_| Error::Damaged("program key".into()))?;
                Ok((zeroize::Zeroizing::new(key), epoch))
            };
            let (participant_key, _) = get("participant")?;
            let (data_key, epoch) = get("data")?;
            Ok(ProgramKeys { program: crate::sync::program_id(conn)?, participant_key, data_key, epoch })
        })
    }

    /// Replaces the program keys (and program id) with those received at enrollment.
    pub fn set_program_keys(&self, keys: &ProgramKeys) -> Result<()> {
        self.adopt(None, keys, None)
    }

    /// Completes enrollment: takes the device id and role the server assigned and the program's
    /// keys, in one transaction, so that every record from now on names the device the server
    /// knows. Only before anything is logged.
    pub fn enroll(&self, device: Uuid, role: Role, keys: &ProgramKeys) -> Result<()> {
        self.adopt(Some((device, role)), keys, None)
    }

    /// [`Store::enroll`], with the server this device syncs with and its credential there.
    pub(crate) fn enroll_at(&self, device: Uuid, role: Role, keys: &ProgramKeys, server: &str, credential: &str) -> Result<()> {
        self.adopt(Some((device, role)), keys, Some((server, credential)))
    }

    /// Refuses enrollment once anything is logged (checked before a one-time token is spent).
    pub(crate) fn check_can_enroll(&self) -> Result<()> {
        self.read(|_, conn| nothing_written(conn))
    }

    fn adopt(&self, identity: Option<(Uuid, Role)>, keys: &ProgramKeys, server: Option<(&str, &str)>) -> Result<()> {
        self.write(|_, tx| {
            nothing_written(tx)?;
            if let Some((server, credential)) = server {
                meta_set(tx, "sync_server", server)?;
                meta_set(tx, "sync_credential", credential)?;
            }
            if let Some((device, role)) = identity {
                meta_set(tx, "device_id", &device.as_bytes()[..])?;
                meta_set(tx, "role", role.as_str())?;
            }
            meta_set(tx, "program_id", &keys.program.as_bytes()[..])?;
            for (purpose, key) in [("participant", &keys.participant_key), ("data", &keys.data_key)] {
                tx.execute(
                    "INSERT INTO program_key (purpose, epoch, key) VALUES (?1, ?2, ?3)
                     ON CONFLICT (purpose) DO UPDATE SET epoch = excluded.epoch, key = excluded.key",
                    params![purpose, keys.epoch, &key[..]],
                )?;
            }
            Ok(())
        })?;
        let mut guard = self.lock_session();
        if let Some(s) = guard.as_mut() {
            s.ctx.participant_key = keys.participant_key.clone();
            if let Some((device, role)) = identity {
                s.ctx.device = device;
                s.ctx.role = role;
            }
        }
        Ok(())
    }

    /// Deletes encounters the server acknowledged that are older than the program's retention
    /// period, and participant references not seen since. Managers' stores keep everything.
    /// Returns how many encounters were deleted.
    pub fn purge_expired(&self) -> Result<u64> {
        let now = self.now();
        let n = self.write(|ctx, tx| {
            if ctx.role == Role::Manager {
                return Ok(0);
            }
            let cutoff = (now - Duration::days(ctx.settings.program.retention_days as i64)).timestamp();
            let n = tx.execute("DELETE FROM encounter WHERE acked = 1 AND occurred_at < ?1", [cutoff])?;
            tx.execute(
                "DELETE FROM participant WHERE last_seen < ?1
                   AND id NOT IN (SELECT participant FROM encounter WHERE participant IS NOT NULL)",
                [cutoff],
            )?;
            Ok(n as u64)
        })?;
        // Move the deleted pages out of the WAL too.
        self.read(|_, conn| Ok(conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?))?;
        Ok(n)
    }

    /// Runs SQLite's and SQLCipher's integrity checks.
    pub fn integrity_check(&self) -> Result<()> {
        self.read(|_, conn| {
            let sqlite: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            if sqlite != "ok" {
                return Err(Error::Damaged(format!("integrity check: {sqlite}")));
            }
            let mut stmt = conn.prepare("PRAGMA cipher_integrity_check")?;
            let problems: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            if !problems.is_empty() {
                return Err(Error::Damaged(format!("cipher integrity check: {}", problems.join("; "))));
            }
            Ok(())
        })
    }

    /// Panic wipe of this store: locks it, then destroys every file (see [`wipe`]).
    pub fn wipe(self) -> Result<()> {
        self.lock();
        wipe(self.paths.dir())
    }
}

/// Panic wipe: overwrites and deletes the key file first (which alone makes the database
/// unreadable), then deletes the database, its WAL, shared-memory and temporary files. Every
/// step runs even if an earlier one fails; failures are reported together.
pub fn wipe(dir: &Path) -> Result<()> {
    let paths = StorePaths::new(dir);
    let mut failed = Vec::new();
    for (i, path) in paths.all_files().into_iter().enumerate() {
        if !path.exists() {
            continue;
        }
        if i < 2 {
            // The key file and its temporary copy hold wrapped keys: overwrite them before
            // unlinking, in case the unlink fails or the file is linked elsewhere.
            if let Err(e) = overwrite(&path) {
                failed.push(format!("overwriting {}: {e}", file_name(&path)));
            }
        }
        if let Err(e) = fs::remove_file(&path) {
            failed.push(format!("{}: {e}", file_name(&path)));
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::WipeIncomplete(failed.join("; ")))
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap_or_default().to_string_lossy().into_owned()
}

fn overwrite(path: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let len = fs::metadata(path)?.len() as usize;
    let mut noise = vec![0u8; len];
    getrandom::fill(&mut noise).map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut f = fs::OpenOptions::new().write(true).open(path)?;
    f.write_all(&noise)?;
    f.sync_all()
}

fn read_header(db: &Path) -> Result<[u8; 16]> {
    let mut f = match fs::File::open(db) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Damaged("the database file is missing".into()))
        }
        Err(e) => return Err(e.into()),
    };
    let mut header = [0u8; 16];
    f.read_exact(&mut header).map_err(|_| Error::Damaged("the database file is truncated".into()))?;
    Ok(header)
}

fn current_tz(conn: &Connection) -> Result<chrono_tz::Tz> {
    let program: Option<String> = conn
        .query_row("SELECT value FROM setting WHERE key = 'program'", [], |r| r.get(0))
        .optional()?;
    let tz = program
        .and_then(|p| serde_json::from_str::<settings::Program>(&p).ok())
        .and_then(|p| p.time_zone.parse().ok())
        .unwrap_or(chrono_tz::UTC);
    Ok(tz)
}

/// Stores a setting record if it wins; recomputes local days when the time zone changed.
fn apply_setting(tx: &Connection, s: &SettingRecord) -> Result<()> {
    let before = current_tz(tx)?;
    let stored = settings::put_if_newer(tx, &s.key, &s.value, s.hlc, *s.device.as_bytes())?;
    if stored && s.key == "program" {
        let after = current_tz(tx)?;
        if after != before {
            encounter::recompute_local_days(tx, after)?;
        }
    }
    Ok(())
}

/// The next hybrid-logical-clock stamp: milliseconds in the high bits, a counter in the low 16,
/// never going backwards even if the wall clock does.
fn next_hlc(tx: &Connection, now: DateTime<Utc>) -> Result<u64> {
    let last: i64 = meta_get(tx, "hlc")?.unwrap_or(0);
    let physical = (now.timestamp_millis().max(0) as u64) << 16;
    let next = physical.max(last as u64 + 1);
    meta_set(tx, "hlc", next as i64)?;
    Ok(next)
}

fn observe_hlc(tx: &Connection, remote: u64) -> Result<()> {
    let last: i64 = meta_get(tx, "hlc")?.unwrap_or(0);
    if remote as i64 > last {
        meta_set(tx, "hlc", remote as i64)?;
    }
    Ok(())
}

/// The fields of a record that come from what the worker entered.
fn record_fields(
    ctx: &Context,
    new: &NewEncounter,
    keep_participant: Option<[u8; 16]>,
    now: DateTime<Utc>,
) -> Result<EncounterRecord> {
    let participant = match &new.participant_code {
        Some(code) => Some(participant::reference(&ctx.participant_key, code)?),
        None => keep_participant,
    };
    let mut items = new.items.clone();
    items.sort();
    let mut referrals = new.referrals.clone();
    referrals.sort();
    let mut substances = new.substances.clone();
    substances.sort();
    Ok(EncounterRecord {
        id: Uuid::nil(),
        encounter_id: Uuid::nil(),
        version: 0,
        author: ctx.device,
        occurred_at: encounter::to_minute(new.occurred_at).timestamp(),
        contact_type: new.contact_type,
        zone: new.zone.clone(),
        geohash: new.geohash.clone(),
        participant,
        new_participant: new.new_participant,
        age_band: new.age_band.clone(),
        gender: new.gender.clone(),
        items,
        syringes_collected: new.syringes_collected,
        referrals,
        substances,
        overdose_reversals: new.overdose_reversals,
        naloxone_doses_used: new.naloxone_doses_used,
        collecting_for: new.collecting_for,
        location: None,
        voided: false,
        recorded_at: encounter::to_minute(now).timestamp(),
    })
}

fn own_live_version(ctx: &Context, tx: &Connection, encounter_id: Uuid) -> Result<EncounterRecord> {
    let old = encounter::load(tx, encounter_id)?
        .ok_or_else(|| Error::NotFound { kind: "encounter", id: encounter_id.to_string() })?
        .record;
    if old.author != ctx.device {
        return Err(Error::NotPermitted("only the device that logged an encounter may change it".into()));
    }
    if old.voided {
        return Err(Error::NotPermitted("this encounter is already voided".into()));
    }
    Ok(old)
}

/// Stores a new version of one of this device's encounters, writes the stock movements that
/// take its supplies from the location (net of what the previous version took), and queues
/// everything for sync.
fn write_version(
    ctx: &Context,
    tx: &Connection,
    record: &EncounterRecord,
    previous: Option<&EncounterRecord>,
    now: DateTime<Utc>,
) -> Result<()> {
    let participant = match &record.participant {
        Some(r) => Some(participant::upsert(tx, r, record.occurred_at)?),
        None => None,
    };
    encounter::store_version(tx, record, participant, ctx.settings.time_zone())?;
    if let Some(location) = &record.location {
        // (item, time) -> delta. When the time is unchanged the old and new quantities net out;
        // when it moved, the old supplies come back at the old time and the new ones leave at
        // the new time, so a physical count between the two stays right.
        let mut deltas: BTreeMap<(&str, i64), i64> = BTreeMap::new();
        if let Some(old) = previous {
            for iq in &old.items {
                *deltas.entry((iq.item.as_str(), old.occurred_at)).or_default() += iq.quantity as i64;
            }
        }
        if !record.voided {
            for iq in &record.items {
                *deltas.entry((iq.item.as_str(), record.occurred_at)).or_default() -= iq.quantity as i64;
            }
        }
        for ((item, at), delta) in deltas.into_iter().filter(|(_, d)| *d != 0) {
            let m = MovementRecord {
                id: Uuid::now_v7(),
                author: ctx.device,
                kind: MovementKind::Distributed,
                location: location.clone(),
                item: item.into(),
                quantity: delta,
                occurred_at: at,
                reason: None,
                counterpart: None,
            };
            inventory::insert(tx, &m)?;
            outbox::enqueue(tx, &Record::Movement(m), now.timestamp())?;
        }
    }
    outbox::enqueue(tx, &Record::Encounter(record.clone()), now.timestamp())?;
    Ok(())
}
