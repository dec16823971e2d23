-- Indexes for the staff queue at scale: each state's cases in due order
-- (ties by id), the same per assignee, and requester search by address in
-- any letter case.
DROP INDEX cases_state_due;
CREATE INDEX cases_state_due_id ON cases (state, due_on, id);
DROP INDEX cases_assignee;
CREATE INDEX cases_assignee_state_due ON cases (assignee_id, state, due_on, id);
DROP INDEX cases_email;
CREATE INDEX cases_email_lower ON cases (lower(requester_email));
