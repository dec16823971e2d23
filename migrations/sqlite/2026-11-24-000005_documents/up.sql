-- Identity documents uploaded by requesters, encrypted (XChaCha20-Poly1305,
-- key from configuration, bound to their case) and deleted once staff
-- decide; only the fact, method, decision, reviewer and time remain, in the
-- audit trail.
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('identity', 'address', 'authority')),
    content_type TEXT NOT NULL,
    byte_size BIGINT NOT NULL,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);
CREATE INDEX documents_case ON documents (case_id, id);
