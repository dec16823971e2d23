-- Bearer tokens for the JSON API under /api/v1. Only the SHA-256 of each
-- token is kept; the token itself is shown once, when it is made.
CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    -- Space-separated: read, act, intake.
    scopes TEXT NOT NULL,
    -- Calls a minute this token may make.
    rate_per_minute INTEGER NOT NULL,
    -- Who made it (an actor key, as in the audit trails).
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
