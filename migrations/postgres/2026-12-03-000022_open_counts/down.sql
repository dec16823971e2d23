DROP TRIGGER cases_due_count_update ON cases;
DROP TRIGGER cases_due_count_insert_delete ON cases;
DROP FUNCTION rightsdesk_count_case_changes();
DROP TRIGGER case_rights_count ON case_rights;
DROP FUNCTION rightsdesk_count_case_rights();
DROP TABLE case_due_counts;
DROP TABLE case_right_counts;
