DELETE FROM case_notes WHERE author_id IS NULL;
CREATE TABLE case_notes_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO case_notes_old (id, case_id, author_id, body, created_at)
    SELECT id, case_id, author_id, body, created_at FROM case_notes;
DROP TABLE case_notes;
ALTER TABLE case_notes_old RENAME TO case_notes;
CREATE INDEX case_notes_case ON case_notes (case_id, id);
