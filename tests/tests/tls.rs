//! The server over TLS from certificate files (rustls), and devices that trust it only through
//! the roots they are given.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

use satchel_core::{Error, HttpTransport, Role};
use satchel_e2e::*;
use satchel_server::connections::ConnectionLimits;
use satchel_server::http::ApiLimits;
use satchel_server::serve::{self, ServeOptions};

#[test]
fn devices_sync_over_tls_and_refuse_an_unknown_certificate() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let issued = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, issued.cert.pem()).unwrap();
    std::fs::write(&key, issued.signing_key.serialize_pem()).unwrap();
    let data = dir.path().join("hub");
    let (_, token) = rt.block_on(serve::init(&serve::Storage::Directory(data.clone()), now())).unwrap();
    let opts = |tls, insecure_loopback, listen: &str| ServeOptions {
        storage: serve::Storage::Directory(data.clone()),
        listen: listen.parse().unwrap(),
        tls,
        insecure_loopback,
        limits: ApiLimits::default(),
        connections: ConnectionLimits::default(),
    };
    // Plain HTTP only when asked, and only on loopback.
    assert!(rt.block_on(serve::start(opts(None, false, "127.0.0.1:0"), serve::system_clock())).is_err());
    assert!(rt.block_on(serve::start(opts(None, true, "0.0.0.0:0"), serve::system_clock())).is_err());
    let running = rt.block_on(serve::start(opts(Some((cert.clone(), key.clone())), false, "127.0.0.1:0"), serve::system_clock())).unwrap();
    assert!(running.url().starts_with("https://"));
    let url = format!("https://localhost:{}", running.addr.port());

    let manager = new_device(Role::Manager, chrono::Duration::zero());
    // Without the program's root the certificate is refused, and nothing is spent.
    let untrusting = HttpTransport::new(&url, None).unwrap();
    match manager.store.start_program(&url, &token, &untrusting) {
        Err(Error::Offline(reason)) => assert!(reason.contains("certificate"), "{reason}"),
        other => panic!("expected a refused certificate, got {other:?}"),
    }
    let trusting = HttpTransport::new(&url, Some(issued.cert.pem().as_bytes())).unwrap();
    manager.store.start_program(&url, &token, &trusting).unwrap();
    manager.store.receive_stock("office", "condom", 100).unwrap();
    let report = manager.store.sync_now(&trusting).unwrap();
    // The stock received, and the program setting with the reporting key made at the start.
    assert_eq!(report.pushed, 2);
    assert!(matches!(HttpTransport::new(&url, Some(b"not a certificate")), Err(Error::Invalid { .. })));
    rt.block_on(running.stop(std::time::Duration::from_secs(1)));
}
