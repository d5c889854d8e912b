-- Satchel on-device schema, version 5: which services of the directory a worker suggested.
-- Optional, and counted only by service (no link to anything but the encounter it belongs to,
-- which has no identity of its own). Encounters before it suggested none.
CREATE TABLE encounter_service (
    encounter INTEGER NOT NULL REFERENCES encounter(id) ON DELETE CASCADE,
    service   TEXT NOT NULL,
    local_day INTEGER NOT NULL,
    zone      TEXT NOT NULL,
    PRIMARY KEY (encounter, service)
) WITHOUT ROWID;

CREATE TRIGGER encounter_service_tally_insert AFTER INSERT ON encounter_service BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (NEW.local_day, NEW.zone, 'service', NEW.service, 1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER encounter_service_tally_delete AFTER DELETE ON encounter_service BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, OLD.zone, 'service', OLD.service, -1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = OLD.zone AND measure = 'service' AND key = OLD.service AND n = 0;
END;

CREATE TRIGGER encounter_service_tally_update AFTER UPDATE OF local_day, zone ON encounter_service BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, OLD.zone, 'service', OLD.service, -1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = OLD.zone AND measure = 'service' AND key = OLD.service AND n = 0;
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (NEW.local_day, NEW.zone, 'service', NEW.service, 1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
END;
