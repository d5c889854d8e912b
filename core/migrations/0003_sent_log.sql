-- Satchel on-device schema, version 3: records stay after the hub acknowledges them, and a
-- manager keeps the segments it pulled.
-- A hub restored from a backup lacks what devices sent after the backup; a device that still
-- holds those records sends them again under the same sequence numbers (decision D50). An
-- acknowledged record leaves with its encounter when retention purges it, or once it is older
-- than the retention period; nothing leaves the store that was not already in it.
ALTER TABLE outbox ADD COLUMN acked INTEGER NOT NULL DEFAULT 0 CHECK (acked IN (0, 1));
-- The encounter a record is a version of (its encounter_id), so that purging the encounter
-- takes every version's record with it. NULL for stock movements and settings.
ALTER TABLE outbox ADD COLUMN subject BLOB;
CREATE INDEX outbox_waiting ON outbox (stream, seq) WHERE acked = 0;
CREATE INDEX outbox_by_subject ON outbox (subject) WHERE subject IS NOT NULL;

-- Managers' stores: the sealed segments pulled from other devices, as they came (never opened
-- again, never on outreach phones), so that a hub restored from a backup can be given back what
-- it lost and this store holds (decision D50).
CREATE TABLE received_segment (
    id         INTEGER PRIMARY KEY,
    device     BLOB NOT NULL,
    stream     TEXT NOT NULL,
    first_seq  INTEGER NOT NULL,
    last_seq   INTEGER NOT NULL,
    key_epoch  INTEGER NOT NULL,
    nonce      BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    UNIQUE (device, stream, first_seq)
);
