//! `satchel-server`: set up a program's hub and run it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use satchel_server::http::ApiLimits;
use satchel_server::serve::{self, ServeOptions};

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
        /// Where the hub keeps its database.
        #[arg(long)]
        data_dir: PathBuf,
    },
    /// Runs the hub.
    Serve {
        /// Where `init` created the hub.
        #[arg(long)]
        data_dir: PathBuf,
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
    },
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
        Command::Init { data_dir } => {
            let (program, token) = serve::init(&data_dir, clock()).await?;
            println!("Program {program} created in {}.", data_dir.display());
            println!("Manager bootstrap token (one-time, valid 24 hours):");
            println!("{token}");
            Ok(())
        }
        Command::Serve { data_dir, listen, tls_cert, tls_key, insecure_loopback, rate_per_minute } => {
            let opts = ServeOptions {
                data_dir,
                listen,
                tls: tls_cert.zip(tls_key),
                insecure_loopback,
                limits: ApiLimits { requests_per_minute: rate_per_minute },
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
