-- Satchel on-device schema, version 3: records stay after the hub acknowledges them.
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
