-- When a closed case was reduced to its minimal accountability record.
ALTER TABLE cases ADD COLUMN reduced_at TIMESTAMP;
CREATE INDEX cases_to_reduce ON cases (closed_at) WHERE reduced_at IS NULL;
