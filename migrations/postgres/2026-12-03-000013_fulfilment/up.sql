-- The organisation's systems that hold personal data, and which rights
-- each takes part in (right keys, comma-separated).
CREATE TABLE systems (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    owner_email TEXT NOT NULL,
    rights TEXT NOT NULL,
    external_recipient BOOLEAN NOT NULL DEFAULT FALSE,
    retention_note TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- What one system must do for one right of one case.
CREATE TABLE tasks (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    system_id BIGINT NOT NULL REFERENCES systems (id),
    right_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    target_on DATE NOT NULL,
    answer TEXT CHECK (answer IN ('done', 'no_data', 'kept', 'not_possible')),
    basis TEXT,
    note TEXT,
    answered_at TIMESTAMP,
    answered_by TEXT,
    chased_at TIMESTAMP,
    UNIQUE (case_id, system_id, right_key)
);
CREATE INDEX tasks_open ON tasks (answered_at, target_on);

-- Single-use, expiring links sent by email, stored only as hashes: what a
-- link is for, and the case, account or task it opens.
CREATE TABLE links (
    id BIGSERIAL PRIMARY KEY,
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    case_id BIGINT REFERENCES cases (id) ON DELETE CASCADE,
    task_id BIGINT REFERENCES tasks (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    spent_at TIMESTAMP
);
CREATE INDEX links_task ON links (task_id);
