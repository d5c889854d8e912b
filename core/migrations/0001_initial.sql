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
-- day and zone are copied here so that tallies and their triggers need no join.
CREATE TABLE encounter_item (
    encounter INTEGER NOT NULL REFERENCES encounter(id) ON DELETE CASCADE,
    item      TEXT NOT NULL,
    quantity  INTEGER NOT NULL CHECK (quantity > 0),
    local_day INTEGER NOT NULL,
    zone      TEXT NOT NULL,
    PRIMARY KEY (encounter, item)
) WITHOUT ROWID;
CREATE INDEX encounter_item_by_day ON encounter_item (local_day, item, quantity);

CREATE TABLE encounter_referral (
    encounter INTEGER NOT NULL REFERENCES encounter(id) ON DELETE CASCADE,
    referral  TEXT NOT NULL,
    local_day INTEGER NOT NULL,
    zone      TEXT NOT NULL,
    PRIMARY KEY (encounter, referral)
) WITHOUT ROWID;
CREATE INDEX encounter_referral_by_day ON encounter_referral (local_day, referral);

CREATE TABLE encounter_substance (
    encounter INTEGER NOT NULL REFERENCES encounter(id) ON DELETE CASCADE,
    substance TEXT NOT NULL,
    local_day INTEGER NOT NULL,
    zone      TEXT NOT NULL,
    PRIMARY KEY (encounter, substance)
) WITHOUT ROWID;
CREATE INDEX encounter_substance_by_day ON encounter_substance (local_day, substance);

-- Daily tallies per zone, kept by the triggers below in the same transaction as every write,
-- so that a year of tallies reads a few thousand rows instead of every encounter. They count
-- live encounters only (not voided); rows that fall back to zero are deleted, so nothing shows
-- what a voided or purged encounter was. `tally` can always recompute them by a scan.
CREATE TABLE tally_day (
    day     INTEGER NOT NULL,
    zone    TEXT NOT NULL,
    measure TEXT NOT NULL,
    key     TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (day, zone, measure, key)
) WITHOUT ROWID;

-- Which participants (by local row id, never the reference) had a live encounter on a day.
CREATE TABLE participant_day (
    day         INTEGER NOT NULL,
    zone        TEXT NOT NULL,
    participant INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (day, zone, participant)
) WITHOUT ROWID;

CREATE TRIGGER encounter_tally_insert AFTER INSERT ON encounter WHEN NEW.voided = 0 BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    SELECT NEW.local_day, NEW.zone, measure, key, n FROM (
        SELECT 'encounters' AS measure, '' AS key, 1 AS n
        UNION ALL SELECT 'contact_type', NEW.contact_type, 1
        UNION ALL SELECT 'age_band', coalesce(NEW.age_band, 'not_recorded'), 1
        UNION ALL SELECT 'gender', coalesce(NEW.gender, 'not_recorded'), 1
        UNION ALL SELECT 'new_participants', '', NEW.new_participant
        UNION ALL SELECT 'syringes_collected', '', NEW.syringes_collected
        UNION ALL SELECT 'overdose_reversals', '', NEW.overdose_reversals
        UNION ALL SELECT 'naloxone_doses_used', '', NEW.naloxone_doses_used
        UNION ALL SELECT 'collecting_for', '', NEW.collecting_for
    ) WHERE n != 0
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO participant_day (day, zone, participant, n)
    SELECT NEW.local_day, NEW.zone, NEW.participant, 1 WHERE NEW.participant IS NOT NULL
    ON CONFLICT (day, zone, participant) DO UPDATE SET n = n + excluded.n;
    DELETE FROM participant_day
    WHERE day = NEW.local_day AND zone = NEW.zone AND participant = NEW.participant AND n <= 0;
END;

CREATE TRIGGER encounter_tally_delete AFTER DELETE ON encounter WHEN OLD.voided = 0 BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    SELECT OLD.local_day, OLD.zone, measure, key, n FROM (
        SELECT 'encounters' AS measure, '' AS key, -1 AS n
        UNION ALL SELECT 'contact_type', OLD.contact_type, -1
        UNION ALL SELECT 'age_band', coalesce(OLD.age_band, 'not_recorded'), -1
        UNION ALL SELECT 'gender', coalesce(OLD.gender, 'not_recorded'), -1
        UNION ALL SELECT 'new_participants', '', -OLD.new_participant
        UNION ALL SELECT 'syringes_collected', '', -OLD.syringes_collected
        UNION ALL SELECT 'overdose_reversals', '', -OLD.overdose_reversals
        UNION ALL SELECT 'naloxone_doses_used', '', -OLD.naloxone_doses_used
        UNION ALL SELECT 'collecting_for', '', -OLD.collecting_for
    ) WHERE n != 0
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO participant_day (day, zone, participant, n)
    SELECT OLD.local_day, OLD.zone, OLD.participant, -1 WHERE OLD.participant IS NOT NULL
    ON CONFLICT (day, zone, participant) DO UPDATE SET n = n + excluded.n;
    DELETE FROM participant_day
    WHERE day = OLD.local_day AND zone = OLD.zone AND participant = OLD.participant AND n <= 0;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = OLD.zone AND n = 0;
END;

CREATE TRIGGER encounter_tally_update_old AFTER UPDATE OF version, local_day, zone, contact_type, age_band, gender, participant, new_participant, syringes_collected, overdose_reversals, naloxone_doses_used, collecting_for, voided
    ON encounter WHEN OLD.voided = 0 BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    SELECT OLD.local_day, OLD.zone, measure, key, n FROM (
        SELECT 'encounters' AS measure, '' AS key, -1 AS n
        UNION ALL SELECT 'contact_type', OLD.contact_type, -1
        UNION ALL SELECT 'age_band', coalesce(OLD.age_band, 'not_recorded'), -1
        UNION ALL SELECT 'gender', coalesce(OLD.gender, 'not_recorded'), -1
        UNION ALL SELECT 'new_participants', '', -OLD.new_participant
        UNION ALL SELECT 'syringes_collected', '', -OLD.syringes_collected
        UNION ALL SELECT 'overdose_reversals', '', -OLD.overdose_reversals
        UNION ALL SELECT 'naloxone_doses_used', '', -OLD.naloxone_doses_used
        UNION ALL SELECT 'collecting_for', '', -OLD.collecting_for
    ) WHERE n != 0
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO participant_day (day, zone, participant, n)
    SELECT OLD.local_day, OLD.zone, OLD.participant, -1 WHERE OLD.participant IS NOT NULL
    ON CONFLICT (day, zone, participant) DO UPDATE SET n = n + excluded.n;
    DELETE FROM participant_day
    WHERE day = OLD.local_day AND zone = OLD.zone AND participant = OLD.participant AND n <= 0;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = OLD.zone AND n = 0;
END;

CREATE TRIGGER encounter_tally_update_new AFTER UPDATE OF version, local_day, zone, contact_type, age_band, gender, participant, new_participant, syringes_collected, overdose_reversals, naloxone_doses_used, collecting_for, voided
    ON encounter WHEN NEW.voided = 0 BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    SELECT NEW.local_day, NEW.zone, measure, key, n FROM (
        SELECT 'encounters' AS measure, '' AS key, 1 AS n
        UNION ALL SELECT 'contact_type', NEW.contact_type, 1
        UNION ALL SELECT 'age_band', coalesce(NEW.age_band, 'not_recorded'), 1
        UNION ALL SELECT 'gender', coalesce(NEW.gender, 'not_recorded'), 1
        UNION ALL SELECT 'new_participants', '', NEW.new_participant
        UNION ALL SELECT 'syringes_collected', '', NEW.syringes_collected
        UNION ALL SELECT 'overdose_reversals', '', NEW.overdose_reversals
        UNION ALL SELECT 'naloxone_doses_used', '', NEW.naloxone_doses_used
        UNION ALL SELECT 'collecting_for', '', NEW.collecting_for
    ) WHERE n != 0
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    INSERT INTO participant_day (day, zone, participant, n)
    SELECT NEW.local_day, NEW.zone, NEW.participant, 1 WHERE NEW.participant IS NOT NULL
    ON CONFLICT (day, zone, participant) DO UPDATE SET n = n + excluded.n;
    DELETE FROM participant_day
    WHERE day = NEW.local_day AND zone = NEW.zone AND participant = NEW.participant AND n <= 0;
END;

CREATE TRIGGER encounter_item_tally_insert AFTER INSERT ON encounter_item BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (NEW.local_day, NEW.zone, 'item', NEW.item, NEW.quantity)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER encounter_item_tally_delete AFTER DELETE ON encounter_item BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, OLD.zone, 'item', OLD.item, -OLD.quantity)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = OLD.zone AND measure = 'item' AND key = OLD.item AND n = 0;
END;

CREATE TRIGGER encounter_item_tally_update AFTER UPDATE OF local_day, zone ON encounter_item BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, OLD.zone, 'item', OLD.item, -OLD.quantity)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = OLD.zone AND measure = 'item' AND key = OLD.item AND n = 0;
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (NEW.local_day, NEW.zone, 'item', NEW.item, NEW.quantity)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER encounter_referral_tally_insert AFTER INSERT ON encounter_referral BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (NEW.local_day, NEW.zone, 'referral', NEW.referral, 1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER encounter_referral_tally_delete AFTER DELETE ON encounter_referral BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, OLD.zone, 'referral', OLD.referral, -1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = OLD.zone AND measure = 'referral' AND key = OLD.referral AND n = 0;
END;

CREATE TRIGGER encounter_referral_tally_update AFTER UPDATE OF local_day, zone ON encounter_referral BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, OLD.zone, 'referral', OLD.referral, -1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = OLD.zone AND measure = 'referral' AND key = OLD.referral AND n = 0;
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (NEW.local_day, NEW.zone, 'referral', NEW.referral, 1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER encounter_substance_tally_insert AFTER INSERT ON encounter_substance BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (NEW.local_day, NEW.zone, 'substance', NEW.substance, 1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER encounter_substance_tally_delete AFTER DELETE ON encounter_substance BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, OLD.zone, 'substance', OLD.substance, -1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = OLD.zone AND measure = 'substance' AND key = OLD.substance AND n = 0;
END;

CREATE TRIGGER encounter_substance_tally_update AFTER UPDATE OF local_day, zone ON encounter_substance BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, OLD.zone, 'substance', OLD.substance, -1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = OLD.zone AND measure = 'substance' AND key = OLD.substance AND n = 0;
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (NEW.local_day, NEW.zone, 'substance', NEW.substance, 1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
END;

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
