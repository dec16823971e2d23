-- The answer a completed case gave, as the requester reads it (sections of
-- headings and lines, JSON).
CREATE TABLE case_answers (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    sections TEXT NOT NULL,
    composed_at TIMESTAMP NOT NULL
);
