-- Satchel on-device schema, version 10 (decision D91): used syringes sent for disposal,
-- counted or weighed. One row per entry; a weighed entry keeps its weight and the program's
-- syringes-per-pound figure of the day it was logged, and `syringes` holds the count or the
-- estimate. A void marks the row (`voided_by`, the void record's id) and takes its syringes
-- out of the daily tallies. Entries belong to no zone: the tallies keep them under zone ''.
CREATE TABLE disposal (
    entry              BLOB PRIMARY KEY CHECK (length(entry) = 16),
    author             BLOB NOT NULL,
    occurred_at        INTEGER NOT NULL,
    local_day          INTEGER NOT NULL,
    method             TEXT NOT NULL CHECK (method IN ('counted', 'weighed')),
    tenths_of_pound    INTEGER,
    syringes_per_pound INTEGER,
    syringes           INTEGER NOT NULL CHECK (syringes >= 0),
    voided_by          BLOB
) WITHOUT ROWID;

CREATE INDEX disposal_by_time ON disposal (occurred_at);

CREATE TRIGGER disposal_tally_insert AFTER INSERT ON disposal WHEN NEW.voided_by IS NULL BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (NEW.local_day, '', CASE NEW.method WHEN 'counted' THEN 'syringes_disposed' ELSE 'syringes_disposed_estimated' END, '', NEW.syringes)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER disposal_tally_void AFTER UPDATE OF voided_by ON disposal
WHEN OLD.voided_by IS NULL AND NEW.voided_by IS NOT NULL BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, '', CASE OLD.method WHEN 'counted' THEN 'syringes_disposed' ELSE 'syringes_disposed_estimated' END, '', -OLD.syringes)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = '' AND key = '' AND n = 0
        AND measure IN ('syringes_disposed', 'syringes_disposed_estimated');
END;

CREATE TRIGGER disposal_tally_delete AFTER DELETE ON disposal WHEN OLD.voided_by IS NULL BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, '', CASE OLD.method WHEN 'counted' THEN 'syringes_disposed' ELSE 'syringes_disposed_estimated' END, '', -OLD.syringes)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = '' AND key = '' AND n = 0
        AND measure IN ('syringes_disposed', 'syringes_disposed_estimated');
END;

CREATE TRIGGER disposal_tally_move AFTER UPDATE OF local_day ON disposal WHEN NEW.voided_by IS NULL BEGIN
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (OLD.local_day, '', CASE OLD.method WHEN 'counted' THEN 'syringes_disposed' ELSE 'syringes_disposed_estimated' END, '', -OLD.syringes)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
    DELETE FROM tally_day WHERE day = OLD.local_day AND zone = '' AND key = '' AND n = 0
        AND measure IN ('syringes_disposed', 'syringes_disposed_estimated');
    INSERT INTO tally_day (day, zone, measure, key, n)
    VALUES (NEW.local_day, '', CASE NEW.method WHEN 'counted' THEN 'syringes_disposed' ELSE 'syringes_disposed_estimated' END, '', NEW.syringes)
    ON CONFLICT (day, zone, measure, key) DO UPDATE SET n = n + excluded.n;
END;
