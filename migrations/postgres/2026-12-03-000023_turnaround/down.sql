DROP TRIGGER cases_turnaround_update ON cases;
DROP TRIGGER cases_turnaround_insert_delete ON cases;
DROP FUNCTION rightsdesk_count_turnaround();
DROP TABLE case_turnaround_counts;
ALTER TABLE cases DROP COLUMN closed_on;
