-- Files a system's owner attached to their answer (for access or
-- portability), encrypted with the data key until they go into the package.
CREATE TABLE task_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX task_files_case ON task_files (case_id);

-- The requester's data package (a zip), encrypted with the data key, until
-- its download link expires.
CREATE TABLE packages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL UNIQUE REFERENCES cases (id) ON DELETE CASCADE,
    bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    downloads INTEGER NOT NULL DEFAULT 0
);
