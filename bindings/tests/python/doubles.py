"""A stand-in for the phone's hardware keystore: HMAC-SHA256 under random keys held in this
process's memory, outside the store's files, as the Android Keystore or the Secure Enclave keeps
them outside the app's files."""

import hashlib
import hmac
import os

import satchel_ffi as s


class MemoryKeystore(s.PhoneKeystore):
    def __init__(self):
        self.keys = {}
        self.refuse = {}

    def create_key(self, key_use):
        self.keys[key_use] = os.urandom(32)

    def derive(self, key_use, salt):
        if key_use in self.refuse:
            raise self.refuse[key_use]
        if key_use not in self.keys:
            raise s.KeystoreError.Missing()
        return hmac.new(self.keys[key_use], bytes(salt), hashlib.sha256).digest()

    def destroy_key(self, key_use):
        self.keys.pop(key_use, None)
