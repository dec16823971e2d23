-- How many cases are in each state, kept by triggers as cases are filed and
-- change state, so the queue and the dashboard read a few rows instead of
-- counting every case on each view. Each state's count is spread over 16
-- rows (by case id) so that concurrent writers on PostgreSQL seldom wait
-- on the same row; a count is the sum of its rows.
CREATE TABLE case_state_counts (
    state TEXT NOT NULL,
    shard BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (state, shard)
);

INSERT INTO case_state_counts (state, shard, n)
SELECT state, id % 16, COUNT(*) FROM cases GROUP BY state, id % 16;

CREATE TRIGGER cases_count_insert AFTER INSERT ON cases
BEGIN
    INSERT INTO case_state_counts (state, shard, n) VALUES (NEW.state, NEW.id % 16, 1)
    ON CONFLICT (state, shard) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cases_count_update AFTER UPDATE OF state ON cases
WHEN OLD.state <> NEW.state
BEGIN
    UPDATE case_state_counts SET n = n - 1 WHERE state = OLD.state AND shard = OLD.id % 16;
    INSERT INTO case_state_counts (state, shard, n) VALUES (NEW.state, NEW.id % 16, 1)
    ON CONFLICT (state, shard) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cases_count_delete AFTER DELETE ON cases
BEGIN
    UPDATE case_state_counts SET n = n - 1 WHERE state = OLD.state AND shard = OLD.id % 16;
END;

-- Daily jobs are now claimed by day number, like the others by period:
-- those that last ran on a date carry it over, so none runs twice today.
UPDATE job_runs SET last_slot = CAST(julianday(last_run_on) - 2440587.5 AS INTEGER) WHERE last_slot = 0;
