-- Satchel on-device schema, version 6: the team key's earlier epochs (D71). Revoking a device
-- replaces the team key (program_key 'data' holds the current one); the earlier ones stay to
-- open the stock and settings sealed under them. program_key 'device' holds this device's own
-- private key, to which managers seal new team keys.
CREATE TABLE team_key_history (
    epoch INTEGER PRIMARY KEY NOT NULL,
    key   BLOB NOT NULL CHECK (length(key) = 32)
) WITHOUT ROWID;
