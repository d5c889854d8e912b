//! The review sheet as the core opens it (D97): prefilled from a kit or from an encounter being
//! corrected, with the default zone and contact type, the program's active lists, and a draft
//! kept across a lock. The apps draw it and send back what the worker changed.

use satchel_core::sheet as core;
pub use satchel_core::sheet::{SheetContainer, SheetLine, SheetLists};

use crate::encounters::{parse_id, with_core_input, EncounterInput, Encounters};
use crate::error::{guard, SatchelError};
use crate::program::Choice;

/// A supply on the sheet, or one that can be added to it (at 0): the core's own record.
#[uniffi::remote(Record)]
pub struct SheetLine {
    pub id: String,
    pub name: String,
    /// The name in Spanish, where the program wrote one (D98).
    pub name_es: Option<String>,
    pub quantity: u32,
}

/// A sharps container type on the sheet, with how many came back: the core's own record.
#[uniffi::remote(Record)]
pub struct SheetContainer {
    pub id: String,
    pub name: String,
    pub name_es: Option<String>,
    /// Syringes one full container holds, by the program's estimate.
    pub syringes_each: u32,
    pub count: u32,
}

/// The program's lists as the sheet offers them: active entries, in display order. An empty
/// profile list is a question the program does not ask. The core's own record.
#[uniffi::remote(Record)]
pub struct SheetLists {
    pub zones: Vec<Choice>,
    pub age_bands: Vec<Choice>,
    pub genders: Vec<Choice>,
    pub referral_types: Vec<Choice>,
    pub substances: Vec<Choice>,
    pub races: Vec<Choice>,
    pub ethnicities: Vec<Choice>,
    pub residences: Vec<Choice>,
    pub services_delivered: Vec<Choice>,
}

/// The sheet when it opens.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Sheet {
    /// The values on it: now, the last contact's type and zone (a new one), or what was entered
    /// (a correction). `participantCode` is always empty.
    pub input: EncounterInput,
    /// The encounter being corrected; `None` for a new one.
    pub correcting: Option<String>,
    /// The kit it was opened from, and its names (the Spanish one where the program wrote it).
    pub kit_id: Option<String>,
    pub kit_name: Option<String>,
    pub kit_name_es: Option<String>,
    /// The supplies on it, in catalog order.
    pub items: Vec<SheetLine>,
    /// Active supplies not on it yet ("Add a supply"), at 0.
    pub addable: Vec<SheetLine>,
    /// The container types for returned syringes, smallest first, with their counts.
    pub containers: Vec<SheetContainer>,
    pub lists: SheetLists,
    /// It came back from a draft kept when the app locked: say so.
    pub restored: bool,
    /// The draft had a participant code, which a draft never keeps: ask for it again.
    pub code_to_retype: bool,
}

/// The sheet the worker has open when the app locks.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SheetDraft {
    /// What was entered so far (the participant code is dropped, never kept).
    pub input: EncounterInput,
    #[uniffi(default = None)]
    pub correcting: Option<String>,
    #[uniffi(default = None)]
    pub kit_id: Option<String>,
}

impl From<core::Sheet> for Sheet {
    fn from(s: core::Sheet) -> Self {
        Sheet {
            input: s.encounter.into(),
            correcting: s.correcting.map(|id| id.to_string()),
            kit_id: s.kit_id,
            kit_name: s.kit_name,
            kit_name_es: s.kit_name_es,
            items: s.items,
            addable: s.addable,
            containers: s.containers,
            lists: s.lists,
            restored: s.restored,
            code_to_retype: s.code_to_retype,
        }
    }
}

#[uniffi::export]
impl Encounters {
    /// A new encounter's sheet, from a kit (`None`: a blank sheet), with the zone (while still
    /// active) and contact type of this phone's last encounter.
    pub fn sheet(&self, kit_id: Option<String>) -> Result<Sheet, SatchelError> {
        guard(|| Ok(self.store.new_sheet(kit_id.as_deref())?.into()))
    }

    /// The sheet that corrects one of this phone's encounters, as it was entered.
    pub fn correction_sheet(&self, encounter_id: String) -> Result<Sheet, SatchelError> {
        guard(|| Ok(self.store.correction_sheet(parse_id(&encounter_id)?)?.into()))
    }

    /// Keeps the open sheet in the encrypted store until the next unlock (call it before
    /// locking). The participant code is not kept.
    pub fn keep_draft(&self, draft: SheetDraft) -> Result<(), SatchelError> {
        guard(|| {
            let correcting = draft.correcting.as_deref().map(parse_id).transpose()?;
            with_core_input(&draft.input, |e| {
                Ok(self.store.keep_draft(&core::Draft { encounter: e.clone(), correcting, kit_id: draft.kit_id.clone() })?)
            })
        })
    }

    /// The sheet kept at the last lock, once (taking it deletes it); `None` when there is none
    /// or it is older than a shift (12 hours).
    pub fn take_draft(&self) -> Result<Option<Sheet>, SatchelError> {
        guard(|| Ok(self.store.take_draft()?.map(Into::into)))
    }
}
