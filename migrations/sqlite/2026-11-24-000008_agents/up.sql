-- Authorised agents: the agent's own address (we write to the agent), and
-- the person's answer to "does this agent act for you?", asked by email
-- with a single-use link.
ALTER TABLE cases ADD COLUMN agent_email TEXT;

CREATE TABLE agent_confirmations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decision TEXT CHECK (decision IN ('confirmed', 'denied'))
);
CREATE INDEX agent_confirmations_case ON agent_confirmations (case_id);
