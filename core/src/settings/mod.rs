//! Program settings: the program itself, the supply catalog, kits, the program's lists (zones,
//! referral types, age bands, genders, substances), stock locations, the sharps containers
//! returned syringes are counted by, and the services directory ([`crate::directory`]).
//!
//! Each setting is one row, keyed like `item/naloxone-nasal`. Managers write them; where two
//! managers change the same setting, the later hybrid-logical-clock stamp wins, ties broken by
//! device id. Outreach devices receive them through sync and never write them.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::directory::Service;
use crate::error::{invalid, Error, Result};
use crate::validate::{check_id, check_label, check_range};
use crate::zone::Zone;

mod starter;

pub use starter::starter;

pub use satchel_protocol::wire::Role;

/// Supply categories, as funders group them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemCategory {
    Syringes,
    Naloxone,
    DrugChecking,
    SaferSmoking,
    WoundCare,
    Hygiene,
    SexualHealth,
    Other,
}

impl ItemCategory {
    /// Every category, in the order funders list them.
    pub const ALL: [ItemCategory; 8] = [
        ItemCategory::Syringes,
        ItemCategory::Naloxone,
        ItemCategory::DrugChecking,
        ItemCategory::SaferSmoking,
        ItemCategory::WoundCare,
        ItemCategory::Hygiene,
        ItemCategory::SexualHealth,
        ItemCategory::Other,
    ];
}

/// The program's own settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    pub name: String,
    /// IANA time zone; tallies bucket by local date in it.
    pub time_zone: String,
    /// Counts from 1 to threshold − 1 are suppressed in exports.
    pub small_cell_threshold: u32,
    /// Days an acknowledged encounter stays on an outreach device.
    pub retention_days: u32,
    /// An outreach phone wipes its store after this many wrong PINs in a row (0: never).
    /// Settings written before it existed read as the default.
    #[serde(default = "default_wipe_after")]
    pub wipe_after_failed_pins: u32,
    /// The program's reporting public key (X25519, hex): every device seals its encounters to
    /// it, and only managers' stores hold the private key (D67). Made by the first manager; no
    /// one edits it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporting_key: Option<String>,
    /// How participant references are computed (D74): 1, the bare HMAC of programs started
    /// before; 2, with a memory-hard step. Programs start at 2; a manager may raise an older one
    /// (never lower it: references of the two versions never match).
    #[serde(default = "first_reference_version")]
    pub participant_references: u32,
    /// How many used syringes one pound of the program's sharps holds (D91): a weighed
    /// disposal entry is estimated with it. 0: not set, and weighed entries are refused.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub syringes_per_pound: u32,
    /// Seconds an outreach phone's app stays unlocked after its screen turns off (D94): a
    /// screen that times out mid-shift does not cost the PIN again, while a phone taken with
    /// its screen off locks within this. The window is covered at once either way. 0: lock at
    /// once. Settings written before it existed read as the default.
    #[serde(default = "default_lock_grace")]
    pub lock_grace_seconds: u32,
}

/// The default lock grace after screen-off, in seconds (D94).
pub const DEFAULT_LOCK_GRACE: u32 = 60;
/// The longest lock grace a program may set, in seconds.
pub const MAX_LOCK_GRACE: u32 = 300;

fn default_lock_grace() -> u32 {
    DEFAULT_LOCK_GRACE
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn first_reference_version() -> u32 {
    1
}

impl Program {
    /// The reporting public key, when the program has one.
    pub fn reporting_public_key(&self) -> Option<[u8; 32]> {
        let bytes = hex::decode(self.reporting_key.as_deref()?).ok()?;
        bytes.try_into().ok()
    }
}

fn default_wipe_after() -> u32 {
    crate::pin::DEFAULT_WIPE_AFTER
}

impl Default for Program {
    fn default() -> Self {
        Program {
            name: "Outreach program".into(),
            time_zone: "America/New_York".into(),
            small_cell_threshold: 11,
            retention_days: 7,
            wipe_after_failed_pins: crate::pin::DEFAULT_WIPE_AFTER,
            reporting_key: None,
            participant_references: 1,
            syringes_per_pound: 0,
            lock_grace_seconds: DEFAULT_LOCK_GRACE,
        }
    }
}

/// One supply in the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplyItem {
    pub id: String,
    pub name: String,
    /// The name in Spanish, where the program wrote one; the apps show it to a worker who uses
    /// Spanish, and the English one, marked, where there is none (D98).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_es: Option<String>,
    pub category: ItemCategory,
    /// What one unit is ("syringe", "kit", "strip").
    pub unit: String,
    /// Naloxone is reported in doses: a kit of two doses counts 2. 1 for other items.
    pub doses_per_unit: u32,
    /// Warn when the level at a location is at or below this.
    pub low_stock_threshold: u32,
    pub active: bool,
}

/// An item and a quantity.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ItemQuantity {
    pub item: String,
    pub quantity: u32,
}

/// A named preset bundle for one-tap logging.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kit {
    pub id: String,
    pub name: String,
    /// The name in Spanish, where the program wrote one; the apps show it to a worker who uses
    /// Spanish, and the English one, marked, where there is none (D98).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_es: Option<String>,
    pub items: Vec<ItemQuantity>,
    pub active: bool,
}

/// A kind of sharps container returned syringes come back in, and how many syringes one full
/// container holds by the program's estimate (a 1-quart container ≈ 100). Workers log "2 × 1-quart
/// container" instead of counting; tallies report the estimate apart from counted syringes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerType {
    pub id: String,
    pub name: String,
    /// The name in Spanish, where the program wrote one; the apps show it to a worker who uses
    /// Spanish, and the English one, marked, where there is none (D98).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_es: Option<String>,
    /// Syringes in one full container, as the program estimates it.
    pub syringes_estimate: u32,
    pub active: bool,
}

/// An entry of one of the program's lists (zones, referral types, age bands, genders,
/// substances).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub label: String,
    /// The label in Spanish, where the program wrote one (D98).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_es: Option<String>,
    /// Display order within its list.
    pub position: u32,
    pub active: bool,
}

/// Where stock is kept: a van, a shelf, a backpack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub id: String,
    pub name: String,
    /// The name in Spanish, where the program wrote one; the apps show it to a worker who uses
    /// Spanish, and the English one, marked, where there is none (D98).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_es: Option<String>,
    pub active: bool,
}

/// The lists a program configures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    Zone,
    Referral,
    AgeBand,
    Gender,
    Substance,
    /// The participant profile's lists (D89): asked once per person, not per encounter.
    Race,
    Ethnicity,
    Residence,
    /// Services delivered on site (D90): an HIV test, a vaccination, wound care given.
    Delivered,
}

impl ListKind {
    pub const ALL: [ListKind; 9] = [
        ListKind::Zone,
        ListKind::Referral,
        ListKind::AgeBand,
        ListKind::Gender,
        ListKind::Substance,
        ListKind::Race,
        ListKind::Ethnicity,
        ListKind::Residence,
        ListKind::Delivered,
    ];
    /// The lists of the participant profile.
    pub const PROFILE: [ListKind; 3] = [ListKind::Race, ListKind::Ethnicity, ListKind::Residence];
    /// The list's heading where a person reads it (English).
    pub fn title(self) -> &'static str {
        match self {
            ListKind::Zone => "Zones",
            ListKind::Referral => "Referral types",
            ListKind::AgeBand => "Age bands",
            ListKind::Gender => "Genders",
            ListKind::Substance => "Substances",
            ListKind::Race => "Races",
            ListKind::Ethnicity => "Ethnicities",
            ListKind::Residence => "Areas of residence",
            ListKind::Delivered => "Services delivered on site",
        }
    }
    fn prefix(self) -> &'static str {
        match self {
            ListKind::Zone => "zone",
            ListKind::Referral => "referral",
            ListKind::AgeBand => "age_band",
            ListKind::Gender => "gender",
            ListKind::Substance => "substance",
            ListKind::Race => "race",
            ListKind::Ethnicity => "ethnicity",
            ListKind::Residence => "residence",
            ListKind::Delivered => "delivered",
        }
    }
}

/// One setting, as written by a manager.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Setting {
    Program(Program),
    Item(SupplyItem),
    Kit(Kit),
    Choice(ListKind, Choice),
    Location(Location),
    Container(ContainerType),
    /// A service of the directory ([`crate::directory`]).
    Service(Service),
}

impl Setting {
    /// The row key: one per setting, so that two managers editing different items never clash.
    pub fn key(&self) -> String {
        match self {
            Setting::Program(_) => "program".into(),
            Setting::Item(i) => format!("item/{}", i.id),
            Setting::Kit(k) => format!("kit/{}", k.id),
            Setting::Choice(kind, c) => format!("{}/{}", kind.prefix(), c.id),
            Setting::Location(l) => format!("location/{}", l.id),
            Setting::Container(c) => format!("container/{}", c.id),
            Setting::Service(s) => format!("service/{}", s.id),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        let v = match self {
            Setting::Program(p) => serde_json::to_value(p),
            Setting::Item(i) => serde_json::to_value(i),
            Setting::Kit(k) => serde_json::to_value(k),
            Setting::Choice(_, c) => serde_json::to_value(c),
            Setting::Location(l) => serde_json::to_value(l),
            Setting::Container(c) => serde_json::to_value(c),
            Setting::Service(s) => serde_json::to_value(s),
        };
        v.expect("settings serialize")
    }

    /// Reads a setting back from its key and JSON value.
    pub fn from_json(key: &str, value: &serde_json::Value) -> Result<Setting> {
        let bad = |_: serde_json::Error| Error::BadRecord(format!("setting {key} is malformed"));
        let prefix = key.split('/').next().unwrap_or("");
        let setting = match prefix {
            "program" => Setting::Program(serde_json::from_value(value.clone()).map_err(bad)?),
            "item" => Setting::Item(serde_json::from_value(value.clone()).map_err(bad)?),
            "kit" => Setting::Kit(serde_json::from_value(value.clone()).map_err(bad)?),
            "location" => Setting::Location(serde_json::from_value(value.clone()).map_err(bad)?),
            "container" => Setting::Container(serde_json::from_value(value.clone()).map_err(bad)?),
            "service" => Setting::Service(serde_json::from_value(value.clone()).map_err(bad)?),
            other => {
                let kind = ListKind::ALL
                    .into_iter()
                    .find(|k| k.prefix() == other)
                    .ok_or_else(|| Error::BadRecord(format!("unknown setting {key}")))?;
                Setting::Choice(kind, serde_json::from_value(value.clone()).map_err(bad)?)
            }
        };
        if setting.key() != key {
            return Err(Error::BadRecord(format!("setting {key} names another id")));
        }
        Ok(setting)
    }

    /// Checks the setting's values, and with `current`, its references to other settings (a
    /// received setting may name an item that arrives later in the same batch).
    pub fn validate(&self, current: Option<&ProgramSettings>) -> Result<()> {
        match self {
            Setting::Program(p) => {
                check_label("program.name", &p.name)?;
                parse_time_zone(&p.time_zone)?;
                check_range("program.small_cell_threshold", p.small_cell_threshold as i64, 1, 100)?;
                check_range("program.retention_days", p.retention_days as i64, 1, 365)?;
                check_range("program.lock_grace_seconds", p.lock_grace_seconds as i64, 0, MAX_LOCK_GRACE as i64)?;
                check_range("program.syringes_per_pound", p.syringes_per_pound as i64, 0, crate::disposal::MAX_SYRINGES_PER_POUND as i64)?;
                check_range("program.wipe_after_failed_pins", p.wipe_after_failed_pins as i64, 0, crate::pin::MAX_WIPE_AFTER as i64)?;
                if p.reporting_key.is_some() && p.reporting_public_key().is_none() {
                    return Err(invalid("program.reporting_key", "must be 32 bytes in hex"));
                }
                check_range("program.participant_references", p.participant_references as i64, 1, crate::participant::CURRENT_VERSION as i64)?;
                if current.is_some_and(|c| c.program.reporting_key.is_some() && p.reporting_key != c.program.reporting_key) {
                    return Err(invalid("program.reporting_key", "is made by the first manager and never changed"));
                }
                if current.is_some_and(|c| p.participant_references < c.program.participant_references) {
                    return Err(invalid(
                        "program.participant_references",
                        "cannot go back: references of the two versions never match",
                    ));
                }
            }
            Setting::Item(i) => {
                check_id("item.id", &i.id)?;
                check_label("item.name", &i.name)?;
                check_spanish("item.name_es", &i.name_es)?;
                check_label("item.unit", &i.unit)?;
                check_range("item.doses_per_unit", i.doses_per_unit as i64, 1, 100)?;
                check_range("item.low_stock_threshold", i.low_stock_threshold as i64, 0, 1_000_000)?;
            }
            Setting::Kit(k) => {
                check_id("kit.id", &k.id)?;
                check_label("kit.name", &k.name)?;
                check_spanish("kit.name_es", &k.name_es)?;
                if k.items.is_empty() || k.items.len() > 30 {
                    return Err(invalid("kit.items", "a kit holds 1 to 30 items"));
                }
                let mut seen = std::collections::BTreeSet::new();
                for iq in &k.items {
                    if !seen.insert(iq.item.as_str()) {
                        return Err(invalid("kit.items", format!("item {} is listed twice", iq.item)));
                    }
                    if current.is_some_and(|c| c.item(&iq.item).is_none()) {
                        return Err(invalid("kit.items", format!("unknown item {}", iq.item)));
                    }
                    check_range("kit.items.quantity", iq.quantity as i64, 1, 1000)?;
                }
            }
            Setting::Choice(kind, c) => {
                check_id(&format!("{}.id", kind.prefix()), &c.id)?;
                check_label(&format!("{}.label", kind.prefix()), &c.label)?;
                check_spanish(&format!("{}.label_es", kind.prefix()), &c.label_es)?;
                if ListKind::PROFILE.contains(kind) && crate::profile::RESERVED_IDS.contains(&c.id.as_str()) {
                    return Err(invalid(
                        format!("{}.id", kind.prefix()),
                        format!("{:?} is the reports' own column; choose another id", c.id),
                    ));
                }
            }
            Setting::Location(l) => {
                check_id("location.id", &l.id)?;
                check_label("location.name", &l.name)?;
                check_spanish("location.name_es", &l.name_es)?;
            }
            Setting::Container(c) => {
                check_id("container.id", &c.id)?;
                check_label("container.name", &c.name)?;
                check_spanish("container.name_es", &c.name_es)?;
                check_range("container.syringes_estimate", c.syringes_estimate as i64, 1, MAX_CONTAINER_ESTIMATE as i64)?;
            }
            Setting::Service(s) => {
                let known: Option<Vec<String>> = current.map(|c| c.referral_types.iter().map(|r| r.id.clone()).collect());
                s.validate(known.as_deref())?;
            }
        }
        Ok(())
    }
}

/// A Spanish name, when given, is a label like the English one.
fn check_spanish(field: &str, text: &Option<String>) -> Result<()> {
    text.as_deref().map_or(Ok(()), |t| check_label(field, t))
}

pub fn parse_time_zone(tz: &str) -> Result<Zone> {
    Zone::parse(tz).ok_or_else(|| invalid("program.time_zone", "not an IANA time zone such as America/Chicago"))
}

/// All settings of the program, as this device knows them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramSettings {
    pub program: Program,
    pub items: Vec<SupplyItem>,
    pub kits: Vec<Kit>,
    pub zones: Vec<Choice>,
    pub referral_types: Vec<Choice>,
    pub age_bands: Vec<Choice>,
    pub genders: Vec<Choice>,
    pub substances: Vec<Choice>,
    /// The participant profile's lists (D89); empty in programs that do not ask.
    #[serde(default)]
    pub races: Vec<Choice>,
    #[serde(default)]
    pub ethnicities: Vec<Choice>,
    #[serde(default)]
    pub residences: Vec<Choice>,
    /// Services delivered on site (D90).
    #[serde(default)]
    pub services_delivered: Vec<Choice>,
    pub locations: Vec<Location>,
    /// Sharps container types, smallest first.
    #[serde(default)]
    pub containers: Vec<ContainerType>,
    /// The services directory, by name.
    #[serde(default)]
    pub services: Vec<Service>,
}

/// The largest estimate of syringes in one container (a 10-gallon drum holds about 4,000).
pub const MAX_CONTAINER_ESTIMATE: u32 = 5_000;

impl ProgramSettings {
    pub fn item(&self, id: &str) -> Option<&SupplyItem> {
        self.items.iter().find(|i| i.id == id)
    }
    pub fn kit(&self, id: &str) -> Option<&Kit> {
        self.kits.iter().find(|k| k.id == id)
    }
    pub fn container(&self, id: &str) -> Option<&ContainerType> {
        self.containers.iter().find(|c| c.id == id)
    }
    pub fn location(&self, id: &str) -> Option<&Location> {
        self.locations.iter().find(|l| l.id == id)
    }
    pub fn list(&self, kind: ListKind) -> &[Choice] {
        match kind {
            ListKind::Zone => &self.zones,
            ListKind::Referral => &self.referral_types,
            ListKind::AgeBand => &self.age_bands,
            ListKind::Gender => &self.genders,
            ListKind::Substance => &self.substances,
            ListKind::Race => &self.races,
            ListKind::Ethnicity => &self.ethnicities,
            ListKind::Residence => &self.residences,
            ListKind::Delivered => &self.services_delivered,
        }
    }
    fn list_mut(&mut self, kind: ListKind) -> &mut Vec<Choice> {
        match kind {
            ListKind::Zone => &mut self.zones,
            ListKind::Referral => &mut self.referral_types,
            ListKind::AgeBand => &mut self.age_bands,
            ListKind::Gender => &mut self.genders,
            ListKind::Substance => &mut self.substances,
            ListKind::Race => &mut self.races,
            ListKind::Ethnicity => &mut self.ethnicities,
            ListKind::Residence => &mut self.residences,
            ListKind::Delivered => &mut self.services_delivered,
        }
    }
    /// True when `id` is an active entry of the list.
    pub fn has_active(&self, kind: ListKind, id: &str) -> bool {
        self.list(kind).iter().any(|c| c.id == id && c.active)
    }
    pub fn time_zone(&self) -> Zone {
        // Validated when written; a bad value from an older writer falls back to UTC.
        Zone::parse(&self.program.time_zone).unwrap_or_else(Zone::utc)
    }

    /// Adds or replaces one setting in memory (not validated: see `Setting::validate`; the store
    /// writes settings through `Store::put_setting`).
    pub fn insert(&mut self, setting: Setting) {
        match setting {
            Setting::Program(p) => self.program = p,
            Setting::Item(i) => self.items.push(i),
            Setting::Kit(k) => self.kits.push(k),
            Setting::Choice(kind, c) => self.list_mut(kind).push(c),
            Setting::Location(l) => self.locations.push(l),
            Setting::Container(c) => self.containers.push(c),
            Setting::Service(s) => self.services.push(s),
        }
    }

    pub(crate) fn sort(&mut self) {
        self.items.sort_by(|a, b| (a.category, &a.name).cmp(&(b.category, &b.name)));
        self.kits.sort_by(|a, b| a.name.cmp(&b.name));
        for kind in ListKind::ALL {
            self.list_mut(kind).sort_by(|a, b| (a.position, &a.id).cmp(&(b.position, &b.id)));
        }
        self.locations.sort_by(|a, b| a.name.cmp(&b.name));
        self.containers.sort_by(|a, b| (a.syringes_estimate, &a.name).cmp(&(b.syringes_estimate, &b.name)));
        self.services.sort_by(|a, b| (&a.name.en, &a.id).cmp(&(&b.name.en, &b.id)));
    }
}

/// Reads every setting from the database.
pub fn load(conn: &Connection) -> Result<ProgramSettings> {
    let mut out = ProgramSettings::default();
    let mut stmt = conn.prepare_cached("SELECT key, value FROM setting")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (key, value) = row?;
        let json: serde_json::Value = serde_json::from_str(&value)
            .map_err(|_| Error::Damaged(format!("setting {key} is unreadable")))?;
        out.insert(Setting::from_json(&key, &json)?);
    }
    out.sort();
    Ok(out)
}

/// The stamp of a stored setting, if any.
pub fn stamp(conn: &Connection, key: &str) -> Result<Option<(u64, [u8; 16])>> {
    Ok(conn
        .query_row("SELECT hlc, device FROM setting WHERE key = ?1", [key], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Vec<u8>>(1)?))
        })
        .optional()?
        .map(|(h, d)| (h, d.try_into().unwrap_or([0; 16]))))
}

/// Stores a setting if its stamp is newer than the stored one; returns whether it was stored.
pub fn put_if_newer(
    conn: &Connection,
    key: &str,
    value: &serde_json::Value,
    hlc: u64,
    device: [u8; 16],
) -> Result<bool> {
    if let Some(existing) = stamp(conn, key)? {
        if (hlc, device) <= existing {
            return Ok(false);
        }
    }
    conn.execute(
        "INSERT INTO setting (key, value, hlc, device) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, hlc = excluded.hlc, device = excluded.device",
        params![key, value.to_string(), hlc as i64, &device[..]],
    )?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_settings_are_valid_and_round_trip() {
        let mut all = ProgramSettings::default();
        for s in starter() {
            s.validate(Some(&all)).unwrap();
            let back = Setting::from_json(&s.key(), &s.to_json()).unwrap();
            assert_eq!(back, s);
            all.insert(s);
        }
        assert!(all.item("naloxone-nasal").unwrap().doses_per_unit == 2);
        assert!(all.kit("standard").is_some());
        assert!(all.has_active(ListKind::Zone, "downtown"));
        assert!(all.items.iter().all(|i| i.name_es.is_some()) && all.kits.iter().all(|k| k.name_es.is_some()), "the starter speaks Spanish too");
        assert!(ListKind::ALL.iter().all(|&k| all.list(k).iter().all(|c| c.label_es.is_some())));
    }

    #[test]
    fn rejects_bad_settings() {
        let all = ProgramSettings::default();
        let p = Program { time_zone: "Mars/Olympus".into(), ..Program::default() };
        assert!(matches!(Setting::Program(p).validate(Some(&all)), Err(Error::Invalid { field, .. }) if field == "program.time_zone"));
        let kit = Kit { id: "k".into(), name: "K".into(), name_es: None, items: vec![ItemQuantity { item: "nope".into(), quantity: 1 }], active: true };
        assert!(matches!(Setting::Kit(kit).validate(Some(&all)), Err(Error::Invalid { field, .. }) if field == "kit.items"));
        let blank = Choice { id: "z".into(), label: "Z".into(), label_es: Some("  ".into()), position: 0, active: true };
        assert!(matches!(Setting::Choice(ListKind::Zone, blank).validate(Some(&all)), Err(Error::Invalid { field, .. }) if field == "zone.label_es"));
        let long = Location { id: "l".into(), name: "L".into(), name_es: Some("x".repeat(81)), active: true };
        assert!(matches!(Setting::Location(long).validate(Some(&all)), Err(Error::Invalid { field, .. }) if field == "location.name_es"));
        assert!(Setting::from_json("item/x", &serde_json::json!({"id": "y"})).is_err());
        for (p, field) in [
            (Program { lock_grace_seconds: MAX_LOCK_GRACE + 1, ..Program::default() }, "program.lock_grace_seconds"),
            (Program { syringes_per_pound: crate::disposal::MAX_SYRINGES_PER_POUND + 1, ..Program::default() }, "program.syringes_per_pound"),
        ] {
            assert!(matches!(Setting::Program(p).validate(Some(&all)), Err(Error::Invalid { field: f, .. }) if f == field), "{field}");
        }
    }

    #[test]
    fn a_program_written_before_the_lock_grace_reads_the_default() {
        let mut old = Setting::Program(Program::default()).to_json();
        old.as_object_mut().unwrap().remove("lock_grace_seconds");
        let Setting::Program(p) = Setting::from_json("program", &old).unwrap() else { panic!("a program") };
        assert_eq!((p.lock_grace_seconds, p.syringes_per_pound), (DEFAULT_LOCK_GRACE, 0));
        assert!(Setting::Program(Program { lock_grace_seconds: 0, ..p }).validate(None).is_ok(), "0 locks at once");
    }
}
