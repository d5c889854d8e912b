"""Enrollment and sync through the generated Python bindings, against a real satchel-server
process on 127.0.0.1 (plain HTTP on loopback only)."""

import datetime
import os
import pathlib
import socket
import subprocess
import urllib.error
import urllib.request

import pytest

import satchel_ffi as s
from doubles import MemoryKeystore


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class UrllibClient(s.HttpClient):
    """The HTTP client a Python host gives the library: sends exactly what the core asks,
    follows no redirect, reports the kind of a failure and nothing else."""

    def __init__(self):
        self.opener = urllib.request.build_opener(_NoRedirects)

    def send(self, request):
        req = urllib.request.Request(request.url, data=request.body, method=request.method)
        for h in request.headers:
            req.add_header(h.name, h.value)
        try:
            with self.opener.open(req, timeout=request.timeout_ms / 1000) as resp:
                return s.HttpResponse(status=resp.status, body=resp.read(request.max_reply_bytes + 1))
        except urllib.error.HTTPError as e:
            return s.HttpResponse(status=e.code, body=e.read(request.max_reply_bytes + 1))
        except (socket.timeout, TimeoutError):
            raise s.HttpFailure.Timeout()
        except urllib.error.URLError as e:
            if isinstance(e.reason, ConnectionRefusedError):
                raise s.HttpFailure.ConnectionFailed()
            if isinstance(e.reason, socket.gaierror):
                raise s.HttpFailure.HostNotFound()
            raise s.HttpFailure.Other(kind=type(e.reason).__name__)


s.set_http_client(UrllibClient())

PIN = "2468"
ROOT = pathlib.Path(__file__).resolve().parents[3]
SERVER = os.environ.get("SATCHEL_SERVER_BIN", str(ROOT / "target" / "debug" / "satchel-server"))


@pytest.fixture
def server(tmp_path):
    if not pathlib.Path(SERVER).exists():
        raise RuntimeError(f"no server binary at {SERVER}; run `cargo build -p satchel-server` first")
    data = tmp_path / "hub"
    init = subprocess.run([SERVER, "init", "--data-dir", str(data)], capture_output=True, text=True, check=True)
    token = init.stdout.strip().splitlines()[-1]
    log = open(tmp_path / "server.log", "w+")
    proc = subprocess.Popen(
        [SERVER, "serve", "--data-dir", str(data), "--listen", "127.0.0.1:0", "--insecure-loopback"],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    line = proc.stdout.readline()
    assert line.startswith("satchel-server listening on http://127.0.0.1:"), line
    url = line.split()[-1]
    yield {"url": url, "token": token, "proc": proc, "log": tmp_path / "server.log"}
    if proc.poll() is None:
        proc.terminate()
        proc.wait(10)
    log.close()


def encounter(code):
    return s.EncounterInput(
        occurred_at=datetime.datetime.now(datetime.timezone.utc),
        contact_type=s.ContactType.STREET,
        zone_id="downtown",
        participant_code=code,
        age_band_id="25-34",
        gender_id="woman",
        syringes_collected=3,
        referral_ids=[],
        substance_ids=[],
    )


def total(store):
    today = datetime.date.today()
    span = (today - datetime.timedelta(days=2)).isoformat(), (today + datetime.timedelta(days=2)).isoformat()
    return store.reports().tally(span[0], span[1], s.Granularity.WEEK, None).total


def test_enroll_sync_and_revoke_against_a_real_server(server, tmp_path):
    manager = s.SatchelStore.create(str(tmp_path / "manager"), s.DeviceRole.MANAGER, PIN, MemoryKeystore(), False)
    assert not manager.sync().status().enrolled
    manager.sync().start_program(server["url"], server["token"])
    assert manager.sync().status().enrolled

    code = manager.sync().create_enrollment("Van 1", s.DeviceRole.OUTREACH)
    assert code.code.startswith("satchel://enroll?") and code.expires_at > 0
    phone = s.SatchelStore.create(str(tmp_path / "phone"), s.DeviceRole.OUTREACH, PIN, MemoryKeystore(), False)
    phone.sync().enroll(code.code)
    # The code works once.
    other = s.SatchelStore.create(str(tmp_path / "other"), s.DeviceRole.OUTREACH, PIN, MemoryKeystore(), False)
    with pytest.raises(s.SatchelError.Refused):
        other.sync().enroll(code.code)
    with pytest.raises(s.SatchelError.InvalidInput):
        other.sync().enroll("https://not-a-code")

    # Logged offline, then synced: nothing pending, the manager has it all.
    for i in range(12):
        phone.encounters().log(encounter(f"PY{i % 5:02d}QQ"))
    phone.stock().receive("van-1", "condom", 40)
    state = phone.sync().status()
    assert state.pending == 13 and state.last_success is None
    assert {p.stream: p.pending for p in state.streams}["encounters"] == 12
    outcome = phone.sync().sync_now()
    assert outcome.pushed == 13 and outcome.requests >= 2
    state = phone.sync().status()
    assert state.pending == 0 and state.last_error is None and state.last_success is not None
    pulled = manager.sync().sync_now()
    assert pulled.pulled == 13
    state = manager.sync().status()
    assert (state.holes, state.quarantined) == (0, 0)
    assert total(manager).encounters == 12
    assert total(manager).syringes_collected == 36
    assert any(l.item_id == "condom" and l.level == 40 for l in manager.stock().levels(None))

    devices = manager.sync().devices()
    assert sorted(d.label for d in devices) == ["Manager", "Van 1"]
    assert all(d.last_seen is not None for d in devices)

    # Revoked: refused at once, the failure shows in the status, nothing is lost.
    manager.sync().revoke_device(phone.device_id())
    phone.encounters().log(encounter("PY99QQ"))
    with pytest.raises(s.SatchelError.Refused):
        phone.sync().sync_now()
    state = phone.sync().status()
    assert state.pending == 1 and state.consecutive_failures == 1 and state.next_attempt is not None

    # The server's log says who and how much, never what.
    log = server["log"].read_text()
    assert "push" in log and phone.device_id() in log
    for secret in ["PY00QQ", "downtown", server["token"], code.code.split("secret=")[1]]:
        assert secret not in log


def test_an_unreachable_server_is_offline(server, tmp_path):
    manager = s.SatchelStore.create(str(tmp_path / "manager"), s.DeviceRole.MANAGER, PIN, MemoryKeystore(), False)
    manager.sync().start_program(server["url"], server["token"])
    manager.stock().receive("office", "condom", 10)
    server["proc"].terminate()
    server["proc"].wait(10)
    with pytest.raises(s.SatchelError.Offline):
        manager.sync().sync_now()
    state = manager.sync().status()
    # The stock received, and the program setting carrying the reporting key made at the start.
    assert state.pending == 2 and state.consecutive_failures == 1
    assert state.last_error and "offline" in state.last_error.lower()
    # Not enrolled at all: a clear refusal, no network.
    loner = s.SatchelStore.create(str(tmp_path / "loner"), s.DeviceRole.OUTREACH, PIN, MemoryKeystore(), False)
    with pytest.raises(s.SatchelError.NotPermitted):
        loner.sync().sync_now()


class Fixed(s.HttpClient):
    """Answers every request alike, and remembers what it was asked."""

    def __init__(self, answer):
        self.answer, self.requests = answer, []

    def send(self, request):
        self.requests.append(request)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_the_apps_client_sends_what_the_core_decides(server, tmp_path):
    manager = s.SatchelStore.create(str(tmp_path / "manager"), s.DeviceRole.MANAGER, PIN, MemoryKeystore(), False)
    manager.sync().start_program(server["url"], server["token"])
    manager.stock().receive("office", "condom", 10)
    try:
        # A redirect is no answer: the credential is not sent on, nothing is acknowledged.
        moved = Fixed(s.HttpResponse(status=302, body=b""))
        s.set_http_client(moved)
        with pytest.raises(s.SatchelError.Offline, match="redirect"):
            manager.sync().sync_now()
        (request,) = moved.requests
        assert request.method == "POST" and request.url.startswith(server["url"] + "/v1/")
        headers = {h.name: h.value for h in request.headers}
        assert headers["content-type"] == "application/cbor" and headers["authorization"].startswith("Bearer ")
        assert request.timeout_ms == 120_000 and request.connect_timeout_ms == 15_000
        # A client that fails in a way it should not says so, and no more.
        s.set_http_client(Fixed(ValueError("secret detail")))
        with pytest.raises(s.SatchelError.Offline) as failed:
            manager.sync().sync_now()
        assert "secret detail" not in str(failed.value)
        s.set_http_client(Fixed(s.HttpFailure.HostNotFound()))
        with pytest.raises(s.SatchelError.Offline, match="name could not be found"):
            manager.sync().sync_now()
        # The stock received, and the program setting with the reporting key made at the start.
        assert manager.sync().status().pending == 2
    finally:
        s.set_http_client(UrllibClient())
    assert manager.sync().sync_now().pushed == 2


def test_sync_and_reports_fit_a_small_thread_stack(server, tmp_path):
    """An app calls the library from its own threads: Swift's concurrency threads have 512 KB
    stacks (Darwin), less than a Rust test thread's 2 MB. Enrollment, sync both ways with the
    purge, and a report must fit (a stack overflow kills the app, with no error to show)."""
    import threading

    errors = []

    def shift():
        try:
            manager = s.SatchelStore.create(str(tmp_path / "manager"), s.DeviceRole.MANAGER, PIN, MemoryKeystore(), False)
            manager.sync().start_program(server["url"], server["token"])
            phone = s.SatchelStore.create(str(tmp_path / "phone"), s.DeviceRole.OUTREACH, PIN, MemoryKeystore(), False)
            phone.sync().enroll(manager.sync().create_enrollment("Van 1", s.DeviceRole.OUTREACH).code)
            for i in range(5):
                phone.encounters().log(encounter(f"ST{i:02d}QQ"))
            phone.sync().sync_now()
            manager.sync().sync_now()
            assert total(manager).encounters == 5
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    old = threading.stack_size(512 * 1024)
    try:
        t = threading.Thread(target=shift)
        t.start()
        t.join(120)
    finally:
        threading.stack_size(old)
    assert not t.is_alive() and not errors, errors
