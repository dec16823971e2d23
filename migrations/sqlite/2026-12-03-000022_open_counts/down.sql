DROP TRIGGER cases_due_count_delete;
DROP TRIGGER cases_due_count_update;
DROP TRIGGER cases_due_count_insert;
DROP TRIGGER cases_right_count_update;
DROP TRIGGER case_rights_count_delete;
DROP TRIGGER case_rights_count_insert;
DROP TABLE case_due_counts;
DROP TABLE case_right_counts;
