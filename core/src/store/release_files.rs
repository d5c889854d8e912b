//! A release is recorded if and only if its files exist (decision D78).
//!
//! The step, in order, each durable before the next:
//! 1. [`Store::stage_release`] makes one empty temporary file beside each destination, created
//!    new and locked by this process. A missing folder or a folder that cannot be written stops
//!    here, before anything is audited or recorded.
//! 2. [`Store::suppressed_report`] with the staged release audits the report and records its
//!    values as a *pending* batch, naming the temporary and final files, in the audit's own
//!    transaction (so two reports made at once still see each other).
//! 3. The caller writes each temporary file.
//! 4. [`Release::publish`] syncs them, renames each into place, syncs the folders, and marks
//!    the batch *released*.
//!
//! A failure before the first rename removes the temporary files and the pending batch: nothing
//! was written, nothing is recorded. A failure after a rename keeps what was renamed: those
//! files exist, so the release stays, with them. A process stopped anywhere (killed, power
//! lost) leaves a pending batch whose temporary files are no longer locked; the next report,
//! list or withdrawal of the store settles it from the files alone ([`Store::settle_releases`]):
//! a temporary file still there means its rename never happened; a temporary file gone and its
//! destination present means it did. A batch with at least one file in place is released with
//! those files; a batch with none is removed with its temporary files. A pending batch whose
//! temporary files are still locked is being written by another process and is left alone;
//! until it settles, the audit counts it as released, which can only hide more.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::error::{Error, Result};

/// A destination and the temporary file beside it that becomes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilePair {
    pub dest: PathBuf,
    pub temp: PathBuf,
}

/// A release being written: its temporary files, locked, and the batch its values were
/// recorded under (once a report was audited into it). Dropped before [`Release::publish`], it
/// removes its temporary files and its pending batch.
pub struct Release<'s> {
    store: &'s Store,
    pub(super) batch: Option<i64>,
    pairs: Vec<FilePair>,
    files: Vec<Option<File>>,
}

/// What a published release wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    /// The release's id in the ledger (`satchel releases`).
    pub id: i64,
    pub files: Vec<PathBuf>,
}

/// What settling found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settled {
    /// Interrupted releases kept, since at least one of their files is in place.
    pub kept: Vec<i64>,
    /// Interrupted releases removed, since none of their files was written.
    pub removed: usize,
}

fn io_at(path: &Path, what: &str) -> impl FnOnce(io::Error) -> Error {
    let path = path.display().to_string();
    let what = what.to_owned();
    move |e| Error::Io(io::Error::new(e.kind(), format!("{what} {path}: {e}")))
}

/// The folder a file is in ("." for a bare name).
fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn temp_beside(dest: &Path) -> Result<PathBuf> {
    let name = dest
        .file_name()
        .ok_or_else(|| crate::error::invalid("output", format!("{} names no file", dest.display())))?;
    let tag = hex::encode(crate::crypto::random_bytes::<6>());
    Ok(folder(dest).join(format!(".satchel-{}-{tag}.tmp", name.to_string_lossy())))
}

fn create_locked(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    file.try_lock().map_err(|e| match e {
        TryLockError::Error(e) => e,
        TryLockError::WouldBlock => io::Error::new(io::ErrorKind::WouldBlock, "locked by another process"),
    })?;
    Ok(file)
}

fn sync_folder(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(folder(path))?.sync_all()?;
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

impl Store {
    /// Step 1: a locked, empty temporary file beside each destination. Nothing is recorded.
    pub fn stage_release(&self, dests: &[PathBuf]) -> Result<Release<'_>> {
        if dests.is_empty() {
            return Err(crate::error::invalid("output", "a release needs at least one file"));
        }
        for (i, d) in dests.iter().enumerate() {
            if dests[..i].contains(d) {
                return Err(crate::error::invalid("output", format!("{} is named twice", d.display())));
            }
        }
        let mut release = Release { store: self, batch: None, pairs: Vec::new(), files: Vec::new() };
        for dest in dests {
            // Absolute, so a settle from another working folder finds the same files.
            let dest = &std::path::absolute(dest).map_err(io_at(dest, "cannot write"))?;
            if dest.is_dir() {
                return Err(crate::error::invalid("output", format!("{} is a folder; name a file", dest.display())));
            }
            let temp = temp_beside(dest)?;
            // Dropping `release` on an error removes the files made so far.
            let file = create_locked(&temp).map_err(io_at(folder(dest), "cannot write in"))?;
            release.pairs.push(FilePair { dest: dest.clone(), temp });
            release.files.push(Some(file));
        }
        // Named in the store, so that a process stopped before its report is recorded leaves
        // nothing that the next settle does not find.
        self.write(|_, conn| {
            for p in &release.pairs {
                conn.execute("INSERT INTO release_staging (temp, dest) VALUES (?1, ?2)", params![path_text(&p.temp)?, path_text(&p.dest)?])?;
            }
            Ok(())
        })?;
        Ok(release)
    }

    /// Settles releases that a stopped process left pending (see the module's notes). Called by
    /// every report, list and withdrawal; safe to call at any time.
    pub fn settle_releases(&self) -> Result<Settled> {
        self.write(|_, conn| settle(conn))
    }
}

fn path_text(p: &Path) -> Result<String> {
    p.to_str()
        .map(str::to_owned)
        .ok_or_else(|| crate::error::invalid("output", format!("{} is not a UTF-8 path", p.display())))
}

/// Step 2's record: the batch's values were inserted by the audit; this names their files.
pub(super) fn record_pending(conn: &Connection, release: &mut Release<'_>, row: i64) -> Result<()> {
    let batch = *release.batch.get_or_insert(row);
    for p in &release.pairs {
        conn.execute("DELETE FROM release_staging WHERE temp = ?1", params![path_text(&p.temp)?])?;
    }
    let files = serde_json::to_string(&release.pairs).map_err(|e| Error::Damaged(e.to_string()))?;
    conn.execute(
        "UPDATE report_release SET batch = ?1, state = 'pending', files = ?2 WHERE id = ?3",
        params![batch, files, row],
    )?;
    Ok(())
}

impl Release<'_> {
    /// The temporary file of the `i`-th destination, to write the report into.
    pub fn file(&mut self, i: usize) -> Result<&mut File> {
        self.files
            .get_mut(i)
            .and_then(Option::as_mut)
            .ok_or_else(|| crate::error::invalid("output", format!("no file {i} in this release")))
    }

    pub fn dests(&self) -> impl Iterator<Item = &Path> {
        self.pairs.iter().map(|p| p.dest.as_path())
    }

    /// Step 4: every file synced and renamed into place, then the release recorded as released.
    /// Without a recorded report (no batch), nothing is renamed.
    pub fn publish(mut self) -> Result<Published> {
        let batch = self
            .batch
            .ok_or_else(|| crate::error::invalid("release", "no report was recorded into it"))?;
        for (pair, file) in self.pairs.iter().zip(&self.files) {
            if let Some(f) = file {
                f.sync_all().map_err(io_at(&pair.dest, "writing"))?;
            }
        }
        let mut placed = 0;
        let mut failure = None;
        for (i, pair) in self.pairs.iter().enumerate() {
            // Unix renames an open file; Windows needs it closed first.
            #[cfg(not(unix))]
            drop(self.files[i].take());
            #[cfg(unix)]
            let _ = i;
            if let Err(e) = std::fs::rename(&pair.temp, &pair.dest) {
                failure = Some(io_at(&pair.dest, "cannot write")(e));
                break;
            }
            placed += 1;
        }
        if placed == 0 {
            return Err(failure.unwrap_or_else(|| crate::error::invalid("release", "nothing to write")));
        }
        // From here files exist: the batch is a release whatever happens next. Drop no longer
        // removes it, and a failure below leaves it pending for the next settle to mark.
        self.batch = None;
        let pairs = std::mem::take(&mut self.pairs);
        let kept: Vec<FilePair> = pairs[..placed].to_vec();
        for pair in &pairs[placed..] {
            let _ = std::fs::remove_file(&pair.temp);
        }
        for pair in &kept {
            sync_folder(&pair.dest).map_err(io_at(&pair.dest, "writing"))?;
        }
        let files = serde_json::to_string(&kept).map_err(|e| Error::Damaged(e.to_string()))?;
        self.store.write(|_, conn| {
            conn.execute("UPDATE report_release SET state = 'released', files = ?1 WHERE batch = ?2", params![files, batch])?;
            Ok(())
        })?;
        match failure {
            Some(e) => Err(Error::Io(io::Error::other(format!(
                "release {batch} was recorded with {} only: {e}",
                kept.iter().map(|p| p.dest.display().to_string()).collect::<Vec<_>>().join(", ")
            )))),
            None => Ok(Published { id: batch, files: kept.into_iter().map(|p| p.dest).collect() }),
        }
    }
}

impl Drop for Release<'_> {
    /// Not published: the temporary files go, and the pending batch with them (the batch first,
    /// so a stop in between leaves files that settle finds and removes).
    fn drop(&mut self) {
        if self.pairs.is_empty() {
            return;
        }
        let batch = self.batch;
        let _ = self.store.write(|_, conn| {
            if let Some(batch) = batch {
                conn.execute("DELETE FROM report_release WHERE batch = ?1 AND state = 'pending'", params![batch])?;
            }
            for p in &self.pairs {
                conn.execute("DELETE FROM release_staging WHERE temp = ?1", params![path_text(&p.temp)?])?;
            }
            Ok(())
        });
        self.files.clear();
        for pair in &self.pairs {
            let _ = std::fs::remove_file(&pair.temp);
        }
    }
}

/// Whether a temporary file is held by a live writer.
fn in_use(temp: &Path) -> bool {
    match File::open(temp) {
        Ok(f) => matches!(f.try_lock(), Err(TryLockError::WouldBlock)),
        Err(_) => false,
    }
}

pub(super) fn settle(conn: &Connection) -> Result<Settled> {
    let mut out = Settled::default();
    let staged: Vec<String> = {
        let mut stmt = conn.prepare("SELECT temp FROM release_staging")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for temp in staged {
        if !in_use(Path::new(&temp)) {
            let _ = std::fs::remove_file(&temp);
            conn.execute("DELETE FROM release_staging WHERE temp = ?1", params![temp])?;
        }
    }
    let pending: Vec<(i64, String)> = {
        let mut stmt = conn.prepare("SELECT batch, files FROM report_release WHERE state = 'pending' GROUP BY batch ORDER BY batch")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (batch, files) in pending {
        let pairs: Vec<FilePair> = serde_json::from_str(&files).map_err(|e| Error::Damaged(format!("the ledger's files: {e}")))?;
        if pairs.iter().any(|p| in_use(&p.temp)) {
            continue;
        }
        let placed: Vec<&FilePair> = pairs.iter().filter(|p| !p.temp.exists() && p.dest.exists()).collect();
        for p in &pairs {
            let _ = std::fs::remove_file(&p.temp);
        }
        if placed.is_empty() {
            conn.execute("DELETE FROM report_release WHERE batch = ?1", params![batch])?;
            out.removed += 1;
        } else {
            let files = serde_json::to_string(&placed).map_err(|e| Error::Damaged(e.to_string()))?;
            conn.execute("UPDATE report_release SET state = 'released', files = ?1 WHERE batch = ?2", params![files, batch])?;
            out.kept.push(batch);
        }
    }
    Ok(out)
}

/// A release withdrawn: when, by whom and why, and the files it was written to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Withdrawn {
    pub id: i64,
    pub files: Vec<PathBuf>,
}

impl Store {
    /// Withdraws a release that never left the office: the audit forgets its values from now
    /// on. The ledger keeps the entry, marked withdrawn, with the time and `note` (who and why).
    /// Files it was written to are not touched; whoever holds them holds values later reports
    /// are no longer audited against.
    pub fn withdraw_release(&self, id: i64, note: &str) -> Result<Withdrawn> {
        let note = note.trim();
        if note.is_empty() {
            return Err(crate::error::invalid("note", "say who withdraws the release and why"));
        }
        if note.chars().count() > 500 {
            return Err(crate::error::invalid("note", "at most 500 characters"));
        }
        self.settle_releases()?;
        let now = self.now().timestamp();
        self.write(|_, conn| {
            let found: Option<(String, String)> = conn
                .query_row("SELECT state, files FROM report_release WHERE batch = ?1 LIMIT 1", params![id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let Some((state, files)) = found else {
                return Err(Error::NotFound { kind: "release", id: id.to_string() });
            };
            match state.as_str() {
                "withdrawn" => return Err(crate::error::invalid("release", format!("release {id} was already withdrawn"))),
                "pending" => return Err(crate::error::invalid("release", format!("release {id} is still being written"))),
                _ => {}
            }
            conn.execute(
                "UPDATE report_release SET state = 'withdrawn', withdrawn_at = ?1, withdrawn_note = ?2 WHERE batch = ?3",
                params![now, note, id],
            )?;
            let pairs: Vec<FilePair> = serde_json::from_str(&files).map_err(|e| Error::Damaged(format!("the ledger's files: {e}")))?;
            Ok(Withdrawn { id, files: pairs.into_iter().map(|p| p.dest).collect() })
        })
    }
}
