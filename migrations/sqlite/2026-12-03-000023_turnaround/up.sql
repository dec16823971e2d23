-- The day each case was closed, on the organisation's calendar (set by the
-- app, which knows its time zone; here the UTC day of what is stored), and
-- the days each answered case took, from receipt to answer, counted per
-- law and month of the answer and kept by triggers: the dashboard's
-- turnaround figures read a few hundred rows however many cases there are.
-- Answered: completed or refused, and not closed as a duplicate.
ALTER TABLE cases ADD COLUMN closed_on DATE;
UPDATE cases SET closed_on = date(closed_at) WHERE closed_at IS NOT NULL;

CREATE TABLE case_turnaround_counts (
    regime TEXT NOT NULL,
    closed_month TEXT NOT NULL,
    days INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (regime, closed_month, days)
);

INSERT INTO case_turnaround_counts (regime, closed_month, days, n)
SELECT regime, strftime('%Y-%m', closed_on),
       MAX(0, CAST(julianday(closed_on) - julianday(received_on) AS INTEGER)), COUNT(*)
FROM cases
WHERE state IN ('completed', 'refused') AND closure IS NULL
  AND closed_on IS NOT NULL AND received_on IS NOT NULL
GROUP BY 1, 2, 3;

CREATE TRIGGER cases_turnaround_insert AFTER INSERT ON cases
WHEN NEW.state IN ('completed', 'refused') AND NEW.closure IS NULL
 AND NEW.closed_on IS NOT NULL AND NEW.received_on IS NOT NULL
BEGIN
    INSERT INTO case_turnaround_counts (regime, closed_month, days, n)
    VALUES (NEW.regime, strftime('%Y-%m', NEW.closed_on),
            MAX(0, CAST(julianday(NEW.closed_on) - julianday(NEW.received_on) AS INTEGER)), 1)
    ON CONFLICT (regime, closed_month, days) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cases_turnaround_update_old
AFTER UPDATE OF state, closure, closed_on, received_on, regime ON cases
WHEN OLD.state IN ('completed', 'refused') AND OLD.closure IS NULL
 AND OLD.closed_on IS NOT NULL AND OLD.received_on IS NOT NULL
BEGIN
    UPDATE case_turnaround_counts SET n = n - 1
    WHERE regime = OLD.regime AND closed_month = strftime('%Y-%m', OLD.closed_on)
      AND days = MAX(0, CAST(julianday(OLD.closed_on) - julianday(OLD.received_on) AS INTEGER));
END;

CREATE TRIGGER cases_turnaround_update_new
AFTER UPDATE OF state, closure, closed_on, received_on, regime ON cases
WHEN NEW.state IN ('completed', 'refused') AND NEW.closure IS NULL
 AND NEW.closed_on IS NOT NULL AND NEW.received_on IS NOT NULL
BEGIN
    INSERT INTO case_turnaround_counts (regime, closed_month, days, n)
    VALUES (NEW.regime, strftime('%Y-%m', NEW.closed_on),
            MAX(0, CAST(julianday(NEW.closed_on) - julianday(NEW.received_on) AS INTEGER)), 1)
    ON CONFLICT (regime, closed_month, days) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cases_turnaround_delete AFTER DELETE ON cases
WHEN OLD.state IN ('completed', 'refused') AND OLD.closure IS NULL
 AND OLD.closed_on IS NOT NULL AND OLD.received_on IS NOT NULL
BEGIN
    UPDATE case_turnaround_counts SET n = n - 1
    WHERE regime = OLD.regime AND closed_month = strftime('%Y-%m', OLD.closed_on)
      AND days = MAX(0, CAST(julianday(OLD.closed_on) - julianday(OLD.received_on) AS INTEGER));
END;
