//! Files written whole or not at all: a temporary file in the same folder, synced, then renamed
//! into place. A failure at any point leaves no half-written report or QR code behind.

use std::path::Path;

use crate::error::{CliError, Result};

/// Writes `path` through a temporary file beside it, renamed into place at the end.
pub fn write(path: &Path, fill: impl FnOnce(&mut std::fs::File) -> Result<()>) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let file = |what: &'static str, at: &Path| {
        let path = at.to_owned();
        move |source| CliError::File { what, path, source }
    };
    let mut tmp = tempfile::Builder::new().prefix(".satchel-").tempfile_in(dir).map_err(file("cannot write in", dir))?;
    fill(tmp.as_file_mut())?;
    tmp.as_file_mut().sync_all().map_err(file("writing", path))?;
    tmp.persist(path).map_err(|e| file("cannot write", path)(e.error))?;
    Ok(())
}

/// Writes `bytes` to `path`, whole or not at all.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write(path, |f| std::io::Write::write_all(f, bytes).map_err(|source| CliError::File { what: "writing", path: path.to_owned(), source }))
}
