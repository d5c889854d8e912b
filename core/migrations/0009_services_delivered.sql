-- Satchel on-device schema, version 9 (decision D90): services delivered on site with their
-- outcome, and why a naloxone kit was given (a first kit, or a refill and its reason). Like
-- the other parts of an encounter's live version, each row carries its encounter's local day
-- and zone for the daily tallies, and goes when the encounter is voided, corrected or purged.
CREATE TABLE encounter_delivered (
    encounter INTEGER NOT NULL REFERENCES encounter(id) ON DELETE CASCADE,
    service   TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    local_day INTEGER NOT NULL,
    zone      TEXT NOT NULL,
    PRIMARY KEY (encounter, service)
) WITHOUT ROWID;

CREATE TRIGGER encounter_delivered_tally_insert AFTER INSERT ON encounter_delivered BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (NEW.local_day, NEW.zone, 'delivered', NEW.service || '/' || NEW.outcome, 1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER encounter_delivered_tally_delete AFTER DELETE ON encounter_delivered BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, OLD.zone, 'delivered', OLD.service || '/' || OLD.outcome, -1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = OLD.zone AND measure = 'delivered'
        AND key = OLD.service || '/' || OLD.outcome AND n = 0;
END;

CREATE TRIGGER encounter_delivered_tally_update AFTER UPDATE OF local_day, zone ON encounter_delivered BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, OLD.zone, 'delivered', OLD.service || '/' || OLD.outcome, -1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = OLD.zone AND measure = 'delivered'
        AND key = OLD.service || '/' || OLD.outcome AND n = 0;
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (NEW.local_day, NEW.zone, 'delivered', NEW.service || '/' || NEW.outcome, 1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TABLE encounter_naloxone (
    encounter INTEGER PRIMARY KEY REFERENCES encounter(id) ON DELETE CASCADE,
    reason    TEXT NOT NULL,
    local_day INTEGER NOT NULL,
    zone      TEXT NOT NULL
);

CREATE TRIGGER encounter_naloxone_tally_insert AFTER INSERT ON encounter_naloxone BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (NEW.local_day, NEW.zone, 'naloxone_kit', NEW.reason, 1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER encounter_naloxone_tally_delete AFTER DELETE ON encounter_naloxone BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, OLD.zone, 'naloxone_kit', OLD.reason, -1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = OLD.zone AND measure = 'naloxone_kit' AND key = OLD.reason AND n = 0;
END;

CREATE TRIGGER encounter_naloxone_tally_update AFTER UPDATE OF local_day, zone ON encounter_naloxone BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, OLD.zone, 'naloxone_kit', OLD.reason, -1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = OLD.zone AND measure = 'naloxone_kit' AND key = OLD.reason AND n = 0;
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (NEW.local_day, NEW.zone, 'naloxone_kit', NEW.reason, 1)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
END;
