//! A release is recorded if and only if its files exist (D78): each step of the release made
//! to fail in turn (folder missing, the disk full while writing, the rename refused, the second
//! of two files refused), a release being written in one process left alone by another, and a
//! withdrawn release forgotten by the audit. Interrupted processes: `release_crash.rs`.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::*;
use satchel_core::{Error, Granularity, NewEncounter, Role, Store, TallyQuery};

fn noon(day: &str) -> DateTime<Utc> {
    let d: NaiveDate = day.parse().unwrap();
    Utc.from_utc_datetime(&d.and_hms_opt(16, 0, 0).unwrap())
}

fn store_with_data(dir: &Path) -> Store {
    let store = new_store(dir, Role::Manager, &TestClock::at(Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()));
    for (n, day, zone) in [(30, "2026-10-06", "downtown"), (25, "2026-10-07", "riverside"), (4, "2026-10-08", "riverside")] {
        for _ in 0..n {
            store.log_encounter(&NewEncounter::new(noon(day), zone)).unwrap();
        }
    }
    store
}

fn quarter() -> TallyQuery {
    TallyQuery { by: Some(Granularity::Week), ..TallyQuery::period("2026-10-05".parse().unwrap(), "2026-10-18".parse().unwrap()) }
}

/// Every file in a folder (temporary ones included).
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn write_json(staged: &mut satchel_core::store::Release<'_>, i: usize, r: &satchel_core::SuppressedReport) {
    serde_json::to_writer(staged.file(i).unwrap(), &r.tables).unwrap();
}

#[test]
fn a_published_release_has_its_files_and_only_then_a_ledger_entry() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let store = store_with_data(dir.path());
    let files = [out.path().join("q4.json"), out.path().join("q4-copy.json")];
    let mut staged = store.stage_release(&files).unwrap();
    assert_eq!(listing(out.path()).len(), 2, "two temporary files");
    assert!(listing(out.path()).iter().all(|n| n.starts_with(".satchel-")));
    let r = store.suppressed_report(&quarter(), Some(&mut staged)).unwrap();
    let pending = store.releases().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].state, "pending", "recorded while its files are written, and left alone: they are locked");
    write_json(&mut staged, 0, &r);
    write_json(&mut staged, 1, &r);
    let published = staged.publish().unwrap();
    assert_eq!(listing(out.path()), vec!["q4-copy.json".to_string(), "q4.json".to_string()]);
    assert_eq!(Some(published.id), r.release);
    let list = store.releases().unwrap();
    assert_eq!(list.len(), 1, "two formats of one report are one release");
    assert_eq!(list[0].state, "released");
    assert_eq!(list[0].files, files.to_vec());
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    assert!(written.is_array());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777, 0o600, "readable by the owner only (D37)");
    }
}

#[test]
fn a_missing_folder_stops_the_release_before_anything_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let store = store_with_data(dir.path());
    let missing = out.path().join("nosuchdir").join("q4.csv");
    let e = store.stage_release(&[out.path().join("fine.csv"), missing]).err().unwrap();
    assert!(matches!(e, Error::Io(_)), "{e}");
    assert!(e.to_string().contains("nosuchdir"), "{e}");
    assert!(listing(out.path()).is_empty(), "the first file's temporary file went too: {:?}", listing(out.path()));
    assert!(store.releases().unwrap().is_empty());
    let e = store.stage_release(&[out.path().to_path_buf()]).err().unwrap();
    assert!(e.to_string().contains("is a folder"), "{e}");
}

/// A disk that fills after `room` bytes: writes fail as a full disk makes them fail (ENOSPC).
struct FillingDisk<'f> {
    file: &'f mut std::fs::File,
    room: usize,
}

impl Write for FillingDisk<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        self.file.write(&buf[..n])
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// The manager's tool's steps, with the write going through `room` bytes of disk.
fn release_on_a_small_disk(store: &Store, dest: PathBuf, room: usize) -> satchel_core::Result<satchel_core::store::Published> {
    let mut staged = store.stage_release(&[dest])?;
    let r = store.suppressed_report(&quarter(), Some(&mut staged))?;
    let mut disk = FillingDisk { file: staged.file(0)?, room };
    serde_json::to_writer_pretty(&mut disk, &r.tables).map_err(|e| Error::Io(e.into()))?;
    staged.publish()
}

#[test]
fn the_disk_full_while_writing_leaves_no_file_and_no_release() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let store = store_with_data(dir.path());
    let e = release_on_a_small_disk(&store, out.path().join("q4.json"), 100).err().unwrap();
    assert!(e.to_string().to_lowercase().contains("storage full") || e.to_string().contains("space"), "{e}");
    assert!(listing(out.path()).is_empty(), "{:?}", listing(out.path()));
    assert!(store.releases().unwrap().is_empty(), "no file, no release");
    assert_eq!(store.suppressed_report(&quarter(), None).unwrap().earlier_releases, 0, "the audit never saw it");
    // With room enough, the same steps release it.
    release_on_a_small_disk(&store, out.path().join("q4.json"), usize::MAX).unwrap();
    assert_eq!(store.releases().unwrap().len(), 1);
}

#[test]
fn a_refused_rename_leaves_no_release_and_an_earlier_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let store = store_with_data(dir.path());
    let dest = out.path().join("q4.csv");
    let mut staged = store.stage_release(std::slice::from_ref(&dest)).unwrap();
    let r = store.suppressed_report(&quarter(), Some(&mut staged)).unwrap();
    write_json(&mut staged, 0, &r);
    // Between staging and the rename, the name became a folder holding a file: rename refuses.
    std::fs::create_dir(&dest).unwrap();
    std::fs::write(dest.join("keep.txt"), b"mine").unwrap();
    let e = staged.publish().err().unwrap();
    assert!(e.to_string().contains("q4.csv"), "{e}");
    assert_eq!(listing(out.path()), vec!["q4.csv".to_string()], "the temporary file is gone");
    assert_eq!(std::fs::read(dest.join("keep.txt")).unwrap(), b"mine");
    assert!(store.releases().unwrap().is_empty(), "nothing renamed, nothing recorded");
}

#[test]
fn when_the_second_file_is_refused_the_release_keeps_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let store = store_with_data(dir.path());
    let (first, second) = (out.path().join("q4.csv"), out.path().join("q4.html"));
    let mut staged = store.stage_release(&[first.clone(), second.clone()]).unwrap();
    let r = store.suppressed_report(&quarter(), Some(&mut staged)).unwrap();
    write_json(&mut staged, 0, &r);
    write_json(&mut staged, 1, &r);
    std::fs::create_dir(&second).unwrap();
    std::fs::write(second.join("x"), b"x").unwrap();
    let e = staged.publish().err().unwrap();
    assert!(e.to_string().contains("recorded with") && e.to_string().contains("q4.csv"), "{e}");
    assert!(first.is_file(), "the first file is in place");
    let list = store.releases().unwrap();
    assert_eq!(list.len(), 1, "its file exists, so the release is recorded");
    assert_eq!(list[0].state, "released");
    assert_eq!(list[0].files, vec![first]);
    assert_eq!(listing(out.path()), vec!["q4.csv".to_string(), "q4.html".to_string()], "no temporary file left");
}

#[test]
fn a_report_that_fails_its_audit_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let store = store_with_data(dir.path());
    let mut staged = store.stage_release(&[out.path().join("q4.csv")]).unwrap();
    let unknown = TallyQuery { zone: Some("atlantis".into()), ..quarter() };
    assert!(store.suppressed_report(&unknown, Some(&mut staged)).is_err());
    assert!(staged.publish().is_err(), "nothing was recorded into it, so nothing is published");
    assert!(listing(out.path()).is_empty());
    assert!(store.releases().unwrap().is_empty());
}

#[test]
fn a_release_being_written_by_another_process_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let store = store_with_data(dir.path());
    let mut staged = store.stage_release(&[out.path().join("q4.json")]).unwrap();
    let r = store.suppressed_report(&quarter(), Some(&mut staged)).unwrap();
    // A second handle on the same store (another `satchel` running) settles and lists: the
    // temporary file is locked, so the pending release stays, and is audited against.
    let other = Store::open(dir.path()).unwrap();
    other.unlock_with_pin(PIN).unwrap();
    assert_eq!(other.settle_releases().unwrap(), satchel_core::store::Settled::default());
    assert_eq!(other.suppressed_report(&quarter(), None).unwrap().earlier_releases, 1);
    write_json(&mut staged, 0, &r);
    staged.publish().unwrap();
    assert_eq!(other.releases().unwrap()[0].state, "released");
}

#[test]
fn a_withdrawn_release_is_forgotten_by_the_audit_and_kept_in_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_data(dir.path());
    let month = TallyQuery::period("2026-10-01".parse().unwrap(), "2026-10-31".parse().unwrap());
    let first = publish(&store, &month);
    let r = store.suppressed_report(&quarter(), None).unwrap();
    assert_eq!(r.earlier_releases, 1);
    let id = first.release.unwrap();

    assert!(matches!(store.withdraw_release(id, "  "), Err(Error::Invalid { .. })), "a note is required");
    assert!(matches!(store.withdraw_release(id + 100, "draft"), Err(Error::NotFound { .. })));
    let w = store.withdraw_release(id, "draft, never sent (by ana)").unwrap();
    assert_eq!(w.id, id);
    assert_eq!(w.files.len(), 1);
    assert!(matches!(store.withdraw_release(id, "again"), Err(Error::Invalid { .. })), "once only");

    let after = store.suppressed_report(&quarter(), None).unwrap();
    assert_eq!(after.earlier_releases, 0, "the audit forgets it");
    assert_eq!(after.hidden_for_earlier, 0);
    let list = store.releases().unwrap();
    assert_eq!(list.len(), 1, "the ledger keeps it");
    assert_eq!(list[0].state, "withdrawn");
    let (at, note) = list[0].withdrawn.clone().unwrap();
    assert_eq!(at.timestamp(), store.now().timestamp());
    assert_eq!(note, "draft, never sent (by ana)");
}

