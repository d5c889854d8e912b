-- The team key's epochs (D71). Each device's public key (new team keys are sealed to it), the
-- program's current epoch and whether a revocation waits for a new one, and the envelopes:
-- a team key sealed to one device, which the hub cannot open.

ALTER TABLE device ADD COLUMN public_key BLOB;

ALTER TABLE program ADD COLUMN team_epoch INTEGER NOT NULL DEFAULT 1;
ALTER TABLE program ADD COLUMN rotation_owed INTEGER NOT NULL DEFAULT 0;

CREATE TABLE key_envelope (
    device BLOB NOT NULL,
    epoch  INTEGER NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (device, epoch)
);
