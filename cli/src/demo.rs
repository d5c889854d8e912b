//! `satchel demo`: a quarter of outreach in one command on the embedded default. A sync server
//! on this machine (SQLite in DIR), a program and its manager, two outreach phones enrolled by
//! code, 13 weeks of shifts logged on each while offline (with a few entries corrected or
//! voided, as workers do), a sync at each week's end, a pull, and the quarter's report in every
//! format — all in DIR.

use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, NaiveDate, Utc};
use satchel_core::crypto::KdfParams;
use satchel_core::directory::{Opening, Service, ServiceAccess, ServiceText};
use satchel_core::profile::{Answer, ProfileAnswers};
use satchel_core::{ContactType, ContainerCount, DeliveredService, NaloxoneKit, Outcome, CreateOptions, HttpTransport, ItemQuantity, Location, NewEncounter, Program, Role, Setting, Store};
use satchel_server::connections::ConnectionLimits;
use satchel_server::http::ApiLimits;
use satchel_server::serve::{self, ServeOptions, Storage};

use crate::error::{CliError, Result};
use crate::manager::Manager;
use crate::report::{self, Report};
use crate::writers::{self, Format};

/// How many days the demo works: 13 weeks, a quarter.
const QUARTER_DAYS: i64 = 91;

/// The demo program's services directory: one service for each referral its workers make, in
/// English and Spanish, with opening hours, so that phones suggest them and the report's
/// "Referrals by service suggested" has something to count.
fn directory() -> Vec<Service> {
    let hours = |days: &[&str], opens: &str, closes: &str| {
        days.iter().map(|d| Opening { day: (*d).into(), opens: opens.into(), closes: closes.into() }).collect::<Vec<_>>()
    };
    let text = |en: &str, es: &str| ServiceText::new(en, es);
    let weekdays = ["mon", "tue", "wed", "thu", "fri"];
    let service = |id: &str, name: ServiceText, referral: &str, area: ServiceText, hours: Vec<Opening>, access: ServiceAccess| Service {
        id: id.into(),
        name,
        referral_types: vec![referral.into()],
        area,
        hours,
        phone: Some("555-0100".into()),
        access,
        requires_id: false,
        requires_insurance: false,
        requires_sobriety: false,
        languages: vec!["English".into(), "Spanish".into()],
        notes: None,
        active: true,
    };
    vec![
        Service {
            notes: Some(text("Same-day starts; no insurance needed.", "Se empieza el mismo día; no hace falta seguro.")),
            ..service(
                "harbor-bridge",
                text("Harbor Bridge Clinic (buprenorphine)", "Clínica Harbor Bridge (buprenorfina)"),
                "moud",
                text("410 Harbor St", "410 Harbor St"),
                hours(&weekdays, "08:00", "16:00"),
                ServiceAccess::WalkInOrAppointment,
            )
        },
        service(
            "eastside-wound",
            text("Eastside Wound Care Walk-in", "Curación de heridas Eastside (sin cita)"),
            "wound-care",
            text("Eastside community center, side door", "Centro comunitario Eastside, puerta lateral"),
            hours(&["tue", "thu", "sat"], "12:00", "18:00"),
            ServiceAccess::WalkIn,
        ),
        service(
            "northgate-testing",
            text("Northgate Testing Center (HIV, hepatitis C)", "Centro de pruebas Northgate (VIH, hepatitis C)"),
            "hiv-hcv-testing",
            text("Northgate Ave & 12th", "Northgate Ave y calle 12"),
            hours(&["mon", "wed", "fri"], "10:00", "17:00"),
            ServiceAccess::WalkIn,
        ),
        service(
            "river-shelter",
            text("River Street Night Shelter", "Albergue nocturno River Street"),
            "housing",
            text("88 River St", "88 River St"),
            hours(&["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "19:00", "07:00"),
            ServiceAccess::Appointment,
        ),
    ]
}

/// One van's week: the weekdays it works (0 = Monday), when its shift starts, and the zones it
/// covers (a zone listed twice is where it spends most of its time).
struct Van {
    id: &'static str,
    days: [u32; 3],
    start: (u32, u32),
    zones: [&'static str; 3],
}

/// A participant the vans see again and again, with the same answers each time.
struct Regular {
    code: String,
    age_band: &'static str,
    gender: &'static str,
    /// What they answer when a worker asks the profile's questions (D89).
    profile: ProfileAnswers,
}

/// The people the program serves this quarter: a few hundred, each with a code of the kind a
/// worker would derive, an age band and a gender.
fn regulars(dice: &mut Dice) -> Vec<Regular> {
    (0..320)
        .map(|i| Regular {
            code: format!("P{:02}X{:02}{}", dice.roll(90) + 10, dice.roll(28) + 1, i % 10),
            age_band: dice.pick(&["under-25", "25-34", "25-34", "35-44", "35-44", "45-54", "55-plus"]),
            gender: dice.pick(&["woman", "man", "man", "nonbinary", "declined"]),
            profile: profile_of(i),
        })
        .collect()
}

/// A regular's profile answers, from a dice of their own (the quarter's dice stays as it was):
/// most answer, some decline a question, a few are asked later.
fn profile_of(i: u64) -> ProfileAnswers {
    let mut dice = Dice(0x2f6b_91c3 ^ (i + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let one = |id: &str| Answer::Chosen(vec![id.to_string()]);
    let race = match dice.roll(100) {
        0..=41 => one("white"),
        42..=71 => one("black"),
        72..=75 => one("american-indian-alaska-native"),
        76..=79 => one("asian"),
        80..=81 => one("native-hawaiian-pacific-islander"),
        82..=89 => Answer::Chosen(vec!["black".into(), "white".into()]),
        90..=95 => Answer::Declined,
        _ => Answer::NotAsked,
    };
    let ethnicity = match dice.roll(100) {
        0..=21 => one("hispanic-latino"),
        22..=89 => one("not-hispanic-latino"),
        90..=95 => Answer::Declined,
        _ => Answer::NotAsked,
    };
    let residence = match dice.roll(100) {
        0..=64 => one("this-county"),
        65..=79 => one("other-county"),
        80..=83 => one("out-of-state"),
        84..=94 => one("no-fixed-address"),
        _ => Answer::NotAsked,
    };
    ProfileAnswers { race, ethnicity, residence }
}

/// The phones' PIN in the demo.
const PHONE_PIN: &str = "2468";
/// The manager's passphrase in the demo, unless SATCHEL_PASSPHRASE gives one.
const DEMO_PASSPHRASE: &str = "demo passphrase";

/// A small deterministic dice, so every demo tells the same story.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.roll(100) < percent
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.roll(from.len() as u64) as usize]
    }
}

pub fn run(dir: &Path) -> Result<()> {
    if dir.exists() && std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?.next().is_some() {
        return Err(format!("{} is not empty; the demo needs a new or empty folder", dir.display()).into());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| e.to_string())?;
    let storage = Storage::Directory(dir.join("hub"));
    let (_, token) = rt.block_on(serve::init(&storage, Utc::now().timestamp())).map_err(|e| e.to_string())?;
    let opts = ServeOptions {
        storage,
        listen: "127.0.0.1:0".parse().expect("an address"),
        tls: None,
        insecure_loopback: true,
        limits: ApiLimits::default(),
        connections: ConnectionLimits::default(),
    };
    let server = rt.block_on(serve::start(opts, serve::system_clock())).map_err(|e| e.to_string())?;
    let url = server.url();
    println!("Sync server on {url} (data in {})", dir.join("hub").display());
    let result = field_day(dir, &url, &token);
    rt.block_on(server.stop(std::time::Duration::from_secs(2)));
    result
}

fn field_day(dir: &Path, url: &str, token: &str) -> Result<()> {
    let net = HttpTransport::new(url, None)?;
    let passphrase = std::env::var("SATCHEL_PASSPHRASE").unwrap_or_else(|_| DEMO_PASSPHRASE.into());
    let create = |name: &str, role, secret: &str| {
        Store::create(&dir.join(name), CreateOptions { role, pin: secret.into(), hardware: None, background: false, kdf: KdfParams::DEFAULT })
            .map_err(CliError::from)
    };

    // The manager sets up the program and stocks the office.
    let manager = create("manager", Role::Manager, &passphrase)?;
    manager.start_program(url, token, &net)?;
    manager
        .put_setting(Setting::Program(Program {
            name: "Northside Harm Reduction (demo)".into(),
            // The demo's own figure: a program weighs a batch it has counted once.
            syringes_per_pound: 90,
            ..manager.settings()?.program
        }))?;
    manager.put_setting(Setting::Location(Location { id: "van-2".into(), name: "Van 2".into(), name_es: Some("Camioneta 2".into()), active: true }))?;
    for service in directory() {
        manager.put_setting(Setting::Service(service))?;
    }
    manager.sync_now(&net)?;
    println!("Program set up; manager's store in {} (passphrase {passphrase:?})", dir.join("manager").display());

    // Two phones enrolled by one-time codes, as if scanned.
    let mut phones = Vec::new();
    for (i, van) in ["van-1", "van-2"].iter().enumerate() {
        let (code, _) = manager.create_enrollment(&format!("Van {}", i + 1), Role::Outreach, &net)?;
        let phone = create(van, Role::Outreach, PHONE_PIN)?;
        phone.enroll_with_code(&code, &net)?;
        phone.sync_now(&net)?;
        phone.set_device_location(Some(van))?;
        phones.push(phone);
    }
    println!("Two outreach phones enrolled ({}, {}; PIN {PHONE_PIN})", dir.join("van-1").display(), dir.join("van-2").display());

    // A quarter of work: the 13 weeks ending yesterday. Van 1 works Monday, Wednesday and
    // Friday evenings downtown and by the river; Van 2 Tuesday, Thursday and Saturday
    // afternoons east and north. Each loads up at the office on its first shift of the week,
    // works offline, and syncs when back in signal at the week's end.
    let tz = manager.settings()?.time_zone();
    let last: NaiveDate = tz.local(Utc::now()).date_naive() - Duration::days(1);
    let first = last - Duration::days(QUARTER_DAYS - 1);
    let at = |day: NaiveDate, h: u32, m: u32| {
        tz.earliest(day.and_hms_opt(h, m, 0).expect("a time")).expect("a local time")
    };
    let services = directory();
    let mut dice = Dice(0x5a7c_4e1d);
    let people = regulars(&mut dice);
    let vans = [
        Van { id: "van-1", days: [0, 2, 4], start: (17, 30), zones: ["downtown", "downtown", "riverside"] },
        Van { id: "van-2", days: [1, 3, 5], start: (13, 0), zones: ["eastside", "northgate", "northgate"] },
    ];
    let (mut logged, mut shifts, mut voided, mut corrected) = (0u64, 0u64, 0u64, 0u64);
    // The office's sharps, dice of their own so the quarter's story stays the same.
    let (mut sharps, mut mondays) = (Dice(0x3c5e_a917), 0);
    let mut day = first;
    while day <= last {
        let weekday = day.weekday().num_days_from_monday();
        if weekday == 0 && day != first {
            // Monday morning at the office: last week's sharps containers are weighed and sent
            // for disposal; every fourth week a mail-back box is counted as well, and once a
            // weighing typed twice is voided.
            let morning = Some(at(day, 9, 30));
            mondays += 1;
            let pounds = 60 + sharps.roll(90);
            manager.record_disposal(satchel_core::disposal::NewDisposal::Weighed { tenths_of_pound: pounds as u32 }, morning)?;
            if sharps.chance(25) {
                let counted = 40 + sharps.roll(80) as u32;
                manager.record_disposal(satchel_core::disposal::NewDisposal::Counted { syringes: counted }, morning)?;
            }
            if mondays == 6 {
                let twice = manager.record_disposal(satchel_core::disposal::NewDisposal::Weighed { tenths_of_pound: pounds as u32 }, morning)?;
                manager.void_disposal(twice)?;
            }
        }
        if weekday == 0 || day == first {
            manager.receive_stock("office", "syringe-1ml", 2400)?;
            manager.receive_stock("office", "naloxone-nasal", 60)?;
            manager.receive_stock("office", "fentanyl-strip", 150)?;
            manager.receive_stock("office", "wound-kit", 20)?;
            manager.sync_now(&net)?;
        }
        for (phone, van) in phones.iter().zip(&vans) {
            let Some(nth) = van.days.iter().position(|d| *d == weekday) else { continue };
            if dice.chance(8) {
                continue; // A shift called off: a sick day, a van in the shop.
            }
            if nth == 0 || day == first {
                phone.sync_now(&net)?; // The week's new stock, before loading up.
                for (item, q) in [("syringe-1ml", 1100), ("naloxone-nasal", 28), ("fentanyl-strip", 70), ("wound-kit", 9)] {
                    phone.transfer_stock("office", van.id, item, q)?;
                }
                for (item, q) in [("cooker", 60), ("cotton", 120), ("sterile-water", 60), ("alcohol-pad", 200), ("tourniquet", 30), ("pipe-glass", 15), ("mouthpiece", 30)] {
                    phone.receive_stock(van.id, item, q)?;
                }
            }
            shifts += 1;
            let mut t = at(day, van.start.0, van.start.1);
            let mut this_shift = Vec::new();
            for _ in 0..12 + dice.roll(18) {
                t += Duration::minutes(3 + dice.roll(9) as i64);
                let person = &people[dice.roll(people.len() as u64) as usize];
                let kit = dice.pick(&["standard", "standard", "standard", "naloxone", "smoking", "wound"]);
                let seen = phone.participant_seen(&person.code)?;
                let reversal = dice.chance(3);
                let mut base = NewEncounter {
                    contact_type: if dice.chance(70) { ContactType::Street } else { ContactType::MobileUnit },
                    participant_code: dice.chance(85).then(|| person.code.clone()),
                    new_participant: !seen && dice.chance(60),
                    age_band: dice.chance(85).then(|| person.age_band.to_string()),
                    gender: dice.chance(85).then(|| person.gender.to_string()),
                    syringes_collected: if kit == "standard" { dice.roll(12) as u32 } else { 0 },
                    // Now and then a participant brings a full container back, uncounted.
                    sharps_containers: if dice.chance(1) {
                        vec![ContainerCount { container: dice.pick(&["quart", "quart", "quart", "gallon"]).into(), count: 1 + dice.roll(2) as u32 }]
                    } else {
                        vec![]
                    },
                    referrals: if dice.chance(12) { vec![dice.pick(&["moud", "wound-care", "housing", "hiv-hcv-testing"]).to_string()] } else { vec![] },
                    substances: [("opioids", 70), ("stimulants", 35), ("xylazine", 15)]
                        .iter()
                        .filter(|(_, p)| dice.chance(*p))
                        .map(|(s, _)| s.to_string())
                        .collect(),
                    overdose_reversals: u32::from(reversal),
                    naloxone_doses_used: if reversal { 2 } else { 0 },
                    collecting_for: if dice.chance(15) { 1 + dice.roll(3) as u32 } else { 0 },
                    ..NewEncounter::new(t, dice.pick(&van.zones))
                };
                // What a worker gives on site, and why a naloxone kit: from a dice of this
                // contact's own, so the quarter's dice tells the same story as before.
                let mut side = Dice(0x7d1c_55e3 ^ (logged + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
                let wound = kit == "wound" && side.chance(50);
                if wound || side.chance(6) {
                    let service = if wound { "wound-care" } else { side.pick(&["hiv-test", "hiv-test", "hcv-test", "vaccination", "moud"]) };
                    let outcome = if side.chance(35) { Outcome::LinkedToCare } else { Outcome::Done };
                    base.services_delivered = vec![DeliveredService { service: service.into(), outcome }];
                }
                if kit == "naloxone" {
                    base.naloxone_kit = Some(if !seen {
                        NaloxoneKit::First
                    } else {
                        match side.roll(100) {
                            0..=44 => NaloxoneKit::RefillUsed,
                            45..=64 => NaloxoneKit::RefillLost,
                            65..=79 => NaloxoneKit::RefillConfiscated,
                            80..=89 => NaloxoneKit::RefillExpired,
                            _ => NaloxoneKit::RefillOther,
                        }
                    });
                }
                // A code new to this phone: the worker asks the profile's questions.
                if !seen && base.participant_code.is_some() && !person.profile.is_empty() {
                    base.profile = Some(person.profile.clone());
                }
                // The worker suggests the directory's service for the referral, as the sheet offers it.
                base.suggested_services = base
                    .referrals
                    .iter()
                    .filter_map(|r| services.iter().find(|s| s.referral_types.contains(r)))
                    .map(|s| s.id.clone())
                    .collect();
                let extra = if kit == "standard" && dice.chance(30) { vec![ItemQuantity { item: "syringe-1ml".into(), quantity: 20 }] } else { vec![] };
                let id = phone.log_from_kit(kit, &extra, &base)?;
                this_shift.push(id);
                logged += 1;
            }
            // Before the shift ends a worker fixes an entry or two: a wrong zone picked, an
            // entry logged twice by mistake.
            if dice.chance(40) {
                let id = this_shift[dice.roll(this_shift.len() as u64) as usize];
                let fixed = NewEncounter { zone: van.zones[dice.roll(3) as usize].to_string(), ..phone.encounter_for_correction(id)? };
                phone.correct_encounter(id, &fixed)?;
                corrected += 1;
            }
            if dice.chance(25) {
                let id = this_shift.swap_remove(dice.roll(this_shift.len() as u64) as usize);
                phone.void_encounter(id)?;
                voided += 1;
            }
            if nth == 2 {
                phone.count_stock(van.id, "naloxone-nasal", dice.roll(6) as u32)?;
                phone.sync_now(&net)?;
            }
        }
        day += Duration::days(1);
    }
    let pending: u64 = phones.iter().map(|p| p.sync_status().map(|s| s.pending).unwrap_or(0)).sum();
    println!(
        "Quarter of {first} to {last}: {logged} encounters logged over {shifts} shifts ({corrected} corrected, {voided} voided; {} stand; {pending} records waiting to sync)",
        logged - voided
    );

    // Back in signal: the phones sync, the manager pulls.
    for phone in &phones {
        phone.sync_now(&net)?;
    }
    let pulled = manager.sync_now(&net)?;
    for phone in &phones {
        phone.sync_now(&net)?;
    }
    println!("Synced; the manager pulled {} records", pulled.pulled);
    let levels = |s: &Store| s.stock_levels(None).map_err(CliError::from);
    if levels(&phones[0])? != levels(&manager)? || levels(&phones[1])? != levels(&manager)? {
        return Err("stock levels differ between devices after the sync".into());
    }

    // The reports.
    let manager = Manager::from_store(manager);
    let outputs = [(Format::Csv, "report.csv"), (Format::Xlsx, "report.xlsx"), (Format::Json, "report.json"), (Format::Html, "report.html")];
    let paths: Vec<PathBuf> = outputs.iter().map(|(_, name)| dir.join(name)).collect();
    let mut release = manager.store().stage_release(&paths)?;
    let bar = crate::manager::AuditBar::new();
    let built = Report::build(manager.store(), first, last, None, None, Some(&mut release), &|step, p| bar.tell(step, p));
    bar.finish();
    let r = built?;
    for (i, ((format, _), path)) in outputs.iter().zip(&paths).enumerate() {
        writers::write_into(&r, *format, path, release.file(i)?)?;
    }
    release.publish()?;
    println!("Reports written: {}, report.xlsx, report.json, report.html\n", dir.join("report.csv").display());
    print!("{}", report::summary(&r));
    Ok(())
}
