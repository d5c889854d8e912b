-- Satchel on-device schema, version 8: the anonymous participant profile (decision D89).
-- One row per profile record received or written: what a person answered, when, for which
-- participant reference. Answers are JSON ("declined" or {"chosen": [ids]}); NULL is a
-- question not asked in that record. Reports read the newest answer to each question by the
-- end of a row's days; nothing here is kept per person beyond these rows. A phone deletes its
-- own once the hub has them and the retention period has passed.
CREATE TABLE participant_profile (
    record_id   BLOB PRIMARY KEY CHECK (length(record_id) = 16),
    participant INTEGER NOT NULL REFERENCES participant(id) ON DELETE CASCADE,
    author      BLOB NOT NULL,
    answered_at INTEGER NOT NULL,
    local_day   INTEGER NOT NULL,
    race        TEXT,
    ethnicity   TEXT,
    residence   TEXT,
    acked       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE INDEX participant_profile_by_time ON participant_profile (local_day, answered_at);
