//! The program's settings as a TOML file: `program show --toml` writes it, `program edit
//! --file` reads it back. Entries are added or updated by id; an entry missing from the file is
//! left as it is (retire one with `active = false`). Every error names its line; a file with
//! any error changes nothing.

use std::collections::BTreeMap;

use satchel_core::directory::{ServiceAccess, Opening, Service, ServiceText};
use satchel_core::{Choice, ContainerType, ItemCategory, ItemQuantity, Kit, ListKind, Location, Program, ProgramSettings, Setting, SupplyItem};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::Result;

fn yes() -> bool {
    true
}
fn one() -> u32 {
    1
}

#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct File {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    program: Option<Spanned<ProgramEntry>>,
    #[serde(default)]
    items: Vec<Spanned<ItemEntry>>,
    #[serde(default)]
    kits: Vec<Spanned<KitEntry>>,
    #[serde(default)]
    zones: Vec<Spanned<ChoiceEntry>>,
    #[serde(default)]
    referral_types: Vec<Spanned<ChoiceEntry>>,
    #[serde(default)]
    age_bands: Vec<Spanned<ChoiceEntry>>,
    #[serde(default)]
    genders: Vec<Spanned<ChoiceEntry>>,
    #[serde(default)]
    substances: Vec<Spanned<ChoiceEntry>>,
    /// The participant profile's lists (D89).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    races: Vec<Spanned<ChoiceEntry>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    ethnicities: Vec<Spanned<ChoiceEntry>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    residences: Vec<Spanned<ChoiceEntry>>,
    /// Services delivered on site (D90).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    services_delivered: Vec<Spanned<ChoiceEntry>>,
    #[serde(default)]
    locations: Vec<Spanned<LocationEntry>>,
    #[serde(default)]
    sharps_containers: Vec<Spanned<ContainerEntry>>,
    #[serde(default)]
    services: Vec<Spanned<ServiceEntry>>,
}

/// A text in English and, optionally, Spanish.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TextEntry {
    en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    es: Option<String>,
}

impl From<TextEntry> for ServiceText {
    fn from(t: TextEntry) -> ServiceText {
        ServiceText { en: t.en, es: t.es }
    }
}

impl From<&ServiceText> for TextEntry {
    fn from(t: &ServiceText) -> TextEntry {
        TextEntry { en: t.en.clone(), es: t.es.clone() }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OpeningEntry {
    day: String,
    opens: String,
    closes: String,
}

/// A service of the directory. Strict, unlike the record that carries it: a misspelt
/// `requires_id` must be an error, not a door that turns someone away.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceEntry {
    id: String,
    referral_types: Vec<String>,
    access: ServiceAccess,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    #[serde(default)]
    requires_id: bool,
    #[serde(default)]
    requires_insurance: bool,
    #[serde(default)]
    requires_sobriety: bool,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default = "yes")]
    active: bool,
    // Tables after plain values, as TOML writes them.
    name: TextEntry,
    area: TextEntry,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    notes: Option<TextEntry>,
    #[serde(default)]
    hours: Vec<OpeningEntry>,
}

impl From<ServiceEntry> for Service {
    fn from(e: ServiceEntry) -> Service {
        Service {
            id: e.id,
            name: e.name.into(),
            referral_types: e.referral_types,
            area: e.area.into(),
            hours: e.hours.into_iter().map(|o| Opening { day: o.day, opens: o.opens, closes: o.closes }).collect(),
            phone: e.phone,
            access: e.access,
            requires_id: e.requires_id,
            requires_insurance: e.requires_insurance,
            requires_sobriety: e.requires_sobriety,
            languages: e.languages,
            notes: e.notes.map(Into::into),
            active: e.active,
        }
    }
}

impl From<&Service> for ServiceEntry {
    fn from(s: &Service) -> ServiceEntry {
        ServiceEntry {
            id: s.id.clone(),
            name: (&s.name).into(),
            referral_types: s.referral_types.clone(),
            area: (&s.area).into(),
            access: s.access,
            phone: s.phone.clone(),
            requires_id: s.requires_id,
            requires_insurance: s.requires_insurance,
            requires_sobriety: s.requires_sobriety,
            languages: s.languages.clone(),
            active: s.active,
            notes: s.notes.as_ref().map(Into::into),
            hours: s.hours.iter().map(|o| OpeningEntry { day: o.day.clone(), opens: o.opens.clone(), closes: o.closes.clone() }).collect(),
        }
    }
}

/// Program-wide settings; fields left out keep their current value.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgramEntry {
    name: Option<String>,
    /// IANA time zone, e.g. "America/Chicago".
    time_zone: Option<String>,
    /// Counts from 1 to this − 1 are suppressed in exports.
    small_cell_threshold: Option<u32>,
    /// Days an acknowledged encounter stays on an outreach phone.
    retention_days: Option<u32>,
    /// A phone wipes its store after this many wrong PINs in a row (0: never).
    wipe_after_failed_pins: Option<u32>,
    /// Participant references: 1 (a program from before), 2 (with a memory-hard step). Raise
    /// only; references of the two versions never match (D74).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    participant_references: Option<u32>,
    /// Used syringes one pound of the program's sharps holds, to estimate weighed disposals
    /// (D91): weigh a batch the program has counted once. 0 or absent: not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    syringes_per_pound: Option<u32>,
    /// Seconds a phone's app stays unlocked after its screen turns off (0 to 300; 0: lock at
    /// once; D94).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lock_grace_seconds: Option<u32>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemEntry {
    id: String,
    name: String,
    /// The name in Spanish, shown to workers who use Spanish (D98).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name_es: Option<String>,
    category: ItemCategory,
    unit: String,
    #[serde(default = "one")]
    doses_per_unit: u32,
    #[serde(default)]
    low_stock_threshold: u32,
    #[serde(default = "yes")]
    active: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KitEntry {
    id: String,
    name: String,
    /// The name in Spanish, shown to workers who use Spanish (D98).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name_es: Option<String>,
    /// Item id → quantity.
    items: BTreeMap<String, u32>,
    #[serde(default = "yes")]
    active: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChoiceEntry {
    id: String,
    label: String,
    /// The label in Spanish, shown to workers who use Spanish (D98).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    label_es: Option<String>,
    /// Order in the app's lists; by default the order in the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    position: Option<u32>,
    #[serde(default = "yes")]
    active: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LocationEntry {
    id: String,
    name: String,
    /// The name in Spanish, shown to workers who use Spanish (D98).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name_es: Option<String>,
    #[serde(default = "yes")]
    active: bool,
}

/// A sharps container type and the program's estimate of the syringes one full container holds.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContainerEntry {
    id: String,
    name: String,
    /// The name in Spanish, shown to workers who use Spanish (D98).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name_es: Option<String>,
    syringes_estimate: u32,
    #[serde(default = "yes")]
    active: bool,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The settings a file asks for, each with the line it starts on, in an order where each one's
/// references come first (items before kits).
pub fn parse(text: &str, current: &ProgramSettings, file: &str) -> Result<Vec<(usize, Setting)>> {
    let parsed: File = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        match line {
            Some(l) => format!("{file} line {l}: {}", e.message()),
            None => format!("{file}: {}", e.message()),
        }
    })?;
    let mut out = Vec::new();
    if let Some(p) = parsed.program {
        let line = line_of(text, p.span().start);
        let p = p.into_inner();
        let cur = &current.program;
        out.push((
            line,
            Setting::Program(Program {
                name: p.name.unwrap_or_else(|| cur.name.clone()),
                time_zone: p.time_zone.unwrap_or_else(|| cur.time_zone.clone()),
                small_cell_threshold: p.small_cell_threshold.unwrap_or(cur.small_cell_threshold),
                retention_days: p.retention_days.unwrap_or(cur.retention_days),
                wipe_after_failed_pins: p.wipe_after_failed_pins.unwrap_or(cur.wipe_after_failed_pins),
                // Not in the file: made by the first manager, never edited.
                reporting_key: cur.reporting_key.clone(),
                participant_references: p.participant_references.unwrap_or(cur.participant_references),
                syringes_per_pound: p.syringes_per_pound.unwrap_or(cur.syringes_per_pound),
                lock_grace_seconds: p.lock_grace_seconds.unwrap_or(cur.lock_grace_seconds),
            }),
        ));
    }
    for e in parsed.items {
        let line = line_of(text, e.span().start);
        let e = e.into_inner();
        out.push((
            line,
            Setting::Item(SupplyItem {
                id: e.id,
                name: e.name,
                name_es: e.name_es,
                category: e.category,
                unit: e.unit,
                doses_per_unit: e.doses_per_unit,
                low_stock_threshold: e.low_stock_threshold,
                active: e.active,
            }),
        ));
    }
    for e in parsed.kits {
        let line = line_of(text, e.span().start);
        let e = e.into_inner();
        let items = e.items.into_iter().map(|(item, quantity)| ItemQuantity { item, quantity }).collect();
        out.push((line, Setting::Kit(Kit { id: e.id, name: e.name, name_es: e.name_es, items, active: e.active })));
    }
    for (kind, list) in [
        (ListKind::Zone, parsed.zones),
        (ListKind::Referral, parsed.referral_types),
        (ListKind::AgeBand, parsed.age_bands),
        (ListKind::Gender, parsed.genders),
        (ListKind::Substance, parsed.substances),
        (ListKind::Race, parsed.races),
        (ListKind::Ethnicity, parsed.ethnicities),
        (ListKind::Residence, parsed.residences),
        (ListKind::Delivered, parsed.services_delivered),
    ] {
        for (i, e) in list.into_iter().enumerate() {
            let line = line_of(text, e.span().start);
            let e = e.into_inner();
            let position = e.position.unwrap_or(i as u32);
            out.push((line, Setting::Choice(kind, Choice { id: e.id, label: e.label, label_es: e.label_es, position, active: e.active })));
        }
    }
    for e in parsed.locations {
        let line = line_of(text, e.span().start);
        let e = e.into_inner();
        out.push((line, Setting::Location(Location { id: e.id, name: e.name, name_es: e.name_es, active: e.active })));
    }
    for e in parsed.sharps_containers {
        let line = line_of(text, e.span().start);
        let e = e.into_inner();
        let c = ContainerType { id: e.id, name: e.name, name_es: e.name_es, syringes_estimate: e.syringes_estimate, active: e.active };
        out.push((line, Setting::Container(c)));
    }
    for e in parsed.services {
        let line = line_of(text, e.span().start);
        out.push((line, Setting::Service(e.into_inner().into())));
    }
    if out.is_empty() {
        return Err(format!("{file}: no settings in it").into());
    }
    Ok(out)
}

/// The current settings as a file `parse` reads back.
pub fn render(s: &ProgramSettings) -> Result<String> {
    fn at<T>(v: T) -> Spanned<T> {
        Spanned::new(0..0, v)
    }
    let choices = |list: &[Choice]| -> Vec<Spanned<ChoiceEntry>> {
        list.iter().map(|c| at(ChoiceEntry { id: c.id.clone(), label: c.label.clone(), label_es: c.label_es.clone(), position: Some(c.position), active: c.active })).collect()
    };
    let file = File {
        program: Some(at(ProgramEntry {
            name: Some(s.program.name.clone()),
            time_zone: Some(s.program.time_zone.clone()),
            small_cell_threshold: Some(s.program.small_cell_threshold),
            retention_days: Some(s.program.retention_days),
            wipe_after_failed_pins: Some(s.program.wipe_after_failed_pins),
            participant_references: Some(s.program.participant_references),
            syringes_per_pound: Some(s.program.syringes_per_pound).filter(|n| *n > 0),
            lock_grace_seconds: Some(s.program.lock_grace_seconds),
        })),
        items: s
            .items
            .iter()
            .map(|i| {
                at(ItemEntry {
                    id: i.id.clone(),
                    name: i.name.clone(),
                    name_es: i.name_es.clone(),
                    category: i.category,
                    unit: i.unit.clone(),
                    doses_per_unit: i.doses_per_unit,
                    low_stock_threshold: i.low_stock_threshold,
                    active: i.active,
                })
            })
            .collect(),
        kits: s
            .kits
            .iter()
            .map(|k| {
                at(KitEntry {
                    id: k.id.clone(),
                    name: k.name.clone(),
                    name_es: k.name_es.clone(),
                    items: k.items.iter().map(|q| (q.item.clone(), q.quantity)).collect(),
                    active: k.active,
                })
            })
            .collect(),
        zones: choices(&s.zones),
        referral_types: choices(&s.referral_types),
        age_bands: choices(&s.age_bands),
        genders: choices(&s.genders),
        substances: choices(&s.substances),
        races: choices(&s.races),
        ethnicities: choices(&s.ethnicities),
        residences: choices(&s.residences),
        services_delivered: choices(&s.services_delivered),
        locations: s.locations.iter().map(|l| at(LocationEntry { id: l.id.clone(), name: l.name.clone(), name_es: l.name_es.clone(), active: l.active })).collect(),
        sharps_containers: s
            .containers
            .iter()
            .map(|c| {
                at(ContainerEntry {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    name_es: c.name_es.clone(),
                    syringes_estimate: c.syringes_estimate,
                    active: c.active,
                })
            })
            .collect(),
        services: s.services.iter().map(|svc| at(svc.into())).collect(),
    };
    let body = toml::to_string(&file).map_err(|e| e.to_string())?;
    Ok(format!(
        "# Satchel program settings. Edit, then: satchel program edit --file THIS_FILE\n\
         # Entries are added or updated by id; retire one with active = false.\n\
         # Item categories: syringes, naloxone, drug_checking, safer_smoking, wound_care, hygiene,\n\
         # sexual_health, other. A sharps container's syringes_estimate is how many syringes one\n\
         # full container holds by the program's estimate. A service's access is walk_in,\n\
         # appointment or walk_in_or_appointment; its hours are in the program's time zone, days\n\
         # mon … sun, times HH:MM (a closing time before the opening runs past midnight).\n\
         # races, ethnicities and residences are the participant profile's lists, asked once per\n\
         # person (an empty list is not asked); multiple, declined and not_recorded are the\n\
         # reports' own columns and cannot be ids. services_delivered lists what workers give on\n\
         # site (a test, a vaccination), each logged with its outcome.\n\n{body}"
    ))
}
