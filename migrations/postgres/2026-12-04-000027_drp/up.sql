-- Authorised agents of the Data Rights Protocol, registered by admins with
-- the Ed25519 key they sign with.
CREATE TABLE drp_agents (
    id BIGSERIAL PRIMARY KEY,
    -- The agent's id in the DRP network (its agent-id).
    agent_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    -- The public verify key, base64 (32 bytes).
    verify_key TEXT NOT NULL,
    -- SHA-256 of the bearer token its last pair-wise set-up was given.
    token_hash TEXT UNIQUE,
    paired_at TIMESTAMP,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- A request an agent filed through the DRP, and the case it became.
CREATE TABLE drp_requests (
    id BIGSERIAL PRIMARY KEY,
    -- The request_id we gave the agent (a UUID).
    request_id TEXT NOT NULL UNIQUE,
    agent_id BIGINT NOT NULL REFERENCES drp_agents (id),
    case_id BIGINT NOT NULL UNIQUE REFERENCES cases (id),
    agent_request_id TEXT,
    exercise TEXT NOT NULL,
    -- As the agent sent it; NULL for voluntary processing.
    regime TEXT,
    status_callback TEXT,
    -- SHA-256 of the signed message: the same message twice is one request.
    message_hash TEXT NOT NULL UNIQUE,
    -- The status last delivered to the callback (JSON), so each change is
    -- told once.
    last_told TEXT,
    received_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX drp_requests_agent_request ON drp_requests (agent_id, agent_request_id);

-- Status callbacks to send: a durable queue with retries, as webhooks are.
CREATE TABLE drp_callbacks (
    id BIGSERIAL PRIMARY KEY,
    drp_request_id BIGINT NOT NULL REFERENCES drp_requests (id),
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    last_error TEXT,
    last_status INTEGER,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
CREATE INDEX drp_callbacks_due ON drp_callbacks (status, next_attempt_at);
