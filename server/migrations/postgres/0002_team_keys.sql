-- The team key's epochs (D71), as migrations/sqlite/0002_team_keys.sql in PostgreSQL's types.

ALTER TABLE device ADD COLUMN public_key BYTEA;

ALTER TABLE program ADD COLUMN team_epoch BIGINT NOT NULL DEFAULT 1;
ALTER TABLE program ADD COLUMN rotation_owed BIGINT NOT NULL DEFAULT 0;

CREATE TABLE key_envelope (
    device BYTEA NOT NULL,
    epoch  BIGINT NOT NULL,
    sealed BYTEA NOT NULL,
    PRIMARY KEY (device, epoch)
);
