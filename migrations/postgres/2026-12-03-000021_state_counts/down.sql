DROP TRIGGER cases_count_update ON cases;
DROP TRIGGER cases_count_insert_delete ON cases;
DROP FUNCTION rightsdesk_count_case_states();
DROP TABLE case_state_counts;
