DROP INDEX cases_correspondent;
ALTER TABLE job_runs DROP COLUMN last_slot;
