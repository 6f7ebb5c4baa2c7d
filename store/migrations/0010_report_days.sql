-- Each whole past UTC day's report groups, kept the first time a report of
-- a gateway reads the day, so later reports over it read these instead of
-- its rows (see store/report_days.go). Created empty: the migration is
-- instant whatever the size of the log.
CREATE TABLE report_days (
    day_ms     INTEGER NOT NULL,   -- the UTC midnight the day begins (Unix ms)
    deployment TEXT    NOT NULL,   -- decisions.deployment as logged
    model      TEXT    NOT NULL,   -- the model answered, else chosen, else 'none'; or one a call failed over from
    decided    INTEGER NOT NULL,   -- 1 when a call of the day to the deployment was decided by the router
    sums       TEXT    NOT NULL,   -- JSON: the group's counts and exact sums
    PRIMARY KEY (day_ms, deployment, model)
) WITHOUT ROWID;

-- The days report_days holds (filled > 0: the format the release that
-- kept the day wrote its groups in, keptFormat in store/report_days.go;
-- 1 when this file was written), or that a report is reading (filled = 0,
-- with that report's token). A day is read from report_days only while
-- its row here says filled in the reader's format; a day of another
-- format is read from its rows, and a gateway's report of every
-- deployment keeps it anew.
CREATE TABLE report_days_done (
    day_ms INTEGER PRIMARY KEY,
    filled INTEGER NOT NULL,
    token  INTEGER NOT NULL
) WITHOUT ROWID;

-- Any change to a row forgets the day it is in (and, for an update that
-- moves it, the day it was in): usage booked after the answer, a late
-- insert, a prune. The condition is the report's own range test
-- (day_ms <= ts_ms < day_ms + one day), so it holds for any ts_ms.
CREATE TRIGGER report_days_insert AFTER INSERT ON decisions BEGIN
    DELETE FROM report_days_done WHERE day_ms <= NEW.ts_ms AND day_ms > NEW.ts_ms - 86400000;
END;
CREATE TRIGGER report_days_update AFTER UPDATE ON decisions BEGIN
    DELETE FROM report_days_done WHERE day_ms <= NEW.ts_ms AND day_ms > NEW.ts_ms - 86400000;
    DELETE FROM report_days_done WHERE day_ms <= OLD.ts_ms AND day_ms > OLD.ts_ms - 86400000;
END;
-- A delete also drops the day's groups: a pruned day is never read again
-- to replace them, and report_days would keep every pruned day forever.
CREATE TRIGGER report_days_delete AFTER DELETE ON decisions BEGIN
    DELETE FROM report_days_done WHERE day_ms <= OLD.ts_ms AND day_ms > OLD.ts_ms - 86400000;
    DELETE FROM report_days WHERE day_ms <= OLD.ts_ms AND day_ms > OLD.ts_ms - 86400000;
END;
