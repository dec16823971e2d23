-- Admins' choices of how sure we must be of who is asking, per right and
-- law; a missing row means the shipped default.
CREATE TABLE verification_policies (
    right_key TEXT NOT NULL,
    regime TEXT NOT NULL CHECK (regime IN ('uk-gdpr', 'eu-gdpr', 'ccpa')),
    level TEXT NOT NULL CHECK (level IN ('email_only', 'data_points', 'documents')),
    PRIMARY KEY (right_key, regime)
);
