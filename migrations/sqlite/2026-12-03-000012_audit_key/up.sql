-- Which audit key sealed the trails: a check value (an HMAC of a constant),
-- never the key. One row once the trails are keyed; none before.
CREATE TABLE audit_seal (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    key_check TEXT NOT NULL,
    sealed_at TIMESTAMP NOT NULL
);
