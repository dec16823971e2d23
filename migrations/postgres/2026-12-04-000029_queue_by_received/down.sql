DROP INDEX cases_state_received_id;
