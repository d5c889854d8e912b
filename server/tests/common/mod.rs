//! What the hub's tests from outside share: the `satchel-server` binary run as its own process
//! (optionally under a low open-file limit), and HTTP/1.1 spoken by hand over raw sockets, so
//! that nothing between the test and the hub smooths over what the hub really sends.
#![allow(dead_code, clippy::unwrap_used)]

// The SQLite library the tests' own sqlx calls reach (the hub's checks open its database).
use satchel_sqlcipher as _;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use satchel_protocol::wire::{self, ErrorBody, Redeem, Redeemed};
use satchel_protocol::{seal, SealedSegment, SegmentHeader, Stream, PROTOCOL_VERSION};
use uuid::Uuid;

/// A hub in a process of its own, stopped when dropped.
pub struct Hub {
    child: Child,
    pub addr: SocketAddr,
    pub bootstrap: String,
    pub dir: tempfile::TempDir,
    /// What the hub wrote to standard error, read after it stops.
    stderr: std::path::PathBuf,
}

impl Hub {
    /// Initialises a program in a new data directory and serves it on a free loopback port;
    /// `open_files` sets the process's open-file limit (soft and hard) when given.
    pub fn start(open_files: Option<u64>, args: &[&str]) -> Hub {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("hub");
        let exe = env!("CARGO_BIN_EXE_satchel-server");
        let init = Command::new(exe).args(["init", "--data-dir"]).arg(&data).output().unwrap();
        assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
        let bootstrap = String::from_utf8(init.stdout).unwrap().lines().last().unwrap().trim().to_string();
        let stderr = dir.path().join("hub.log");
        let mut cmd = match open_files {
            Some(n) => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(format!("ulimit -n {n} && exec \"$0\" \"$@\"")).arg(exe);
                c
            }
            None => Command::new(exe),
        };
        cmd.args(["serve", "--insecure-loopback", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(&data)
            .args(args)
            .env("SATCHEL_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap());
        let mut child = cmd.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.trim().strip_prefix("satchel-server listening on http://").unwrap_or_else(|| panic!("{line:?}"));
        Hub { child, addr: url.parse().unwrap(), bootstrap, dir, stderr }
    }

    /// Stops the hub and returns what it logged.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    pub fn data_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("hub")
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer as it came over the wire.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The one error shape: JSON, with a code and a message that names no internal type.
    pub fn error(&self) -> ErrorBody {
        assert_eq!(self.header("content-type"), Some("application/json"), "{} answered {self:?}", self.status);
        let body: ErrorBody = serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(&self.body)));
        assert!(!body.message.is_empty(), "{body:?}");
        for internal in ["Error {", "Io(", "kind:", "hyper", "axum", "::"] {
            assert!(!body.message.contains(internal), "{body:?} shows {internal}");
        }
        body
    }
}

/// Sends `request` as it is on a new connection and reads the answer up to its end (the
/// request should say `Connection: close`).
pub fn exchange(addr: SocketAddr, request: &[u8]) -> Answer {
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    // A hub that refuses a body over its limit answers and closes before reading the rest, so
    // writing the rest may fail; its answer is what the test reads.
    if let Err(e) = conn.write_all(request) {
        assert!(matches!(e.kind(), std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset), "{e}");
    }
    read_answer(&mut conn)
}

/// Reads one answer from `conn`: the head, then a body by its length (or to the end).
pub fn read_answer(conn: &mut TcpStream) -> Answer {
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        match conn.read(&mut byte) {
            Ok(1) => raw.push(byte[0]),
            other => panic!("the answer's head ended early ({other:?}): {:?}", String::from_utf8_lossy(&raw)),
        }
    }
    let head = String::from_utf8(raw).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_string(), v.trim().to_string())
        })
        .collect();
    let length = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-length")).map(|(_, v)| v.parse::<usize>().unwrap());
    let mut body = Vec::new();
    match length {
        Some(n) => {
            body.resize(n, 0);
            conn.read_exact(&mut body).unwrap();
        }
        None => {
            let _ = conn.read_to_end(&mut body);
        }
    }
    Answer { status, headers, body }
}

/// A request's bytes: `method path`, the given extra header lines, and a CBOR body if any.
pub fn request(method: &str, path: &str, credential: Option<&str>, body: Option<&[u8]>) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n");
    if let Some(c) = credential {
        head.push_str(&format!("Authorization: Bearer {c}\r\n"));
    }
    if let Some(b) = body {
        head.push_str(&format!("Content-Type: application/cbor\r\nContent-Length: {}\r\n", b.len()));
    }
    let mut out = head.into_bytes();
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body.unwrap_or_default());
    out
}

/// A phone's first call: redeems a one-time token.
pub fn redeem(addr: SocketAddr, token: &str) -> Redeemed {
    let answer = exchange(addr, &request("POST", "/v1/enroll/redeem", None, Some(&wire::to_cbor(&Redeem { v: PROTOCOL_VERSION, token: token.into(), public_key: None }))));
    assert_eq!(answer.status, 200, "{answer:?}");
    wire::from_cbor(&answer.body).unwrap()
}

/// A sealed segment of `last - first + 1` small records.
pub fn segment(program: Uuid, device: Uuid, stream: Stream, first: u64, last: u64) -> SealedSegment {
    let header = SegmentHeader { program, device, stream, first_seq: first, last_seq: last, key_epoch: 1 };
    seal(&[3; 32], header, &(first..=last).map(|i| vec![i as u8; 10]).collect::<Vec<_>>()).unwrap()
}
