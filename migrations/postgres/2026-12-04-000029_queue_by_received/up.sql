-- The staff queue newest first: each state's cases by the day received.
CREATE INDEX cases_state_received_id ON cases (state, received_on, id);
