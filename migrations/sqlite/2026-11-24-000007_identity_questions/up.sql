-- Known data points: details staff ask the requester for (a customer
-- number, a postcode), the answers, until staff record whether they match;
-- then the answers are deleted and only the decision stays in the trail.
CREATE TABLE identity_questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    answer TEXT,
    asked_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP
);
CREATE INDEX identity_questions_case ON identity_questions (case_id, id);
