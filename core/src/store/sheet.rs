//! The review sheet as the apps open it (D97): prefilled here, and kept as a draft in the
//! encrypted store across a lock.

use chrono::Duration;
use rusqlite::{params, OptionalExtension};
use uuid::Uuid;

use super::Store;
use crate::encounter;
use crate::error::Result;
use crate::sheet::{self, Draft, Sheet, DRAFT_HOURS};

impl Store {
    /// A new encounter's sheet, from a kit (`None`: a blank one), with the zone and contact type
    /// of this device's last encounter.
    pub fn new_sheet(&self, kit_id: Option<&str>) -> Result<Sheet> {
        let now = self.now();
        self.read(|ctx, conn| {
            let last = encounter::recent(conn, ctx.device, 1)?;
            sheet::for_new(&ctx.settings, kit_id, last.first(), now)
        })
    }

    /// The sheet that corrects one of this device's live encounters.
    pub fn correction_sheet(&self, encounter_id: Uuid) -> Result<Sheet> {
        let entered = self.encounter_for_correction(encounter_id)?;
        self.read(|ctx, _| Ok(sheet::for_correction(&ctx.settings, entered, encounter_id)))
    }

    /// Keeps the open sheet for the next unlock, replacing any kept before. The participant
    /// code is not kept.
    pub fn keep_draft(&self, draft: &Draft) -> Result<()> {
        let now = self.now();
        let body = sheet::draft_body(draft)?;
        self.write(|_, tx| {
            tx.execute(
                "INSERT INTO sheet_draft (id, saved_at, body) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET saved_at = excluded.saved_at, body = excluded.body",
                params![now.timestamp(), body],
            )?;
            Ok(())
        })
    }

    /// The draft kept at the last lock, as a sheet, once: taking it deletes it. A draft older
    /// than a shift, or unreadable, is deleted and not offered.
    pub fn take_draft(&self) -> Result<Option<Sheet>> {
        let now = self.now();
        self.write(|ctx, tx| {
            let row: Option<(i64, Vec<u8>)> = tx
                .query_row("SELECT saved_at, body FROM sheet_draft WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let Some((saved_at, body)) = row else { return Ok(None) };
            tx.execute("DELETE FROM sheet_draft", [])?;
            if saved_at < (now - Duration::hours(DRAFT_HOURS)).timestamp() {
                return Ok(None);
            }
            Ok(sheet::from_draft(&ctx.settings, &body))
        })
    }
}
