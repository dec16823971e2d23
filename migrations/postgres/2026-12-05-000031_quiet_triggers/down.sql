ALTER TABLE outbox RESET (toast_tuple_target);

DROP INDEX links_task;
CREATE INDEX links_task ON links (task_id);

DROP TRIGGER cases_turnaround_update ON cases;
DROP TRIGGER cases_turnaround_delete ON cases;
DROP TRIGGER cases_turnaround_insert ON cases;

CREATE TRIGGER cases_turnaround_insert_delete AFTER INSERT OR DELETE ON cases
FOR EACH ROW EXECUTE FUNCTION rightsdesk_count_turnaround();

CREATE TRIGGER cases_turnaround_update
AFTER UPDATE OF state, closure, closed_on, received_on, regime ON cases
FOR EACH ROW EXECUTE FUNCTION rightsdesk_count_turnaround();

DROP TRIGGER cases_due_count_delete ON cases;
DROP TRIGGER cases_due_count_insert ON cases;

CREATE TRIGGER cases_due_count_insert_delete AFTER INSERT OR DELETE ON cases
FOR EACH ROW EXECUTE FUNCTION rightsdesk_count_case_changes();
