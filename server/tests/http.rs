//! The HTTP API on a real socket on 127.0.0.1, driven by a plain HTTP client: bad input gets the
//! right status and a JSON error, and stores nothing.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use satchel_protocol::wire::{
    self, CreateEnrollment, EnrollmentCreated, ErrorBody, ErrorCode, PullRequest, PullResponse, PushRequest, PushResponse,
    Redeem, Redeemed, Role, SealedKeys,
};
use satchel_protocol::{seal, SealedSegment, SegmentHeader, Stream, PROTOCOL_VERSION};
use satchel_server::http::ApiLimits;
use satchel_server::Hub;
use uuid::Uuid;

struct Server {
    base: String,
    clock: Arc<std::sync::atomic::AtomicI64>,
    _dir: tempfile::TempDir,
    bootstrap: String,
    program: Uuid,
}

async fn start() -> Server {
    start_with(ApiLimits::default()).await
}

async fn start_with(limits: ApiLimits) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::open_sqlite(&dir.path().join("hub.db")).await.unwrap();
    let (program, bootstrap) = hub.init_program(1_800_000_000).await.unwrap();
    let clock = Arc::new(std::sync::atomic::AtomicI64::new(1_800_000_000));
    let c = clock.clone();
    let app = satchel_server::http::router_with(hub, Arc::new(move || c.load(std::sync::atomic::Ordering::Relaxed)), limits);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap() });
    Server { base, clock, _dir: dir, bootstrap, program }
}

/// One blocking request from a plain HTTP client: (status, body).
async fn call(url: String, credential: Option<String>, body: Option<Vec<u8>>) -> (u16, Vec<u8>) {
    call_via(url, None, credential, body).await
}

/// `call`, as a reverse proxy on this machine would pass it on for the client `forwarded_for`.
async fn call_via(url: String, forwarded_for: Option<&'static str>, credential: Option<String>, body: Option<Vec<u8>>) -> (u16, Vec<u8>) {
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut resp = match body {
            Some(b) => {
                let mut req = agent.post(&url).header("content-type", "application/cbor");
                if let Some(c) = &credential {
                    req = req.header("authorization", &format!("Bearer {c}"));
                }
                if let Some(f) = forwarded_for {
                    req = req.header("x-forwarded-for", f);
                }
                req.send(&b[..]).unwrap()
            }
            None => {
                let mut req = agent.get(&url);
                if let Some(c) = &credential {
                    req = req.header("authorization", &format!("Bearer {c}"));
                }
                req.call().unwrap()
            }
        };
        let status = resp.status().as_u16();
        (status, resp.body_mut().with_config().limit(16 << 20).read_to_vec().unwrap())
    })
    .await
    .unwrap()
}

/// The status answered to a push that declares a body of `length` bytes and sends none of it.
/// The server must refuse an oversized body from its declared length, without reading it: a
/// client that wrote the whole body first could meet a closed connection instead of the answer.
/// A server that waited for the body would not answer within the timeout, and the test fails.
async fn declared_only(base: &str, credential: &str, length: usize) -> u16 {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://").to_string();
    let credential = credential.to_string();
    tokio::task::spawn_blocking(move || {
        let mut conn = std::net::TcpStream::connect(&addr).unwrap();
        conn.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        let head = format!(
            "POST /v1/push HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {credential}\r\n\
             Content-Type: application/cbor\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
        );
        conn.write_all(head.as_bytes()).unwrap();
        let mut answer = [0u8; 12];
        conn.read_exact(&mut answer).expect("an answer before the body was sent");
        let line = String::from_utf8_lossy(&answer).into_owned();
        line.strip_prefix("HTTP/1.1 ").and_then(|c| c.get(..3)).and_then(|c| c.parse().ok()).unwrap_or_else(|| panic!("{line:?}"))
    })
    .await
    .unwrap()
}

fn error(body: &[u8]) -> ErrorBody {
    serde_json::from_slice(body).expect("errors are JSON")
}

fn segment(program: Uuid, device: Uuid, stream: Stream, first: u64, last: u64) -> SealedSegment {
    let header = SegmentHeader { program, device, stream, first_seq: first, last_seq: last, key_epoch: 1 };
    seal(&[3; 32], header, &(first..=last).map(|i| vec![i as u8; 10]).collect::<Vec<_>>()).unwrap()
}

fn push(segments: Vec<SealedSegment>) -> Vec<u8> {
    wire::to_cbor(&PushRequest { v: PROTOCOL_VERSION, segments })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_enrolls_pushes_and_pulls_and_bad_input_is_refused() {
    let s = start().await;
    assert_eq!(call(format!("{}/healthz", s.base), None, None).await.0, 200);

    // The manager redeems the bootstrap token; the token then is gone.
    let redeem = wire::to_cbor(&Redeem { v: PROTOCOL_VERSION, token: s.bootstrap.clone(), public_key: None });
    let (status, body) = call(format!("{}/v1/enroll/redeem", s.base), None, Some(redeem.clone())).await;
    assert_eq!(status, 200);
    let manager: Redeemed = wire::from_cbor(&body).unwrap();
    let (status, body) = call(format!("{}/v1/enroll/redeem", s.base), None, Some(redeem)).await;
    assert_eq!((status, error(&body).error), (410, ErrorCode::NotFound));

    // An outreach phone is enrolled through the manager.
    let keys = SealedKeys { nonce: vec![1; 24], ciphertext: vec![9; 48] };
    let create = wire::to_cbor(&CreateEnrollment { v: PROTOCOL_VERSION, label: "Van 2".into(), role: Role::Outreach, sealed_keys: keys.clone() });
    let (status, body) = call(format!("{}/v1/enrollments", s.base), Some(manager.credential.clone()), Some(create.clone())).await;
    assert_eq!(status, 200);
    let created: EnrollmentCreated = wire::from_cbor(&body).unwrap();
    let (_, body) = call(format!("{}/v1/enroll/redeem", s.base), None, Some(wire::to_cbor(&Redeem { v: PROTOCOL_VERSION, token: created.token, public_key: None }))).await;
    let phone: Redeemed = wire::from_cbor(&body).unwrap();
    assert_eq!(phone.sealed_keys, keys);
    let pc = Some(phone.credential.clone());
    // An outreach phone may not enroll others.
    let (status, _) = call(format!("{}/v1/enrollments", s.base), pc.clone(), Some(create)).await;
    assert_eq!(status, 403);

    // Push, replay, gap, another device's id, no credential, garbage, unknown version.
    let url = format!("{}/v1/push", s.base);
    let good = push(vec![segment(s.program, phone.device, Stream::Encounters, 1, 3)]);
    let (status, body) = call(url.clone(), pc.clone(), Some(good.clone())).await;
    assert_eq!(status, 200);
    let acks: PushResponse = wire::from_cbor(&body).unwrap();
    assert_eq!(acks.acks[0].acked_seq, 3);
    assert_eq!(call(url.clone(), pc.clone(), Some(good)).await.0, 200);
    let (status, body) = call(url.clone(), pc.clone(), Some(push(vec![segment(s.program, phone.device, Stream::Encounters, 5, 6)]))).await;
    let e = error(&body);
    assert_eq!((status, e.error, e.expected_seq), (409, ErrorCode::Gap, Some(4)));
    let (status, _) = call(url.clone(), pc.clone(), Some(push(vec![segment(s.program, manager.device, Stream::Inventory, 1, 1)]))).await;
    assert_eq!(status, 403);
    assert_eq!(call(url.clone(), None, Some(push(vec![]))).await.0, 401);
    assert_eq!(call(url.clone(), Some("forged".into()), Some(push(vec![]))).await.0, 401);
    let (status, body) = call(url.clone(), pc.clone(), Some(b"\xff\x00garbage".to_vec())).await;
    assert_eq!((status, error(&body).error), (400, ErrorCode::BadRequest));
    let (status, body) = call(url.clone(), pc.clone(), Some(wire::to_cbor(&PushRequest { v: 99, segments: vec![] }))).await;
    assert_eq!((status, error(&body).error), (400, ErrorCode::UnsupportedVersion));
    assert_eq!(declared_only(&s.base, pc.as_deref().unwrap(), 5 * 1024 * 1024).await, 413);
    // Truncated, an oversized segment, an empty one, a wrong seq, a replay of what is held.
    let next = push(vec![segment(s.program, phone.device, Stream::Encounters, 4, 4)]);
    let (status, body) = call(url.clone(), pc.clone(), Some(next[..next.len() / 2].to_vec())).await;
    assert_eq!((status, error(&body).error), (400, ErrorCode::BadRequest));
    let mut big = segment(s.program, phone.device, Stream::Encounters, 4, 4);
    big.ciphertext = vec![7; satchel_protocol::limits::MAX_SEALED_BYTES + 1];
    let (status, body) = call(url.clone(), pc.clone(), Some(push(vec![big]))).await;
    assert_eq!((status, error(&body).error), (413, ErrorCode::TooLarge));
    let mut empty = segment(s.program, phone.device, Stream::Encounters, 4, 4);
    empty.ciphertext.clear();
    assert_eq!(call(url.clone(), pc.clone(), Some(push(vec![empty]))).await.0, 400);
    let (status, body) = call(url.clone(), pc.clone(), Some(push(vec![segment(s.program, phone.device, Stream::Encounters, 2, 4)]))).await;
    assert_eq!((status, error(&body).expected_seq), (409, Some(4)), "an overlapping segment says where the stream continues");
    // Settings only from managers.
    assert_eq!(call(url.clone(), pc.clone(), Some(push(vec![segment(s.program, phone.device, Stream::Settings, 1, 1)]))).await.0, 403);
    // A tampered segment is stored as it is (the hub cannot tell); it is refused by devices.

    // Pull: the phone sees no encounters; the manager sees the one segment stored.
    let pull = wire::to_cbor(&PullRequest { v: PROTOCOL_VERSION, cursor: 0, limit: 10, streams: vec![] });
    let (_, body) = call(format!("{}/v1/pull", s.base), pc.clone(), Some(pull.clone())).await;
    assert!(wire::from_cbor::<PullResponse>(&body).unwrap().segments.is_empty());
    let ask = |streams| wire::to_cbor(&PullRequest { v: PROTOCOL_VERSION, cursor: 0, limit: 10, streams });
    let (status, body) = call(format!("{}/v1/pull", s.base), pc.clone(), Some(ask(vec![Stream::Encounters]))).await;
    assert_eq!((status, error(&body).error), (403, ErrorCode::Forbidden), "an outreach phone asking for encounters");
    assert_eq!(call(format!("{}/v1/pull", s.base), pc.clone(), Some(ask(vec![Stream::Inventory]))).await.0, 200);
    let (_, body) = call(format!("{}/v1/pull", s.base), Some(manager.credential.clone()), Some(ask(vec![Stream::Inventory]))).await;
    assert!(wire::from_cbor::<PullResponse>(&body).unwrap().segments.is_empty(), "only the streams asked for");
    let (_, body) = call(format!("{}/v1/pull", s.base), Some(manager.credential.clone()), Some(pull.clone())).await;
    assert_eq!(wire::from_cbor::<PullResponse>(&body).unwrap().segments.len(), 1);

    // The manager revokes the phone: refused at once.
    let (status, body) = call(format!("{}/v1/devices", s.base), Some(manager.credential.clone()), None).await;
    assert_eq!(status, 200);
    let list: Vec<wire::DeviceInfo> = wire::from_cbor(&body).unwrap();
    assert_eq!(list.len(), 2);
    let revoke = format!("{}/v1/devices/{}/revoke", s.base, phone.device);
    assert_eq!(call(revoke, Some(manager.credential.clone()), Some(vec![])).await.0, 204);
    assert_eq!(call(format!("{}/v1/pull", s.base), pc, Some(pull)).await.0, 401);
    let (status, body) = call(format!("{}/metrics", s.base), None, None).await;
    assert_eq!(status, 200);
    assert!(String::from_utf8(body).unwrap().contains("satchel_segments 1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_and_used_tokens_are_refused_and_their_keys_are_gone() {
    let s = start().await;
    let redeem = |token: String| wire::to_cbor(&Redeem { v: PROTOCOL_VERSION, token, public_key: None });
    let (_, body) = call(format!("{}/v1/enroll/redeem", s.base), None, Some(redeem(s.bootstrap.clone()))).await;
    let manager: Redeemed = wire::from_cbor(&body).unwrap();
    let create = wire::to_cbor(&CreateEnrollment {
        v: PROTOCOL_VERSION,
        label: "Van 9".into(),
        role: Role::Outreach,
        sealed_keys: SealedKeys { nonce: vec![1; 24], ciphertext: vec![9; 48] },
    });
    let (_, body) = call(format!("{}/v1/enrollments", s.base), Some(manager.credential.clone()), Some(create)).await;
    let created: EnrollmentCreated = wire::from_cbor(&body).unwrap();
    let metric = |text: &str, name: &str| {
        text.lines().find_map(|l| l.strip_prefix(&format!("{name} "))).map(|v| v.parse::<i64>().unwrap())
    };
    let (_, text) = call(format!("{}/metrics", s.base), None, None).await;
    assert_eq!(metric(&String::from_utf8(text).unwrap(), "satchel_open_enrollments"), Some(1));
    // A day and a second later the token is refused and the sealed keys are gone.
    s.clock.fetch_add(24 * 60 * 60 + 1, std::sync::atomic::Ordering::Relaxed);
    let (status, body) = call(format!("{}/v1/enroll/redeem", s.base), None, Some(redeem(created.token))).await;
    assert_eq!((status, error(&body).error), (410, ErrorCode::NotFound));
    let (_, text) = call(format!("{}/metrics", s.base), None, None).await;
    let text = String::from_utf8(text).unwrap();
    assert_eq!(metric(&text, "satchel_open_enrollments"), Some(0));
    assert_eq!(metric(&text, "satchel_devices"), Some(1), "no device was created");
    // A garbage or unknown-version redeem is a 400, never a panic.
    assert_eq!(call(format!("{}/v1/enroll/redeem", s.base), None, Some(b"\x00".to_vec())).await.0, 400);
    let (status, body) = call(format!("{}/v1/enroll/redeem", s.base), None, Some(wire::to_cbor(&Redeem { v: 7, token: "x".into(), public_key: None }))).await;
    assert_eq!((status, error(&body).error), (400, ErrorCode::UnsupportedVersion));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_refused_when_the_peer_is_not_this_machine() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::open_sqlite(&dir.path().join("hub.db")).await.unwrap();
    hub.init_program(1_800_000_000).await.unwrap();
    // Served without the peer's address, the hub cannot tell it is local, so it refuses.
    let app = satchel_server::http::router(hub, Arc::new(|| 1_800_000_000));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let (status, body) = call(format!("{base}/metrics"), None, None).await;
    assert_eq!((status, error(&body).error), (403, ErrorCode::Forbidden));
    assert_eq!(call(format!("{base}/healthz"), None, None).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_trying_many_tokens_is_slowed_down_and_spends_none() {
    let s = start_with(ApiLimits { redeems_per_minute: 3, ..ApiLimits::default() }).await;
    let url = format!("{}/v1/enroll/redeem", s.base);
    let redeem = |token: &str| Some(wire::to_cbor(&Redeem { v: PROTOCOL_VERSION, token: token.into(), public_key: None }));
    // A client behind a reverse proxy on this machine guesses three times...
    let (guesser, other) = (Some("10.0.0.9, 198.51.100.7"), Some("198.51.100.8"));
    for i in 0..3 {
        let (status, body) = call_via(url.clone(), guesser, None, redeem(&format!("guess-{i}"))).await;
        assert_eq!((status, error(&body).error), (410, ErrorCode::NotFound), "try {i}");
    }
    // ...and the fourth try in the minute is refused before it is looked at: even the right
    // token, even garbage.
    let (status, body) = call_via(url.clone(), guesser, None, redeem(&s.bootstrap)).await;
    assert_eq!((status, error(&body).error), (429, ErrorCode::RateLimited));
    assert_eq!(call_via(url.clone(), guesser, None, Some(b"\x00".to_vec())).await.0, 429);
    // This machine itself is not limited.
    for i in 0..4 {
        assert_eq!(call(url.clone(), None, redeem(&format!("local-{i}"))).await.0, 410);
    }
    // Another client is not held back, and the refused try spent nothing: the token works.
    let (status, body) = call_via(url.clone(), other, None, redeem(&s.bootstrap)).await;
    assert_eq!(status, 200);
    let manager: Redeemed = wire::from_cbor(&body).unwrap();
    assert_eq!(manager.role, Role::Manager);
    // Devices with credentials are not held back by it.
    let pull = wire::to_cbor(&PullRequest { v: PROTOCOL_VERSION, cursor: 0, limit: 10, streams: vec![] });
    assert_eq!(call_via(format!("{}/v1/pull", s.base), guesser, Some(manager.credential), Some(pull)).await.0, 200);
}
