-- The organisation's answer texts changed for one case (where the general
-- ones do not fit it), by key.
CREATE TABLE case_texts (
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    text_key TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (case_id, text_key)
);
