//! The integrity check and the panic wipe.

use std::fs;
use std::path::Path;

use super::Store;
use crate::error::{Error, Result};
use crate::keyfile::StorePaths;

impl Store {
    /// Runs SQLite's and SQLCipher's integrity checks.
    pub fn integrity_check(&self) -> Result<()> {
        self.read(|_, conn| {
            let sqlite: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            if sqlite != "ok" {
                return Err(Error::Damaged(format!("integrity check: {sqlite}")));
            }
            let mut stmt = conn.prepare("PRAGMA cipher_integrity_check")?;
            let problems: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            if !problems.is_empty() {
                return Err(Error::Damaged(format!("cipher integrity check: {}", problems.join("; "))));
            }
            Ok(())
        })
    }

    /// Panic wipe of this store: locks it, destroys the phone's hardware keys (without them no
    /// wrap can ever open again, whatever flash storage keeps of the files), then every file
    /// (see [`wipe`]). Every step runs even if an earlier one fails.
    pub fn wipe(&self) -> Result<()> {
        self.destroy()
    }
}

/// Panic wipe: overwrites and deletes the key file first (which alone makes the database
/// unreadable), then deletes the database, its WAL, shared-memory and temporary files. Every
/// step runs even if an earlier one fails; failures are reported together.
pub fn wipe(dir: &Path) -> Result<()> {
    let paths = StorePaths::new(dir);
    let mut failed = Vec::new();
    for (i, path) in paths.all_files().into_iter().enumerate() {
        if !path.exists() {
            continue;
        }
        if i < 2 {
            // The key file and its temporary copy hold wrapped keys: overwrite them before
            // unlinking, in case the unlink fails or the file is linked elsewhere.
            if let Err(e) = overwrite(&path) {
                failed.push(format!("overwriting {}: {e}", file_name(&path)));
            }
        }
        if let Err(e) = fs::remove_file(&path) {
            failed.push(format!("{}: {e}", file_name(&path)));
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::WipeIncomplete(failed.join("; ")))
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap_or_default().to_string_lossy().into_owned()
}

fn overwrite(path: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let len = fs::metadata(path)?.len() as usize;
    let mut noise = vec![0u8; len];
    getrandom::fill(&mut noise).map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut f = fs::OpenOptions::new().write(true).open(path)?;
    f.write_all(&noise)?;
    f.sync_all()
}
