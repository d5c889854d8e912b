//! Tallies for a period, as the phone shows them to the worker (exact counts of this device's
//! data; exports with small-cell suppression are made on the manager's side).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use satchel_core::{Store, TallyQuery};

use crate::plain::*;
use crate::error::{guard, invalid, SatchelError};

/// Units and doses of one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ItemTally {
    pub units: u64,
    /// Units times the item's doses per unit (naloxone is reported in doses).
    pub doses: u64,
}

/// Every measure for one stretch of days. Maps are keyed by ids from the program's lists
/// (`not_recorded` where an optional field was left empty).
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct Measures {
    pub encounters: u64,
    pub by_contact_type: HashMap<String, u64>,
    pub by_zone: HashMap<String, u64>,
    /// Distinct participant references.
    pub participants: u64,
    /// Encounters the worker marked as a new participant (the phone's hint).
    pub new_participants: u64,
    /// Participant references whose first contact with the program was in the stretch (in a
    /// zone's tally, in that zone): the new participants reports count.
    pub new_persons: u64,
    /// Encounters with no participant reference.
    pub contacts_without_code: u64,
    pub items: HashMap<String, ItemTally>,
    pub syringes_distributed: u64,
    /// Returned syringes counted one by one.
    pub syringes_collected: u64,
    /// Returned syringes estimated from sharps containers.
    pub syringes_estimated: u64,
    /// Sharps containers returned, by container type id.
    pub sharps_containers: HashMap<String, u64>,
    /// Collected (counted and estimated) per distributed; `None` when none were distributed.
    pub syringe_return_ratio: Option<f64>,
    /// Used syringes sent for disposal, counted and estimated from their weight (D91).
    pub syringes_disposed: u64,
    pub syringes_disposed_estimated: u64,
    /// Syringes distributed per person who received syringes; `None` when no one did.
    pub syringes_per_person: Option<f64>,
    pub naloxone_doses_distributed: u64,
    pub referrals: HashMap<String, u64>,
    /// Encounters where a worker recorded suggesting each service, by service id.
    pub by_service: HashMap<String, u64>,
    pub overdose_reversals: u64,
    pub naloxone_doses_used: u64,
    pub collecting_for: u64,
    pub by_age_band: HashMap<String, u64>,
    pub by_gender: HashMap<String, u64>,
    /// Persons by the age band last recorded for them in the stretch (`not_recorded` where none
    /// was): adds up to `participants`.
    pub persons_by_age_band: HashMap<String, u64>,
    /// Persons by the gender last recorded for them in the stretch.
    pub persons_by_gender: HashMap<String, u64>,
    /// Persons who received each supply category, by category id (`syringes`, `naloxone`, …).
    pub persons_receiving: HashMap<String, u64>,
    /// Persons by the race answered in their profile by the end of the stretch: a race id,
    /// `multiple`, `declined` or `not_recorded`; adds up to `participants`. Empty when the
    /// program does not ask.
    pub persons_by_race: HashMap<String, u64>,
    /// Persons by ethnicity, as `persons_by_race`.
    pub persons_by_ethnicity: HashMap<String, u64>,
    /// Persons by area of residence, as `persons_by_race`.
    pub persons_by_residence: HashMap<String, u64>,
    /// Services delivered on site, by `service/outcome` (`hiv-test/done`, `hiv-test/linked_to_care`).
    pub services_delivered: HashMap<String, u64>,
    /// Naloxone kits by why they were given: `first`, `refill_used`, `refill_lost`,
    /// `refill_confiscated`, `refill_expired`, `refill_other`.
    pub naloxone_kits: HashMap<String, u64>,
    pub by_substance: HashMap<String, u64>,
}

/// One bucket of a period; dates are `YYYY-MM-DD`, inclusive.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct TallyBucket {
    pub start: String,
    pub end: String,
    pub measures: Measures,
}

/// The tallies of a period.
#[derive(Clone, Debug, PartialEq, uniffi::Record)]
pub struct TallyReport {
    pub from: String,
    pub to: String,
    pub time_zone: String,
    pub total: Measures,
    /// By the granularity asked for (empty when none).
    pub buckets: Vec<TallyBucket>,
    /// The trend's step: by day up to two weeks, by week up to a quarter, by month beyond.
    pub trend_by: Granularity,
    /// The trend, always.
    pub trend: Vec<TallyBucket>,
}

fn map<V: Copy>(m: &std::collections::BTreeMap<String, V>) -> HashMap<String, V> {
    m.iter().map(|(k, v)| (k.clone(), *v)).collect()
}

impl From<&satchel_core::Measures> for Measures {
    fn from(m: &satchel_core::Measures) -> Self {
        Measures {
            encounters: m.encounters,
            by_contact_type: map(&m.by_contact_type),
            by_zone: map(&m.by_zone),
            participants: m.participants,
            new_participants: m.new_participants,
            new_persons: m.new_persons,
            contacts_without_code: m.contacts_without_code,
            items: m.items.iter().map(|(k, t)| (k.clone(), ItemTally { units: t.units, doses: t.doses })).collect(),
            syringes_distributed: m.syringes_distributed,
            syringes_collected: m.syringes_collected,
            syringes_estimated: m.syringes_estimated,
            sharps_containers: map(&m.containers),
            syringe_return_ratio: m.syringe_return_ratio(),
            syringes_disposed: m.syringes_disposed,
            syringes_disposed_estimated: m.syringes_disposed_estimated,
            syringes_per_person: m.syringes_per_person(),
            naloxone_doses_distributed: m.naloxone_doses_distributed,
            referrals: map(&m.referrals),
            by_service: map(&m.by_service),
            overdose_reversals: m.overdose_reversals,
            naloxone_doses_used: m.naloxone_doses_used,
            collecting_for: m.collecting_for,
            by_age_band: map(&m.by_age_band),
            by_gender: map(&m.by_gender),
            persons_by_age_band: map(&m.persons_by_age_band),
            persons_by_gender: map(&m.persons_by_gender),
            persons_receiving: map(&m.persons_receiving),
            persons_by_race: map(&m.persons_by_race),
            persons_by_ethnicity: map(&m.persons_by_ethnicity),
            persons_by_residence: map(&m.persons_by_residence),
            services_delivered: map(&m.services_delivered),
            naloxone_kits: map(&m.naloxone_kits),
            by_substance: map(&m.by_substance),
        }
    }
}

fn date(field: &str, s: &str) -> Result<NaiveDate, SatchelError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| invalid(field, "must be a date written YYYY-MM-DD"))
}

fn buckets(list: &[satchel_core::tally::Bucket]) -> Vec<TallyBucket> {
    list.iter()
        .map(|b| TallyBucket { start: b.start.to_string(), end: b.end.to_string(), measures: (&b.measures).into() })
        .collect()
}

/// Tallies.
#[derive(uniffi::Object)]
pub struct Reports {
    pub(crate) store: Arc<Store>,
}

#[uniffi::export]
impl Reports {
    /// The tallies from `from` to `to` (local dates `YYYY-MM-DD`, inclusive), optionally by
    /// day, week or month and for one zone.
    pub fn tally(
        &self,
        from: String,
        to: String,
        by: Option<Granularity>,
        zone_id: Option<String>,
    ) -> Result<TallyReport, SatchelError> {
        guard(|| {
            let query = TallyQuery {
                from: date("from", &from)?,
                to: date("to", &to)?,
                by,
                zone: zone_id,
                device: None,
            };
            let t = self.store.tally(&query)?;
            Ok(TallyReport {
                from: t.from.to_string(),
                to: t.to.to_string(),
                time_zone: t.time_zone.clone(),
                total: (&t.total).into(),
                buckets: buckets(&t.buckets),
                trend_by: t.trend_by,
                trend: buckets(&t.trend),
            })
        })
    }
}
