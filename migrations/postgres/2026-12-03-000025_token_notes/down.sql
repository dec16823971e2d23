DELETE FROM case_notes WHERE author_id IS NULL;
ALTER TABLE case_notes DROP CONSTRAINT case_notes_one_author;
ALTER TABLE case_notes DROP COLUMN author_token_id;
ALTER TABLE case_notes ALTER COLUMN author_id SET NOT NULL;
