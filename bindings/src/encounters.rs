//! Logging, correcting, voiding and listing encounters.

use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use satchel_core::Store;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::plain::*;
use crate::error::{guard, invalid, SatchelError};

/// A supply item and how many units.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ItemQuantity {
    /// The item's id from the program's catalog.
    pub item_id: String,
    /// Units; 1 to 1000 in an encounter (0 in a kit adjustment removes the item).
    pub quantity: u32,
}

impl From<&ItemQuantity> for satchel_core::ItemQuantity {
    fn from(i: &ItemQuantity) -> Self {
        satchel_core::ItemQuantity { item: i.item_id.clone(), quantity: i.quantity }
    }
}

impl From<satchel_core::ItemQuantity> for ItemQuantity {
    fn from(i: satchel_core::ItemQuantity) -> Self {
        ItemQuantity { item_id: i.item, quantity: i.quantity }
    }
}

/// Sharps containers of one type a participant brought back.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ContainerCount {
    /// A container type id from the program's settings.
    pub container_id: String,
    /// 1 to 100.
    pub count: u32,
}

/// One question of the participant profile.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum ProfileAnswer {
    /// Not asked this time ("ask later"): an earlier answer stands.
    NotAsked,
    /// The person chose not to answer.
    Declined,
    /// Ids from the program's list: one for ethnicity and residence, one or more for race.
    Chosen { ids: Vec<String> },
}

/// The participant profile's answers (race, ethnicity, area of residence), asked once per
/// person. Reports count persons by them; they are never shown or exported per person.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ProfileInput {
    pub race: ProfileAnswer,
    pub ethnicity: ProfileAnswer,
    pub residence: ProfileAnswer,
}

impl From<&ProfileAnswer> for satchel_core::profile::Answer {
    fn from(a: &ProfileAnswer) -> Self {
        use satchel_core::profile::Answer;
        match a {
            ProfileAnswer::NotAsked => Answer::NotAsked,
            ProfileAnswer::Declined => Answer::Declined,
            ProfileAnswer::Chosen { ids } => Answer::Chosen(ids.clone()),
        }
    }
}

impl From<satchel_core::profile::Answer> for ProfileAnswer {
    fn from(a: satchel_core::profile::Answer) -> Self {
        use satchel_core::profile::Answer;
        match a {
            Answer::NotAsked => ProfileAnswer::NotAsked,
            Answer::Declined => ProfileAnswer::Declined,
            Answer::Chosen(ids) => ProfileAnswer::Chosen { ids },
        }
    }
}

impl From<satchel_core::profile::ProfileAnswers> for ProfileInput {
    fn from(p: satchel_core::profile::ProfileAnswers) -> Self {
        ProfileInput { race: p.race.into(), ethnicity: p.ethnicity.into(), residence: p.residence.into() }
    }
}

impl From<&ProfileInput> for satchel_core::profile::ProfileAnswers {
    fn from(p: &ProfileInput) -> Self {
        satchel_core::profile::ProfileAnswers { race: (&p.race).into(), ethnicity: (&p.ethnicity).into(), residence: (&p.residence).into() }
    }
}

/// A service of the program's list given on site, and what came of it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct DeliveredService {
    pub service_id: String,
    pub outcome: Outcome,
}

/// What the worker enters for one encounter. Ids come from the program's lists.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct EncounterInput {
    /// When it happened; stored to the minute.
    pub occurred_at: SystemTime,
    pub contact_type: ContactType,
    /// A zone id from the program's list.
    pub zone_id: String,
    /// Optional coarse area: a geohash of at most 5 characters (about 5 km). Never coordinates.
    #[uniffi(default = None)]
    pub geohash: Option<String>,
    /// The participant's self-generated code, if they gave one. Only a keyed hash is stored.
    #[uniffi(default = None)]
    pub participant_code: Option<String>,
    #[uniffi(default = false)]
    pub new_participant: bool,
    #[uniffi(default = None)]
    pub age_band_id: Option<String>,
    #[uniffi(default = None)]
    pub gender_id: Option<String>,
    /// Supplies handed out. With `log_from_kit` these are ignored: the kit decides.
    #[uniffi(default = [])]
    pub items: Vec<ItemQuantity>,
    /// Used syringes collected, counted one by one.
    #[uniffi(default = 0)]
    pub syringes_collected: u32,
    /// Used syringes returned in sharps containers instead of counted ("2 × 1-quart").
    #[uniffi(default = [])]
    pub sharps_containers: Vec<ContainerCount>,
    #[uniffi(default = [])]
    pub referral_ids: Vec<String>,
    /// Services of the directory the worker suggested (optional; counted only by service).
    #[uniffi(default = [])]
    pub suggested_service_ids: Vec<String>,
    /// Substances the participant uses (multi-select from the program's list).
    #[uniffi(default = [])]
    pub substance_ids: Vec<String>,
    /// Overdose reversals the participant reports.
    #[uniffi(default = 0)]
    pub overdose_reversals: u32,
    /// Naloxone doses used in those reversals.
    #[uniffi(default = 0)]
    pub naloxone_doses_used: u32,
    /// Secondary distribution: collecting for this many others.
    #[uniffi(default = 0)]
    pub collecting_for: u32,
    /// Services delivered on site, each once, with its outcome (at most 10).
    #[uniffi(default = [])]
    pub services_delivered: Vec<DeliveredService>,
    /// With a naloxone item: a first kit, or a refill and why. Refused without one.
    #[uniffi(default = None)]
    pub naloxone_kit: Option<NaloxoneKit>,
    /// The profile's answers, asked when the code is new on this phone; saved with the
    /// encounter for the code's person. Needs a participant code.
    #[uniffi(default = None)]
    pub profile: Option<ProfileInput>,
}

impl From<satchel_core::NewEncounter> for EncounterInput {
    fn from(e: satchel_core::NewEncounter) -> Self {
        EncounterInput {
            occurred_at: e.occurred_at.into(),
            contact_type: e.contact_type,
            zone_id: e.zone,
            geohash: e.geohash,
            participant_code: None,
            new_participant: e.new_participant,
            age_band_id: e.age_band,
            gender_id: e.gender,
            items: e.items.into_iter().map(Into::into).collect(),
            syringes_collected: e.syringes_collected,
            sharps_containers: e
                .sharps_containers
                .into_iter()
                .map(|c| ContainerCount { container_id: c.container, count: c.count })
                .collect(),
            referral_ids: e.referrals,
            suggested_service_ids: e.suggested_services,
            substance_ids: e.substances,
            overdose_reversals: e.overdose_reversals,
            naloxone_doses_used: e.naloxone_doses_used,
            collecting_for: e.collecting_for,
            services_delivered: e
                .services_delivered
                .into_iter()
                .map(|d| DeliveredService { service_id: d.service, outcome: d.outcome })
                .collect(),
            naloxone_kit: e.naloxone_kit,
            profile: e.profile.map(Into::into),
        }
    }
}

impl EncounterInput {
    fn to_core(&self) -> satchel_core::NewEncounter {
        satchel_core::NewEncounter {
            occurred_at: DateTime::<Utc>::from(self.occurred_at),
            contact_type: self.contact_type,
            zone: self.zone_id.clone(),
            geohash: self.geohash.clone(),
            participant_code: self.participant_code.clone(),
            new_participant: self.new_participant,
            age_band: self.age_band_id.clone(),
            gender: self.gender_id.clone(),
            items: self.items.iter().map(Into::into).collect(),
            syringes_collected: self.syringes_collected,
            sharps_containers: self
                .sharps_containers
                .iter()
                .map(|c| satchel_core::ContainerCount { container: c.container_id.clone(), count: c.count })
                .collect(),
            referrals: self.referral_ids.clone(),
            suggested_services: self.suggested_service_ids.clone(),
            substances: self.substance_ids.clone(),
            overdose_reversals: self.overdose_reversals,
            naloxone_doses_used: self.naloxone_doses_used,
            collecting_for: self.collecting_for,
            services_delivered: self
                .services_delivered
                .iter()
                .map(|d| satchel_core::DeliveredService { service: d.service_id.clone(), outcome: d.outcome })
                .collect(),
            naloxone_kit: self.naloxone_kit,
            profile: self.profile.as_ref().map(Into::into),
        }
    }
}

/// Copies the input for the core and wipes the participant code copy when done.
pub(crate) fn with_core_input<T>(
    input: &EncounterInput,
    f: impl FnOnce(&satchel_core::NewEncounter) -> Result<T, SatchelError>,
) -> Result<T, SatchelError> {
    let mut core = input.to_core();
    let out = f(&core);
    if let Some(code) = core.participant_code.take() {
        drop(Zeroizing::new(code));
    }
    out
}

/// An encounter as the worker's recent list shows it. It says whether a participant code was
/// given, never which.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct EncounterSummary {
    pub encounter_id: String,
    /// 1 for the original; each correction or void adds one.
    pub version: u32,
    pub occurred_at: SystemTime,
    pub contact_type: ContactType,
    pub zone_id: String,
    pub has_participant: bool,
    pub items: Vec<ItemQuantity>,
    pub voided: bool,
    /// The server has acknowledged this version.
    pub synced: bool,
}

impl From<satchel_core::EncounterSummary> for EncounterSummary {
    fn from(e: satchel_core::EncounterSummary) -> Self {
        EncounterSummary {
            encounter_id: e.encounter_id.to_string(),
            version: e.version,
            occurred_at: e.occurred_at.into(),
            contact_type: e.contact_type,
            zone_id: e.zone,
            has_participant: e.has_participant,
            items: e.items.into_iter().map(Into::into).collect(),
            voided: e.voided,
            synced: e.synced,
        }
    }
}

/// What this phone's shift (the last 12 hours) adds up to; voided encounters count nowhere.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ShiftSummary {
    pub encounters: u32,
    /// Encounters the server has not acknowledged yet.
    pub waiting: u32,
    pub new_participants: u32,
    /// Units handed out per item, in the catalog's order.
    pub items: Vec<ItemQuantity>,
    /// Naloxone handed out, in doses.
    pub naloxone_doses_given: u32,
    /// Returned syringes counted one by one.
    pub syringes_collected: u32,
    /// Sharps containers returned, and the syringes they hold by the program's estimate.
    pub sharps_containers: u32,
    pub syringes_estimated: u32,
    pub referrals: u32,
    pub overdose_reversals: u32,
}

impl From<satchel_core::ShiftSummary> for ShiftSummary {
    fn from(s: satchel_core::ShiftSummary) -> Self {
        ShiftSummary {
            encounters: s.encounters,
            waiting: s.waiting,
            new_participants: s.new_participants,
            items: s.items.into_iter().map(Into::into).collect(),
            naloxone_doses_given: s.naloxone_doses_given,
            syringes_collected: s.syringes_collected,
            sharps_containers: s.sharps_containers,
            syringes_estimated: s.syringes_estimated,
            referrals: s.referrals,
            overdose_reversals: s.overdose_reversals,
        }
    }
}

pub(crate) fn parse_id(id: &str) -> Result<Uuid, SatchelError> {
    Uuid::parse_str(id).map_err(|_| invalid("encounter_id", "is not an encounter id"))
}

/// Logging and correcting encounters. Each save is durable when it returns.
#[derive(uniffi::Object)]
pub struct Encounters {
    pub(crate) store: Arc<Store>,
}

#[uniffi::export]
impl Encounters {
    /// Logs an encounter and the stock it took from this device's location. Returns its id.
    pub fn log(&self, input: EncounterInput) -> Result<String, SatchelError> {
        guard(|| with_core_input(&input, |e| Ok(self.store.log_encounter(e)?.to_string())))
    }

    /// Logs an encounter from a kit: the kit's items, with `adjustments` applied (a quantity
    /// replaces the kit's, 0 removes the item, a new item is added). Returns its id.
    pub fn log_from_kit(
        &self,
        kit_id: String,
        adjustments: Vec<ItemQuantity>,
        input: EncounterInput,
    ) -> Result<String, SatchelError> {
        let adjustments: Vec<satchel_core::ItemQuantity> = adjustments.iter().map(Into::into).collect();
        guard(|| with_core_input(&input, |e| Ok(self.store.log_from_kit(&kit_id, &adjustments, e)?.to_string())))
    }

    /// Corrects an encounter this device logged. The participant reference stays unless a new
    /// code is given. Stock is adjusted by the difference.
    pub fn correct(&self, encounter_id: String, input: EncounterInput) -> Result<(), SatchelError> {
        guard(|| with_core_input(&input, |e| Ok(self.store.correct_encounter(parse_id(&encounter_id)?, e)?)))
    }

    /// Voids an encounter this device logged: it counts nowhere and its supplies go back.
    pub fn void(&self, encounter_id: String) -> Result<(), SatchelError> {
        guard(|| Ok(self.store.void_encounter(parse_id(&encounter_id)?)?))
    }

    /// This device's most recent encounters, newest first (at most 1000).
    pub fn recent(&self, limit: u32) -> Result<Vec<EncounterSummary>, SatchelError> {
        guard(|| Ok(self.store.recent_encounters(limit)?.into_iter().map(Into::into).collect()))
    }

    /// This phone's encounters of the shift (the last 12 hours), newest first, voided ones
    /// included: the Today screen.
    pub fn shift(&self) -> Result<Vec<EncounterSummary>, SatchelError> {
        guard(|| Ok(self.store.shift_encounters()?.into_iter().map(Into::into).collect()))
    }

    /// What the shift adds up to (the Today screen's header).
    pub fn shift_summary(&self) -> Result<ShiftSummary, SatchelError> {
        guard(|| Ok(self.store.shift_summary()?.into()))
    }

    /// One encounter, or `None`.
    pub fn get(&self, encounter_id: String) -> Result<Option<EncounterSummary>, SatchelError> {
        guard(|| Ok(self.store.get_encounter(parse_id(&encounter_id)?)?.map(Into::into)))
    }

    /// What was entered for one of this device's live encounters, to prefill the correction
    /// sheet. `participantCode` is always empty: the code is never stored (a correction
    /// without a new code keeps the participant).
    pub fn for_correction(&self, encounter_id: String) -> Result<EncounterInput, SatchelError> {
        guard(|| Ok(self.store.encounter_for_correction(parse_id(&encounter_id)?)?.into()))
    }

    /// Records a participant's profile answers apart from an encounter (completing or changing
    /// what was asked before). Each question's newest answer counts; "not asked" keeps the
    /// earlier one.
    pub fn record_profile(&self, participant_code: String, profile: ProfileInput) -> Result<(), SatchelError> {
        let code = Zeroizing::new(participant_code);
        guard(|| Ok(self.store.record_profile(&code, &(&profile).into())?))
    }

    /// Whether this participant code was seen on this device before. Nothing is saved.
    pub fn participant_seen(&self, participant_code: String) -> Result<bool, SatchelError> {
        let code = Zeroizing::new(participant_code);
        guard(|| Ok(self.store.participant_seen(&code)?))
    }
}
