//! Every status the hub gives comes with a JSON body of the one shape, including the
//! framework's own refusals (no such endpoint, wrong method, a head over the limits), spoken to
//! the real `satchel-server` binary over raw sockets.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;

use common::{exchange, redeem, request, segment, Hub};
use satchel_protocol::wire::{
    self, CreateEnrollment, DeliverKeys, DeviceKey, EnrollmentCreated, ErrorCode, KeyEnvelope, PullRequest, PushRequest, Relabel, Role, SealedKeys,
    TeamKeys,
};
use satchel_protocol::{Stream, PROTOCOL_VERSION};

#[test]
fn every_refusal_is_json_of_one_shape() {
    let hub = Hub::start(None, &["--rate-per-minute", "30"]);
    let a = hub.addr;
    let manager = redeem(a, &hub.bootstrap);
    let m = Some(manager.credential.as_str());
    let seen = std::cell::RefCell::new(std::collections::BTreeMap::new());
    let expect = |what: &str, raw: Vec<u8>, status: u16, code: ErrorCode| {
        let answer = exchange(a, &raw);
        assert_eq!(answer.status, status, "{what}: {answer:?}");
        let body = answer.error();
        assert_eq!(body.error, code, "{what}: {body:?}");
        seen.borrow_mut().insert(status, body.message);
    };

    expect("malformed CBOR", request("POST", "/v1/pull", m, Some(b"\xff\x00garbage")), 400, ErrorCode::BadRequest);
    expect("no credential", request("POST", "/v1/pull", None, Some(&[0xa0])), 401, ErrorCode::Unauthorized);
    expect("an unknown credential", request("GET", "/v1/devices", Some("not-a-credential"), None), 401, ErrorCode::Unauthorized);

    // An outreach phone, to be refused what only managers may do.
    let keys = SealedKeys { nonce: vec![1; 24], ciphertext: vec![9; 48] };
    let create = wire::to_cbor(&CreateEnrollment { v: PROTOCOL_VERSION, label: "Van 2".into(), role: Role::Outreach, sealed_keys: keys });
    let answer = exchange(a, &request("POST", "/v1/enrollments", m, Some(&create)));
    assert_eq!(answer.status, 200, "{answer:?}");
    let created: EnrollmentCreated = wire::from_cbor(&answer.body).unwrap();
    let phone = redeem(a, &created.token);
    expect("an outreach phone listing devices", request("GET", "/v1/devices", Some(&phone.credential), None), 403, ErrorCode::Forbidden);
    // Team keys, re-sealing and labels (D71–D73): the same shapes, and nothing changed.
    let p = Some(phone.credential.as_str());
    let deliver = |epoch: u32, rotate: bool| {
        wire::to_cbor(&DeliverKeys { v: PROTOCOL_VERSION, epoch, rotate, envelopes: vec![KeyEnvelope { device: phone.device, epoch, sealed: vec![1; 80] }] })
    };
    expect("an outreach phone delivering team keys", request("POST", "/v1/keys", p, Some(&deliver(2, true))), 403, ErrorCode::Forbidden);
    expect("a rotation that skips an epoch", request("POST", "/v1/keys", m, Some(&deliver(3, true))), 409, ErrorCode::BadRequest);
    expect("an envelope of the wrong size", request("POST", "/v1/keys", m, Some(&wire::to_cbor(&DeliverKeys { v: PROTOCOL_VERSION, epoch: 2, rotate: true, envelopes: vec![KeyEnvelope { device: phone.device, epoch: 2, sealed: vec![1; 79] }] }))), 400, ErrorCode::BadRequest);
    expect("a device key that is not CBOR", request("POST", "/v1/keys/device", p, Some(b"\xff")), 400, ErrorCode::BadRequest);
    let key = |k: u8| wire::to_cbor(&DeviceKey { v: PROTOCOL_VERSION, public: [k; 32] });
    assert_eq!(exchange(a, &request("POST", "/v1/keys/device", p, Some(&key(4)))).status, 204);
    expect("a second, other device key", request("POST", "/v1/keys/device", p, Some(&key(5))), 403, ErrorCode::Forbidden);
    let legacy = wire::to_cbor(&PushRequest { v: PROTOCOL_VERSION, segments: vec![segment(manager.program, phone.device, Stream::Encounters, 1, 1)] });
    expect("an outreach phone re-sealing", request("POST", "/v1/reseal", p, Some(&legacy)), 403, ErrorCode::Forbidden);
    expect("re-sealing with a segment not sealed to the managers", request("POST", "/v1/reseal", m, Some(&legacy)), 400, ErrorCode::BadRequest);
    let relabel = |label: &str| wire::to_cbor(&Relabel { v: PROTOCOL_VERSION, label: label.into() });
    expect("a malformed sealed label", request("POST", &format!("/v1/devices/{}/label", phone.device), m, Some(&relabel("sealed:zz"))), 400, ErrorCode::BadRequest);
    expect("an outreach phone relabelling", request("POST", &format!("/v1/devices/{}/label", phone.device), p, Some(&relabel("Van 3"))), 403, ErrorCode::Forbidden);
    let team: TeamKeys = wire::from_cbor(&exchange(a, &request("GET", "/v1/keys", m, None)).body).unwrap();
    assert_eq!(team.state.epoch, 1, "no refused request moved the epoch");
    assert!(team.holders.iter().any(|h| h.device == phone.device && h.public == Some([4; 32])), "the first key stands");

    expect("no such endpoint", request("GET", "/v2/anything", None, None), 404, ErrorCode::NotFound);
    expect("the root", request("GET", "/", None, None), 404, ErrorCode::NotFound);
    let unknown = uuid::Uuid::now_v7();
    expect("revoking a device the program does not have", request("POST", &format!("/v1/devices/{unknown}/revoke"), m, None), 404, ErrorCode::NotFound);
    expect("the wrong method", request("GET", "/v1/push", m, None), 405, ErrorCode::MethodNotAllowed);
    expect("the wrong method on the health check", request("DELETE", "/healthz", None, None), 405, ErrorCode::MethodNotAllowed);

    let gap = wire::to_cbor(&PushRequest { v: PROTOCOL_VERSION, segments: vec![segment(manager.program, manager.device, Stream::Settings, 5, 6)] });
    let answer = exchange(a, &request("POST", "/v1/push", m, Some(&gap)));
    assert_eq!(answer.status, 409);
    let body = answer.error();
    assert_eq!((body.error, body.stream, body.expected_seq), (ErrorCode::Gap, Some(Stream::Settings), Some(1)));
    seen.borrow_mut().insert(409, body.message);

    let again = wire::to_cbor(&satchel_protocol::wire::Redeem { v: PROTOCOL_VERSION, token: hub.bootstrap.clone(), public_key: None });
    expect("a used token", request("POST", "/v1/enroll/redeem", None, Some(&again)), 410, ErrorCode::NotFound);

    let declared = format!(
        "POST /v1/push HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {}\r\nContent-Type: application/cbor\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        manager.credential,
        5 << 20
    );
    expect("a body declared over the limit", declared.into_bytes(), 413, ErrorCode::TooLarge);
    // Over the limit without a declared length: read until it runs over, then refused.
    let mut chunked = format!(
        "POST /v1/push HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {}\r\nContent-Type: application/cbor\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        manager.credential
    )
    .into_bytes();
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..5 {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(&chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    expect("a chunked body over the limit", chunked, 413, ErrorCode::TooLarge);

    let long = format!("GET /v1/devices?{} HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n", "a".repeat(3000));
    expect("an address over 2 KiB", long.into_bytes(), 414, ErrorCode::HeadTooLarge);

    let text = b"POST /v1/pull HTTP/1.1\r\nHost: hub\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello".to_vec();
    expect("a body that is not CBOR", text, 415, ErrorCode::UnsupportedMediaType);
    let untyped = b"POST /v1/pull HTTP/1.1\r\nHost: hub\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello".to_vec();
    expect("a body without a type", untyped, 415, ErrorCode::UnsupportedMediaType);

    let many: String = (0..80).map(|i| format!("X-Filler-{i}: {i}\r\n")).collect();
    let many = format!("GET /healthz HTTP/1.1\r\nHost: hub\r\n{many}Connection: close\r\n\r\n");
    expect("too many header lines", many.into_bytes(), 431, ErrorCode::HeadTooLarge);
    let big = format!("GET /healthz HTTP/1.1\r\nHost: hub\r\nX-Big: {}\r\nConnection: close\r\n\r\n", "b".repeat(20_000));
    expect("headers over 16 KiB", big.into_bytes(), 431, ErrorCode::HeadTooLarge);

    // Over the device's rate (30 a minute, some spent above): the one shape too.
    let pull = wire::to_cbor(&PullRequest { v: PROTOCOL_VERSION, cursor: 0, limit: 10, streams: vec![] });
    let limited = (0..40).map(|_| exchange(a, &request("POST", "/v1/pull", m, Some(&pull)))).find(|ans| ans.status == 429).expect("the rate limit is reached");
    let body = limited.error();
    assert_eq!(body.error, ErrorCode::RateLimited);
    seen.borrow_mut().insert(429, body.message);

    let statuses: Vec<u16> = seen.borrow().keys().copied().collect();
    assert_eq!(statuses, [400, 401, 403, 404, 405, 409, 410, 413, 414, 415, 429, 431]);
    let log = hub.stop();
    assert!(!log.contains(&manager.credential) && !log.contains(&phone.credential), "no credential in the log");
}
