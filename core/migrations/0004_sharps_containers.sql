-- Satchel on-device schema, version 4: returned sharps counted by container.
-- Programs rarely count returned syringes one by one; a worker logs "2 × 1-quart container"
-- and the program's estimate of syringes per container (taken when the encounter is written,
-- so a later change of the estimate leaves history as it was) gives syringes collected,
-- reported apart from counted syringes. Encounters written before keep their meaning: they
-- have no containers, and their counted syringes stay where they were.
CREATE TABLE encounter_container (
    encounter     INTEGER NOT NULL REFERENCES encounter(id) ON DELETE CASCADE,
    container     TEXT NOT NULL,
    count         INTEGER NOT NULL CHECK (count > 0),
    syringes_each INTEGER NOT NULL CHECK (syringes_each > 0),
    local_day     INTEGER NOT NULL,
    zone          TEXT NOT NULL,
    PRIMARY KEY (encounter, container)
) WITHOUT ROWID;

-- Daily counts: containers by type ('containers', key = type) and the syringes they hold by
-- estimate ('syringes_estimated', key ''), kept like the items' counts.
CREATE TRIGGER encounter_container_tally_insert AFTER INSERT ON encounter_container BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (NEW.local_day, NEW.zone, 'containers', NEW.container, NEW.count),
           (NEW.local_day, NEW.zone, 'syringes_estimated', '', NEW.count * NEW.syringes_each)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER encounter_container_tally_delete AFTER DELETE ON encounter_container BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, OLD.zone, 'containers', OLD.container, -OLD.count),
           (OLD.local_day, OLD.zone, 'syringes_estimated', '', -OLD.count * OLD.syringes_each)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = OLD.zone
        AND ((measure = 'containers' AND key = OLD.container) OR (measure = 'syringes_estimated' AND key = '')) AND n = 0;
END;

CREATE TRIGGER encounter_container_tally_update AFTER UPDATE OF local_day, zone ON encounter_container BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, OLD.zone, 'containers', OLD.container, -OLD.count),
           (OLD.local_day, OLD.zone, 'syringes_estimated', '', -OLD.count * OLD.syringes_each)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = OLD.zone
        AND ((measure = 'containers' AND key = OLD.container) OR (measure = 'syringes_estimated' AND key = '')) AND n = 0;
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (NEW.local_day, NEW.zone, 'containers', NEW.container, NEW.count),
           (NEW.local_day, NEW.zone, 'syringes_estimated', '', NEW.count * NEW.syringes_each)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
END;
