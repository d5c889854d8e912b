//! Encounters as a phone logs them, for the sync benchmark and the segment-format tests: the
//! regular one the benchmark always had, a seeded random one, and a skewed one (what a real
//! program looks like: few zones, the standard kit most of the time, regulars).

use chrono::{DateTime, Duration, Utc};
use satchel_core::settings::{Choice, ListKind, Setting};
use satchel_core::{ContactType, ItemQuantity, NewEncounter};

use crate::Rng;

/// Zones beyond the starter four, so that the random workload has eight.
pub const EXTRA_ZONES: [&str; 4] = ["westend", "harbor", "southpark", "uptown"];
const ZONES: [&str; 8] = ["downtown", "riverside", "eastside", "northgate", "westend", "harbor", "southpark", "uptown"];
/// The starter catalog's items but one (the sharps container is counted, not handed out here).
const ITEMS: [&str; 16] = [
    "syringe-1ml", "syringe-3ml", "naloxone-nasal", "naloxone-im", "fentanyl-strip", "xylazine-strip", "cooker", "cotton",
    "sterile-water", "alcohol-pad", "tourniquet", "pipe-glass", "mouthpiece", "wound-kit", "condom", "hygiene-kit",
];
const REFERRALS: [&str; 6] = ["moud", "treatment", "wound-care", "hiv-hcv-testing", "housing", "mental-health"];
const AGE_BANDS: [&str; 5] = ["under-25", "25-34", "35-44", "45-54", "55-plus"];
const GENDERS: [&str; 4] = ["woman", "man", "nonbinary", "declined"];
const SUBSTANCES: [&str; 5] = ["opioids", "stimulants", "xylazine", "alcohol", "other"];
const CONTACTS: [ContactType; 5] =
    [ContactType::Street, ContactType::MobileUnit, ContactType::DropIn, ContactType::PeerDelivery, ContactType::PhoneText];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// One zone, quantities cycling, 400 participants: what the benchmark measured before.
    Regular,
    /// Any minute of the last 30 days, any of 8 zones, 1–5 of 16 items in random quantities,
    /// 80% with a participant code (nearly all different), random referrals and demographics.
    Random,
    /// Evening shifts in two zones, the standard kit three times in four, 300 regulars.
    Skewed,
}

impl Workload {
    pub const ALL: [Workload; 3] = [Workload::Regular, Workload::Random, Workload::Skewed];

    pub fn name(self) -> &'static str {
        match self {
            Workload::Regular => "regular",
            Workload::Random => "random",
            Workload::Skewed => "skewed",
        }
    }

    /// The settings a manager adds before the phones join.
    pub fn settings() -> Vec<Setting> {
        EXTRA_ZONES
            .iter()
            .enumerate()
            .map(|(i, id)| {
                Setting::Choice(ListKind::Zone, Choice { id: (*id).into(), label: (*id).into(), label_es: None, position: 4 + i as u32, active: true })
            })
            .collect()
    }

    /// `n` encounters from `seed`, none after `now`.
    pub fn encounters(self, n: usize, seed: u64, now: DateTime<Utc>) -> Vec<NewEncounter> {
        let mut rng = Rng(seed);
        (0..n).map(|i| self.one(i, &mut rng, now)).collect()
    }

    fn one(self, i: usize, rng: &mut Rng, now: DateTime<Utc>) -> NewEncounter {
        match self {
            Workload::Regular => regular(i, now),
            Workload::Random => random(rng, now),
            Workload::Skewed => skewed(rng, now),
        }
    }
}

fn iq(item: &str, quantity: u32) -> ItemQuantity {
    ItemQuantity { item: item.into(), quantity }
}

fn regular(i: usize, now: DateTime<Utc>) -> NewEncounter {
    let mut items = vec![iq("syringe-1ml", [10, 20, 40][i % 3])];
    if i.is_multiple_of(2) {
        items.push(iq("naloxone-nasal", 1));
    }
    if i.is_multiple_of(5) {
        items.push(iq("fentanyl-strip", 5));
    }
    NewEncounter {
        contact_type: if i.is_multiple_of(4) { ContactType::MobileUnit } else { ContactType::Street },
        participant_code: Some(format!("P{:03}X{}", i % 400, i % 7)),
        age_band: Some("25-34".into()),
        gender: Some(if i.is_multiple_of(2) { "woman" } else { "man" }.into()),
        items,
        syringes_collected: (i % 25) as u32,
        referrals: if i.is_multiple_of(9) { vec!["moud".into()] } else { vec![] },
        substances: vec!["opioids".into()],
        ..NewEncounter::new(now - Duration::minutes((i % 5000) as i64), "downtown")
    }
}

/// `count` different entries of `from`.
fn some(rng: &mut Rng, from: &[&str], count: usize) -> Vec<String> {
    let mut pool: Vec<&str> = from.to_vec();
    (0..count.min(pool.len())).map(|_| pool.swap_remove(rng.below(pool.len() as u64) as usize).to_string()).collect()
}

fn code(rng: &mut Rng, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    (0..len).map(|_| ALPHABET[rng.below(ALPHABET.len() as u64) as usize] as char).collect()
}

fn random(rng: &mut Rng, now: DateTime<Utc>) -> NewEncounter {
    let at = now - Duration::minutes(rng.below(30 * 24 * 60) as i64);
    let count = 1 + rng.below(5) as usize;
    let items = some(rng, &ITEMS, count).into_iter().map(|item| iq(&item, 1 + rng.below(40) as u32)).collect();
    let count = if rng.chance(25) { 1 + rng.below(2) as usize } else { 0 };
    let referrals = some(rng, &REFERRALS, count);
    let count = rng.below(3) as usize;
    let substances = some(rng, &SUBSTANCES, count);
    NewEncounter {
        contact_type: rng.pick(&CONTACTS),
        participant_code: rng.chance(80).then(|| code(rng, 6)),
        age_band: rng.chance(90).then(|| rng.pick(&AGE_BANDS).to_string()),
        gender: rng.chance(90).then(|| rng.pick(&GENDERS).to_string()),
        items,
        syringes_collected: if rng.chance(30) { rng.below(60) as u32 } else { 0 },
        referrals,
        substances,
        ..NewEncounter::new(at, rng.pick(&ZONES))
    }
}

/// The starter catalog's standard kit, as a worker taps it.
fn standard_kit() -> Vec<ItemQuantity> {
    satchel_core::settings::starter()
        .into_iter()
        .find_map(|s| match s {
            Setting::Kit(k) if k.id == "standard" => Some(k.items),
            _ => None,
        })
        .expect("the starter settings have a standard kit")
}

fn skewed(rng: &mut Rng, now: DateTime<Utc>) -> NewEncounter {
    // An evening shift on one of the last 30 days: 18:00–23:00 UTC, a minute within it.
    let day = (now - Duration::days(1 + rng.below(30) as i64)).date_naive();
    let at = day.and_hms_opt(18, 0, 0).expect("a time").and_utc() + Duration::minutes(rng.below(5 * 60) as i64);
    let items = match rng.below(100) {
        0..=74 => standard_kit(),
        75..=89 => vec![iq("naloxone-nasal", 1), iq("fentanyl-strip", 2)],
        _ => {
            let count = 1 + rng.below(2) as usize;
            some(rng, &ITEMS[..6], count).into_iter().map(|item| iq(&item, [1, 5, 10][rng.below(3) as usize])).collect()
        }
    };
    let regular = rng.below(300);
    NewEncounter {
        contact_type: if rng.chance(85) { ContactType::Street } else { ContactType::MobileUnit },
        participant_code: rng.chance(85).then(|| format!("RG{regular:04}")),
        age_band: Some(AGE_BANDS[1 + (regular % 3) as usize].to_string()),
        gender: Some(GENDERS[(regular % 2) as usize].to_string()),
        items,
        syringes_collected: if rng.chance(40) { 10 * rng.below(4) as u32 } else { 0 },
        referrals: if rng.chance(5) { vec!["moud".into()] } else { vec![] },
        substances: vec!["opioids".into()],
        ..NewEncounter::new(at, if rng.chance(80) { "downtown" } else { "riverside" })
    }
}
