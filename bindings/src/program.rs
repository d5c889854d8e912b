//! The program's settings as the app shows them: catalog, kits and lists.

use std::sync::Arc;

pub use satchel_core::{Choice, SupplyItem};
use satchel_core::Store;

use crate::encounters::ItemQuantity;
use crate::plain::*;
use crate::error::{guard, SatchelError};

/// One supply in the catalog (the core's own record).
#[uniffi::remote(Record)]
pub struct SupplyItem {
    pub id: String,
    pub name: String,
    /// The name in Spanish, where the program wrote one (D98).
    pub name_es: Option<String>,
    pub category: ItemCategory,
    /// What one unit is ("syringe", "kit", "strip").
    pub unit: String,
    /// Naloxone is reported in doses: a kit of two doses counts 2.
    pub doses_per_unit: u32,
    /// The app warns when a location's level is at or below this.
    pub low_stock_threshold: u32,
    pub active: bool,
}

/// A preset bundle for one-tap logging.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Kit {
    pub id: String,
    pub name: String,
    /// The name in Spanish, where the program wrote one (D98).
    pub name_es: Option<String>,
    pub items: Vec<ItemQuantity>,
    pub active: bool,
}

/// An entry of a program list (zones, referral types, age bands, genders, substances, the
/// profile's lists, services delivered): the core's own record.
#[uniffi::remote(Record)]
pub struct Choice {
    pub id: String,
    pub label: String,
    /// The label in Spanish, where the program wrote one (D98).
    pub label_es: Option<String>,
    /// Display order within its list (the lists come in this order).
    pub position: u32,
    pub active: bool,
}

/// A place stock is kept: a van, an office shelf, a backpack.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct StockLocation {
    pub id: String,
    pub name: String,
    /// The name in Spanish, where the program wrote one (D98).
    pub name_es: Option<String>,
    pub active: bool,
}

/// Everything the app needs to draw its forms. Lists are in display order.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ProgramSettings {
    pub name: String,
    /// IANA time zone; tallies count by local date in it.
    pub time_zone: String,
    /// Counts from 1 to this − 1 are suppressed in exports.
    pub small_cell_threshold: u32,
    /// Days a synced encounter stays on the phone.
    pub retention_days: u32,
    /// The phone wipes its store after this many wrong PINs in a row (0: never). Say so on the
    /// PIN screen once tries start to wait.
    pub wipe_after_failed_pins: u32,
    /// Used syringes one pound of the program's sharps holds (D91); 0: not set, and a weighed
    /// disposal is refused (offer a count instead).
    pub syringes_per_pound: u32,
    /// Seconds the app stays unlocked after the screen turns off (0: lock at once; D94). Cover
    /// the window at once either way.
    pub lock_grace_seconds: u32,
    pub items: Vec<SupplyItem>,
    pub kits: Vec<Kit>,
    pub zones: Vec<Choice>,
    pub referral_types: Vec<Choice>,
    pub age_bands: Vec<Choice>,
    pub genders: Vec<Choice>,
    pub substances: Vec<Choice>,
    /// The participant profile's lists (asked once per person when the code is new here); an
    /// empty list is a question the program does not ask.
    #[uniffi(default = [])]
    pub races: Vec<Choice>,
    #[uniffi(default = [])]
    pub ethnicities: Vec<Choice>,
    #[uniffi(default = [])]
    pub residences: Vec<Choice>,
    /// Services delivered on site, each logged with an outcome (the sheet's "Given here").
    #[uniffi(default = [])]
    pub services_delivered: Vec<Choice>,
    pub locations: Vec<StockLocation>,
    /// Sharps container types the review sheet offers for returned syringes, smallest first.
    pub sharps_containers: Vec<ContainerType>,
}


/// The program's settings, as this device last received them.
#[derive(uniffi::Object)]
pub struct ProgramInfo {
    pub(crate) store: Arc<Store>,
}

#[uniffi::export]
impl ProgramInfo {
    /// Whether the review sheet asks why a naloxone kit is given: when its supplies hold an item
    /// of the naloxone category (the core refuses the answer otherwise).
    pub fn asks_naloxone_kit(&self, items: Vec<ItemQuantity>) -> Result<bool, SatchelError> {
        guard(|| {
            let items: Vec<satchel_core::ItemQuantity> = items.iter().filter(|i| i.quantity > 0).map(Into::into).collect();
            Ok(satchel_core::encounter::gives_naloxone(&self.store.settings()?, &items))
        })
    }

    /// The current settings.
    pub fn settings(&self) -> Result<ProgramSettings, SatchelError> {
        guard(|| {
            let s = self.store.settings()?;
            Ok(ProgramSettings {
                name: s.program.name.clone(),
                time_zone: s.program.time_zone.clone(),
                small_cell_threshold: s.program.small_cell_threshold,
                retention_days: s.program.retention_days,
                wipe_after_failed_pins: s.program.wipe_after_failed_pins,
                syringes_per_pound: s.program.syringes_per_pound,
                lock_grace_seconds: s.program.lock_grace_seconds,
                items: s.items.clone(),
                kits: s
                    .kits
                    .iter()
                    .map(|k| Kit {
                        id: k.id.clone(),
                        name: k.name.clone(),
                        name_es: k.name_es.clone(),
                        items: k.items.iter().cloned().map(Into::into).collect(),
                        active: k.active,
                    })
                    .collect(),
                zones: s.zones.clone(),
                referral_types: s.referral_types.clone(),
                age_bands: s.age_bands.clone(),
                genders: s.genders.clone(),
                substances: s.substances.clone(),
                races: s.races.clone(),
                ethnicities: s.ethnicities.clone(),
                residences: s.residences.clone(),
                services_delivered: s.services_delivered.clone(),
                locations: s
                    .locations
                    .iter()
                    .map(|l| StockLocation { id: l.id.clone(), name: l.name.clone(), name_es: l.name_es.clone(), active: l.active })
                    .collect(),
                sharps_containers: s.containers.clone(),
            })
        })
    }
}

/// An inclusive range a number entered on a form may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct NumberRange {
    pub min: i64,
    pub max: i64,
}

/// The ranges of every number a worker enters, as the core checks them: steppers and fields
/// stop at them, so Save never refuses a number the form let through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
pub struct FormLimits {
    /// Units of one item in an encounter (a stepper at 0 takes the item off the sheet).
    pub item_quantity: NumberRange,
    pub syringes_collected: NumberRange,
    /// Sharps containers of one type (a stepper at 0 logs none).
    pub sharps_containers: NumberRange,
    pub overdose_reversals: NumberRange,
    pub naloxone_doses_used: NumberRange,
    pub collecting_for: NumberRange,
    /// Stock received or moved.
    pub stock_quantity: NumberRange,
    /// A stock correction (never 0).
    pub stock_adjustment: NumberRange,
    /// A counted stock level.
    pub stock_level: NumberRange,
    /// How many minutes before the sheet opened a contact logged late can be dated (the shift).
    pub minutes_earlier: NumberRange,
}

/// The form's limits (the same for every program).
#[uniffi::export]
pub fn form_limits() -> FormLimits {
    let l = satchel_core::validate::LIMITS;
    let r = |r: satchel_core::validate::Range| NumberRange { min: r.min, max: r.max };
    FormLimits {
        item_quantity: r(l.item_quantity),
        syringes_collected: r(l.syringes_collected),
        sharps_containers: r(l.sharps_containers),
        overdose_reversals: r(l.overdose_reversals),
        naloxone_doses_used: r(l.naloxone_doses_used),
        collecting_for: r(l.collecting_for),
        stock_quantity: r(l.stock_quantity),
        stock_adjustment: r(l.stock_adjustment),
        stock_level: r(l.stock_level),
        minutes_earlier: r(l.minutes_earlier),
    }
}
