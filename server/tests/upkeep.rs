//! Backups, checks and restores with the `satchel-server` binary, as an operator runs them: a
//! backup of a serving hub while a device keeps pushing, a check that finds a stream with a
//! hole, and a restore that refuses to overwrite a hub.
// Test code: a failed unwrap is a failed test, with its message.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

use common::{exchange, redeem, request, segment, Hub};
use satchel_protocol::wire::{self, PushRequest};
use satchel_protocol::{Stream, PROTOCOL_VERSION};

fn run(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_satchel-server")).args(args).output().unwrap()
}

fn path(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn a_serving_hub_is_backed_up_checked_and_restored() {
    let hub = Hub::start(None, &[]);
    let me = redeem(hub.addr, &hub.bootstrap);
    let push = |first: u64| {
        let body = wire::to_cbor(&PushRequest { v: PROTOCOL_VERSION, segments: vec![segment(me.program, me.device, Stream::Settings, first, first + 1)] });
        let answer = exchange(hub.addr, &request("POST", "/v1/push", Some(&me.credential), Some(&body)));
        assert_eq!(answer.status, 200, "{answer:?}");
    };
    // Segments 1, 3 and 5 are in before the backup starts (the broken-hub check below needs
    // one past the segment it deletes, whatever the backup catches of the pushes beside it).
    push(1);
    push(3);
    push(5);

    // Backed up while a device keeps pushing.
    let backups = tempfile::tempdir().unwrap();
    let backup = backups.path().join("hub-2026-12-02.db");
    let data = hub.data_dir();
    let out = std::thread::scope(|s| {
        let pushing = s.spawn(|| (7..40).step_by(2).for_each(push));
        let out = run(&["backup", "--data-dir", path(&data), "--to", path(&backup)]);
        pushing.join().unwrap();
        out
    });
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("checked whole (devices: 1, streams: 1"), "{}", text(&out));
    assert!(!backups.path().join(".hub-2026-12-02.db.partial").exists(), "no partial file left behind");

    // Backing up over an existing file is refused and leaves it alone.
    let before = std::fs::read(&backup).unwrap();
    let again = run(&["backup", "--data-dir", path(&data), "--to", path(&backup)]);
    assert!(!again.status.success() && text(&again).contains("exists already"), "{}", text(&again));
    assert_eq!(std::fs::read(&backup).unwrap(), before);

    // The serving hub checks whole, with every push in it.
    let check = run(&["check", "--data-dir", path(&data)]);
    assert!(check.status.success(), "{}", text(&check));
    assert!(text(&check).contains("devices: 1, streams: 1, segments: 20") && text(&check).contains("integrity: ok"), "{}", text(&check));

    // Restored into a new data directory; never over a hub.
    let restored = backups.path().join("restored");
    let out = run(&["restore", "--data-dir", path(&restored), "--from", path(&backup)]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("enrolled again"), "says what cannot come back: {}", text(&out));
    let left: Vec<String> = std::fs::read_dir(&restored).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left, ["hub.db"], "the restored hub, marked, and nothing half-made beside it");
    let over = run(&["restore", "--data-dir", path(&data), "--from", path(&backup)]);
    assert!(!over.status.success() && text(&over).contains("holds a hub already"), "{}", text(&over));
    let check = run(&["check", "--data-dir", path(&restored)]);
    assert!(check.status.success(), "{}", text(&check));
    drop(hub);

    // A hub that lost a segment from the middle of a stream fails its check, naming the jump.
    let broken = backups.path().join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::copy(&backup, broken.join("hub.db")).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let url = format!("sqlite://{}?mode=rw", broken.join("hub.db").display());
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        let gone = sqlx::query("DELETE FROM segment WHERE first_seq = 3").execute(&mut conn).await.unwrap().rows_affected();
        assert_eq!(gone, 1);
        conn.close().await.unwrap();
    });
    let check = run(&["check", "--data-dir", path(&broken)]);
    assert!(!check.status.success(), "{}", text(&check));
    assert!(text(&check).contains("settings stream jumps from seq 2 to a segment of seqs 5..=6"), "{}", text(&check));
    assert!(!text(&check).contains(&me.credential));
}
