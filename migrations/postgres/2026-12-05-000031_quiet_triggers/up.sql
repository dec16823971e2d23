-- Count triggers fire only when they have something to count. A new case
-- has no due date until its requester confirms and is never answered at
-- once, so most inserts called both functions below for nothing; a
-- trigger's WHEN clause is checked without calling its function.
DROP TRIGGER cases_due_count_insert_delete ON cases;

CREATE TRIGGER cases_due_count_insert AFTER INSERT ON cases
FOR EACH ROW WHEN (NEW.due_on IS NOT NULL)
EXECUTE FUNCTION rightsdesk_count_case_changes();

CREATE TRIGGER cases_due_count_delete AFTER DELETE ON cases
FOR EACH ROW WHEN (OLD.due_on IS NOT NULL)
EXECUTE FUNCTION rightsdesk_count_case_changes();

DROP TRIGGER cases_turnaround_insert_delete ON cases;
DROP TRIGGER cases_turnaround_update ON cases;

CREATE TRIGGER cases_turnaround_insert AFTER INSERT ON cases
FOR EACH ROW WHEN (NEW.state IN ('completed', 'refused') AND NEW.closure IS NULL
                   AND NEW.closed_on IS NOT NULL AND NEW.received_on IS NOT NULL)
EXECUTE FUNCTION rightsdesk_count_turnaround();

CREATE TRIGGER cases_turnaround_delete AFTER DELETE ON cases
FOR EACH ROW WHEN (OLD.state IN ('completed', 'refused') AND OLD.closure IS NULL
                   AND OLD.closed_on IS NOT NULL AND OLD.received_on IS NOT NULL)
EXECUTE FUNCTION rightsdesk_count_turnaround();

CREATE TRIGGER cases_turnaround_update
AFTER UPDATE OF state, closure, closed_on, received_on, regime ON cases
FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state
                   OR OLD.closure IS DISTINCT FROM NEW.closure
                   OR OLD.closed_on IS DISTINCT FROM NEW.closed_on
                   OR OLD.received_on IS DISTINCT FROM NEW.received_on
                   OR OLD.regime IS DISTINCT FROM NEW.regime)
EXECUTE FUNCTION rightsdesk_count_turnaround();

-- Links are looked up by task only for task links: the others (most of
-- them) need no entry.
DROP INDEX links_task;
CREATE INDEX links_task ON links (task_id) WHERE task_id IS NOT NULL;

-- An email's sealed bodies (about 3.4 KB, incompressible) stay in the
-- outbox row: past PostgreSQL's default 2 KB target each insert tried to
-- compress the HTML body, then moved it to the TOAST table (a second row
-- and index entry, written again when the sent copy is stored).
ALTER TABLE outbox SET (toast_tuple_target = 8160);
