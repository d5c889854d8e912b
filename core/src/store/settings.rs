//! The program's settings as this device holds them, written by managers, and the hybrid
//! logical clock that orders their changes.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use super::Store;
use crate::encounter;
use crate::error::{Error, Result};
use crate::meta::{self, MetaExt};
use crate::outbox::{self, Record, SettingRecord};
use crate::settings::{self, ProgramSettings, Role, Setting};
use crate::zone::Zone;

impl Store {
    pub fn settings(&self) -> Result<ProgramSettings> {
        self.read(|ctx, _| Ok(ctx.settings.clone()))
    }

    pub(crate) fn reload_settings(&self) -> Result<()> {
        let mut guard = self.lock_session();
        let session = guard.as_mut().ok_or(Error::Locked)?;
        session.ctx.settings = settings::load(&session.conn)?;
        drop(guard);
        // The wipe limit is read while the store is locked, from the key file.
        self.follow_wipe_policy()
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
}

pub(crate) fn current_tz(conn: &Connection) -> Result<Zone> {
    let program: Option<String> = conn
        .query_row("SELECT value FROM setting WHERE key = 'program'", [], |r| r.get(0))
        .optional()?;
    let tz = program
        .and_then(|p| serde_json::from_str::<settings::Program>(&p).ok())
        .and_then(|p| Zone::parse(&p.time_zone))
        .unwrap_or_else(Zone::utc);
    Ok(tz)
}

/// Recomputes every stored local day when this build's zone rules are another release than
/// the ones they were computed with (an update that moved a daylight-saving change moves the
/// encounters near it to the day they happened on). Runs on unlock; a no-op once done.
pub(crate) fn follow_zone_rules(conn: &mut Connection) -> Result<()> {
    let rules = crate::zone::rules_version();
    if conn.meta(&meta::ZONE_RULES)?.as_deref() == Some(rules) {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let tz = current_tz(&tx)?;
    encounter::recompute_local_days(&tx, &tz)?;
    crate::profile::recompute_local_days(&tx, &tz)?;
    crate::disposal::recompute_local_days(&tx, &tz)?;
    tx.set_meta(&meta::ZONE_RULES, rules)?;
    tx.commit()?;
    Ok(())
}

/// Stores a setting record if it wins; recomputes local days when the time zone changed.
pub(crate) fn apply_setting(tx: &Connection, s: &SettingRecord) -> Result<()> {
    let before = current_tz(tx)?;
    let stored = settings::put_if_newer(tx, &s.key, &s.value, s.hlc, *s.device.as_bytes())?;
    if stored && s.key == "program" {
        let after = current_tz(tx)?;
        if after != before {
            encounter::recompute_local_days(tx, &after)?;
            crate::profile::recompute_local_days(tx, &after)?;
            crate::disposal::recompute_local_days(tx, &after)?;
        }
    }
    Ok(())
}

/// The next hybrid-logical-clock stamp: milliseconds in the high bits, a counter in the low 16,
/// never going backwards even if the wall clock does.
fn next_hlc(tx: &Connection, now: DateTime<Utc>) -> Result<u64> {
    let last = tx.meta_count(&meta::HLC)?;
    let physical = (now.timestamp_millis().max(0) as u64) << 16;
    let next = physical.max(last as u64 + 1);
    tx.set_meta(&meta::HLC, &(next as i64))?;
    Ok(next)
}

pub(crate) fn observe_hlc(tx: &Connection, remote: u64) -> Result<()> {
    let last = tx.meta_count(&meta::HLC)?;
    if remote as i64 > last {
        tx.set_meta(&meta::HLC, &(remote as i64))?;
    }
    Ok(())
}
