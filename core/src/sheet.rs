//! The review sheet as both apps open it (D97): the core prefills it (from a kit, or from an
//! encounter being corrected) with the default zone and contact type, lays out the supplies and
//! containers it shows, and keeps it as a draft across a lock. The apps only draw it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::encounter::{ContactType, EncounterSummary, NewEncounter};
use crate::error::{Error, Result};
use crate::settings::{Choice, ProgramSettings};

/// The most a kept draft may take in the store; a sheet's real values are a few kilobytes.
pub const MAX_DRAFT_BYTES: usize = 64 * 1024;

/// How long a draft kept across a lock is offered again: a night's shift. Older, it is dropped.
pub const DRAFT_HOURS: i64 = crate::store::SHIFT_HOURS;

/// A supply on the sheet (or one that can be added to it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetLine {
    pub id: String,
    pub name: String,
    pub name_es: Option<String>,
    pub quantity: u32,
}

/// A sharps container type on the sheet, with how many came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetContainer {
    pub id: String,
    pub name: String,
    pub name_es: Option<String>,
    pub syringes_each: u32,
    pub count: u32,
}

/// The program's lists as the sheet offers them: active entries, in display order. An empty
/// profile list is a question the program does not ask.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sheet {
    /// The values on it; `items` and `sharps_containers` hold only what is above 0.
    pub encounter: NewEncounter,
    /// The encounter being corrected; `None` for a new one.
    pub correcting: Option<Uuid>,
    /// The kit it was opened from, and its names.
    pub kit_id: Option<String>,
    pub kit_name: Option<String>,
    pub kit_name_es: Option<String>,
    /// The supplies on the sheet, in catalog order.
    pub items: Vec<SheetLine>,
    /// Active supplies not on it yet ("Add a supply"), in catalog order, at 0.
    pub addable: Vec<SheetLine>,
    /// Every active container type (and any the encounter holds), smallest first.
    pub containers: Vec<SheetContainer>,
    pub lists: SheetLists,
    /// It came back from a draft kept across a lock.
    pub restored: bool,
    /// The draft had a participant code, which a draft never keeps: ask for it again.
    pub code_to_retype: bool,
}

/// A sheet the worker had open when the app locked: what they entered so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub encounter: NewEncounter,
    pub correcting: Option<Uuid>,
    pub kit_id: Option<String>,
}

/// A draft as the store keeps it. The participant code is left out (only its keyed hash is
/// ever stored, D19); `code_given` says one was typed.
#[derive(Serialize, Deserialize)]
struct DraftBody {
    encounter: NewEncounter,
    correcting: Option<Uuid>,
    kit_id: Option<String>,
    code_given: bool,
}

/// A new encounter's sheet: now, the last encounter's contact type and zone (the zone only while
/// still active; else the first active zone), and a kit's supplies when opened from one.
pub fn for_new(settings: &ProgramSettings, kit_id: Option<&str>, last: Option<&EncounterSummary>, now: DateTime<Utc>) -> Result<Sheet> {
    let kit = match kit_id {
        Some(id) => Some(
            settings
                .kit(id)
                .filter(|k| k.active)
                .ok_or_else(|| Error::NotFound { kind: "kit", id: id.to_string() })?,
        ),
        None => None,
    };
    let zones = active(&settings.zones);
    let zone = last
        .map(|l| l.zone.as_str())
        .filter(|z| zones.iter().any(|c| c.id == *z))
        .or(zones.first().map(|c| c.id.as_str()))
        .unwrap_or_default()
        .to_string();
    let items = kit
        .map(|k| k.items.iter().filter(|q| settings.item(&q.item).is_some_and(|i| i.active)).cloned().collect())
        .unwrap_or_default();
    let encounter = NewEncounter {
        occurred_at: crate::encounter::to_minute(now),
        contact_type: last.map(|l| l.contact_type).unwrap_or(ContactType::Street),
        zone,
        items,
        ..NewEncounter::default()
    };
    Ok(layout(settings, encounter, None, kit.map(|k| k.id.clone())))
}

/// The sheet that corrects one of this device's encounters, as it was entered.
pub fn for_correction(settings: &ProgramSettings, encounter: NewEncounter, id: Uuid) -> Sheet {
    layout(settings, encounter, Some(id), None)
}

/// The draft as the store keeps it (without the participant code).
pub(crate) fn draft_body(draft: &Draft) -> Result<Vec<u8>> {
    let body = DraftBody {
        encounter: NewEncounter { participant_code: None, ..draft.encounter.clone() },
        correcting: draft.correcting,
        kit_id: draft.kit_id.clone(),
        code_given: draft.encounter.participant_code.as_deref().is_some_and(|c| !c.trim().is_empty()),
    };
    let bytes = serde_json::to_vec(&body).map_err(|e| Error::Damaged(format!("draft: {e}")))?;
    if bytes.len() > MAX_DRAFT_BYTES {
        return Err(crate::error::invalid("draft", "is larger than any sheet; nothing was kept"));
    }
    Ok(bytes)
}

/// A kept draft as a sheet again, laid out with today's settings; `None` when it cannot be
/// read (a draft from another version of the app is dropped, never an error at unlock).
pub(crate) fn from_draft(settings: &ProgramSettings, body: &[u8]) -> Option<Sheet> {
    let body: DraftBody = serde_json::from_slice(body).ok()?;
    let mut sheet = layout(settings, body.encounter, body.correcting, body.kit_id);
    sheet.restored = true;
    sheet.code_to_retype = body.code_given;
    Some(sheet)
}

fn active(list: &[Choice]) -> Vec<Choice> {
    list.iter().filter(|c| c.active).cloned().collect()
}

fn layout(settings: &ProgramSettings, mut encounter: NewEncounter, correcting: Option<Uuid>, kit_id: Option<String>) -> Sheet {
    let kit = kit_id.as_deref().and_then(|id| settings.kit(id));
    let (kit_name, kit_name_es) = (kit.map(|k| k.name.clone()), kit.and_then(|k| k.name_es.clone()));
    encounter.items.retain(|q| q.quantity > 0);
    encounter.sharps_containers.retain(|c| c.count > 0);
    let line = |item: &crate::settings::SupplyItem, quantity| SheetLine {
        id: item.id.clone(),
        name: item.name.clone(),
        name_es: item.name_es.clone(),
        quantity,
    };
    let quantity = |id: &str| encounter.items.iter().find(|q| q.item == id).map(|q| q.quantity);
    let mut items = Vec::new();
    let mut addable = Vec::new();
    for item in &settings.items {
        match quantity(&item.id) {
            // An item since retired stays on a correction, to be stepped off.
            Some(n) => items.push(line(item, n)),
            None if item.active => addable.push(line(item, 0)),
            None => {}
        }
    }
    let count = |id: &str| encounter.sharps_containers.iter().find(|c| c.container == id).map(|c| c.count);
    let containers = settings
        .containers
        .iter()
        .filter(|c| c.active || count(&c.id).is_some())
        .map(|c| SheetContainer {
            id: c.id.clone(),
            name: c.name.clone(),
            name_es: c.name_es.clone(),
            syringes_each: c.syringes_estimate,
            count: count(&c.id).unwrap_or(0),
        })
        .collect();
    let lists = SheetLists {
        zones: active(&settings.zones),
        age_bands: active(&settings.age_bands),
        genders: active(&settings.genders),
        referral_types: active(&settings.referral_types),
        substances: active(&settings.substances),
        races: active(&settings.races),
        ethnicities: active(&settings.ethnicities),
        residences: active(&settings.residences),
        services_delivered: active(&settings.services_delivered),
    };
    Sheet { encounter, correcting, kit_id, kit_name, kit_name_es, items, addable, containers, lists, restored: false, code_to_retype: false }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::ItemQuantity;

    fn starter() -> ProgramSettings {
        let mut s = ProgramSettings::default();
        for x in crate::settings::starter() {
            s.insert(x);
        }
        s
    }

    fn summary(zone: &str, contact_type: ContactType) -> EncounterSummary {
        EncounterSummary {
            encounter_id: Uuid::nil(),
            version: 1,
            occurred_at: Utc::now(),
            contact_type,
            zone: zone.into(),
            has_participant: false,
            items: vec![],
            voided: false,
            synced: false,
        }
    }

    #[test]
    fn a_new_sheet_takes_the_last_zone_while_it_is_active() {
        let mut settings = starter();
        let first = settings.zones[0].id.clone();
        let second = settings.zones[1].id.clone();
        let now = Utc::now();
        let none = for_new(&settings, None, None, now).unwrap();
        assert_eq!((none.encounter.zone.as_str(), none.encounter.contact_type), (first.as_str(), ContactType::Street));
        let last = summary(&second, ContactType::MobileUnit);
        let sheet = for_new(&settings, None, Some(&last), now).unwrap();
        assert_eq!((sheet.encounter.zone.as_str(), sheet.encounter.contact_type), (second.as_str(), ContactType::MobileUnit));
        settings.zones[1].active = false;
        let retired = for_new(&settings, None, Some(&last), now).unwrap();
        assert_eq!(retired.encounter.zone, first, "a retired zone is never prefilled");
        assert!(retired.lists.zones.iter().all(|z| z.active));
    }

    #[test]
    fn a_kit_lays_its_supplies_on_the_sheet_and_the_rest_are_addable() {
        let settings = starter();
        let kit = settings.kits.iter().find(|k| k.active && !k.items.is_empty()).unwrap();
        let sheet = for_new(&settings, Some(&kit.id), None, Utc::now()).unwrap();
        assert_eq!(sheet.kit_name.as_deref(), Some(kit.name.as_str()));
        let on: Vec<(String, u32)> = sheet.items.iter().map(|l| (l.id.clone(), l.quantity)).collect();
        let mut want: Vec<(String, u32)> = kit.items.iter().map(|q| (q.item.clone(), q.quantity)).collect();
        want.sort_by_key(|(id, _)| settings.items.iter().position(|i| &i.id == id));
        assert_eq!(on, want);
        assert_eq!(sheet.items.len() + sheet.addable.len(), settings.items.iter().filter(|i| i.active).count());
        assert!(sheet.addable.iter().all(|l| l.quantity == 0 && !kit.items.iter().any(|q| q.item == l.id)));
        assert!(matches!(for_new(&settings, Some("no-such-kit"), None, Utc::now()), Err(Error::NotFound { .. })));
    }

    #[test]
    fn a_draft_never_keeps_the_participant_code() {
        let settings = starter();
        let mut encounter = for_new(&settings, None, None, Utc::now()).unwrap().encounter;
        encounter.participant_code = Some("MARIA-1985-BLUE".into());
        encounter.items = vec![ItemQuantity { item: settings.items[0].id.clone(), quantity: 7 }];
        let body = draft_body(&Draft { encounter, correcting: None, kit_id: Some("standard".into()) }).unwrap();
        assert!(!String::from_utf8_lossy(&body).contains("MARIA"));
        let sheet = from_draft(&settings, &body).unwrap();
        assert!(sheet.restored && sheet.code_to_retype);
        assert_eq!(sheet.encounter.participant_code, None);
        assert_eq!(sheet.items[0].quantity, 7);
        assert_eq!((sheet.kit_name.as_deref(), sheet.kit_name_es.as_deref()), (Some("Standard injection kit"), Some("Kit estándar para inyectarse")));
        assert!(from_draft(&settings, b"{not a draft").is_none());
        let huge = NewEncounter { substances: vec!["x".repeat(100); 1000], ..NewEncounter::default() };
        assert!(matches!(draft_body(&Draft { encounter: huge, correcting: None, kit_id: None }), Err(Error::Invalid { .. })));
    }
}
