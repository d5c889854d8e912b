//! The worker's own shift: the encounters this phone logged in the last hours, and what they add
//! up to, for the app's Today screen. Both apps show the same numbers from here.

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use uuid::Uuid;

use super::Store;
use crate::encounter::{self, EncounterSummary};
use crate::error::Result;
use crate::settings::{ItemCategory, ItemQuantity};

/// How far back a shift reaches: a night shift from 18:00 to 02:00 is whole at its end, and
/// yesterday's shift is gone by the next evening.
pub const SHIFT_HOURS: i64 = 12;

/// What this phone's shift adds up to. Voided encounters count nowhere.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShiftSummary {
    /// Encounters logged (not voided).
    pub encounters: u32,
    /// This phone's contacts the server has not acknowledged yet, of this shift or before,
    /// voids included: the same count as [`crate::SyncStatus::contacts_waiting`].
    pub waiting: u32,
    pub new_participants: u32,
    /// Units handed out per item, in the catalog's order.
    pub items: Vec<ItemQuantity>,
    /// Naloxone handed out, in doses (a kit of 2 doses counts 2).
    pub naloxone_doses_given: u32,
    /// Returned syringes counted one by one.
    pub syringes_collected: u32,
    /// Sharps containers returned, and the syringes they hold by the program's estimate.
    pub sharps_containers: u32,
    pub syringes_estimated: u32,
    pub referrals: u32,
    pub overdose_reversals: u32,
}

impl Store {
    /// The start of the shift that is running now ([`SHIFT_HOURS`] back).
    pub fn shift_start(&self) -> DateTime<Utc> {
        self.now() - Duration::hours(SHIFT_HOURS)
    }

    /// This phone's encounters since the shift started, newest first, voided ones included (the
    /// list shows them struck through).
    pub fn shift_encounters(&self) -> Result<Vec<EncounterSummary>> {
        let since = self.shift_start().timestamp();
        self.read(|ctx, conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT encounter_id FROM encounter WHERE author = ?1 AND occurred_at >= ?2
                 ORDER BY occurred_at DESC, id DESC LIMIT 1000",
            )?;
            let ids: Vec<Vec<u8>> =
                stmt.query_map(params![ctx.device.as_bytes().as_slice(), since], |r| r.get(0))?.collect::<Result<_, _>>()?;
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(v) = encounter::load(conn, Uuid::from_slice(&id).unwrap_or_default())? {
                    out.push(encounter::summary(v.record, v.acked));
                }
            }
            Ok(out)
        })
    }

    /// What the shift adds up to.
    pub fn shift_summary(&self) -> Result<ShiftSummary> {
        let since = self.shift_start().timestamp();
        self.read(|ctx, conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT encounter_id FROM encounter WHERE author = ?1 AND occurred_at >= ?2 AND voided = 0",
            )?;
            let ids: Vec<Vec<u8>> =
                stmt.query_map(params![ctx.device.as_bytes().as_slice(), since], |r| r.get(0))?.collect::<Result<_, _>>()?;
            let mut sum = ShiftSummary::default();
            let mut units: Vec<u32> = vec![0; ctx.settings.items.len()];
            for id in ids {
                let Some(v) = encounter::load(conn, Uuid::from_slice(&id).unwrap_or_default())? else { continue };
                let r = v.record;
                sum.encounters += 1;
                sum.new_participants += u32::from(r.new_participant);
                sum.syringes_collected += r.syringes_collected;
                for c in &r.sharps_containers {
                    sum.sharps_containers += c.count;
                    sum.syringes_estimated += c.count * c.syringes_each;
                }
                sum.referrals += r.referrals.len() as u32;
                sum.overdose_reversals += r.overdose_reversals;
                for iq in &r.items {
                    if let Some(i) = ctx.settings.items.iter().position(|x| x.id == iq.item) {
                        units[i] += iq.quantity;
                        let item = &ctx.settings.items[i];
                        if item.category == ItemCategory::Naloxone {
                            sum.naloxone_doses_given += iq.quantity * item.doses_per_unit;
                        }
                    }
                }
            }
            sum.waiting = encounter::contacts_waiting(conn, ctx.device)? as u32;
            sum.items = ctx
                .settings
                .items
                .iter()
                .zip(units)
                .filter(|(_, n)| *n > 0)
                .map(|(item, quantity)| ItemQuantity { item: item.id.clone(), quantity })
                .collect();
            Ok(sum)
        })
    }
}
