//! `satchel demo`: a field day in one command on the embedded default. A sync server on this
//! machine (SQLite in DIR), a program and its manager, two outreach phones enrolled by code,
//! yesterday evening's shift logged on each while offline, a sync, a pull, and the report in
//! every format — all in DIR.

use std::path::Path;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use satchel_core::crypto::KdfParams;
use satchel_core::{ContactType, CreateOptions, HttpTransport, ItemQuantity, Location, NewEncounter, Program, Role, Setting, Store};
use satchel_server::connections::ConnectionLimits;
use satchel_server::http::ApiLimits;
use satchel_server::serve::{self, ServeOptions, Storage};

use crate::error::{CliError, Result};
use crate::manager::Manager;
use crate::report::{self, Report};
use crate::writers::{self, Format};

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
        Store::create(&dir.join(name), CreateOptions { role, pin: Some(secret.into()), platform_key: None, kdf: KdfParams::DEFAULT })
            .map_err(CliError::from)
    };

    // The manager sets up the program and stocks the office.
    let manager = create("manager", Role::Manager, &passphrase)?;
    manager.start_program(url, token, &net)?;
    manager
        .put_setting(Setting::Program(Program { name: "Northside Harm Reduction (demo)".into(), ..Program::default() }))
        ?;
    manager.put_setting(Setting::Location(Location { id: "van-2".into(), name: "Van 2".into(), active: true }))?;
    for (item, q) in [("syringe-1ml", 6000), ("naloxone-nasal", 120), ("fentanyl-strip", 300), ("wound-kit", 40)] {
        manager.receive_stock("office", item, q)?;
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

    // Yesterday evening, no signal: each van loads up and works its shift.
    let tz = manager.settings()?.time_zone();
    let day: NaiveDate = Utc::now().with_timezone(&tz).date_naive() - Duration::days(1);
    let at = |h: u32, m: u32| tz.from_local_datetime(&day.and_hms_opt(h, m, 0).expect("a time")).earliest().expect("a local time").with_timezone(&Utc);
    let mut dice = Dice(0x5a7c_4e1d);
    let mut logged = 0;
    for (phone, van) in phones.iter().zip(["van-1", "van-2"]) {
        for (item, q) in [("syringe-1ml", 1200), ("naloxone-nasal", 30), ("fentanyl-strip", 100), ("wound-kit", 12)] {
            phone.transfer_stock("office", van, item, q)?;
        }
        for (item, q) in [("cooker", 120), ("cotton", 250), ("sterile-water", 120), ("alcohol-pad", 400), ("tourniquet", 60), ("pipe-glass", 30), ("mouthpiece", 60)] {
            phone.receive_stock(van, item, q)?;
        }
        let mut t = at(17, 45);
        for _ in 0..40 + dice.roll(20) {
            t += Duration::minutes(2 + dice.roll(6) as i64);
            let kit = dice.pick(&["standard", "standard", "standard", "naloxone", "smoking", "wound"]);
            let code = format!("P{:02}X{:02}", dice.roll(40), dice.roll(28) + 1);
            let seen = phone.participant_seen(&code)?;
            let reversal = dice.chance(4);
            let base = NewEncounter {
                contact_type: if dice.chance(70) { ContactType::Street } else { ContactType::MobileUnit },
                participant_code: dice.chance(85).then_some(code),
                new_participant: !seen && dice.chance(25),
                age_band: dice.chance(80).then(|| dice.pick(&["under-25", "25-34", "35-44", "45-54", "55-plus"]).to_string()),
                gender: dice.chance(80).then(|| dice.pick(&["woman", "man", "nonbinary", "declined"]).to_string()),
                syringes_collected: if kit == "standard" { dice.roll(40) as u32 } else { 0 },
                referrals: if dice.chance(15) { vec![dice.pick(&["moud", "wound-care", "housing", "hiv-hcv-testing"]).to_string()] } else { vec![] },
                substances: [("opioids", 70), ("stimulants", 35), ("xylazine", 15)]
                    .iter()
                    .filter(|(_, p)| dice.chance(*p))
                    .map(|(s, _)| s.to_string())
                    .collect(),
                overdose_reversals: u32::from(reversal),
                naloxone_doses_used: if reversal { 2 } else { 0 },
                collecting_for: if dice.chance(15) { 1 + dice.roll(3) as u32 } else { 0 },
                ..NewEncounter::new(t, dice.pick(&["downtown", "riverside", "eastside", "northgate"]))
            };
            let extra = if kit == "standard" && dice.chance(30) { vec![ItemQuantity { item: "syringe-1ml".into(), quantity: 20 }] } else { vec![] };
            phone.log_from_kit(kit, &extra, &base)?;
            logged += 1;
        }
        phone.count_stock(van, "naloxone-nasal", 30 - dice.roll(10) as u32)?;
    }
    let pending: u64 = phones.iter().map(|p| p.sync_status().map(|s| s.pending).unwrap_or(0)).sum();
    println!("Shift of {day}: {logged} encounters logged offline ({pending} records waiting to sync)");

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
    let r = Report::build(manager.store(), day, day, None, None, true)?;
    for (format, name) in [(Format::Csv, "report.csv"), (Format::Xlsx, "report.xlsx"), (Format::Json, "report.json"), (Format::Html, "report.html")] {
        writers::write(&r, format, &dir.join(name))?;
    }
    println!("Reports written: {}, report.xlsx, report.json, report.html\n", dir.join("report.csv").display());
    print!("{}", report::summary(&r));
    Ok(())
}
