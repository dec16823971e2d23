DROP INDEX cases_to_reduce;
ALTER TABLE cases DROP COLUMN reduced_at;
