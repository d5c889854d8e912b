-- Satchel on-device schema, version 2: the ledger of releases.
-- Every report made from this store, as the sums of daily counts each of its values adds up
-- and what the report showed of them, so that a new report is audited against everything
-- released before (decision D49). Kept only where reports are made (the manager's store); it
-- never leaves the store and is never synced.
CREATE TABLE report_release (
    id        INTEGER PRIMARY KEY,
    made_at   INTEGER NOT NULL,            -- Unix seconds
    query     TEXT NOT NULL,               -- JSON: period, buckets, zone, threshold
    cells     BLOB NOT NULL                -- JSON: [{sum, shown}], one per value of the report
);
