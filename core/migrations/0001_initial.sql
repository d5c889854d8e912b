-- Satchel on-device schema, version 1.
-- The whole file is encrypted by SQLCipher; see docs/data-dictionary.md for why each field is
-- safe to keep. Record ids are UUIDv7 as 16-byte blobs; instants are Unix seconds (UTC).

-- One row per fact about this store and device.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) WITHOUT ROWID;

-- Program keys delivered at enrollment (or made locally for a standalone store).
CREATE TABLE program_key (
    purpose TEXT PRIMARY KEY NOT NULL,      -- 'participant' | 'data'
    epoch   INTEGER NOT NULL,
    key     BLOB NOT NULL CHECK (length(key) = 32)
) WITHOUT ROWID;

-- Program settings: one row per setting, last writer wins by hybrid logical clock, ties by
-- device id. Values are JSON documents of the shape the key prefix names.
CREATE TABLE setting (
    key    TEXT PRIMARY KEY NOT NULL,       -- e.g. 'program', 'item/naloxone-nasal'
    value  TEXT NOT NULL,
    hlc    INTEGER NOT NULL,
    device BLOB NOT NULL
) WITHOUT ROWID;

-- Participant references seen on this device: HMAC of the normalised code, never the code.
CREATE TABLE participant (
    id        INTEGER PRIMARY KEY,
    reference BLOB NOT NULL UNIQUE CHECK (length(reference) = 16),
    last_seen INTEGER NOT NULL
);

-- One row per encounter, holding its latest version.
CREATE TABLE encounter (
    id                  INTEGER PRIMARY KEY,
    encounter_id        BLOB NOT NULL UNIQUE,   -- id of the first version: the stable identity
    version_id          BLOB NOT NULL UNIQUE,   -- id of the latest version record
    version             INTEGER NOT NULL CHECK (version >= 1),
    author              BLOB NOT NULL,          -- device id of the only device that may correct it
    occurred_at         INTEGER NOT NULL,       -- minute precision
    local_day           INTEGER NOT NULL,       -- days since 1970-01-01 in the program time zone
    contact_type        TEXT NOT NULL,
    zone                TEXT NOT NULL,
    geohash             TEXT CHECK (geohash IS NULL OR length(geohash) <= 5),
    participant         INTEGER REFERENCES participant(id),
    new_participant     INTEGER NOT NULL CHECK (new_participant IN (0, 1)),
    age_band            TEXT,
    gender              TEXT,
    syringes_collected  INTEGER NOT NULL CHECK (syringes_collected >= 0),
    overdose_reversals  INTEGER NOT NULL CHECK (overdose_reversals >= 0),
    naloxone_doses_used INTEGER NOT NULL CHECK (naloxone_doses_used >= 0),
    collecting_for      INTEGER NOT NULL CHECK (collecting_for >= 0),
    location            TEXT,                   -- stock location the supplies came from
    voided              INTEGER NOT NULL DEFAULT 0 CHECK (voided IN (0, 1)),
    recorded_at         INTEGER NOT NULL,
    acked               INTEGER NOT NULL DEFAULT 0 CHECK (acked IN (0, 1))
);
CREATE INDEX encounter_by_day ON encounter (local_day) WHERE voided = 0;
CREATE INDEX encounter_by_time ON encounter (occurred_at);

-- Items, referrals and substances of the live (not voided) version of each encounter. The local
-- day is copied here so that tallies read these tables in one pass.
CREATE TABLE encounter_item (
    encounter INTEGER NOT NULL REFERENCES encounter(id) ON DELETE CASCADE,
    item      TEXT NOT NULL,
    quantity  INTEGER NOT NULL CHECK (quantity > 0),
    local_day INTEGER NOT NULL,
    PRIMARY KEY (encounter, item)
) WITHOUT ROWID;
CREATE INDEX encounter_item_by_day ON encounter_item (local_day, item, quantity);

CREATE TABLE encounter_referral (
    encounter INTEGER NOT NULL REFERENCES encounter(id) ON DELETE CASCADE,
    referral  TEXT NOT NULL,
    local_day INTEGER NOT NULL,
    PRIMARY KEY (encounter, referral)
) WITHOUT ROWID;
CREATE INDEX encounter_referral_by_day ON encounter_referral (local_day, referral);

CREATE TABLE encounter_substance (
    encounter INTEGER NOT NULL REFERENCES encounter(id) ON DELETE CASCADE,
    substance TEXT NOT NULL,
    local_day INTEGER NOT NULL,
    PRIMARY KEY (encounter, substance)
) WITHOUT ROWID;
CREATE INDEX encounter_substance_by_day ON encounter_substance (local_day, substance);

-- The stock ledger. Deltas are signed; a 'counted' row holds an absolute level in quantity.
CREATE TABLE stock_movement (
    id          BLOB PRIMARY KEY NOT NULL,
    author      BLOB NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('received', 'distributed', 'transferred', 'adjusted', 'counted')),
    location    TEXT NOT NULL,
    item        TEXT NOT NULL,
    quantity    INTEGER NOT NULL,
    occurred_at INTEGER NOT NULL,
    reason      TEXT,
    counterpart TEXT                         -- the other location of a transfer
) WITHOUT ROWID;
CREATE INDEX stock_movement_by_level ON stock_movement (location, item, kind, occurred_at, id);

-- Per-stream sequence numbers of this device's outgoing records.
CREATE TABLE sync_stream (
    stream    TEXT PRIMARY KEY NOT NULL CHECK (stream IN ('encounters', 'inventory', 'settings')),
    next_seq  INTEGER NOT NULL,
    acked_seq INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO sync_stream (stream, next_seq, acked_seq) VALUES
    ('encounters', 1, 0), ('inventory', 1, 0), ('settings', 1, 0);

-- Records waiting to be pushed, written in the same transaction as the record itself.
CREATE TABLE outbox (
    stream     TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    record_id  BLOB NOT NULL,
    payload    BLOB NOT NULL,                -- the record, JSON
    created_at INTEGER NOT NULL,
    PRIMARY KEY (stream, seq)
) WITHOUT ROWID;
