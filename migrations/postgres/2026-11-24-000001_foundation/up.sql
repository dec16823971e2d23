-- Cases, their rights, their audit trail, email confirmation tokens and the mail outbox.

CREATE TABLE cases (
    id BIGSERIAL PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('submitted', 'awaiting_identity', 'in_progress',
        'awaiting_requester', 'completed', 'refused', 'withdrawn', 'expired')),
    regime TEXT NOT NULL CHECK (regime IN ('uk-gdpr', 'eu-gdpr', 'ccpa')),
    channel TEXT NOT NULL,
    location TEXT NOT NULL,
    requester_name TEXT NOT NULL,
    requester_email TEXT NOT NULL,
    agent_name TEXT,
    description TEXT,
    received_on DATE,
    due_on DATE,
    submitted_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    closed_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX cases_state_due ON cases (state, due_on);
CREATE INDEX cases_state_submitted ON cases (state, submitted_at);

CREATE TABLE case_rights (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    right_key TEXT NOT NULL,
    details TEXT NOT NULL,
    UNIQUE (case_id, right_key)
);

-- Append-only; each row carries the hash of the case's previous event.
CREATE TABLE case_events (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    effective_on DATE,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX case_events_case ON case_events (case_id, id);

CREATE TABLE email_tokens (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX email_tokens_case ON email_tokens (case_id);

CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT REFERENCES cases (id) ON DELETE SET NULL,
    template TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_case ON outbox (case_id);

CREATE TABLE outbox_attempts (
    id BIGSERIAL PRIMARY KEY,
    outbox_id BIGINT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    succeeded BOOLEAN NOT NULL,
    error TEXT
);
CREATE INDEX outbox_attempts_message ON outbox_attempts (outbox_id);
