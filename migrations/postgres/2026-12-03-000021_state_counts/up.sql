-- How many cases are in each state, kept by triggers as cases are filed and
-- change state, so the queue and the dashboard read a few rows instead of
-- counting every case on each view. Each state's count is spread over 16
-- rows (by case id) so that concurrent writers seldom wait on the same
-- row; a count is the sum of its rows.
CREATE TABLE case_state_counts (
    state TEXT NOT NULL,
    shard BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (state, shard)
);

INSERT INTO case_state_counts (state, shard, n)
SELECT state, id % 16, COUNT(*) FROM cases GROUP BY state, id % 16;

CREATE FUNCTION rightsdesk_count_case_states() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE case_state_counts SET n = n - 1
        WHERE state = OLD.state AND shard = OLD.id % 16;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO case_state_counts (state, shard, n) VALUES (NEW.state, NEW.id % 16, 1)
        ON CONFLICT (state, shard) DO UPDATE SET n = case_state_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER cases_count_insert_delete AFTER INSERT OR DELETE ON cases
FOR EACH ROW EXECUTE FUNCTION rightsdesk_count_case_states();

CREATE TRIGGER cases_count_update AFTER UPDATE OF state ON cases
FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state)
EXECUTE FUNCTION rightsdesk_count_case_states();

-- Daily jobs are now claimed by day number, like the others by period:
-- those that last ran on a date carry it over, so none runs twice today.
UPDATE job_runs SET last_slot = last_run_on - DATE '1970-01-01' WHERE last_slot = 0;
