//! Running the hub: the data directory, TLS from certificate files (or plain HTTP on loopback
//! only, when asked), the periodic purge of expired enrollments, and a clean stop.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;
use axum_server::Handle;

use crate::connections::{ConnectionLimits, Gate, GateAcceptor};
use crate::http::{router_with, ApiLimits, UnixClock};
use crate::hub::{Hub, HubError};

/// Where the hub keeps its data.
#[derive(Clone)]
pub enum Storage {
    /// `hub.db` (SQLite) in this directory: the embedded default.
    Directory(PathBuf),
    /// A PostgreSQL database (`postgres://user:password@host/db`).
    Postgres(String),
}

impl std::fmt::Debug for Storage {
    // The URL may hold a password: only the kind and the place are shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Storage::Directory(d) => write!(f, "Directory({})", d.display()),
            Storage::Postgres(url) => write!(f, "Postgres({})", postgres_place(url)),
        }
    }
}

/// Host, port and database of a PostgreSQL URL, without user, password or parameters.
fn postgres_place(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (authority, db) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{host}/{db}")
}

impl Storage {
    /// Opens the hub's storage; `create` makes the data directory (the database itself is
    /// always created or brought up to date).
    pub async fn open(&self, create: bool) -> Result<Hub, ServeError> {
        match self {
            Storage::Directory(dir) => {
                let db = database_path(dir);
                if create {
                    std::fs::create_dir_all(dir)?;
                } else if !db.exists() {
                    return Err(ServeError::Config(format!("no hub in {}; run `satchel-server init` first", dir.display())));
                }
                Ok(Hub::open_sqlite(&db).await?)
            }
            Storage::Postgres(url) => Ok(Hub::open_postgres(url).await?),
        }
    }

    /// Opens the hub's storage as it is, changing nothing: for checking it.
    pub async fn open_unchanged(&self) -> Result<Hub, ServeError> {
        match self {
            Storage::Directory(dir) => Ok(Hub::open_sqlite_read_only(&database_path(dir)).await?),
            Storage::Postgres(url) => Ok(Hub::open_postgres_unchanged(url).await?),
        }
    }
}

/// How the hub is served.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub storage: Storage,
    pub listen: SocketAddr,
    /// Certificate chain and private key, PEM files.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Serve plain HTTP; refused unless `listen` is a loopback address.
    pub insecure_loopback: bool,
    pub limits: ApiLimits,
    /// The connection cap is lowered at start to what the file limit leaves room for.
    pub connections: ConnectionLimits,
}

/// Why the hub did not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The hub's database in its data directory.
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("hub.db")
}

/// Creates the storage and the program; returns the program id and the one-time token for its
/// first manager. Refused when the storage already holds a program.
pub async fn init(storage: &Storage, now: i64) -> Result<(uuid::Uuid, String), ServeError> {
    let hub = storage.open(true).await?;
    let result = hub.init_program(now).await;
    hub.close().await;
    Ok(result?)
}

/// A new one-time token for the first manager, while the program holds no data yet.
pub async fn reissue_bootstrap(storage: &Storage, now: i64) -> Result<String, ServeError> {
    let hub = storage.open(false).await?;
    let result = hub.reissue_bootstrap(now).await;
    hub.close().await;
    Ok(result?)
}

/// Backs up a SQLite hub (it may be serving) to the new file `to`.
pub async fn backup(storage: &Storage, to: &Path) -> Result<crate::hub::CheckReport, ServeError> {
    let hub = storage.open(false).await?;
    let result = hub.backup(to).await;
    hub.close().await;
    Ok(result?)
}

/// What a restore did.
#[derive(Clone, Debug)]
pub struct Restored {
    pub check: crate::hub::CheckReport,
    /// Cursors start above this from now on.
    pub cursor_floor: i64,
}

/// Restores a hub from a backup: with `from` (SQLite), the checked backup becomes the hub of a
/// new data directory; without (PostgreSQL, after `pg_restore`), the database is taken as it
/// is. Either way the hub is marked restored (see [`Hub::mark_restored`]).
pub async fn restore(storage: &Storage, from: Option<&Path>, now: i64) -> Result<Restored, ServeError> {
    match (storage, from) {
        (Storage::Directory(dir), Some(backup)) => {
            let db = database_path(dir);
            if db.exists() {
                return Err(ServeError::Config(format!("{} holds a hub already; restore into a new data directory", dir.display())));
            }
            let copy = Hub::open_sqlite_read_only(backup).await?;
            let check = copy.check().await;
            copy.close().await;
            let check = check?;
            if !check.is_whole() {
                return Err(ServeError::Config(format!("the backup is not whole: {}", check.problems.join("; "))));
            }
            // The copy is marked restored before it becomes the hub, so that a hub is never in
            // place with its cursor floor still low.
            std::fs::create_dir_all(dir)?;
            let partial = dir.join(".hub.db.restoring");
            std::fs::copy(backup, &partial)?;
            let copy = Hub::open_sqlite(&partial).await?;
            let floor = copy.mark_restored(now).await;
            copy.close().await;
            let floor = floor?;
            std::fs::File::open(&partial)?.sync_all()?;
            std::fs::rename(&partial, &db)?;
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
            return Ok(Restored { check, cursor_floor: floor });
        }
        (Storage::Directory(_), None) => {
            return Err(ServeError::Config("give the backup file to restore from (--from)".into()));
        }
        (Storage::Postgres(_), Some(_)) => {
            return Err(ServeError::Config("restore a PostgreSQL hub with pg_restore, then run this without --from".into()));
        }
        (Storage::Postgres(_), None) => {}
    }
    // PostgreSQL, restored by pg_restore: marked in place.
    let hub = storage.open(false).await?;
    let floor = hub.mark_restored(now).await;
    let check = hub.check().await;
    hub.close().await;
    Ok(Restored { check: check?, cursor_floor: floor? })
}

/// Checks a hub's storage, changing nothing.
pub async fn check(storage: &Storage) -> Result<crate::hub::CheckReport, ServeError> {
    let hub = storage.open_unchanged().await?;
    let result = hub.check().await;
    hub.close().await;
    Ok(result?)
}

/// A running hub.
pub struct Running {
    pub addr: SocketAddr,
    pub tls: bool,
    /// The connection limits in force (after the file limit).
    pub connections: ConnectionLimits,
    gate: Gate,
    /// Closed once the server has stopped, so that the database is let go of (and SQLite's
    /// WAL checkpointed) before the process ends or a restore replaces it.
    hub: Hub,
    handle: Handle<SocketAddr>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    purge: tokio::task::JoinHandle<()>,
}

impl Running {
    /// The address devices use.
    pub fn url(&self) -> String {
        format!("{}://{}", if self.tls { "https" } else { "http" }, self.addr)
    }

    /// Stops accepting, lets requests in flight finish (up to `grace`), and closes.
    pub async fn stop(self, grace: Duration) {
        self.handle.graceful_shutdown(Some(grace));
        self.purge.abort();
        let _ = self.server.await;
        self.hub.close().await;
    }

    /// Stops at once, cutting requests in flight (a crash, for tests).
    pub async fn kill(self) {
        self.handle.shutdown();
        self.purge.abort();
        let _ = self.server.await;
        self.hub.close().await;
    }

    /// Waits until the server stops (on its own or by a signal handled by the caller).
    pub async fn wait(self) -> std::io::Result<()> {
        let r = self.server.await.map_err(std::io::Error::other)?;
        self.purge.abort();
        self.hub.close().await;
        r
    }

    /// Connections held now.
    pub fn connections_held(&self) -> usize {
        self.gate.held()
    }

    /// The handle, to stop the server from elsewhere (a signal handler).
    pub fn handle(&self) -> Handle<SocketAddr> {
        self.handle.clone()
    }
}

/// Starts the hub. The program must exist (`init`).
pub async fn start(opts: ServeOptions, clock: UnixClock) -> Result<Running, ServeError> {
    let tls = match (&opts.tls, opts.insecure_loopback) {
        (Some(_), true) => return Err(ServeError::Config("give either TLS files or --insecure-loopback, not both".into())),
        (None, false) => {
            return Err(ServeError::Config(
                "give --tls-cert and --tls-key (PEM files); plain HTTP only with --insecure-loopback on a loopback address".into(),
            ))
        }
        (None, true) if !opts.listen.ip().is_loopback() => {
            return Err(ServeError::Config(format!(
                "--insecure-loopback serves plain HTTP on loopback addresses only, not {}",
                opts.listen.ip()
            )))
        }
        (tls, _) => tls.clone(),
    };
    let hub = opts.storage.open(false).await?;
    hub.program().await.map_err(|_| ServeError::Config("the hub has no program; run `satchel-server init` first".into()))?;
    let app = router_with(hub.clone(), clock.clone(), opts.limits).into_make_service_with_connect_info::<SocketAddr>();

    let connections = match crate::connections::raise_file_limit() {
        Ok((soft, hard)) => {
            let limits = opts.connections.within_file_limit(soft);
            tracing::info!(soft, hard, connections = limits.max_total, per_address = limits.per_address, "open file limit");
            limits
        }
        Err(e) => {
            tracing::warn!("reading the open file limit: {e}; keeping at most 960 connections");
            opts.connections.within_file_limit(1024)
        }
    };
    let gate = Gate::new(connections);

    let listener = std::net::TcpListener::bind(opts.listen)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let handle: Handle<SocketAddr> = Handle::new();
    // HTTP/1.1 only (what the phones speak): its head timeout also closes idle keep-alive
    // connections, and there is one protocol to bound.
    let server = match &tls {
        Some((cert, key)) => {
            let config = RustlsConfig::from_pem_file(cert, key)
                .await
                .map_err(|e| ServeError::Config(format!("reading the TLS certificate and key: {e}")))?;
            let mut only_http1 = (*config.get_inner()).clone();
            only_http1.alpn_protocols = vec![b"http/1.1".to_vec()];
            config.reload_from_config(Arc::new(only_http1));
            let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(config)
                .handshake_timeout(connections.handshake)
                .acceptor(GateAcceptor(gate.clone()));
            let mut s = axum_server::from_tcp(listener)?
                .http1_only()
                .acceptor(acceptor)
                .handle(handle.clone())
                .first_request_timeout(connections.head + connections.handshake);
            tune_http1(&mut s, &connections);
            tokio::spawn(async move { s.serve(app).await })
        }
        None => {
            let mut s = axum_server::from_tcp(listener)?
                .http1_only()
                .acceptor(GateAcceptor(gate.clone()))
                .handle(handle.clone())
                .first_request_timeout(connections.head);
            tune_http1(&mut s, &connections);
            tokio::spawn(async move { s.serve(app).await })
        }
    };
    // Expired enrollment tokens and their sealed keys go even when nobody redeems anything.
    let kept = hub.clone();
    let purge = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        loop {
            every.tick().await;
            match hub.purge_expired(clock()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(enrollments = n, "expired enrollments purged"),
                Err(e) => tracing::error!("purging expired enrollments: {e}"),
            }
        }
    });
    Ok(Running { addr, tls: tls.is_some(), connections, gate, hub: kept, handle, server, purge })
}

/// HTTP/1.1's own limits: the head timeout (which also closes idle keep-alive connections) and
/// room for more header lines than the hub accepts, so that the hub's own JSON refusal answers
/// rather than the library's empty one.
fn tune_http1<A>(server: &mut axum_server::Server<SocketAddr, A>, limits: &ConnectionLimits) {
    server.http_builder().http1().header_read_timeout(limits.head).max_headers(256);
}

/// The wall clock, in Unix seconds.
pub fn system_clock() -> UnixClock {
    Arc::new(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_database_url_shows_no_secret() {
        for url in [
            "postgres://user:hunter2@db.example.org:5432/satchel?sslmode=require",
            "postgres://user@db.example.org/satchel?password=hunter2",
            "postgresql://db.example.org/satchel#hunter2",
        ] {
            let shown = format!("{:?}", super::Storage::Postgres(url.into()));
            assert!(!shown.contains("hunter2") && !shown.contains("user"), "{shown}");
            assert!(shown.contains("db.example.org") && shown.contains("/satchel"), "{shown}");
        }
    }
}
