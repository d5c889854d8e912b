"""A seized phone, attacked from outside: the store made through the library as the app makes it
(PIN, fingerprint unlock, background sync), its files copied, and every 4-digit PIN tried offline
against the key file's documented JSON with argon2-cffi and PyNaCl, code written apart from
Satchel's. Without the phone's keystore nothing opens; with the keystore's answer (what only the
phone's hardware computes) the same attack finds the PIN, which shows the attack itself works."""

import datetime
import hashlib
import hmac
import json
import shutil

import argon2.low_level as argon
import nacl.bindings as sodium
import nacl.exceptions

import satchel_ffi as s
from doubles import MemoryKeystore

PIN = "5830"


def opens(kek, wrap, aad):
    try:
        sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
            bytes.fromhex(wrap["ciphertext"]), aad, bytes.fromhex(wrap["nonce"]), kek
        )
        return True
    except nacl.exceptions.CryptoError:
        return False


def aad(kind, store_id):
    return b"satchel/db-key/v1/" + kind.encode() + b"/" + store_id


def guess(keys, hardware_answer=None):
    """Every 4-digit PIN. `hardware_answer(question)` stands for an attacker who can make the
    phone's hardware compute (someone holding the phone itself): the question depends on the
    guess, so every guess is a call into the phone's keystore."""
    wrap = keys["pin"]
    store_id = bytes.fromhex(keys["store_id"])
    salt = bytes.fromhex(wrap["salt"])
    kdf = wrap["kdf"]
    hw_salt = bytes.fromhex(wrap.get("hardware_salt", ""))
    for n in range(10_000):
        pin = f"{n:04d}"
        stretched = argon.hash_secret_raw(
            pin.encode(), salt, time_cost=kdf["t"], memory_cost=kdf["m_kib"], parallelism=kdf["p"], hash_len=32, type=argon.Type.ID
        )
        candidates = [stretched]
        if hardware_answer is not None:
            question = hashlib.sha256(b"satchel/pin-hardware-input/v2/" + hw_salt + stretched).digest()
            answer = hardware_answer(question)
            candidates.append(hmac.new(answer, b"satchel/kek/pin+hardware/v2/" + stretched, hashlib.sha256).digest())
        for kek in candidates:
            if any(opens(kek, wrap["sealed"], aad(kind, store_id)) for kind in ("pin", "pin+hardware")):
                return pin
    return None


def test_a_copied_phone_store_gives_up_no_pin(tmp_path):
    keystore = MemoryKeystore()
    phone = tmp_path / "phone"
    store = s.create_store_with_cost(str(phone), s.DeviceRole.OUTREACH, PIN, keystore, True, 64, 1)
    store.set_biometric_unlock(True)
    store.encounters().log(
        s.EncounterInput(
            occurred_at=datetime.datetime.now(datetime.timezone.utc),
            contact_type=s.ContactType.STREET,
            zone_id="downtown",
            participant_code="MA12JS",
        )
    )
    store.lock()

    seized = tmp_path / "seized"
    shutil.copytree(phone, seized)
    keys = json.loads((seized / "satchel.keys").read_text())
    assert keys["pin"]["hardware_salt"], "the PIN wrap is bound to the phone's hardware"
    assert "platform" not in keys

    assert guess(keys) is None, "a PIN opened the copied key file without the phone"
    # The fingerprint and background wraps, with every value the files hold as the key.
    store_id = bytes.fromhex(keys["store_id"])
    values = [bytes(32)] + [bytes.fromhex(keys[k]["hardware_salt"]) for k in ("pin", "biometric", "background")]
    for slot in ("biometric", "background"):
        assert not any(opens(v, keys[slot]["sealed"], aad(slot, store_id)) for v in values)

    # Someone who can make this phone's hardware answer finds the PIN: each guess then costs
    # Argon2id plus a call into the keystore, on the phone itself.
    pin_key = keystore.keys[s.KeyUse.PIN]
    asked = []

    def phone(question):
        asked.append(question)
        return hmac.new(pin_key, question, hashlib.sha256).digest()

    assert guess(keys, phone) == PIN
    assert len(set(asked)) == int(PIN) + 1, "one keystore call per guess, each a different question"
