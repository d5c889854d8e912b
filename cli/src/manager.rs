//! The manager's store: where it is, how it is unlocked, and the calls that reach the server.

use std::path::{Path, PathBuf};

use chrono::{Local, TimeZone};
use satchel_core::crypto::KdfParams;
use satchel_core::{AuditProgress, CreateOptions, PeriodCheck, HttpTransport, ListKind, Refilled, Role, Store, SyncReport};
use zeroize::Zeroizing;

use crate::error::{CliError, Result};

/// Where the manager's store is, and which extra certificate authority to trust.
pub struct StoreLocation {
    pub store: Option<PathBuf>,
    pub ca_cert: Option<PathBuf>,
}

impl StoreLocation {
    /// `--store`, or `$SATCHEL_STORE`, or `~/.local/share/satchel/manager`.
    pub fn dir(&self) -> Result<PathBuf> {
        if let Some(d) = &self.store {
            return Ok(d.clone());
        }
        let home = std::env::var_os("HOME").ok_or("no --store given and no HOME to put the store in")?;
        Ok(PathBuf::from(home).join(".local/share/satchel/manager"))
    }
}

/// The passphrase: `$SATCHEL_PASSPHRASE` (for scripts), or asked on the terminal.
fn passphrase(prompt: &str) -> Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var("SATCHEL_PASSPHRASE") {
        return Ok(Zeroizing::new(p));
    }
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|_| "no passphrase: set SATCHEL_PASSPHRASE or run in a terminal".into())
}

/// The shortest passphrase a new manager's store takes. A laptop has no hardware key to bind the
/// passphrase to (a phone's PIN has), so the passphrase alone stands against offline guessing
/// of a copied store.
pub const MIN_PASSPHRASE: usize = 12;

/// Refuses a new passphrase shorter than [`MIN_PASSPHRASE`] characters, or one character
/// repeated; the message never repeats it.
fn check_new_passphrase(pass: &str) -> Result<()> {
    let chars: Vec<char> = pass.chars().collect();
    if chars.len() < MIN_PASSPHRASE {
        return Err(CliError::NewPassphrase(format!(
            "the passphrase must be at least {MIN_PASSPHRASE} characters (a few words are easy to type and hard to guess)"
        )));
    }
    if chars.iter().all(|c| *c == chars[0]) {
        return Err(CliError::NewPassphrase("the passphrase must not be one character repeated".into()));
    }
    Ok(())
}

/// A spinner on standard error while something long runs (hidden when that is not a
/// terminal).
pub fn working(what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner().with_message(what.to_string());
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// The progress of a report's audit on standard error: nothing for the first 2 seconds, then
/// a bar with the period being audited and the share done (hidden when standard error is not
/// a terminal).
pub struct AuditBar {
    bar: indicatif::ProgressBar,
    started: std::time::Instant,
    shown: std::sync::atomic::AtomicBool,
}

impl AuditBar {
    pub const AFTER: std::time::Duration = std::time::Duration::from_secs(2);

    pub fn new() -> AuditBar {
        let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        let style = indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {percent:>3}% ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        AuditBar { bar, started: std::time::Instant::now(), shown: false.into() }
    }

    /// The line shown for a step: `step`, the period audited; `p`, how far its audit is.
    pub fn line(step: &str, p: AuditProgress) -> String {
        format!("auditing {step} against {} earlier release{}", p.earlier, if p.earlier == 1 { "" } else { "s" })
    }

    pub fn tell(&self, step: &str, p: AuditProgress) {
        use std::sync::atomic::Ordering;
        if self.started.elapsed() >= Self::AFTER && !self.shown.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(std::time::Duration::from_millis(250));
        }
        let line = Self::line(step, p);
        if self.bar.message() != line {
            self.bar.set_message(line);
        }
        self.bar.set_length(p.of as u64);
        self.bar.set_position(p.done as u64);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Default for AuditBar {
    fn default() -> Self {
        Self::new()
    }
}

/// Local time of a Unix timestamp, for messages.
pub fn local_time(unix: i64) -> String {
    Local.timestamp_opt(unix, 0).single().map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| unix.to_string())
}

/// An unlocked manager's store.
pub struct Manager {
    store: Store,
    ca_pem: Option<Vec<u8>>,
}

fn read_ca(place: &StoreLocation) -> Result<Option<Vec<u8>>, String> {
    place
        .ca_cert
        .as_ref()
        .map(|p| std::fs::read(p).map_err(|e| format!("reading the CA certificate {}: {e}", p.display())))
        .transpose()
}

impl Manager {
    /// Creates the store and sets up the program with the server's one-time token. If setting
    /// up fails, the new store is removed again: nothing is left half-made.
    pub fn init(place: &StoreLocation, server: &str, token: &str) -> Result<Manager> {
        let dir = place.dir()?;
        let ca_pem = read_ca(place)?;
        let transport = HttpTransport::new(server, ca_pem.as_deref())?;
        if Store::exists(&dir) {
            return Err(CliError::StoreExists(dir));
        }
        let pass = passphrase("New passphrase for the manager's store (at least 12 characters): ")?;
        check_new_passphrase(&pass)?;
        if std::env::var("SATCHEL_PASSPHRASE").is_err() && *passphrase("Repeat it: ")? != *pass {
            return Err(CliError::NewPassphrase("the passphrases differ".into()));
        }
        let opts = CreateOptions { role: Role::Manager, pin: pass.to_string(), hardware: None, background: false, kdf: KdfParams::DEFAULT };
        let store = Store::create(&dir, opts)?;
        if let Err(e) = store.start_program(server, token, &transport) {
            store.lock();
            let _ = satchel_core::wipe(&dir);
            return Err(e.into());
        }
        Ok(Manager { store, ca_pem })
    }

    /// Opens and unlocks the store.
    pub fn open(place: &StoreLocation) -> Result<Manager> {
        let dir = place.dir()?;
        if !Store::exists(&dir) {
            return Err(CliError::NoStore(dir));
        }
        let store = Store::open(&dir)?;
        let pass = passphrase("Passphrase: ")?;
        store.unlock_with_pin(&pass)?;
        if store.role()? != Role::Manager {
            return Err(CliError::NotManagerStore(dir));
        }
        Ok(Manager { store, ca_pem: read_ca(place)? })
    }

    /// A manager over a store already open (the demo).
    #[cfg(feature = "demo")]
    pub fn from_store(store: Store) -> Manager {
        Manager { store, ca_pem: None }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn dir(&self) -> &Path {
        self.store.dir()
    }

    fn transport(&self) -> Result<HttpTransport> {
        let server = self.store.sync_server()?.ok_or("this store has no program yet; run `satchel program init`")?;
        HttpTransport::new(&server, self.ca_pem.as_deref()).map_err(CliError::from)
    }

    pub fn enroll(&self, label: &str, role: Role) -> Result<(String, i64)> {
        self.store.create_enrollment(label, role, &self.transport()?).map_err(CliError::from)
    }

    /// This store's device id at the hub.
    pub fn device_id(&self) -> Result<uuid::Uuid> {
        Ok(self.store.device_id()?)
    }

    /// Whether the team key was replaced at once (otherwise a manager's next pull does it).
    pub fn revoke(&self, device: uuid::Uuid) -> Result<bool> {
        self.store.revoke_device(device, &self.transport()?).map_err(CliError::from)
    }

    pub fn pull(&self) -> Result<SyncReport> {
        let transport = self.transport()?;
        let spinner = working("pulling from the server");
        let result = self.store.sync_now(&transport).map_err(CliError::from);
        spinner.finish_and_clear();
        result
    }

    /// Gives a hub restored from a backup what it lost and this store pulled before.
    pub fn refill_hub(&self) -> Result<Refilled> {
        let transport = self.transport()?;
        let spinner = working("giving the hub back what it lost");
        let result = self.store.refill_hub(&transport).map_err(CliError::from);
        spinner.finish_and_clear();
        result
    }

    /// Says on standard error when a report ending on `to` cannot hold its whole period yet
    /// (it is still written: a manager may want the month so far).
    pub fn warn_incomplete_period(&self, to: chrono::NaiveDate) -> Result<()> {
        match self.store.period_check(to)? {
            PeriodCheck::Complete => {}
            PeriodCheck::NotEnded { today } => eprintln!(
                "Warning: the period ends {to}, and today is {today}: encounters logged after now are not in this report."
            ),
            PeriodCheck::PulledBefore { last_pull: Some(at) } => eprintln!(
                "Warning: the last pull was {}, before the period ended: what phones synced since is not in this report. Run `satchel pull` first.",
                local_time(at.timestamp())
            ),
            PeriodCheck::PulledBefore { last_pull: None } => {
                eprintln!("Warning: this store has never pulled from the server: the report holds only what is here. Run `satchel pull` first.")
            }
        }
        Ok(())
    }

    /// Says on standard error when data that should be here is not: other devices' segments
    /// set aside, or runs of records the server skipped.
    pub fn warn_missing_data(&self) -> Result<()> {
        let status = self.store.sync_status()?;
        if status.quarantined > 0 {
            eprintln!(
                "Warning: {} segment(s) from other devices were set aside as damaged or forged; the last: {}",
                status.quarantined,
                status.last_quarantined.unwrap_or_default()
            );
        }
        if status.holes > 0 {
            eprintln!(
                "Warning: {} run(s) of other devices' records never arrived readable (skipped by the server or damaged), so reports may be short; the last: {}",
                status.holes,
                status.last_hole.unwrap_or_default()
            );
        }
        Ok(())
    }

    /// The device list as a text table.
    /// The open enrollment codes: id, label, role, when each expires (local time), and who
    /// issued it.
    pub fn list_codes(&self) -> Result<String> {
        let codes = self.store.list_enrollments(&self.transport()?)?;
        if codes.is_empty() {
            return Ok("No open enrollment codes (used, expired and cancelled ones are gone).\n".into());
        }
        let me = self.store.device_id()?;
        let mut out = format!("{:<16}  {:<24}  {:<8}  {:<16}  {}\n", "CODE", "LABEL", "ROLE", "EXPIRES", "ISSUED BY");
        for c in codes {
            let by = match c.created_by {
                Some(d) if d == me => "this store".to_string(),
                Some(d) => d.to_string(),
                None => "the server (its first code)".to_string(),
            };
            out += &format!(
                "{:<16}  {:<24}  {:<8}  {:<16}  {by}\n",
                c.id,
                c.label.chars().take(24).collect::<String>(),
                c.role.as_str(),
                local_time(c.expires_at)
            );
        }
        Ok(out)
    }

    pub fn cancel_code(&self, id: &str) -> Result<()> {
        self.store.cancel_enrollment(id, &self.transport()?).map_err(CliError::from)
    }

    pub fn list_devices(&self) -> Result<String> {
        let devices = self.store.list_devices(&self.transport()?)?;
        let mut out = format!("{:<36}  {:<24}  {:<8}  {:<16}  {:>9}  {:>9}\n", "DEVICE", "LABEL", "ROLE", "LAST SEEN", "ENCOUNTERS", "STOCK");
        for d in devices {
            let acked = |s: &str| d.acked.iter().find(|a| a.stream.as_str() == s).map_or(0, |a| a.acked_seq);
            out += &format!(
                "{:<36}  {:<24}  {:<8}  {:<16}  {:>9}  {:>9}{}\n",
                d.device,
                d.label.chars().take(24).collect::<String>(),
                d.role.as_str(),
                d.last_seen.map(local_time).unwrap_or_else(|| "never".into()),
                acked("encounters"),
                acked("inventory"),
                if d.revoked { "  (revoked)" } else { "" }
            );
        }
        out += "ENCOUNTERS and STOCK: how many of the device's records the server holds.\n";
        Ok(out)
    }

    /// The ledger of releases as text, oldest first.
    pub fn list_releases(&self) -> Result<String> {
        let releases = self.store.releases()?;
        if releases.is_empty() {
            return Ok("No report has been released from this store yet.\n".into());
        }
        let mut out = format!(
            "{:>4}  {:<16}  {:<10}  {:<10}  {:<6}  {:<12}  {:>9}  {:>6}  {:>10}  {:<9}  FILES\n",
            "ID", "MADE", "FROM", "TO", "BY", "ZONE", "THRESHOLD", "SHOWN", "SUPPRESSED", "STATE"
        );
        for r in &releases {
            let q = r.query();
            let by = q.by.map_or("-", satchel_core::Granularity::part);
            let files: Vec<String> = r.files.iter().map(|p| p.display().to_string()).collect();
            out += &format!(
                "{:>4}  {:<16}  {:<10}  {:<10}  {:<6}  {:<12}  {:>9}  {:>6}  {:>10}  {:<9}  {}\n",
                r.id,
                local_time(r.made_at.timestamp()),
                q.from,
                q.to,
                by,
                q.zone.as_deref().unwrap_or("all"),
                q.threshold,
                r.shown,
                r.hidden,
                r.state,
                files.join(", ")
            );
            if r.parts.len() > 1 {
                let before = &r.parts[0];
                out += &format!("      with the period before: {} to {}\n", before.from, before.to);
            }
            if let Some((at, note)) = &r.withdrawn {
                out += &format!("      withdrawn {}: {note}\n", local_time(at.timestamp()));
            }
        }
        out += "SHOWN and SUPPRESSED: values that are sums of daily counts (every value but unduplicated participants).\n";
        out += "Withdrawn releases are kept here but no longer audited against.\n";
        Ok(out)
    }

    /// The program's settings as text.
    pub fn describe_settings(&self) -> Result<String> {
        let s = self.store.settings()?;
        let mut out = format!(
            "Program: {}\nTime zone: {}\nSmall counts suppressed below: {}\nEncounters kept on phones after sync: {} days\n",
            s.program.name, s.program.time_zone, s.program.small_cell_threshold, s.program.retention_days
        );
        let list = |title: &str, rows: Vec<(String, String, bool)>| {
            let mut t = format!("\n{title}:\n");
            for (id, label, active) in rows {
                t += &format!("  {id:<20} {label}{}\n", if active { "" } else { "  (retired)" });
            }
            t
        };
        out += &list("Supplies", s.items.iter().map(|i| (i.id.clone(), i.name.clone(), i.active)).collect());
        out += &list("Kits", s.kits.iter().map(|k| (k.id.clone(), k.name.clone(), k.active)).collect());
        for kind in ListKind::ALL {
            out += &list(kind.title(), s.list(kind).iter().map(|c| (c.id.clone(), c.label.clone(), c.active)).collect());
        }
        out += &list("Stock locations", s.locations.iter().map(|l| (l.id.clone(), l.name.clone(), l.active)).collect());
        out += &list(
            "Sharps containers (estimated syringes each)",
            s.containers.iter().map(|c| (c.id.clone(), format!("{} (about {})", c.name, c.syringes_estimate), c.active)).collect(),
        );
        out += &list(
            "Services directory",
            s.services
                .iter()
                .map(|svc| (svc.id.clone(), format!("{} — {}", svc.name.en, svc.referral_types.join(", ")), svc.active))
                .collect(),
        );
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_bar_stays_hidden_for_two_seconds_then_shows_the_period_and_the_share() {
        let bar = AuditBar::new();
        let p = AuditProgress { done: 3, of: 12, earlier: 4 };
        bar.tell("2026-10-01 to 2026-12-31", p);
        assert!(!bar.shown.load(std::sync::atomic::Ordering::Relaxed));
        let late = AuditBar { started: std::time::Instant::now() - AuditBar::AFTER, ..AuditBar::new() };
        late.tell("2026-10-01 to 2026-12-31", p);
        assert!(late.shown.load(std::sync::atomic::Ordering::Relaxed));
        assert_eq!((late.bar.position(), late.bar.length()), (3, Some(12)));
        assert_eq!(late.bar.message(), "auditing 2026-10-01 to 2026-12-31 against 4 earlier releases");
        late.finish();
    }
}
