//! The pieces end-to-end tests put together: a real sync server on 127.0.0.1 (restartable on
//! the same port), devices enrolled through it over HTTP, and a transport that injects network
//! faults between them.
// Test support: a failed step should stop the test where it happened.
#![allow(clippy::unwrap_used)]

pub mod segment_fixture;
pub mod workload;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use satchel_core::crypto::KdfParams;
use satchel_core::{CreateOptions, HttpTransport, Reply, Role, Store, Transport};
use satchel_protocol::wire::{PullResponse, Role as WireRole};
use satchel_server::connections::ConnectionLimits;
use satchel_server::http::ApiLimits;
pub use satchel_server::hub::Backend;
use satchel_server::scratch::ScratchDatabase;
use satchel_server::serve::{self, Running, ServeOptions};
use uuid::Uuid;

pub const PIN: &str = "2468";

/// Argon2id at its smallest, so tests do not spend their time deriving keys.
pub const FAST_KDF: KdfParams = KdfParams { m_kib: 64, t: 1, p: 1 };

/// A sync server in this process, on a loopback port, over plain HTTP.
pub struct Server {
    rt: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
    storage: serve::Storage,
    /// The PostgreSQL database this server stores in, dropped with it.
    scratch: Option<ScratchDatabase>,
    addr: SocketAddr,
    running: Mutex<Option<Running>>,
    /// The one-time token for the program's first manager.
    pub bootstrap: String,
    pub program: Uuid,
    pub restarts: AtomicU64,
}

impl Server {
    /// A server on the embedded default, SQLite in a temporary directory.
    pub fn start() -> Server {
        Server::start_on(Backend::Sqlite).expect("SQLite is always there")
    }

    /// A server storing in `backend`: PostgreSQL gets a database of its own
    /// (`SATCHEL_TEST_POSTGRES_URL`), or `None` when PostgreSQL runs are skipped
    /// (`SATCHEL_SKIP_POSTGRES=1`).
    pub fn start_on(backend: Backend) -> Option<Server> {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (storage, scratch) = match backend {
            Backend::Sqlite => (serve::Storage::Directory(dir.path().to_path_buf()), None),
            Backend::Postgres => {
                let db = rt.block_on(ScratchDatabase::create())?;
                (serve::Storage::Postgres(db.url.clone()), Some(db))
            }
        };
        let (program, bootstrap) = rt.block_on(serve::init(&storage, now())).unwrap();
        let running = rt.block_on(serve::start(options(&storage, "127.0.0.1:0".parse().unwrap()), serve::system_clock())).unwrap();
        Some(Server {
            addr: running.addr,
            rt,
            dir,
            storage,
            scratch,
            running: Mutex::new(Some(running)),
            bootstrap,
            program,
            restarts: AtomicU64::new(0),
        })
    }

    pub fn backend(&self) -> Backend {
        if self.scratch.is_some() { Backend::Postgres } else { Backend::Sqlite }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Kills the server (cutting requests in flight) and starts it again on the same port and
    /// database.
    pub fn restart(&self) {
        let mut running = self.running.lock().unwrap();
        if let Some(r) = running.take() {
            self.rt.block_on(r.kill());
        }
        *running = Some(self.serve_again());
        self.restarts.fetch_add(1, Ordering::Relaxed);
    }

    /// Serves the storage on the same port again (retrying while the old socket lets go).
    fn serve_again(&self) -> Running {
        let opts = options(&self.storage, self.addr);
        let mut tries = 0;
        loop {
            match self.rt.block_on(serve::start(opts.clone(), serve::system_clock())) {
                Ok(r) => return r,
                Err(_) if tries < 50 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => panic!("restart: {e}"),
            }
        }
    }

    /// Backs the hub up while it serves, the documented way: SQLite's online copy
    /// (`satchel-server backup`), or `pg_dump` for PostgreSQL.
    pub fn backup(&self, to: &std::path::Path) {
        match &self.scratch {
            None => {
                let report = self.rt.block_on(serve::backup(&self.storage, to)).unwrap();
                assert!(report.is_whole(), "{report:?}");
            }
            Some(db) => {
                // As docs/deployment.md says: pending enrollments' sealed keys stay out of backups.
                let out = std::process::Command::new("pg_dump")
                    .arg("--format=custom")
                    .arg("--exclude-table-data=enrollment")
                    .arg("--file")
                    .arg(to)
                    .arg(&db.url)
                    .output()
                    .unwrap();
                assert!(out.status.success(), "pg_dump: {}", String::from_utf8_lossy(&out.stderr));
            }
        }
    }

    /// Loses everything since `backup`, as a broken disk would, and brings the hub back from it
    /// the documented way (`satchel-server restore`; PostgreSQL: `pg_restore` first), serving on
    /// the same address.
    pub fn restore_from(&self, backup: &std::path::Path) -> serve::Restored {
        let mut running = self.running.lock().unwrap();
        if let Some(r) = running.take() {
            self.rt.block_on(r.kill());
        }
        let restored = match &self.scratch {
            None => {
                let db = serve::database_path(self.dir.path());
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
                }
                self.rt.block_on(serve::restore(&self.storage, Some(backup), now())).unwrap()
            }
            Some(db) => {
                let out = std::process::Command::new("pg_restore")
                    .args(["--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname"])
                    .arg(&db.url)
                    .arg(backup)
                    .output()
                    .unwrap();
                assert!(out.status.success(), "pg_restore: {}", String::from_utf8_lossy(&out.stderr));
                self.rt.block_on(serve::restore(&self.storage, None, now())).unwrap()
            }
        };
        *running = Some(self.serve_again());
        restored
    }

    /// What `satchel-server check` says of the hub's storage.
    pub fn check(&self) -> satchel_server::hub::CheckReport {
        self.rt.block_on(serve::check(&self.storage)).unwrap()
    }

    /// Whether anything the server stores holds `marker` (ignoring ASCII case): the bytes of
    /// SQLite's database, WAL and shared-memory files, or every row of PostgreSQL's tables in
    /// text, with each `bytea` value (`\x…` hex) decoded back to its bytes.
    pub fn stores(&self, marker: &str) -> bool {
        match &self.scratch {
            None => {
                let db = serve::database_path(self.dir.path());
                let files: Vec<PathBuf> = ["", "-wal", "-shm"].iter().map(|s| PathBuf::from(format!("{}{s}", db.display()))).collect();
                assert!(files[0].exists(), "the hub's database is where it should be");
                files.iter().filter(|p| p.exists()).any(|p| {
                    let bytes = std::fs::read(p).unwrap();
                    bytes.windows(marker.len()).any(|w| w.eq_ignore_ascii_case(marker.as_bytes()))
                })
            }
            Some(db) => {
                let text = self.rt.block_on(db.all_rows_as_text());
                assert!(text.contains(&self.program.simple().to_string()), "the rows were read (the program id, bytes in hex)");
                let mut bytes = text.clone().into_bytes();
                bytes.extend(decoded_hex_runs(&text));
                bytes.windows(marker.len()).any(|w| w.eq_ignore_ascii_case(marker.as_bytes()))
            }
        }
    }

    /// Makes the server lose a segment it acknowledged, as a restore from an old backup or a
    /// broken disk would: the segment of `device`'s `stream` that starts at `first_seq`.
    pub fn lose_segment(&self, device: Uuid, stream: &str, first_seq: u64) {
        use sqlx::Connection;
        let (url, sql) = match &self.scratch {
            None => (
                format!("sqlite://{}?mode=rw", serve::database_path(self.dir.path()).display()),
                "DELETE FROM segment WHERE device = ? AND stream = ? AND first_seq = ?",
            ),
            Some(db) => (db.url.clone(), "DELETE FROM segment WHERE device = $1 AND stream = $2 AND first_seq = $3"),
        };
        let deleted = self.rt.block_on(async {
            sqlx::any::install_default_drivers();
            let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
            let n = sqlx::query(sql)
                .bind(device.as_bytes().to_vec())
                .bind(stream)
                .bind(first_seq as i64)
                .execute(&mut conn)
                .await
                .unwrap()
                .rows_affected();
            conn.close().await.unwrap();
            n
        });
        assert_eq!(deleted, 1, "the segment was there to lose");
    }

    /// Puts `segment` in place of the held segment of the same device, stream and first
    /// sequence number, as it would have been sealed by an older app (a hub from before D67).
    pub fn rewrite_segment(&self, segment: &satchel_protocol::SealedSegment) {
        use sqlx::Connection;
        let (url, sql) = match &self.scratch {
            None => (
                format!("sqlite://{}?mode=rw", serve::database_path(self.dir.path()).display()),
                "UPDATE segment SET nonce = ?, ciphertext = ? WHERE device = ? AND stream = ? AND first_seq = ?",
            ),
            Some(db) => (
                db.url.clone(),
                "UPDATE segment SET nonce = $1, ciphertext = $2 WHERE device = $3 AND stream = $4 AND first_seq = $5",
            ),
        };
        let h = &segment.header;
        let changed = self.rt.block_on(async {
            sqlx::any::install_default_drivers();
            let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
            let n = sqlx::query(sql)
                .bind(segment.nonce.to_vec())
                .bind(segment.ciphertext.clone())
                .bind(h.device.as_bytes().to_vec())
                .bind(h.stream.as_str())
                .bind(h.first_seq as i64)
                .execute(&mut conn)
                .await
                .unwrap()
                .rows_affected();
            conn.close().await.unwrap();
            n
        });
        assert_eq!(changed, 1, "the segment was there to rewrite");
    }

    /// Everything the server holds, as a manager would pull it, read straight from its database.
    pub fn all_segments(&self) -> PullResponse {
        self.rt.block_on(async {
            let hub = self.storage.open(false).await.unwrap();
            let everyone = satchel_server::Device { id: Uuid::nil(), role: WireRole::Manager };
            let mut all = PullResponse { segments: vec![], next_cursor: 0, more: true, acks: vec![], keys: None };
            while all.more {
                let page = hub.pull(&everyone, all.next_cursor, 64).await.unwrap();
                all.segments.extend(page.segments);
                all.next_cursor = page.next_cursor;
                all.more = page.more;
            }
            hub.close().await;
            all
        })
    }

    /// The devices' labels as the hub stores them.
    pub fn stored_labels(&self) -> Vec<String> {
        self.rt.block_on(async {
            let hub = self.storage.open(false).await.unwrap();
            let everyone = satchel_server::Device { id: Uuid::nil(), role: WireRole::Manager };
            let labels = hub.devices(&everyone).await.unwrap().into_iter().map(|d| d.label).collect();
            hub.close().await;
            labels
        })
    }

    /// Enrollments still open (their sealed keys still on the server).
    pub fn open_enrollments(&self) -> i64 {
        self.rt.block_on(async {
            let hub = self.storage.open(false).await.unwrap();
            let n = hub.pending_enrollments().await.unwrap();
            hub.close().await;
            n
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(r) = self.running.lock().unwrap().take() {
            self.rt.block_on(r.kill());
        }
        if let Some(db) = self.scratch.take() {
            self.rt.block_on(db.drop());
        }
    }
}

/// The bytes of every `\x`-prefixed run of hex digits in `text` (PostgreSQL's `bytea` in
/// text), one after another.
fn decoded_hex_runs(text: &str) -> Vec<u8> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'\\' && b[i + 1] == b'x' {
            let start = i + 2;
            let mut end = start;
            while end < b.len() && b[end].is_ascii_hexdigit() {
                end += 1;
            }
            let hex = &text[start..start + (end - start) / 2 * 2];
            out.extend((0..hex.len()).step_by(2).map(|k| u8::from_str_radix(&hex[k..k + 2], 16).unwrap()));
            out.push(0);
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

fn options(storage: &serve::Storage, listen: SocketAddr) -> ServeOptions {
    ServeOptions {
        storage: storage.clone(),
        listen,
        tls: None,
        insecure_loopback: true,
        // Tests sync far more often than a phone would.
        limits: ApiLimits { requests_per_minute: 1_000_000, redeems_per_minute: 1_000_000, ..ApiLimits::default() },
        // Every test device connects from 127.0.0.1.
        connections: ConnectionLimits { per_address: 4096, ..ConnectionLimits::default() },
    }
}

pub fn now() -> i64 {
    Utc::now().timestamp()
}

/// A device: its store in its own folder.
pub struct Device {
    pub store: Store,
    pub dir: tempfile::TempDir,
}

/// A new store with a clock `skew` away from the real one.
pub fn new_device(role: Role, skew: chrono::Duration) -> Device {
    let dir = tempfile::tempdir().unwrap();
    let opts = CreateOptions { role, pin: PIN.into(), hardware: None, background: false, kdf: FAST_KDF };
    let store = Store::create(dir.path(), opts).unwrap().with_clock(Arc::new(move || -> DateTime<Utc> { Utc::now() + skew }));
    Device { store, dir }
}

/// The program's first manager, set up with the server's bootstrap token.
pub fn manager(server: &Server) -> Device {
    let d = new_device(Role::Manager, chrono::Duration::zero());
    d.store.start_program(&server.url(), &server.bootstrap, &http(server)).unwrap();
    d
}

/// A device enrolled by `manager` with a one-time code, as a phone scanning the QR code would.
pub fn enrolled(server: &Server, manager: &Device, label: &str, role: Role, skew: chrono::Duration) -> Device {
    let (code, _) = manager.store.create_enrollment(label, role, &http(server)).unwrap();
    let d = new_device(role, skew);
    d.store.enroll_with_code(&code, &http(server)).unwrap();
    d
}

pub fn http(server: &Server) -> HttpTransport {
    HttpTransport::new(&server.url(), None).unwrap()
}

/// A small deterministic random source (splitmix64), so that a failing schedule can be replayed
/// from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[self.below(from.len() as u64) as usize]
    }
}

/// One kind of network fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The request never reaches the server.
    DropRequest,
    /// The server handles the request (and commits), but its answer is lost.
    DropResponse,
    /// The request arrives twice; the device sees the second answer.
    Duplicate,
    /// An older request from this device arrives late, before this one.
    Reorder,
    /// The server is killed and restarted while the request is in flight.
    Restart,
}

pub const FAULTS: [Fault; 5] = [Fault::DropRequest, Fault::DropResponse, Fault::Duplicate, Fault::Reorder, Fault::Restart];

/// A transport that injects faults into a share of the calls, chosen by a seeded random source.
/// A call as the transport made it: path, credential, body.
type Call = (String, Option<String>, Option<Vec<u8>>);

pub struct Faulty<'a> {
    inner: HttpTransport,
    server: &'a Server,
    rng: Mutex<Rng>,
    percent: u64,
    history: Mutex<Vec<Call>>,
    pub injected: Mutex<Vec<Fault>>,
    /// HTTP statuses the device saw, by count.
    pub statuses: Mutex<std::collections::BTreeMap<u16, u64>>,
}

impl<'a> Faulty<'a> {
    pub fn new(server: &'a Server, seed: u64, percent: u64) -> Self {
        Faulty {
            inner: http(server),
            server,
            rng: Mutex::new(Rng(seed)),
            percent,
            history: Mutex::new(Vec::new()),
            injected: Mutex::new(Vec::new()),
            statuses: Mutex::new(Default::default()),
        }
    }
}

impl Transport for Faulty<'_> {
    fn call(&self, path: &str, credential: Option<&str>, body: Option<&[u8]>) -> Result<Reply, String> {
        let (fault, stale, delay_us) = {
            let mut rng = self.rng.lock().unwrap();
            let fault = if rng.chance(self.percent) { Some(FAULTS[rng.below(FAULTS.len() as u64) as usize]) } else { None };
            let history = self.history.lock().unwrap();
            let stale = if history.is_empty() { None } else { Some(history[rng.below(history.len() as u64) as usize].clone()) };
            (fault, stale, rng.below(3_000))
        };
        self.history.lock().unwrap().push((path.to_string(), credential.map(str::to_string), body.map(<[u8]>::to_vec)));
        if let Some(f) = fault {
            self.injected.lock().unwrap().push(f);
        }
        let reply = self.faulty_call(fault, stale, delay_us, path, credential, body);
        if let Ok(r) = &reply {
            *self.statuses.lock().unwrap().entry(r.status).or_default() += 1;
        }
        reply
    }
}

impl Faulty<'_> {
    fn faulty_call(
        &self,
        fault: Option<Fault>,
        stale: Option<(String, Option<String>, Option<Vec<u8>>)>,
        delay_us: u64,
        path: &str,
        credential: Option<&str>,
        body: Option<&[u8]>,
    ) -> Result<Reply, String> {
        match fault {
            None => self.inner.call(path, credential, body),
            Some(Fault::DropRequest) => Err("fault: request dropped".into()),
            Some(Fault::DropResponse) => {
                let _ = self.inner.call(path, credential, body);
                Err("fault: response dropped".into())
            }
            Some(Fault::Duplicate) => {
                let _ = self.inner.call(path, credential, body);
                self.inner.call(path, credential, body)
            }
            Some(Fault::Reorder) => {
                if let Some((p, c, b)) = stale {
                    let _ = self.inner.call(&p, c.as_deref(), b.as_deref());
                }
                self.inner.call(path, credential, body)
            }
            Some(Fault::Restart) => std::thread::scope(|s| {
                s.spawn(|| {
                    std::thread::sleep(Duration::from_micros(delay_us));
                    self.server.restart();
                });
                self.inner.call(path, credential, body)
            }),
        }
    }
}

/// Opens a segment as a manager's store does: sealed to the managers with the reporting
/// private key, otherwise with the team key.
pub fn open_segment(keys: &satchel_core::ProgramKeys, segment: &satchel_protocol::SealedSegment) -> Vec<Vec<u8>> {
    if segment.is_for_managers() {
        let private = keys.reporting_private.as_ref().expect("a manager's store holds the reporting key");
        satchel_protocol::open_as_manager(private, segment).expect("opens with the reporting key")
    } else {
        satchel_protocol::open(&keys.data_key, segment).expect("opens with the team key")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bytea_in_row_text_is_decoded() {
        // A row as PostgreSQL spells it in text: a bytea inside a record doubles its backslash.
        let row = r#"(7,"\\x4d61726b6572205a6f6e65",label,\x6F6b)"#;
        let bytes = super::decoded_hex_runs(row);
        assert!(bytes.windows(11).any(|w| w == b"Marker Zone"), "{bytes:?}");
        assert!(bytes.windows(2).any(|w| w == b"ok"));
    }
}
