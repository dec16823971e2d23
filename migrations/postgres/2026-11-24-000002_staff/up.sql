-- Staff accounts, their one-time links, case assignment, per-right outcomes,
-- internal notes and the record of scheduled jobs.

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'agent', 'viewer')),
    -- NULL until the person sets a password from their invitation.
    password_hash TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    -- Bumped on logout, password change and disabling: older sessions end.
    session_epoch INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP
);

-- Single-use links for staff: the first admin's setup link (no user yet),
-- invitations and password resets. Stored only as hashes.
CREATE TABLE staff_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('setup', 'invite')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

ALTER TABLE cases ADD COLUMN assignee_id BIGINT REFERENCES users (id);
-- How a closed case ended when its state alone does not say (a duplicate).
ALTER TABLE cases ADD COLUMN closure TEXT;
ALTER TABLE cases ADD COLUMN duplicate_of BIGINT REFERENCES cases (id);
CREATE INDEX cases_assignee ON cases (assignee_id, due_on);
CREATE INDEX cases_email ON cases (requester_email);

ALTER TABLE case_rights ADD COLUMN outcome TEXT;
ALTER TABLE case_rights ADD COLUMN outcome_note TEXT;
ALTER TABLE case_rights ADD COLUMN decided_at TIMESTAMP;

-- Internal notes: staff only, never sent. The audit trail records that a
-- note was added, not its text.
CREATE TABLE case_notes (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, id);

-- The last day a daily job ran, so a restart or a second node does not run it twice.
CREATE TABLE job_runs (
    name TEXT PRIMARY KEY,
    last_run_on DATE NOT NULL
);
