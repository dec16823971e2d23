DROP TRIGGER cases_count_delete;
DROP TRIGGER cases_count_update;
DROP TRIGGER cases_count_insert;
DROP TABLE case_state_counts;
