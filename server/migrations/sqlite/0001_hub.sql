-- The hub's storage. It holds sealed segments it cannot read, the devices that may push and
-- pull them (credentials only as SHA-256 hashes), and one-time enrollments.

CREATE TABLE program (
    id         BLOB PRIMARY KEY NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE device (
    id              BLOB PRIMARY KEY NOT NULL,
    label           TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('outreach', 'manager')),
    credential_hash BLOB NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    last_seen       INTEGER,
    revoked         INTEGER NOT NULL DEFAULT 0
);

-- One-time enrollments: the token only as a hash; the program keys sealed under a secret the
-- hub never sees. The row (and the sealed keys with it) goes on redemption or expiry.
CREATE TABLE enrollment (
    token_hash  BLOB PRIMARY KEY NOT NULL,
    label       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('outreach', 'manager')),
    sealed_nonce BLOB,
    sealed_keys BLOB,
    expires_at  INTEGER NOT NULL,
    created_by  BLOB                -- the manager device; NULL for the bootstrap token
);

-- Sealed segments in commit order: the cursor is assigned inside the writing transaction, and
-- SQLite runs one writer at a time, so a reader never skips a segment committed later with a
-- lower cursor.
CREATE TABLE segment (
    cursor      INTEGER PRIMARY KEY AUTOINCREMENT,
    device      BLOB NOT NULL,
    stream      TEXT NOT NULL,
    first_seq   INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL,
    key_epoch   INTEGER NOT NULL,
    nonce       BLOB NOT NULL,
    ciphertext  BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (device, stream, first_seq)
);

-- The highest contiguous sequence held per device and stream.
CREATE TABLE stream_head (
    device    BLOB NOT NULL,
    stream    TEXT NOT NULL,
    acked_seq INTEGER NOT NULL,
    PRIMARY KEY (device, stream)
);
