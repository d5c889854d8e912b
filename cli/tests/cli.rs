//! The `satchel` binary against a real server on 127.0.0.1: devices enrolled through it, a pull,
//! and every export read back with a real reader (csv, calamine, serde_json) and compared with
//! counts the test keeps itself. Bad input gets a clear message, a non-zero exit, and writes
//! nothing.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use chrono::{Duration, Utc};
use satchel_core::{ItemQuantity, NewEncounter, Role};
use satchel_e2e::*;

const THRESHOLD: u64 = 11;

fn satchel(store: &Path, args: &[&str]) -> Output {
    satchel_with(store, args, PIN)
}

fn satchel_with(store: &Path, args: &[&str], passphrase: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_satchel"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env("SATCHEL_PASSPHRASE", passphrase)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Closes a device's store (the CLI opens it next) and keeps its folder.
fn close(d: Device) -> (std::path::PathBuf, tempfile::TempDir) {
    let Device { store, dir } = d;
    drop(store);
    (dir.path().to_path_buf(), dir)
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn fails(out: &Output, code: i32, says: &str) {
    assert_eq!(out.status.code(), Some(code), "stdout {} stderr {}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(err.contains(says), "{says:?} not in {err:?}");
}

/// What the test logged, counted by itself.
#[derive(Default)]
struct Expected {
    encounters: u64,
    by_zone: BTreeMap<String, u64>,
    syringes: u64,
    collected: u64,
}

/// A shown count must be the true one; a hidden one must be small or hidden to protect one.
fn check_cell(value: Option<u64>, truth: u64, what: &str) {
    match value {
        Some(v) => {
            assert_eq!(v, truth, "{what}");
            assert!(v == 0 || v >= THRESHOLD, "{what}: a small count {v} is shown");
        }
        None => assert!(truth > 0, "{what}: a zero was suppressed"),
    }
}

#[test]
fn reports_read_back_equal_the_counts_logged() {
    let server = Server::start();
    let manager = manager(&server);
    let phone = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    let mut expected = Expected::default();
    let zones = [("downtown", 23u64), ("riverside", 14), ("eastside", 3)];
    for (zone, n) in zones {
        for i in 0..n {
            let e = NewEncounter {
                participant_code: Some(format!("PX{:02}QQ", i % 9)),
                items: vec![ItemQuantity { item: "syringe-1ml".into(), quantity: 10 + (i % 3) as u32 }],
                syringes_collected: 4,
                ..NewEncounter::new(Utc::now() - Duration::minutes(5 + i as i64), zone)
            };
            expected.encounters += 1;
            *expected.by_zone.entry(zone.into()).or_default() += 1;
            expected.syringes += e.items[0].quantity as u64;
            expected.collected += 4;
            phone.store.log_encounter(&e).unwrap();
        }
    }
    phone.store.sync_now(&http(&server)).unwrap();
    let (store, _keep) = close(manager);
    let pulled = ok(&satchel(&store, &["pull"]));
    assert!(pulled.contains("Pulled 40 records"), "{pulled}");

    let out = tempfile::tempdir().unwrap();
    let today = Utc::now().date_naive();
    let (from, to) = ((today - Duration::days(2)).to_string(), (today + Duration::days(1)).to_string());
    for ext in ["csv", "xlsx", "json"] {
        let path = out.path().join(format!("r.{ext}"));
        ok(&satchel(&store, &["report", "--from", &from, "--to", &to, "-o", path.to_str().unwrap()]));
    }

    // CSV, with a CSV reader: the period row of each table, by the ids; the names beside them.
    let mut csv = csv::Reader::from_path(out.path().join("r.csv")).unwrap();
    assert_eq!(csv.headers().unwrap(), vec!["table", "table_id", "row", "part", "column", "column_id", "value"]);
    let mut period: BTreeMap<(String, String), Option<u64>> = BTreeMap::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for rec in csv.records() {
        let rec = rec.unwrap();
        names.insert(rec[5].to_string(), rec[4].to_string());
        names.insert(rec[1].to_string(), rec[0].to_string());
        if &rec[3] == "period" {
            period.insert((rec[1].to_string(), rec[5].to_string()), rec[6].parse().ok());
        }
    }
    check_cell(period[&("encounters".into(), "total".into())], expected.encounters, "csv encounters");
    for (zone, n) in &expected.by_zone {
        check_cell(period[&("encounters".into(), format!("zone/{zone}"))], *n, &format!("csv zone {zone}"));
    }
    assert_eq!(period[&("encounters".into(), "zone/eastside".into())], None, "3 encounters are suppressed");
    check_cell(period[&("syringes_distributed".into(), "total".into())], expected.syringes, "csv syringes");
    check_cell(period[&("summary".into(), "syringes_collected".into())], expected.collected, "csv collected");
    // Where a person reads: the program's names and words, no id.
    assert_eq!(names["zone/downtown"], "Zone: Downtown");
    assert_eq!(names["contact_type/street"], "Contact type: Street");
    assert_eq!(names["syringes_distributed"], "Syringes distributed");
    assert_eq!(names["summary"], "Summary counts");
    for (id, name) in &names {
        assert!(name != id && !name.contains('_'), "{id} reads as {name:?}");
    }

    // XLSX, with calamine: one sheet per table named by its title, numbers as numbers, the
    // names in the first header row and the ids in the second.
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut book: Xlsx<_> = open_workbook(out.path().join("r.xlsx")).unwrap();
    assert!(book.sheet_names().contains(&"Encounters".to_string()), "{:?}", book.sheet_names());
    assert!(book.sheet_names().iter().all(|n| !n.contains('_')), "{:?}", book.sheet_names());
    let sheet = book.worksheet_range("Encounters").unwrap();
    let mut rows = sheet.rows();
    let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    let ids: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(&ids[..2], ["row", "part"]);
    let last = sheet.rows().next_back().unwrap();
    assert_eq!(last[1], Data::String("period".into()));
    let col = |id: &str| ids.iter().position(|h| h == id).unwrap();
    assert_eq!(header[col("zone/downtown")], "Zone: Downtown");
    assert_eq!(last[col("total")], Data::Float(expected.encounters as f64), "numbers are numbers");
    assert_eq!(last[col("zone/downtown")], Data::Float(23.0));
    assert_eq!(last[col("zone/eastside")], Data::String("suppressed".into()));

    // JSON, with serde_json.
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(out.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(json["threshold"], THRESHOLD);
    let tables = json["tables"].as_array().unwrap();
    let enc = tables.iter().find(|t| t["name"] == "encounters").unwrap();
    assert_eq!(enc["title"], "Encounters");
    let downtown = enc["columns"].as_array().unwrap().iter().find(|c| c["id"] == "zone/downtown").unwrap();
    assert_eq!((downtown["label"].as_str(), downtown["group"].as_str()), (Some("Downtown"), Some("Zone")));
    let row = enc["rows"].as_array().unwrap().last().unwrap();
    assert_eq!(row["part"], "period");
    assert_eq!(row["total"]["count"], expected.encounters);
    let text = serde_json::to_string(&json).unwrap();
    for secret in ["PX01QQ", &phone.store.device_id().unwrap().to_string()] {
        assert!(!text.contains(secret), "exports hold counts only");
    }
    // Only the one zone asked for.
    let path = out.path().join("down.json");
    ok(&satchel(&store, &["report", "--from", &from, "--to", &to, "--zone", "downtown", "-o", path.to_str().unwrap()]));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let enc = json["tables"].as_array().unwrap().iter().find(|t| t["name"] == "encounters").unwrap().clone();
    assert_eq!(enc["rows"].as_array().unwrap().last().unwrap()["total"]["count"], 23);

    // Every report written is in the ledger; a dry run shows what it would hide and records
    // nothing.
    let listed = ok(&satchel(&store, &["releases"]));
    assert_eq!(listed.lines().filter(|l| l.contains(&from) && l.contains(&to)).count(), 4, "{listed}");
    assert!(listed.contains("downtown"), "{listed}");
    let dry = ok(&satchel(&store, &["report", "--from", &from, "--to", &to, "--zone", "eastside", "--dry-run"]));
    assert!(dry.contains("nothing recorded") && dry.contains("Encounters"), "{dry}");
    assert_eq!(ok(&satchel(&store, &["releases"])), listed, "a dry run records nothing");
    // A month that ends a quarter is audited with the quarter's totals planned (D83).
    let september = ok(&satchel(&store, &["report", "--from", "2026-09-01", "--to", "2026-09-30", "--dry-run"]));
    assert!(september.contains("Audited as if the totals of 2026-07-01 to 2026-09-30"), "{september}");
    let august = ok(&satchel(&store, &["report", "--from", "2026-08-01", "--to", "2026-08-31", "--dry-run"]));
    assert!(!august.contains("Audited as if"), "{august}");

    // A release is recorded only with its files (D78): a missing folder records nothing.
    let missing = out.path().join("nosuchdir").join("q4.csv");
    fails(&satchel(&store, &["report", "--from", &from, "--to", &to, "-o", missing.to_str().unwrap()]), 1, "nosuchdir");
    assert_eq!(ok(&satchel(&store, &["releases"])), listed, "no file, no release");
    let (a, b) = (out.path().join("both.csv"), out.path().join("both.html"));
    fails(&satchel(&store, &["report", "--from", &from, "--to", &to, "--format", "csv", "-o", a.to_str().unwrap(), "-o", b.to_str().unwrap()]), 1, "one output");
    fails(&satchel(&store, &["report", "--from", &from, "--to", &to, "--dry-run", "-o", a.to_str().unwrap()]), 1, "leave out -o");
    // One report in two formats is one release, listed with both files.
    let said = ok(&satchel(&store, &["report", "--from", &from, "--to", &to, "-o", a.to_str().unwrap(), "-o", b.to_str().unwrap()]));
    assert!(a.is_file() && b.is_file(), "{said}");
    let id: String = said.split("Recorded as release ").nth(1).unwrap().chars().take_while(char::is_ascii_digit).collect();
    let now = ok(&satchel(&store, &["releases"]));
    assert_eq!(now.lines().filter(|l| l.contains(&from) && l.contains(&to)).count(), 5, "{now}");
    assert!(now.lines().any(|l| l.trim_start().starts_with(&format!("{id} ")) && l.contains("both.csv") && l.contains("both.html")), "{now}");
    // Withdrawn only with --yes and a note; listed as withdrawn, no longer audited against.
    fails(&satchel(&store, &["releases", "withdraw", &id, "--note", "draft"]), 1, "--yes");
    fails(&satchel(&store, &["releases", "withdraw", &id, "--note", "  ", "--yes"]), 1, "who withdraws");
    let w = ok(&satchel(&store, &["releases", "withdraw", &id, "--note", "draft, never sent", "--yes"]));
    assert!(w.contains("withdrawn") && w.contains("both.csv"), "{w}");
    let now = ok(&satchel(&store, &["releases"]));
    assert!(now.contains("withdrawn") && now.contains("draft, never sent (by "), "{now}");
    fails(&satchel(&store, &["releases", "withdraw", &id, "--note", "again", "--yes"]), 1, "already withdrawn");
    fails(&satchel(&store, &["releases", "withdraw", "999", "--note", "x", "--yes"]), 1, "no release 999");

    // A headline not shown says why beside it (D79): eastside's 3 encounters; the CSV opens
    // with what it covers.
    let (h, c) = (out.path().join("east.html"), out.path().join("east.csv"));
    ok(&satchel(&store, &["report", "--from", &from, "--to", &to, "--zone", "eastside", "-o", h.to_str().unwrap(), "-o", c.to_str().unwrap()]));
    let html = std::fs::read_to_string(&h).unwrap();
    assert!(html.contains("<small class=\"why\">fewer than 11: not shown, to protect the people counted</small>"), "{html}");
    let mut csv = csv::Reader::from_path(&c).unwrap();
    let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
    assert_eq!((&rows[0][1], &rows[0][5]), ("about", "program"), "{:?}", rows[0]);
    assert!(rows.iter().any(|r| &r[1] == "about" && &r[5] == "threshold" && &r[6] == "11"));
    let why = rows.iter().find(|r| &r[3] == "not_shown" && &r[5] == "encounters/total").unwrap();
    assert!(why[6].starts_with("fewer than 11"), "{why:?}");
}

#[test]
fn devices_are_enrolled_listed_and_revoked() {
    let server = Server::start();
    let manager = manager(&server);
    let (store, _keep) = close(manager);
    let out = tempfile::tempdir().unwrap();
    let png = out.path().join("van.png");
    let shown = ok(&satchel(&store, &["device", "enroll", "--label", "Van 7", "--out", png.to_str().unwrap()]));
    assert!(shown.contains("works once, until"), "{shown}");
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    let svg = out.path().join("van.svg");
    ok(&satchel(&store, &["device", "enroll", "--label", "Van 8", "--out", svg.to_str().unwrap()]));
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    assert_eq!(server.open_enrollments(), 2);
    fails(&satchel(&store, &["device", "enroll", "--label", "Van 9", "--out", out.path().join("van.gif").to_str().unwrap()]), 1, ".png or .svg");
    assert_eq!(server.open_enrollments(), 2, "a refused output spends no token");
    // A label an open code (or an active device) has already is refused, whatever its case.
    fails(&satchel(&store, &["device", "enroll", "--label", " van 7"]), 1, "already the label of an open enrollment code");
    fails(&satchel(&store, &["device", "enroll", "--label", "MANAGER", "--role", "manager"]), 1, "already the label of an active device");
    assert_eq!(server.open_enrollments(), 2, "a refused label spends no token");
    // The open codes, with their expiry in local time; one cancelled stops being listed.
    let codes = ok(&satchel(&store, &["device", "codes"]));
    assert!(codes.starts_with("CODE") && codes.contains("Van 7") && codes.contains("Van 8") && codes.contains("this store"), "{codes}");
    let tomorrow = (chrono::Local::now() + chrono::Duration::hours(24)).format("%Y-%m-%d").to_string();
    assert!(codes.lines().skip(1).all(|l| l.contains(&tomorrow)), "expires in a day, local time: {codes}");
    let van8 = codes.lines().find(|l| l.contains("Van 8")).unwrap().split_whitespace().next().unwrap().to_string();
    let said = ok(&satchel(&store, &["device", "cancel", &van8]));
    assert!(said.contains("cancelled"), "{said}");
    assert_eq!(server.open_enrollments(), 1);
    let codes = ok(&satchel(&store, &["device", "codes"]));
    assert!(codes.contains("Van 7") && !codes.contains("Van 8"), "{codes}");
    fails(&satchel(&store, &["device", "cancel", &van8]), 1, "no open enrollment code has this id");
    fails(&satchel(&store, &["device", "cancel", "Van 7"]), 1, "16 hexadecimal digits");
    // The label of a cancelled code is free again.
    ok(&satchel(&store, &["device", "enroll", "--label", "Van 8"]));

    let list = ok(&satchel(&store, &["device", "list"]));
    assert!(list.contains("Manager") && list.contains("manager"), "{list}");
    let manager_id = list.lines().nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    fails(&satchel(&store, &["device", "revoke", "not-an-id"]), 1, "not a device id");
    // The device in use asks for --yes; the program's last manager is refused even then, and
    // keeps working.
    fails(&satchel(&store, &["device", "revoke", &manager_id]), 1, "run again with --yes");
    fails(&satchel(&store, &["device", "revoke", &manager_id, "--yes"]), 1, "enroll another manager first");
    let list = ok(&satchel(&store, &["device", "list"]));
    assert!(list.contains("Manager"), "{list}");
}

#[test]
fn bad_input_says_what_and_writes_nothing() {
    let server = Server::start();
    let manager = manager(&server);
    let (store, _keep) = close(manager);
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("r.csv");
    let f = file.to_str().unwrap();
    fails(&satchel(&store, &["report", "--from", "2026-03-01", "--to", "2026-02-01", "-o", f]), 1, "start date is after the end date");
    fails(&satchel(&store, &["report", "--from", "2026-02-30", "--to", "2026-03-01", "-o", f]), 2, "not a day of the calendar");
    fails(&satchel(&store, &["report", "--from", "10/01/2026", "--to", "2026-12-31", "-o", f]), 2, "use yyyy-mm-dd, for example 2026-10-01");
    fails(&satchel(&store, &["report", "--from", "2026-10-01", "--to", "31.12.2026", "-o", f]), 2, "use yyyy-mm-dd");
    fails(&satchel(&store, &["report", "--from", "2026-02-01", "--to", "2026-03-01", "--zone", "atlantis", "-o", f]), 1, "unknown zone");
    fails(&satchel(&store, &["report", "--from", "2026-02-01", "--to", "2026-03-01", "-o", "/nonexistent/dir/r.csv"]), 1, "cannot write");
    fails(&satchel(&store, &["report", "--from", "2026-02-01", "--to", "2026-03-01", "-o", out.path().join("r.txt").to_str().unwrap()]), 1, "--format");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "nothing written, no temporary file left");

    let wrong = Command::new(env!("CARGO_BIN_EXE_satchel"))
        .args(["--store", store.to_str().unwrap(), "pull"])
        .env("SATCHEL_PASSPHRASE", "not the passphrase")
        .output()
        .unwrap();
    fails(&wrong, 1, "wrong passphrase");
    fails(&satchel(&out.path().join("none"), &["pull"]), 1, "program init");
    fails(&satchel(&store, &["report", "--bogus"]), 2, "unexpected argument");

    // An unreachable server: a clear message, and no store left behind.
    let fresh = out.path().join("fresh");
    let pass = "a long enough passphrase";
    fails(&satchel_with(&fresh, &["program", "init", "--server", "http://127.0.0.1:9", "--token", "t"], pass), 1, "could not be reached");
    assert!(!fresh.exists() || std::fs::read_dir(&fresh).unwrap().count() == 0, "nothing left of the store");
    fails(&satchel_with(&fresh, &["program", "init", "--server", "http://hub.example.org", "--token", "t"], pass), 1, "https");

    for args in [&["--help"][..], &["report", "--help"], &["device", "enroll", "--help"], &["program", "init", "--help"], &["demo", "--help"]] {
        ok(&satchel(&store, args));
    }
}

/// Syringes sent for disposal (D91), logged at the office: a weight needs the program's figure,
/// a bad amount is refused with nothing written, an entry is listed and voided by its id.
#[test]
fn disposals_are_logged_at_the_office_listed_and_voided() {
    let server = Server::start();
    let (store, _keep) = close(manager(&server));
    let list = || ok(&satchel(&store, &["disposal", "list"]));
    fails(&satchel(&store, &["disposal", "log", "--pounds", "2.5"]), 1, "syringes-per-pound");
    fails(&satchel(&store, &["disposal", "log", "--pounds", "12.55"]), 1, "to a tenth");
    fails(&satchel(&store, &["disposal", "log", "--syringes", "0"]), 1, "must be 1 to");
    fails(&satchel(&store, &["disposal", "log"]), 2, "--pounds");
    fails(&satchel(&store, &["disposal", "log", "--syringes", "5", "--pounds", "1"]), 2, "cannot be used with");
    assert!(list().contains("No disposals"), "a refused entry writes nothing");

    let said = ok(&satchel(&store, &["disposal", "log", "--syringes", "40"]));
    assert!(said.contains("Logged 40 syringes counted") && said.contains("Sent to the server"), "{said}");
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), "[program]\nsyringes_per_pound = 90\n").unwrap();
    ok(&satchel(&store, &["program", "edit", "--file", file.path().to_str().unwrap()]));
    assert!(ok(&satchel(&store, &["program", "show", "--toml"])).contains("syringes_per_pound = 90"));
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
    let said = ok(&satchel(&store, &["disposal", "log", "--pounds", "2.5", "--on", &yesterday]));
    assert!(said.contains("2.5 lb at 90/lb ≈ 225 syringes"), "{said}");

    let listed = list();
    let counted = listed.lines().find(|l| l.contains("40 syringes counted")).unwrap_or_else(|| panic!("{listed}"));
    let id = counted.split_whitespace().nth(2).unwrap().to_string();
    assert!(listed.lines().next().unwrap().contains("40 syringes counted"), "newest first: {listed}");
    assert!(ok(&satchel(&store, &["disposal", "void", &id])).contains("Voided"));
    assert!(list().lines().any(|l| l.contains(&id) && l.ends_with("(voided)")));
    fails(&satchel(&store, &["disposal", "void", &id]), 1, "already voided");
    fails(&satchel(&store, &["disposal", "void", "not-an-id"]), 1, "not an id");
    assert_eq!(list().lines().count(), 2);
}

#[test]
fn program_init_sets_up_the_manager_and_show_lists_the_settings() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("m");
    let init = ["program", "init", "--server", &server.url(), "--token", &server.bootstrap];
    // A short passphrase, or one character repeated, is refused before anything is made.
    for weak in [PIN, "aaaaaaaaaaaaaaaa"] {
        let out = satchel_with(&store, &init, weak);
        fails(&out, 1, if weak == PIN { "at least 12 characters" } else { "one character repeated" });
        assert!(!String::from_utf8_lossy(&out.stderr).contains(weak), "the message repeats the passphrase");
        assert!(!store.join("satchel.keys").exists());
    }
    let pass = "van keys under the mat";
    let said = ok(&satchel_with(&store, &init, pass));
    assert!(said.contains("Program set up"), "{said}");
    let shown = ok(&satchel_with(&store, &["program", "show"], pass));
    assert!(shown.contains("Time zone: America/New_York") && shown.contains("syringe-1ml"), "{shown}");
    fails(&satchel_with(&store, &init, pass), 1, "already exists");
    // The store is readable by its owner only.
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&store).unwrap().permissions().mode() & 0o777, 0o700);
    for entry in std::fs::read_dir(&store).unwrap() {
        let mode = entry.unwrap().metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn the_demo_runs_a_field_day_and_writes_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let day = dir.path().join("day");
    let said = ok(&Command::new(env!("CARGO_BIN_EXE_satchel")).args(["demo", "--dir", day.to_str().unwrap()]).env_remove("SATCHEL_PASSPHRASE").output().unwrap());
    // "Quarter of A to B: N encounters logged over S shifts (C corrected, V voided; K stand; …)"
    let line = said.lines().find(|l| l.starts_with("Quarter of ")).unwrap_or_else(|| panic!("no quarter in {said}"));
    let number_before = |word: &str| -> u64 {
        let words: Vec<&str> = line.split(|c: char| c.is_whitespace() || c == '(' || c == ';' || c == ',').filter(|w| !w.is_empty()).collect();
        let i = words.iter().position(|w| *w == word).unwrap_or_else(|| panic!("no {word} in {line}"));
        words[i - 1].parse().unwrap_or_else(|_| panic!("no number before {word} in {line}"))
    };
    let (logged, shifts, corrected, voided, stand) =
        (number_before("encounters"), number_before("shifts"), number_before("corrected"), number_before("voided"), number_before("stand"));
    assert_eq!(stand, logged - voided, "{line}");
    // Several shifts a week over 13 weeks, with a few fixes, as a quarter of work would have.
    assert!((50..=78).contains(&shifts) && corrected > 0 && voided > 0 && logged > 20 * shifts / 2, "{line}");
    for name in ["report.csv", "report.xlsx", "report.json", "report.html"] {
        assert!(day.join(name).exists(), "{name}");
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(day.join("report.json")).unwrap()).unwrap();
    let enc = json["tables"].as_array().unwrap().iter().find(|t| t["name"] == "encounters").unwrap().clone();
    let rows = enc["rows"].as_array().unwrap();
    assert_eq!(rows.last().unwrap()["total"]["count"], stand, "voided entries count nowhere");
    // A quarter's trend is by week: 13 or 14 weeks (by the weekday it starts on), every one
    // shown, and adding up to the quarter.
    let weeks: Vec<u64> = rows.iter().filter(|r| r["part"] == "week").map(|r| r["total"]["count"].as_u64().expect("a shown week")).collect();
    assert!((13..=14).contains(&weeks.len()), "{weeks:?}");
    assert_eq!(weeks.iter().sum::<u64>(), stand);
    // The funders' templates render from the demo's store and agree with its report.
    let words: Vec<&str> = line.split_whitespace().collect();
    let (from, to) = (words[2], words[4].trim_end_matches(':'));
    let total_of = |table: &str| -> serde_json::Value {
        let t = json["tables"].as_array().unwrap().iter().find(|t| t["name"] == table).unwrap();
        t["rows"].as_array().unwrap().last().unwrap()["total"]["count"].clone()
    };
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/templates");
    for template in ["ssp-quarterly.toml", "naloxone-distribution.toml"] {
        let out = day.join(template.replace(".toml", ".json"));
        let answers = templates.join(template.replace(".toml", ".answers.toml"));
        let made = Command::new(env!("CARGO_BIN_EXE_satchel"))
            .args(["--store", day.join("manager").to_str().unwrap(), "report", "--from", from, "--to", to])
            .args(["--template", templates.join(template).to_str().unwrap(), "-o", out.to_str().unwrap()])
            .args(if answers.exists() { vec!["--answers".to_string(), answers.display().to_string()] } else { vec![] })
            .env("SATCHEL_PASSPHRASE", "demo passphrase")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        ok(&made);
        let lines: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        let value = |label: &str| {
            lines["sections"].as_array().unwrap().iter().flat_map(|s| s["lines"].as_array().unwrap().iter()).find(|l| l["label"] == label).map(|l| l["value"]["count"].clone())
        };
        if template == "ssp-quarterly.toml" {
            assert_eq!(value("Contacts (encounters)"), Some(stand.into()));
            assert_eq!(value("Hours of outreach"), Some(312.into()), "typed in from the answers file");
            assert_eq!(value("Syringes distributed"), Some(total_of("syringes_distributed")));
            // Collected: counted plus estimated from containers, as the report's summary has them.
            let summary = json["tables"].as_array().unwrap().iter().find(|t| t["name"] == "summary").unwrap();
            let column = |id: &str| summary["columns"].as_array().unwrap().iter().position(|c| c["id"] == id).unwrap();
            let period = summary["rows"].as_array().unwrap().last().unwrap();
            let cell = |id: &str| period["cells"][column(id)]["count"].as_u64().expect("shown in the demo quarter");
            let (counted, estimated) = (cell("syringes_collected"), cell("syringes_estimated"));
            assert!(estimated > 0, "the demo returns some sharps containers");
            assert_eq!(value("Syringes collected"), Some((counted + estimated).into()));
            // Syringes sent for disposal (D91): what the manager's store lists, voids left out,
            // is what the report and the template count.
            let listed = ok(&satchel_with(&day.join("manager"), &["disposal", "list", "--days", "120"], "demo passphrase"));
            let (mut by_count, mut by_weight, mut voids) = (0u64, 0u64, 0);
            for entry in listed.lines() {
                if entry.ends_with("(voided)") {
                    voids += 1;
                    continue;
                }
                let words: Vec<&str> = entry.split_whitespace().collect();
                let n = |i: usize| words[i].parse::<u64>().unwrap_or_else(|_| panic!("{entry}"));
                match words.iter().position(|w| *w == "≈") {
                    Some(i) => by_weight += n(i + 1),
                    None => by_count += n(words.len() - 3),
                }
            }
            assert!(by_weight > 0 && by_count > 0 && voids == 1, "{listed}");
            assert_eq!((cell("syringes_disposed"), cell("syringes_disposed_estimated")), (by_count, by_weight));
            assert_eq!(value("Syringes sent for disposal"), Some((by_count + by_weight).into()));
            // People: the new are people first seen in the quarter, never more than the people
            // served; contacts without a code are counted apart.
            let participants = json["tables"].as_array().unwrap().iter().find(|t| t["name"] == "participants").unwrap();
            let period = participants["rows"].as_array().unwrap().last().unwrap();
            let served = period["total"]["count"].as_u64().expect("persons served shown");
            // Persons by age band and by gender, each once: every breakdown adds up to them,
            // and where a small one is hidden, a second is too (no difference gives it away).
            let columns = participants["columns"].as_array().unwrap();
            for group in ["age_band/", "gender/", "race/", "ethnicity/", "residence/"] {
                let cells: Vec<Option<u64>> = columns
                    .iter()
                    .zip(period["cells"].as_array().unwrap())
                    .filter(|(c, _)| c["id"].as_str().unwrap().starts_with(group))
                    .map(|(_, v)| v["count"].as_u64())
                    .collect();
                let shown: u64 = cells.iter().flatten().sum();
                let hidden = cells.iter().filter(|c| c.is_none()).count();
                assert!(cells.len() > 3 && hidden != 1, "{group} {cells:?} of {served}");
                assert!(if hidden == 0 { shown == served } else { shown + 2 <= served }, "{group} {cells:?} of {served}");
            }
            let new = cell("new_persons");
            assert!(0 < new && new <= served, "new persons {new}, persons served {served}");
            assert_eq!(value("Persons served (unduplicated)"), Some(served.into()));
            assert_eq!(value("New participants (first contact with the program in the quarter)"), Some(new.into()));
            assert_eq!(value("Contacts without a participant code"), Some(cell("contacts_without_code").into()));
            // The demo's directory: services suggested with referrals, counted by service.
            let by_service = json["tables"].as_array().unwrap().iter().find(|t| t["name"] == "referrals_by_service").unwrap();
            let suggested: u64 = by_service["rows"].as_array().unwrap().last().unwrap()["cells"].as_array().unwrap().iter().filter_map(|c| c["count"].as_u64()).sum();
            assert!(by_service["columns"].as_array().unwrap().len() >= 4 && suggested > 0, "{by_service}");
            // Persons who received naloxone: among the persons served, as the report has them.
            let receiving = json["tables"].as_array().unwrap().iter().find(|t| t["name"] == "persons_receiving").unwrap();
            let at = receiving["columns"].as_array().unwrap().iter().position(|c| c["id"] == "naloxone").unwrap();
            let naloxone = receiving["rows"].as_array().unwrap().last().unwrap()["cells"][at]["count"].as_u64().expect("shown in the demo quarter");
            assert!(0 < naloxone && naloxone <= served, "{naloxone} of {served}");
            assert_eq!(value("Persons who received naloxone"), Some(naloxone.into()));
            // Persons by race and by ethnicity, from the profiles the phones logged (D89):
            // every person in one line of each, so the shown lines add up to the persons served.
            for lines in [
                &["Black or African American", "White", "Another race, or more than one", "Race declined or not recorded"][..],
                &["Hispanic or Latino", "Not Hispanic or Latino", "Ethnicity declined or not recorded"][..],
            ] {
                let counts: Vec<Option<u64>> = lines.iter().map(|l| value(l).and_then(|v| v.as_u64())).collect();
                assert!(counts.iter().flatten().filter(|n| **n > 0).count() >= 2, "{lines:?}: {counts:?}");
                let shown: u64 = counts.iter().flatten().sum();
                assert!(if counts.iter().all(Option::is_some) { shown == served } else { shown < served }, "{lines:?}: {counts:?} of {served}");
            }
            let page = std::fs::read_to_string(day.join("report.html")).unwrap();
            assert!(page.contains(&format!("New participants (first contact)<b>{new}</b>")), "the page's head shows the new persons");
            // Services delivered on site and naloxone kits' reasons (D90), as the phones logged them.
            let table = |name: &str| json["tables"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap().clone();
            let ids = |t: &serde_json::Value| t["columns"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
            let delivered = ids(&table("services_delivered"));
            assert!(delivered.len() >= 5 && delivered.contains(&"wound-care/done".to_string()), "{delivered:?}");
            let kits = ids(&table("naloxone_kits"));
            assert!(kits.contains(&"first".to_string()) && kits.iter().filter(|k| k.starts_with("refill_")).count() >= 3, "{kits:?}");
            assert!(page.contains("Services delivered on site") && page.contains("Refill: used on someone"));
            let wound: Option<u64> = value("Wound care given").and_then(|v| v.as_u64());
            assert!(wound.is_some_and(|n| n > 0), "wound care given in the demo quarter: {wound:?}");
        } else {
            assert_eq!(value("Doses distributed"), Some(total_of("naloxone_doses_distributed")));
            // Every naloxone kit of the demo has its reason: first kits and refills add up to
            // the kits where both are shown, and never more.
            let number = |label: &str| value(label).and_then(|v| v.as_u64());
            let kits = number("Nasal spray kits").expect("shown");
            let reasons = [number("First kits"), number("Refills: the last kit was used on someone"), number("Refills: lost, taken by police or security, expired, or another reason")];
            assert!(reasons.iter().flatten().sum::<u64>() <= kits && reasons[0].is_some_and(|n| n > 0), "{reasons:?} of {kits}");
            assert_eq!(value("Encounters"), Some(stand.into()));
        }
    }
    // `--by month` in every format, as one release: the months of the quarter beside its total.
    let report = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_satchel"))
            .args(["--store", day.join("manager").to_str().unwrap(), "report", "--from", from])
            .args(args)
            .env("SATCHEL_PASSPHRASE", "demo passphrase")
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let by = |ext: &str| day.join(format!("by.{ext}"));
    let made = report(&["--to", to, "--by", "month", "-o", by("csv").to_str().unwrap(), "-o", by("json").to_str().unwrap(), "-o", by("html").to_str().unwrap(), "-o", by("xlsx").to_str().unwrap()]);
    ok(&made);
    assert!(!String::from_utf8_lossy(&made.stderr).contains("Warning"), "the quarter ended and was pulled after: {}", String::from_utf8_lossy(&made.stderr));
    let by_json: serde_json::Value = serde_json::from_slice(&std::fs::read(by("json")).unwrap()).unwrap();
    let enc = by_json["tables"].as_array().unwrap().iter().find(|t| t["name"] == "encounters").unwrap();
    let months: Vec<(String, u64)> = enc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["part"] == "month")
        .map(|r| (r["label"].as_str().unwrap().to_string(), r["total"]["count"].as_u64().expect("a month of the demo is shown")))
        .collect();
    assert!((3..=4).contains(&months.len()), "13 weeks span 3 or 4 months: {months:?}");
    assert_eq!(months.iter().map(|(_, n)| n).sum::<u64>(), stand);
    let csv_months = std::fs::read_to_string(by("csv")).unwrap().lines().filter(|l| l.starts_with("Encounters,encounters,") && l.contains(",month,Total,total,")).count();
    assert_eq!(csv_months, months.len());
    let html = std::fs::read_to_string(by("html")).unwrap();
    assert!(html.contains("<h2>By month</h2>") && html.contains("data-table=\"encounters\" data-by=\"month\""), "no months in the page");
    for (label, n) in &months {
        let name = label.parse::<chrono::NaiveDate>().unwrap().format("%B %Y").to_string();
        assert!(html.contains(&format!("<th scope=\"col\">{name}</th>")), "{name} is a column of the page");
        assert!(html.contains(&format!("<td>{n}</td>")), "{name}: {n}");
    }
    {
        use calamine::{open_workbook, Reader, Xlsx};
        let mut book: Xlsx<_> = open_workbook(by("xlsx")).unwrap();
        let sheet = book.worksheet_range("Encounters").unwrap();
        let xlsx_months = sheet.rows().filter(|r| r[1] == "month").count();
        assert_eq!(xlsx_months, months.len());
    }
    // A period that has not ended is written with a warning on standard error.
    let today = (chrono::NaiveDate::parse_from_str(to, "%Y-%m-%d").unwrap() + chrono::Duration::days(1)).to_string();
    let open = report(&["--to", &today, "--dry-run"]);
    ok(&open);
    let warned = String::from_utf8_lossy(&open.stderr).to_string();
    assert!(warned.contains(&format!("Warning: the period ends {today}")), "{warned}");

    // The quarter's page prints on one or two pages.
    if let Some(browser) = browser_unless_skipped() {
        let pages = printed_pages(&browser, &day.join("report.html"));
        assert!((1..=2).contains(&pages), "the demo quarter prints on {pages} pages");
    }
    assert!(said.contains("encounters") && said.contains("suppressed"), "{said}");
    // A folder that is not empty is refused.
    let again = Command::new(env!("CARGO_BIN_EXE_satchel")).args(["demo", "--dir", day.to_str().unwrap()]).output().unwrap();
    fails(&again, 1, "not empty");
}

#[test]
fn a_report_compares_with_the_period_before_without_revealing_a_hidden_count() {
    let server = Server::start();
    let manager = manager(&server);
    let phone = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    // This period (the last 8 days): downtown 25, riverside 30. The 8 days before: downtown
    // 12, riverside 4 (a small count, suppressed).
    let logged = [("downtown", 25u64, 1i64), ("riverside", 30, 1), ("downtown", 12, 10 * 24), ("riverside", 4, 10 * 24)];
    for (zone, n, hours_ago) in logged {
        for i in 0..n {
            let e = NewEncounter {
                items: vec![ItemQuantity { item: "syringe-1ml".into(), quantity: 10 }],
                ..NewEncounter::new(Utc::now() - Duration::hours(hours_ago) - Duration::minutes(i as i64), zone)
            };
            phone.store.log_encounter(&e).unwrap();
        }
    }
    phone.store.sync_now(&http(&server)).unwrap();
    let (store, _keep) = close(manager);
    ok(&satchel(&store, &["pull"]));
    let today = Utc::now().date_naive();
    let (from, to) = ((today - Duration::days(6)).to_string(), (today + Duration::days(1)).to_string());
    let out = tempfile::tempdir().unwrap();
    // Four formats, one release.
    let paths: Vec<String> = ["csv", "json", "xlsx", "html"].iter().map(|ext| out.path().join(format!("c.{ext}")).to_str().unwrap().to_owned()).collect();
    let mut args = vec!["report", "--from", &from, "--to", &to, "--compare", "previous"];
    for p in &paths {
        args.extend(["-o", p.as_str()]);
    }
    ok(&satchel(&store, &args));
    let truth_now: BTreeMap<&str, u64> = [("total", 55), ("zone/downtown", 25), ("zone/riverside", 30)].into();
    let truth_before: BTreeMap<&str, u64> = [("total", 16), ("zone/downtown", 12), ("zone/riverside", 4)].into();

    // JSON: each compared value is the period's own count (or suppressed), the change only
    // beside two shown counts.
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(out.path().join("c.json")).unwrap()).unwrap();
    let compared = &json["compared"];
    assert_eq!(compared["from"], (today - Duration::days(14)).to_string());
    assert_eq!(compared["to"], (today - Duration::days(7)).to_string());
    let enc = compared["tables"].as_array().unwrap().iter().find(|t| t["name"] == "encounters").unwrap();
    let count = |v: &serde_json::Value| v["count"].as_u64();
    let mut seen = 0;
    for v in enc["values"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        let Some((&now, &before)) = truth_now.get(id).zip(truth_before.get(id)) else { continue };
        seen += 1;
        check_cell(count(&v["current"]), now, &format!("{id} now"));
        check_cell(count(&v["previous"]), before, &format!("{id} before"));
        match (count(&v["current"]), count(&v["previous"])) {
            (Some(a), Some(b)) => assert_eq!(v["change"].as_i64(), Some(a as i64 - b as i64), "{id}"),
            _ => assert!(v["change"].is_null(), "{id}: a change beside a hidden count would reveal it"),
        }
    }
    assert_eq!(seen, 3);
    let riverside = enc["values"].as_array().unwrap().iter().find(|v| v["id"] == "zone/riverside").unwrap();
    assert_eq!(riverside["previous"], "suppressed", "4 is a small count");
    assert!(riverside["change"].is_null());
    // Nothing shown anywhere lets 4 be worked out: neither the previous total and downtown
    // both shown (16 − 12), nor a change with it.
    let before = |id: &str| count(&enc["values"].as_array().unwrap().iter().find(|v| v["id"] == id).unwrap()["previous"]);
    assert!(before("total").is_none() || before("zone/downtown").is_none(), "the previous period's total and downtown would give riverside away");

    // CSV: the same as lines of part previous_period and change.
    let mut csv = csv::Reader::from_path(out.path().join("c.csv")).unwrap();
    let mut change: BTreeMap<String, String> = BTreeMap::new();
    for rec in csv.records() {
        let rec = rec.unwrap();
        if &rec[1] == "encounters" && &rec[3] == "change" {
            change.insert(rec[5].to_string(), rec[6].to_string());
        }
    }
    assert_eq!(change["zone/riverside"], "suppressed");
    assert_eq!(change["total"], json_change(enc, "total"));

    // XLSX: a sheet of its own; HTML: a table with a caption naming the period before.
    use calamine::{open_workbook, Reader, Xlsx};
    let book: Xlsx<_> = open_workbook(out.path().join("c.xlsx")).unwrap();
    assert!(book.sheet_names().contains(&"Compared with previous".to_string()));
    let html = std::fs::read_to_string(out.path().join("c.html")).unwrap();
    assert!(html.contains(&format!("<caption>Compared with {} to {}</caption>", today - Duration::days(14), today - Duration::days(7))));
    // Both periods are in the ledger, as one release with each file written.
    let listed = ok(&satchel(&store, &["releases"]));
    assert!(listed.contains(&format!("with the period before: {} to {}", today - Duration::days(14), today - Duration::days(7))), "{listed}");
    assert!(listed.lines().any(|l| l.contains(&from) && l.contains("c.csv") && l.contains("c.html")), "{listed}");
    assert_eq!(listed.lines().filter(|l| l.contains("c.csv")).count(), 1, "{listed}");
}

fn json_change(table: &serde_json::Value, id: &str) -> String {
    let v = table["values"].as_array().unwrap().iter().find(|v| v["id"] == id).unwrap();
    v["change"].as_i64().map_or_else(|| "suppressed".to_string(), |n| n.to_string())
}

#[test]
fn templates_give_the_funders_lines_and_a_bad_one_writes_nothing() {
    let server = Server::start();
    let manager = manager(&server);
    let phone = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    // 40 encounters: syringes 1 mL ×10 each, 3 mL ×5 on every other; a nasal kit (2 doses) on
    // 30 of them; MOUD referrals on 12, treatment on 3 (their sum is shown: 15 ≥ 11, but
    // treatment alone is suppressed, so the line that adds it is too).
    let (mut syringes, mut kits, mut moud, mut treatment) = (0u64, 0u64, 0u64, 0u64);
    for i in 0..40u32 {
        let mut items = vec![ItemQuantity { item: "syringe-1ml".into(), quantity: 10 }];
        syringes += 10;
        if i % 2 == 0 {
            items.push(ItemQuantity { item: "syringe-3ml".into(), quantity: 5 });
            syringes += 5;
        }
        if i < 30 {
            items.push(ItemQuantity { item: "naloxone-nasal".into(), quantity: 1 });
            kits += 1;
        }
        let mut referrals = Vec::new();
        if i < 12 {
            referrals.push("moud".to_string());
            moud += 1;
        } else if i < 15 {
            referrals.push("treatment".to_string());
            treatment += 1;
        }
        let e = NewEncounter { items, referrals, ..NewEncounter::new(Utc::now() - Duration::minutes(5 + i as i64), "downtown") };
        phone.store.log_encounter(&e).unwrap();
    }
    phone.store.sync_now(&http(&server)).unwrap();
    let (store, _keep) = close(manager);
    ok(&satchel(&store, &["pull"]));
    let today = Utc::now().date_naive();
    let (from, to) = ((today - Duration::days(2)).to_string(), (today + Duration::days(1)).to_string());
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/templates");
    let out = tempfile::tempdir().unwrap();
    let run_with = |template: &str, output: &Path, answers: Option<&Path>| {
        let mut args = vec!["report", "--from", &from, "--to", &to, "--template"];
        let template = templates.join(template);
        args.push(template.to_str().unwrap());
        args.extend(["-o", output.to_str().unwrap()]);
        if let Some(a) = answers {
            args.extend(["--answers", a.to_str().unwrap()]);
        }
        satchel(&store, &args)
    };
    let run = |template: &str, output: &Path| {
        let answers = templates.join(template.replace(".toml", ".answers.toml"));
        run_with(template, output, answers.exists().then_some(answers.as_path()))
    };
    // Without the answers to its typed-in lines, the template stops before anything is written.
    let unanswered = out.path().join("unanswered.csv");
    let said = run_with("ssp-quarterly.toml", &unanswered, None);
    assert!(!said.status.success() && String::from_utf8_lossy(&said.stderr).contains("--answers FILE"), "{}", String::from_utf8_lossy(&said.stderr));
    assert!(!unanswered.exists());

    let json_path = out.path().join("ssp.json");
    ok(&run("ssp-quarterly.toml", &json_path));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let line = |label: &str| -> serde_json::Value {
        json["sections"].as_array().unwrap().iter().flat_map(|s| s["lines"].as_array().unwrap().iter()).find(|l| l["label"] == label).unwrap_or_else(|| panic!("no line {label}"))["value"].clone()
    };
    assert_eq!(line("Contacts (encounters)")["count"], 40);
    assert_eq!(line("Syringes distributed")["count"], syringes, "both sizes added up");
    assert_eq!(line("Naloxone kits distributed")["count"], kits, "kits, from doses ÷ 2");
    assert_eq!(line("Naloxone doses distributed")["count"], kits * 2);
    assert_eq!(line("Referrals to HIV / HCV testing")["count"], 0);
    assert!(moud >= THRESHOLD && treatment < THRESHOLD);
    assert_eq!(line("Referrals to treatment"), "suppressed", "MOUD {moud} + treatment {treatment} would give treatment away");

    // Every format of both examples.
    for (template, ext) in [
        ("ssp-quarterly.toml", "csv"),
        ("ssp-quarterly.toml", "xlsx"),
        ("naloxone-distribution.toml", "html"),
        ("naloxone-distribution.toml", "csv"),
        ("maryland-ssp-annual.toml", "csv"),
    ] {
        let path = out.path().join(format!("{template}.{ext}"));
        ok(&run(template, &path));
        assert!(std::fs::metadata(&path).unwrap().len() > 100, "{template} as {ext}");
    }
    // The Maryland form's own mark for hidden values, and its line items as the law numbers them.
    let mut md = csv::Reader::from_path(out.path().join("maryland-ssp-annual.toml.csv")).unwrap();
    let md: Vec<csv::StringRecord> = md.records().map(|r| r.unwrap()).collect();
    let linkage = md.iter().find(|r| r[1].starts_with("Referrals to medication for opioid use disorder")).unwrap();
    assert_eq!(&linkage[2], "*", "MOUD {moud} + treatment {treatment}: hidden with the form's mark");
    let contacts: u64 = md.iter().filter(|r| r[0].starts_with("(5)")).map(|r| r[2].parse::<u64>().unwrap_or(0)).sum();
    assert_eq!(contacts, 40, "the contacts by zone");
    let mut csv = csv::Reader::from_path(out.path().join("naloxone-distribution.toml.csv")).unwrap();
    assert_eq!(csv.headers().unwrap(), vec!["section", "line", "value", "sum"]);
    let nasal = csv.records().map(|r| r.unwrap()).find(|r| &r[1] == "Nasal spray kits").unwrap();
    assert_eq!(nasal[2].parse::<u64>().unwrap(), kits);
    use calamine::{open_workbook, Reader, Xlsx};
    let mut book: Xlsx<_> = open_workbook(out.path().join("ssp-quarterly.toml.xlsx")).unwrap();
    assert_eq!(book.sheet_names()[0], "Syringe services program", "the title cut at a word, without the dash");
    let sheet = book.worksheet_range(&book.sheet_names()[0].clone()).unwrap();
    assert!(sheet.rows().any(|r| r[0] == "Syringes distributed" && r[1] == calamine::Data::Float(syringes as f64)));
    let html = std::fs::read_to_string(out.path().join("naloxone-distribution.toml.html")).unwrap();
    assert!(html.contains("<caption>Distribution</caption>") && !html.to_lowercase().contains("<script"));

    // A template with mistakes: each named with its line, nothing written, nothing recorded.
    let releases = ok(&satchel(&store, &["releases"]));
    let bad = out.path().join("bad.toml");
    std::fs::write(
        &bad,
        "title = \"Bad\"\n\n[[section]]\nname = \"S\"\n\n[[section.line]]\nlabel = \"One\"\nsum = [\"units:syringe-9ml\"]\n\n[[section.line]]\nlabel = \"Two\"\nsum = [\"referals:moud\"]\n\n[[section.line]]\nlabel = \"Three\"\nsum = []\n",
    )
    .unwrap();
    let target = out.path().join("bad.xlsx");
    let said = satchel(&store, &["report", "--from", &from, "--to", &to, "--template", bad.to_str().unwrap(), "-o", target.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&said.stderr).to_string();
    assert!(!said.status.success());
    assert!(err.contains("line 6") && err.contains("unknown item \"syringe-9ml\""), "{err}");
    assert!(err.contains("line 10") && err.contains("unknown table \"referals\""), "{err}");
    assert!(err.contains("line 14") && err.contains("adds up nothing"), "{err}");
    assert!(!target.exists(), "nothing written");
    assert_eq!(ok(&satchel(&store, &["releases"])), releases, "nothing recorded");
}

/// The browser the HTML report is rendered in: `SATCHEL_CHROMIUM`, or Debian's `chromium`.
fn chromium() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("SATCHEL_CHROMIUM") {
        return Some(p.into());
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].iter().map(std::path::PathBuf::from).find(|p| p.exists())
}

fn headless(browser: &Path, args: &[&str]) -> Output {
    // A profile of its own: two tests rendering at once must not meet in one browser process
    // (a second Chromium on a profile in use hands its page to the first and prints nothing).
    let profile = tempfile::tempdir().unwrap();
    Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--enable-logging=stderr", "--v=0"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_html_report_renders_in_chromium_with_its_charts() {
    let Some(browser) = browser_unless_skipped() else { return };
    let server = Server::start();
    let manager = manager(&server);
    let phone = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    for i in 0..30u32 {
        let e = NewEncounter {
            items: vec![ItemQuantity { item: "syringe-1ml".into(), quantity: 10 }, ItemQuantity { item: "naloxone-nasal".into(), quantity: 1 }],
            referrals: vec!["moud".into()],
            ..NewEncounter::new(Utc::now() - Duration::minutes(10 + i as i64), "downtown")
        };
        phone.store.log_encounter(&e).unwrap();
    }
    phone.store.sync_now(&http(&server)).unwrap();
    let (store, _keep) = close(manager);
    ok(&satchel(&store, &["pull"]));
    let out = tempfile::tempdir().unwrap();
    let page = out.path().join("report.html");
    let today = Utc::now().date_naive();
    let (from, to) = ((today - Duration::days(20)).to_string(), (today + Duration::days(1)).to_string());
    ok(&satchel(&store, &["report", "--from", &from, "--to", &to, "-o", page.to_str().unwrap()]));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.to_lowercase().contains("<script"), "the report runs no script");
    for load in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(load), "the report loads nothing from elsewhere ({load})");
    }
    let url = format!("file://{}", page.display());

    // The DOM the browser built: three charts, each with its drawing.
    let dom = headless(&browser, &["--dump-dom", &url]);
    let dom_text = String::from_utf8_lossy(&dom.stdout).to_string();
    assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
    for id in ["trend", "supplies", "referrals"] {
        let at = dom_text.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("chart {id} missing"));
        let figure = &dom_text[at..at + dom_text[at..].find("</figure>").unwrap()];
        assert!(figure.contains("<svg"), "chart {id} has no drawing");
    }
    assert!(dom_text.contains("data-bars=\"2\"") || dom_text.contains("data-bars=\"3\""), "supplies are drawn");
    assert!(dom_text.contains("id=\"referrals\" data-bars=\"1\""), "30 referrals are drawn");
    let errors: Vec<&str> = String::from_utf8_lossy(&dom.stderr)
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("Content Security Policy"))
        .map(|_| "console message")
        .collect();
    assert!(errors.is_empty(), "the page logged errors: {}", String::from_utf8_lossy(&dom.stderr));
    // Names where a person reads, in the charts and the tables; no id as a label.
    for name in ["Syringe 1 mL 29G", "Naloxone nasal spray 4 mg (2 doses)", "Medication for opioid use disorder", "Zone: Downtown", "Syringes distributed"] {
        assert!(dom_text.contains(name), "{name} missing from the page");
    }
    for id in [">syringe-1ml<", ">moud<", ">zone/downtown<", ">syringes_distributed<", ">naloxone-nasal<"] {
        assert!(!dom_text.contains(id), "{id} shown as a label");
    }
    assert_eq!(dom_text.matches("<title id=").count(), 3, "each chart has a title for screen readers");

    // A picture and a PDF of one or two pages.
    let png = out.path().join("report.png");
    let shot = headless(&browser, &[&format!("--screenshot={}", png.display()), "--window-size=800,1200", &url]);
    assert!(shot.status.success(), "{}", String::from_utf8_lossy(&shot.stderr));
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000, "a real picture ({} bytes)", bytes.len());
    let pages = printed_pages(&browser, &page);
    assert!((1..=2).contains(&pages), "{pages} pages");
}

/// Chromium, or `None` when the HTML rendering is skipped (SATCHEL_SKIP_CHROMIUM=1); without
/// either, the test fails.
fn browser_unless_skipped() -> Option<std::path::PathBuf> {
    let browser = chromium();
    if browser.is_none() {
        if std::env::var("SATCHEL_SKIP_CHROMIUM").as_deref() == Ok("1") {
            eprintln!("HTML rendering SKIPPED (SATCHEL_SKIP_CHROMIUM=1)");
            return None;
        }
        panic!("no Chromium: install Debian's `chromium` (.ci/run does), set SATCHEL_CHROMIUM, or SATCHEL_SKIP_CHROMIUM=1");
    }
    browser
}

/// How many pages an HTML file prints on (A4/Letter as Chromium prints by default).
fn printed_pages(browser: &Path, page: &Path) -> usize {
    let pdf = page.with_extension("pdf");
    let printed = headless(browser, &[&format!("--print-to-pdf={}", pdf.display()), "--no-pdf-header-footer", &format!("file://{}", page.display())]);
    assert!(printed.status.success(), "{}", String::from_utf8_lossy(&printed.stderr));
    let pdf = std::fs::read(&pdf).unwrap();
    // Page objects: "/Type /Page" not followed by "s" (that is the page tree).
    let pages = pdf.windows(12).filter(|w| w.starts_with(b"/Type /Page") && w[11] != b's').count();
    assert!(pages > 0, "no page object found in the PDF ({} bytes)", pdf.len());
    pages
}

#[test]
fn settings_round_trip_through_a_file_and_reach_the_phones() {
    let server = Server::start();
    let manager = manager(&server);
    let phone = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    let (store, _keep) = close(manager);
    let dir = tempfile::tempdir().unwrap();

    // What `show --toml` writes, `edit` reads back unchanged.
    let current = ok(&satchel(&store, &["program", "show", "--toml"]));
    let same = dir.path().join("same.toml");
    std::fs::write(&same, &current).unwrap();
    ok(&satchel(&store, &["program", "edit", "--file", same.to_str().unwrap()]));
    assert_eq!(ok(&satchel(&store, &["program", "show", "--toml"])), current);

    // Additions and changes, published to the phone.
    let edit = dir.path().join("edit.toml");
    std::fs::write(
        &edit,
        r#"
[program]
name = "Eastside Outreach"
small_cell_threshold = 5

[[items]]
id = "nasal-kit-3"
name = "Naloxone nasal 3 mg"
name_es = "Naloxona nasal 3 mg"
category = "naloxone"
unit = "kit"
doses_per_unit = 2

[[kits]]
id = "night"
name = "Night kit"
items = { "nasal-kit-3" = 1, "syringe-1ml" = 10 }

[[zones]]
id = "harbor"
label = "Harbor"
label_es = "Puerto"
"#,
    )
    .unwrap();
    let said = ok(&satchel(&store, &["program", "edit", "--file", edit.to_str().unwrap()]));
    assert!(said.contains("4 settings saved") && said.contains("Published"), "{said}");
    phone.store.sync_now(&http(&server)).unwrap();
    let s = phone.store.settings().unwrap();
    assert_eq!(s.program.name, "Eastside Outreach");
    assert_eq!(s.program.small_cell_threshold, 5);
    assert_eq!(s.program.time_zone, "America/New_York", "fields left out keep their value");
    assert!(s.kits.iter().any(|k| k.id == "night" && k.items.len() == 2));
    assert!(s.zones.iter().any(|z| z.id == "harbor" && z.label_es.as_deref() == Some("Puerto")), "the Spanish label reaches the phone");
    assert!(s.items.iter().any(|i| i.id == "nasal-kit-3" && i.name_es.as_deref() == Some("Naloxona nasal 3 mg")));
    let shown = ok(&satchel(&store, &["program", "show", "--toml"]));
    assert!(shown.contains("label_es = \"Puerto\"") && shown.contains("name_es = \"Kit de naloxona\""), "the file round-trips both languages");

    // Errors name their line and change nothing.
    let before = ok(&satchel(&store, &["program", "show", "--toml"]));
    for (text, line, says) in [
        ("[[items]]\nid = \"x\"\nname = \"X\"\ncategory = \"unicorns\"\nunit = \"u\"\n", 4, "unknown variant"),
        ("\n\n[[kits]]\nid = \"k\"\nname = \"K\"\nitems = { \"no-such-item\" = 1 }\n", 3, "no-such-item"),
        ("[[zones]]\nid = \"ok-zone\"\nlabel = \"Fine\"\n\n[[zones]]\nid = \"\"\nlabel = \"Empty id\"\n", 5, "id"),
        ("[program]\ntime_zone = \"Mars/Olympus\"\n", 1, "time"),
        ("[program\nname = 1\n", 1, ""),
        ("[[zones]]\nid = \"z\"\nlabel = \"Z\"\ncolour = \"red\"\n", 4, "unknown field"),
        ("[[zones]]\nid = \"z\"\nlabel = \"Z\"\nlabel_es = \"   \"\n", 1, "label_es"),
    ] {
        let f = dir.path().join("bad.toml");
        std::fs::write(&f, text).unwrap();
        let out = satchel(&store, &["program", "edit", "--file", f.to_str().unwrap()]);
        fails(&out, 1, &format!("line {line}"));
        fails(&out, 1, &says.to_lowercase());
    }
    assert_eq!(ok(&satchel(&store, &["program", "show", "--toml"])), before, "nothing changed");

    // A threshold under 5 lets small counts out: it asks for --yes, and changes nothing before.
    let weak = dir.path().join("weak.toml");
    std::fs::write(&weak, "[program]\nsmall_cell_threshold = 1\n").unwrap();
    fails(&satchel(&store, &["program", "edit", "--file", weak.to_str().unwrap()]), 1, "run again with --yes");
    assert_eq!(ok(&satchel(&store, &["program", "show", "--toml"])), before, "nothing changed");
    ok(&satchel(&store, &["program", "edit", "--file", weak.to_str().unwrap(), "--yes"]));
    assert!(ok(&satchel(&store, &["program", "show", "--toml"])).contains("small_cell_threshold = 1"));
}

#[test]
fn the_services_directory_goes_from_a_file_or_a_spreadsheet_to_the_phones() {
    let server = Server::start();
    let manager = manager(&server);
    let phone = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    let (store, _keep) = close(manager);
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("services.toml");
    std::fs::write(
        &toml,
        r#"
[[services]]
id = "eastside-clinic"
referral_types = ["moud", "hiv-hcv-testing"]
access = "walk_in"
phone = "(555) 010-2000"
languages = ["English", "Spanish"]
name = { en = "Eastside Health Clinic", es = "Clínica de Salud Eastside" }
area = { en = "412 E Main St, by the library", es = "412 E Main St, junto a la biblioteca" }
hours = [{ day = "mon", opens = "00:00", closes = "24:00" }, { day = "tue", opens = "00:00", closes = "24:00" },
         { day = "wed", opens = "00:00", closes = "24:00" }, { day = "thu", opens = "00:00", closes = "24:00" },
         { day = "fri", opens = "00:00", closes = "24:00" }, { day = "sat", opens = "00:00", closes = "24:00" },
         { day = "sun", opens = "00:00", closes = "24:00" }]
"#,
    )
    .unwrap();
    ok(&satchel(&store, &["program", "edit", "--file", toml.to_str().unwrap()]));
    let csv = dir.path().join("services.csv");
    std::fs::write(
        &csv,
        "id,name_en,name_es,referral_types,area_en,hours,access,requires_id,requires_sobriety\n\
         harbor-shelter,Harbor Shelter,Albergue Harbor,housing,Pier 4,,appointment,yes,yes\n",
    )
    .unwrap();
    ok(&satchel(&store, &["program", "import-services", "--file", csv.to_str().unwrap()]));
    let shown = ok(&satchel(&store, &["program", "show"]));
    assert!(shown.contains("Eastside Health Clinic") && shown.contains("Harbor Shelter"), "{shown}");
    // What `show --toml` writes reads back unchanged, services included.
    let current = ok(&satchel(&store, &["program", "show", "--toml"]));
    std::fs::write(&toml, &current).unwrap();
    ok(&satchel(&store, &["program", "edit", "--file", toml.to_str().unwrap()]));
    assert_eq!(ok(&satchel(&store, &["program", "show", "--toml"])), current);

    // The phone has them after a sync, with no signal needed to look them up.
    phone.store.sync_now(&http(&server)).unwrap();
    let found = phone.store.services_for(&["moud"]).unwrap();
    assert_eq!(found.len(), 1);
    assert!(found[0].status.is_open(), "open round the clock");
    let shelter = phone.store.services_for(&["housing"]).unwrap();
    assert_eq!(shelter[0].status, satchel_core::directory::Status::Unknown, "no hours given");
    assert!(shelter[0].service.requires_id && shelter[0].service.requires_sobriety);
    let card = phone.store.handover_card("eastside-clinic", satchel_core::directory::CardLanguage::Spanish).unwrap();
    assert_eq!(card.title, "Clínica de Salud Eastside");

    // Suggestions the worker records reach the report by service, under the service's name.
    for i in 0..14 {
        let suggested = if i < 12 { vec!["eastside-clinic".to_string()] } else { vec!["harbor-shelter".to_string()] };
        let e = NewEncounter { referrals: vec!["moud".into()], suggested_services: suggested, ..NewEncounter::new(Utc::now() - Duration::minutes(5 + i), "downtown") };
        phone.store.log_encounter(&e).unwrap();
    }
    phone.store.sync_now(&http(&server)).unwrap();
    ok(&satchel(&store, &["pull"]));
    let today = Utc::now().date_naive();
    let json_path = dir.path().join("r.json");
    let (from, to) = ((today - Duration::days(1)).to_string(), (today + Duration::days(1)).to_string());
    ok(&satchel(&store, &["report", "--from", &from, "--to", &to, "-o", json_path.to_str().unwrap()]));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let table = json["tables"].as_array().unwrap().iter().find(|t| t["name"] == "referrals_by_service").unwrap();
    assert_eq!(table["title"], "Referrals by service suggested");
    let columns = table["columns"].as_array().unwrap();
    let i = columns.iter().position(|c| c["id"] == "eastside-clinic").unwrap();
    assert_eq!(columns[i]["label"], "Eastside Health Clinic");
    let period = table["rows"].as_array().unwrap().last().unwrap();
    assert_eq!(period["cells"][i]["count"], 12);
    let harbor = columns.iter().position(|c| c["id"] == "harbor-shelter").unwrap();
    assert_eq!(period["cells"][harbor], "suppressed", "2 suggestions are a small count");
    let current = ok(&satchel(&store, &["program", "show", "--toml"]));

    // A misspelt field, a bad hour, an unknown referral type: refused with the line, nothing saved.
    for (text, line, says) in [
        ("[[services]]\nid = \"x\"\nreferral_types = [\"moud\"]\naccess = \"walk_in\"\nrequires_ID = true\n", 5, "unknown field"),
        (
            "\n[[services]]\nid = \"x\"\nreferral_types = [\"moud\"]\naccess = \"walk_in\"\nname = { en = \"X\" }\narea = { en = \"Y\" }\nhours = [{ day = \"mon\", opens = \"9am\", closes = \"17:00\" }]\n",
            2,
            "service.hours[0].opens",
        ),
        (
            "[[services]]\nid = \"x\"\nreferral_types = [\"bingo\"]\naccess = \"walk_in\"\nname = { en = \"X\" }\narea = { en = \"Y\" }\n",
            1,
            "not one of the program's referral types",
        ),
    ] {
        let f = dir.path().join("bad.toml");
        std::fs::write(&f, text).unwrap();
        let out = satchel(&store, &["program", "edit", "--file", f.to_str().unwrap()]);
        fails(&out, 1, &format!("line {line}"));
        fails(&out, 1, &says.to_lowercase());
    }
    assert_eq!(ok(&satchel(&store, &["program", "show", "--toml"])), current, "nothing changed");
}

/// Colour only on a terminal, and never with `NO_COLOR` set (<https://no-color.org>). The help
/// text is run under a pseudo-terminal by util-linux's `script` (Debian's essential bsdutils).
#[test]
fn colour_only_on_a_terminal_and_never_under_no_color() {
    let bin = env!("CARGO_BIN_EXE_satchel");
    let on_terminal = |no_color: bool| {
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &format!("'{bin}' report --help"), "/dev/null"]).env("TERM", "xterm-256color").env_remove("NO_COLOR");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let out = cmd.output().expect("util-linux `script` runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(text.contains("--format"), "the help text is there: {text:?}");
        text
    };
    assert!(on_terminal(false).contains("\x1b["), "a terminal gets colour");
    assert!(!on_terminal(true).contains("\x1b["), "NO_COLOR turns it off");
    let piped = Command::new(bin).args(["report", "--help"]).env_remove("NO_COLOR").output().unwrap();
    assert!(!String::from_utf8_lossy(&piped.stdout).contains("\x1b["), "a pipe gets none");
}

/// A server that lost records (an old backup restored, a broken disk): `satchel pull` still
/// pulls what is there, and warns that reports may be short.
#[test]
fn pull_warns_when_the_server_lost_records() {
    let server = Server::start();
    let manager = manager(&server);
    let phone = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    for i in 0..6 {
        phone.store.log_encounter(&NewEncounter::new(Utc::now() - Duration::minutes(5 + i), "downtown")).unwrap();
    }
    let pairs = satchel_core::SegmentLimits { max_records: 2, ..Default::default() };
    phone.store.sync_with(&http(&server), pairs).unwrap();
    let (store, _keep) = close(manager);

    // Whole: no warning.
    let clean = satchel(&store, &["pull"]);
    assert!(ok(&clean).contains("Pulled 6 records"));
    assert!(String::from_utf8_lossy(&clean.stderr).trim().is_empty(), "{}", String::from_utf8_lossy(&clean.stderr));

    for i in 0..6 {
        phone.store.log_encounter(&NewEncounter::new(Utc::now() - Duration::minutes(1 + i), "downtown")).unwrap();
    }
    phone.store.sync_with(&http(&server), pairs).unwrap();
    server.lose_segment(phone.store.device_id().unwrap(), "encounters", 9);
    let out = satchel(&store, &["pull"]);
    assert!(ok(&out).contains("Pulled 4 records"));
    let warning = String::from_utf8_lossy(&out.stderr);
    assert!(warning.contains("1 run(s) of other devices' records never arrived readable"), "{warning}");
    assert!(warning.contains("encounters seq 9-10 of device"), "{warning}");
}

/// A server restored from a backup lacks what a phone sent after it; the phone is gone, but the
/// manager pulled it: `satchel refill-hub` gives it back, once.
#[test]
fn refill_hub_gives_a_restored_server_back_what_it_lost() {
    let server = Server::start();
    let manager = manager(&server);
    let phone = enrolled(&server, &manager, "Van 1", Role::Outreach, Duration::zero());
    let log = |n: i64| {
        for i in 0..n {
            phone.store.log_encounter(&NewEncounter::new(Utc::now() - Duration::minutes(1 + i), "downtown")).unwrap();
        }
        phone.store.sync_now(&http(&server)).unwrap();
    };
    log(4);
    let (store, _keep) = close(manager);
    ok(&satchel(&store, &["pull"]));
    let backups = tempfile::tempdir().unwrap();
    server.backup(&backups.path().join("hub.db"));
    log(3);
    ok(&satchel(&store, &["pull"]));
    server.restore_from(&backups.path().join("hub.db"));

    let out = ok(&satchel(&store, &["refill-hub"]));
    assert!(out.contains("Gave the server back 3 records of 1 device(s)"), "{out}");
    let again = ok(&satchel(&store, &["refill-hub"]));
    assert!(again.contains("lacks nothing"), "{again}");
    let pulled = ok(&satchel(&store, &["pull"]));
    assert!(pulled.contains("Pulled"), "{pulled}");
    let status = satchel(&store, &["pull"]);
    assert!(String::from_utf8_lossy(&status.stderr).trim().is_empty(), "no hole, nothing set aside: {}", String::from_utf8_lossy(&status.stderr));
}
