-- A note is written by a staff member or, through the API, by a token.
CREATE TABLE case_notes_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES users (id),
    author_token_id BIGINT REFERENCES api_tokens (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK ((author_id IS NULL) <> (author_token_id IS NULL))
);
INSERT INTO case_notes_new (id, case_id, author_id, body, created_at)
    SELECT id, case_id, author_id, body, created_at FROM case_notes;
DROP TABLE case_notes;
ALTER TABLE case_notes_new RENAME TO case_notes;
CREATE INDEX case_notes_case ON case_notes (case_id, id);
