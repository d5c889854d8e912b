//! `satchel-server`: set up a program's hub and run it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use satchel_server::connections::ConnectionLimits;
use satchel_server::http::ApiLimits;
use satchel_server::serve::{self, ServeOptions, Storage};

/// Satchel's sync hub: stores the program's sealed records, which it cannot read.
#[derive(Parser)]
#[command(name = "satchel-server", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates the program in a new data directory and prints the one-time token that sets up
    /// its first manager (valid 24 hours).
    Init {
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Prints a new one-time token for the program's first manager, replacing the earlier one
    /// (when its redemption's answer was lost). Refused once the program holds data.
    ReissueBootstrap {
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Writes a consistent copy of a SQLite hub, even while it serves, to a new file (checked
    /// before it is moved into place). A PostgreSQL hub is backed up with pg_dump.
    Backup {
        #[command(flatten)]
        storage: StorageArgs,
        /// The backup file to write (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Makes a hub of a backup: a SQLite backup (--from) becomes the hub of a new data
    /// directory; a PostgreSQL database already restored with pg_restore is taken as it is.
    /// Then phones send again what they still hold, and nothing pushed later is missed.
    Restore {
        #[command(flatten)]
        storage: StorageArgs,
        /// The backup file (SQLite hubs).
        #[arg(long)]
        from: Option<PathBuf>,
    },
    /// Checks a hub's database without serving or changing it: the storage's integrity, and
    /// every device's streams contiguous. Exits non-zero when something is wrong.
    Check {
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Runs the hub.
    Serve {
        #[command(flatten)]
        storage: StorageArgs,
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
        /// TLS certificate chain (PEM).
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// TLS private key (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Serve plain HTTP, on a loopback address only (tests, demos, behind a local proxy).
        #[arg(long, conflicts_with_all = ["tls_cert", "tls_key"])]
        insecure_loopback: bool,
        /// Requests per minute each device may make.
        #[arg(long, default_value_t = ApiLimits::default().requests_per_minute)]
        rate_per_minute: u32,
        /// Enrollment redemptions each network address may try per minute.
        #[arg(long, default_value_t = ApiLimits::default().redeems_per_minute)]
        redeems_per_minute: u32,
        /// Connections one network address (an IPv6 /64) may hold at once. Behind a reverse
        /// proxy on this machine every client is the proxy: raise this, and limit in the proxy.
        #[arg(long, default_value_t = ConnectionLimits::default().per_address)]
        connections_per_address: usize,
        /// Connections held at once in all (lowered to what the open-file limit leaves room for).
        #[arg(long, default_value_t = ConnectionLimits::default().max_total)]
        max_connections: usize,
    },
}

/// Where the hub keeps its data: a directory (SQLite, the default) or a PostgreSQL database.
#[derive(clap::Args)]
#[group(required = true, multiple = false)]
struct StorageArgs {
    /// A directory for the hub's SQLite database.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// A PostgreSQL database, postgres://user:password@host/db (better given through the
    /// environment, which other users of the machine cannot read).
    #[arg(long, env = "SATCHEL_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

impl StorageArgs {
    fn storage(self) -> Storage {
        match (self.data_dir, self.database_url) {
            (_, Some(url)) => Storage::Postgres(url),
            (Some(dir), None) => Storage::Directory(dir),
            (None, None) => unreachable!("clap requires one of them"),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ansi = std::env::var_os("NO_COLOR").is_none() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SATCHEL_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

async fn run(command: Command) -> Result<(), serve::ServeError> {
    let clock = serve::system_clock();
    match command {
        Command::Init { storage } => {
            let storage = storage.storage();
            let (program, token) = serve::init(&storage, clock()).await?;
            println!("Program {program} created ({storage:?}).");
            println!("Manager bootstrap token (one-time, valid 24 hours):");
            println!("{token}");
            Ok(())
        }
        Command::ReissueBootstrap { storage } => {
            let token = serve::reissue_bootstrap(&storage.storage(), clock()).await?;
            println!("Manager bootstrap token (one-time, valid 24 hours; the earlier one no longer works):");
            println!("{token}");
            Ok(())
        }
        Command::Backup { storage, to } => {
            let report = serve::backup(&storage.storage(), &to).await?;
            println!(
                "Backed up to {} and checked whole ({}).",
                to.display(),
                report.summary()
            );
            Ok(())
        }
        Command::Restore { storage, from } => {
            let restored = serve::restore(&storage.storage(), from.as_deref(), clock()).await?;
            let c = &restored.check;
            println!("Restored ({}).", c.summary());
            println!("At their next sync, phones send again what the backup lacks and they still hold;");
            println!("then `satchel refill-hub` on the manager's computer gives back the rest it pulled.");
            println!("Devices enrolled after the backup must be enrolled again; revoke again any device");
            println!("revoked after it (`satchel device list` shows them).");
            Ok(())
        }
        Command::Check { storage } => {
            let report = serve::check(&storage.storage()).await?;
            if let Some(integrity) = &report.integrity {
                println!("integrity: {integrity}");
            }
            println!("{}", report.summary());
            for problem in &report.problems {
                println!("problem: {problem}");
            }
            if report.is_whole() {
                println!("The hub's database is whole.");
                Ok(())
            } else {
                Err(serve::ServeError::Config("the hub's database is not whole (see above)".into()))
            }
        }
        Command::Serve {
            storage,
            listen,
            tls_cert,
            tls_key,
            insecure_loopback,
            rate_per_minute,
            redeems_per_minute,
            connections_per_address,
            max_connections,
        } => {
            let opts = ServeOptions {
                storage: storage.storage(),
                listen,
                tls: tls_cert.zip(tls_key),
                insecure_loopback,
                limits: ApiLimits { requests_per_minute: rate_per_minute, redeems_per_minute, ..ApiLimits::default() },
                connections: ConnectionLimits {
                    per_address: connections_per_address,
                    max_total: max_connections,
                    ..ConnectionLimits::default()
                },
            };
            let running = serve::start(opts, clock).await?;
            // The first line on standard output says where the hub listens (scripts read it).
            println!("satchel-server listening on {}", running.url());
            use std::io::Write;
            let _ = std::io::stdout().flush();
            tracing::info!(address = %running.addr, tls = running.tls, "serving");
            let handle = running.handle();
            tokio::spawn(async move {
                shutdown_signal().await;
                tracing::info!("stopping");
                handle.graceful_shutdown(Some(Duration::from_secs(10)));
            });
            Ok(running.wait().await?)
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return ctrl_c.await.unwrap_or(()),
        };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await.unwrap_or(());
}
