-- The day each case was closed, on the organisation's calendar (set by the
-- app, which knows its time zone; here the UTC day of what is stored), and
-- the days each answered case took, from receipt to answer, counted per
-- law and month of the answer and kept by triggers: the dashboard's
-- turnaround figures read a few hundred rows however many cases there are.
-- Answered: completed or refused, and not closed as a duplicate.
ALTER TABLE cases ADD COLUMN closed_on DATE;
UPDATE cases SET closed_on = closed_at::date WHERE closed_at IS NOT NULL;

CREATE TABLE case_turnaround_counts (
    regime TEXT NOT NULL,
    closed_month TEXT NOT NULL,
    days BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (regime, closed_month, days)
);

INSERT INTO case_turnaround_counts (regime, closed_month, days, n)
SELECT regime, to_char(closed_on, 'YYYY-MM'), GREATEST(0, closed_on - received_on), COUNT(*)
FROM cases
WHERE state IN ('completed', 'refused') AND closure IS NULL
  AND closed_on IS NOT NULL AND received_on IS NOT NULL
GROUP BY 1, 2, 3;

CREATE FUNCTION rightsdesk_count_turnaround() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE')
       AND OLD.state IN ('completed', 'refused') AND OLD.closure IS NULL
       AND OLD.closed_on IS NOT NULL AND OLD.received_on IS NOT NULL THEN
        UPDATE case_turnaround_counts SET n = n - 1
        WHERE regime = OLD.regime AND closed_month = to_char(OLD.closed_on, 'YYYY-MM')
          AND days = GREATEST(0, OLD.closed_on - OLD.received_on);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE')
       AND NEW.state IN ('completed', 'refused') AND NEW.closure IS NULL
       AND NEW.closed_on IS NOT NULL AND NEW.received_on IS NOT NULL THEN
        INSERT INTO case_turnaround_counts (regime, closed_month, days, n)
        VALUES (NEW.regime, to_char(NEW.closed_on, 'YYYY-MM'),
                GREATEST(0, NEW.closed_on - NEW.received_on), 1)
        ON CONFLICT (regime, closed_month, days)
        DO UPDATE SET n = case_turnaround_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER cases_turnaround_insert_delete AFTER INSERT OR DELETE ON cases
FOR EACH ROW EXECUTE FUNCTION rightsdesk_count_turnaround();

CREATE TRIGGER cases_turnaround_update
AFTER UPDATE OF state, closure, closed_on, received_on, regime ON cases
FOR EACH ROW EXECUTE FUNCTION rightsdesk_count_turnaround();
