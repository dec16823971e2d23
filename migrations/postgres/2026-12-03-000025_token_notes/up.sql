-- A note is written by a staff member or, through the API, by a token.
ALTER TABLE case_notes ALTER COLUMN author_id DROP NOT NULL;
ALTER TABLE case_notes ADD COLUMN author_token_id BIGINT REFERENCES api_tokens (id);
ALTER TABLE case_notes ADD CONSTRAINT case_notes_one_author
    CHECK ((author_id IS NULL) <> (author_token_id IS NULL));
