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

CREATE TRIGGER case_rights_count_insert AFTER INSERT ON case_rights
BEGIN
    INSERT INTO case_right_counts (state, right_key, shard, n)
    SELECT state, NEW.right_key, id % 16, 1 FROM cases WHERE id = NEW.case_id
    ON CONFLICT (state, right_key, shard) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER case_rights_count_delete AFTER DELETE ON case_rights
BEGIN
    UPDATE case_right_counts SET n = n - 1
    WHERE right_key = OLD.right_key AND shard = OLD.case_id % 16
      AND state = (SELECT state FROM cases WHERE id = OLD.case_id);
END;

CREATE TRIGGER cases_right_count_update AFTER UPDATE OF state ON cases
WHEN OLD.state <> NEW.state
BEGIN
    UPDATE case_right_counts
    SET n = n - (SELECT COUNT(*) FROM case_rights r
                 WHERE r.case_id = OLD.id AND r.right_key = case_right_counts.right_key)
    WHERE state = OLD.state AND shard = OLD.id % 16;
    INSERT INTO case_right_counts (state, right_key, shard, n)
    SELECT NEW.state, right_key, NEW.id % 16, COUNT(*) FROM case_rights
    WHERE case_id = NEW.id GROUP BY right_key
    ON CONFLICT (state, right_key, shard) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER cases_due_count_insert AFTER INSERT ON cases
WHEN NEW.due_on IS NOT NULL
BEGIN
    INSERT INTO case_due_counts (state, due_on, shard, n)
    VALUES (NEW.state, NEW.due_on, NEW.id % 16, 1)
    ON CONFLICT (state, due_on, shard) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cases_due_count_update AFTER UPDATE OF state, due_on ON cases
WHEN OLD.state IS NOT NEW.state OR OLD.due_on IS NOT NEW.due_on
BEGIN
    UPDATE case_due_counts SET n = n - 1
    WHERE state = OLD.state AND due_on = OLD.due_on AND shard = OLD.id % 16;
    INSERT INTO case_due_counts (state, due_on, shard, n)
    SELECT NEW.state, NEW.due_on, NEW.id % 16, 1 WHERE NEW.due_on IS NOT NULL
    ON CONFLICT (state, due_on, shard) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER cases_due_count_delete AFTER DELETE ON cases
WHEN OLD.due_on IS NOT NULL
BEGIN
    UPDATE case_due_counts SET n = n - 1
    WHERE state = OLD.state AND due_on = OLD.due_on AND shard = OLD.id % 16;
END;
