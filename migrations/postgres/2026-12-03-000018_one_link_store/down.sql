-- Irreversible in data terms: the older stores are recreated empty.
DROP INDEX links_user;
DROP INDEX links_case;
CREATE TABLE email_tokens (id BIGSERIAL PRIMARY KEY, case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE, token_hash TEXT NOT NULL UNIQUE, created_at TIMESTAMP NOT NULL, expires_at TIMESTAMP NOT NULL, used_at TIMESTAMP);
CREATE TABLE status_links (id BIGSERIAL PRIMARY KEY, case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE, token_hash TEXT NOT NULL UNIQUE, created_at TIMESTAMP NOT NULL, expires_at TIMESTAMP NOT NULL, revoked_at TIMESTAMP);
CREATE TABLE agent_confirmations (id BIGSERIAL PRIMARY KEY, case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE, token_hash TEXT NOT NULL UNIQUE, created_at TIMESTAMP NOT NULL, expires_at TIMESTAMP NOT NULL, decided_at TIMESTAMP, decision TEXT);
CREATE TABLE staff_tokens (id BIGSERIAL PRIMARY KEY, user_id BIGINT REFERENCES users (id) ON DELETE CASCADE, purpose TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at TIMESTAMP NOT NULL, expires_at TIMESTAMP NOT NULL, used_at TIMESTAMP);
ALTER TABLE links DROP COLUMN decision;
ALTER TABLE links DROP COLUMN user_id;
