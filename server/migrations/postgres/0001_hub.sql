-- The hub's storage on PostgreSQL: the same tables as on SQLite (migrations/sqlite), in
-- PostgreSQL's types. It holds sealed segments it cannot read, the devices that may push and
-- pull them (credentials only as SHA-256 hashes), and one-time enrollments.

CREATE TABLE program (
    id         BYTEA PRIMARY KEY NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE device (
    id              BYTEA PRIMARY KEY NOT NULL,
    label           TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('outreach', 'manager')),
    credential_hash BYTEA NOT NULL UNIQUE,
    created_at      BIGINT NOT NULL,
    last_seen       BIGINT,
    revoked         BIGINT NOT NULL DEFAULT 0
);

-- One-time enrollments: the token only as a hash; the program keys sealed under a secret the
-- hub never sees. The row (and the sealed keys with it) goes on redemption or expiry.
CREATE TABLE enrollment (
    token_hash   BYTEA PRIMARY KEY NOT NULL,
    label        TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('outreach', 'manager')),
    sealed_nonce BYTEA,
    sealed_keys  BYTEA,
    expires_at   BIGINT NOT NULL,
    created_by   BYTEA               -- the manager device; NULL for the bootstrap token
);

-- Sealed segments in commit order: writers hold a transaction-scoped advisory lock, so the
-- cursor (an identity) is assigned in commit order and a reader never skips a segment
-- committed later with a lower cursor.
CREATE TABLE segment (
    cursor      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device      BYTEA NOT NULL,
    stream      TEXT NOT NULL,
    first_seq   BIGINT NOT NULL,
    last_seq    BIGINT NOT NULL,
    key_epoch   BIGINT NOT NULL,
    nonce       BYTEA NOT NULL,
    ciphertext  BYTEA NOT NULL,
    received_at BIGINT NOT NULL,
    UNIQUE (device, stream, first_seq)
);

-- The highest contiguous sequence held per device and stream.
CREATE TABLE stream_head (
    device    BYTEA NOT NULL,
    stream    TEXT NOT NULL,
    acked_seq BIGINT NOT NULL,
    PRIMARY KEY (device, stream)
);
