DROP TRIGGER cases_turnaround_delete;
DROP TRIGGER cases_turnaround_update_new;
DROP TRIGGER cases_turnaround_update_old;
DROP TRIGGER cases_turnaround_insert;
DROP TABLE case_turnaround_counts;
ALTER TABLE cases DROP COLUMN closed_on;
