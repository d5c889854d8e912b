//! A day in the field on one outreach phone: creates (or opens) an encrypted store in DIR with
//! the starter catalog, loads the van, logs an evening shift of encounters with corrections and
//! a void, counts stock at the end, and prints the day's tally and stock levels.
//!
//! cargo run --release -p satchel-core --example field_day -- --dir DIR [--pin PIN] [--seed N]
// An example kept short: a failed unwrap stops it with its message.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use satchel_core::suppress::{suppress_tally, Cell};
use satchel_core::{AdjustReason, ContactType, CreateOptions, ItemQuantity, NewEncounter, Role, Store, TallyQuery};

const DEFAULT_PIN: &str = "2468";

struct Args {
    dir: PathBuf,
    pin: String,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut dir = None;
    let mut pin = DEFAULT_PIN.to_string();
    let mut seed = 7;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--dir" => dir = Some(PathBuf::from(value("--dir")?)),
            "--pin" => pin = value("--pin")?,
            "--seed" => seed = value("--seed")?.parse().map_err(|_| "--seed takes a whole number".to_string())?,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args { dir: dir.ok_or("--dir DIR is required")?, pin, seed })
}

/// A small deterministic generator, so a seed gives the same day.
struct Dice(u64);
impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.roll(100) < percent
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.roll(from.len() as u64) as usize]
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("error: {msg}");
            }
            eprintln!("usage: field_day --dir DIR [--pin PIN (default {DEFAULT_PIN})] [--seed N]");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> satchel_core::Result<()> {
    let clock = Arc::new(Mutex::new(Utc::now()));
    let c = clock.clone();
    let store = if Store::exists(&args.dir) {
        let s = Store::open(&args.dir)?;
        s.unlock_with_pin(&args.pin)?;
        println!("Opened the store in {}", args.dir.display());
        s
    } else {
        let s = Store::create(&args.dir, CreateOptions::with_pin(Role::Outreach, &args.pin))?;
        println!("Created an encrypted store in {} (unlock it with the PIN from --pin, default {DEFAULT_PIN})", args.dir.display());
        s
    }
    .with_clock(Arc::new(move || *c.lock().unwrap()));
    let set_time = |t: DateTime<Utc>| *clock.lock().unwrap() = t;

    let settings = store.settings()?;
    let tz = settings.time_zone();
    // Yesterday's evening shift, in the program's time zone.
    let day: NaiveDate = tz.local(Utc::now()).date_naive() - Duration::days(1);
    let local = |h: u32, m: u32| tz.earliest(day.and_hms_opt(h, m, 0).unwrap()).unwrap();
    let mut dice = Dice(args.seed);

    set_time(local(17, 30));
    store.set_device_location(Some("van-1"))?;
    store.receive_stock("office", "syringe-1ml", 3000)?;
    store.receive_stock("office", "naloxone-nasal", 60)?;
    for (item, q) in [("syringe-1ml", 1000), ("naloxone-nasal", 24), ("fentanyl-strip", 80), ("cooker", 120), ("cotton", 250),
        ("sterile-water", 120), ("alcohol-pad", 400), ("tourniquet", 30), ("pipe-glass", 30), ("mouthpiece", 60),
        ("wound-kit", 15), ("condom", 100)]
    {
        if item == "syringe-1ml" || item == "naloxone-nasal" {
            store.transfer_stock("office", "van-1", item, q)?;
        } else {
            store.receive_stock("van-1", item, q)?;
        }
    }

    let zones = ["downtown", "riverside", "eastside", "northgate"];
    let ages = ["under-25", "25-34", "35-44", "45-54", "55-plus"];
    let genders = ["woman", "man", "nonbinary", "declined"];
    let mut logged = Vec::new();
    let mut t = local(18, 0);
    let encounters = 35 + dice.roll(15);
    for _ in 0..encounters {
        t += Duration::minutes(3 + dice.roll(5) as i64);
        set_time(t + Duration::minutes(1));
        let code = format!("P{:02}X{:02}", dice.roll(30), dice.roll(28) + 1);
        let seen = store.participant_seen(&code)?;
        let kit = *[("standard", 50), ("naloxone", 20), ("smoking", 20), ("wound", 10)]
            .iter()
            .scan(dice.roll(100) as i64, |left, k| {
                *left -= k.1;
                Some((k.0, *left))
            })
            .find(|(_, left)| *left < 0)
            .map(|(k, _)| k)
            .get_or_insert("standard");
        let mut substances = vec![];
        if dice.chance(70) {
            substances.push("opioids".to_string());
        }
        if dice.chance(35) {
            substances.push("stimulants".to_string());
        }
        if dice.chance(15) {
            substances.push("xylazine".to_string());
        }
        let base = NewEncounter {
            contact_type: if dice.chance(75) { ContactType::Street } else { ContactType::MobileUnit },
            participant_code: dice.chance(85).then_some(code),
            new_participant: !seen && dice.chance(30),
            age_band: dice.chance(80).then(|| dice.pick(&ages).to_string()),
            gender: dice.chance(80).then(|| dice.pick(&genders).to_string()),
            syringes_collected: if kit == "standard" { dice.roll(40) as u32 } else { 0 },
            referrals: if dice.chance(12) { vec![dice.pick(&["moud", "wound-care", "housing", "hiv-hcv-testing"]).to_string()] } else { vec![] },
            substances,
            overdose_reversals: u32::from(dice.chance(4)),
            collecting_for: if dice.chance(15) { 1 + dice.roll(3) as u32 } else { 0 },
            ..NewEncounter::new(t, dice.pick(&zones))
        };
        let base = NewEncounter { naloxone_doses_used: base.overdose_reversals * 2, ..base };
        let adjustments = if kit == "standard" && dice.chance(30) {
            vec![ItemQuantity { item: "syringe-1ml".into(), quantity: 20 + 10 * dice.roll(3) as u32 }]
        } else {
            vec![]
        };
        logged.push((store.log_from_kit(kit, &adjustments, &base)?, base));
    }
    // A typo fixed, and an entry logged twice by mistake.
    set_time(t + Duration::minutes(5));
    let (first, base) = logged[0].clone();
    store.correct_encounter(first, &NewEncounter { participant_code: None, syringes_collected: base.syringes_collected + 10, ..base })?;
    store.void_encounter(logged[logged.len() - 1].0)?;
    store.adjust_stock("van-1", "naloxone-nasal", -2, AdjustReason::Expired)?;
    let pads = store.stock_levels(Some("van-1"))?.into_iter().find(|l| l.item == "alcohol-pad").map(|l| l.level).unwrap_or(0);
    store.count_stock("van-1", "alcohol-pad", (pads - 3).max(0) as u32)?;

    let tally = store.tally(&TallyQuery::period(day, day))?;
    let m = &tally.total;
    println!("\nField day {day} ({}), {} encounters logged, 1 corrected, 1 voided", tally.time_zone, encounters);
    println!("\nTally (exact, on this phone)");
    println!("  encounters              {:>6}", m.encounters);
    println!("  unduplicated people     {:>6}", m.participants);
    println!("  new participants        {:>6}", m.new_participants);
    println!("  syringes given/returned {:>6} / {} (return ratio {:.2})", m.syringes_distributed, m.syringes_collected, m.syringe_return_ratio().unwrap_or(0.0));
    println!("  naloxone doses given    {:>6}", m.naloxone_doses_distributed);
    println!("  reversals reported      {:>6} ({} doses used)", m.overdose_reversals, m.naloxone_doses_used);
    println!("  secondary distribution  {:>6} people", m.collecting_for);
    for (name, map) in [("contact type", &m.by_contact_type), ("zone", &m.by_zone), ("referrals", &m.referrals), ("substances", &m.by_substance)] {
        let parts: Vec<String> = map.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!("  {name:<23} {}", parts.join(", "));
    }
    println!("\nAs exported (counts 1–{} suppressed as *)", settings.program.small_cell_threshold - 1);
    let (suppressed, _) = suppress_tally(&tally, None, settings.program.small_cell_threshold);
    for s in suppressed.into_iter().filter(|t| ["summary", "syringes_distributed"].contains(&t.name.as_str())) {
        let row = s.rows.last().expect("total row");
        let cells: Vec<String> = s
            .columns
            .iter()
            .zip(&row.cells)
            .map(|(c, v)| match v {
                Cell::Count(n) => format!("{c} {n}"),
                Cell::Suppressed => format!("{c} *"),
            })
            .collect();
        println!("  {:<10} {}", s.name, cells.join(", "));
    }
    println!("\nStock in the van at the end of the shift");
    let low = store.low_stock()?;
    for level in store.stock_levels(Some("van-1"))? {
        let name = settings.item(&level.item).map(|i| i.name.as_str()).unwrap_or(&level.item);
        let flag = if low.iter().any(|l| l.item == level.item) { "  LOW" } else { "" };
        println!("  {name:<38} {:>6}{flag}", level.level);
    }
    let pending: u64 = store.outbox_status()?.iter().map(|s| s.pending).sum();
    println!("\n{pending} records waiting to sync");
    Ok(())
}
