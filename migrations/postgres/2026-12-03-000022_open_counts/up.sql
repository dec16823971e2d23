-- Counts the dashboard shows, kept by triggers like case_state_counts so
-- that a view reads a few hundred rows however many cases there are:
-- cases per (state, right), and cases with a due date per (state, due
-- date). Each is spread over 16 rows by case id.
CREATE TABLE case_right_counts (
    state TEXT NOT NULL,
    right_key TEXT NOT NULL,
    shard BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (state, right_key, shard)
);

INSERT INTO case_right_counts (state, right_key, shard, n)
SELECT c.state, r.right_key, c.id % 16, COUNT(*)
FROM case_rights r JOIN cases c ON c.id = r.case_id
GROUP BY c.state, r.right_key, c.id % 16;

CREATE TABLE case_due_counts (
    state TEXT NOT NULL,
    due_on DATE NOT NULL,
    shard BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (state, due_on, shard)
);

INSERT INTO case_due_counts (state, due_on, shard, n)
SELECT state, due_on, id % 16, COUNT(*) FROM cases WHERE due_on IS NOT NULL
GROUP BY state, due_on, id % 16;

CREATE FUNCTION rightsdesk_count_case_rights() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO case_right_counts (state, right_key, shard, n)
        SELECT state, NEW.right_key, id % 16, 1 FROM cases WHERE id = NEW.case_id
        ON CONFLICT (state, right_key, shard) DO UPDATE SET n = case_right_counts.n + 1;
    ELSE
        UPDATE case_right_counts SET n = n - 1
        WHERE right_key = OLD.right_key AND shard = OLD.case_id % 16
          AND state = (SELECT state FROM cases WHERE id = OLD.case_id);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER case_rights_count AFTER INSERT OR DELETE ON case_rights
FOR EACH ROW EXECUTE FUNCTION rightsdesk_count_case_rights();

CREATE FUNCTION rightsdesk_count_case_changes() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.due_on IS NOT NULL THEN
        UPDATE case_due_counts SET n = n - 1
        WHERE state = OLD.state AND due_on = OLD.due_on AND shard = OLD.id % 16;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.due_on IS NOT NULL THEN
        INSERT INTO case_due_counts (state, due_on, shard, n)
        VALUES (NEW.state, NEW.due_on, NEW.id % 16, 1)
        ON CONFLICT (state, due_on, shard) DO UPDATE SET n = case_due_counts.n + 1;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.state IS DISTINCT FROM NEW.state THEN
        UPDATE case_right_counts c
        SET n = c.n - (SELECT COUNT(*) FROM case_rights r
                       WHERE r.case_id = OLD.id AND r.right_key = c.right_key)
        WHERE c.state = OLD.state AND c.shard = OLD.id % 16;
        INSERT INTO case_right_counts (state, right_key, shard, n)
        SELECT NEW.state, right_key, NEW.id % 16, COUNT(*) FROM case_rights
        WHERE case_id = NEW.id GROUP BY right_key
        ON CONFLICT (state, right_key, shard) DO UPDATE SET n = case_right_counts.n + excluded.n;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER cases_due_count_insert_delete AFTER INSERT OR DELETE ON cases
FOR EACH ROW EXECUTE FUNCTION rightsdesk_count_case_changes();

CREATE TRIGGER cases_due_count_update AFTER UPDATE OF state, due_on ON cases
FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.due_on IS DISTINCT FROM NEW.due_on)
EXECUTE FUNCTION rightsdesk_count_case_changes();
