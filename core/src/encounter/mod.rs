//! Encounters: what a worker logs in seconds. A correction or a void is a new version of the
//! encounter written by its author device; the table keeps the latest version, and the items,
//! referrals and substances of that version while it is not voided.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{invalid, Error, Result};
use crate::settings::{ItemQuantity, ListKind, ProgramSettings};
use crate::validate::LIMITS;
use crate::zone::Zone;

mod db;

pub use db::{contacts_waiting, load, recent, recompute_local_days, store_version, summary, EncounterSummary, StoredVersion};

/// How the worker met the participant. A new sheet with no earlier contact says street.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactType {
    #[default]
    Street,
    MobileUnit,
    DropIn,
    PeerDelivery,
    PhoneText,
}

impl ContactType {
    pub const ALL: [ContactType; 5] =
        [Self::Street, Self::MobileUnit, Self::DropIn, Self::PeerDelivery, Self::PhoneText];
    pub fn as_str(self) -> &'static str {
        match self {
            ContactType::Street => "street",
            ContactType::MobileUnit => "mobile_unit",
            ContactType::DropIn => "drop_in",
            ContactType::PeerDelivery => "peer_delivery",
            ContactType::PhoneText => "phone_text",
        }
    }
    pub fn parse(s: &str) -> Option<ContactType> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Sharps containers of one type a participant brought back.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ContainerCount {
    pub container: String,
    pub count: u32,
}

/// Sharps containers of one type as an encounter keeps them: with the program's estimate of
/// syringes per container when the encounter was written, so a later change of the estimate
/// leaves what was reported as it was.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ContainerReturn {
    pub container: String,
    pub count: u32,
    pub syringes_each: u32,
}

/// What came of a service delivered on site (D90).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Given (a test done, a vaccine given, a wound dressed).
    Done,
    /// Given, and the person linked to care for what followed.
    LinkedToCare,
}

impl Outcome {
    pub const ALL: [Outcome; 2] = [Outcome::Done, Outcome::LinkedToCare];
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::LinkedToCare => "linked_to_care",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// A service of the program's list delivered on site, and its outcome.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DeliveredService {
    pub service: String,
    pub outcome: Outcome,
}

/// Why a naloxone kit was given: a person's first, or a refill and why it was needed (D90).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NaloxoneKit {
    First,
    /// The last kit was used on someone.
    RefillUsed,
    RefillLost,
    /// Taken by police or security.
    RefillConfiscated,
    RefillExpired,
    RefillOther,
}

impl NaloxoneKit {
    pub const ALL: [NaloxoneKit; 6] = [
        NaloxoneKit::First,
        NaloxoneKit::RefillUsed,
        NaloxoneKit::RefillLost,
        NaloxoneKit::RefillConfiscated,
        NaloxoneKit::RefillExpired,
        NaloxoneKit::RefillOther,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            NaloxoneKit::First => "first",
            NaloxoneKit::RefillUsed => "refill_used",
            NaloxoneKit::RefillLost => "refill_lost",
            NaloxoneKit::RefillConfiscated => "refill_confiscated",
            NaloxoneKit::RefillExpired => "refill_expired",
            NaloxoneKit::RefillOther => "refill_other",
        }
    }
    pub fn parse(s: &str) -> Option<NaloxoneKit> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The most services delivered one encounter records.
pub const MAX_DELIVERED: usize = 10;

/// The most containers of one type one encounter takes.
pub const MAX_CONTAINERS: u32 = 100;

/// What the worker enters. The participant code is turned into a reference and never stored.
/// `Debug` prints only the shape, never the code or what was given.
///
/// It serializes only for a draft kept across a lock (D97), and never with the participant code.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEncounter {
    pub occurred_at: DateTime<Utc>,
    pub contact_type: ContactType,
    pub zone: String,
    /// Optional coarse area, a geohash of at most 5 characters (about 5 km).
    pub geohash: Option<String>,
    /// The participant's self-generated code, if they gave one.
    #[serde(skip)]
    pub participant_code: Option<String>,
    pub new_participant: bool,
    pub age_band: Option<String>,
    pub gender: Option<String>,
    pub items: Vec<ItemQuantity>,
    /// Returned syringes counted one by one.
    pub syringes_collected: u32,
    /// Returned sharps counted by container instead (estimated syringes in reports).
    pub sharps_containers: Vec<ContainerCount>,
    pub referrals: Vec<String>,
    /// Services of the directory the worker suggested (optional; counted only by service).
    pub suggested_services: Vec<String>,
    pub substances: Vec<String>,
    /// Overdose reversals the participant reports.
    pub overdose_reversals: u32,
    /// Naloxone doses used in those reversals.
    pub naloxone_doses_used: u32,
    /// Secondary distribution: collecting for this many others.
    pub collecting_for: u32,
    /// Services of the program's list delivered on site, with their outcome (D90).
    pub services_delivered: Vec<DeliveredService>,
    /// With a naloxone kit: a first kit or a refill, and why (D90).
    pub naloxone_kit: Option<NaloxoneKit>,
    /// The participant's profile answers, asked when the code is new here (D89): written as a
    /// record of its own for the code's reference, never inside the encounter.
    pub profile: Option<crate::profile::ProfileAnswers>,
}

impl std::fmt::Debug for NewEncounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewEncounter")
            .field("has_participant_code", &self.participant_code.is_some())
            .field("items", &self.items.len())
            .finish_non_exhaustive()
    }
}

impl NewEncounter {
    /// A street encounter now, in `zone`, with nothing given yet.
    pub fn new(occurred_at: DateTime<Utc>, zone: &str) -> Self {
        NewEncounter {
            occurred_at,
            contact_type: ContactType::Street,
            zone: zone.into(),
            geohash: None,
            participant_code: None,
            new_participant: false,
            age_band: None,
            gender: None,
            items: Vec::new(),
            syringes_collected: 0,
            sharps_containers: Vec::new(),
            referrals: Vec::new(),
            suggested_services: Vec::new(),
            substances: Vec::new(),
            overdose_reversals: 0,
            naloxone_doses_used: 0,
            collecting_for: 0,
            services_delivered: Vec::new(),
            naloxone_kit: None,
            profile: None,
        }
    }
}

/// Applies adjustments to a kit's items: an adjustment replaces the kit's quantity of that item,
/// adds an item the kit lacks, and a quantity of 0 removes it.
pub fn kit_items(settings: &ProgramSettings, kit_id: &str, adjustments: &[ItemQuantity]) -> Result<Vec<ItemQuantity>> {
    let kit = settings
        .kit(kit_id)
        .filter(|k| k.active)
        .ok_or_else(|| invalid("kit", format!("no active kit {kit_id}")))?;
    let mut items: BTreeMap<String, u32> = kit.items.iter().map(|iq| (iq.item.clone(), iq.quantity)).collect();
    for adj in adjustments {
        if adj.quantity == 0 {
            items.remove(&adj.item);
        } else {
            items.insert(adj.item.clone(), adj.quantity);
        }
    }
    Ok(items.into_iter().map(|(item, quantity)| ItemQuantity { item, quantity }).collect())
}

const GEOHASH_ALPHABET: &str = "0123456789bcdefghjkmnpqrstuvwxyz";

/// Checks an encounter against the program's settings. `now` bounds the time.
pub fn validate(e: &NewEncounter, settings: &ProgramSettings, now: DateTime<Utc>) -> Result<()> {
    if e.occurred_at > now + Duration::hours(1) {
        return Err(invalid("occurred_at", "is in the future; check the phone's clock"));
    }
    if e.occurred_at < now - Duration::days(366) {
        return Err(invalid("occurred_at", "is more than a year ago"));
    }
    if !settings.has_active(ListKind::Zone, &e.zone) {
        return Err(invalid("zone", "is not an active zone of the program"));
    }
    if let Some(g) = &e.geohash {
        if g.is_empty() || g.len() > 5 || !g.chars().all(|c| GEOHASH_ALPHABET.contains(c)) {
            return Err(invalid("geohash", "must be 1 to 5 geohash characters (about 5 km); never exact coordinates"));
        }
    }
    for (field, kind, value) in [("age_band", ListKind::AgeBand, &e.age_band), ("gender", ListKind::Gender, &e.gender)] {
        if let Some(v) = value {
            if !settings.has_active(kind, v) {
                return Err(invalid(field, "is not an active entry of the program's list"));
            }
        }
    }
    if e.items.len() > 30 {
        return Err(invalid("items", "at most 30 different items per encounter"));
    }
    let mut seen = BTreeSet::new();
    for iq in &e.items {
        if !seen.insert(iq.item.as_str()) {
            return Err(invalid("items", "an item is listed twice"));
        }
        if !settings.item(&iq.item).is_some_and(|i| i.active) {
            return Err(invalid("items", "holds an item that is not in the active catalog"));
        }
        LIMITS.item_quantity.check("items.quantity", iq.quantity as i64)?;
    }
    for (field, kind, values) in [
        ("referrals", ListKind::Referral, &e.referrals),
        ("substances", ListKind::Substance, &e.substances),
    ] {
        if values.len() > 20 {
            return Err(invalid(field, "at most 20 entries"));
        }
        let mut seen = BTreeSet::new();
        for v in values {
            if !seen.insert(v) {
                return Err(invalid(field, "an entry is listed twice"));
            }
            if !settings.has_active(kind, v) {
                return Err(invalid(field, "holds an entry that is not in the program's list"));
            }
        }
    }
    LIMITS.syringes_collected.check("syringes_collected", e.syringes_collected as i64)?;
    if e.suggested_services.len() > 10 {
        return Err(invalid("suggested_services", "at most 10 services per encounter"));
    }
    let mut seen = BTreeSet::new();
    for s in &e.suggested_services {
        if !seen.insert(s.as_str()) {
            return Err(invalid("suggested_services", "a service is listed twice"));
        }
        if !settings.services.iter().any(|x| &x.id == s && x.active) {
            return Err(invalid("suggested_services", "holds a service that is not in the program's directory"));
        }
    }
    if e.sharps_containers.len() > 10 {
        return Err(invalid("sharps_containers", "at most 10 container types per encounter"));
    }
    let mut seen = BTreeSet::new();
    for c in &e.sharps_containers {
        if !seen.insert(c.container.as_str()) {
            return Err(invalid("sharps_containers", "a container type is listed twice"));
        }
        if !settings.container(&c.container).is_some_and(|t| t.active) {
            return Err(invalid("sharps_containers", "holds a container type the program does not have"));
        }
        LIMITS.sharps_containers.check("sharps_containers.count", c.count as i64)?;
    }
    LIMITS.overdose_reversals.check("overdose_reversals", e.overdose_reversals as i64)?;
    LIMITS.naloxone_doses_used.check("naloxone_doses_used", e.naloxone_doses_used as i64)?;
    LIMITS.collecting_for.check("collecting_for", e.collecting_for as i64)?;
    if e.services_delivered.len() > MAX_DELIVERED {
        return Err(invalid("services_delivered", format!("at most {MAX_DELIVERED} services per encounter")));
    }
    let mut seen = BTreeSet::new();
    for d in &e.services_delivered {
        if !seen.insert(d.service.as_str()) {
            return Err(invalid("services_delivered", "a service is listed twice"));
        }
        if !settings.has_active(ListKind::Delivered, &d.service) {
            return Err(invalid("services_delivered", "holds a service that is not in the program's list"));
        }
    }
    if e.naloxone_kit.is_some() && !gives_naloxone(settings, &e.items) {
        return Err(invalid("naloxone_kit", "is asked only when a naloxone item is given"));
    }
    Ok(())
}

/// Whether `items` hold an item of the naloxone category.
pub fn gives_naloxone(settings: &ProgramSettings, items: &[ItemQuantity]) -> bool {
    items.iter().any(|iq| settings.item(&iq.item).is_some_and(|i| i.category == crate::settings::ItemCategory::Naloxone))
}

/// One version of an encounter, as stored and as sent to managers. `Debug` prints only ids.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncounterRecord {
    /// Id of this version.
    pub id: Uuid,
    /// Id of the first version: the encounter's identity across corrections.
    pub encounter_id: Uuid,
    pub version: u32,
    pub author: Uuid,
    /// Unix seconds, whole minutes.
    pub occurred_at: i64,
    pub contact_type: ContactType,
    pub zone: String,
    pub geohash: Option<String>,
    /// HMAC of the normalised participant code, hex; never the code.
    #[serde(with = "opt_hex16")]
    pub participant: Option<[u8; 16]>,
    pub new_participant: bool,
    pub age_band: Option<String>,
    pub gender: Option<String>,
    pub items: Vec<ItemQuantity>,
    pub syringes_collected: u32,
    /// Returned sharps by container (record format 2; absent in format 1, where it is empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sharps_containers: Vec<ContainerReturn>,
    pub referrals: Vec<String>,
    /// Services of the directory suggested (record format 2; absent in format 1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggested_services: Vec<String>,
    pub substances: Vec<String>,
    pub overdose_reversals: u32,
    pub naloxone_doses_used: u32,
    pub collecting_for: u32,
    /// Services delivered on site (record format 3, D90; absent before, where it is empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services_delivered: Vec<DeliveredService>,
    /// A first naloxone kit or a refill and why (record format 3; absent when not asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub naloxone_kit: Option<NaloxoneKit>,
    /// The stock location the supplies came from.
    pub location: Option<String>,
    pub voided: bool,
    /// Unix seconds when this version was written.
    pub recorded_at: i64,
}

impl std::fmt::Debug for EncounterRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncounterRecord")
            .field("id", &self.id)
            .field("encounter_id", &self.encounter_id)
            .field("version", &self.version)
            .field("voided", &self.voided)
            .finish_non_exhaustive()
    }
}

/// A participant reference as records carry it: hex.
pub(crate) mod hex16 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8; 16], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 16], D::Error> {
        let bytes = hex::decode(String::deserialize(d)?).map_err(serde::de::Error::custom)?;
        bytes.try_into().map_err(|_| serde::de::Error::custom("participant reference must be 16 bytes"))
    }
}

mod opt_hex16 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<[u8; 16]>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_some(&hex::encode(b)),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[u8; 16]>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| {
            let bytes = hex::decode(&s).map_err(serde::de::Error::custom)?;
            bytes.try_into().map_err(|_| serde::de::Error::custom("participant reference must be 16 bytes"))
        })
        .transpose()
    }
}

impl EncounterRecord {
    /// Shape checks for a record from another device (settings may differ, so ids are not
    /// checked against this device's lists).
    pub fn check(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::BadRecord(format!("encounter: {m}")));
        if self.version == 0 || (self.version == 1 && self.id != self.encounter_id) {
            return bad("version numbering");
        }
        if self.occurred_at % 60 != 0 {
            return bad("time is not whole minutes");
        }
        if self.geohash.as_ref().is_some_and(|g| g.is_empty() || g.len() > 5) {
            return bad("location finer than allowed");
        }
        let unique = |v: Vec<&str>| v.iter().collect::<BTreeSet<_>>().len() == v.len();
        if !unique(self.items.iter().map(|i| i.item.as_str()).collect())
            || !unique(self.referrals.iter().map(String::as_str).collect())
            || !unique(self.substances.iter().map(String::as_str).collect())
        {
            return bad("an entry is listed twice");
        }
        if self.items.len() > 30 || self.referrals.len() > 20 || self.substances.len() > 20 {
            return bad("too many entries");
        }
        if self.items.iter().any(|i| LIMITS.item_quantity.check("items", i.quantity as i64).is_err()) {
            return bad("item quantity out of range");
        }
        if !unique(self.suggested_services.iter().map(String::as_str).collect()) || self.suggested_services.len() > 10 {
            return bad("suggested services listed twice or too many");
        }
        if !unique(self.sharps_containers.iter().map(|c| c.container.as_str()).collect()) || self.sharps_containers.len() > 10 {
            return bad("container types listed twice or too many");
        }
        if !unique(self.services_delivered.iter().map(|d| d.service.as_str()).collect()) || self.services_delivered.len() > MAX_DELIVERED {
            return bad("services delivered listed twice or too many");
        }
        let max_each = crate::settings::MAX_CONTAINER_ESTIMATE;
        if self.sharps_containers.iter().any(|c| !(1..=MAX_CONTAINERS).contains(&c.count) || !(1..=max_each).contains(&c.syringes_each)) {
            return bad("container count or estimate out of range");
        }
        Ok(())
    }
}

/// Whole minutes, as the product stores time.
pub fn to_minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(t)
}

/// Days since 1970-01-01 of the local date in `tz`.
pub fn local_day(unix_seconds: i64, tz: &Zone) -> i64 {
    let utc = Utc.timestamp_opt(unix_seconds, 0).single().unwrap_or_default();
    let local = tz.local(utc).date_naive();
    local.signed_duration_since(chrono::NaiveDate::default()).num_days()
}
