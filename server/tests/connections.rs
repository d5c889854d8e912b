//! A hub under a low open-file limit holds its ground against 2,000 half-open and slow
//! connections (raw sockets, from one "laptop" address and from fifty others): each is closed
//! within the documented time, while a phone enrolls, pushes and pulls, and `/healthz` answers.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use common::{exchange, redeem, request, segment, Hub};
use satchel_protocol::wire::{self, PullRequest, PullResponse, PushRequest, PushResponse};
use satchel_protocol::{Stream, PROTOCOL_VERSION};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Connects and sends nothing.
    Silent,
    /// Sends half a request head, then nothing.
    HalfHead,
    /// Sends a head declaring 1,000 bytes of body, then 10 of them.
    StalledBody,
    /// Makes one request on a keep-alive connection, then stays idle.
    Idle,
}

/// The documented limits (`ConnectionLimits::default`, `ApiLimits::default`), and what the test
/// allows on top for a shared, busy machine.
const HEAD: Duration = Duration::from_secs(15);
const BODY_GRACE: Duration = Duration::from_secs(10);
const SLACK: Duration = Duration::from_secs(4);

async fn open(from: Ipv4Addr, to: SocketAddr, kind: Kind) -> Option<tokio::net::TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((from, 0))).unwrap();
    let mut stream = socket.connect(to).await.ok()?;
    let sent = match kind {
        Kind::Silent => Ok(()),
        Kind::HalfHead => stream.write_all(b"POST /v1/push HTTP/1.1\r\nHost: hub\r\nContent-Ty").await,
        Kind::StalledBody => {
            stream
                .write_all(b"POST /v1/pull HTTP/1.1\r\nHost: hub\r\nContent-Type: application/cbor\r\nContent-Length: 1000\r\n\r\n0123456789")
                .await
        }
        Kind::Idle => stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n").await,
    };
    // A connection the hub refused at once may already be reset.
    let _ = sent;
    Some(stream)
}

/// Reads until the hub closes the connection; returns how long that took and what came.
async fn until_closed(mut stream: tokio::net::TcpStream, since: Instant) -> (Duration, Vec<u8>) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(90), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (since.elapsed(), got),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (Duration::MAX, got),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_half_open_connections_are_closed_in_time_while_a_phone_syncs() {
    // This process holds 2,000 sockets of its own.
    let (_, hard) = rlimit::Resource::NOFILE.get().unwrap();
    let soft = rlimit::increase_nofile_limit(hard).unwrap();
    assert!(soft >= 2_200, "the test needs 2,200 open files; this machine's hard limit is {hard}");

    let hub = Hub::start(Some(256), &[]);
    let to = hub.addr;
    let start = Instant::now();
    let mut watchers = Vec::new();
    for i in 0..2000u32 {
        // Half from one laptop, half from fifty other addresses (each under its own share).
        let from = if i < 1000 { Ipv4Addr::new(127, 0, 0, 2) } else { Ipv4Addr::new(127, 0, 1, 1 + (i % 50) as u8) };
        let kind = [Kind::Silent, Kind::HalfHead, Kind::StalledBody, Kind::Idle][i as usize % 4];
        let opened = Instant::now();
        if let Some(stream) = open(from, to, kind).await {
            watchers.push((kind, tokio::spawn(until_closed(stream, opened))));
        }
    }
    let opened_all = start.elapsed();

    // Meanwhile a phone (from its own address) enrolls, pushes and pulls, and the health check
    // answers.
    let token = hub.bootstrap.clone();
    let phone = tokio::task::spawn_blocking(move || {
        let began = Instant::now();
        let health = exchange(to, &request("GET", "/healthz", None, None));
        assert_eq!(health.status, 200, "{health:?}");
        let me = redeem(to, &token);
        let push = wire::to_cbor(&PushRequest { v: PROTOCOL_VERSION, segments: vec![segment(me.program, me.device, Stream::Settings, 1, 3)] });
        let answer = exchange(to, &request("POST", "/v1/push", Some(&me.credential), Some(&push)));
        assert_eq!(answer.status, 200, "{answer:?}");
        let acks: PushResponse = wire::from_cbor(&answer.body).unwrap();
        assert_eq!(acks.acks[0].acked_seq, 3);
        let pull = wire::to_cbor(&PullRequest { v: PROTOCOL_VERSION, cursor: 0, limit: 10, streams: vec![] });
        let answer = exchange(to, &request("POST", "/v1/pull", Some(&me.credential), Some(&pull)));
        assert_eq!(answer.status, 200, "{answer:?}");
        let page: PullResponse = wire::from_cbor(&answer.body).unwrap();
        assert_eq!(page.segments.len(), 1, "the phone gets back what it pushed");
        began.elapsed()
    });
    let phone_took = phone.await.unwrap();

    let mut held = 0;
    let mut longest = std::collections::BTreeMap::new();
    for (kind, watcher) in watchers {
        let (after, got) = watcher.await.unwrap();
        let limit = match kind {
            Kind::StalledBody => BODY_GRACE,
            _ => HEAD,
        } + SLACK;
        assert!(after <= limit, "a {kind:?} connection was held {after:?} (allowed {limit:?})");
        if after > Duration::from_secs(5) {
            held += 1;
            // One the hub held to its timeout: a stalled body is told why.
            let text = String::from_utf8_lossy(&got);
            match kind {
                Kind::StalledBody => assert!(text.starts_with("HTTP/1.1 408") && text.contains("\"error\":\"timeout\""), "{text}"),
                Kind::Idle => assert!(text.starts_with("HTTP/1.1 200") && text.ends_with("ok"), "{text}"),
                _ => assert!(got.is_empty(), "{text}"),
            }
            let l = longest.entry(format!("{kind:?}")).or_insert(Duration::ZERO);
            *l = (*l).max(after);
        }
    }
    assert!(held >= 100, "the hub held connections up to its cap ({held} held past 5 s)");
    assert_eq!(longest.len(), 4, "each kind was held to its timeout: {longest:?}");
    assert_eq!(exchange(to, &request("GET", "/healthz", None, None)).status, 200, "the hub is still up");

    let log = hub.stop();
    assert!(log.contains("soft=256") && log.contains("connections=192"), "the hub logs its file limit and cap: {log}");
    eprintln!("2,000 connections opened in {opened_all:?}; {held} held to a timeout, the longest of each kind {longest:?}; the phone synced in {phone_took:?}");
}
