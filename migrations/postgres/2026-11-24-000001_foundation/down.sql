DROP TABLE outbox_attempts;
DROP TABLE outbox;
DROP TABLE email_tokens;
DROP TABLE case_events;
DROP TABLE case_rights;
DROP TABLE cases;
