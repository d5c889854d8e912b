-- Satchel on-device schema, version 12 (decision D97): the review sheet a worker had open when
-- the app locked, kept for the next unlock. One row at most; the body is the sheet's values as
-- JSON, without the participant code (only its keyed hash is ever stored). Taking it deletes it;
-- a draft older than a shift is dropped unread.
CREATE TABLE sheet_draft (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    saved_at INTEGER NOT NULL,
    body     BLOB NOT NULL
);
