-- The audit trail of changes that belong to no case: staff accounts and
-- settings. Append-only and hash-chained like case_events, as one chain.
CREATE TABLE admin_events (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
