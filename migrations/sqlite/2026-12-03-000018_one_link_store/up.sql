-- Every single-use or expiring link sent by email lives in `links`, with
-- what it is for: email confirmation, status page, agent check, staff
-- set-up and invitation, and task. The four older stores are moved in.
ALTER TABLE links ADD COLUMN user_id BIGINT REFERENCES users (id) ON DELETE CASCADE;
-- An agent check's answer (confirmed or denied).
ALTER TABLE links ADD COLUMN decision TEXT;

INSERT INTO links (purpose, token_hash, case_id, created_at, expires_at, spent_at)
    SELECT 'confirm_email', token_hash, case_id, created_at, expires_at, used_at FROM email_tokens;
INSERT INTO links (purpose, token_hash, case_id, created_at, expires_at, spent_at)
    SELECT 'status', token_hash, case_id, created_at, expires_at, revoked_at FROM status_links;
INSERT INTO links (purpose, token_hash, case_id, created_at, expires_at, spent_at, decision)
    SELECT 'agent_check', token_hash, case_id, created_at, expires_at, decided_at, decision
      FROM agent_confirmations;
INSERT INTO links (purpose, token_hash, user_id, created_at, expires_at, spent_at)
    SELECT 'staff_' || purpose, token_hash, user_id, created_at, expires_at, used_at FROM staff_tokens;

DROP TABLE email_tokens;
DROP TABLE status_links;
DROP TABLE agent_confirmations;
DROP TABLE staff_tokens;

CREATE INDEX links_case ON links (case_id, purpose, created_at);
CREATE INDEX links_user ON links (user_id, purpose);
