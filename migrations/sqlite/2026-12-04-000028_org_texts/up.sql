-- The organisation's answer texts as admins set them in the app; a text
-- not here is the one in the configuration ([answers]).
CREATE TABLE org_texts (
    key TEXT PRIMARY KEY NOT NULL,
    body TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
