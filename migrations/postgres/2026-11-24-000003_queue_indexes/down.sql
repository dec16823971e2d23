DROP INDEX cases_email_lower;
CREATE INDEX cases_email ON cases (requester_email);
DROP INDEX cases_assignee_state_due;
CREATE INDEX cases_assignee ON cases (assignee_id, due_on);
DROP INDEX cases_state_due_id;
CREATE INDEX cases_state_due ON cases (state, due_on);
