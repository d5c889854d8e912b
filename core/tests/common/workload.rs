//! The suppression benchmarks' encounters: random, skewed like field work (some categories
//! small, some large), the same for the same dice.

use chrono::{DateTime, Duration, Utc};
use satchel_core::{ContactType, ItemQuantity, NewEncounter};

use crate::dice::Dice;

pub const ZONES: [&str; 4] = ["downtown", "riverside", "eastside", "northgate"];

/// An encounter at a random minute of the `minutes` after `start`, in a random zone.
pub fn encounter(dice: &mut Dice, start: DateTime<Utc>, minutes: usize) -> NewEncounter {
    let ages = ["under-25", "25-34", "35-44", "45-54", "55-plus"];
    let genders = ["woman", "man", "nonbinary", "declined"];
    let substances = ["opioids", "stimulants", "xylazine", "alcohol", "other"];
    let referrals = ["moud", "treatment", "wound-care", "hiv-hcv-testing", "housing", "mental-health"];
    let contact = [ContactType::Street, ContactType::MobileUnit, ContactType::DropIn, ContactType::PeerDelivery];
    NewEncounter {
        contact_type: contact[dice.roll(4).min(dice.roll(4))],
        age_band: Some(dice.skewed(&ages).into()),
        gender: Some(dice.skewed(&genders).into()),
        substances: vec![dice.skewed(&substances).into()],
        referrals: if dice.roll(5) == 0 { vec![dice.skewed(&referrals).into()] } else { vec![] },
        new_participant: dice.roll(6) == 0,
        syringes_collected: dice.roll(15) as u32,
        items: vec![ItemQuantity { item: "syringe-1ml".into(), quantity: 1 + dice.roll(20) as u32 }],
        ..NewEncounter::new(start + Duration::minutes(dice.roll(minutes) as i64), dice.skewed(&ZONES))
    }
}
